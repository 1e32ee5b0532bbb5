#include "events/event_json.h"

#include <unistd.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace consentry::events {
namespace {

// The writer reserves an upper bound for the whole event once (every string byte can grow at
// most 6x, to \u00XX) and then writes through a raw pointer: std::string::append per piece cost
// more than the serialization itself.
class Writer {
 public:
  Writer(std::string& out, size_t bound) : out_(out) {
    size_t base = out.size();
    out.resize(base + bound);
    p_ = out.data() + base;
    end_ = p_ + bound;
  }
  ~Writer() {
    // The bound is an invariant of this file; overrunning it would be memory corruption, so a
    // broken bound stops the process instead (one compare per event).
    if (p_ > end_) __builtin_trap();
    out_.resize(static_cast<size_t>(p_ - out_.data()));
  }
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  char* pos() const { return p_; }
  void rewind(char* to) { p_ = to; }
  void ch(char c) { *p_++ = c; }
  void raw(std::string_view s) {
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
  }
  void string(std::string_view s);
  void integer(int64_t v) { p_ = std::to_chars(p_, p_ + 24, v).ptr; }
  // NaN and infinities cannot be written in JSON: returns false, writes nothing.
  bool number(double v) {
    if (!std::isfinite(v)) return false;
    p_ = std::to_chars(p_, p_ + 32, v).ptr;
    return true;
  }
  void boolean(bool v) { raw(v ? std::string_view("true") : std::string_view("false")); }
  void time(std::chrono::system_clock::time_point t);
  void ip(const IpAddress& a);

  // An object member whose value is written next: a comma unless it is the first member.
  void key(char* bodyStart, std::string_view quotedKeyColon) {
    if (p_ != bodyStart) ch(',');
    raw(quotedKeyColon);
  }
  void optString(char* bodyStart, std::string_view k, const std::optional<std::string>& v) {
    if (!v) return;
    key(bodyStart, k);
    string(*v);
  }

 private:
  std::string& out_;
  char* p_;
  char* end_;
};

constexpr size_t stringBound(size_t n) {
  return 6 * n + 2;
}
size_t stringBound(const std::optional<std::string>& s) {
  return s ? stringBound(s->size()) + 24 : 0;
}

// Fixed text (keys, punctuation, numbers, time, ip) stays well below 1 KiB; strings are bounded
// by their worst-case escaped length.
size_t eventBound(const Event& e) {
  size_t n =
      1024 + stringBound(e.id.size()) + stringBound(e.name.size()) + stringBound(e.region.size());
  for (const auto* s : {&e.country, &e.subdivision, &e.osName, &e.osVersion, &e.browserName,
                        &e.browserVersion, &e.deviceType, &e.deviceFamily, &e.deviceBrand,
                        &e.deviceModel, &e.language, &e.host, &e.path, &e.referrer, &e.visitor}) {
    n += stringBound(*s);
  }
  if (e.consent) n += stringBound(e.consent->source.size());
  if (e.props) {
    for (const auto& [k, v] : *e.props) {
      n += stringBound(k.size()) + 40;
      if (const auto* s = std::get_if<std::string>(&v)) n += stringBound(s->size());
    }
  }
  return n;
}

// 0: copied as is; 1: escaped; 2: first byte of a multi-byte (or invalid) UTF-8 sequence.
constexpr std::array<uint8_t, 256> makeClasses() {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = 1;
  t['"'] = 1;
  t['\\'] = 1;
  for (int c = 0x80; c < 0x100; ++c) t[c] = 2;
  return t;
}
constexpr std::array<uint8_t, 256> kClass = makeClasses();

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

struct Utf8Step {
  size_t length;  // bytes consumed
  bool valid;
};

// Well-formed sequences per Unicode Table 3-7; an ill-formed one consumes its maximal subpart
// (the lead byte and every continuation byte that could still have been valid), so each maximal
// subpart becomes one U+FFFD, the replacement practice Unicode and WHATWG recommend.
Utf8Step stepUtf8(const unsigned char* s, size_t avail) {
  unsigned char c = s[0];
  size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c == 0xE0) {
    need = 2;
    lo = 0xA0;
  } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
    need = 2;
  } else if (c == 0xED) {
    need = 2;
    hi = 0x9F;  // no UTF-16 surrogates
  } else if (c == 0xF0) {
    need = 3;
    lo = 0x90;
  } else if (c >= 0xF1 && c <= 0xF3) {
    need = 3;
  } else if (c == 0xF4) {
    need = 3;
    hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return {1, false};
  }
  for (size_t k = 1; k <= need; ++k) {
    if (k >= avail || s[k] < lo || s[k] > hi) return {k, false};
    lo = 0x80;
    hi = 0xBF;
  }
  return {need + 1, true};
}

