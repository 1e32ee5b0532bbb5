#pragma once
// SPEC §9 invariant 6: configured query parameters and detected PII (email, phone, card, IBAN,
// JWT, IP address) leave the process only as `[redacted]`, in the event's path, referrer and
// string props. URLs are scrubbed component by component (path segments, query names and
// values, fragment) in percent-decoded form, so `a%40b.com` is caught; a component that had to
// be decoded is re-encoded after redaction. Strings without a match are left untouched and
// nothing is allocated for them (the common case).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "events/event.h"
#include "filters/scrub/pii_detectors.h"

namespace consentry::filters::scrub {

inline constexpr std::string_view kRedacted = "[redacted]";

class Scrubber {
 public:
  // privacy.scrub: query_params and detectors (unknown detector names are ignored here; the
  // config loader rejects them).
  explicit Scrubber(const config::Privacy& privacy);
  Scrubber(const std::vector<std::string>& queryParams, DetectorSet detectors);

  // An absolute URL or an origin-form target ("/p?q=1#f"). true when something was redacted.
  bool scrubUrl(std::string& url) const;
  // The same, answering each question about the URL with a scan of its own (what scrubUrl does
  // for URLs longer than the largest UrlMasks): the reference for scrubUrl's tests.
  bool scrubUrlByScans(std::string& url) const;

  // A free-text value (beacon prop). Text that looks like a URL (has %XX escapes, '?', "://"
  // or starts with '/') is scrubbed as one.
  bool scrubText(std::string& text) const;

  // Path, referrer and string props. Returns the number of values changed.
  size_t scrubEvent(events::Event& event) const;

  // Whether a (decoded) query parameter name is on the list: case-insensitive, and "user[email]"
  // or "email[]" count as "email".
  bool isScrubbedParam(std::string_view decodedName) const;

  DetectorSet detectors() const { return detectors_; }

 private:
  class Rewriter;
  // `Facts` answers the questions about the URL (where the delimiters are, which components need
  // decoding, which detectors a component leaves): UrlMasks, or scans of the URL.
  template <class Facts>
  bool scrubUrlWith(std::string& url, const Facts& facts) const;
  template <class Facts>
  void scrubComponent(Rewriter& rw, const Facts& facts, size_t begin, size_t end, bool plusIsSpace,
                      DetectorSet active) const;
  template <class Facts>
  void scrubQuery(Rewriter& rw, const Facts& facts, size_t begin, size_t end,
                  DetectorSet active) const;
  bool paramNameMatches(std::string_view rawName, bool escaped) const;
  bool scrubPlain(std::string& text) const;

  // Lower-case, shortest first. Entries of length n (kLongParam: that or longer) are
  // params_[paramsFrom_[n]] up to paramsFrom_[n + 1]: most query names have no entry of their
  // length, and the others are compared with those entries only (a name of four letters was
  // compared with all twelve default entries).
  static constexpr size_t kLongParam = 63;
  std::vector<std::string> params_;
  std::array<size_t, kLongParam + 2> paramsFrom_{};
  DetectorSet detectors_;
};

}  // namespace consentry::filters::scrub
