#include "events/sinks/spool.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "events/sinks/fd_io.h"

namespace consentry::events {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kMagic = 0x31595343;            // "CSY1" little-endian
constexpr uint32_t kCheckpointMagic = 0x4b595343;  // "CSYK"
constexpr size_t kHeader = 12;
// A record never exceeds this: a larger length field is corruption, not a huge allocation.
constexpr uint32_t kMaxRecord = 64u << 20;

void putU32(std::string& out, uint32_t v) {
  char b[4] = {static_cast<char>(v), static_cast<char>(v >> 8), static_cast<char>(v >> 16),
               static_cast<char>(v >> 24)};
  out.append(b, 4);
}

void putU64(std::string& out, uint64_t v) {
  putU32(out, static_cast<uint32_t>(v));
  putU32(out, static_cast<uint32_t>(v >> 32));
}

uint32_t getU32(const char* p) {
  auto u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t{u[0]} | uint32_t{u[1]} << 8 | uint32_t{u[2]} << 16 | uint32_t{u[3]} << 24;
}

uint64_t getU64(const char* p) {
  return uint64_t{getU32(p)} | uint64_t{getU32(p + 4)} << 32;
}

uint32_t crcOf(std::string_view data) {
  return static_cast<uint32_t>(
      ::crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

bool takeField(std::string_view& body, std::string& out) {
  if (body.size() < 4) return false;
  uint32_t len = getU32(body.data());
  if (len > body.size() - 4) return false;
  out.assign(body.data() + 4, len);
  body.remove_prefix(4 + len);
  return true;
}

// Reads exactly `n` bytes at `offset`; false on a short read or error.
bool preadAll(int fd, char* buf, size_t n, uint64_t offset) {
  while (n > 0) {
    ssize_t r = ::pread(fd, buf, n, static_cast<off_t>(offset));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    buf += r;
    n -= static_cast<size_t>(r);
    offset += static_cast<uint64_t>(r);
  }
  return true;
}

}  // namespace

void encodeSpoolRecord(const EncodedEvent& event, std::string& out) {
  size_t start = out.size();
  out.append(kHeader, '\0');
  for (const std::string* field : {&event.id, &event.key, &event.region, &event.payload}) {
    putU32(out, static_cast<uint32_t>(field->size()));
    out.append(*field);
  }
  std::string_view body(out.data() + start + kHeader, out.size() - start - kHeader);
  std::string header;
  putU32(header, kMagic);
  putU32(header, static_cast<uint32_t>(body.size()));
  putU32(header, crcOf(body));
  std::memcpy(out.data() + start, header.data(), kHeader);
}

SpoolDecode decodeSpoolRecord(std::string_view data, size_t& consumed, EncodedEvent& event) {
  if (data.size() < kHeader) return SpoolDecode::NeedMore;
  if (getU32(data.data()) != kMagic) return SpoolDecode::Corrupt;
  uint32_t len = getU32(data.data() + 4);
  if (len < 16 || len > kMaxRecord) return SpoolDecode::Corrupt;
  if (data.size() - kHeader < len) return SpoolDecode::NeedMore;
  std::string_view body = data.substr(kHeader, len);
  if (crcOf(body) != getU32(data.data() + 8)) return SpoolDecode::Corrupt;
  if (!takeField(body, event.id) || !takeField(body, event.key) || !takeField(body, event.region) ||
      !takeField(body, event.payload) || !body.empty()) {
    return SpoolDecode::Corrupt;
  }
  consumed = kHeader + len;
  return SpoolDecode::Ok;
}

Spool::Spool(Options options) : options_(std::move(options)) {
  uint64_t cap = std::max<uint64_t>(options_.maxBytes / 4, 4096);
  options_.segmentBytes = std::clamp<uint64_t>(options_.segmentBytes, 4096, cap);
}

Spool::~Spool() {
  std::lock_guard lock(mutex_);
  if (writeFd_ >= 0 && options_.syncEveryAppend) ::fdatasync(writeFd_);
  closeWriteSegment();
}

Result<std::unique_ptr<Spool>> Spool::open(Options options) {
  std::unique_ptr<Spool> spool(new Spool(std::move(options)));
  auto loaded = spool->load();
  if (!loaded) return loaded.error();
  return spool;
}

std::string Spool::segmentPath(uint64_t seq) const {
  char name[32];
  std::snprintf(name, sizeof name, "%08llu.seg", static_cast<unsigned long long>(seq));
  return options_.dir + "/" + name;
}

Result<void> Spool::load() {
  std::error_code ec;
  fs::create_directories(options_.dir, ec);
  if (ec) return makeError("spool " + options_.dir + ": " + ec.message());
  std::vector<std::pair<uint64_t, uint64_t>> found;
  for (const auto& entry : fs::directory_iterator(options_.dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.size() < 5 || !name.ends_with(".seg")) continue;
    std::string digits = name.substr(0, name.size() - 4);
    if (digits.empty() || digits.size() > 18 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      continue;
    }
    uint64_t size = entry.file_size(ec);
    if (ec) size = 0;
    found.push_back({std::stoull(digits), size});
  }
  if (ec) return makeError("spool " + options_.dir + ": " + ec.message());
  std::sort(found.begin(), found.end());

  // A missing or damaged checkpoint replays from the oldest segment: duplicates, never loss.
  uint64_t ckSeq = 0, ckOffset = 0;
  int fd = ::open((options_.dir + "/checkpoint").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    char buf[24];
    if (preadAll(fd, buf, sizeof buf, 0) && getU32(buf) == kCheckpointMagic &&
        crcOf(std::string_view(buf, 20)) == getU32(buf + 20)) {
      ckSeq = getU64(buf + 4);
      ckOffset = getU64(buf + 12);
    } else {
      stats_.corrupt++;
    }
    ::close(fd);
  }
  for (auto [seq, size] : found) {
    // Acknowledged segments, and the empty write segment every start leaves behind, are garbage.
    if (seq < ckSeq || size == 0) {
      std::remove(segmentPath(seq).c_str());
      continue;
    }
    segments_.push_back(seq);
    sizes_.push_back(size);
    totalBytes_ += size;
  }
  uint64_t next = segments_.empty() ? 1 : segments_.back() + 1;
  if (!segments_.empty() && segments_.front() == ckSeq) {
    ackSeq_ = ckSeq;
    ackOffset_ = std::min(ckOffset, sizes_.front());
  } else {
    ackSeq_ = segments_.empty() ? next : segments_.front();
    ackOffset_ = 0;
  }
  if (!openWriteSegment(next)) {
    return makeError("spool " + options_.dir + ": cannot create " + segmentPath(next) + ": " +
                     std::strerror(errno));
  }
  peekSeq_ = ackSeq_;
  peekOffset_ = ackOffset_;
  updateGauge();
  return {};
}

bool Spool::openWriteSegment(uint64_t seq) {
  int fd = ::open(segmentPath(seq).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return false;
  writeFd_ = fd;
  writeSeq_ = seq;
  segments_.push_back(seq);
  sizes_.push_back(0);
  return true;
}

void Spool::closeWriteSegment() {
  if (writeFd_ >= 0) ::close(writeFd_);
  writeFd_ = -1;
}

void Spool::deleteSegment(uint64_t seq) {
  auto it = std::find(segments_.begin(), segments_.end(), seq);
  if (it == segments_.end()) return;
  size_t i = static_cast<size_t>(it - segments_.begin());
  totalBytes_ -= sizes_[i];
  segments_.erase(it);
  sizes_.erase(sizes_.begin() + static_cast<std::ptrdiff_t>(i));
  std::remove(segmentPath(seq).c_str());
}

void Spool::persistCheckpoint() {
  std::string buf;
  putU32(buf, kCheckpointMagic);
  putU64(buf, ackSeq_);
  putU64(buf, ackOffset_);
  putU32(buf, crcOf(buf));
  std::string tmp = options_.dir + "/checkpoint.tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) return;
  bool ok = writeAll(fd, buf) == 0 && ::fdatasync(fd) == 0;
  ::close(fd);
  if (ok) std::rename(tmp.c_str(), (options_.dir + "/checkpoint").c_str());
}

void Spool::updateGauge() {
  if (options_.counters) {
    options_.counters->spoolBytes.store(static_cast<int64_t>(totalBytes_),
                                        std::memory_order_relaxed);
  }
}

bool Spool::append(std::span<const EncodedEvent> batch) {
  if (batch.empty()) return true;
  std::string buf;
  for (const auto& event : batch) encodeSpoolRecord(event, buf);
  std::lock_guard lock(mutex_);
  bool ok = totalBytes_ + buf.size() <= options_.maxBytes;
  if (ok && writeFd_ >= 0 && sizes_.back() > 0 &&
      sizes_.back() + buf.size() > options_.segmentBytes) {
    if (options_.syncEveryAppend) ::fdatasync(writeFd_);
    closeWriteSegment();
    ok = openWriteSegment(writeSeq_ + 1);
  }
  if (ok && writeFd_ < 0) ok = openWriteSegment(writeSeq_ + 1);
  if (ok && writeAll(writeFd_, buf) != 0) {
    // A partial write leaves a torn record: start a fresh segment so later appends stay readable.
    closeWriteSegment();
    struct stat st {};
    if (::stat(segmentPath(writeSeq_).c_str(), &st) == 0) {
      totalBytes_ += static_cast<uint64_t>(st.st_size) - sizes_.back();
      sizes_.back() = static_cast<uint64_t>(st.st_size);
    }
    ok = false;
  } else if (ok) {
    sizes_.back() += buf.size();
    totalBytes_ += buf.size();
    if (options_.syncEveryAppend) ::fdatasync(writeFd_);
  }
  if (ok) {
    stats_.appended += batch.size();
    if (options_.counters) options_.counters->spooled.fetch_add(batch.size());
  } else {
    stats_.droppedFull += batch.size();
    if (options_.counters) {
      options_.counters->dropped.fetch_add(batch.size());
      EventMetrics::global().dropped(DropReason::SpoolFull, batch.size());
    }
  }
  updateGauge();
  return ok;
}

std::vector<EncodedEvent> Spool::peek(size_t maxEvents, size_t maxBytes) {
  std::lock_guard lock(mutex_);
  std::vector<EncodedEvent> out;
  size_t bytes = 0;
  uint64_t seq = ackSeq_, offset = ackOffset_;
  int fd = -1;
  uint64_t fdSeq = 0;
  // Moves past a finished or damaged segment. Nothing read yet: the skip is acknowledged at
  // once; otherwise the caller's commit() covers it.
  auto nextSegment = [&]() -> bool {
    auto it = std::upper_bound(segments_.begin(), segments_.end(), seq);
    if (it == segments_.end()) return false;
    seq = *it;
    offset = 0;
    if (out.empty()) {
      ackSeq_ = seq;
      ackOffset_ = 0;
      while (!segments_.empty() && segments_.front() < ackSeq_) deleteSegment(segments_.front());
      persistCheckpoint();
    }
    return true;
  };
  while (out.size() < maxEvents && bytes < maxBytes) {
    auto it = std::lower_bound(segments_.begin(), segments_.end(), seq);
    if (it == segments_.end()) break;
    if (*it != seq) {
      seq = *it;
      offset = 0;
    }
    uint64_t size = sizes_[static_cast<size_t>(it - segments_.begin())];
    if (offset >= size) {
      if (seq == writeSeq_ || !nextSegment()) break;
      continue;
    }
    if (fdSeq != seq || fd < 0) {
      if (fd >= 0) ::close(fd);
      fd = ::open(segmentPath(seq).c_str(), O_RDONLY | O_CLOEXEC);
      fdSeq = seq;
    }
    bool good = false;
    size_t consumed = 0;
    EncodedEvent event;
    char header[kHeader];
    if (fd >= 0 && size - offset >= kHeader && preadAll(fd, header, kHeader, offset)) {
      uint32_t len = getU32(header + 4);
      if (len <= kMaxRecord && len <= size - offset - kHeader) {
        std::string record(kHeader + len, '\0');
        good = preadAll(fd, record.data(), record.size(), offset) &&
               decodeSpoolRecord(record, consumed, event) == SpoolDecode::Ok;
      }
    }
    if (!good) {
      if (!out.empty()) break;  // stop before the damage; the next peek() skips and counts it
      stats_.corrupt++;
      if (options_.counters) EventMetrics::global().dropped(DropReason::SpoolCorrupt);
      if (seq == writeSeq_) {
        // Never append behind damage: later records go to a new segment we can reach.
        closeWriteSegment();
        if (!openWriteSegment(writeSeq_ + 1)) break;
      }
      if (!nextSegment()) break;
      continue;
    }
    bytes += event.payload.size();
    out.push_back(std::move(event));
    offset += consumed;
  }
  if (fd >= 0) ::close(fd);
  peekSeq_ = seq;
  peekOffset_ = offset;
  peeked_ = true;
  updateGauge();
  return out;
}

void Spool::commit() {
  std::lock_guard lock(mutex_);
  if (!peeked_) return;
  peeked_ = false;
  ackSeq_ = peekSeq_;
  ackOffset_ = peekOffset_;
  while (!segments_.empty() && segments_.front() < ackSeq_) deleteSegment(segments_.front());
  // Everything read, including the segment being appended to: start over in a fresh one so the
  // space comes back even when the spool is smaller than a segment.
  if (ackSeq_ == writeSeq_ && !sizes_.empty() && ackOffset_ > 0 && ackOffset_ == sizes_.back()) {
    closeWriteSegment();
    uint64_t old = writeSeq_;
    if (openWriteSegment(old + 1)) {
      deleteSegment(old);
      ackSeq_ = writeSeq_;
      ackOffset_ = 0;
    }
  }
  persistCheckpoint();
  updateGauge();
}

bool Spool::empty() const {
  std::lock_guard lock(mutex_);
  uint64_t after = 0;
  for (size_t i = 0; i < segments_.size(); ++i) {
    if (segments_[i] < ackSeq_) continue;
    after += sizes_[i] - (segments_[i] == ackSeq_ ? std::min(ackOffset_, sizes_[i]) : 0);
  }
  return after == 0;
}

uint64_t Spool::bytes() const {
  std::lock_guard lock(mutex_);
  return totalBytes_;
}

Spool::Stats Spool::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void Spool::sync() {
  std::lock_guard lock(mutex_);
  if (writeFd_ >= 0) ::fdatasync(writeFd_);
}

}  // namespace consentry::events
