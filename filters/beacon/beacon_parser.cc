#include "filters/beacon/beacon_parser.h"

#include <simdjson.h>

#include <cmath>

namespace consentry::filters {
namespace {

using simdjson::ondemand::json_type;
using simdjson::ondemand::object;
using simdjson::ondemand::value;

constexpr int kMaxDimension = 100'000;

struct Parser {
  const BeaconLimits& limits;
  std::string error;
  int status = 400;

  bool fail(std::string message, int code = 400) {
    if (error.empty()) {
      error = std::move(message);
      status = code;
    }
    return false;
  }

  bool readString(value v, std::string& out, size_t maxBytes, std::string_view field) {
    std::string_view s;
    if (v.get_string().get(s) != simdjson::SUCCESS) {
      return fail(std::string(field) + " must be a string");
    }
    if (s.size() > maxBytes) return fail(std::string(field) + " is too long");
    out.assign(s);
    return true;
  }

  bool readDimension(value v, int& out, std::string_view field) {
    int64_t n = 0;
    if (v.get_int64().get(n) != simdjson::SUCCESS || n < 0 || n > kMaxDimension) {
      return fail(std::string(field) + " must be an integer between 0 and 100000");
    }
    out = static_cast<int>(n);
    return true;
  }

  bool readScreen(value v, events::Screen& screen) {
    object o;
    if (v.get_object().get(o) != simdjson::SUCCESS) return fail("screen must be an object");
    for (auto field : o) {
      std::string_view key;
      if (field.unescaped_key().get(key) != simdjson::SUCCESS) return fail("bad key in screen");
      value fv;
      if (field.value().get(fv) != simdjson::SUCCESS) return fail("bad value in screen");
      if (key == "width") {
        if (!readDimension(fv, screen.width, "screen.width")) return false;
      } else if (key == "height") {
        if (!readDimension(fv, screen.height, "screen.height")) return false;
      } else if (key == "dpr") {
        double d = 0;
        if (fv.get_double().get(d) != simdjson::SUCCESS || !(d > 0) || d > 16) {
          return fail("screen.dpr must be a number in (0, 16]");
        }
        screen.dpr = d;
      }
    }
    return true;
  }

  bool readViewport(value v, events::Viewport& viewport) {
    object o;
    if (v.get_object().get(o) != simdjson::SUCCESS) return fail("viewport must be an object");
    for (auto field : o) {
      std::string_view key;
      if (field.unescaped_key().get(key) != simdjson::SUCCESS) return fail("bad key in viewport");
      value fv;
      if (field.value().get(fv) != simdjson::SUCCESS) return fail("bad value in viewport");
      if (key == "width") {
        if (!readDimension(fv, viewport.width, "viewport.width")) return false;
      } else if (key == "height") {
        if (!readDimension(fv, viewport.height, "viewport.height")) return false;
      }
    }
    return true;
  }

  bool readProps(value v, BeaconEvent& event) {
    object o;
    if (v.get_object().get(o) != simdjson::SUCCESS) return fail("props must be an object");
    for (auto field : o) {
      std::string_view key;
      if (field.unescaped_key().get(key) != simdjson::SUCCESS) return fail("bad key in props");
      if (key.empty() || key.size() > limits.maxNameChars) return fail("props key length");
      if (event.props.size() >= limits.maxProps) return fail("too many props");
      value pv;
      if (field.value().get(pv) != simdjson::SUCCESS) return fail("bad props value");
      json_type type;
      if (pv.type().get(type) != simdjson::SUCCESS) return fail("bad props value");
      switch (type) {
        case json_type::string: {
          std::string s;
          if (!readString(pv, s, limits.maxStringBytes, "props value")) return false;
          event.props.emplace_back(std::string(key), std::move(s));
          break;
        }
        case json_type::number: {
          double d = 0;
          if (pv.get_double().get(d) != simdjson::SUCCESS || !std::isfinite(d)) {
            return fail("props number out of range");
          }
          event.props.emplace_back(std::string(key), d);
          break;
        }
        case json_type::boolean: {
          bool b = false;
          if (pv.get_bool().get(b) != simdjson::SUCCESS) return fail("bad props boolean");
          event.props.emplace_back(std::string(key), b);
          break;
        }
        default:
          return fail("props values must be strings, numbers or booleans");
      }
    }
    return true;
  }

