#pragma once
// The request targets and referrers of the varied event-path input, shared with the scrubber's
// own benchmark so both measure the same URLs: clean ones, PII in a path segment, escaped PII
// in a query, and referrers of each kind ("" = no Referer header).

#include <string>
#include <vector>

namespace consentry::bench {

inline const std::vector<std::string>& variedTargets() {
  static const std::vector<std::string> kTargets = {
      "/",
      "/products/42?utm_source=news",
      "/category/shoes/running?page=2&sort=price",
      "/blog/2024/05/how-to-choose-running-shoes",
      "/u/jane.doe@example.com/profile",
      "/search?q=call+%2B49+30+1234567&email=a%40b.com",
      "/orders/2024-01-15/12345",
      "/checkout/step-2",
  };
  return kTargets;
}

inline const std::vector<std::string>& variedReferrers() {
  static const std::vector<std::string> kReferrers = {
      "", "https://search.example/?q=shoes", "https://www.example.com/category/shoes",
      "https://shop.example/cart?phone=%2B4930123456", "android-app://com.google.android.gm/"};
  return kReferrers;
}

}  // namespace consentry::bench
