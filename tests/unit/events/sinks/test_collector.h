#pragma once
// A scripted HTTP/1.1 collector for the http sink tests and benchmark: a thread serving
// 127.0.0.1:<port> (port 0 picks one; a restart reuses it), keep-alive, Content-Length request
// bodies, gzip decoded. Each request is answered with the next scripted status (then the default);
// a negative status is never answered.

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace consentry::testing {

inline bool gunzip(std::string_view in, std::string& out) {
  z_stream zs{};
  if (inflateInit2(&zs, 31) != Z_OK) return false;
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  zs.avail_in = static_cast<uInt>(in.size());
  char buf[65536];
  int r = Z_OK;
  while (r == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof buf;
    r = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof buf - zs.avail_out);
  }
  inflateEnd(&zs);
  return r == Z_STREAM_END;
}

class TestCollector {
 public:
  struct Request {
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;                            // decoded
    int status = 0;                              // what we answered
  };

  explicit TestCollector(bool startNow = true) {
    if (startNow) start();
  }
  ~TestCollector() { stop(); }

  void start() {
    listen_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listen_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port_);
    if (::bind(listen_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) std::abort();
    socklen_t len = sizeof addr;
    ::getsockname(listen_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(listen_, 64);
    if (::pipe2(wake_, O_CLOEXEC) != 0) std::abort();
    thread_ = std::thread([this] { run(); });
  }

  // Closes the listener and every connection: clients see resets / refused connects.
  void stop() {
    if (!thread_.joinable()) return;
    char c = 'x';
    (void)!::write(wake_[1], &c, 1);
    thread_.join();
    ::close(listen_);
    ::close(wake_[0]);
    ::close(wake_[1]);
  }

  uint16_t port() const { return port_; }
  std::string url(const std::string& path = "/ingest") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  void setDefaultStatus(int status) { defaultStatus_ = status; }
  void script(std::vector<int> statuses) {
    std::lock_guard lock(mutex_);
    script_.insert(script_.end(), statuses.begin(), statuses.end());
  }
  std::vector<Request> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  size_t requestCount() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
  }
  uint64_t acceptedLines() const { return acceptedLines_.load(); }

 private:
  struct Conn {
    int fd;
    std::string in;
  };

  void run() {
    std::vector<Conn> conns;
    for (;;) {
      std::vector<pollfd> fds{{wake_[0], POLLIN, 0}, {listen_, POLLIN, 0}};
      for (auto& c : conns) fds.push_back({c.fd, POLLIN, 0});
      if (::poll(fds.data(), fds.size(), 1000) < 0) continue;
      if (fds[0].revents) break;
      if (fds[1].revents & POLLIN) {
        int fd = ::accept4(listen_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd >= 0) conns.push_back({fd, {}});
      }
      for (size_t i = 2; i < fds.size(); ++i) {
        if (!fds[i].revents) continue;
        Conn& c = conns[i - 2];
        char buf[65536];
        ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
        if (n <= 0) {
          ::close(c.fd);
          c.fd = -1;
          continue;
        }
        c.in.append(buf, static_cast<size_t>(n));
        while (serveOne(c)) {
        }
      }
      std::erase_if(conns, [](const Conn& c) { return c.fd < 0; });
    }
    for (auto& c : conns) ::close(c.fd);
  }

  // Answers one complete request from c.in; false when more bytes are needed.
  bool serveOne(Conn& c) {
    size_t end = c.in.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    Request req;
    size_t pos = c.in.find("\r\n") + 2;
    while (pos < end) {
      size_t eol = c.in.find("\r\n", pos);
      std::string line = c.in.substr(pos, eol - pos);
      pos = eol + 2;
      size_t colon = line.find(':');
      std::string name = line.substr(0, colon);
      for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      size_t v = line.find_first_not_of(' ', colon + 1);
      req.headers[name] = v == std::string::npos ? "" : line.substr(v);
    }
    size_t length = std::stoul(req.headers.count("content-length") ? req.headers["content-length"]
                                                                   : std::string("0"));
    if (c.in.size() < end + 4 + length) return false;
    std::string raw = c.in.substr(end + 4, length);
    c.in.erase(0, end + 4 + length);
    auto encoding = req.headers.find("content-encoding");
    if (encoding != req.headers.end() && encoding->second == "gzip") {
      if (!gunzip(raw, req.body)) req.body = "<bad gzip>";
    } else {
      req.body = std::move(raw);
    }
    {
      std::lock_guard lock(mutex_);
      if (!script_.empty()) {
        req.status = script_.front();
        script_.pop_front();
      } else {
        req.status = defaultStatus_.load();
      }
      requests_.push_back(req);
    }
    if (req.status / 100 == 2) {
      uint64_t lines = 0;
      for (char ch : req.body) lines += ch == '\n';
      acceptedLines_ += lines;
    }
    if (req.status < 0) return true;  // scripted hang: the client times out
    // Chunked on 200 to exercise the client's chunked reader; Content-Length otherwise.
    std::string resp;
    if (req.status == 200) {
      resp = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n";
    } else {
      std::string body = "status " + std::to_string(req.status);
      resp = "HTTP/1.1 " + std::to_string(req.status) +
             " Scripted\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    }
    (void)!::send(c.fd, resp.data(), resp.size(), MSG_NOSIGNAL);
    return true;
  }

  uint16_t port_ = 0;
  int listen_ = -1;
  int wake_[2] = {-1, -1};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::deque<int> script_;
  std::vector<Request> requests_;
  std::atomic<int> defaultStatus_{200};
  std::atomic<uint64_t> acceptedLines_{0};
};

}  // namespace consentry::testing
