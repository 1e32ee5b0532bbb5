#include "proxy/http_text.h"

#include <charconv>

namespace consentry::proxy {

std::string_view reasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

namespace {
void appendNumber(ByteBuffer& out, uint64_t n) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof(digits), n);
  (void)ec;
  out.append(std::string_view(digits, static_cast<size_t>(end - digits)));
}
}  // namespace

void appendStatusLine(ByteBuffer& out, int status, std::string_view reason) {
  out.append("HTTP/1.1 ");
  appendNumber(out, static_cast<uint64_t>(status));
  out.append(" ");
  out.append(reason.empty() ? reasonPhrase(status) : reason);
  out.append("\r\n");
}

void appendContentLength(ByteBuffer& out, uint64_t length) {
  out.append("Content-Length: ");
  appendNumber(out, length);
  out.append("\r\n");
}

void appendErrorResponse(ByteBuffer& out, int status, bool close) {
  std::string_view reason = reasonPhrase(status);
  appendStatusLine(out, status, reason);
  out.append("Content-Type: text/plain\r\n");
  appendContentLength(out, reason.size() + 1);
  if (close) out.append("Connection: close\r\n");
  out.append("\r\n");
  out.append(reason);
  out.append("\n");
}

}  // namespace consentry::proxy
