// TC string decoder: never crashes; a decoded value encodes and decodes back to itself.
#include <cstdlib>
#include <string_view>

#include "filters/consent/tcf_json.h"
#include "filters/consent/tcf_source.h"
#include "filters/consent/tcf_string.h"

using namespace consentry::filters::consent;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1748736000));
  std::string json = tcfDecodeJson(text, now);
  if (json.empty() || json.front() != '{' || json.back() != '}') std::abort();
  auto tc = tcf::decodeTcString(text);
  if (!tc) return 0;
  auto again = tcf::encodeTcString(*tc);
  if (!again) std::abort();  // every decodable value must be encodable
  auto back = tcf::decodeTcString(*again);
  if (!back || !(*back == *tc)) std::abort();
  consentry::config::ConsentSource source;
  source.vendorId = 755;
  source.acceptLi = data[0] & 1;
  Categories c = tcf::categoriesFor(*tc, source);
  // Nothing is granted without at least purpose 1's consent bit (LI never counts for it).
  if ((c.analytics || c.marketing || c.functional) && !tcf::hasId(tc->purposesConsent, 1)) {
    std::abort();
  }
  return 0;
}
