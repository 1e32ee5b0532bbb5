#include "events/event_json.h"

#include <unistd.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>

namespace consentry::events {
namespace {

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

void appendEscape(unsigned char c, std::string& out) {
  switch (c) {
    case '"':
      out += "\\\"";
      return;
    case '\\':
      out += "\\\\";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    default: {
      static constexpr char kHex[] = "0123456789abcdef";
      char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
      out.append(u, 6);
    }
  }
}

void appendInt(int64_t v, std::string& out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
}

// Returns false (and appends nothing) for NaN and infinities, which JSON cannot represent.
bool appendDouble(double v, std::string& out) {
  if (!std::isfinite(v)) return false;
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, end);
  return true;
}

void appendBool(bool v, std::string& out) {
  out += v ? "true" : "false";
}

// An object member whose value is written next: a comma unless it is the first member.
void key(std::string& out, size_t bodyStart, std::string_view quotedKeyColon) {
  if (out.size() != bodyStart) out += ',';
  out += quotedKeyColon;
}

void optString(std::string& out, size_t bodyStart, std::string_view k,
               const std::optional<std::string>& v) {
  if (!v) return;
  key(out, bodyStart, k);
  appendJsonString(*v, out);
}

// Opens `"name":{`; close() removes the whole member again when nothing was written into it,
// so that empty objects are absent rather than `{}`.
class NestedObject {
 public:
  NestedObject(std::string& out, size_t parentStart, std::string_view quotedKeyColon)
      : out_(out), mark_(out.size()) {
    key(out, parentStart, quotedKeyColon);
    out += '{';
    bodyStart_ = out.size();
  }
  size_t bodyStart() const { return bodyStart_; }
  void close() {
    if (out_.size() == bodyStart_) {
      out_.resize(mark_);
    } else {
      out_ += '}';
    }
  }

