#include "filters/policy/field_rules.h"

#include <cmath>

namespace consentry::filters::policy {
namespace {

bool isLetter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

int bucket(int px) {
  if (px <= 0) return 0;
  return px - px % kScreenBucketPx;
}

}  // namespace

bool reduceToMajorVersion(std::string& version) {
  const size_t end = version.find_first_of("._ -");
  if (end != std::string::npos) version.resize(end);
  return !version.empty();
}

bool reduceToPrimaryLanguage(std::string& tag) {
  const size_t end = tag.find_first_of("-_");
  if (end != std::string::npos) tag.resize(end);
  if (tag.size() < 2 || tag.size() > 8) return false;
  for (char& c : tag) {
    if (!isLetter(c)) return false;
    c = lower(c);
  }
  return true;
}

bool reduceToOrigin(std::string& url) {
  const size_t sep = url.find("://");
  if (sep == std::string::npos || sep == 0) return false;
  for (size_t i = 0; i < sep; ++i) {
    const char c = url[i];
    const bool ok =
        isLetter(c) || (i > 0 && ((c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.'));
    if (!ok) return false;
  }
  size_t hostStart = sep + 3;
  size_t hostEnd = url.find_first_of("/?#", hostStart);
  if (hostEnd == std::string::npos) hostEnd = url.size();
  // Credentials in the authority never survive an origin reduction.
  const size_t at = url.rfind('@', hostEnd - 1);
  if (at != std::string::npos && at >= hostStart) hostStart = at + 1;
  if (hostStart >= hostEnd) return false;
  std::string origin;
  origin.reserve(sep + 3 + (hostEnd - hostStart));
  for (size_t i = 0; i < sep; ++i) origin.push_back(lower(url[i]));
  origin.append("://");
  for (size_t i = hostStart; i < hostEnd; ++i) origin.push_back(lower(url[i]));
  url = std::move(origin);
  return true;
}

void bucketScreen(events::Screen& screen) {
  screen.width = bucket(screen.width);
  screen.height = bucket(screen.height);
  const double dpr = std::isfinite(screen.dpr) ? std::round(screen.dpr) : 1.0;
  screen.dpr = dpr < 1.0 ? 1.0 : (dpr > 8.0 ? 8.0 : dpr);
}

void bucketViewport(events::Viewport& viewport) {
  viewport.width = bucket(viewport.width);
  viewport.height = bucket(viewport.height);
}

}  // namespace consentry::filters::policy
