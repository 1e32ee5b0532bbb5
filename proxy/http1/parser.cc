// Request heads. The request line is scanned strictly left to right, and a partial line reports
// only errors more bytes cannot undo, so a head fed byte by byte fails exactly like a whole one.
#include <cstring>

#include "proxy/http1/field_scanner.h"
#include "proxy/http1/parser.h"

namespace consentry::http1 {
namespace {

using detail::is;
using detail::kCtl;
using detail::kHostChar;
using detail::kTarget;
using detail::kTchar;

constexpr ParseResult kIncomplete{Status::Incomplete, ErrorCode::None};
constexpr ParseResult fail(ErrorCode code) {
  return {Status::Error, code};
}

ErrorCode badByte(char c, ErrorCode otherwise) {
  if (c == '\r' || c == '\n') return ErrorCode::BareCrOrLf;
  if (is(c, kCtl) || c == '\t') return ErrorCode::ControlCharacter;
  return otherwise;
}

ErrorCode checkVersion(std::string_view v, uint8_t& minor) {
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || v[6] != '.' || v[5] < '0' || v[5] > '9' ||
      v[7] < '0' || v[7] > '9') {
    return ErrorCode::BadVersion;
  }
  if (v[5] != '1' || (v[7] != '0' && v[7] != '1')) return ErrorCode::UnsupportedVersion;
  minor = static_cast<uint8_t>(v[7] - '0');
  return ErrorCode::None;
}

bool isAuthorityForm(std::string_view t) {
  size_t colon = t.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == t.size()) return false;
  for (size_t i = colon + 1; i < t.size(); ++i) {
    if (t[i] < '0' || t[i] > '9') return false;
  }
  for (size_t i = 0; i < colon; ++i) {
    if (!is(t[i], kHostChar) || t[i] == '%') return false;
  }
  return true;
}

bool isAbsoluteForm(std::string_view t) {
  size_t i = 0;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (t.empty() || !alpha(t[0])) return false;
  while (i < t.size() && (alpha(t[i]) || (t[i] >= '0' && t[i] <= '9') || t[i] == '+' ||
                          t[i] == '-' || t[i] == '.')) {
    ++i;
  }
  return t.substr(i, 3) == "://" && t.size() > i + 3;
}

ErrorCode checkTargetForm(std::string_view method, std::string_view target) {
  if (target.find('#') != std::string_view::npos) return ErrorCode::BadTarget;
  if (method == "CONNECT") return isAuthorityForm(target) ? ErrorCode::None : ErrorCode::BadTarget;
  if (target[0] == '/') return ErrorCode::None;
  if (target == "*") return method == "OPTIONS" ? ErrorCode::None : ErrorCode::BadTarget;
  return isAbsoluteForm(target) ? ErrorCode::None : ErrorCode::BadTarget;
}

// Parses the request line in `line` (no terminator); `complete` says whether its LF was seen.
ParseResult parseRequestLine(std::string_view line, bool complete, const Limits& limits,
                             RequestHead& out) {
  size_t i = 0;
  while (i < line.size() && is(line[i], kTchar)) ++i;
  if (i == line.size()) return complete ? fail(ErrorCode::BadRequestLine) : kIncomplete;
  if (line[i] != ' ') return fail(badByte(line[i], ErrorCode::BadMethod));
  if (i == 0) return fail(ErrorCode::BadRequestLine);
  out.method = line.substr(0, i);

  size_t targetStart = ++i;
  while (i < line.size() && is(line[i], kTarget)) {
    if (i - targetStart >= limits.maxUriBytes) return fail(ErrorCode::UriTooLong);
    ++i;
  }
  if (i == line.size()) return complete ? fail(ErrorCode::BadRequestLine) : kIncomplete;
  if (line[i] != ' ') return fail(badByte(line[i], ErrorCode::BadTarget));
  if (i == targetStart) return fail(ErrorCode::BadRequestLine);
  out.target = line.substr(targetStart, i - targetStart);

  size_t versionStart = ++i;
  for (; i < line.size(); ++i) {
    // A second space means the target itself contained one.
    if (line[i] == ' ') return fail(ErrorCode::BadTarget);
    if (!is(line[i], kTarget)) return fail(badByte(line[i], ErrorCode::BadVersion));
  }
  if (!complete) return kIncomplete;
  ErrorCode err = checkVersion(line.substr(versionStart), out.versionMinor);
  if (err == ErrorCode::None) err = checkTargetForm(out.method, out.target);
  return err == ErrorCode::None ? ParseResult{Status::Complete, ErrorCode::None} : fail(err);
}

