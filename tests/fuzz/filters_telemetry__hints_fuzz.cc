// Untrusted header values through the telemetry parsers: client hints, Accept-Language, bot
// tokens and the regex prefilter analysis must never crash, and normalised output must be stable.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "filters/telemetry/bots.h"
#include "filters/telemetry/client_hints.h"
#include "filters/telemetry/language.h"
#include "filters/telemetry/regex_prefilter.h"

using namespace consentry::filters::telemetry;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto list = parseBrandList(in)) {
    for (const auto& b : *list) (void)isGreaseBrand(b.name);
  }
  (void)parseSfString(in);
  (void)parseSfBoolean(in);
  if (auto p = parseSfString(in)) (void)platformVersion(*p, in);
  if (auto lang = preferredLanguage(in)) {
    // A chosen tag is already normalised: normalising again must not change it.
    auto again = normalizeLanguageTag(*lang);
    if (!again || *again != *lang) std::abort();
  }
  (void)isBotUserAgent(in, "Other");
  (void)requiredLiterals(in);
  return 0;
}
