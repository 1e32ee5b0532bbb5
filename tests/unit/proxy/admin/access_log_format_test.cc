#include "proxy/admin/access_log_format.h"

#include <gtest/gtest.h>

#include <ctime>

namespace consentry::admin {
namespace {

using config::IpRule;

std::chrono::system_clock::time_point at(int year, int month, int day, int h, int m, int s,
                                         int millis) {
  tm t{};
  t.tm_year = year - 1900;
  t.tm_mon = month - 1;
  t.tm_mday = day;
  t.tm_hour = h;
  t.tm_min = m;
  t.tm_sec = s;
  return std::chrono::system_clock::from_time_t(timegm(&t)) + std::chrono::milliseconds(millis);
}

AccessLogEntry entry(std::string_view ip = "203.0.113.77") {
  AccessLogEntry e;
  e.time = at(2026, 11, 29, 1, 2, 3, 456);
  e.client = *IpAddress::parse(ip);
  e.method = "GET";
  e.target = "/pricing";
  e.protocol = "HTTP/1.1";
  e.status = 200;
  e.bytesSent = 1234;
  e.duration = std::chrono::microseconds(12'345);
  e.upstream = "127.0.0.1:8081";
  return e;
}

std::string line(const AccessLogEntry& e, AccessLogFormat f, IpRule ip) {
  std::string out;
  appendAccessLogLine(out, e, f, ip);
  return out;
}

TEST(AccessLogFormat, JsonWithTruncatedIp) {
  EXPECT_EQ(line(entry(), AccessLogFormat::Json, IpRule::Truncate),
            R"({"time":"2026-11-29T01:02:03.456Z","client_ip":"203.0.113.0","method":"GET",)"
            R"("path":"/pricing","protocol":"HTTP/1.1","status":200,"bytes_sent":1234,)"
            R"("duration_ms":12.345,"upstream":"127.0.0.1:8081"})"
            "\n");
}

TEST(AccessLogFormat, JsonIpKeepAndDrop) {
  std::string keep = line(entry(), AccessLogFormat::Json, IpRule::Keep);
  EXPECT_NE(keep.find(R"("client_ip":"203.0.113.77")"), std::string::npos) << keep;
  std::string drop = line(entry(), AccessLogFormat::Json, IpRule::Drop);
  EXPECT_EQ(drop.find("client_ip"), std::string::npos) << drop;
  EXPECT_EQ(drop.find("203.0.113"), std::string::npos) << drop;
}

TEST(AccessLogFormat, Ipv6TruncatesToSlash48AndMappedV4ToSlash24) {
  EXPECT_EQ(accessLogClient(*IpAddress::parse("2001:db8:abcd:1234::1"), IpRule::Truncate),
            "2001:db8:abcd::");
  EXPECT_EQ(accessLogClient(*IpAddress::parse("2001:db8:abcd:1234::1"), IpRule::Keep),
            "2001:db8:abcd:1234::1");
  EXPECT_EQ(accessLogClient(*IpAddress::parse("::ffff:198.51.100.9"), IpRule::Truncate),
            "198.51.100.0");
  EXPECT_EQ(accessLogClient(*IpAddress::parse("::ffff:198.51.100.9"), IpRule::Drop), "");
  std::string v6 =
      line(entry("2001:db8:abcd:1234::1"), AccessLogFormat::Combined, IpRule::Truncate);
  EXPECT_TRUE(v6.starts_with("2001:db8:abcd:: - - [")) << v6;
}

TEST(AccessLogFormat, CombinedForEachIpRule) {
  EXPECT_EQ(line(entry(), AccessLogFormat::Combined, IpRule::Truncate),
            "203.0.113.0 - - [29/Nov/2026:01:02:03 +0000] \"GET /pricing HTTP/1.1\" 200 1234 "
            "\"-\" \"-\"\n");
  EXPECT_EQ(line(entry(), AccessLogFormat::Combined, IpRule::Keep),
            "203.0.113.77 - - [29/Nov/2026:01:02:03 +0000] \"GET /pricing HTTP/1.1\" 200 1234 "
            "\"-\" \"-\"\n");
  EXPECT_EQ(line(entry(), AccessLogFormat::Combined, IpRule::Drop),
            "- - - [29/Nov/2026:01:02:03 +0000] \"GET /pricing HTTP/1.1\" 200 1234 "
            "\"-\" \"-\"\n");
}

TEST(AccessLogFormat, QueryStringAndFragmentAreNeverLogged) {
  AccessLogEntry e = entry();
  e.target = "/search?email=alice%40example.com&q=x#section";
  for (auto format : {AccessLogFormat::Json, AccessLogFormat::Combined}) {
    std::string l = line(e, format, IpRule::Keep);
    EXPECT_NE(l.find("/search"), std::string::npos) << l;
    EXPECT_EQ(l.find("alice"), std::string::npos) << l;
    EXPECT_EQ(l.find('?'), std::string::npos) << l;
    EXPECT_EQ(l.find("section"), std::string::npos) << l;
  }
}

TEST(AccessLogFormat, HostileBytesCannotBreakTheLine) {
  AccessLogEntry e = entry();
  const std::string target = std::string("/a\"b\\c\nd\x01\xff\xc3\xa9", 12);
  e.target = target;
  std::string json = line(e, AccessLogFormat::Json, IpRule::Truncate);
  EXPECT_EQ(json.find('\n'), json.size() - 1);
  EXPECT_NE(json.find(R"("path":"/a\"b\\c\nd\u0001\ufffdé")"), std::string::npos) << json;
  std::string combined = line(e, AccessLogFormat::Combined, IpRule::Truncate);
  EXPECT_EQ(combined.find('\n'), combined.size() - 1);
  EXPECT_NE(combined.find(R"("GET /a\"b\\c\x0ad\x01\xff\xc3\xa9 HTTP/1.1")"), std::string::npos)
      << combined;
}

TEST(AccessLogFormat, LocalRepliesAndEmptyBodies) {
  AccessLogEntry e = entry();
  e.upstream = {};
  e.bytesSent = 0;
  e.status = 204;
  e.duration = std::chrono::microseconds(7);
  e.time = at(2027, 1, 2, 23, 59, 59, 5);
  std::string json = line(e, AccessLogFormat::Json, IpRule::Truncate);
  EXPECT_EQ(json.find("upstream"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("time":"2027-01-02T23:59:59.005Z")"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("duration_ms":0.007)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("status":204,"bytes_sent":0)"), std::string::npos) << json;
  std::string combined = line(e, AccessLogFormat::Combined, IpRule::Truncate);
  EXPECT_NE(combined.find("[02/Jan/2027:23:59:59 +0000] \"GET /pricing HTTP/1.1\" 204 - "),
            std::string::npos)
      << combined;
}

}  // namespace
}  // namespace consentry::admin
