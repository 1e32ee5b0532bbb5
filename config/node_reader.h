#pragma once
// The config loader's view of one YAML mapping: typed getters that record "FILE:LINE:COL: message"
// errors at the offending node instead of throwing, and a record of the keys that were read so
// every other key can be reported as unknown. Internal to config/.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/units.h"
#include "config/config_loader.h"

namespace consentry::config::detail {

// A position in a named source file, kept for checks that run after parsing (references).
struct SourcePos {
  std::string file;
  YAML::Mark mark;
};

// Collects the errors of one source file into the shared list (an included file has its own).
class Diagnostics {
 public:
  Diagnostics(std::string file, std::vector<ConfigError>& errors)
      : file_(std::move(file)), errors_(errors) {}

  const std::string& file() const { return file_; }
  std::vector<ConfigError>& errors() { return errors_; }
  SourcePos pos(const YAML::Node& node) const { return {file_, node.Mark()}; }
  void error(const YAML::Mark& mark, std::string message) {
    add(errors_, file_, mark, std::move(message));
  }
  void error(const YAML::Node& node, std::string message) {
    error(node.Mark(), std::move(message));
  }

  // Marks are 0-based and may be null (-1) for empty documents; errors are 1-based.
  static void add(std::vector<ConfigError>& errors, const std::string& file, const YAML::Mark& mark,
                  std::string message);

 private:
  std::string file_;
  std::vector<ConfigError>& errors_;
};

// Scalar conversions: nullopt after reporting "PATH: problem" at the node.
std::optional<std::string> readString(Diagnostics& d, const YAML::Node& n, const std::string& path);
std::optional<bool> readBool(Diagnostics& d, const YAML::Node& n, const std::string& path);
std::optional<int64_t> readInt(Diagnostics& d, const YAML::Node& n, const std::string& path,
                               int64_t min, int64_t max);
std::optional<Duration> readDuration(Diagnostics& d, const YAML::Node& n, const std::string& path);
std::optional<uint64_t> readSize(Diagnostics& d, const YAML::Node& n, const std::string& path);

template <typename E>
using EnumTable = std::initializer_list<std::pair<const char*, E>>;

template <typename E>
std::optional<E> readEnum(Diagnostics& d, const YAML::Node& n, const std::string& path,
                          EnumTable<E> table) {
  auto text = readString(d, n, path);
  if (!text) return std::nullopt;
  std::string names;
  for (const auto& [name, value] : table) {
    if (*text == name) return value;
    names += names.empty() ? "" : ", ";
    names += name;
  }
  d.error(n, path + ": '" + *text + "' is not one of " + names);
  return std::nullopt;
}

template <typename E>
const char* enumName(E value, EnumTable<E> table) {
  for (const auto& [name, v] : table) {
    if (v == value) return name;
  }
  return "?";
}

// Calls fn(item, "PATH[i]") for each element of a sequence; null means an empty list.
void forEachItem(Diagnostics& d, const YAML::Node& n, const std::string& path,
                 const std::function<void(const YAML::Node&, const std::string&)>& fn);

class MapReader {
 public:
  // `path` names the mapping in messages ("listeners[0]"); empty for the document root. A null
  // node reads as an empty mapping; anything else but a mapping is reported once.
  MapReader(Diagnostics& d, const YAML::Node& node, std::string path);
  MapReader(const MapReader&) = delete;
  MapReader& operator=(const MapReader&) = delete;
  // Reporting unread keys can only throw bad_alloc, where ending the process is right.
  ~MapReader() { finish(); }  // NOLINT(bugprone-exception-escape)

  Diagnostics& diag() { return d_; }
  const YAML::Node& node() const { return node_; }
  bool isMap() const { return isMap_; }
  bool has(std::string_view key) const;
  std::string path(std::string_view key) const;
  // The value of `key` (marked as read); an undefined node when absent.
  YAML::Node get(std::string_view key);
  // The key node itself, for errors about a key (its position) rather than its value.
  YAML::Node keyNode(std::string_view key) const;

  void string(std::string_view key, std::string& out);
  void boolean(std::string_view key, bool& out);
  void duration(std::string_view key, Duration& out);
  void size(std::string_view key, uint64_t& out);
  void stringList(std::string_view key, std::vector<std::string>& out);
  template <typename T>
  void integer(std::string_view key, T& out, int64_t min, int64_t max) {
    YAML::Node n = get(key);
    if (!n.IsDefined()) return;
    if (auto v = readInt(d_, n, path(key), min, max)) out = static_cast<T>(*v);
  }
  template <typename E>
  void enumeration(std::string_view key, E& out, EnumTable<E> table) {
    YAML::Node n = get(key);
    if (!n.IsDefined()) return;
    if (auto v = readEnum(d_, n, path(key), table)) out = *v;
  }

  // Reports every key that no getter asked for (also run by the destructor, once).
  void finish();

 private:
  Diagnostics& d_;
  YAML::Node node_;
  std::string path_;
  bool isMap_ = false;
  bool finished_ = false;
  std::set<std::string, std::less<>> read_;
};

}  // namespace consentry::config::detail
