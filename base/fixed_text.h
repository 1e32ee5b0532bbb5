#pragma once
// Text of at most N bytes stored inline: for values whose length the product bounds (event ids
// are 36 characters of UUID text, visitor ids 32 hex digits, geo codes 2 to 6). A std::string of
// an id's length lives on the heap, and the event path paid a malloc and a free per copy of each;
// even a short one costs a branchy copy and move per hand-over. This is a plain value instead,
// copied with its owner and gone with it, so an Event or a lookup result stays self-contained.

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace consentry {

template <size_t N>
class FixedText {
  static_assert(N > 0 && N < 256, "the length is kept in one byte");

 public:
  FixedText() = default;
  // Implicit, so that an id reads like the text it holds (`e.visitor = "v1"` in tests).
  FixedText(std::string_view text) { assign(text); }  // NOLINT(google-explicit-constructor)
  FixedText& operator=(std::string_view text) {
    assign(text);
    return *this;
  }

  static constexpr size_t capacity() { return N; }

  // Text longer than N is a programming error (every producer makes bounded ids and the cookie
  // reader validates them first): it stops the process rather than cutting an id short.
  void assign(std::string_view text) {
    if (text.size() > N) __builtin_trap();
    if (!text.empty()) std::memcpy(chars_, text.data(), text.size());  // an empty view may be null
    size_ = static_cast<uint8_t>(text.size());
  }
  // For producers that format in place: `size` bytes written at data().
  char* data() { return chars_; }
  void setSize(size_t size) {
    if (size > N) __builtin_trap();
    size_ = static_cast<uint8_t>(size);
  }

  const char* data() const { return chars_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::string_view view() const { return {chars_, size_}; }
  operator std::string_view() const { return view(); }  // NOLINT(google-explicit-constructor)
  std::string str() const { return std::string(view()); }

  friend bool operator==(const FixedText& a, std::string_view b) { return a.view() == b; }
  friend bool operator==(const FixedText& a, const FixedText& b) { return a.view() == b.view(); }

 private:
  char chars_[N] = {};
  uint8_t size_ = 0;
};

}  // namespace consentry
