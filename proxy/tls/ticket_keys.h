#pragma once
// Session ticket keys for one TLS listener, shared by every worker (tickets issued by one worker
// resume on another). A key encrypts new tickets for one rotation period, then keeps decrypting
// for one more period so that tickets issued just before a rotation still resume. Keys are random
// (RAND_bytes), live only in memory and rotate lazily: the first handshake after a period ends
// makes the new key, so an idle listener does no work.

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>

#include "base/units.h"

namespace consentry::proxy::tls {

class TicketKeys {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr size_t kNameBytes = 16;

  struct Key {
    std::array<unsigned char, kNameBytes> name{};
    std::array<unsigned char, 32> aes{};   // AES-256-CBC
    std::array<unsigned char, 32> hmac{};  // HMAC-SHA256
  };
  struct Found {
    Key key;
    bool current = false;  // false: the previous key; the ticket should be renewed
  };

  explicit TicketKeys(Duration rotation);
  TicketKeys(const TicketKeys&) = delete;
  TicketKeys& operator=(const TicketKeys&) = delete;

  // A reload may change the period; the current key keeps its age.
  void setRotation(Duration rotation);
  Duration rotation() const;
  // The key that encrypts tickets issued at `now`.
  Key encryptionKey(Clock::time_point now);
  // The key named `name` if it still decrypts at `now` (current or previous).
  std::optional<Found> find(const unsigned char* name, Clock::time_point now);

 private:
  void rotateIfDue(Clock::time_point now);  // with mutex_ held
  static Key randomKey();

  mutable std::mutex mutex_;
  Duration rotation_;
  Key current_;
  std::optional<Key> previous_;
  std::optional<Clock::time_point> since_;  // when current_ started encrypting
};

}  // namespace consentry::proxy::tls
