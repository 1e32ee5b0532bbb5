#pragma once
// The per-field reductions a region policy applies (SPEC §2 `fields`). Each works in place and
// reports whether anything usable is left; false means the caller must drop the field.

#include <string>

#include "events/event.h"

namespace consentry::filters::policy {

// "131.0.6778.86" -> "131", "10_15_7" -> "10". false when no leading component is left.
bool reduceToMajorVersion(std::string& version);

// "de-DE" -> "de", "zh_Hant_TW" -> "zh", lower-cased. false unless the primary subtag is 2-8
// ASCII letters (anything else cannot be reduced safely).
bool reduceToPrimaryLanguage(std::string& tag);

// "https://user@Search.Example:8443/path?q=1#x" -> "https://search.example:8443". false when
// the text is not an absolute URL with a host.
bool reduceToOrigin(std::string& url);

// Screen and viewport buckets: width and height are rounded down to a multiple of
// kScreenBucketPx (1920x1080 -> 1900x1000, 390x844 -> 300x800), the device pixel ratio to the
// nearest integer, at least 1 (2.625 -> 3, 1.25 -> 1). Coarse enough that the pair no longer
// pins a device model, fine enough for layout analytics.
inline constexpr int kScreenBucketPx = 100;
void bucketScreen(events::Screen& screen);
void bucketViewport(events::Viewport& viewport);

}  // namespace consentry::filters::policy
