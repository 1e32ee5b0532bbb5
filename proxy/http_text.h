#pragma once
// Small writers for the response text the proxy produces itself (status lines, error answers).

#include <string_view>

#include "proxy/byte_buffer.h"

namespace consentry::proxy {

std::string_view reasonPhrase(int status);
// "HTTP/1.1 <status> <reason>\r\n"; an empty reason is replaced by the standard phrase.
void appendStatusLine(ByteBuffer& out, int status, std::string_view reason);
void appendContentLength(ByteBuffer& out, uint64_t length);
// A complete short text/plain error response.
void appendErrorResponse(ByteBuffer& out, int status, bool close);

}  // namespace consentry::proxy