// True when one of the 8 bytes is a control character, '"', '\\' or non-ASCII (SWAR: a byte
// below N is found by the borrow of (x - N) into its top bit).
bool needsAttention(uint64_t x) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  uint64_t control = (x - kOnes * 0x20) & ~x;
  uint64_t quote = x ^ (kOnes * '"');
  uint64_t backslash = x ^ (kOnes * '\\');
  quote = (quote - kOnes) & ~quote;
  backslash = (backslash - kOnes) & ~backslash;
  return ((control | quote | backslash | x) & kHigh) != 0;
}

void Writer::string(std::string_view text) {
  // A local cursor: stores through char* may alias p_, which would otherwise be reloaded from
  // memory after every byte.
  char* p = p_;
  *p++ = '"';
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size(), i = 0;
  while (i < n) {
    if (n - i >= 8) {
      uint64_t chunk;
      std::memcpy(&chunk, s + i, 8);
      if (!needsAttention(chunk)) {
        std::memcpy(p, &chunk, 8);
        p += 8;
        i += 8;
        continue;
      }
    }
    unsigned char c = s[i];
    uint8_t cls = kClass[c];
    if (cls == 0) {
      *p++ = static_cast<char>(c);
      ++i;
    } else if (cls == 1) {
      static constexpr char kHex[] = "0123456789abcdef";
      static constexpr char kShort[] = "\0\0\0\0\0\0\0\0btn\0fr";
      *p++ = '\\';
      if (c == '"' || c == '\\') {
        *p++ = static_cast<char>(c);
      } else if (c >= '\b' && c <= '\r' && c != 0x0b) {
        *p++ = kShort[c];
      } else {
        std::memcpy(p, "u00", 3);
        p[3] = kHex[c >> 4];
        p[4] = kHex[c & 15];
        p += 5;
      }
      ++i;
    } else {
      Utf8Step step = stepUtf8(s + i, n - i);
      if (step.valid) {
        std::memcpy(p, s + i, step.length);
        p += step.length;
      } else {
        std::memcpy(p, kReplacement.data(), kReplacement.size());
        p += kReplacement.size();
      }
      i += step.length;
    }
  }
  *p++ = '"';
  p_ = p;
}

