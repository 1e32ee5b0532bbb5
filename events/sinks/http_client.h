#pragma once
// A minimal blocking HTTP/1.1 client for the http sink: one keep-alive connection, POST only,
// every step bounded by a deadline (non-blocking socket + poll), http:// or https:// (OpenSSL,
// peer verified against the system CA store and the URL's host name). Responses are read with
// Content-Length, chunked or read-until-close framing. Runs on the sink thread only.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.h"

namespace consentry::events {

struct HttpUrl {
  bool tls = false;
  std::string host;
  uint16_t port = 80;
  std::string target = "/";  // path and query
};

// Accepts http://host[:port][/path] and https://...; IPv6 literals in brackets.
Result<HttpUrl> parseHttpUrl(std::string_view url);

struct HttpResponse {
  int status = 0;
  std::string reason;
  std::string body;  // at most the first 64 KiB
};

class HttpClient {
 public:
  HttpClient(HttpUrl url, std::chrono::milliseconds timeout);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one POST and reads the response. An error is a transport failure (connect, TLS,
  // timeout, reset, malformed response): the request may or may not have been processed.
  Result<HttpResponse> post(const std::vector<std::pair<std::string, std::string>>& headers,
                            std::string_view body);
  void close();
  const HttpUrl& url() const { return url_; }

 private:
  struct Connection;
  using Deadline = std::chrono::steady_clock::time_point;
  Result<void> connect(Deadline deadline);
  Result<HttpResponse> exchange(std::string_view request, Deadline deadline, bool& sentNothing);

  HttpUrl url_;
  std::chrono::milliseconds timeout_;
  std::unique_ptr<Connection> conn_;
};

}  // namespace consentry::events
