#pragma once
// HTTP/2 request fields an HTTP/1.1 upstream could be smuggled with. nghttp2 checks these too
// (its HTTP messaging rules stay on); this is the proxy's own line, independent of library
// versions, and the reason the forwarded head never needs escaping.

#include <string_view>

namespace consentry::proxy::http2 {

// Name: a lower-case token, or one of the four request pseudo-header names' shape (":" + lower
// token). Value: no CR, LF or NUL, no leading or trailing space or tab.
bool isValidField(std::string_view name, std::string_view value);

// Fields HTTP/2 forbids (RFC 9113 §8.2.2): connection, keep-alive, proxy-connection,
// transfer-encoding, upgrade, and te with any value other than "trailers".
bool isConnectionSpecific(std::string_view name, std::string_view value);

}  // namespace consentry::proxy::http2
