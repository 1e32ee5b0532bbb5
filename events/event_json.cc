#include "events/event_json.h"

#include <unistd.h>

#include <cstdint>

#include "events/json_writer.h"

namespace consentry::events {
namespace {

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

void appendCloudEventEnvelope(std::string_view id, EventType type,
                              std::chrono::system_clock::time_point time, std::string_view key,
                              std::string_view eventJson, std::string_view source,
                              std::string& out) {
  Writer w(out, eventJson.size() + stringBound(source.size()) + stringBound(id.size()) + 256 +
                    stringBound(key.size()));
  w.raw("{\"specversion\":\"1.0\",\"id\":");
  w.string(id);
  w.raw(",\"source\":");
  w.string(source);
  w.raw(",\"type\":\"dev.consentry.");
  w.raw(eventTypeName(type));
  w.raw("\",\"time\":\"");
  w.time(time);
  w.raw("\",\"datacontenttype\":\"application/json\",\"data\":");
  w.raw(eventJson);
  if (!key.empty()) {
    w.raw(",\"partitionkey\":");
    w.string(key);
  }
  w.ch('}');
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
