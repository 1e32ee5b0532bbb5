#pragma once
// Per-sink disk spool (SPEC §6): events a network sink could not deliver yet, kept in order on
// disk and replayed once the destination is back (and after a restart).
//
// Layout: <dir>/<8 digit seq>.seg, append-only, rolled at `segmentBytes`. A record is
//   [magic u32 "CSY1"][length u32][crc32 (zlib) of the body u32][body]
// with body = id, key, region, payload, each as [u32 length][bytes] (all little-endian).
// <dir>/checkpoint holds the acknowledged read position (segment, offset); it is replaced
// atomically (write tmp, fsync, rename). A segment is deleted once it is fully acknowledged.
// After a restart, appends always start a new segment, so a torn tail is never appended to.
//
// Bounds: the bytes of all live segment files never exceed `maxBytes`; a batch that does not fit
// is dropped (counted), append never blocks on the reader.
// Durability: with `syncEveryAppend` each append() ends with fdatasync (a crash loses nothing
// appended); otherwise sync() must be called on an interval (a crash loses at most that interval).
// Corruption (bad magic, length or crc, truncated record) is counted and reading skips to the next
// segment: a corrupt record is never returned.
//
// Thread-safe: append() may run on the pipeline's dispatcher thread (Sink::overflow) while the
// sink thread reads and commits.

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "events/event_metrics.h"
#include "events/sinks/sink.h"

namespace consentry::events {

class Spool {
 public:
  struct Options {
    std::string dir;
    uint64_t maxBytes = uint64_t{1} << 30;
    uint64_t segmentBytes = 16 << 20;  // clamped to maxBytes / 4 (at least 4 KiB)
    bool syncEveryAppend = true;
    SinkCounters* counters = nullptr;  // spooled / dropped / spoolBytes, when set
  };

  struct Stats {
    uint64_t appended = 0;  // records
    uint64_t droppedFull = 0;
    uint64_t corrupt = 0;  // corrupt records or torn tails skipped
  };

  // Creates `dir` if needed, loads the checkpoint and removes acknowledged segments.
  static Result<std::unique_ptr<Spool>> open(Options options);
  ~Spool();
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;

  // Appends the whole batch, or drops it whole when it does not fit (returns false).
  bool append(std::span<const EncodedEvent> batch);

  // Reads up to `maxEvents` / about `maxBytes` of payload from the acknowledged position without
  // consuming them; a second peek() returns the same events until commit().
  std::vector<EncodedEvent> peek(size_t maxEvents, size_t maxBytes);
  // Acknowledges everything returned by the last peek(): persists the checkpoint and deletes
  // segments that are now fully read.
  void commit();

  bool empty() const;
  uint64_t bytes() const;  // bytes in live segment files
  Stats stats() const;
  void sync();  // fdatasync of the segment being appended to

 private:
  explicit Spool(Options options);
  Result<void> load();
  bool openWriteSegment(uint64_t seq);
  void closeWriteSegment();
  void deleteSegment(uint64_t seq);
  void persistCheckpoint();
  std::string segmentPath(uint64_t seq) const;
  void updateGauge();

  Options options_;
  mutable std::mutex mutex_;
  std::vector<uint64_t> segments_;  // live segment sequence numbers, ascending
  std::vector<uint64_t> sizes_;     // bytes of each live segment, same order
  int writeFd_ = -1;
  uint64_t writeSeq_ = 0;
  uint64_t totalBytes_ = 0;
  // Acknowledged read position and the position after the last peek().
  uint64_t ackSeq_ = 0;
  uint64_t ackOffset_ = 0;
  uint64_t peekSeq_ = 0;
  uint64_t peekOffset_ = 0;
  bool peeked_ = false;
  Stats stats_;
};

// Record codec, exposed for tests and the fuzz target.
void encodeSpoolRecord(const EncodedEvent& event, std::string& out);
enum class SpoolDecode { Ok, NeedMore, Corrupt };
// Decodes one record at the start of `data`; on Ok sets `consumed` and `event`.
SpoolDecode decodeSpoolRecord(std::string_view data, size_t& consumed, EncodedEvent& event);

}  // namespace consentry::events
