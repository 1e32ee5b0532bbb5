// Event strings come from request headers and beacon bodies: whatever the bytes, the serialized
// event must be valid JSON in valid UTF-8 (simdjson accepts it), must stay inside the writer's
// precomputed bound, and a valid UTF-8 string must come back unchanged.
#include <simdjson.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "events/event_json.h"

namespace {

// Splits the input at '\0' into the event's string fields, one after another.
std::string_view nextPiece(std::string_view& rest) {
  size_t cut = rest.find('\0');
  std::string_view piece = rest.substr(0, cut);
  rest = cut == std::string_view::npos ? std::string_view() : rest.substr(cut + 1);
  return piece;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace consentry::events;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  Event e;
  e.type = size % 3 == 0 ? EventType::Beacon : EventType::Pageview;
  e.id = "0193751c-7a3e-7c41-9d2a-5f0e8b7c6d5a";
  e.name = std::string(nextPiece(rest));
  e.path = std::string(nextPiece(rest));
  e.referrer = std::string(nextPiece(rest));
  e.osName = std::string(nextPiece(rest));
  // Visitor ids are bounded (32 hex digits in the product); any bytes up to that bound.
  e.visitor = nextPiece(rest).substr(0, VisitorId::capacity());
  e.props.emplace();
  e.props->emplace_back(std::string(nextPiece(rest)), std::string(nextPiece(rest)));
  std::string out;
  appendEventJson(e, out);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(out).get(doc) != simdjson::SUCCESS) __builtin_trap();
  std::string_view path;
  if (doc["page"]["path"].get_string().get(path) != simdjson::SUCCESS) __builtin_trap();
  if (simdjson::validate_utf8(e.path->data(), e.path->size()) && path != *e.path) __builtin_trap();
  std::string cloud;
  appendCloudEventJson(e, std::string_view(e.name), cloud);
  if (parser.parse(cloud).error() != simdjson::SUCCESS) __builtin_trap();
  return 0;
}
