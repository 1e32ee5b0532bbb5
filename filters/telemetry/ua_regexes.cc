#include "filters/telemetry/ua_regexes.h"

#include "filters/telemetry/regex_prefilter.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <unordered_map>

namespace consentry::filters::telemetry {

namespace {

struct CodeDeleter {
  void operator()(pcre2_code* code) const { pcre2_code_free(code); }
};

char lowerAscii(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

std::optional<std::string> trimmedOrAbsent(const std::string& s) {
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return std::nullopt;
  size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

struct Captures {
  std::string_view subject;
  const PCRE2_SIZE* ovector;
  int count;  // pairs set by the match

  std::optional<std::string_view> group(int n) const {
    if (n <= 0 || n >= count) return std::nullopt;
    const size_t at = 2 * static_cast<size_t>(n);
    if (ovector[at] == PCRE2_UNSET) return std::nullopt;
    return subject.substr(ovector[at], ovector[at + 1] - ovector[at]);
  }
};

// uap-core's replacement rule: "$N" is the N-th group (empty if unset); the result is trimmed and
// an empty result means absent.
std::optional<std::string> substitute(const std::string& replacement, const Captures& caps) {
  std::string out;
  out.reserve(replacement.size() + 16);
  for (size_t i = 0; i < replacement.size(); ++i) {
    char c = replacement[i];
    if (c == '$' && i + 1 < replacement.size() && replacement[i + 1] >= '1' &&
        replacement[i + 1] <= '9') {
      if (auto g = caps.group(replacement[i + 1] - '0')) out.append(*g);
      ++i;
    } else {
      out.push_back(c);
    }
  }
  return trimmedOrAbsent(out);
}

std::optional<std::string> field(const std::optional<std::string>& replacement, int group,
                                 const Captures& caps) {
  if (replacement) return substitute(*replacement, caps);
  if (auto g = caps.group(group)) return trimmedOrAbsent(std::string(*g));
  return std::nullopt;
}

}  // namespace

struct UaRegexes::Rule {
  std::unique_ptr<pcre2_code, CodeDeleter> code;
  bool jit = false;
  // This rule's prefilter in UaRegexes::gates_: [begin, end) holds clauses encoded as
  // (count, literal ids...), see regex_prefilter.h. Flat so the scan stays in cache.
  uint32_t gateBegin = 0, gateEnd = 0;
  // user_agent: family, v1..v4; os: os, os_v1..os_v4; device: device, brand, model.
  std::array<std::optional<std::string>, 5> replacements;
};

UaRegexes::UaRegexes() = default;
UaRegexes::~UaRegexes() = default;

namespace {

constexpr std::array<const char*, 5> kUaKeys = {
    "family_replacement", "v1_replacement", "v2_replacement", "v3_replacement", "v4_replacement"};
constexpr std::array<const char*, 5> kOsKeys = {"os_replacement", "os_v1_replacement",
                                                "os_v2_replacement", "os_v3_replacement",
                                                "os_v4_replacement"};
constexpr std::array<const char*, 5> kDeviceKeys = {"device_replacement", "brand_replacement",
                                                    "model_replacement", nullptr, nullptr};

}  // namespace

Result<std::shared_ptr<const UaRegexes>> UaRegexes::loadString(const std::string& yaml,
                                                               bool prefilter) {
  std::shared_ptr<UaRegexes> set(new UaRegexes());
  set->prefilter_ = prefilter;
  std::unordered_map<std::string, uint32_t> literalIndex;
  YAML::Node root;
  try {
    root = YAML::Load(yaml);
  } catch (const YAML::Exception& e) {
    return makeError(std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                     ": " + e.msg);
  }
  auto loadList = [&](const char* section, const std::array<const char*, 5>& keys,
                      std::vector<Rule>& rules) -> Result<void> {
    YAML::Node list = root[section];
    if (!list || !list.IsSequence()) return makeError(std::string("missing list ") + section);
    for (const auto& item : list) {
      auto where = [&] {
        return std::to_string(item.Mark().line + 1) + ":" + std::to_string(item.Mark().column + 1);
      };
      if (!item.IsMap() || !item["regex"] || !item["regex"].IsScalar()) {
        return makeError(where() + ": " + section + " entry without a regex");
      }
      std::string pattern = item["regex"].Scalar();
      uint32_t options = 0;
      if (item["regex_flag"] && item["regex_flag"].Scalar() == "i") options |= PCRE2_CASELESS;
      int errorCode = 0;
      PCRE2_SIZE errorOffset = 0;
      Rule rule;
      rule.code.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
                                    options, &errorCode, &errorOffset, nullptr));
      if (!rule.code) {
        PCRE2_UCHAR message[256];
        pcre2_get_error_message(errorCode, message, sizeof(message));
        return makeError(where() + ": bad regex at offset " + std::to_string(errorOffset) + ": " +
                         reinterpret_cast<const char*>(message));
      }
      rule.jit = pcre2_jit_compile(rule.code.get(), PCRE2_JIT_COMPLETE) == 0;
      uint32_t captures = 0;
      pcre2_pattern_info(rule.code.get(), PCRE2_INFO_CAPTURECOUNT, &captures);
      set->maxCaptures_ = std::max(set->maxCaptures_, captures);
      for (size_t k = 0; k < keys.size(); ++k) {
        if (keys[k] && item[keys[k]] && item[keys[k]].IsScalar()) {
          rule.replacements[k] = item[keys[k]].Scalar();
        }
      }
      rule.gateBegin = static_cast<uint32_t>(set->gates_.size());
      for (const auto& clause : requiredLiterals(pattern)) {
        set->gates_.push_back(static_cast<uint32_t>(clause.size()));
        for (const auto& literal : clause) {
          auto [it, added] =
              literalIndex.emplace(literal, static_cast<uint32_t>(set->literals_.size()));
          if (added) set->literals_.push_back(literal);
          set->gates_.push_back(it->second);
        }
      }
      rule.gateEnd = static_cast<uint32_t>(set->gates_.size());
      rules.push_back(std::move(rule));
    }
    return {};
  };
  try {
    if (!root.IsMap()) return makeError("1:1: not a uap-core regexes file");
    if (auto r = loadList("user_agent_parsers", kUaKeys, set->uaRules_); !r) return r.error();
    if (auto r = loadList("os_parsers", kOsKeys, set->osRules_); !r) return r.error();
    if (auto r = loadList("device_parsers", kDeviceKeys, set->deviceRules_); !r) {
      return r.error();
    }
  } catch (const YAML::Exception& e) {
    return makeError(std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) +
                     ": " + e.msg);
  }
  set->buildAnchorIndex();
  return std::shared_ptr<const UaRegexes>(std::move(set));
}

