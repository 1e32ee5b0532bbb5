#pragma once
// Bit-level reading and writing of TC string segments and their base64url text form.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace consentry::filters::consent::tcf {

/// Decodes unpadded base64url (trailing `=` tolerated) into bytes; nullopt on a bad character.
std::optional<std::vector<uint8_t>> base64UrlDecode(std::string_view text);

/// Encodes bytes as base64url without padding.
std::string base64UrlEncode(const std::vector<uint8_t>& bytes);

/// Reads MSB-first bit fields; reading past the end sets a sticky failure flag and yields 0.
class BitReader {
 public:
  explicit BitReader(const std::vector<uint8_t>& bytes) : bytes_(bytes) {}
  uint64_t read(unsigned bits);
  bool readBool() { return read(1) != 0; }
  /// Reads an n-bit field and appends the 1-based index of every set bit to `ids`.
  bool readBitField(size_t n, std::vector<uint16_t>& ids);
  bool failed() const { return failed_; }
  size_t remaining() const { return bytes_.size() * 8 - pos_; }

 private:
  const std::vector<uint8_t>& bytes_;
  size_t pos_ = 0;
  bool failed_ = false;
};

/// Appends MSB-first bit fields; the last byte is zero-padded.
class BitWriter {
 public:
  void write(uint64_t value, unsigned bits);
  void writeBool(bool b) { write(b ? 1 : 0, 1); }
  const std::vector<uint8_t>& bytes() const { return bytes_; }
  size_t bitCount() const { return bits_; }

 private:
  std::vector<uint8_t> bytes_;
  size_t bits_ = 0;
};

}  // namespace consentry::filters::consent::tcf
