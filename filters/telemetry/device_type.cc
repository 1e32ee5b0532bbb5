#include "filters/telemetry/device_type.h"

#include <array>
#include <span>
#include <string>

namespace consentry::filters::telemetry {

namespace {

bool containsAny(std::string_view haystack, std::span<const std::string_view> needles) {
  for (auto n : needles) {
    if (haystack.find(n) != std::string_view::npos) return true;
  }
  return false;
}

constexpr std::array<std::string_view, 3> kConsole = {"playstation", "xbox", "nintendo"};
constexpr std::array<std::string_view, 14> kTv = {
    "smart-tv", "smarttv", "smart tv", "hbbtv", "googletv", "google tv", "appletv",
    "crkey",    "roku",    "bravia",   "web0s", "webos.tv", "netcast",   "android tv"};
constexpr std::array<std::string_view, 6> kPhoneOs = {
    "iOS", "Windows Phone", "BlackBerry OS", "Symbian OS", "KaiOS", "Firefox OS"};
constexpr std::array<std::string_view, 14> kDesktopOs = {
    "Mac OS X", "Mac OS",  "Linux",  "Ubuntu",  "Debian", "Fedora",     "Chrome OS",
    "FreeBSD",  "OpenBSD", "NetBSD", "Solaris", "Mint",   "Arch Linux", "CentOS"};

bool isFireTv(std::string_view lower) {
  // Fire TV models are "AFTB", "AFTMM", "AFTSSS"...; Fire tablets are "KF..." instead.
  for (size_t at = lower.find("; aft"); at != std::string_view::npos;
       at = lower.find("; aft", at + 1)) {
    if (at + 5 < lower.size() && lower[at + 5] >= 'a' && lower[at + 5] <= 'z') return true;
  }
  return false;
}

bool isDesktopOs(std::string_view os) {
  if (os.starts_with("Windows")) {
    return os.find("Phone") == std::string_view::npos &&
           os.find("Mobile") == std::string_view::npos && os != "Windows CE";
  }
  for (auto d : kDesktopOs) {
    if (os == d) return true;
  }
  return false;
}

}  // namespace

std::string_view deviceTypeName(DeviceType type) {
  switch (type) {
    case DeviceType::Desktop:
      return "desktop";
    case DeviceType::Mobile:
      return "mobile";
    case DeviceType::Tablet:
      return "tablet";
    case DeviceType::Bot:
      return "bot";
    case DeviceType::Tv:
      return "tv";
    case DeviceType::Console:
      return "console";
    case DeviceType::Other:
      return "other";
  }
  return "other";
}

DeviceType deriveDeviceType(const RawParse& raw, std::string_view ua, bool bot,
                            std::optional<bool> hintMobile, std::string_view hintPlatform) {
  if (bot) return DeviceType::Bot;
  std::string lower(ua);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  }
  const std::string& family = raw.device.family;
  const std::string& os = raw.os.family;
  if (containsAny(lower, kConsole)) return DeviceType::Console;
  if (containsAny(lower, kTv) || isFireTv(lower) || os == "tvOS" ||
      family.find("TV") != std::string::npos) {
    return DeviceType::Tv;
  }
  if (hintMobile) {
    if (*hintMobile) return DeviceType::Mobile;
    return hintPlatform == "Android" ? DeviceType::Tablet : DeviceType::Desktop;
  }
  bool mobi = lower.find("mobi") != std::string::npos;
  if (family == "iPad" || family.starts_with("Kindle") ||
      (lower.find("tablet") != std::string::npos && lower.find("tablet pc") == std::string::npos) ||
      (os == "Android" && !mobi)) {
    return DeviceType::Tablet;
  }
  if (mobi || family == "iPhone" || family == "iPod" || family.starts_with("Generic Smartphone") ||
      family == "Generic Feature Phone" || os == "Android" || containsAny(os, kPhoneOs)) {
    return DeviceType::Mobile;
  }
  if (isDesktopOs(os) && (family == "Other" || family == "Mac")) return DeviceType::Desktop;
  return DeviceType::Other;
}

}  // namespace consentry::filters::telemetry