bool validHost(std::string_view host) {
  for (char c : host) {
    if (!is(c, kHostChar)) return false;
  }
  return true;
}

// Framing, Host, and connection semantics once every field line is known to be well formed.
ErrorCode applySemantics(RequestHead& out) {
  size_t hosts = 0;
  bool clSeen = false, teSeen = false, upgradeField = false;
  bool closeToken = false, keepAliveToken = false, upgradeToken = false, expect = false;
  size_t teElements = 0;
  bool teChunkedOnly = true;
  for (const HeaderField& h : out.headers) {
    switch (h.name.size()) {
      case 4:
        if (equalsIgnoreCase(h.name, "host")) {
          if (++hosts > 1) return ErrorCode::DuplicateHost;
          if (!validHost(h.value)) return ErrorCode::BadHeaderValue;
          out.host = h.value;
        }
        break;
      case 6:
        if (equalsIgnoreCase(h.name, "expect") && equalsIgnoreCase(h.value, "100-continue")) {
          expect = true;
        }
        break;
      case 7:
        if (equalsIgnoreCase(h.name, "upgrade") && !h.value.empty()) upgradeField = true;
        break;
      case 10:
        if (equalsIgnoreCase(h.name, "connection")) {
          detail::forEachListElement(h.value, [&](std::string_view t) {
            if (equalsIgnoreCase(t, "close")) closeToken = true;
            if (equalsIgnoreCase(t, "keep-alive")) keepAliveToken = true;
            if (equalsIgnoreCase(t, "upgrade")) upgradeToken = true;
          });
        }
        break;
      case 14:
        if (equalsIgnoreCase(h.name, "content-length")) {
          ErrorCode e = detail::foldContentLength(h.value, clSeen, out.contentLength);
          if (e != ErrorCode::None) return e;
        }
        break;
      case 17:
        if (equalsIgnoreCase(h.name, "transfer-encoding")) {
          teSeen = true;
          detail::forEachListElement(h.value, [&](std::string_view t) {
            ++teElements;
            if (!equalsIgnoreCase(t, "chunked")) teChunkedOnly = false;
          });
        }
        break;
      default:
        break;
    }
  }
  bool http11 = out.versionMinor == 1;
  if (http11 && hosts == 0) return ErrorCode::MissingHost;
  if (teSeen) {
    if (!http11) return ErrorCode::TransferEncodingOnHttp10;
    if (clSeen) return ErrorCode::ContentLengthWithTransferEncoding;
    if (teElements != 1 || !teChunkedOnly) return ErrorCode::UnsupportedTransferEncoding;
    out.body = BodyKind::Chunked;
  } else if (clSeen) {
    out.body = BodyKind::Length;
  }
  out.keepAlive = !closeToken && (http11 || keepAliveToken);
  out.expectContinue = http11 && expect;
  out.upgrade = http11 && upgradeToken && upgradeField;
  return ErrorCode::None;
}

void resetHead(RequestHead& out) {
  out.method = {};
  out.target = {};
  out.versionMinor = 1;
  out.headers.clear();
  out.host = {};
  out.body = BodyKind::None;
  out.contentLength = 0;
  out.keepAlive = true;
  out.expectContinue = false;
  out.upgrade = false;
  out.headBytes = 0;
}

