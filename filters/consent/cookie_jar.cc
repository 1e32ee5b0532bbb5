#include "filters/consent/cookie_jar.h"

#include <new>

namespace consentry::filters::consent {

CookieJar::CookieJar(std::span<const HeaderField> headers) {
  for (const HeaderField& h : headers) {
    if (!equalsLowerLiteral(h.name, "cookie")) continue;
    CookieIterator it(h.value);
    while (auto pair = it.next()) {
      if (count_ < kInlinePairs) {
        new (&inline_.pairs[count_]) CookiePair(*pair);
      } else {
        more_.push_back(*pair);
      }
      ++count_;
    }
  }
}

std::optional<std::string_view> CookieJar::findMore(std::string_view name) const {
  for (const CookiePair& pair : more_) {
    if (sameBytes(pair.name, name)) return pair.value;
  }
  return std::nullopt;
}

}  // namespace consentry::filters::consent
