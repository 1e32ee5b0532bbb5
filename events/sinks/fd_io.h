#pragma once
// Small POSIX write helpers shared by the file and stdout sinks (no exceptions, errno kept).

#include <cerrno>
#include <string_view>

#include <unistd.h>

namespace consentry::events {

// Writes all of `data` to `fd`, retrying on EINTR and short writes. Returns 0 or an errno value.
inline int writeAll(int fd, std::string_view data) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return 0;
}

}  // namespace consentry::events
