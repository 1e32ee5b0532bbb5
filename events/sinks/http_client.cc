#include "events/sinks/http_client.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "base/units.h"

namespace consentry::events {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kMaxHeader = 64 * kKiB;
constexpr size_t kMaxBodyKept = 64 * kKiB;

struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};

// One context for the process: loading the system CA store is the expensive part.
SSL_CTX* clientContext() {
  static std::unique_ptr<SSL_CTX, SslCtxDeleter> ctx = [] {
    std::unique_ptr<SSL_CTX, SslCtxDeleter> c(SSL_CTX_new(TLS_client_method()));
    if (c) {
      SSL_CTX_set_min_proto_version(c.get(), TLS1_2_VERSION);
      SSL_CTX_set_default_verify_paths(c.get());
      SSL_CTX_set_verify(c.get(), SSL_VERIFY_PEER, nullptr);
    }
    return c;
  }();
  return ctx.get();
}

int msLeft(Clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

bool waitFd(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    int r = ::poll(&p, 1, msLeft(deadline));
    if (r > 0) return true;
    if (r == 0) return false;
    if (errno != EINTR) return false;
  }
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

Result<HttpUrl> parseHttpUrl(std::string_view url) {
  HttpUrl out;
  if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else if (url.starts_with("https://")) {
    url.remove_prefix(8);
    out.tls = true;
    out.port = 443;
  } else {
    return makeError("url must start with http:// or https://");
  }
  size_t slash = url.find_first_of("/?");
  std::string_view authority = url.substr(0, slash);
  if (slash != std::string_view::npos) {
    out.target = std::string(url.substr(slash));
    if (out.target[0] == '?') out.target.insert(0, "/");
  }
  if (authority.find('@') != std::string_view::npos) return makeError("url: userinfo not allowed");
  std::string_view port;
  if (authority.starts_with("[")) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return makeError("url: bad IPv6 literal");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return makeError("url: bad authority");
      port = rest.substr(1);
    }
  } else {
    size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) return makeError("url: missing host");
  if (!port.empty()) {
    unsigned v = 0;
    auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), v);
    if (ec != std::errc() || p != port.data() + port.size() || v == 0 || v > 65535) {
      return makeError("url: bad port");
    }
    out.port = static_cast<uint16_t>(v);
  }
  return out;
}

struct HttpClient::Connection {
  int fd = -1;
  SSL* ssl = nullptr;
  bool reused = false;
  std::string in;  // received, not yet parsed

  ~Connection() {
    if (ssl) SSL_free(ssl);
    if (fd >= 0) ::close(fd);
  }

  // Waits for what OpenSSL asked for; false on timeout or a fatal error.
  bool sslWait(int ret, Deadline deadline) {
    int err = SSL_get_error(ssl, ret);
    if (err == SSL_ERROR_WANT_READ) return waitFd(fd, POLLIN, deadline);
    if (err == SSL_ERROR_WANT_WRITE) return waitFd(fd, POLLOUT, deadline);
    return false;
  }

  bool writeAll(std::string_view data, Deadline deadline) {
    while (!data.empty()) {
      if (ssl) {
        ERR_clear_error();
        int n =
            SSL_write(ssl, data.data(), static_cast<int>(std::min<size_t>(data.size(), 1 << 30)));
        if (n > 0) {
          data.remove_prefix(static_cast<size_t>(n));
        } else if (!sslWait(n, deadline)) {
          return false;
        }
        continue;
      }
      ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
      if (n > 0) {
        data.remove_prefix(static_cast<size_t>(n));
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        if (!waitFd(fd, POLLOUT, deadline)) return false;
      } else {
        return false;
      }
    }
    return true;
  }