 private:
  std::string& out_;
  size_t mark_;
  size_t bodyStart_ = 0;
};

void appendNameVersion(std::string& out, size_t parentStart, std::string_view k,
                       const std::optional<std::string>& name,
                       const std::optional<std::string>& version) {
  NestedObject o(out, parentStart, k);
  optString(out, o.bodyStart(), "\"name\":", name);
  optString(out, o.bodyStart(), "\"version\":", version);
  o.close();
}

void appendClient(const Event& e, std::string& out, size_t parentStart) {
  NestedObject client(out, parentStart, "\"client\":");
  size_t b = client.bodyStart();
  if (e.ip) {
    key(out, b, "\"ip\":");
    appendJsonString(e.ip->toString(), out);
  }
  appendNameVersion(out, b, "\"os\":", e.osName, e.osVersion);
  appendNameVersion(out, b, "\"browser\":", e.browserName, e.browserVersion);
  {
    NestedObject d(out, b, "\"device\":");
    optString(out, d.bodyStart(), "\"type\":", e.deviceType);
    optString(out, d.bodyStart(), "\"family\":", e.deviceFamily);
    optString(out, d.bodyStart(), "\"brand\":", e.deviceBrand);
    optString(out, d.bodyStart(), "\"model\":", e.deviceModel);
    d.close();
  }
  optString(out, b, "\"language\":", e.language);
  if (e.screen) {
    NestedObject s(out, b, "\"screen\":");
    key(out, s.bodyStart(), "\"width\":");
    appendInt(e.screen->width, out);
    key(out, s.bodyStart(), "\"height\":");
    appendInt(e.screen->height, out);
    size_t beforeDpr = out.size();
    key(out, s.bodyStart(), "\"dpr\":");
    if (!appendDouble(e.screen->dpr, out)) out.resize(beforeDpr);
    s.close();
  }
  if (e.viewport) {
    NestedObject v(out, b, "\"viewport\":");
    key(out, v.bodyStart(), "\"width\":");
    appendInt(e.viewport->width, out);
    key(out, v.bodyStart(), "\"height\":");
    appendInt(e.viewport->height, out);
    v.close();
  }
  client.close();
}

void appendProps(const std::vector<std::pair<std::string, PropValue>>& props, std::string& out,
                 size_t parentStart) {
  key(out, parentStart, "\"props\":");
  out += '{';
  size_t b = out.size();
  for (const auto& [name, value] : props) {
    size_t mark = out.size();
    if (out.size() != b) out += ',';
    appendJsonString(name, out);
    out += ':';
    if (const auto* s = std::get_if<std::string>(&value)) {
      appendJsonString(*s, out);
    } else if (const auto* d = std::get_if<double>(&value)) {
      if (!appendDouble(*d, out)) out.resize(mark);
    } else {
      appendBool(std::get<bool>(value), out);
    }
  }
  out += '}';
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

}  // namespace

void appendJsonString(std::string_view text, std::string& out) {
  out += '"';
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size(), i = 0, run = 0;
  while (i < n) {
    uint8_t cls = kClass[s[i]];
    if (cls == 0) {
      ++i;
      continue;
    }
    if (cls == 1) {
      out.append(text.data() + run, i - run);
      appendEscape(s[i], out);
      run = ++i;
      continue;
    }
    Utf8Step step = stepUtf8(s + i, n - i);
    if (step.valid) {
      i += step.length;
      continue;
    }
    out.append(text.data() + run, i - run);
    out += kReplacement;
    i += step.length;
    run = i;
  }
  out.append(text.data() + run, n - run);
  out += '"';
}

void appendIsoTime(std::chrono::system_clock::time_point time, std::string& out) {
  int64_t ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(time.time_since_epoch()).count();
  int64_t days = ms >= 0 ? ms / 86'400'000 : (ms - 86'399'999) / 86'400'000;
  auto msOfDay = static_cast<unsigned>(ms - days * 86'400'000);
  int64_t year;
  unsigned month, day;
  civilFromDays(days, year, month, day);
  if (year < 0 || year > 9999) year = year < 0 ? 0 : 9999;  // ISO 8601 basic range only
  char buf[24];
  auto y = static_cast<unsigned>(year);
  put2(buf, y / 100);
  put2(buf + 2, y % 100);
  buf[4] = '-';
  put2(buf + 5, month);
  buf[7] = '-';
  put2(buf + 8, day);
  buf[10] = 'T';
  unsigned secOfDay = msOfDay / 1000;
  put2(buf + 11, secOfDay / 3600);
  buf[13] = ':';
  put2(buf + 14, secOfDay / 60 % 60);
  buf[16] = ':';
  put2(buf + 17, secOfDay % 60);
  buf[19] = '.';
  unsigned milli = msOfDay % 1000;
  buf[20] = static_cast<char>('0' + milli / 100);
  put2(buf + 21, milli % 100);
  buf[23] = 'Z';
  out.append(buf, 24);
}

void appendEventJson(const Event& e, std::string& out) {
  out += "{\"schema\":\"consentry.event/1\"";
  // Members follow the first one, so the "first member" test never fires below this level.
  size_t b = out.size() - 1;
  key(out, b, "\"id\":");
  appendJsonString(e.id, out);
  key(out, b, "\"time\":\"");
  appendIsoTime(e.time, out);
  out += '"';
  key(out, b, "\"type\":\"");
  out += eventTypeName(e.type);
  out += '"';
  if (e.type == EventType::Beacon) {
    key(out, b, "\"name\":");
    appendJsonString(e.name, out);
  }
  key(out, b, "\"region\":");
  appendJsonString(e.region, out);
  if (e.type == EventType::ConsentWithdrawn) {
    // A withdrawal says only who withdrew, where and when: pipelines erase by visitor.
    optString(out, b, "\"visitor\":", e.visitor);
    out += '}';
    return;
  }
  {
    NestedObject loc(out, b, "\"location\":");
    optString(out, loc.bodyStart(), "\"country\":", e.country);
    optString(out, loc.bodyStart(), "\"subdivision\":", e.subdivision);
    loc.close();
  }
  if (e.consent) {
    NestedObject c(out, b, "\"consent\":");
    key(out, c.bodyStart(), "\"analytics\":");
    appendBool(e.consent->analytics, out);
    key(out, c.bodyStart(), "\"marketing\":");
    appendBool(e.consent->marketing, out);
    key(out, c.bodyStart(), "\"functional\":");
    appendBool(e.consent->functional, out);
    if (!e.consent->source.empty()) {
      key(out, c.bodyStart(), "\"source\":");
      appendJsonString(e.consent->source, out);
    }
    if (e.consent->policyVersion) {
      key(out, c.bodyStart(), "\"policy_version\":");
      appendInt(*e.consent->policyVersion, out);
    }
    c.close();
  }
  appendClient(e, out, b);
  {
    NestedObject page(out, b, "\"page\":");
    optString(out, page.bodyStart(), "\"host\":", e.host);
    optString(out, page.bodyStart(), "\"path\":", e.path);
    optString(out, page.bodyStart(), "\"referrer\":", e.referrer);
    page.close();
  }
  optString(out, b, "\"visitor\":", e.visitor);
  if (e.bot) {
    key(out, b, "\"bot\":");
    appendBool(*e.bot, out);
  }
  if (e.props) appendProps(*e.props, out, b);
  out += '}';
}

void appendCloudEventJson(const Event& e, std::string_view source, std::string& out) {
  out += "{\"specversion\":\"1.0\",\"id\":";
  appendJsonString(e.id, out);
  out += ",\"source\":";
  appendJsonString(source, out);
  out += ",\"type\":\"dev.consentry.";
  out += eventTypeName(e.type);
  out += "\",\"time\":\"";
  appendIsoTime(e.time, out);
  out += "\",\"datacontenttype\":\"application/json\",\"data\":";
  appendEventJson(e, out);
  if (e.visitor) {
    out += ",\"partitionkey\":";
    appendJsonString(*e.visitor, out);
  }
  out += '}';
}

std::string defaultCloudEventSource() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "/consentry";
  std::string source = "urn:consentry:";
  source += host;
  return source;
}

}  // namespace consentry::events
