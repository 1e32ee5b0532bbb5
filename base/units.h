#pragma once
// Human-readable durations ("250ms", "10s", "5m", "1h", "13d") and sizes ("16KiB", "100MiB",
// "1GiB", plain bytes) as used throughout the config file. The few settings finer than a
// millisecond (busy polling) also take microseconds ("50us").

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace consentry {

using Duration = std::chrono::milliseconds;

// Size constants in 64-bit arithmetic, so `64 * kKiB` cannot overflow int before it widens.
inline constexpr uint64_t kKiB = 1024;
inline constexpr uint64_t kMiB = 1024 * kKiB;

std::optional<Duration> parseDuration(std::string_view text);
// "50us", any parseDuration() text, or a bare "0".
std::optional<std::chrono::microseconds> parseMicroseconds(std::string_view text);
std::optional<uint64_t> parseSize(std::string_view text);
std::string formatDuration(Duration d);
std::string formatMicroseconds(std::chrono::microseconds d);
std::string formatSize(uint64_t bytes);

}  // namespace consentry
