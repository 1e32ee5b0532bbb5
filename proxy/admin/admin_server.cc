#include "proxy/admin/admin_server.h"

#include <arpa/inet.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <mutex>
#include <thread>

#include "base/units.h"

namespace consentry::admin {

namespace {

struct HostPort {
  std::string host;
  uint16_t port = 0;
};

Result<HostPort> splitAddress(std::string_view address) {
  std::string_view host;
  std::string_view port;
  if (address.starts_with('[')) {
    size_t close = address.find(']');
    if (close == std::string_view::npos || close + 1 >= address.size() ||
        address[close + 1] != ':') {
      return makeError("admin address '" + std::string(address) + "': expected [v6]:port");
    }
    host = address.substr(1, close - 1);
    port = address.substr(close + 2);
  } else {
    size_t colon = address.rfind(':');
    if (colon == std::string_view::npos) {
      return makeError("admin address '" + std::string(address) + "': expected host:port");
    }
    host = address.substr(0, colon);
    port = address.substr(colon + 1);
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (host.empty() || port.empty() || ec != std::errc() || end != port.data() + port.size() ||
      value > 65535) {
    return makeError("admin address '" + std::string(address) + "': bad host or port");
  }
  return HostPort{std::string(host), static_cast<uint16_t>(value)};
}

std::string_view methodName(evhttp_cmd_type cmd) {
  switch (cmd) {
    case EVHTTP_REQ_GET:
      return "GET";
    case EVHTTP_REQ_HEAD:
      return "HEAD";
    case EVHTTP_REQ_POST:
      return "POST";
    case EVHTTP_REQ_PUT:
      return "PUT";
    case EVHTTP_REQ_DELETE:
      return "DELETE";
    case EVHTTP_REQ_OPTIONS:
      return "OPTIONS";
    case EVHTTP_REQ_TRACE:
      return "TRACE";
    case EVHTTP_REQ_CONNECT:
      return "CONNECT";
    case EVHTTP_REQ_PATCH:
      return "PATCH";
  }
  return "OTHER";
}

const char* reasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 503:
      return "Service Unavailable";
  }
  return "";
}

}  // namespace

struct AdminServer::Impl {
  MetricsRegistry& registry;
  std::atomic<bool> listenersUp{false};
  std::atomic<bool> draining{false};
  mutable std::mutex mutex;  // checks and config getter
  std::vector<std::pair<std::string, ReadinessCheck>> checks;
  ConfigGetter config;

  event_base* base = nullptr;
  evhttp* http = nullptr;
  event* wake = nullptr;
  int wakePipe[2] = {-1, -1};
  std::thread thread;
  std::atomic<uint16_t> port{0};

  explicit Impl(MetricsRegistry& r) : registry(r) {}

  void release() {
    if (http) evhttp_free(http);
    if (wake) event_free(wake);
    if (base) event_base_free(base);
    for (int& fd : wakePipe) {
      if (fd >= 0) close(fd);
      fd = -1;
    }
    http = nullptr;
    wake = nullptr;
    base = nullptr;
  }

  AdminContext context() const {
    AdminContext c;
    c.registry = &registry;
    c.readiness.listenersUp = listenersUp.load();
    c.readiness.draining = draining.load();
    std::lock_guard lock(mutex);
    c.config = config;
    c.readiness.checks = checks;
    return c;
  }