  // Reads one event's fields. With `batch` non-null an "events" array is accepted and each of its
  // elements parsed into *batch (the batch form); nested batches are not.
  bool readEventFields(object o, BeaconEvent& event, std::vector<BeaconEvent>* batch,
                       bool& sawBatch) {
    for (auto field : o) {
      std::string_view key;
      if (field.unescaped_key().get(key) != simdjson::SUCCESS) return fail("bad key");
      value v;
      if (field.value().get(v) != simdjson::SUCCESS) return fail("bad value");
      if (key == "events" && batch != nullptr) {
        sawBatch = true;
        if (!readBatch(v, *batch)) return false;
      } else if (key == "name") {
        if (!readString(v, event.name, limits.maxNameChars, "name")) return false;
        if (event.name.empty()) return fail("name must not be empty");
      } else if (key == "screen") {
        events::Screen s;
        if (!readScreen(v, s)) return false;
        event.screen = s;
      } else if (key == "viewport") {
        events::Viewport vp;
        if (!readViewport(v, vp)) return false;
        event.viewport = vp;
      } else if (key == "language") {
        std::string s;
        if (!readString(v, s, 35, "language")) return false;
        event.language = std::move(s);
      } else if (key == "path") {
        std::string s;
        if (!readString(v, s, limits.maxStringBytes, "path")) return false;
        if (s.empty() || s[0] != '/') return fail("path must start with '/'");
        event.path = std::move(s);
      } else if (key == "referrer") {
        std::string s;
        if (!readString(v, s, limits.maxStringBytes, "referrer")) return false;
        event.referrer = std::move(s);
      } else if (key == "props") {
        if (!readProps(v, event)) return false;
      }
    }
    return true;
  }

  bool readBatch(value v, std::vector<BeaconEvent>& batch) {
    simdjson::ondemand::array list;
    if (v.get_array().get(list) != simdjson::SUCCESS) return fail("events must be an array");
    for (auto element : list) {
      if (batch.size() >= limits.maxEvents) {
        return fail("more than " + std::to_string(limits.maxEvents) + " events", 413);
      }
      object o;
      if (element.get_object().get(o) != simdjson::SUCCESS) {
        return fail("each event must be an object");
      }
      BeaconEvent e;
      bool nested = false;
      if (!readEventFields(o, e, nullptr, nested)) return false;
      if (e.name.empty()) e.name = "beacon";
      batch.push_back(std::move(e));
    }
    // An empty batch is a client bug, not "nothing happened": say so rather than answer 204.
    if (batch.empty()) return fail("events must not be empty");
    return true;
  }
};

}  // namespace

BeaconParseResult parseBeacon(std::string_view body, const BeaconLimits& limits) {
  BeaconParseResult result;
  if (body.size() > limits.maxBytes) {
    result.status = 413;
    result.error = "beacon body exceeds " + std::to_string(limits.maxBytes) + " bytes";
    return result;
  }
  simdjson::padded_string padded(body);
  simdjson::ondemand::parser jsonParser;
  simdjson::ondemand::document doc;
  Parser p{limits, {}, 400};
  object root;
  if (jsonParser.iterate(padded).get(doc) != simdjson::SUCCESS ||
      doc.get_object().get(root) != simdjson::SUCCESS) {
    result.status = 400;
    result.error = "body must be a JSON object";
    return result;
  }

  BeaconEvent single;
  std::vector<BeaconEvent> batch;
  bool sawBatch = false;
  if (!p.readEventFields(root, single, &batch, sawBatch)) {
    result.status = p.status;
    result.error = p.error;
    return result;
  }
  if (sawBatch) {
    result.events = std::move(batch);
  } else {
    if (single.name.empty()) single.name = "beacon";
    result.events.push_back(std::move(single));
  }
  // On-Demand validates lazily: make sure nothing after the object was garbage.
  // simdjson 3.0 has no document::at_end(): past the last token current_location() fails.
  const char* rest = nullptr;
  if (doc.current_location().get(rest) == simdjson::SUCCESS) {
    result.status = 400;
    result.error = "trailing data after the JSON object";
    result.events.clear();
    return result;
  }
  return result;
}

std::string beaconErrorJson(const BeaconParseResult& result) {
  std::string out = "{\"error\":\"";
  for (char c : result.error) {
    if (c == '"' || c == '\\') out.push_back('\\');
    if (static_cast<unsigned char>(c) >= 0x20) out.push_back(c);
  }
  out += "\"}";
  return out;
}

}  // namespace consentry::filters
