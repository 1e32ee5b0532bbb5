// Request heads and chunked bodies come straight from the internet. Beyond "never crash", this
// checks that results do not depend on how the bytes were split: a prefix must never fail
// differently from the whole input, and the chunked decoder must yield the same body and error
// whatever the read boundaries.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "proxy/http1/parser.h"

namespace {

using namespace consentry::http1;

bool inside(std::string_view view, std::string_view input) {
  return view.empty() ||
         (view.data() >= input.data() && view.data() + view.size() <= input.data() + input.size());
}

void checkRequest(std::string_view in, const Limits& limits, size_t cut) {
  RequestHead whole;
  ParseResult r = parseRequest(in, limits, whole);
  if (r.status == Status::Complete) {
    if (whole.headBytes > in.size() || whole.headBytes > limits.maxHeaderBytes) __builtin_trap();
    if (whole.headers.size() > limits.maxHeaders || whole.target.size() > limits.maxUriBytes) {
      __builtin_trap();
    }
    if (!inside(whole.method, in) || !inside(whole.target, in) || !inside(whole.host, in)) {
      __builtin_trap();
    }
    for (const auto& h : whole.headers) {
      if (h.name.empty() || !inside(h.name, in) || !inside(h.value, in)) __builtin_trap();
    }
    if (whole.body == BodyKind::UntilClose) __builtin_trap();
  } else if ((r.status == Status::Error) != (r.error != ErrorCode::None)) {
    __builtin_trap();
  }
  // Parsing a prefix: Complete only if the whole head fits in it, Error only with the same code.
  RequestHead part;
  ParseResult p = parseRequest(in.substr(0, cut), limits, part);
  if (p.status == Status::Error && (r.status != Status::Error || r.error != p.error)) {
    __builtin_trap();
  }
  if (p.status == Status::Complete &&
      (r.status != Status::Complete || part.headBytes != whole.headBytes)) {
    __builtin_trap();
  }
}

struct Decoded {
  std::string body;
  Status status = Status::Incomplete;
  ErrorCode error = ErrorCode::None;
  size_t consumed = 0;
};

// Feeds `in` in pieces whose sizes come from `splits` (a piece size of 0 means "the rest").
Decoded decodeSplit(std::string_view in, std::string_view splits) {
  ChunkedDecoder dec(256);
  Decoded out;
  size_t fed = 0, pos = 0, s = 0;
  while (true) {
    std::string_view window = in.substr(pos, fed - pos);
    auto step = dec.decode(window);
    if (step.consumed > window.size() || !inside(step.data, window)) __builtin_trap();
    out.body.append(step.data);
    pos += step.consumed;
    if (step.status != Status::Incomplete) {
      out.status = step.status;
      out.error = step.error;
      break;
    }
    if (step.consumed == 0) {
      if (fed == in.size()) break;
      size_t piece = s < splits.size() ? static_cast<unsigned char>(splits[s++]) % 16 : 0;
      fed = piece == 0 ? in.size() : std::min(in.size(), fed + piece);
    }
  }
  out.consumed = pos;
  if (out.status == Status::Complete && dec.bodyBytes() != out.body.size()) __builtin_trap();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  Limits limits;
  limits.maxHeaderBytes = 64 + data[0] * 4;
  limits.maxHeaders = data[1] % 16 + 1;
  limits.maxUriBytes = data[1] / 4 + 1;
  std::string_view in(reinterpret_cast<const char*>(data + 3), size - 3);
  checkRequest(in, limits, data[2] % (in.size() + 1));

  ResponseHead resp;
  ParseResult r = parseResponse(in, limits, (data[2] & 1) ? "HEAD" : "GET", resp);
  if (r.status == Status::Complete && resp.headBytes > in.size()) __builtin_trap();

  // The chunked body: decoded whole and in random pieces, with identical results.
  Decoded whole = decodeSplit(in, {});
  Decoded split = decodeSplit(in, std::string_view(reinterpret_cast<const char*>(data), 3));
  if (whole.body != split.body || whole.status != split.status || whole.error != split.error) {
    __builtin_trap();
  }
  if (whole.status == Status::Complete && whole.consumed != split.consumed) __builtin_trap();
  return 0;
}