  static void onRequest(evhttp_request* req, void* arg) {
    auto* self = static_cast<Impl*>(arg);
    const evhttp_uri* uri = evhttp_request_get_evhttp_uri(req);
    const char* rawPath = uri ? evhttp_uri_get_path(uri) : nullptr;
    std::string_view path = rawPath && *rawPath ? rawPath : "/";
    AdminResponse response =
        handleAdminRequest(methodName(evhttp_request_get_command(req)), path, self->context());
    evkeyvalq* headers = evhttp_request_get_output_headers(req);
    evhttp_add_header(headers, "Content-Type", response.contentType.c_str());
    evhttp_add_header(headers, "Cache-Control", "no-store");
    for (const auto& [name, value] : response.headers) {
      evhttp_add_header(headers, name.c_str(), value.c_str());
    }
    evbuffer* body = evbuffer_new();
    if (body == nullptr) {
      evhttp_send_error(req, 500, nullptr);
      return;
    }
    // evhttp would send a body on HEAD too: announce the GET length and send nothing.
    if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
      evhttp_add_header(headers, "Content-Length", std::to_string(response.body.size()).c_str());
    } else {
      evbuffer_add(body, response.body.data(), response.body.size());
    }
    evhttp_send_reply(req, response.status, reasonPhrase(response.status), body);
    evbuffer_free(body);
  }

  static void onWake(evutil_socket_t, short, void* arg) {
    event_base_loopbreak(static_cast<Impl*>(arg)->base);
  }
};

AdminServer::AdminServer(MetricsRegistry& registry) : impl_(std::make_unique<Impl>(registry)) {}

AdminServer::~AdminServer() {
  stop();
}

Result<void> AdminServer::start(ConfigGetter config, std::string_view address) {
  if (impl_->thread.joinable()) return makeError("admin server already running");
  auto hostPort = splitAddress(address);
  if (!hostPort) return hostPort.error();
  {
    std::lock_guard lock(impl_->mutex);
    impl_->config = std::move(config);
  }
  Impl& s = *impl_;
  // libevent is not made thread-aware here, so stop() wakes the loop through a pipe instead of
  // calling event_base_loopbreak() from another thread.
  if (pipe2(s.wakePipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    return makeError("admin server: pipe failed");
  }
  s.base = event_base_new();
  s.http = s.base ? evhttp_new(s.base) : nullptr;
  s.wake = s.base ? event_new(s.base, s.wakePipe[0], EV_READ, &Impl::onWake, &s) : nullptr;
  if (!s.http || !s.wake || event_add(s.wake, nullptr) != 0) {
    s.release();
    return makeError("admin server: libevent setup failed");
  }
  // Every method reaches our handler, which answers 405 itself instead of libevent's 501.
  evhttp_set_allowed_methods(s.http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD | EVHTTP_REQ_POST |
                                         EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
                                         EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
  evhttp_set_timeout(s.http, 10);
  evhttp_set_max_headers_size(s.http, 16 * kKiB);
  evhttp_set_max_body_size(s.http, 4 * kKiB);
  evhttp_set_gencb(s.http, &Impl::onRequest, &s);
  evhttp_bound_socket* bound =
      evhttp_bind_socket_with_handle(s.http, hostPort->host.c_str(), hostPort->port);
  if (bound == nullptr) {
    s.release();
    return makeError("admin server: cannot listen on " + std::string(address));
  }
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(evhttp_bound_socket_get_fd(bound), reinterpret_cast<sockaddr*>(&addr), &len) ==
      0) {
    s.port = ntohs(addr.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port
                                              : reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
  }
  s.thread = std::thread([&s] { event_base_dispatch(s.base); });
  return {};
}

void AdminServer::stop() {
  Impl& s = *impl_;
  if (!s.thread.joinable()) return;
  const char byte = 1;
  while (write(s.wakePipe[1], &byte, 1) < 0 && errno == EINTR) {
  }
  s.thread.join();
  s.release();
  s.port = 0;
}

uint16_t AdminServer::port() const {
  return impl_->port.load();
}

void AdminServer::setListenersUp(bool up) {
  impl_->listenersUp.store(up);
}

void AdminServer::setDraining(bool draining) {
  impl_->draining.store(draining);
}

void AdminServer::addReadinessCheck(std::string name, ReadinessCheck check) {
  std::lock_guard lock(impl_->mutex);
  for (auto& [existing, fn] : impl_->checks) {
    if (existing == name) {
      fn = std::move(check);
      return;
    }
  }
  impl_->checks.emplace_back(std::move(name), std::move(check));
}

}  // namespace consentry::admin
