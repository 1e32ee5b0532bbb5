#include "proxy/tls/host_names.h"

#include <gtest/gtest.h>

namespace consentry::proxy::tls {
namespace {

TEST(HostNameIndex, ExactNameIgnoresCaseAndTrailingDot) {
  HostNameIndex index;
  index.add("www.Example.com", 3);
  EXPECT_EQ(index.find("www.example.com"), 3);
  EXPECT_EQ(index.find("WWW.EXAMPLE.COM."), 3);
  EXPECT_EQ(index.find("example.com"), HostNameIndex::kNone);
}

TEST(HostNameIndex, WildcardCoversExactlyOneLabel) {
  HostNameIndex index;
  index.add("*.example.com", 1);
  EXPECT_EQ(index.find("a.example.com"), 1);
  EXPECT_EQ(index.find("B.Example.Com"), 1);
  EXPECT_EQ(index.find("example.com"), HostNameIndex::kNone);
  EXPECT_EQ(index.find("a.b.example.com"), HostNameIndex::kNone);
  EXPECT_EQ(index.find(".example.com"), HostNameIndex::kNone);
}

TEST(HostNameIndex, ExactBeatsWildcardWhateverTheOrder) {
  HostNameIndex index;
  index.add("*.example.com", 0);
  index.add("api.example.com", 1);
  EXPECT_EQ(index.find("api.example.com"), 1);
  EXPECT_EQ(index.find("www.example.com"), 0);
}

TEST(HostNameIndex, FirstCertificateKeepsADuplicateName) {
  HostNameIndex index;
  index.add("example.com", 0);
  index.add("example.com", 1);
  index.add("*.example.com", 2);
  index.add("*.example.com", 3);
  EXPECT_EQ(index.find("example.com"), 0);
  EXPECT_EQ(index.find("x.example.com"), 2);
}

TEST(HostNameIndex, UnsafeWildcardsAreIgnored) {
  HostNameIndex index;
  index.add("*.com", 0);
  index.add("f*.example.com", 1);
  index.add("*.*.example.com", 2);
  EXPECT_TRUE(index.empty());
  EXPECT_EQ(index.find("example.com"), HostNameIndex::kNone);
  EXPECT_EQ(index.find("foo.example.com"), HostNameIndex::kNone);
}

TEST(HostNameIndex, ClientNamesWithStarsOrJunkMatchNothing) {
  HostNameIndex index;
  index.add("*.example.com", 0);
  EXPECT_EQ(index.find("*.example.com"), HostNameIndex::kNone);
  EXPECT_EQ(index.find("a b.example.com"), HostNameIndex::kNone);
  EXPECT_EQ(index.find(""), HostNameIndex::kNone);
}

TEST(NormalizeHostName, LowersAndStripsOneTrailingDot) {
  EXPECT_EQ(normalizeHostName("WWW.Example.COM."), "www.example.com");
  EXPECT_EQ(normalizeHostName("b\xc3\xa4r.example"), "");
}

}  // namespace
}  // namespace consentry::proxy::tls
