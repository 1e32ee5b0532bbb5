#include "filters/scrub/pii_detectors.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace consentry::filters::scrub {
namespace {

using Finder = bool (*)(std::string_view, size_t, Span&);

// The first match as text, or "" when none.
std::string firstMatch(Finder find, std::string_view text) {
  Span m;
  if (!find(text, 0, m)) return "";
  EXPECT_LE(m.begin, m.end);
  EXPECT_LE(m.end, text.size());
  return std::string(text.substr(m.begin, m.end - m.begin));
}

struct Case {
  std::string text;
  std::string expected;  // the exact match; "" = must not match
};

void check(Finder find, const std::vector<Case>& cases) {
  for (const auto& c : cases) EXPECT_EQ(firstMatch(find, c.text), c.expected) << c.text;
}

TEST(EmailDetector, TruePositives) {
  check(findEmail, {
                       {"a@b.co", "a@b.co"},
                       {"mail john.doe@example.com now", "john.doe@example.com"},
                       {"x+tag@sub.example.org", "x+tag@sub.example.org"},
                       {"UPPER@EXAMPLE.COM", "UPPER@EXAMPLE.COM"},
                       {"first_last-1@mail.example.co.uk", "first_last-1@mail.example.co.uk"},
                       {"<jane@doe.dev>.", "jane@doe.dev"},
                       {"123@numbers.io", "123@numbers.io"},
                       {"user@xn--bcher-kva.example", "user@xn--bcher-kva.example"},
                       {"name@example.museum,", "name@example.museum"},
                       {"to=ops@corp-mail.example.net&x", "ops@corp-mail.example.net"},
                       {"\"q\":\"a.b@c.de\"", "a.b@c.de"},
                   });
}

TEST(EmailDetector, FalsePositives) {
  check(findEmail, {
                       {"@handle", ""},
                       {"user@localhost", ""},
                       {"a@b", ""},
                       {"a@b.c", ""},
                       {"foo@bar.123", ""},
                       {"x @ y.com", ""},
                       {"email me", ""},
                       {"user@.com", ""},
                       {"user@-x.com", ""},
                       {"@@", ""},
                       {"name@domain..com", ""},
                       {"price: 5 @ 3.50", ""},
                   });
}

TEST(PhoneDetector, TruePositives) {
  check(findPhone, {
                       {"+14155552671", "+14155552671"},
                       {"call +1 415 555 2671 today", "+1 415 555 2671"},
                       {"+1 (415) 555-2671", "+1 (415) 555-2671"},
                       {"+44 20 7946 0958", "+44 20 7946 0958"},
                       {"+49 30 12345678", "+49 30 12345678"},
                       {"+49-151-12345678", "+49-151-12345678"},
                       {"+33 1 23 45 67 89", "+33 1 23 45 67 89"},
                       {"+81 3-1234-5678", "+81 3-1234-5678"},
                       {"tel:+4930123456", "+4930123456"},
                       {"+55 11 91234 5678.", "+55 11 91234 5678"},
                       {"+86.10.1234.5678", "+86.10.1234.5678"},
                   });
}

TEST(PhoneDetector, FalsePositives) {
  check(findPhone, {
                       {"2026-11-29", ""},
                       {"+2026-11-29", ""},
                       {"order 123456789012", ""},
                       {"12:30:45+01:00", ""},
                       {"2026-11-29T10:00:00+0100", ""},
                       {"v1.2.3.4", ""},
                       {"+1234", ""},
                       {"+20261129", ""},
                       {"+20261129123045", ""},
                       {"1+1234567890", ""},
                       {"+1234567890123456", ""},
                       {"a+49301234567", ""},
                       {"+0301234567", ""},
                       {"+49 30 1234567x", ""},
                   });
}

TEST(CardDetector, TruePositives) {
  check(findCard, {
                      {"4111111111111111", "4111111111111111"},
                      {"card 4111 1111 1111 1111 exp", "4111 1111 1111 1111"},
                      {"5555-5555-5555-4444", "5555-5555-5555-4444"},
                      {"5105105105105100", "5105105105105100"},
                      {"amex 3782 822463 10005", "3782 822463 10005"},
                      {"371449635398431", "371449635398431"},
                      {"6011111111111117;", "6011111111111117"},
                      {"3530111333300000", "3530111333300000"},
                      {"diners 30569309025904", "30569309025904"},
                      {"2221000000000009", "2221000000000009"},
                      {"6200000000000005", "6200000000000005"},
                      {"19 digits 4917610000000000003", "4917610000000000003"},
                  });
}

TEST(CardDetector, FalsePositives) {
  check(findCard, {
                      {"4111111111111112", ""},        // Luhn
                      {"1234567890123452", ""},        // Luhn-valid, no card issuer starts with 1
                      {"9999999999999995", ""},        // issuer
                      {"0000 0000 0000 0000", ""},     // all zeros pass Luhn
                      {"ts=1700000000000", ""},        // millisecond timestamp
                      {"4111111111111111111111", ""},  // 22 digits: an id, not a card
                      {"v4.4111111111111111", ""},     // part of a dotted number
                      {"x4111111111111111", ""},       // glued to a word
                      {"4111111111111111.5", ""},      // a decimal number
                      {"ISBN 978-3-16-148410-0", ""},
                      {"2026-11-29 12:00", ""},
                      {"4111 1111-1111 1111", ""},  // mixed separators
                      {"order 12345678", ""},
                  });
}

TEST(IbanDetector, TruePositives) {
  check(findIban, {
                      {"DE89370400440532013000", "DE89370400440532013000"},
                      {"iban: DE89 3704 0044 0532 0130 00.", "DE89 3704 0044 0532 0130 00"},
                      {"GB82WEST12345698765432", "GB82WEST12345698765432"},
                      {"FR1420041010050500013M02606", "FR1420041010050500013M02606"},
                      {"NL91ABNA0417164300", "NL91ABNA0417164300"},
                      {"ES9121000418450200051332", "ES9121000418450200051332"},
                      {"IT60X0542811101000000123456", "IT60X0542811101000000123456"},
                      {"CH9300762011623852957", "CH9300762011623852957"},
                      {"BE68539007547034", "BE68539007547034"},
                      {"(NO9386011117947)", "NO9386011117947"},
                      {"de89370400440532013000", "de89370400440532013000"},
                      {"PL61 1090 1014 0000 0712 1981 2874", "PL61 1090 1014 0000 0712 1981 2874"},
                  });
}

TEST(IbanDetector, FalsePositives) {
  check(findIban, {
                      {"DE89370400440532013001", ""},    // checksum
                      {"DE8937040044053201300", ""},     // one short
                      {"DE893704004405320130001", ""},   // one long
                      {"XX89370400440532013000", ""},    // no such country
                      {"US12345678901234567890", ""},    // no IBAN in the US
                      {"ABDE89370400440532013000", ""},  // glued to a word
                      {"AB12", ""},
                      {"SKU GB12ABCD12345612345678", ""},
                      {"DE89 3704 0044 0532 0130 0", ""},  // grouped, one short
                      {"ISO8601 2026-11-29", ""},
                      {"GB00WEST12345698765432", ""},
                  });
}

// Test JWTs are built here: base64url(header).base64url(payload).signature.
std::string b64url(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    acc = (acc << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out.push_back(kAlphabet[(acc >> bits) & 63]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (6 - bits)) & 63]);
  return out;
}

