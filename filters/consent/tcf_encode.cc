// TC string encoder: the inverse of tcf_decode.cc, used by tests, fuzz seeds and tooling.
#include <algorithm>
#include <string>

#include "filters/consent/tcf_bits.h"
#include "filters/consent/tcf_string.h"

namespace consentry::filters::consent::tcf {
namespace {

struct Range {
  uint16_t start;
  uint16_t end;
};

std::vector<Range> toRanges(std::vector<uint16_t> ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<Range> out;
  for (uint16_t id : ids) {
    if (id == 0) continue;
    if (!out.empty() && out.back().end + 1 == id) {
      out.back().end = id;
    } else {
      out.push_back({id, id});
    }
  }
  return out;
}

bool writeRanges(BitWriter& w, const std::vector<uint16_t>& ids) {
  std::vector<Range> ranges = toRanges(ids);
  if (ranges.size() > 4095) return false;
  w.write(ranges.size(), 12);
  for (const Range& r : ranges) {
    bool isRange = r.end != r.start;
    w.writeBool(isRange);
    w.write(r.start, 16);
    if (isRange) w.write(r.end, 16);
  }
  return true;
}

bool writeVendorSet(BitWriter& w, const VendorSet& set) {
  uint16_t maxId = set.maxVendorId;
  for (uint16_t id : set.ids) maxId = std::max(maxId, id);
  w.write(maxId, 16);
  w.writeBool(set.rangeEncoding);
  if (set.rangeEncoding) return writeRanges(w, set.ids);
  std::vector<bool> bits(size_t{maxId} + 1, false);
  for (uint16_t id : set.ids) bits[id] = true;
  for (size_t id = 1; id <= maxId; ++id) w.writeBool(bits[id]);
  return true;
}

bool writeLetters(BitWriter& w, const std::string& s) {
  if (s.size() != 2) return false;
  for (char c : s) {
    if (c < 'A' || c > 'Z') return false;
    w.write(static_cast<uint64_t>(c - 'A'), 6);
  }
  return true;
}

// Our masks keep id n at bit n-1; the string has id 1 first.
void writeMask(BitWriter& w, uint64_t mask, unsigned width) {
  for (unsigned i = 0; i < width; ++i) w.writeBool(((mask >> i) & 1u) != 0);
}

Error fail(std::string_view what) {
  return makeError(std::string(what));
}

}  // namespace

Result<std::string> encodeTcString(const TcString& tc) {
  BitWriter w;
  w.write(tc.version, 6);
  w.write(static_cast<uint64_t>(tc.created), 36);
  w.write(static_cast<uint64_t>(tc.lastUpdated), 36);
  w.write(tc.cmpId, 12);
  w.write(tc.cmpVersion, 12);
  w.write(tc.consentScreen, 6);
  if (!writeLetters(w, tc.consentLanguage)) return fail("consentLanguage must be two letters A-Z");
  w.write(tc.vendorListVersion, 12);
  w.write(tc.tcfPolicyVersion, 6);
  w.writeBool(tc.isServiceSpecific);
  w.writeBool(tc.useNonStandardTexts);
  writeMask(w, tc.specialFeatureOptIns, 12);
  writeMask(w, tc.purposesConsent, 24);
  writeMask(w, tc.purposesLITransparency, 24);
  w.writeBool(tc.purposeOneTreatment);
  if (!writeLetters(w, tc.publisherCC)) return fail("publisherCC must be two letters A-Z");
  if (!writeVendorSet(w, tc.vendorConsents) || !writeVendorSet(w, tc.vendorLegitimateInterests)) {
    return fail("too many vendor ranges");
  }
  if (tc.pubRestrictions.size() > 4095) return fail("too many publisher restrictions");
  w.write(tc.pubRestrictions.size(), 12);
  for (const PubRestriction& pr : tc.pubRestrictions) {
    w.write(pr.purposeId, 6);
    w.write(pr.restrictionType, 2);
    if (!writeRanges(w, pr.vendors)) return fail("too many restriction ranges");
  }
  std::string out = base64UrlEncode(w.bytes());

  auto vendorSegment = [&](const std::optional<VendorSet>& set, unsigned type) {
    if (!set) return true;
    BitWriter s;
    s.write(type, 3);
    if (!writeVendorSet(s, *set)) return false;
    out += '.';
    out += base64UrlEncode(s.bytes());
    return true;
  };
  if (!vendorSegment(tc.disclosedVendors, 1) || !vendorSegment(tc.allowedVendors, 2)) {
    return fail("too many vendor ranges");
  }
  if (tc.publisherTc) {
    const PublisherTc& p = *tc.publisherTc;
    if (p.numCustomPurposes > 63) return fail("numCustomPurposes above 63");
    BitWriter s;
    s.write(3, 3);
    writeMask(s, p.purposesConsent, 24);
    writeMask(s, p.purposesLITransparency, 24);
    s.write(p.numCustomPurposes, 6);
    writeMask(s, p.customPurposesConsent, p.numCustomPurposes);
    writeMask(s, p.customPurposesLITransparency, p.numCustomPurposes);
    out += '.';
    out += base64UrlEncode(s.bytes());
  }
  return out;
}

}  // namespace consentry::filters::consent::tcf
