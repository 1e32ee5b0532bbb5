// A spool segment is read back after crashes and disk damage: whatever bytes a segment file holds,
// opening and draining the spool must terminate, never crash, and only ever return records whose
// checksum verified (re-encoding a returned event must decode to the same fields).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "events/sinks/spool.h"

namespace {

namespace fs = std::filesystem;
using consentry::events::EncodedEvent;

// In memory when /dev/shm exists: every input rewrites the segment and commit() fsyncs and renames
// a checkpoint, which on a disk held the target to ~50 runs/s (1,300/s on tmpfs). Removed at exit.
struct WorkDir {
  WorkDir() {
    std::error_code ec;
    fs::path base =
        fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
    std::string tmpl = (base / "csy-spool-fuzz-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) std::abort();
    path = tmpl;
  }
  ~WorkDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string path;
};

const std::string& workDir() {
  static const WorkDir dir;
  return dir.path;
}

void check(const EncodedEvent& e) {
  std::string again;
  consentry::events::encodeSpoolRecord(e, again);
  size_t consumed = 0;
  EncodedEvent back;
  if (consentry::events::decodeSpoolRecord(again, consumed, back) !=
          consentry::events::SpoolDecode::Ok ||
      back.id != e.id || back.key != e.key || back.region != e.region ||
      back.payload != e.payload || consumed != again.size()) {
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  // The codec alone, on the raw bytes.
  {
    size_t consumed = 0;
    EncodedEvent e;
    if (consentry::events::decodeSpoolRecord(bytes, consumed, e) ==
        consentry::events::SpoolDecode::Ok) {
      if (consumed > size) std::abort();
      check(e);
    }
  }
  // The whole reader, with the bytes as the only segment on disk.
  const std::string& dir = workDir();
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) fs::remove(entry.path(), ec);
  {
    std::ofstream out(dir + "/00000001.seg", std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  consentry::events::Spool::Options options;
  options.dir = dir;
  options.syncEveryAppend = false;
  auto spool = consentry::events::Spool::open(options);
  if (!spool) std::abort();
  size_t rounds = 0;
  while (!(*spool)->empty()) {
    auto events = (*spool)->peek(16, 1 << 20);
    for (const auto& e : events) check(e);
    (*spool)->commit();
    // Each round consumes at least one record (>= 28 bytes) or skips a segment.
    if (++rounds > size + 4) std::abort();
  }
  return 0;
}