  // Appends received bytes to `in`. 1: got data, 0: orderly close, -1: error or timeout.
  int fill(Deadline deadline) {
    char buf[16384];
    for (;;) {
      if (ssl) {
        ERR_clear_error();
        int n = SSL_read(ssl, buf, sizeof buf);
        if (n > 0) {
          in.append(buf, static_cast<size_t>(n));
          return 1;
        }
        int err = SSL_get_error(ssl, n);
        if (err == SSL_ERROR_ZERO_RETURN) return 0;
        if (!sslWait(n, deadline)) return -1;
        continue;
      }
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n > 0) {
        in.append(buf, static_cast<size_t>(n));
        return 1;
      }
      if (n == 0) return 0;
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
      if (!waitFd(fd, POLLIN, deadline)) return -1;
    }
  }

  // Makes `in` hold at least `n` bytes.
  bool need(size_t n, Deadline deadline) {
    while (in.size() < n) {
      if (fill(deadline) <= 0) return false;
    }
    return true;
  }

  // Reads through the next CRLF; returns the line without it.
  bool line(std::string& out, Deadline deadline) {
    size_t scanned = 0;
    for (;;) {
      size_t eol = in.find("\r\n", scanned > 0 ? scanned - 1 : 0);
      if (eol != std::string::npos) {
        out = in.substr(0, eol);
        in.erase(0, eol + 2);
        return true;
      }
      scanned = in.size();
      if (scanned > kMaxHeader || fill(deadline) <= 0) return false;
    }
  }
};

HttpClient::HttpClient(HttpUrl url, std::chrono::milliseconds timeout)
    : url_(std::move(url)), timeout_(timeout) {}

HttpClient::~HttpClient() = default;

void HttpClient::close() {
  conn_.reset();
}

