// JSON consent formats: site json cookies, orestbida cookieconsent (cc_cookie) and Klaro.
#include <simdjson.h>

#include <string>

#include "filters/consent/sources.h"

namespace consentry::filters::consent {
namespace {

using Outcome = SourceDecision::Outcome;
using simdjson::SUCCESS;
using simdjson::ondemand::json_type;

SourceDecision malformed() {
  return SourceDecision::none(Outcome::Malformed);
}

// A JSON value as a consent flag: true, 1 or a granting word grant; other values refuse;
// nullopt when the value itself is not valid JSON.
std::optional<bool> jsonGranted(simdjson::ondemand::value v) {
  json_type t;
  if (v.type().get(t) != SUCCESS) return std::nullopt;
  switch (t) {
    case json_type::boolean: {
      bool b = false;
      if (v.get_bool().get(b) != SUCCESS) return std::nullopt;
      return b;
    }
    case json_type::number: {
      double d = 0;
      if (v.get_double().get(d) != SUCCESS) return std::nullopt;
      return d == 1.0;
    }
    case json_type::string: {
      std::string_view s;
      if (v.get_string().get(s) != SUCCESS) return std::nullopt;
      return isGrantedWord(s);
    }
    case json_type::null: {
      // is_null() yields a result: an invalid literal such as `n` is an error, not "not null",
      // and converting that result to bool would throw on the request path.
      bool isNull = false;
      if (v.is_null().get(isNull) != SUCCESS || !isNull) return std::nullopt;
      return false;
    }
    default:
      return false;  // objects and arrays are skipped (and checked) by the iterator
  }
}

// A policy version given as a JSON number or a numeric string.
std::optional<int> jsonVersion(simdjson::ondemand::value v) {
  json_type t;
  if (v.type().get(t) != SUCCESS) return std::nullopt;
  if (t == json_type::number) {
    int64_t n = 0;
    if (v.get_int64().get(n) != SUCCESS || n < INT32_MIN || n > INT32_MAX) return std::nullopt;
    return static_cast<int>(n);
  }
  if (t == json_type::string) {
    std::string_view s;
    if (v.get_string().get(s) != SUCCESS) return std::nullopt;
    return parseIntStrict(s);
  }
  return std::nullopt;
}

// Parses `text` as one JSON object and calls f(key, value) per field; false on any JSON error.
// Keys stay valid while `parser` lives.
template <typename F>
bool forEachField(simdjson::ondemand::parser& parser, const simdjson::padded_string& text, F&& f) {
  simdjson::ondemand::document doc;
  if (parser.iterate(text).get(doc) != SUCCESS) return false;
  simdjson::ondemand::object obj;
  if (doc.get_object().get(obj) != SUCCESS) return false;
  for (auto field : obj) {
    std::string_view key;
    if (field.unescaped_key().get(key) != SUCCESS) return false;
    simdjson::ondemand::value v;
    if (field.value().get(v) != SUCCESS) return false;
    if (!f(key, v)) return false;
  }
  // On-Demand is lazy: only reaching the end proves the whole text is one well-formed object.
  return doc.current_location().error() == simdjson::OUT_OF_BOUNDS;
}

}  // namespace

SourceDecision parseJsonCookie(const config::ConsentSource& source, std::string_view value) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string text(value);
  ConsentFlags flags;
  bool versionOk = true;
  bool ok = forEachField(parser, text, [&](std::string_view key, simdjson::ondemand::value v) {
    if (key == source.versionKey) {
      flags.version = jsonVersion(v);
      versionOk = flags.version.has_value();
      return versionOk;
    }
    std::optional<bool> granted = jsonGranted(v);
    if (!granted) return false;
    flags.items.emplace_back(key, *granted);
    return true;
  });
  if (!ok || (flags.items.empty() && !flags.version)) return malformed();
  return SourceDecision::decided(applyMap(source, flags), flags.version);
}

SourceDecision parseCcCookie(const config::ConsentSource& source, std::string_view value) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string text(value);
  ConsentFlags flags;
  bool haveCategories = false;
  bool ok = forEachField(parser, text, [&](std::string_view key, simdjson::ondemand::value v) {
    // v3 names the accepted categories `categories`, v2 `level`.
    if (key == "categories" || key == "level") {
      if (haveCategories) return false;
      haveCategories = true;
      simdjson::ondemand::array arr;
      if (v.get_array().get(arr) != SUCCESS) return false;
      for (auto item : arr) {
        std::string_view name;
        if (item.get_string().get(name) != SUCCESS) return false;
        flags.items.emplace_back(name, true);
      }
      return true;
    }
    if (key == "revision") {
      flags.version = jsonVersion(v);
      return flags.version.has_value();
    }
    return true;
  });
  if (!ok || !haveCategories) return malformed();
  return SourceDecision::decided(applyMap(source, flags), flags.version);
}

SourceDecision parseKlaro(const config::ConsentSource& source, std::string_view value) {
  simdjson::ondemand::parser parser;
  simdjson::padded_string text(value);
  ConsentFlags flags;
  bool ok = forEachField(parser, text, [&](std::string_view key, simdjson::ondemand::value v) {
    bool b = false;
    if (v.get_bool().get(b) != SUCCESS) return false;
    flags.items.emplace_back(key, b);
    return true;
  });
  if (!ok) return malformed();
  return SourceDecision::decided(applyMap(source, flags));
}

}  // namespace consentry::filters::consent
