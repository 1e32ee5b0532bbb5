// sinks (SPEC §6): file, stdout, http, kafka, each with its own keys.
#include <algorithm>

#include "config/load_state.h"

namespace consentry::config::detail {
namespace {

const EnumTable<SinkType> kSinkTypes = {{"file", SinkType::File},
                                        {"stdout", SinkType::Stdout},
                                        {"http", SinkType::Http},
                                        {"kafka", SinkType::Kafka}};

struct KeyRule {
  const char* key;
  std::initializer_list<SinkType> types;
};

// Keys that only some sink types understand; the rest (name, type, format) are common.
const KeyRule kTypedKeys[] = {
    {"path", {SinkType::File}},
    {"rotate", {SinkType::File}},
    {"fsync", {SinkType::File}},
    {"url", {SinkType::Http}},
    {"timeout", {SinkType::Http}},
    {"gzip", {SinkType::Http}},
    {"headers", {SinkType::Http}},
    {"dead_letter", {SinkType::Http}},
    {"batch", {SinkType::Http, SinkType::Kafka}},
    {"brokers", {SinkType::Kafka}},
    {"topic", {SinkType::Kafka}},
    {"key", {SinkType::Kafka}},
    {"properties", {SinkType::Kafka}},
    {"spool", {SinkType::Http, SinkType::Kafka}},
};

bool isSinkName(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

void stringMap(MapReader& m, const char* key, std::map<std::string, std::string>& out) {
  YAML::Node n = m.get(key);
  if (!n.IsDefined() || n.IsNull()) return;
  Diagnostics& d = m.diag();
  if (!n.IsMap()) {
    d.error(n, m.path(key) + ": expected a mapping");
    return;
  }
  for (const auto& kv : n) {
    const std::string name = kv.first.IsScalar() ? kv.first.Scalar() : "";
    if (name.empty()) {
      d.error(kv.first, m.path(key) + ": keys must be non-empty strings");
      continue;
    }
    auto v = readString(d, kv.second, m.path(key) + "." + name);
    if (!v) continue;
    if (!out.emplace(name, *v).second)
      d.error(kv.first, "duplicate key '" + m.path(key) + "." + name + "'");
  }
}

void checkRequired(MapReader& m, const YAML::Node& item, const std::string& path,
                   const std::string& value, const char* key, const char* type) {
  if (value.empty()) {
    Diagnostics& d = m.diag();
    d.error(m.has(key) ? m.get(key) : item,
            path + ": a " + std::string(type) + " sink needs " + key);
  }
}

Sink parseSink(Diagnostics& d, const YAML::Node& item, const std::string& path) {
  MapReader m(d, item, path);
  Sink s;
  m.string("name", s.name);
  if (m.isMap() && s.name.empty()) d.error(item, path + ": name is required");
  if (!s.name.empty() && !isSinkName(s.name)) {
    d.error(m.get("name"), path + ".name: invalid sink name '" + s.name + "'");
  }
  YAML::Node type = m.get("type");
  bool typeKnown = false;
  if (!type.IsDefined()) {
    if (m.isMap()) d.error(item, path + ": type is required (file, stdout, http, kafka)");
  } else if (auto t = readEnum(d, type, m.path("type"), kSinkTypes)) {
    s.type = *t;
    typeKnown = true;
  }
  for (const KeyRule& rule : kTypedKeys) {
    if (typeKnown && m.has(rule.key) &&
        std::find(rule.types.begin(), rule.types.end(), s.type) == rule.types.end()) {
      d.error(m.keyNode(rule.key),
              m.path(rule.key) + ": not valid for a " + enumName(s.type, kSinkTypes) + " sink");
    }
  }
  m.enumeration("format", s.format,
                {{"json", EventFormat::Json},
                 {"ndjson", EventFormat::Json},
                 {"cloudevents", EventFormat::CloudEvents}});
  m.string("path", s.path);
  {
    MapReader r(d, m.get("rotate"), m.path("rotate"));
    r.size("max_bytes", s.rotateMaxBytes);
    r.duration("max_age", s.rotateMaxAge);
  }
  m.duration("fsync", s.fsync);
  m.string("url", s.url);
  {
    MapReader b(d, m.get("batch"), m.path("batch"));
    b.integer("max_events", s.batchMaxEvents, 1, 1'000'000);
    b.size("max_bytes", s.batchMaxBytes);
    b.duration("max_delay", s.batchMaxDelay);
  }
  m.duration("timeout", s.timeout);
  m.boolean("gzip", s.gzip);
  stringMap(m, "headers", s.headers);
  m.string("dead_letter", s.deadLetter);
  m.string("brokers", s.brokers);
  m.string("topic", s.topic);
  m.enumeration<std::string>("key", s.key, {{"visitor", "visitor"}, {"none", "none"}});
  stringMap(m, "properties", s.properties);
  {
    MapReader sp(d, m.get("spool"), m.path("spool"));
    sp.string("dir", s.spool.dir);
    sp.size("max_bytes", s.spool.maxBytes);
  }
  if (!m.isMap() || !typeKnown) return s;
  switch (s.type) {
    case SinkType::File:
      checkRequired(m, item, path, s.path, "path", "file");
      break;
    case SinkType::Stdout:
      break;
    case SinkType::Http:
      if (s.url.rfind("http://", 0) != 0 && s.url.rfind("https://", 0) != 0) {
        d.error(m.has("url") ? m.get("url") : item,
                path + ": an http sink needs a url starting with http:// or https://");
      }
      break;
    case SinkType::Kafka:
      checkRequired(m, item, path, s.brokers, "brokers", "kafka");
      checkRequired(m, item, path, s.topic, "topic", "kafka");
      break;
  }
  if (s.spool.dir.empty() && (s.type == SinkType::Http || s.type == SinkType::Kafka)) {
    s.spool.dir = "spool/" + s.name;
  }
  return s;
}

}  // namespace

void parseSinks(MapReader& root, LoadState& st) {
  Diagnostics& d = root.diag();
  forEachItem(d, root.get("sinks"), "sinks", [&](const YAML::Node& n, const std::string& p) {
    st.config.sinks.push_back(parseSink(d, n, p));
    st.sinkPos.push_back(d.pos(n.IsMap() && n["name"].IsDefined() ? n["name"] : n));
  });
}

}  // namespace consentry::config::detail
