#pragma once
// The strict, zero-copy HTTP/1.1 parser (RFC 9110/9112) — the product's core, hand-written so that
// it can refuse every request-smuggling vector listed in SPEC §8.
//
// Head parsing is stateless: call parseRequest()/parseResponse() with everything received so far;
// Incomplete means "call again with more bytes". Views in the result point into the input, which
// must stay alive and unmoved while they are used. Bodies are framed by the result's `body` and
// decoded incrementally with ChunkedDecoder.
// Every strictness choice (what is refused, with which code) is listed in proxy/http1/README.md;
// a head fed in pieces yields the same result and the same error as the head fed whole.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/http_header.h"
#include "base/units.h"

namespace consentry::http1 {

enum class Status : uint8_t { Complete, Incomplete, Error };

enum class ErrorCode : uint8_t {
  None,
  BadRequestLine,
  BadMethod,
  BadTarget,
  BadVersion,
  BadHeaderName,
  BadHeaderValue,
  WhitespaceBeforeColon,
  ObsFold,
  BareCrOrLf,
  ControlCharacter,
  MissingHost,
  DuplicateHost,
  BadContentLength,
  ConflictingContentLength,
  ContentLengthWithTransferEncoding,
  UnsupportedTransferEncoding,
  TransferEncodingOnHttp10,
  BadChunkSize,
  ChunkSizeOverflow,
  BadChunkTerminator,
  BadTrailer,
  HeadersTooLarge,     // 431
  TooManyHeaders,      // 431
  UriTooLong,          // 414
  BodyTooLarge,        // 413
  BadStatusLine,       // upstream responses: 502
  UnsupportedVersion,  // 505
};

// The status a proxy answers with for a client-side error (400, 413, 414, 431, 505).
int httpStatusFor(ErrorCode code);
// A short lowercase reason, for logs, metrics labels and error bodies ("obs_fold", ...).
std::string_view errorName(ErrorCode code);

enum class BodyKind : uint8_t {
  None,        // no body (requests without CL/TE; HEAD/204/304/1xx responses)
  Length,      // exactly contentLength bytes (also for Content-Length: 0)
  Chunked,     // chunked transfer coding, decode with ChunkedDecoder
  UntilClose,  // responses only: delimited by connection close
};

struct Limits {
  size_t maxHeaderBytes = 64 * kKiB;  // request line + headers + final CRLF
  size_t maxHeaders = 100;
  size_t maxUriBytes = 8 * kKiB;
};

struct RequestHead {
  std::string_view method;
  std::string_view target;   // request-target as sent (origin-form, absolute-form, '*', authority)
  uint8_t versionMinor = 1;  // HTTP/1.<minor>, only 0 and 1 are accepted
  std::vector<HeaderField> headers;  // in arrival order; capacity reused across calls
  std::string_view host;             // value of the single Host header (may be empty on HTTP/1.0)
  BodyKind body = BodyKind::None;
  uint64_t contentLength = 0;
  bool keepAlive = true;        // after Connection tokens and version defaults
  bool expectContinue = false;  // Expect: 100-continue
  bool upgrade = false;         // Connection: upgrade + Upgrade header present
  size_t headBytes = 0;         // bytes consumed by the head, including the final CRLF
};

struct ResponseHead {
  uint8_t versionMinor = 1;
  int status = 0;
  std::string_view reason;
  std::vector<HeaderField> headers;
  BodyKind body = BodyKind::None;
  uint64_t contentLength = 0;
  bool keepAlive = true;
  size_t headBytes = 0;
};

struct ParseResult {
  Status status = Status::Incomplete;
  ErrorCode error = ErrorCode::None;
};

ParseResult parseRequest(std::string_view data, const Limits& limits, RequestHead& out);

// `requestMethod` decides framing: a response to HEAD has no body, a 2xx to CONNECT is a tunnel.
ParseResult parseResponse(std::string_view data, const Limits& limits,
                          std::string_view requestMethod, ResponseHead& out);

// Incremental decoder for the chunked transfer coding, including chunk extensions (ignored) and
// trailers (validated like header fields, exposed raw for forwarding).
class ChunkedDecoder {
 public:
  struct Step {
    Status status = Status::Incomplete;  // Complete once the last chunk and trailers were consumed
    ErrorCode error = ErrorCode::None;
    size_t consumed = 0;    // bytes of the input used by this step
    std::string_view data;  // body bytes found in this step (a view into the input), may be empty
  };

  explicit ChunkedDecoder(size_t maxTrailerBytes = 64 * kKiB) : maxTrailerBytes_(maxTrailerBytes) {}

  // Decodes from the start of `in`. Call repeatedly with the unconsumed remainder; a step returns
  // at most one contiguous data run. Incomplete with consumed == 0 means "need more input".
  Step decode(std::string_view in);

  // Raw trailer section (field lines, each ending in CRLF, without the final empty line) once
  // decode() has returned Complete. Valid while the caller keeps it; copied internally.
  std::string_view trailers() const { return trailers_; }
  uint64_t bodyBytes() const { return bodyBytes_; }
  void reset();

 private:
  enum class State : uint8_t { Size, Data, DataCrlf, Trailers, Done, Failed };
  Step fail(ErrorCode code);
  // Takes the next line (without CRLF) from `in` at `pos`, buffering a partial one; false when
  // more input is needed or on error (then `error` is set).
  bool takeLine(std::string_view in, size_t& pos, size_t maxBytes, ErrorCode tooLong,
                std::string_view& line, ErrorCode& error);

  State state_ = State::Size;
  ErrorCode error_ = ErrorCode::None;
  bool crSeen_ = false;  // the CR after chunk data arrived, its LF did not yet
  uint64_t remaining_ = 0;
  uint64_t bodyBytes_ = 0;
  size_t maxTrailerBytes_;
  std::string trailers_;
  std::string lineBuffer_;  // a size or trailer line split across reads
};

}  // namespace consentry::http1
