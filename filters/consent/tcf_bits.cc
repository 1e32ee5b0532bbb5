#include "filters/consent/tcf_bits.h"

#include <algorithm>

namespace consentry::filters::consent::tcf {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int sextet(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

}  // namespace

std::optional<std::vector<uint8_t>> base64UrlDecode(std::string_view text) {
  while (!text.empty() && text.back() == '=') text.remove_suffix(1);
  std::vector<uint8_t> out;
  out.reserve(text.size() * 3 / 4 + 1);
  uint32_t acc = 0;
  int accBits = 0;
  for (char c : text) {
    int v = sextet(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    accBits += 6;
    if (accBits >= 8) {
      accBits -= 8;
      out.push_back(static_cast<uint8_t>((acc >> accBits) & 0xff));
    }
  }
  // TC strings are bit streams: the leftover bits of the last character are kept so a field
  // ending there can still be read.
  if (accBits > 0) out.push_back(static_cast<uint8_t>((acc << (8 - accBits)) & 0xff));
  return out;
}

std::string base64UrlEncode(const std::vector<uint8_t>& bytes) {
  std::string out;
  out.reserve(bytes.size() * 4 / 3 + 2);
  uint32_t acc = 0;
  int accBits = 0;
  for (uint8_t b : bytes) {
    acc = (acc << 8) | b;
    accBits += 8;
    while (accBits >= 6) {
      accBits -= 6;
      out.push_back(kAlphabet[(acc >> accBits) & 0x3f]);
    }
  }
  if (accBits > 0) out.push_back(kAlphabet[(acc << (6 - accBits)) & 0x3f]);
  return out;
}

uint64_t BitReader::read(unsigned bits) {
  if (failed_ || bits > remaining()) {
    failed_ = true;
    return 0;
  }
  uint64_t v = 0;
  while (bits > 0) {
    unsigned offset = static_cast<unsigned>(pos_ & 7);
    unsigned take = std::min(bits, 8 - offset);
    unsigned chunk = (bytes_[pos_ >> 3] >> (8 - offset - take)) & ((1u << take) - 1);
    v = (v << take) | chunk;
    pos_ += take;
    bits -= take;
  }
  return v;
}

bool BitReader::readBitField(size_t n, std::vector<uint16_t>& ids) {
  if (failed_ || n > remaining()) {
    failed_ = true;
    return false;
  }
  // Vendor bit fields are long and mostly zero: whole zero bytes are skipped at once.
  for (size_t i = 0; i < n;) {
    if ((pos_ & 7) == 0 && n - i >= 8 && bytes_[pos_ >> 3] == 0) {
      pos_ += 8;
      i += 8;
      continue;
    }
    if ((bytes_[pos_ >> 3] >> (7 - (pos_ & 7))) & 1u) ids.push_back(static_cast<uint16_t>(i + 1));
    ++pos_;
    ++i;
  }
  return true;
}

void BitWriter::write(uint64_t value, unsigned bits) {
  for (unsigned i = bits; i-- > 0; ++bits_) {
    if ((bits_ & 7) == 0) bytes_.push_back(0);
    // Fields wider than 64 bits are written zero-extended (shifting by >= 64 is undefined).
    if (i < 64 && ((value >> i) & 1u)) {
      bytes_.back() |= static_cast<uint8_t>(1u << (7 - (bits_ & 7)));
    }
  }
}

}  // namespace consentry::filters::consent::tcf
