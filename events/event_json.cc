#include "events/event_json.h"

#include <unistd.h>

#include <cstdint>

#include "events/json_writer.h"

namespace consentry::events {
namespace {

using json::Cursor;
using json::stringBound;
using json::Writer;

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
                        &e.deviceModel, &e.language, &e.host, &e.path, &e.referrer}) {
    n += stringBound(*s);
  }
  if (e.visitor) n += stringBound(e.visitor->size()) + 24;
  if (e.consent) n += stringBound(e.consent->source.size());
  if (e.props) {
    for (const auto& [k, v] : *e.props) {
      n += stringBound(k.size()) + 40;
      if (const auto* s = std::get_if<std::string>(&v)) n += stringBound(s->size());
    }
  }
  return n;
}

// Opens a member `"name":` whose value is an object. Members inside are written comma first;
// close() turns the first comma into the object's '{', or removes the whole member again when
// nothing was written into it, so that empty objects are absent rather than `{}`.
class NestedObject {
 public:
  NestedObject(Cursor& w, std::string_view commaQuotedKeyColon) : mark_(w.pos()) {
    w.key(commaQuotedKeyColon);
    bodyStart_ = w.pos();
  }
  void close(Cursor& w) const {
    if (w.pos() == bodyStart_) {
      w.rewind(mark_);
    } else {
      *bodyStart_ = '{';
      w.ch('}');
    }
  }

 private:
  char* mark_;
  char* bodyStart_;
};

// The write* functions take the cursor and return it by value (json_writer.h's Cursor says why).
Cursor writeNameVersion(Cursor w, std::string_view k, const std::optional<std::string>& name,
                        const std::optional<std::string>& version) {
  NestedObject o(w, k);
  w.optString(",\"name\":", name);
  w.optString(",\"version\":", version);
  o.close(w);
  return w;
}

Cursor writeClient(Cursor w, const Event& e) {
  NestedObject client(w, ",\"client\":");
  if (e.ip) {
    w.key(",\"ip\":");
    w.ip(*e.ip);
  }
  w = writeNameVersion(w, ",\"os\":", e.osName, e.osVersion);
  w = writeNameVersion(w, ",\"browser\":", e.browserName, e.browserVersion);
  {
    NestedObject d(w, ",\"device\":");
    w.optString(",\"type\":", e.deviceType);
    w.optString(",\"family\":", e.deviceFamily);
    w.optString(",\"brand\":", e.deviceBrand);
    w.optString(",\"model\":", e.deviceModel);
    d.close(w);
  }
  w.optString(",\"language\":", e.language);
  if (e.screen) {
    NestedObject s(w, ",\"screen\":");
    w.key(",\"width\":");
    w.integer(e.screen->width);
    w.key(",\"height\":");
    w.integer(e.screen->height);
    char* beforeDpr = w.pos();
    w.key(",\"dpr\":");
    if (!w.number(e.screen->dpr)) w.rewind(beforeDpr);
    s.close(w);
  }
  if (e.viewport) {
    NestedObject v(w, ",\"viewport\":");
    w.key(",\"width\":");
    w.integer(e.viewport->width);
    w.key(",\"height\":");
    w.integer(e.viewport->height);
    v.close(w);
  }
  client.close(w);
  return w;
}

Cursor writeProps(Cursor w, const std::vector<std::pair<std::string, PropValue>>& props) {
  w.key(",\"props\":");
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
  return w;
}

Cursor writeEvent(Cursor w, const Event& e) {
  // Every member follows "schema", so each is written comma first.
  w.raw("{\"schema\":\"consentry.event/1\"");
  w.key(",\"id\":");
  w.string(e.id);
  w.key(",\"time\":\"");
  w.time(e.time);
  w.ch('"');
  w.key(",\"type\":\"");
  w.raw(eventTypeName(e.type));
  w.ch('"');
  if (e.type == EventType::Beacon) {
    w.key(",\"name\":");
    w.string(e.name);
  }
  w.key(",\"region\":");
  w.string(e.region);
  if (e.type == EventType::ConsentWithdrawn) {
    // A withdrawal says only who withdrew, where and when: pipelines erase by visitor.
    w.optString(",\"visitor\":", e.visitor);
    w.ch('}');
    return w;
  }
  {
    NestedObject loc(w, ",\"location\":");
    w.optString(",\"country\":", e.country);
    w.optString(",\"subdivision\":", e.subdivision);
    loc.close(w);
  }
  if (e.consent) {
    NestedObject c(w, ",\"consent\":");
    w.key(",\"analytics\":");
    w.boolean(e.consent->analytics);
    w.key(",\"marketing\":");
    w.boolean(e.consent->marketing);
    w.key(",\"functional\":");
    w.boolean(e.consent->functional);
    if (!e.consent->source.empty()) {
      w.key(",\"source\":");
      w.string(e.consent->source);
    }
    if (e.consent->policyVersion) {
      w.key(",\"policy_version\":");
      w.integer(*e.consent->policyVersion);
    }
    c.close(w);
  }
  w = writeClient(w, e);
  {
    NestedObject page(w, ",\"page\":");
    w.optString(",\"host\":", e.host);
    w.optString(",\"path\":", e.path);
    w.optString(",\"referrer\":", e.referrer);
    page.close(w);
  }
  w.optString(",\"visitor\":", e.visitor);
  if (e.bot) {
    w.key(",\"bot\":");
    w.boolean(*e.bot);
  }
  if (e.props) w = writeProps(w, *e.props);
  w.ch('}');
  return w;
}

}  // namespace

void appendJsonString(std::string_view text, std::string& out) {
  Writer w(out, stringBound(text.size()));
  Cursor c = w.start();
  c.string(text);
  w.finish(c);
}

void appendIsoTime(std::chrono::system_clock::time_point time, std::string& out) {
  Writer w(out, 24);
  Cursor c = w.start();
  c.time(time);
  w.finish(c);
}

void appendEventJson(const Event& e, std::string& out) {
  Writer w(out, eventBound(e));
  w.finish(writeEvent(w.start(), e));
}

void appendCloudEventEnvelope(std::string_view id, EventType type,
                              std::chrono::system_clock::time_point time, std::string_view key,
                              std::string_view eventJson, std::string_view source,
                              std::string& out) {
  Writer w(out, eventJson.size() + stringBound(source.size()) + stringBound(id.size()) + 256 +
                    stringBound(key.size()));
  Cursor c = w.start();
  c.raw("{\"specversion\":\"1.0\",\"id\":");
  c.string(id);
  c.raw(",\"source\":");
  c.string(source);
  c.raw(",\"type\":\"dev.consentry.");
  c.raw(eventTypeName(type));
  c.raw("\",\"time\":\"");
  c.time(time);
  c.raw("\",\"datacontenttype\":\"application/json\",\"data\":");
  c.raw(eventJson);
  if (!key.empty()) {
    c.raw(",\"partitionkey\":");
    c.string(key);
  }
  c.ch('}');
  w.finish(c);
}

void appendCloudEventJson(const Event& e, std::string_view source, std::string& out) {
  thread_local std::string data;
  data.clear();
  appendEventJson(e, data);
  appendCloudEventEnvelope(e.id, e.type, e.time, e.visitor ? std::string_view(*e.visitor) : "",
                           data, source, out);
}

std::string defaultCloudEventSource() {
  char host[256] = {};
  if (::gethostname(host, sizeof host - 1) != 0 || host[0] == '\0') return "/consentry";
  std::string source = "urn:consentry:";
  source += host;
  return source;
}

}  // namespace consentry::events
