#include "base/units.h"

#include <charconv>

namespace consentry {
namespace {

// Splits "123unit" into the number and the unit; rejects signs, spaces and empty numbers.
bool splitNumber(std::string_view text, uint64_t& number, std::string_view& unit) {
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, number);
  if (ec != std::errc() || ptr == text.data()) return false;
  unit = std::string_view(ptr, static_cast<size_t>(end - ptr));
  return true;
}

bool checkedMul(uint64_t a, uint64_t b, uint64_t& out) {
  return !__builtin_mul_overflow(a, b, &out);
}

}  // namespace

std::optional<Duration> parseDuration(std::string_view text) {
  uint64_t n = 0;
  std::string_view unit;
  if (!splitNumber(text, n, unit)) return std::nullopt;
  uint64_t factor = 0;
  if (unit == "ms") {
    factor = 1;
  } else if (unit == "s") {
    factor = 1000;
  } else if (unit == "m") {
    factor = 60'000;
  } else if (unit == "h") {
    factor = 3'600'000;
  } else if (unit == "d") {
    factor = 86'400'000;
  } else {
    return std::nullopt;
  }
  uint64_t ms = 0;
  if (!checkedMul(n, factor, ms) || ms > (uint64_t{1} << 53)) return std::nullopt;
  return Duration(static_cast<int64_t>(ms));
}

std::optional<std::chrono::microseconds> parseMicroseconds(std::string_view text) {
  if (text == "0") return std::chrono::microseconds(0);
  if (text.ends_with("us")) {
    uint64_t n = 0;
    std::string_view unit;
    if (!splitNumber(text, n, unit) || unit != "us" || n > (uint64_t{1} << 53)) return std::nullopt;
    return std::chrono::microseconds(static_cast<int64_t>(n));
  }
  if (auto ms = parseDuration(text)) return std::chrono::microseconds(*ms);
  return std::nullopt;
}

std::optional<uint64_t> parseSize(std::string_view text) {
  uint64_t n = 0;
  std::string_view unit;
  if (!splitNumber(text, n, unit)) return std::nullopt;
  uint64_t factor = 0;
  if (unit.empty() || unit == "B") {
    factor = 1;
  } else if (unit == "KiB") {
    factor = uint64_t{1} << 10;
  } else if (unit == "MiB") {
    factor = uint64_t{1} << 20;
  } else if (unit == "GiB") {
    factor = uint64_t{1} << 30;
  } else if (unit == "TiB") {
    factor = uint64_t{1} << 40;
  } else if (unit == "KB" || unit == "kB") {
    factor = 1000;
  } else if (unit == "MB") {
    factor = 1000'000;
  } else if (unit == "GB") {
    factor = 1000'000'000;
  } else {
    return std::nullopt;
  }
  uint64_t bytes = 0;
  if (!checkedMul(n, factor, bytes)) return std::nullopt;
  return bytes;
}

std::string formatDuration(Duration d) {
  const int64_t ms = d.count();
  if (ms != 0 && ms % 86'400'000 == 0) return std::to_string(ms / 86'400'000) + "d";
  if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string formatMicroseconds(std::chrono::microseconds d) {
  if (d.count() % 1000 == 0) return formatDuration(std::chrono::duration_cast<Duration>(d));
  return std::to_string(d.count()) + "us";
}

std::string formatSize(uint64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  int u = 0;
  while (u < 4 && bytes != 0 && bytes % 1024 == 0) {
    bytes /= 1024;
    ++u;
  }
  return std::to_string(bytes) + kUnits[u];
}

}  // namespace consentry
