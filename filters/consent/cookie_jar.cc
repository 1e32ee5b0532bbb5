#include "filters/consent/cookie_jar.h"

#include <new>

#include "base/short_compare.h"

namespace consentry::filters::consent {

CookieJar::CookieJar(std::span<const HeaderField> headers) {
  for (const HeaderField& h : headers) {
    if (!equalsIgnoreCase(h.name, "cookie")) continue;
    CookieIterator it(h.value);
    while (auto pair = it.next()) {
      if (count_ < kInlinePairs) {
        new (&inline_.pairs[count_++]) CookiePair(*pair);
      } else {
        more_.push_back(*pair);
      }
    }
  }
}

std::optional<std::string_view> CookieJar::find(std::string_view name) const {
  for (size_t i = 0; i < count_; ++i) {
    if (sameBytes(inline_.pairs[i].name, name)) return inline_.pairs[i].value;
  }
  for (const CookiePair& pair : more_) {
    if (sameBytes(pair.name, name)) return pair.value;
  }
  return std::nullopt;
}

}  // namespace consentry::filters::consent