ParseResult parseRequestIn(std::string_view view, const Limits& limits, RequestHead& out) {
  size_t pos = 0;
  // RFC 9112 §2.2: empty lines before a request line are ignored (stray CRLF after a body).
  while (pos < view.size() && view[pos] == '\r') {
    if (pos + 1 == view.size()) return kIncomplete;
    if (view[pos + 1] != '\n') return fail(ErrorCode::BareCrOrLf);
    pos += 2;
  }
  if (pos < view.size() && view[pos] == '\n') return fail(ErrorCode::BareCrOrLf);
  const void* lf = std::memchr(view.data() + pos, '\n', view.size() - pos);
  size_t lineEnd =
      lf ? static_cast<size_t>(static_cast<const char*>(lf) - view.data()) : view.size();
  size_t contentEnd = lineEnd;
  bool bareLf = false;
  if (contentEnd > pos && view[contentEnd - 1] == '\r') {
    --contentEnd;
  } else if (lf) {
    bareLf = true;
  }
  ParseResult r = parseRequestLine(view.substr(pos, contentEnd - pos), lf != nullptr, limits, out);
  if (r.status != Status::Complete) return r;
  if (bareLf) return fail(ErrorCode::BareCrOrLf);
  size_t end = 0;
  r = detail::parseFieldSection(view, lineEnd + 1, limits.maxHeaders, out.headers, end);
  if (r.status != Status::Complete) return r;
  out.headBytes = end;
  ErrorCode err = applySemantics(out);
  return err == ErrorCode::None ? r : fail(err);
}

}  // namespace

ParseResult parseRequest(std::string_view data, const Limits& limits, RequestHead& out) {
  resetHead(out);
  // Parsing only the first maxHeaderBytes makes the size limit independent of how the bytes
  // arrived: an over-long head fails with the same error whether it is complete or not.
  std::string_view view = data.substr(0, limits.maxHeaderBytes);
  ParseResult r = parseRequestIn(view, limits, out);
  if (r.status == Status::Incomplete && data.size() > limits.maxHeaderBytes) {
    return fail(ErrorCode::HeadersTooLarge);
  }
  return r;
}

int httpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::None:
      return 200;
    case ErrorCode::HeadersTooLarge:
    case ErrorCode::TooManyHeaders:
      return 431;
    case ErrorCode::UriTooLong:
      return 414;
    case ErrorCode::BodyTooLarge:
      return 413;
    case ErrorCode::BadStatusLine:
      return 502;
    case ErrorCode::UnsupportedVersion:
      return 505;
    default:
      return 400;
  }
}

std::string_view errorName(ErrorCode code) {
  switch (code) {
    case ErrorCode::None:
      return "none";
    case ErrorCode::BadRequestLine:
      return "bad_request_line";
    case ErrorCode::BadMethod:
      return "bad_method";
    case ErrorCode::BadTarget:
      return "bad_target";
    case ErrorCode::BadVersion:
      return "bad_version";
    case ErrorCode::BadHeaderName:
      return "bad_header_name";
    case ErrorCode::BadHeaderValue:
      return "bad_header_value";
    case ErrorCode::WhitespaceBeforeColon:
      return "whitespace_before_colon";
    case ErrorCode::ObsFold:
      return "obs_fold";
    case ErrorCode::BareCrOrLf:
      return "bare_cr_or_lf";
    case ErrorCode::ControlCharacter:
      return "control_character";
    case ErrorCode::MissingHost:
      return "missing_host";
    case ErrorCode::DuplicateHost:
      return "duplicate_host";
    case ErrorCode::BadContentLength:
      return "bad_content_length";
    case ErrorCode::ConflictingContentLength:
      return "conflicting_content_length";
    case ErrorCode::ContentLengthWithTransferEncoding:
      return "content_length_with_te";
    case ErrorCode::UnsupportedTransferEncoding:
      return "unsupported_transfer_encoding";
    case ErrorCode::TransferEncodingOnHttp10:
      return "transfer_encoding_on_http10";
    case ErrorCode::BadChunkSize:
      return "bad_chunk_size";
    case ErrorCode::ChunkSizeOverflow:
      return "chunk_size_overflow";
    case ErrorCode::BadChunkTerminator:
      return "bad_chunk_terminator";
    case ErrorCode::BadTrailer:
      return "bad_trailer";
    case ErrorCode::HeadersTooLarge:
      return "headers_too_large";
    case ErrorCode::TooManyHeaders:
      return "too_many_headers";
    case ErrorCode::UriTooLong:
      return "uri_too_long";
    case ErrorCode::BodyTooLarge:
      return "body_too_large";
    case ErrorCode::BadStatusLine:
      return "bad_status_line";
    case ErrorCode::UnsupportedVersion:
      return "unsupported_version";
  }
  return "unknown";
}

}  // namespace consentry::http1
