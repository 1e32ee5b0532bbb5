#pragma once
// User-Agent Client Hints (Sec-CH-UA*): a strict parser for the RFC 8941 subset they use, and the
// mapping of brands and platforms to uap-core-like names. Anything malformed is ignored as a
// whole (never half-read), so a bad header degrades to the User-Agent, not to a wrong answer.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/http_header.h"

namespace consentry::filters::telemetry {

struct Brand {
  std::string name;
  std::string version;  // the `v` parameter; empty if absent
};

// An sf-list of sf-strings, each with parameters (`;v="124"`); nullopt when malformed.
std::optional<std::vector<Brand>> parseBrandList(std::string_view value);
// A single sf-string item (parameters allowed and ignored); nullopt when malformed.
std::optional<std::string> parseSfString(std::string_view value);
// A single sf-boolean item (`?0` / `?1`); nullopt when malformed.
std::optional<bool> parseSfBoolean(std::string_view value);

// Chrome's GREASE brands ("Not A(Brand", "Not/A)Brand", ";Not A Brand", ...).
bool isGreaseBrand(std::string_view brand);

// The hints of one request, each present only if its header was present and well-formed.
struct ClientHints {
  std::optional<std::vector<Brand>> brands;        // Sec-CH-UA
  std::optional<std::vector<Brand>> fullVersions;  // Sec-CH-UA-Full-Version-List
  std::optional<std::string> platform;             // Sec-CH-UA-Platform
  std::optional<std::string> platformVersion;      // Sec-CH-UA-Platform-Version
  std::optional<bool> mobile;                      // Sec-CH-UA-Mobile
  std::optional<std::string> model;                // Sec-CH-UA-Model

  bool any() const {
    return brands || fullVersions || platform || platformVersion || mobile || model;
  }
};

// The six header names, in the order readClientHints() looks at them.
inline constexpr std::string_view kClientHintHeaders[] = {
    "Sec-CH-UA",          "Sec-CH-UA-Full-Version-List",
    "Sec-CH-UA-Platform", "Sec-CH-UA-Platform-Version",
    "Sec-CH-UA-Mobile",   "Sec-CH-UA-Model"};

// Hint values longer than this are treated as malformed (real ones are < 200 bytes).
inline constexpr size_t kMaxHintBytes = 512;

ClientHints readClientHints(std::span<const HeaderField> headers);

struct HintedBrowser {
  std::string name;                    // uap-core-like family ("Chrome", "Edge", ...)
  std::optional<std::string> version;  // full version if the full list gave it, else major
};

// Picks the most specific brand: Google Chrome > Microsoft Edge > Opera > other non-GREASE
// brands > Chromium; ties keep the first. Prefers the full version list when present.
std::optional<HintedBrowser> pickBrowser(const ClientHints& hints);

// "macOS" -> "Mac OS X", "Chrome OS" -> "Chrome OS", ...; nullopt for "" and "Unknown".
std::optional<std::string> platformName(std::string_view platform);

// The OS version a platform version stands for: on Windows 13+ is "11" and 1..10 is "10"
// (Microsoft's documented mapping), 0 is pre-Windows 10 and thus unknown; elsewhere the version
// as given if it is dotted digits.
std::optional<std::string> platformVersion(std::string_view platform, std::string_view version);

}  // namespace consentry::filters::telemetry