// Days since 1970-01-01 to a proleptic Gregorian date, by 400-year eras of 146097 days counted
// from 0000-03-01 so that the leap day falls at the end of each year.
void civilFromDays(int64_t days, int64_t& year, unsigned& month, unsigned& day) {
  days += 719468;
  int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  auto doe = static_cast<unsigned>(days - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  day = doy - (153 * mp + 2) / 5 + 1;
  month = mp < 10 ? mp + 3 : mp - 9;
  year = static_cast<int64_t>(yoe) + era * 400 + (month <= 2 ? 1 : 0);
}

void put2(char* p, unsigned v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
}

void Writer::time(std::chrono::system_clock::time_point time) {
  int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  int64_t days = ms >= 0 ? ms / 86'400'000 : (ms - 86'399'999) / 86'400'000;
  auto msOfDay = static_cast<unsigned>(ms - days * 86'400'000);
  int64_t year;
  unsigned month, day;
  civilFromDays(days, year, month, day);
  if (year < 0 || year > 9999) year = year < 0 ? 0 : 9999;  // ISO 8601 basic range only
  char* b = p_;
  auto y = static_cast<unsigned>(year);
  put2(b, y / 100);
  put2(b + 2, y % 100);
  b[4] = '-';
  put2(b + 5, month);
  b[7] = '-';
  put2(b + 8, day);
  b[10] = 'T';
  unsigned secOfDay = msOfDay / 1000;
  put2(b + 11, secOfDay / 3600);
  b[13] = ':';
  put2(b + 14, secOfDay / 60 % 60);
  b[16] = ':';
  put2(b + 17, secOfDay % 60);
  b[19] = '.';
  unsigned milli = msOfDay % 1000;
  b[20] = static_cast<char>('0' + milli / 100);
  put2(b + 21, milli % 100);
  b[23] = 'Z';
  p_ += 24;
}

void Writer::ip(const IpAddress& a) {
  if (!a.isV4()) {
    raw("\"");
    raw(a.toString());  // hex digits and colons only
    raw("\"");
    return;
  }
  // Dotted quad by hand: inet_ntop goes through printf and was a tenth of the event's cost.
  ch('"');
  for (int i = 0; i < 4; ++i) {
    if (i > 0) ch('.');
    p_ = std::to_chars(p_, p_ + 3, a.bytes()[i]).ptr;
  }
  ch('"');
}

// Opens `"name":{`; close() removes the whole member again when nothing was written into it,
// so that empty objects are absent rather than `{}`.
class NestedObject {
 public:
  NestedObject(Writer& w, char* parentStart, std::string_view quotedKeyColon)
      : w_(w), mark_(w.pos()) {
    w.key(parentStart, quotedKeyColon);
    w.ch('{');
    bodyStart_ = w.pos();
  }
  char* body() const { return bodyStart_; }
  void close() {
    if (w_.pos() == bodyStart_) {
      w_.rewind(mark_);
    } else {
      w_.ch('}');
    }
  }

 private:
  Writer& w_;
  char* mark_;
  char* bodyStart_;
};

void writeNameVersion(Writer& w, char* parent, std::string_view k,
                      const std::optional<std::string>& name,
                      const std::optional<std::string>& version) {
  NestedObject o(w, parent, k);
  w.optString(o.body(), "\"name\":", name);
  w.optString(o.body(), "\"version\":", version);
  o.close();
}

void writeClient(Writer& w, const Event& e, char* parent) {
  NestedObject client(w, parent, "\"client\":");
  char* b = client.body();
  if (e.ip) {
    w.key(b, "\"ip\":");
    w.ip(*e.ip);
  }
  writeNameVersion(w, b, "\"os\":", e.osName, e.osVersion);
  writeNameVersion(w, b, "\"browser\":", e.browserName, e.browserVersion);
  {
    NestedObject d(w, b, "\"device\":");
    w.optString(d.body(), "\"type\":", e.deviceType);
    w.optString(d.body(), "\"family\":", e.deviceFamily);
    w.optString(d.body(), "\"brand\":", e.deviceBrand);
    w.optString(d.body(), "\"model\":", e.deviceModel);
    d.close();
  }
  w.optString(b, "\"language\":", e.language);
  if (e.screen) {
    NestedObject s(w, b, "\"screen\":");
    w.key(s.body(), "\"width\":");
    w.integer(e.screen->width);
    w.key(s.body(), "\"height\":");
    w.integer(e.screen->height);
    char* beforeDpr = w.pos();
    w.key(s.body(), "\"dpr\":");
    if (!w.number(e.screen->dpr)) w.rewind(beforeDpr);
    s.close();
  }
  if (e.viewport) {
    NestedObject v(w, b, "\"viewport\":");
    w.key(v.body(), "\"width\":");
    w.integer(e.viewport->width);
    w.key(v.body(), "\"height\":");
    w.integer(e.viewport->height);
    v.close();
  }
  client.close();
}

void writeProps(Writer& w, const std::vector<std::pair<std::string, PropValue>>& props,
                char* parent) {
  w.key(parent, "\"props\":");
  w.ch('{');
  char* b = w.pos();
  for (const auto& [name, value] : props) {
    char* mark = w.pos();
    if (w.pos() != b) w.ch(',');
    w.string(name);
    w.ch(':');
    if (const auto* s = std::get_if<std::string>(&value)) {
      w.string(*s);
    } else if (const auto* d = std::get_if<double>(&value)) {
      if (!w.number(*d)) w.rewind(mark);
    } else {
      w.boolean(std::get<bool>(value));
    }
  }
  w.ch('}');
}

void writeEvent(Writer& w, const Event& e) {
  w.raw("{\"schema\":\"consentry.event/1\"");
  // Members follow the first one, so the "first member" test never fires at this level.
  char* b = w.pos() - 1;
  w.key(b, "\"id\":");
  w.string(e.id);
  w.key(b, "\"time\":\"");
  w.time(e.time);
  w.ch('"');
  w.key(b, "\"type\":\"");
  w.raw(eventTypeName(e.type));
  w.ch('"');
  if (e.type == EventType::Beacon) {
    w.key(b, "\"name\":");
    w.string(e.name);
  }
  w.key(b, "\"region\":");
  w.string(e.region);
  if (e.type == EventType::ConsentWithdrawn) {
    // A withdrawal says only who withdrew, where and when: pipelines erase by visitor.
    w.optString(b, "\"visitor\":", e.visitor);
    w.ch('}');
    return;
  }
  {
    NestedObject loc(w, b, "\"location\":");
    w.optString(loc.body(), "\"country\":", e.country);
    w.optString(loc.body(), "\"subdivision\":", e.subdivision);
    loc.close();
  }
  if (e.consent) {
    NestedObject c(w, b, "\"consent\":");
    w.key(c.body(), "\"analytics\":");
    w.boolean(e.consent->analytics);
    w.key(c.body(), "\"marketing\":");
    w.boolean(e.consent->marketing);
    w.key(c.body(), "\"functional\":");
    w.boolean(e.consent->functional);
    if (!e.consent->source.empty()) {
      w.key(c.body(), "\"source\":");
      w.string(e.consent->source);
    }
    if (e.consent->policyVersion) {
      w.key(c.body(), "\"policy_version\":");
      w.integer(*e.consent->policyVersion);
    }
    c.close();
  }
  writeClient(w, e, b);
  {
    NestedObject page(w, b, "\"page\":");
    w.optString(page.body(), "\"host\":", e.host);
    w.optString(page.body(), "\"path\":", e.path);
    w.optString(page.body(), "\"referrer\":", e.referrer);
    page.close();
  }
  w.optString(b, "\"visitor\":", e.visitor);
  if (e.bot) {
    w.key(b, "\"bot\":");
    w.boolean(*e.bot);
  }
  if (e.props) writeProps(w, *e.props, b);
  w.ch('}');
}

}  // namespace