void UaRegexes::buildAnchorIndex() {
  // Anchor each literal on its rarest byte pair so the per-UA lists stay short.
  auto pairOf = [](const std::string& lit, size_t i) {
    return (static_cast<uint32_t>(static_cast<uint8_t>(lit[i])) << 8) |
           static_cast<uint8_t>(lit[i + 1]);
  };
  std::vector<uint32_t> frequency(65536, 0);
  for (const auto& lit : literals_) {
    for (size_t i = 0; i + 1 < lit.size(); ++i) ++frequency[pairOf(lit, i)];
  }
  std::vector<uint32_t> anchor(literals_.size());
  anchorOffsets_.assign(65537, 0);
  for (size_t id = 0; id < literals_.size(); ++id) {
    const std::string& lit = literals_[id];
    uint32_t best = pairOf(lit, 0);
    for (size_t i = 1; i + 1 < lit.size(); ++i) {
      if (frequency[pairOf(lit, i)] < frequency[best]) best = pairOf(lit, i);
    }
    anchor[id] = best;
    ++anchorOffsets_[best + 1];
  }
  for (size_t b = 0; b < 65536; ++b) anchorOffsets_[b + 1] += anchorOffsets_[b];
  anchorIds_.resize(literals_.size());
  std::vector<uint32_t> fill(anchorOffsets_.begin(), anchorOffsets_.end() - 1);
  for (size_t id = 0; id < literals_.size(); ++id) {
    anchorIds_[fill[anchor[id]]++] = static_cast<uint32_t>(id);
  }
}

