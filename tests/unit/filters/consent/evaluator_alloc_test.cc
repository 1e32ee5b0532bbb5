// The evaluator must not allocate when no consent cookie is present (the common request).
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "filters/consent/evaluator.h"

// Replacing the global operator new is the point of this test; GCC 12 at -O3 then sees the
// inlined malloc/free pair and warns about a mismatch that is not there.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

// Sanitizers own operator new/delete (and check that they pair up): counting allocations is only
// meaningful, and only done, in plain builds.
#if defined(__SANITIZE_ADDRESS__)
#define CSY_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CSY_SANITIZED 1
#endif
#endif

namespace {
std::atomic<long> gAllocations{0};
}  // namespace

#ifndef CSY_SANITIZED
void* operator new(std::size_t n) {
  gAllocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
#endif

namespace consentry::filters::consent {
namespace {

TEST(ConsentEvaluatorAlloc, NoConsentCookieDoesNotAllocate) {
#ifdef CSY_SANITIZED
  GTEST_SKIP() << "allocation counting needs the plain operator new";
#endif
  config::Consent c;
  config::ConsentSource kv;
  kv.cookie = "site_consent";
  config::ConsentSource tcf;
  tcf.type = config::ConsentSourceType::Tcf;
  tcf.cookie = "euconsent-v2";
  c.sources = {kv, tcf};
  c.require = {{"age_verified", "1"}};
  ConsentEvaluator evaluator(c);
  std::vector<HeaderField> headers = {
      {"Host", "example.com"}, {"Cookie", "_ga=GA1.2.3; theme=dark"}, {"Sec-GPC", "1"}};
  auto now = std::chrono::system_clock::now();
  long before = gAllocations.load();
  ConsentResult r = evaluator.evaluate(headers, now);
  long after = gAllocations.load();
  EXPECT_EQ(after, before);
  EXPECT_EQ(r.reason, Reason::NoDecision);
  // The counter is live. (Not shown through the evaluator: whether a consent cookie allocates
  // depends on what the per-thread scratch of earlier tests in this binary left.)
  before = gAllocations.load();
  auto heap = std::make_unique<std::string>(100, 'x');
  EXPECT_GT(gAllocations.load(), before);
}

}  // namespace
}  // namespace consentry::filters::consent
