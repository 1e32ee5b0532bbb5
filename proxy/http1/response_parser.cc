// Response heads from upstreams: same field rules as requests, framing per RFC 9112 §6.3.
#include <cstring>

#include "proxy/http1/field_scanner.h"
#include "proxy/http1/parser.h"

namespace consentry::http1 {
namespace {

using detail::is;
using detail::kCtl;

constexpr ParseResult kIncomplete{Status::Incomplete, ErrorCode::None};
constexpr ParseResult fail(ErrorCode code) {
  return {Status::Error, code};
}

bool isDigit(char c) {
  return c >= '0' && c <= '9';
}

// status-line = HTTP-version SP 3DIGIT SP [ reason-phrase ]; a missing final SP is tolerated
// because many servers omit it with an empty reason.
ErrorCode parseStatusLine(std::string_view line, ResponseHead& out) {
  if (line.size() < 12 || line.substr(0, 5) != "HTTP/" || line[6] != '.' || line[8] != ' ' ||
      line[5] != '1' || (line[7] != '0' && line[7] != '1')) {
    return ErrorCode::BadStatusLine;
  }
  if (!isDigit(line[9]) || !isDigit(line[10]) || !isDigit(line[11]) || line[9] == '0') {
    return ErrorCode::BadStatusLine;
  }
  out.versionMinor = static_cast<uint8_t>(line[7] - '0');
  out.status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  if (line.size() == 12) return ErrorCode::None;
  if (line[12] != ' ') return ErrorCode::BadStatusLine;
  for (size_t i = 13; i < line.size(); ++i) {
    if (is(line[i], kCtl)) return ErrorCode::BadStatusLine;
  }
  out.reason = line.substr(13);
  return ErrorCode::None;
}

ErrorCode applyFraming(std::string_view requestMethod, ResponseHead& out) {
  bool clSeen = false, teSeen = false, closeToken = false, keepAliveToken = false;
  bool lastChunked = false, earlierChunked = false;
  uint64_t length = 0;
  ErrorCode clError = ErrorCode::None;
  for (const HeaderField& h : out.headers) {
    if (equalsIgnoreCase(h.name, "connection")) {
      detail::forEachListElement(h.value, [&](std::string_view t) {
        if (equalsIgnoreCase(t, "close")) closeToken = true;
        if (equalsIgnoreCase(t, "keep-alive")) keepAliveToken = true;
      });
    } else if (equalsIgnoreCase(h.name, "transfer-encoding")) {
      teSeen = true;
      detail::forEachListElement(h.value, [&](std::string_view t) {
        if (lastChunked) earlierChunked = true;
        lastChunked = equalsIgnoreCase(t, "chunked");
      });
    } else if (equalsIgnoreCase(h.name, "content-length")) {
      if (clError == ErrorCode::None) clError = detail::foldContentLength(h.value, clSeen, length);
    }
  }
  bool http11 = out.versionMinor == 1;
  out.keepAlive = !closeToken && (http11 || keepAliveToken);
  int s = out.status;
  if (requestMethod == "HEAD" || (s >= 100 && s < 200) || s == 204 || s == 304) {
    out.body = BodyKind::None;
    return ErrorCode::None;
  }
  if (requestMethod == "CONNECT" && s >= 200 && s < 300) {
    out.body = BodyKind::None;  // the connection becomes a tunnel
    return ErrorCode::None;
  }
  if (teSeen) {
    // Chunked applied twice is invalid framing; anything else not ending in chunked, a TE on a
    // 1.0 response, or TE next to Content-Length can only be delimited by closing (RFC 9112 §6).
    if (earlierChunked) return ErrorCode::UnsupportedTransferEncoding;
    if (lastChunked && http11) {
      out.body = BodyKind::Chunked;
      if (clSeen) out.keepAlive = false;
    } else {
      out.body = BodyKind::UntilClose;
      out.keepAlive = false;
    }
    return ErrorCode::None;
  }
  if (clError != ErrorCode::None) return clError;
  if (clSeen) {
    out.body = BodyKind::Length;
    out.contentLength = length;
    return ErrorCode::None;
  }
  out.body = BodyKind::UntilClose;
  out.keepAlive = false;
  return ErrorCode::None;
}

void resetHead(ResponseHead& out) {
  out.versionMinor = 1;
  out.status = 0;
  out.reason = {};
  out.headers.clear();
  out.body = BodyKind::None;
  out.contentLength = 0;
  out.keepAlive = true;
  out.headBytes = 0;
}

ParseResult parseResponseIn(std::string_view view, const Limits& limits,
                            std::string_view requestMethod, ResponseHead& out) {
  const void* lf = std::memchr(view.data(), '\n', view.size());
  if (!lf) return kIncomplete;
  auto lineEnd = static_cast<size_t>(static_cast<const char*>(lf) - view.data());
  if (lineEnd == 0 || view[lineEnd - 1] != '\r') return fail(ErrorCode::BadStatusLine);
  ErrorCode err = parseStatusLine(view.substr(0, lineEnd - 1), out);
  if (err != ErrorCode::None) return fail(err);
  size_t end = 0;
  ParseResult r = detail::parseFieldSection(view, lineEnd + 1, limits.maxHeaders, out.headers, end);
  if (r.status != Status::Complete) return r;
  out.headBytes = end;
  err = applyFraming(requestMethod, out);
  return err == ErrorCode::None ? r : fail(err);
}

}  // namespace

ParseResult parseResponse(std::string_view data, const Limits& limits,
                          std::string_view requestMethod, ResponseHead& out) {
  resetHead(out);
  std::string_view view = data.substr(0, limits.maxHeaderBytes);
  ParseResult r = parseResponseIn(view, limits, requestMethod, out);
  if (r.status == Status::Incomplete && data.size() > limits.maxHeaderBytes) {
    return fail(ErrorCode::HeadersTooLarge);
  }
  return r;
}

}  // namespace consentry::http1
