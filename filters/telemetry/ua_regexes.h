#pragma once
// uap-core's regexes.yaml compiled once with PCRE2 (JIT), plus a literal prefilter: each regex
// carries the longest literal it cannot match without, so most regexes are rejected with a
// memmem on the lower-cased UA instead of a regex run. The compiled set is immutable and shared by
// all workers; per-call scratch (PCRE2 match data) lives in a UaScratch owned by the caller.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace consentry::filters::telemetry {

// uap-core's raw answer. Families default to "Other"; absent versions stay nullopt.
struct RawUserAgent {
  std::string family = "Other";
  std::optional<std::string> major, minor, patch, patchMinor;
};
struct RawOs {
  std::string family = "Other";
  std::optional<std::string> major, minor, patch, patchMinor;
};
struct RawDevice {
  std::string family = "Other";
  std::optional<std::string> brand, model;
};
struct RawParse {
  RawUserAgent ua;
  RawOs os;
  RawDevice device;
};

class UaScratch;

// The three parser lists of regexes.yaml, compiled.
class UaRegexes {
 public:
  struct Rule;
  ~UaRegexes();
  UaRegexes(const UaRegexes&) = delete;
  UaRegexes& operator=(const UaRegexes&) = delete;

  // Reads and compiles a regexes.yaml file; errors name the file and the offending regex.
  static Result<std::shared_ptr<const UaRegexes>> loadFile(const std::string& path);
  static Result<std::shared_ptr<const UaRegexes>> loadString(const std::string& yaml);

  // Runs the three lists on `ua` (first matching regex wins in each list).
  RawParse parse(std::string_view ua, UaScratch& scratch) const;
  RawUserAgent parseUserAgent(std::string_view ua, UaScratch& scratch) const;
  RawOs parseOs(std::string_view ua, UaScratch& scratch) const;
  RawDevice parseDevice(std::string_view ua, UaScratch& scratch) const;

  size_t ruleCount() const;
  // Statistics for tests and benchmarks: regexes whose prefilter literal is non-empty.
  size_t prefilteredCount() const;

  // Disables the prefilter (benchmarks compare both).
  void setPrefilter(bool on) { prefilter_ = on; }

 private:
  UaRegexes();
  friend class UaScratch;
  const Rule* firstMatch(const std::vector<Rule>& rules, std::string_view ua,
                         UaScratch& scratch) const;
  RawUserAgent matchUserAgent(std::string_view ua, UaScratch& scratch) const;
  RawOs matchOs(std::string_view ua, UaScratch& scratch) const;
  RawDevice matchDevice(std::string_view ua, UaScratch& scratch) const;

  std::vector<Rule> uaRules_, osRules_, deviceRules_;
  std::vector<std::string> literals_;  // unique prefilter literals, lower case
  uint32_t maxCaptures_ = 0;
  bool prefilter_ = true;
};

// Per-thread scratch for UaRegexes: PCRE2 match data and the lower-cased UA with its memoized
// literal hits. Cheap to keep per worker, not thread-safe.
class UaScratch {
 public:
  explicit UaScratch(const UaRegexes& regexes);
  ~UaScratch();
  UaScratch(const UaScratch&) = delete;
  UaScratch& operator=(const UaScratch&) = delete;

 private:
  friend class UaRegexes;
  void reset(std::string_view ua);
  bool hasLiteral(const UaRegexes& regexes, uint32_t index);

  struct MatchDataDeleter {
    void operator()(void* p) const;
  };
  std::unique_ptr<void, MatchDataDeleter> matchData_;
  std::string lowered_;
  std::vector<uint8_t> hits_;  // 0 unknown, 1 present, 2 absent
  int lastCount_ = 0;
};

// The longest literal (lower case) every match of `pattern` must contain; empty if none is found.
// Exposed for tests.
std::string requiredLiteral(std::string_view pattern);

}  // namespace consentry::filters::telemetry
