#pragma once
// Percent-encoding helpers for scrubbing URLs: PII must be found in its decoded form (an email
// written as a%40b.com is still an email), and a redacted component must be re-encoded so it
// cannot change the URL's structure.

#include <string>
#include <string_view>

namespace consentry::filters::scrub {

// True when `text` has at least one valid %XX escape (or a '+' when `plusIsSpace`), i.e. when
// decoding would change it.
bool needsDecoding(std::string_view text, bool plusIsSpace);

// Appends the decoded `text` to `out`: %XX becomes the byte, an invalid escape stays as is, and
// '+' becomes a space when `plusIsSpace` (query strings, form encoding).
void percentDecode(std::string_view text, bool plusIsSpace, std::string& out);

// Appends `text` with every byte outside RFC 3986 unreserved characters (and '[', ']', which the
// `[redacted]` marker uses) percent-encoded.
void percentEncode(std::string_view text, std::string& out);

}  // namespace consentry::filters::scrub
