// The chunked transfer coding (RFC 9112 §7.1). Lines split across reads are buffered so the
// caller can drop consumed bytes; chunk data is never copied.
#include <cstring>
#include <limits>

#include "proxy/http1/field_scanner.h"
#include "proxy/http1/parser.h"

namespace consentry::http1 {
namespace {

using detail::is;
using detail::isWs;
using detail::kHex;
using detail::kTchar;

// A size line is digits plus extensions we ignore; anything longer is an attack, not a client.
constexpr size_t kMaxSizeLine = 4096;

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return c - 'A' + 10;
}

// chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ( token / quoted-string ) ] )
bool validExtensions(std::string_view s) {
  size_t i = 0;
  auto skipWs = [&] {
    while (i < s.size() && isWs(s[i])) ++i;
  };
  while (true) {
    skipWs();
    if (i == s.size()) return true;
    if (s[i] != ';') return false;
    ++i;
    skipWs();
    size_t nameStart = i;
    while (i < s.size() && is(s[i], kTchar)) ++i;
    if (i == nameStart) return false;
    skipWs();
    if (i == s.size() || s[i] != '=') continue;
    ++i;
    skipWs();
    if (i < s.size() && s[i] == '"') {
      for (++i;; ++i) {
        if (i == s.size()) return false;
        auto c = static_cast<unsigned char>(s[i]);
        if (c == '"') break;
        if (c == '\\') {
          if (++i == s.size()) return false;
          c = static_cast<unsigned char>(s[i]);
        }
        if ((c < 0x20 && c != '\t') || c == 0x7f) return false;
      }
      ++i;
    } else {
      size_t valueStart = i;
      while (i < s.size() && is(s[i], kTchar)) ++i;
      if (i == valueStart) return false;
    }
  }
}

ErrorCode parseSizeLine(std::string_view line, uint64_t& size) {
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  size_t i = 0;
  uint64_t v = 0;
  while (i < line.size() && is(line[i], kHex)) {
    auto d = static_cast<uint64_t>(hexValue(line[i]));
    if (v > (kMax - d) / 16) return ErrorCode::ChunkSizeOverflow;
    v = v * 16 + d;
    ++i;
  }
  if (i == 0) return ErrorCode::BadChunkSize;
  if (i < line.size()) {
    // Extensions must start with ';' (after optional BWS); "5 " alone is not a size line.
    size_t j = i;
    while (j < line.size() && isWs(line[j])) ++j;
    if (j == line.size() || line[j] != ';' || !validExtensions(line.substr(i))) {
      return ErrorCode::BadChunkSize;
    }
  }
  size = v;
  return ErrorCode::None;
}

}  // namespace

ChunkedDecoder::Step ChunkedDecoder::fail(ErrorCode code) {
  state_ = State::Failed;
  error_ = code;
  return Step{Status::Error, code, 0, {}};
}

bool ChunkedDecoder::takeLine(std::string_view in, size_t& pos, size_t maxBytes, ErrorCode tooLong,
                              std::string_view& line, ErrorCode& error) {
  const void* lf = std::memchr(in.data() + pos, '\n', in.size() - pos);
  size_t end = lf ? static_cast<size_t>(static_cast<const char*>(lf) - in.data()) : in.size();
  // The budget does not count the CR; +1 leaves room for it.
  if (lineBuffer_.size() + (end - pos) > maxBytes + 1) {
    error = tooLong;
    return false;
  }
  std::string_view raw;
  if (lineBuffer_.empty() && lf) {
    raw = in.substr(pos, end - pos);
  } else {
    lineBuffer_.append(in.substr(pos, end - pos));
    raw = lineBuffer_;
  }
  if (!lf) {
    pos = in.size();
    return false;
  }
  pos = end + 1;
  if (raw.empty() || raw.back() != '\r') {
    error = ErrorCode::BareCrOrLf;
    return false;
  }
  line = raw.substr(0, raw.size() - 1);
  if (line.find('\r') != std::string_view::npos) {
    error = ErrorCode::BareCrOrLf;
    return false;
  }
  return true;
}

ChunkedDecoder::Step ChunkedDecoder::decode(std::string_view in) {
  size_t pos = 0;
  while (true) {
    switch (state_) {
      case State::Failed:
        return Step{Status::Error, error_, 0, {}};
      case State::Done:
        return Step{Status::Complete, ErrorCode::None, pos, {}};
      case State::Size: {
        std::string_view line;
        ErrorCode err = ErrorCode::None;
        if (!takeLine(in, pos, kMaxSizeLine, ErrorCode::BadChunkSize, line, err)) {
          if (err != ErrorCode::None) return fail(err);
          return Step{Status::Incomplete, ErrorCode::None, pos, {}};
        }
        err = parseSizeLine(line, remaining_);
        lineBuffer_.clear();
        if (err != ErrorCode::None) return fail(err);
        state_ = remaining_ == 0 ? State::Trailers : State::Data;
        break;
      }
      case State::Data: {
        size_t avail = in.size() - pos;
        if (avail == 0) return Step{Status::Incomplete, ErrorCode::None, pos, {}};
        size_t n = remaining_ < avail ? static_cast<size_t>(remaining_) : avail;
        std::string_view data = in.substr(pos, n);
        pos += n;
        remaining_ -= n;
        bodyBytes_ += n;
        if (remaining_ == 0) state_ = State::DataCrlf;
        return Step{Status::Incomplete, ErrorCode::None, pos, data};
      }
      case State::DataCrlf: {
        if (pos == in.size()) return Step{Status::Incomplete, ErrorCode::None, pos, {}};
        if (!crSeen_) {
          if (in[pos] != '\r') return fail(ErrorCode::BadChunkTerminator);
          crSeen_ = true;
          ++pos;
          break;
        }
        if (in[pos] != '\n') return fail(ErrorCode::BadChunkTerminator);
        crSeen_ = false;
        ++pos;
        state_ = State::Size;
        break;
      }
      case State::Trailers: {
        std::string_view line;
        ErrorCode err = ErrorCode::None;
        size_t budget = maxTrailerBytes_ - trailers_.size();
        if (!takeLine(in, pos, budget, ErrorCode::BadTrailer, line, err)) {
          if (err != ErrorCode::None) return fail(err);
          return Step{Status::Incomplete, ErrorCode::None, pos, {}};
        }
        if (line.empty()) {
          lineBuffer_.clear();
          state_ = State::Done;
          break;
        }
        HeaderField field;
        ParseResult r = detail::scanField(line, true, field);
        if (r.status != Status::Complete || line.size() + 2 > budget) {
          return fail(ErrorCode::BadTrailer);
        }
        trailers_.append(line);
        trailers_.append("\r\n");
        lineBuffer_.clear();
        break;
      }
    }
  }
}

void ChunkedDecoder::reset() {
  state_ = State::Size;
  error_ = ErrorCode::None;
  crSeen_ = false;
  remaining_ = 0;
  bodyBytes_ = 0;
  trailers_.clear();
  lineBuffer_.clear();
}

}  // namespace consentry::http1