void appendJsonString(std::string_view text, std::string& out) {
  Writer w(out, stringBound(text.size()));
  w.string(text);
}

void appendIsoTime(std::chrono::system_clock::time_point time, std::string& out) {
  Writer w(out, 24);
  w.time(time);
}

void appendEventJson(const Event& e, std::string& out) {
  Writer w(out, eventBound(e));
  writeEvent(w, e);
}

void appendCloudEventJson(const Event& e, std::string_view source, std::string& out) {
  Writer w(out, eventBound(e) + stringBound(source.size()) + stringBound(e.id.size()) + 256 +
                    (e.visitor ? stringBound(e.visitor->size()) : 0));
  w.raw("{\"specversion\":\"1.0\",\"id\":");
  w.string(e.id);
  w.raw(",\"source\":");
  w.string(source);
  w.raw(",\"type\":\"dev.consentry.");
  w.raw(eventTypeName(e.type));
  w.raw("\",\"time\":\"");
  w.time(e.time);
  w.raw("\",\"datacontenttype\":\"application/json\",\"data\":");
  writeEvent(w, e);
  if (e.visitor) {
    w.raw(",\"partitionkey\":");
    w.string(*e.visitor);
  }
  w.ch('}');
}

std::string defaultCloudEventSource() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "/consentry";
  std::string source = "urn:consentry:";
  source += host;
  return source;
}

}  // namespace consentry::events
