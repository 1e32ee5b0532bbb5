#include "proxy/http2/validation.h"

namespace consentry::proxy::http2 {
namespace {

bool isTokenChar(char c) {
  if (c >= 'a' && c <= 'z') return true;
  if (c >= '0' && c <= '9') return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

}  // namespace

bool isValidField(std::string_view name, std::string_view value) {
  std::string_view token = name;
  if (!token.empty() && token[0] == ':') token.remove_prefix(1);
  if (token.empty()) return false;
  for (char c : token) {
    if (!isTokenChar(c)) return false;  // upper case included
  }
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  if (!value.empty()) {
    const char first = value.front(), last = value.back();
    if (first == ' ' || first == '\t' || last == ' ' || last == '\t') return false;
  }
  return true;
}

bool isConnectionSpecific(std::string_view name, std::string_view value) {
  if (name == "te") return value != "trailers";
  return name == "connection" || name == "keep-alive" || name == "proxy-connection" ||
         name == "transfer-encoding" || name == "upgrade";
}

}  // namespace consentry::proxy::http2