std::string jwt(std::string_view header, std::string_view payload, std::string_view sig) {
  return b64url(header) + "." + b64url(payload) + "." + std::string(sig);
}

TEST(JwtDetector, TruePositives) {
  const std::vector<std::string> tokens = {
      jwt(R"({"alg":"HS256","typ":"JWT"})", R"({"sub":"1234567890"})", "SflKxwRJSMeKKF2QT4fw"),
      jwt(R"({"alg":"RS256","kid":"k1"})", R"({"email":"a@b.c"})", "abc-def_ghi"),
      jwt(R"({"typ":"JWT","alg":"ES256"})", R"({"iat":1700000000})", "MEUCIQ"),
      jwt(R"({"alg":"none"})", R"({"sub":"x"})", ""),
      jwt(R"({ "alg" : "PS512" })", R"({})", "sig"),
      jwt("{\n  \"alg\": \"EdDSA\"\n}", R"({"n":1})", "s1g"),
      jwt(R"({"alg":"HS512","cty":"JWT"})", R"({"a":[1,2,3]})", "x_y-z"),
      b64url(R"({"alg":"RSA-OAEP","enc":"A256GCM"})") + ".a.b.c.d",
      jwt(R"({"alg":"HS384"})", "payload-not-json", "zz"),
      jwt(R"({"alg":"HS256","typ":"at+jwt","x":"yyyyyyyyyyyyyy"})", R"({"scope":"r"})", "q"),
  };
  for (const auto& t : tokens) {
    EXPECT_EQ(firstMatch(findJwt, t), t);
    EXPECT_EQ(firstMatch(findJwt, "Bearer " + t + " end"), t);
    EXPECT_EQ(firstMatch(findJwt, "/cb?id_token=" + t + "&x=1"), t);
  }
}

