#include "proxy/admin/access_log_format.h"

#include <charconv>
#include <ctime>

#include "proxy/admin/json_text.h"

namespace consentry::admin {

namespace {

std::string_view pathOnly(std::string_view target) {
  size_t cut = target.find_first_of("?#");
  return cut == std::string_view::npos ? target : target.substr(0, cut);
}

void appendUint(std::string& out, uint64_t v, int minDigits = 1) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  for (int pad = minDigits - static_cast<int>(end - buf); pad > 0; --pad) out += '0';
  out.append(buf, end);
}

// The time texts change once a second: a worker formats them once per second, not per line.
struct TimeText {
  int64_t second = INT64_MIN;
  std::string iso;       // 2026-11-29T01:02:03
  std::string combined;  // [29/Nov/2026:01:02:03 +0000]
};

const TimeText& timeText(int64_t second) {
  thread_local TimeText cache;
  if (cache.second == second) return cache;
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto t = static_cast<time_t>(second);
  tm utc{};
  gmtime_r(&t, &utc);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &utc);
  cache.iso = buf;
  std::strftime(buf, sizeof buf, "%d/", &utc);
  cache.combined = "[";
  cache.combined += buf;
  cache.combined += kMonths[utc.tm_mon % 12];
  std::strftime(buf, sizeof buf, "/%Y:%H:%M:%S +0000]", &utc);
  cache.combined += buf;
  cache.second = second;
  return cache;
}

// Apache's escaping of logged request fields: quotes and backslashes, and every byte that is not
// printable ASCII as \xHH, so a crafted path cannot forge a line or a field.
void appendCombinedField(std::string& out, std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c >= 0x7f) {
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += ch;
    }
  }
}

void appendJson(std::string& out, const AccessLogEntry& e, config::IpRule ip) {
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(e.time.time_since_epoch()).count();
  const int64_t second = micros >= 0 ? micros / 1'000'000 : (micros - 999'999) / 1'000'000;
  out += "{\"time\":\"";
  out += timeText(second).iso;
  out += '.';
  appendUint(out, static_cast<uint64_t>((micros - second * 1'000'000) / 1000), 3);
  out += "Z\"";
  if (std::string client = accessLogClient(e.client, ip); !client.empty()) {
    out += ",\"client_ip\":\"";
    out += client;
    out += '"';
  }
  out += ",\"method\":";
  appendJsonString(out, e.method);
  out += ",\"path\":";
  appendJsonString(out, pathOnly(e.target));
  out += ",\"protocol\":";
  appendJsonString(out, e.protocol);
  out += ",\"status\":";
  appendUint(out, static_cast<uint64_t>(e.status < 0 ? 0 : e.status));
  out += ",\"bytes_sent\":";
  appendUint(out, e.bytesSent);
  const auto us = static_cast<uint64_t>(e.duration.count() < 0 ? 0 : e.duration.count());
  out += ",\"duration_ms\":";
  appendUint(out, us / 1000);
  out += '.';
  appendUint(out, us % 1000, 3);
  if (!e.upstream.empty()) {
    out += ",\"upstream\":";
    appendJsonString(out, e.upstream);
  }
  out += "}\n";
}

void appendCombined(std::string& out, const AccessLogEntry& e, config::IpRule ip) {
  const auto second = std::chrono::floor<std::chrono::seconds>(e.time.time_since_epoch()).count();
  std::string client = accessLogClient(e.client, ip);
  out += client.empty() ? "-" : client;
  out += " - - ";
  out += timeText(second).combined;
  out += " \"";
  appendCombinedField(out, e.method);
  out += ' ';
  appendCombinedField(out, pathOnly(e.target));
  out += ' ';
  appendCombinedField(out, e.protocol);
  out += "\" ";
  appendUint(out, static_cast<uint64_t>(e.status < 0 ? 0 : e.status));
  out += ' ';
  if (e.bytesSent == 0) {
    out += '-';
  } else {
    appendUint(out, e.bytesSent);
  }
  out += " \"-\" \"-\"\n";
}

}  // namespace

std::string accessLogClient(const IpAddress& client, config::IpRule rule) {
  switch (rule) {
    case config::IpRule::Drop:
      return {};
    case config::IpRule::Keep:
      return client.unmapped().toString();
    case config::IpRule::Truncate: {
      IpAddress a = client.unmapped();
      return a.truncated(a.isV4() ? kAccessLogV4Bits : kAccessLogV6Bits).toString();
    }
  }
  return {};
}

void appendAccessLogLine(std::string& out, const AccessLogEntry& entry, AccessLogFormat format,
                         config::IpRule ip) {
  if (format == AccessLogFormat::Combined) {
    appendCombined(out, entry, ip);
  } else {
    appendJson(out, entry, ip);
  }
}

}  // namespace consentry::admin
