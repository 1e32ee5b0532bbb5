#include "proxy/tls/ticket_keys.h"

#include <openssl/rand.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace consentry::proxy::tls {

TicketKeys::TicketKeys(Duration rotation)
    : rotation_(std::max(rotation, Duration(1))), current_(randomKey()) {}

void TicketKeys::setRotation(Duration rotation) {
  std::lock_guard lock(mutex_);
  rotation_ = std::max(rotation, Duration(1));
}

Duration TicketKeys::rotation() const {
  std::lock_guard lock(mutex_);
  return rotation_;
}

TicketKeys::Key TicketKeys::randomKey() {
  Key key;
  // Without randomness there is no safe ticket key: a predictable one would let anyone decrypt
  // every resumed session. OpenSSL's DRBG fails only when the OS entropy source is broken.
  if (RAND_bytes(key.name.data(), static_cast<int>(key.name.size())) != 1 ||
      RAND_bytes(key.aes.data(), static_cast<int>(key.aes.size())) != 1 ||
      RAND_bytes(key.hmac.data(), static_cast<int>(key.hmac.size())) != 1) {
    std::abort();
  }
  return key;
}

void TicketKeys::rotateIfDue(Clock::time_point now) {
  if (!since_) {
    since_ = now;  // the first key starts its period when it is first used
    return;
  }
  if (now - *since_ < rotation_) return;
  if (now - *since_ >= 2 * rotation_) {
    previous_.reset();  // idle for two periods: the old key would not decrypt anything valid
  } else {
    previous_ = current_;
  }
  current_ = randomKey();
  since_ = now;
}

TicketKeys::Key TicketKeys::encryptionKey(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  rotateIfDue(now);
  return current_;
}

std::optional<TicketKeys::Found> TicketKeys::find(const unsigned char* name,
                                                  Clock::time_point now) {
  std::lock_guard lock(mutex_);
  rotateIfDue(now);
  if (std::memcmp(name, current_.name.data(), kNameBytes) == 0) return Found{current_, true};
  if (previous_ && std::memcmp(name, previous_->name.data(), kNameBytes) == 0) {
    return Found{*previous_, false};
  }
  return std::nullopt;
}

}  // namespace consentry::proxy::tls
