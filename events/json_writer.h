#pragma once
// Internal to events/: a JSON writer over a region reserved in advance. event_json.cc reserves an
// upper bound for a whole event once and then writes through a raw pointer, because
// std::string::append per piece cost more than the serialization itself.

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "base/ip_address.h"

namespace consentry::events::json {

// Worst case of one string: every byte may become \u00XX, plus the quotes.
constexpr size_t stringBound(size_t n) {
  return 6 * n + 2;
}

// Writes JSON pieces into a per-thread scratch region of `bound` bytes and appends what was
// written to `out` on destruction: growing `out` by the bound up front would zero-fill the
// whole worst case (kilobytes) for the few hundred bytes an event takes. Writing more than
// `bound` bytes traps.
class Writer {
 public:
  Writer(std::string& out, size_t bound) : out_(out) {
    p_ = scratch(bound);
    begin_ = p_;
    end_ = p_ + bound;
  }
  ~Writer() {
    // Callers size the bound from the worst case; overrunning it would corrupt memory, so a
    // broken bound stops the process instead (one compare per event).
    if (p_ > end_) __builtin_trap();
    out_.append(begin_, static_cast<size_t>(p_ - begin_));
  }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  char* pos() const { return p_; }
  void rewind(char* to) { p_ = to; }
  void ch(char c) { *p_++ = c; }
  void raw(std::string_view s) {
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  void string(std::string_view s);
  void integer(int64_t v) { p_ = std::to_chars(p_, p_ + 24, v).ptr; }
  // NaN and infinities cannot be written in JSON: returns false, writes nothing.
  bool number(double v) {
    if (!std::isfinite(v)) return false;
    p_ = std::to_chars(p_, p_ + 32, v).ptr;
    return true;
  }
  void boolean(bool v) { raw(v ? std::string_view("true") : std::string_view("false")); }
  void time(std::chrono::system_clock::time_point t);
  void ip(const IpAddress& a);

  // An object member whose value is written next: a comma unless it is the first member.
  void key(char* bodyStart, std::string_view quotedKeyColon) {
    if (p_ != bodyStart) ch(',');
    raw(quotedKeyColon);
  }
  // Text: std::string or an events::FixedText.
  template <typename Text>
  void optString(char* bodyStart, std::string_view k, const std::optional<Text>& v) {
    if (!v) return;
    key(bodyStart, k);
    string(*v);
  }

 private:
  // At least `bound` bytes, reused by every Writer on this thread (one Writer at a time).
  static char* scratch(size_t bound);

  std::string& out_;
  char* p_;
  char* begin_;
  char* end_;
};

}  // namespace consentry::events::json
