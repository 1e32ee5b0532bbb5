#include "proxy/http1/field_scanner.h"

#include <cstring>
#include <limits>

namespace consentry::http1::detail {
namespace {

constexpr ParseResult kIncomplete{Status::Incomplete, ErrorCode::None};
constexpr ParseResult kOk{Status::Complete, ErrorCode::None};
constexpr ParseResult fail(ErrorCode code) {
  return {Status::Error, code};
}

// Offset of the first byte that is a control (C0, including HTAB) or DEL, eight bytes at a time:
// field values are by far the bulk of a head, and almost never contain one.
size_t findControlOrDel(const char* p, size_t n) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    uint64_t below20 = (w - kOnes * 0x20) & ~w & kHigh;
    uint64_t x = w ^ (kOnes * 0x7f);
    uint64_t isDel = (x - kOnes) & ~x & kHigh;
    if ((below20 | isDel) != 0) break;
  }
  for (; i < n; ++i) {
    auto c = static_cast<unsigned char>(p[i]);
    if (c < 0x20 || c == 0x7f) return i;
  }
  return n;
}

// The common case in one pass: `name:value CRLF` with nothing to refuse, where the control scan
// that checks the value also finds its CR. Returns the next line's offset, or 0 to let the general
// path (which handles partial lines and reports errors) decide.
size_t scanWellFormedLine(std::string_view view, size_t pos, std::vector<HeaderField>& fields) {
  size_t i = pos;
  while (i < view.size() && is(view[i], kTchar)) ++i;
  if (i == pos || i == view.size() || view[i] != ':') return 0;
  size_t valueStart = i + 1;
  size_t k = valueStart;
  while (true) {
    k += findControlOrDel(view.data() + k, view.size() - k);
    if (k == view.size()) return 0;
    if (view[k] != '\t') break;
    ++k;
  }
  if (view[k] != '\r' || k + 1 == view.size() || view[k + 1] != '\n') return 0;
  fields.push_back({view.substr(pos, i - pos), trimOws(view.substr(valueStart, k - valueStart))});
  return k + 2;
}

}  // namespace

std::string_view trimOws(std::string_view s) {
  while (!s.empty() && isWs(s.front())) s.remove_prefix(1);
  while (!s.empty() && isWs(s.back())) s.remove_suffix(1);
  return s;
}

ParseResult scanField(std::string_view content, bool complete, HeaderField& out) {
  if (content.empty()) return complete ? fail(ErrorCode::BadHeaderName) : kIncomplete;
  if (isWs(content[0])) return fail(ErrorCode::ObsFold);
  size_t i = 0;
  while (i < content.size() && is(content[i], kTchar)) ++i;
  if (i == content.size()) return complete ? fail(ErrorCode::BadHeaderName) : kIncomplete;
  char c = content[i];
  if (c != ':') {
    if (isWs(c)) {
      size_t j = i;
      while (j < content.size() && isWs(content[j])) ++j;
      if (j == content.size()) return complete ? fail(ErrorCode::BadHeaderName) : kIncomplete;
      return fail(content[j] == ':' ? ErrorCode::WhitespaceBeforeColon : ErrorCode::BadHeaderName);
    }
    if (c == '\r') return fail(ErrorCode::BareCrOrLf);
    if (is(c, kCtl)) return fail(ErrorCode::ControlCharacter);
    return fail(ErrorCode::BadHeaderName);
  }
  if (i == 0) return fail(ErrorCode::BadHeaderName);
  const char* value = content.data() + i + 1;
  size_t valueLen = content.size() - i - 1;
  size_t at = 0;
  while (true) {
    at += findControlOrDel(value + at, valueLen - at);
    if (at == valueLen) break;
    if (value[at] == '\t') {
      ++at;
      continue;
    }
    return fail(value[at] == '\r' ? ErrorCode::BareCrOrLf : ErrorCode::ControlCharacter);
  }
  if (!complete) return kIncomplete;
  out.name = content.substr(0, i);
  out.value = trimOws(std::string_view(value, valueLen));
  return kOk;
}

ParseResult parseFieldSection(std::string_view view, size_t pos, size_t maxFields,
                              std::vector<HeaderField>& fields, size_t& end) {
  while (true) {
    if (pos == view.size()) return kIncomplete;
    if (view[pos] == '\r') {
      if (pos + 1 == view.size()) return kIncomplete;
      if (view[pos + 1] != '\n') return fail(ErrorCode::BareCrOrLf);
      end = pos + 2;
      return kOk;
    }
    if (view[pos] == '\n') return fail(ErrorCode::BareCrOrLf);
    if (fields.size() >= maxFields) return fail(ErrorCode::TooManyHeaders);
    if (size_t next = scanWellFormedLine(view, pos, fields); next != 0) {
      pos = next;
      continue;
    }
    const void* lf = std::memchr(view.data() + pos, '\n', view.size() - pos);
    size_t lineEnd =
        lf ? static_cast<size_t>(static_cast<const char*>(lf) - view.data()) : view.size();
    size_t contentEnd = lineEnd;
    bool bareLf = false;
    if (contentEnd > pos && view[contentEnd - 1] == '\r') {
      --contentEnd;  // a CR at the very end of a partial line may still be followed by LF
    } else if (lf) {
      bareLf = true;
    }
    HeaderField field;
    ParseResult r = scanField(view.substr(pos, contentEnd - pos), lf != nullptr, field);
    if (r.status != Status::Complete) return r;
    if (bareLf) return fail(ErrorCode::BareCrOrLf);
    fields.push_back(field);
    pos = lineEnd + 1;
  }
}

ErrorCode foldContentLength(std::string_view fieldValue, bool& seen, uint64_t& value) {
  constexpr uint64_t kMax = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
  ErrorCode err = ErrorCode::None;
  forEachListElement(fieldValue, [&](std::string_view elem) {
    if (err != ErrorCode::None) return;
    if (elem.empty()) {
      err = ErrorCode::BadContentLength;
      return;
    }
    uint64_t v = 0;
    for (char c : elem) {
      if (c < '0' || c > '9') {
        err = ErrorCode::BadContentLength;
        return;
      }
      auto d = static_cast<uint64_t>(c - '0');
      if (v > (kMax - d) / 10) {
        err = ErrorCode::BadContentLength;
        return;
      }
      v = v * 10 + d;
    }
    if (seen && v != value) {
      err = ErrorCode::ConflictingContentLength;
      return;
    }
    seen = true;
    value = v;
  });
  return err;
}

}  // namespace consentry::http1::detail
