#pragma once
// Random URL-like texts for the differential tests of the scrubber's URL masks: delimiters,
// escapes (valid, invalid, double), '+', non-ASCII bytes and PII of every detector, in random
// order, so components of every kind, length and position around the 16- and 64-byte edges
// occur.

#include <array>
#include <random>
#include <string>
#include <string_view>

namespace consentry::filters::scrub::testing {

inline std::string randomUrl(std::mt19937& rng, size_t maxSize) {
  static constexpr std::array<std::string_view, 48> kPieces = {
      "/",
      "/",
      "/",
      "?",
      "#",
      "&",
      ";",
      "=",
      "=",
      "%",
      "%4",
      "%40",
      "%2B",
      "%25",
      "%2540",
      "%zz",
      "%2F",
      "+",
      ".",
      ":",
      "@",
      "-",
      "_",
      "a",
      "Z",
      "7",
      "42",
      "2024-01-15",
      "shoes",
      "jane.doe@example.com",
      "+49 30 1234567",
      "+4930123456",
      "4111111111111111",
      "4111-1111-1111-1111",
      "DE89370400440532013000",
      "GB82",
      "eyJhbGciOiJIUzI1NiJ9",
      "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig",
      "192.168.1.20",
      "::1",
      "2001:db8::1",
      "email",
      "e%6Dail",
      "user[email]",
      "https://",
      "www.example.com",
      "\xc3\xa9",
      "[redacted]"};
  const size_t size = rng() % (maxSize + 1);
  std::string url;
  while (url.size() < size) url += kPieces[rng() % kPieces.size()];
  return url;
}

}  // namespace consentry::filters::scrub::testing
