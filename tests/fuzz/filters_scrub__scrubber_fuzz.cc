// Scrubber on arbitrary input: no crash, no sanitizer report, idempotent (scrubbing a scrubbed
// string changes nothing), and the same as the reference walk (Scrubber::scrubUrlByScans).
// Configured parameters are checked by the unit tests (scrubber_test.cc), not here.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "filters/scrub/scrubber.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const consentry::filters::scrub::Scrubber scrubber{consentry::config::Privacy{}};
  const std::string input(reinterpret_cast<const char*>(data), size);

  std::string url = input;
  scrubber.scrubUrl(url);
  // The bit-mask walk and the scan per question must write the same bytes.
  std::string byScans = input;
  scrubber.scrubUrlByScans(byScans);
  if (byScans != url) std::abort();
  std::string again = url;
  if (scrubber.scrubUrl(again) && again != url) std::abort();

  std::string text = input;
  scrubber.scrubText(text);
  std::string textAgain = text;
  if (scrubber.scrubText(textAgain) && textAgain != text) std::abort();
  return 0;
}