Result<void> HttpClient::connect(Deadline deadline) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  std::string port = std::to_string(url_.port);
  int gai = ::getaddrinfo(url_.host.c_str(), port.c_str(), &hints, &res);
  if (gai != 0) return makeError("resolve " + url_.host + ": " + ::gai_strerror(gai));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(res, &::freeaddrinfo);
  std::string lastError = "no address";
  for (addrinfo* ai = res; ai; ai = ai->ai_next) {
    auto conn = std::make_unique<Connection>();
    conn->fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (conn->fd < 0) continue;
    int one = 1;
    ::setsockopt(conn->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int r = ::connect(conn->fd, ai->ai_addr, ai->ai_addrlen);
    if (r < 0 && errno != EINPROGRESS) {
      lastError = std::strerror(errno);
      continue;
    }
    if (r < 0) {
      if (!waitFd(conn->fd, POLLOUT, deadline)) {
        lastError = "connect timeout";
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(conn->fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        lastError = std::strerror(err);
        continue;
      }
    }
    if (url_.tls) {
      SSL_CTX* ctx = clientContext();
      if (!ctx) return makeError("TLS: no client context");
      conn->ssl = SSL_new(ctx);
      if (!conn->ssl) return makeError("TLS: SSL_new failed");
      SSL_set_fd(conn->ssl, conn->fd);
      SSL_set_tlsext_host_name(conn->ssl, url_.host.c_str());
      SSL_set1_host(conn->ssl, url_.host.c_str());
      bool done = false;
      for (;;) {
        ERR_clear_error();
        int h = SSL_connect(conn->ssl);
        if (h == 1) {
          done = true;
          break;
        }
        if (!conn->sslWait(h, deadline)) break;
      }
      if (!done) {
        long verify = SSL_get_verify_result(conn->ssl);
        lastError = verify != X509_V_OK
                        ? std::string("TLS verify: ") + X509_verify_cert_error_string(verify)
                        : "TLS handshake failed";
        continue;
      }
    }
    conn_ = std::move(conn);
    return {};
  }
  return makeError("connect " + url_.host + ":" + port + ": " + lastError);
}

Result<HttpResponse> HttpClient::exchange(std::string_view request, Deadline deadline,
                                          bool& sentNothing) {
  Connection& c = *conn_;
  sentNothing = true;
  if (!c.writeAll(request, deadline)) {
    return makeError(Clock::now() >= deadline ? "timeout sending request" : "send failed");
  }
  std::string status;
  if (!c.line(status, deadline)) {
    return makeError(Clock::now() >= deadline ? "timeout waiting for response"
                                              : "connection closed before response");
  }
  sentNothing = false;
  HttpResponse resp;
  // "HTTP/1.1 200 OK"
  if (status.size() < 12 || !status.starts_with("HTTP/1.")) return makeError("bad status line");
  bool http10 = status[7] == '0';
  auto [p, ec] = std::from_chars(status.data() + 9, status.data() + 12, resp.status);
  if (ec != std::errc() || p != status.data() + 12) return makeError("bad status code");
  if (status.size() > 13) resp.reason = status.substr(13);
  int64_t contentLength = -1;
  bool chunked = false;
  bool keepAlive = !http10;
  size_t headerBytes = 0;
  for (;;) {
    std::string h;
    if (!c.line(h, deadline)) return makeError("truncated response headers");
    if (h.empty()) break;
    headerBytes += h.size();
    if (headerBytes > kMaxHeader) return makeError("response headers too large");
    size_t colon = h.find(':');
    if (colon == std::string::npos) continue;
    std::string name = lower(trim(std::string_view(h).substr(0, colon)));
    std::string value = lower(trim(std::string_view(h).substr(colon + 1)));
    if (name == "content-length") {
      auto [q, e] = std::from_chars(value.data(), value.data() + value.size(), contentLength);
      if (e != std::errc() || contentLength < 0) return makeError("bad content-length");
    } else if (name == "transfer-encoding") {
      chunked = value.find("chunked") != std::string::npos;
    } else if (name == "connection") {
      if (value.find("close") != std::string::npos) keepAlive = false;
      if (value.find("keep-alive") != std::string::npos) keepAlive = true;
    }
  }
  auto keep = [&](std::string_view data) {
    if (resp.body.size() < kMaxBodyKept) {
      resp.body.append(data.substr(0, kMaxBodyKept - resp.body.size()));
    }
  };
  bool noBody = resp.status == 204 || resp.status == 304 || resp.status / 100 == 1;
  if (noBody) {
  } else if (chunked) {
    for (;;) {
      std::string sizeLine;
      if (!c.line(sizeLine, deadline)) return makeError("truncated chunked body");
      uint64_t size = 0;
      auto [q, e] = std::from_chars(sizeLine.data(), sizeLine.data() + sizeLine.size(), size, 16);
      if (e != std::errc() || q == sizeLine.data()) return makeError("bad chunk size");
      if (size == 0) {
        std::string trailer;
        do {
          if (!c.line(trailer, deadline)) return makeError("truncated trailers");
        } while (!trailer.empty());
        break;
      }
      if (size > (uint64_t{1} << 32) || !c.need(size + 2, deadline)) {
        return makeError("truncated chunk");
      }
      keep(std::string_view(c.in).substr(0, size));
      c.in.erase(0, size + 2);
    }
  } else if (contentLength >= 0) {
    auto left = static_cast<uint64_t>(contentLength);
    while (left > 0) {
      if (c.in.empty() && c.fill(deadline) <= 0) return makeError("truncated body");
      size_t take = static_cast<size_t>(std::min<uint64_t>(left, c.in.size()));
      keep(std::string_view(c.in).substr(0, take));
      c.in.erase(0, take);
      left -= take;
    }
  } else {
    keepAlive = false;
    for (;;) {
      keep(c.in);
      c.in.clear();
      int r = c.fill(deadline);
      if (r == 0) break;
      if (r < 0) return makeError("truncated body");
    }
  }
  if (!keepAlive) conn_.reset();
  return resp;
}

Result<HttpResponse> HttpClient::post(
    const std::vector<std::pair<std::string, std::string>>& headers, std::string_view body) {
  Deadline deadline = Clock::now() + timeout_;
  std::string request = "POST " + url_.target + " HTTP/1.1\r\nHost: " + url_.host;
  bool defaultPort = url_.port == (url_.tls ? 443 : 80);
  if (!defaultPort) request.append(":").append(std::to_string(url_.port));
  request += "\r\nUser-Agent: consentry\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  for (const auto& [name, value] : headers)
    request.append(name).append(": ").append(value).append("\r\n");
  request += "\r\n";
  request.append(body);
  // A kept-alive connection the server closed while idle fails before any response byte: one
  // retry on a fresh connection (at-least-once: the collector dedups on event id).
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!conn_) {
      auto connected = connect(deadline);
      if (!connected) return connected.error();
    }
    bool reused = conn_->reused;
    conn_->reused = true;
    bool sentNothing = true;
    auto resp = exchange(request, deadline, sentNothing);
    if (resp) return resp;
    conn_.reset();
    if (!(reused && sentNothing) || Clock::now() >= deadline) return resp.error();
  }
  return makeError("connection closed before response");
}

}  // namespace consentry::events
