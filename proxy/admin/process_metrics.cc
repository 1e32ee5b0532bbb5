// Process metrics in the names the Prometheus client libraries use, read from /proc on every
// scrape (a scrape is rare; caching would only make the numbers stale).

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "proxy/admin/metrics.h"
#include "proxy/admin/prometheus_text.h"

#ifndef CONSENTRY_VERSION
#define CONSENTRY_VERSION "unknown"
#endif

namespace consentry::admin {

namespace {

std::optional<std::string> readSmallFile(const char* path) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) text.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return text;
}

// Whitespace-separated field `index` (0-based) of `text`.
std::string_view field(std::string_view text, size_t index) {
  size_t pos = 0;
  for (size_t i = 0;; ++i) {
    pos = text.find_first_not_of(' ', pos);
    if (pos == std::string_view::npos) return {};
    size_t end = text.find(' ', pos);
    if (end == std::string_view::npos) end = text.size();
    if (i == index) return text.substr(pos, end - pos);
    pos = end;
  }
}

double toDouble(std::string_view s) {
  return std::strtod(std::string(s).c_str(), nullptr);
}

std::optional<double> residentBytes() {
  auto statm = readSmallFile("/proc/self/statm");
  if (!statm) return std::nullopt;
  return toDouble(field(*statm, 1)) * static_cast<double>(sysconf(_SC_PAGESIZE));
}

std::optional<double> openFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;
  double n = 0;
  while (const dirent* e = readdir(dir)) {
    if (e->d_name[0] != '.') ++n;
  }
  closedir(dir);
  return n - 1;  // the descriptor of the directory being read
}

struct StatTimes {
  double cpuSeconds = 0;
  double startTime = 0;
};

std::optional<StatTimes> statTimes() {
  auto stat = readSmallFile("/proc/self/stat");
  auto procStat = readSmallFile("/proc/stat");
  if (!stat || !procStat) return std::nullopt;
  // The command name (field 2) may contain spaces and ')': fields are counted after the last ')'.
  size_t paren = stat->rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::string_view rest = std::string_view(*stat).substr(paren + 1);
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  StatTimes t;
  t.cpuSeconds = (toDouble(field(rest, 11)) + toDouble(field(rest, 12))) / ticks;  // utime stime
  size_t btime = procStat->find("\nbtime ");
  if (btime == std::string::npos) return std::nullopt;
  t.startTime = toDouble(field(std::string_view(*procStat).substr(btime + 7), 0)) +
                toDouble(field(rest, 19)) / ticks;  // starttime, ticks after boot
  return t;
}

void sample(std::string& out, std::string_view name, std::string_view help, std::string_view type,
            double value) {
  prom::appendHeader(out, name, help, type);
  out += name;
  out += ' ';
  prom::appendDouble(out, value);
  out += '\n';
}

}  // namespace

void renderProcessMetrics(std::string& out) {
  if (auto rss = residentBytes()) {
    sample(out, "process_resident_memory_bytes", "Resident memory size in bytes.", "gauge", *rss);
  }
  if (auto fds = openFds()) {
    sample(out, "process_open_fds", "Number of open file descriptors.", "gauge", *fds);
  }
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    sample(out, "process_max_fds", "Maximum number of open file descriptors.", "gauge",
           static_cast<double>(limit.rlim_cur));
  }
  if (auto times = statTimes()) {
    sample(out, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.",
           "counter", times->cpuSeconds);
    sample(out, "process_start_time_seconds",
           "Start time of the process since unix epoch in seconds.", "gauge", times->startTime);
  }
  prom::appendHeader(out, "consentry_build_info", "Consentry build; the value is always 1.",
                     "gauge");
  out += "consentry_build_info";
  prom::appendLabels(out, {{"version", CONSENTRY_VERSION}});
  out += " 1\n";
}

}  // namespace consentry::admin
