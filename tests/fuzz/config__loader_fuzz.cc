// Arbitrary bytes as a config file: the loader must answer with a config or errors, never crash,
// and whatever loads must dump to YAML that loads again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "config/config_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace consentry::config;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  LoadResult r = loadConfigString(text, "fuzz.yaml");
  if (r.config) {
    LoadResult again = loadConfigString(dumpConfig(*r.config), "dump.yaml");
    if (!again.config) std::abort();
  } else if (r.errors.empty()) {
    std::abort();
  }
  return 0;
}