Result<std::shared_ptr<const UaRegexes>> UaRegexes::loadFile(const std::string& path,
                                                             bool prefilter) {
  std::string text;
  {
    std::unique_ptr<FILE, int (*)(FILE*)> f(fopen(path.c_str(), "rb"), &fclose);
    if (!f) return makeError(path + ": " + std::strerror(errno));
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f.get())) > 0) text.append(buf, n);
    if (ferror(f.get())) return makeError(path + ": read error");
  }
  auto r = loadString(text, prefilter);
  if (!r) return makeError(path + ":" + r.error().message);
  return r;
}

size_t UaRegexes::ruleCount() const {
  return uaRules_.size() + osRules_.size() + deviceRules_.size();
}

size_t UaRegexes::prefilteredCount() const {
  size_t n = 0;
  for (const auto* rules : {&uaRules_, &osRules_, &deviceRules_}) {
    for (const auto& r : *rules) n += r.gateBegin == r.gateEnd ? 0 : 1;
  }
  return n;
}

const UaRegexes::Rule* UaRegexes::firstMatch(const std::vector<Rule>& rules, std::string_view ua,
                                             UaScratch& scratch) const {
  auto* md = static_cast<pcre2_match_data*>(scratch.matchData_.get());
  for (const auto& rule : rules) {
    if (prefilter_ && !scratch.satisfies(*this, rule.gateBegin, rule.gateEnd)) continue;
    auto subject = reinterpret_cast<PCRE2_SPTR>(ua.data());
    int rc = rule.jit ? pcre2_jit_match(rule.code.get(), subject, ua.size(), 0, 0, md, nullptr)
                      : pcre2_match(rule.code.get(), subject, ua.size(), 0, 0, md, nullptr);
    if (rc > 0) {
      scratch.lastCount_ = rc;
      return &rule;
    }
  }
  return nullptr;
}

namespace {

// `count` is pcre2_match's return value: groups past it are unset whatever the ovector holds.
Captures capturesOf(std::string_view ua, int count, void* md) {
  return Captures{ua, pcre2_get_ovector_pointer(static_cast<pcre2_match_data*>(md)), count};
}

// User agents and operating systems share uap-core's shape: a family and up to four version
// parts, taken from the replacements or else from capture groups 1..5.
template <typename Raw, typename Replacements>
void fillVersioned(Raw& out, const Replacements& r, const Captures& caps) {
  out.family = field(r[0], 1, caps).value_or("Other");
  out.major = field(r[1], 2, caps);
  out.minor = field(r[2], 3, caps);
  out.patch = field(r[3], 4, caps);
  out.patchMinor = field(r[4], 5, caps);
}

}  // namespace

RawUserAgent UaRegexes::parseUserAgent(std::string_view ua, UaScratch& scratch) const {
  scratch.reset(ua);
  return matchUserAgent(ua, scratch);
}

RawUserAgent UaRegexes::matchUserAgent(std::string_view ua, UaScratch& scratch) const {
  RawUserAgent out;
  if (const Rule* rule = firstMatch(uaRules_, ua, scratch)) {
    Captures caps = capturesOf(ua, scratch.lastCount_, scratch.matchData_.get());
    fillVersioned(out, rule->replacements, caps);
  }
  return out;
}

RawOs UaRegexes::parseOs(std::string_view ua, UaScratch& scratch) const {
  scratch.reset(ua);
  return matchOs(ua, scratch);
}

RawOs UaRegexes::matchOs(std::string_view ua, UaScratch& scratch) const {
  RawOs out;
  if (const Rule* rule = firstMatch(osRules_, ua, scratch)) {
    Captures caps = capturesOf(ua, scratch.lastCount_, scratch.matchData_.get());
    fillVersioned(out, rule->replacements, caps);
  }
  return out;
}

