#include "config/node_reader.h"

#include <charconv>

namespace consentry::config::detail {

void Diagnostics::add(std::vector<ConfigError>& errors, const std::string& file,
                      const YAML::Mark& mark, std::string message) {
  ConfigError e;
  e.file = file;
  // An empty document has a null mark; point at its start rather than at nothing.
  e.line = mark.line >= 0 ? mark.line + 1 : 1;
  e.column = mark.column >= 0 ? mark.column + 1 : 1;
  e.message = std::move(message);
  errors.push_back(std::move(e));
}

std::optional<std::string> readString(Diagnostics& d, const YAML::Node& n,
                                      const std::string& path) {
  if (n.IsScalar()) return n.Scalar();
  d.error(n, path + ": expected a string");
  return std::nullopt;
}

std::optional<bool> readBool(Diagnostics& d, const YAML::Node& n, const std::string& path) {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    if (s == "true" || s == "True" || s == "TRUE" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "False" || s == "FALSE" || s == "no" || s == "off") return false;
  }
  d.error(n, path + ": expected true or false");
  return std::nullopt;
}

std::optional<int64_t> readInt(Diagnostics& d, const YAML::Node& n, const std::string& path,
                               int64_t min, int64_t max) {
  if (n.IsScalar()) {
    const std::string& s = n.Scalar();
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec == std::errc() && ptr == s.data() + s.size() && !s.empty() && v >= min && v <= max) {
      return v;
    }
  }
  d.error(
      n, path + ": expected an integer from " + std::to_string(min) + " to " + std::to_string(max));
  return std::nullopt;
}

std::optional<Duration> readDuration(Diagnostics& d, const YAML::Node& n, const std::string& path) {
  if (n.IsScalar()) {
    if (auto v = parseDuration(n.Scalar())) return v;
    d.error(n, path + ": invalid duration '" + n.Scalar() + "' (use e.g. 250ms, 10s, 5m, 1h, 2d)");
    return std::nullopt;
  }
  d.error(n, path + ": expected a duration");
  return std::nullopt;
}

std::optional<uint64_t> readSize(Diagnostics& d, const YAML::Node& n, const std::string& path) {
  if (n.IsScalar()) {
    if (auto v = parseSize(n.Scalar())) return v;
    d.error(n, path + ": invalid size '" + n.Scalar() + "' (use e.g. 512, 16KiB, 100MiB, 1GiB)");
    return std::nullopt;
  }
  d.error(n, path + ": expected a size");
  return std::nullopt;
}

void forEachItem(Diagnostics& d, const YAML::Node& n, const std::string& path,
                 const std::function<void(const YAML::Node&, const std::string&)>& fn) {
  if (!n.IsDefined() || n.IsNull()) return;
  if (!n.IsSequence()) {
    d.error(n, path + ": expected a list");
    return;
  }
  for (size_t i = 0; i < n.size(); ++i) fn(n[i], path + "[" + std::to_string(i) + "]");
}

MapReader::MapReader(Diagnostics& d, const YAML::Node& node, std::string path)
    : d_(d), node_(node), path_(std::move(path)) {
  if (!node_.IsDefined() || node_.IsNull()) {
    finished_ = true;  // nothing to report: an absent or empty section takes the defaults
    return;
  }
  if (!node_.IsMap()) {
    d_.error(node_, (path_.empty() ? std::string("config") : path_) + ": expected a mapping");
    finished_ = true;
    return;
  }
  isMap_ = true;
  // yaml-cpp keeps duplicate keys and answers lookups with the first; say so instead.
  std::set<std::string, std::less<>> seen;
  for (const auto& kv : node_) {
    if (!kv.first.IsScalar()) {
      d_.error(kv.first,
               (path_.empty() ? std::string("config") : path_) + ": keys must be plain strings");
      continue;
    }
    if (!seen.insert(kv.first.Scalar()).second) {
      d_.error(kv.first, "duplicate key '" + this->path(kv.first.Scalar()) + "'");
    }
  }
}

bool MapReader::has(std::string_view key) const {
  if (!isMap_) return false;
  for (const auto& kv : node_) {
    if (kv.first.IsScalar() && kv.first.Scalar() == key) return true;
  }
  return false;
}

std::string MapReader::path(std::string_view key) const {
  if (path_.empty()) return std::string(key);
  if (key.empty()) return path_;
  return path_ + "." + std::string(key);
}

YAML::Node MapReader::keyNode(std::string_view key) const {
  if (isMap_) {
    for (const auto& kv : node_) {
      if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.first;
    }
  }
  return node_;
}

YAML::Node MapReader::get(std::string_view key) {
  read_.emplace(key);
  if (isMap_) {
    for (const auto& kv : node_) {
      if (kv.first.IsScalar() && kv.first.Scalar() == key) return kv.second;
    }
  }
  // An undefined node without touching the document: a lookup on an empty mapping.
  static const YAML::Node kNoMap(YAML::NodeType::Undefined);
  return kNoMap;
}

void MapReader::string(std::string_view key, std::string& out) {
  YAML::Node n = get(key);
  if (!n.IsDefined()) return;
  if (auto v = readString(d_, n, path(key))) out = *v;
}

void MapReader::boolean(std::string_view key, bool& out) {
  YAML::Node n = get(key);
  if (!n.IsDefined()) return;
  if (auto v = readBool(d_, n, path(key))) out = *v;
}

void MapReader::duration(std::string_view key, Duration& out) {
  YAML::Node n = get(key);
  if (!n.IsDefined()) return;
  if (auto v = readDuration(d_, n, path(key))) out = *v;
}

void MapReader::size(std::string_view key, uint64_t& out) {
  YAML::Node n = get(key);
  if (!n.IsDefined()) return;
  if (auto v = readSize(d_, n, path(key))) out = *v;
}

void MapReader::stringList(std::string_view key, std::vector<std::string>& out) {
  YAML::Node n = get(key);
  if (!n.IsDefined()) return;
  std::vector<std::string> values;
  bool ok = true;
  forEachItem(d_, n, path(key), [&](const YAML::Node& item, const std::string& p) {
    if (auto v = readString(d_, item, p)) {
      values.push_back(*v);
    } else {
      ok = false;
    }
  });
  if (ok && (n.IsSequence() || n.IsNull())) out = std::move(values);
}

void MapReader::finish() {
  if (finished_) return;
  finished_ = true;
  for (const auto& kv : node_) {
    if (!kv.first.IsScalar() || read_.count(kv.first.Scalar()) != 0) continue;
    d_.error(kv.first, path_.empty() ? "unknown key '" + kv.first.Scalar() + "'"
                                     : "unknown key '" + kv.first.Scalar() + "' in " + path_);
  }
}

}  // namespace consentry::config::detail
