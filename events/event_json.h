#pragma once
// Serializes an Event as schema consentry.event/1 (SPEC §5), and as a CloudEvents 1.0 structured
// JSON envelope around it, by appending to a caller-owned (reused) string: no DOM, no allocation
// once the string has grown. Absent optionals are omitted, never null; strings are escaped for
// JSON with invalid UTF-8 replaced by U+FFFD; doubles are written shortest round-trip; non-finite
// numbers (not representable in JSON) are omitted.

#include <chrono>
#include <string>
#include <string_view>

#include "events/event.h"

namespace consentry::events {

inline constexpr std::string_view kEventSchema = "consentry.event/1";

// Appends one JSON object (no newline) for `event`.
void appendEventJson(const Event& event, std::string& out);

// Appends the CloudEvents 1.0 structured-mode object whose `data` is the event.
void appendCloudEventJson(const Event& event, std::string_view source, std::string& out);

// The same envelope around an event already serialized by appendEventJson (`eventJson`), from
// the fields it repeats: byte for byte what appendCloudEventJson writes for that event. `key` is
// the event's visitor (empty: no partition key).
void appendCloudEventEnvelope(std::string_view id, EventType type,
                              std::chrono::system_clock::time_point time, std::string_view key,
                              std::string_view eventJson, std::string_view source,
                              std::string& out);

// "urn:consentry:<hostname>", or "/consentry" when the host name is unknown.
std::string defaultCloudEventSource();

// Appends `text` as a JSON string literal (quotes included).
void appendJsonString(std::string_view text, std::string& out);

// Appends "YYYY-MM-DDThh:mm:ss.mmmZ" (UTC, milliseconds).
void appendIsoTime(std::chrono::system_clock::time_point time, std::string& out);

}  // namespace consentry::events