RawDevice UaRegexes::parseDevice(std::string_view ua, UaScratch& scratch) const {
  scratch.reset(ua);
  return matchDevice(ua, scratch);
}

RawDevice UaRegexes::matchDevice(std::string_view ua, UaScratch& scratch) const {
  RawDevice out;
  if (const Rule* rule = firstMatch(deviceRules_, ua, scratch)) {
    Captures caps = capturesOf(ua, scratch.lastCount_, scratch.matchData_.get());
    const auto& r = rule->replacements;
    out.family = field(r[0], 1, caps).value_or("Other");
    out.brand = r[1] ? substitute(*r[1], caps) : std::nullopt;
    out.model = field(r[2], 1, caps);
  }
  return out;
}

RawParse UaRegexes::parse(std::string_view ua, UaScratch& scratch) const {
  // One reset for all three lists: they share the lower-cased UA and the literal memo.
  scratch.reset(ua);
  RawParse out;
  out.ua = matchUserAgent(ua, scratch);
  out.os = matchOs(ua, scratch);
  out.device = matchDevice(ua, scratch);
  return out;
}

UaScratch::UaScratch(const UaRegexes& regexes)
    : regexes_(regexes),
      matchData_(pcre2_match_data_create(regexes.maxCaptures_ + 1, nullptr)),
      hits_(regexes.literals_.size(), 0) {}

UaScratch::~UaScratch() = default;

void UaScratch::MatchDataDeleter::operator()(void* p) const {
  pcre2_match_data_free(static_cast<pcre2_match_data*>(p));
}

void UaScratch::reset(std::string_view ua) {
  for (size_t i = 0; i + 1 < lowered_.size(); ++i) bigramWord(lowered_[i], lowered_[i + 1]) = 0;
  lowered_.resize(ua.size());
  std::transform(ua.begin(), ua.end(), lowered_.begin(), lowerAscii);
  // Every literal starts absent; only those anchored on a byte pair the UA contains become
  // candidates (0) that hasLiteral() verifies. Most literals are thus rejected for free.
  std::fill(hits_.begin(), hits_.end(), 2);
  for (size_t i = 0; i + 1 < lowered_.size(); ++i) {
    char a = lowered_[i], b = lowered_[i + 1];
    uint64_t& word = bigramWord(a, b);
    if (word & bigramMask(a, b)) continue;  // pair already seen in this UA
    word |= bigramMask(a, b);
    size_t pair = bigram(a, b);
    for (uint32_t k = regexes_.anchorOffsets_[pair]; k < regexes_.anchorOffsets_[pair + 1]; ++k) {
      hits_[regexes_.anchorIds_[k]] = 0;
    }
  }
}

bool UaScratch::satisfies(const UaRegexes& regexes, uint32_t begin, uint32_t end) {
  const uint32_t* g = regexes.gates_.data();
  for (uint32_t i = begin; i < end;) {
    uint32_t count = g[i++];
    bool any = false;
    for (uint32_t k = 0; k < count && !any; ++k) any = hasLiteral(regexes, g[i + k]);
    if (!any) return false;
    i += count;
  }
  return true;
}

bool UaScratch::hasLiteral(const UaRegexes& regexes, uint32_t index) {
  uint8_t& h = hits_[index];
  if (h == 0) {
    // Every adjacent pair of the literal must occur in the UA: a bit test per pair rejects
    // nearly all absent literals before the (much slower) memmem.
    const std::string& lit = regexes.literals_[index];
    h = 1;
    for (size_t i = 0; i + 1 < lit.size(); ++i) {
      if (!(bigramWord(lit[i], lit[i + 1]) & bigramMask(lit[i], lit[i + 1]))) {
        h = 2;
        break;
      }
    }
    if (h == 1 && !memmem(lowered_.data(), lowered_.size(), lit.data(), lit.size())) h = 2;
  }
  return h == 1;
}

}  // namespace consentry::filters::telemetry