TEST(JwtDetector, FalsePositives) {
  check(findJwt, {
                     {"com.example.app", ""},
                     {"a.b.c", ""},
                     {"www.example.com", ""},
                     {"file.name.tar.gz", ""},
                     {"1.2.3", ""},
                     {"abcdefghijklmnopqrstuvwxyz.abc.def", ""},
                     {jwt(R"({"typ":"JWT"})", R"({"sub":"1"})", "sig"), ""},  // no alg
                     {jwt("hello world, not json at all", "{}", "sig"), ""},
                     {b64url(R"({"alg":"HS256"})") + ".payload", ""},  // two parts
                     {b64url(R"({"alg":"HS256"})") + ".a.b.c", ""},    // four parts
                     {"eyJhbGciOiJIUzI1NiJ9", ""},
                 });
}

TEST(IpDetector, TruePositives) {
  check(findIpAddress,
        {
            {"192.168.1.1", "192.168.1.1"},
            {"dns 8.8.8.8,", "8.8.8.8"},
            {"255.255.255.255", "255.255.255.255"},
            {"10.0.0.1:8080", "10.0.0.1"},
            {"from 203.0.113.7.", "203.0.113.7"},
            {"2001:db8::1", "2001:db8::1"},
            {"fe80::1", "fe80::1"},
            {"host ::1 up", "::1"},
            {"2001:0db8:0000:0000:0000:ff00:0042:8329", "2001:0db8:0000:0000:0000:ff00:0042:8329"},
            {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
            {"[2001:db8::2]:443", "2001:db8::2"},
        });
}

TEST(IpDetector, FalsePositives) {
  check(findIpAddress, {
                           {"1.2.3.4.5", ""},
                           {"256.1.1.1", ""},
                           {"v1.2.3.4", ""},
                           {"10:30:45", ""},
                           {"std::vector", ""},
                           {"00:1a:2b:3c:4d:5e", ""},
                           {"1.2.3", ""},
                           {"Chrome/131.0.6778.86", ""},
                           {"12:34", ""},
                           {"abc::def::1", ""},
                           {"1.2.3.4a", ""},
                           {"2026-11-29T10:30:45Z", ""},
                       });
}

TEST(Checksums, LuhnAndIban) {
  EXPECT_TRUE(luhnValid("79927398713"));
  EXPECT_FALSE(luhnValid("79927398710"));
  EXPECT_FALSE(luhnValid(""));
  EXPECT_FALSE(luhnValid("12a4"));
  EXPECT_TRUE(ibanValid("GB82WEST12345698765432"));
  EXPECT_FALSE(ibanValid("GB82WEST12345698765433"));
  EXPECT_FALSE(ibanValid("GB82"));
}

TEST(FindPii, MergesOverlapsAndSorts) {
  const std::string text = "x 4111111111111111 mail a@b.co ip 10.1.2.3 +49 30 12345678";
  std::array<Span, 8> spans;
  bool truncated = false;
  const size_t n = findPii(text, DetectorSet::all(), spans, truncated);
  ASSERT_EQ(n, 4u);
  EXPECT_FALSE(truncated);
  for (size_t i = 1; i < n; ++i) EXPECT_LT(spans[i - 1].end, spans[i].begin);
  EXPECT_EQ(text.substr(spans[1].begin, spans[1].end - spans[1].begin), "a@b.co");
}

TEST(FindPii, RespectsTheSetAndReportsTruncation) {
  std::array<Span, 2> spans;
  bool truncated = false;
  EXPECT_EQ(findPii("a@b.co", DetectorSet().add(Detector::Ip), spans, truncated), 0u);
  EXPECT_EQ(findPii("a@b.co c@d.co e@f.co", DetectorSet().add(Detector::Email), spans, truncated),
            2u);
  EXPECT_TRUE(truncated);
  Detector d;
  EXPECT_TRUE(detectorFromName("iban", d));
  EXPECT_EQ(d, Detector::Iban);
  EXPECT_FALSE(detectorFromName("ssn", d));
}

// The pre-filter must never hide a match: every sample each scanner finds keeps its detector.
TEST(PossibleDetectors, KeepsEveryDetectorThatMatches) {
  const std::pair<Detector, std::string_view> samples[] = {
      {Detector::Email, "a@b.co"},
      {Detector::Phone, "+49 30 12345678"},
      {Detector::Card, "4111 1111 1111 1111"},
      {Detector::Iban, "GB82 WEST 1234 5698 7654 32"},
      {Detector::Jwt, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig"},
      {Detector::Ip, "10.1.2.3"},
      {Detector::Ip, "::1"},
  };
  for (const auto& [detector, text] : samples) {
    std::array<Span, 4> spans;
    bool truncated = false;
    ASSERT_EQ(findPii(text, DetectorSet().add(detector), spans, truncated), 1u) << text;
    EXPECT_TRUE(possibleDetectors(text, DetectorSet::all()).has(detector)) << text;
  }
}

// Counts stay exact past the 1023-byte chunks the counter is emptied in.
TEST(PossibleDetectors, LongTextsCountExactly) {
  const std::string digits12 = std::string(3000, 'x') + "123456789012";
  EXPECT_FALSE(possibleDetectors(digits12, DetectorSet::all()).has(Detector::Card));
  EXPECT_TRUE(possibleDetectors(digits12 + "3", DetectorSet::all()).has(Detector::Card));
  // 1024 letters must not spill into the dot count.
  EXPECT_FALSE(
      possibleDetectors(std::string(1024 * 3, 'a'), DetectorSet::all()).has(Detector::Jwt));
  const std::string card = std::string(2000, '-') + " 4111111111111111";
  std::array<Span, 4> spans;
  bool truncated = false;
  EXPECT_EQ(findPii(card, DetectorSet::all(), spans, truncated), 1u);
}

TEST(PossibleDetectors, RulesOutOrdinaryUrls) {
  EXPECT_TRUE(possibleDetectors("/products/42?utm_source=news", DetectorSet::all()).empty());
  EXPECT_TRUE(possibleDetectors("https://search.example/?q=shoes", DetectorSet::all()).empty());
  EXPECT_FALSE(possibleDetectors("/u/a@b.co", DetectorSet::all()).empty());
  EXPECT_TRUE(possibleDetectors("/u/a@b.co", DetectorSet().add(Detector::Card)).empty());
}

// The class counts are taken 16 bytes at a time with a zero-padded tail: every filler byte
// value (non-ASCII included), every length around the block size and every position of the
// counted characters must give the answer of a byte-by-byte count.
TEST(PossibleDetectors, CountsEveryPositionAndFillerByte) {
  struct Probe {
    Detector detector;
    std::string_view needed;  // all of these make the detector possible...
    std::string_view fewer;   // ...one character less does not
  };
  const Probe probes[] = {
      {Detector::Card, "1234567890123", "123456789012"},
      {Detector::Email, "@.", "."},
      {Detector::Phone, "+12345678", "12345678"},
      {Detector::Ip, "::", ":"},
      {Detector::Email, "@.", "@"},  // the dot count (a JWT needs more than dots now)
  };
  for (int filler = 0; filler < 256; ++filler) {
    const char f = static_cast<char>(filler);
    if ((f >= '0' && f <= '9') || f == '.' || f == ':' || f == '@' || f == '+') continue;
    for (const Probe& probe : probes) {
      for (size_t length : {size_t{18}, size_t{31}, size_t{32}, size_t{33}, size_t{47}}) {
        for (size_t start = 0; start + probe.needed.size() <= length; start += 5) {
          std::string yes(length, f), no(length, f);
          // Spread the characters one every other byte where they fit so, from `start`.
          const size_t step = 2 * probe.needed.size() <= length ? 2 : 1;
          for (size_t i = 0; i < probe.needed.size(); ++i) {
            yes[(start + step * i) % length] = probe.needed[i];
          }
          for (size_t i = 0; i < probe.fewer.size(); ++i) {
            no[(start + step * i) % length] = probe.fewer[i];
          }
          const DetectorSet only = DetectorSet().add(probe.detector);
          ASSERT_FALSE(possibleDetectors(yes, only).empty())
              << "filler " << filler << " length " << length << " start " << start;
          ASSERT_TRUE(possibleDetectors(no, only).empty())
              << "filler " << filler << " length " << length << " start " << start;
        }
      }
    }
  }
}

// A byte lane of the counters holds 255: counts of 256 and more per lane must not wrap.
TEST(PossibleDetectors, CountsPastTheByteLanes) {
  for (size_t blocks : {255u, 256u, 257u, 511u, 600u}) {
    // Dots and one '@': the email test counts both.
    const std::string dots = std::string(16 * blocks - 1, '.') + "@";
    EXPECT_TRUE(possibleDetectors(dots, DetectorSet().add(Detector::Email)).has(Detector::Email));
    EXPECT_TRUE(possibleDetectors(std::string(16 * blocks, '7'), DetectorSet().add(Detector::Card))
                    .has(Detector::Card));
    EXPECT_TRUE(possibleDetectors(std::string(16 * blocks, ':'), DetectorSet().add(Detector::Ip))
                    .has(Detector::Ip));
    // A partial last block after full lanes.
    for (size_t extra = 1; extra < 16; ++extra) {
      EXPECT_TRUE(possibleDetectors(std::string(16 * blocks + extra, '9'),
                                    DetectorSet().add(Detector::Card))
                      .has(Detector::Card))
          << blocks << " blocks + " << extra;
    }
  }
  // 255 full blocks with a digit in their last byte each, then one digit alone: the tail's byte
  // lands in the same counter lane as the blocks' digits, whose 256th count must not wrap to 0.
  std::string lane(16 * 255 + 1, '-');
  for (size_t i = 15; i < lane.size(); i += 16) lane[i] = '9';
  lane.back() = '9';
  EXPECT_TRUE(possibleDetectors(lane, DetectorSet().add(Detector::Card)).has(Detector::Card));
}

// The IBAN head (two letters, two digits) is found from bit masks of 64 bytes at a time: it must
// agree with a byte-by-byte search wherever the four bytes fall, across block and word edges,
// and on random texts of letters, digits and separators.
bool ibanHeadByBytes(std::string_view t) {
  auto letter = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  for (size_t i = 0; i + 3 < t.size(); ++i) {
    if (letter(t[i]) && letter(t[i + 1]) && digit(t[i + 2]) && digit(t[i + 3])) return true;
  }
  return false;
}

TEST(PossibleDetectors, IbanHeadAtEveryPosition) {
  const DetectorSet iban = DetectorSet().add(Detector::Iban);
  for (size_t length :
       {15u, 16u, 17u, 31u, 32u, 33u, 63u, 64u, 65u, 66u, 67u, 127u, 128u, 129u, 200u}) {
    for (size_t at = 0; at + 4 <= length; ++at) {
      std::string yes(length, '-');
      yes.replace(at, 4, "GB82");
      ASSERT_TRUE(possibleDetectors(yes, iban).has(Detector::Iban)) << length << " at " << at;
      // The same characters without the shape: a separator inside, or the digits first.
      std::string split(length, '-'), swapped(length, '-');
      split.replace(at, 4, "G8B2");
      swapped.replace(at, 4, "82GB");
      ASSERT_FALSE(possibleDetectors(split, iban).has(Detector::Iban)) << length << " at " << at;
      ASSERT_FALSE(possibleDetectors(swapped, iban).has(Detector::Iban)) << length << " at " << at;
    }
  }
  std::mt19937 rng(7);
  const std::string_view alphabet = "aZ09/-.";
  for (int round = 0; round < 20000; ++round) {
    std::string text(15 + rng() % 180, '-');
    for (char& c : text) c = alphabet[rng() % alphabet.size()];
    const bool expected = ibanHeadByBytes(text);
    ASSERT_EQ(possibleDetectors(text, iban).has(Detector::Iban), expected) << text;
  }
}

// The JWT header shape (16 base64url characters, then a dot) comes from the same masks.
bool jwtHeaderByBytes(std::string_view t) {
  auto token = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  };
  size_t run = 0;
  for (char c : t) {
    if (c == '.' && run >= 16) return true;
    run = token(c) ? run + 1 : 0;
  }
  return false;
}

TEST(PossibleDetectors, JwtHeaderAtEveryPosition) {
  const DetectorSet jwt = DetectorSet().add(Detector::Jwt);
  const std::string header16 = "eyJhbGciOiJIUzI1";  // 16 characters
  for (size_t length : {18u, 31u, 32u, 33u, 63u, 64u, 65u, 66u, 80u, 127u, 128u, 129u, 200u}) {
    for (size_t at = 0; at + 18 <= length; ++at) {
      // A second dot at the end (after the header): two dots are needed anyway.
      std::string yes(length, '/'), shorter(length, '/');
      yes.replace(at, 17, header16 + ".");
      yes.back() = '.';
      shorter.replace(at, 17, "/" + header16.substr(1) + ".");
      shorter.back() = '.';
      ASSERT_TRUE(possibleDetectors(yes, jwt).has(Detector::Jwt)) << length << " at " << at;
      ASSERT_FALSE(possibleDetectors(shorter, jwt).has(Detector::Jwt)) << length << " at " << at;
    }
  }
  std::mt19937 rng(11);
  const std::string_view alphabet = "aZ9-_./";
  for (int round = 0; round < 20000; ++round) {
    std::string text(18 + rng() % 180, 'a');
    // Mostly tokens, so runs of 16 are common and end at every offset.
    for (char& c : text) c = rng() % 8 == 0 ? alphabet[rng() % alphabet.size()] : 'x';
    const bool expected = jwtHeaderByBytes(text) && std::count(text.begin(), text.end(), '.') >= 2;
    ASSERT_EQ(possibleDetectors(text, jwt).has(Detector::Jwt), expected) << text;
  }
}

}  // namespace
}  // namespace consentry::filters::scrub
