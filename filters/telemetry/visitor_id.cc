#include "filters/telemetry/visitor_id.h"

#include <openssl/rand.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/random.h>

#include <cerrno>
#include <cstring>

#include "base/hex.h"

namespace consentry::filters::telemetry {

namespace {

Result<void> fillRandom(uint8_t* out, size_t size) {
  size_t done = 0;
  while (done < size) {
    ssize_t n = getrandom(out + done, size - done, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return makeError(std::string("getrandom: ") + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  return {};
}

// 16 bytes as the 32 hex digits of a visitor id, written in place (no heap string per id).
events::VisitorId hexId(const uint8_t* data) {
  static_assert(events::VisitorId::capacity() == 32);
  events::VisitorId out;
  hex::write32(data, out.data());
  out.setSize(32);
  return out;
}

std::string cookieAttributes(bool secure) {
  std::string s = "; Path=/; HttpOnly; SameSite=Lax";
  if (secure) s += "; Secure";
  return s;
}

}  // namespace

Result<events::VisitorId> newVisitorId() {
  constexpr size_t kIdBytes = events::VisitorId::capacity() / 2;
  // OpenSSL's per-thread DRBG (seeded from the kernel, reseeded on fork), drawn 256 ids (4 KiB)
  // at a time: one RAND_bytes call costs about a microsecond whatever its length (locking, the
  // parameter lookups of the EVP layer), which made a new visitor's id the largest single item
  // of the event path; at 32 ids a call it was still 3.5 % of the varied event path. Each id still
  // takes its own, never reused, DRBG output bytes. The pool is per thread, and Consentry never
  // forks after start-up, so no two processes share one.
  struct Pool {
    uint8_t bytes[256 * kIdBytes];
    size_t used = sizeof(bytes);
  };
  thread_local Pool pool;
  if (pool.used + kIdBytes > sizeof(pool.bytes)) {
    if (RAND_bytes(pool.bytes, sizeof(pool.bytes)) != 1) {
      if (auto r = fillRandom(pool.bytes, sizeof(pool.bytes)); !r) return r.error();
    }
    pool.used = 0;
  }
  const uint8_t* id = pool.bytes + pool.used;
  const events::VisitorId text = hexId(id);
  // Wiped once handed out, so the pool never holds an id that is already in use.
  std::memset(pool.bytes + pool.used, 0, kIdBytes);
  pool.used += kIdBytes;
  return text;
}

bool isValidVisitorId(std::string_view id) {
  return id.size() == 32 && hex::isLowerHex32(id.data());
}

std::string visitorCookie(std::string_view name, std::string_view id, bool secure) {
  return std::string(name) + "=" + std::string(id) +
         "; Max-Age=" + std::to_string(kVisitorCookieMaxAge) + cookieAttributes(secure);
}

std::string expiredVisitorCookie(std::string_view name, bool secure) {
  return std::string(name) + "=; Max-Age=0" + cookieAttributes(secure);
}

DailySecret::~DailySecret() {
  OPENSSL_cleanse(key_.data(), key_.size());
}

Result<DailySecret::Key> DailySecret::keyFor(int64_t day) {
  std::lock_guard lock(mutex_);
  if (day < day_) return makeError("daily secret for a past day is gone");
  if (day > day_) {
    Key fresh;
    if (auto r = fillRandom(fresh.data(), fresh.size()); !r) return r.error();
    OPENSSL_cleanse(key_.data(), key_.size());
    key_ = fresh;
    OPENSSL_cleanse(fresh.data(), fresh.size());
    day_ = day;
  }
  return key_;
}

DailyHasher::~DailyHasher() {
  OPENSSL_cleanse(key_.data(), key_.size());
}

Result<events::VisitorId> DailyHasher::hash(std::string_view host, std::string_view ip,
                                            std::string_view ua,
                                            std::chrono::system_clock::time_point now) {
  int64_t day = std::chrono::floor<std::chrono::days>(now).time_since_epoch().count();
  if (day != day_) {
    auto key = secret_->keyFor(day);
    if (!key) return key.error();
    key_ = *key;
    day_ = day;
  }
  std::string message;
  message.reserve(host.size() + ip.size() + ua.size() + 2);
  message.append(host).append(1, '\0').append(ip).append(1, '\0').append(ua);
  uint8_t mac[EVP_MAX_MD_SIZE];
  unsigned int macSize = 0;
  if (!HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
            reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac,
            &macSize)) {
    return makeError("HMAC-SHA256 failed");
  }
  return hexId(mac);  // the first 128 bits
}

}  // namespace consentry::filters::telemetry
