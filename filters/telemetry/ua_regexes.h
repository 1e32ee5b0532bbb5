#pragma once
// uap-core's regexes.yaml compiled once with PCRE2 (JIT), plus a literal prefilter: each regex
// carries the literals it cannot match without (regex_prefilter.h), so most regexes are rejected
// by a few memoized memmem calls on the lower-cased UA instead of a regex run. The compiled set is
// immutable and shared by all workers; per-call scratch (PCRE2 match data) lives in a UaScratch
// owned by the caller.

#include <array>
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
  // `prefilter` false runs every regex in turn (benchmarks and equivalence tests compare both).
  static Result<std::shared_ptr<const UaRegexes>> loadFile(const std::string& path,
                                                           bool prefilter = true);
  static Result<std::shared_ptr<const UaRegexes>> loadString(const std::string& yaml,
                                                             bool prefilter = true);

  // Runs the three lists on `ua` (first matching regex wins in each list).
  RawParse parse(std::string_view ua, UaScratch& scratch) const;
  RawUserAgent parseUserAgent(std::string_view ua, UaScratch& scratch) const;
  RawOs parseOs(std::string_view ua, UaScratch& scratch) const;
  RawDevice parseDevice(std::string_view ua, UaScratch& scratch) const;

  size_t ruleCount() const;
  // Statistics for tests and benchmarks: regexes the prefilter can reject.
  size_t prefilteredCount() const;

 private:
  UaRegexes();
  void buildAnchorIndex();
  friend class UaScratch;
  const Rule* firstMatch(const std::vector<Rule>& rules, std::string_view ua,
                         UaScratch& scratch) const;
  RawUserAgent matchUserAgent(std::string_view ua, UaScratch& scratch) const;
  RawOs matchOs(std::string_view ua, UaScratch& scratch) const;
  RawDevice matchDevice(std::string_view ua, UaScratch& scratch) const;

  std::vector<Rule> uaRules_, osRules_, deviceRules_;
  std::vector<std::string> literals_;  // unique prefilter literals, lower case
  std::vector<uint32_t> gates_;        // every rule's prefilter clauses, see Rule
  // literals_ ids by anchor byte pair (CSR: ids of pair p are [offsets[p], offsets[p + 1])).
  std::vector<uint32_t> anchorOffsets_, anchorIds_;
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
  bool satisfies(const UaRegexes& regexes, uint32_t begin, uint32_t end);

  struct MatchDataDeleter {
    void operator()(void* p) const;
  };
  const UaRegexes& regexes_;
  std::unique_ptr<void, MatchDataDeleter> matchData_;
  static size_t bigram(char a, char b) {
    return (static_cast<size_t>(static_cast<uint8_t>(a)) << 8) | static_cast<uint8_t>(b);
  }
  uint64_t& bigramWord(char a, char b) { return bigrams_[bigram(a, b) >> 6]; }
  static uint64_t bigramMask(char a, char b) { return uint64_t{1} << (bigram(a, b) & 63); }

  std::string lowered_;
  std::array<uint64_t, 1024> bigrams_{};  // which byte pairs occur in lowered_
  std::vector<uint8_t> hits_;             // 0 unknown, 1 present, 2 absent
  int lastCount_ = 0;
};

}  // namespace consentry::filters::telemetry
