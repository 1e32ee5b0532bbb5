// OneTrust's OptanonConsent (docs/consent.md): a query-string-like value whose `groups` item is
// the decision. parseOneTrust reads a decoded value; parseOneTrustEncoded reads the cookie as
// sent and decodes only the items the decision reads: every value carries a per-visitor
// consentId and datestamp, so the evaluator's memo misses it and decoding all ~200 bytes was
// most of its cost.
#include <emmintrin.h>

#include <array>
#include <cstdint>
#include <cstring>
#include <string>

#include "base/byte_scan.h"
#include "base/hex.h"
#include "base/short_compare.h"
#include "filters/consent/cookie_header.h"
#include "filters/consent/sources.h"
#include "filters/consent/text_items.h"

namespace consentry::filters::consent {
namespace {

using Outcome = SourceDecision::Outcome;

// What the decision reads from the items; of a repeated key the last one counts.
struct OneTrustFields {
  std::string_view groups;
  bool haveGroups = false;
  bool awaitingReconsent = false;
  bool gpc = false;
  bool noInteraction = false;
};

// Reads one item given its decoded, trimmed key. `value(forGroups)` returns the decoded, trimmed
// value and is called only for the keys the decision reads; the groups value has to stay valid
// until decide(), the others only until the next call.
template <typename Value>
void readItem(std::string_view key, Value&& value, OneTrustFields& f) {
  if (equalsLiteral(key, "groups")) {
    f.groups = value(true);
    f.haveGroups = true;
  } else if (equalsLiteral(key, "AwaitingReconsent")) {
    f.awaitingReconsent = equalsLiteral(value(false), "true");
  } else if (equalsLiteral(key, "isGpcEnabled")) {
    f.gpc = equalsLiteral(value(false), "1");
  } else if (equalsLiteral(key, "interactionCount")) {
    f.noInteraction = equalsLiteral(value(false), "0");
  }
}

// The `,` separated `key:value` items of a decoded groups value into `flags` (value 0 or 1,
// key and value trimmed, the key not empty); false when an item is not such a pair. Item by item
// as the other text formats: the reference the one-scan reading below is tested against.
bool readGroupsByItem(std::string_view groups, ConsentFlags& flags) {
  return text::forEachItem(groups, ",", [&](std::string_view item) {
    std::string_view k, v;
    if (!text::splitPair(item, ":", k, v) || (!equalsLiteral(v, "0") && !equalsLiteral(v, "1")))
      return false;
    flags.items.emplace_back(k, equalsLiteral(v, "1"));
    return true;
  });
}

// The same items as readGroupsByItem. One scan over the whole value finds each ':' and the ','
// after it, where splitting into items and then each item at its ':' scanned every byte twice,
// the second time a byte at a time (items are ~7 bytes).
bool readGroups(std::string_view groups, ConsentFlags& flags) {
  const size_t n = groups.size();
  size_t pos = 0;
  while (true) {
    const size_t colon = findEitherByte(groups, pos, ',', ':');
    if (colon == n || groups[colon] == ',') return false;  // no ':' in the item
    const size_t end = findEitherByte(groups, colon + 1, ',', ',');
    const std::string_view key = text::trim(groups.substr(pos, colon - pos));
    const std::string_view v = text::trim(groups.substr(colon + 1, end - colon - 1));
    if (key.empty() || (!equalsLiteral(v, "0") && !equalsLiteral(v, "1"))) return false;
    flags.items.emplace_back(key, equalsLiteral(v, "1"));
    if (end == n) return true;
    pos = end + 1;
  }
}

// Groups still percent-encoded, when they have the plain shape `KEY:V,KEY:V...` (V 0 or 1;
// each ':' and ',' literal or escaped, as OneTrust sends them; keys without '%', spaces or
// tabs): their items straight into `flags`, keys viewing `raw`. Decoding and trimming such text
// changes only the separators, so readGroups would find the same items. False for any other
// shape (which may still be valid: the caller then decodes and reads it); `flags` may then hold
// some items. Decoding the groups first was a sixth of the OneTrust parse.
bool readPlainEncodedGroups(std::string_view raw, ConsentFlags& flags) {
  static constexpr std::array<bool, 256> kKeyByte = [] {
    std::array<bool, 256> t{};
    t.fill(true);
    for (char c : std::string_view("%,: \t")) t[static_cast<uint8_t>(c)] = false;
    return t;
  }();
  // The separator `sep` (':' or ','), literal or as an escape with the hex digits `hi`, `lo`.
  auto separator = [raw](size_t& i, char sep, char hi, char lo) {
    if (i < raw.size() && raw[i] == sep) {
      ++i;
      return true;
    }
    if (i + 2 < raw.size() && raw[i] == '%' && raw[i + 1] == hi && (raw[i + 2] | 0x20) == lo) {
      i += 3;
      return true;
    }
    return false;
  };
  size_t i = 0;
  while (true) {
    const size_t key = i;
    while (i < raw.size() && kKeyByte[static_cast<uint8_t>(raw[i])]) ++i;
    if (i == key) return false;
    const size_t keyEnd = i;
    if (!separator(i, ':', '3', 'a')) return false;
    if (i == raw.size() || (raw[i] != '0' && raw[i] != '1')) return false;
    flags.items.emplace_back(raw.substr(key, keyEnd - key), raw[i] == '1');
    if (++i == raw.size()) return true;
    if (!separator(i, ',', '2', 'c')) return false;
  }
}

// How decide() reads the groups: item by item (the full parse), in one scan, or not at all
// (readPlainEncodedGroups did).
enum class GroupsRead { ByItem, OneScan, Done };

// `flags`: the scratch flags, empty unless `how` is Done.
SourceDecision decide(const config::ConsentSource& source, const OneTrustFields& f, GroupsRead how,
                      ConsentFlags& flags) {
  // Groups set before the visitor interacted are the CMP's defaults, not the visitor's signal.
  if (!f.haveGroups || f.groups.empty() || f.noInteraction) {
    return SourceDecision::none(f.haveGroups || f.noInteraction ? Outcome::NoDecision
                                                                : Outcome::Malformed);
  }
  if (f.awaitingReconsent) return SourceDecision::none(Outcome::PolicyOutdated);
  const bool ok = how == GroupsRead::Done      ? true
                  : how == GroupsRead::OneScan ? readGroups(f.groups, flags)
                                               : readGroupsByItem(f.groups, flags);
  if (!ok) return text::malformed();
  Categories c = applyMap(source, flags);
  if (f.gpc) c.marketing = false;  // the CMP honoured GPC: it may only take away
  return SourceDecision::decided(c);
}

// True when an escape in `raw` stands for '&' or '=' (%26, %3D, %3d): only then do the items
// and pairs of the decoded value differ from those of the raw one. ('&', '=' and spaces are no
// hex digits, so no escape straddles a separator, and each piece decodes as it would in the
// whole.) 16 positions per step, from three overlapping loads: stopping at each of the ~13
// escapes of a typical value was a third of the parse.
bool escapesSeparator(std::string_view raw) {
  const char* p = raw.data();
  const size_t n = raw.size();
  size_t i = 0;
  const __m128i percent = _mm_set1_epi8('%');
  const __m128i two = _mm_set1_epi8('2');
  const __m128i six = _mm_set1_epi8('6');
  const __m128i three = _mm_set1_epi8('3');
  const __m128i upperD = _mm_set1_epi8('D');
  const __m128i lowerD = _mm_set1_epi8('d');
  for (; i + 18 <= n; i += 16) {
    __m128i v0, v1, v2;
    std::memcpy(&v0, p + i, sizeof v0);
    std::memcpy(&v1, p + i + 1, sizeof v1);
    std::memcpy(&v2, p + i + 2, sizeof v2);
    const __m128i amp = _mm_and_si128(_mm_cmpeq_epi8(v1, two), _mm_cmpeq_epi8(v2, six));
    const __m128i eq =
        _mm_and_si128(_mm_cmpeq_epi8(v1, three),
                      _mm_or_si128(_mm_cmpeq_epi8(v2, upperD), _mm_cmpeq_epi8(v2, lowerD)));
    const __m128i hit = _mm_and_si128(_mm_cmpeq_epi8(v0, percent), _mm_or_si128(amp, eq));
    if (_mm_movemask_epi8(hit) != 0) return true;
  }
  for (; i + 2 < n; ++i) {
    if (p[i] != '%') continue;
    const int byte = hex::escapeAt(raw, i);
    if (byte == '&' || byte == '=') return true;
  }
  return false;
}

// Calls f(key, value, keyEscaped, valueEscaped) for each `key=value` item of `text` ('&'
// separated; key and value trimmed, the key not empty; items without '=' skipped, as OneTrust
// adds keys freely; *Escaped: the piece holds a '%'). One scan finds the '=' and the '&' ending
// each item; the '%' are found by a scan of their own that moves on only past the item holding
// the last one found, instead of a byte loop over each short key.
template <typename F>
void forEachPair(std::string_view text, F&& f) {
  size_t pos = 0;
  size_t percent = findEitherByte(text, 0, '%', '%');  // the first '%' at or after pos
  auto percentBefore = [&](size_t from, size_t to) {
    if (percent < from) percent = findEitherByte(text, from, '%', '%');
    return percent < to;
  };
  while (true) {
    const size_t first = findEitherByte(text, pos, '&', '=');
    size_t end = first;
    if (first < text.size() && text[first] == '=') {
      end = findEitherByte(text, first + 1, '&', '&');
      const std::string_view key = text::trim(text.substr(pos, first - pos));
      if (!key.empty()) {
        const bool keyEscaped = percentBefore(pos, first);
        f(key, text::trim(text.substr(first + 1, end - first - 1)), keyEscaped,
          percentBefore(first + 1, end));
      }
    }
    if (end >= text.size()) return;
    pos = end + 1;
  }
}

// A key or value of the raw value (already trimmed), percent-decoded into `buf` when it holds
// a '%' and trimmed again (an escaped space trims in the decoded value).
std::string_view decodedPiece(std::string_view piece, bool escaped, std::string& buf) {
  if (!escaped) return piece;
  percentDecodeInto(piece, buf);
  return text::trim(buf);
}

}  // namespace

SourceDecision parseOneTrust(const config::ConsentSource& source, std::string_view value) {
  OneTrustFields f;
  // Item by item as the other text formats (the reference the encoded reading is tested
  // against; forEachPair finds the same pairs in one scan).
  text::forEachItem(value, "&", [&](std::string_view item) {
    std::string_view k, v;
    // OneTrust adds keys freely; ignore oddities.
    if (text::splitPair(item, "=", k, v)) {
      const auto value = [v](bool) { return v; };
      readItem(k, value, f);
    }
    return true;
  });
  return decide(source, f, GroupsRead::ByItem, text::scratchFlags());
}

SourceDecision parseOneTrustEncoded(const config::ConsentSource& source, std::string_view raw) {
  if (escapesSeparator(raw)) {
    thread_local std::string decoded;
    percentDecodeInto(raw, decoded);
    return parseOneTrust(source, decoded);
  }
  thread_local std::string keyBuf, valueBuf, groupsBuf;
  OneTrustFields f;
  bool groupsEscaped = false;  // f.groups (the last groups item's) is still encoded
  forEachPair(raw, [&](std::string_view k, std::string_view v, bool kEscaped, bool vEscaped) {
    readItem(
        decodedPiece(k, kEscaped, keyBuf),
        [&](bool forGroups) {
          if (!forGroups) return decodedPiece(v, vEscaped, valueBuf);
          groupsEscaped = vEscaped;
          return v;
        },
        f);
  });
  ConsentFlags& flags = text::scratchFlags();
  GroupsRead how = GroupsRead::OneScan;
  if (groupsEscaped) {
    if (readPlainEncodedGroups(f.groups, flags)) {
      how = GroupsRead::Done;
    } else {
      flags.items.clear();
      f.groups = decodedPiece(f.groups, true, groupsBuf);
    }
  }
  return decide(source, f, how, flags);
}

}  // namespace consentry::filters::consent
