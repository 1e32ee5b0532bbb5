// TC string decoder (IAB TCF v2.2, "Consent string and vendor list formats").
#include <algorithm>
#include <string>

#include "filters/consent/tcf_bits.h"
#include "filters/consent/tcf_string.h"

namespace consentry::filters::consent::tcf {
namespace {

// Publisher restrictions carry ranges without a MaxVendorId; expanding hostile ones could need
// gigabytes, so their total size is capped far above any real string.
constexpr size_t kMaxRestrictedVendors = size_t{1} << 17;

Error fail(std::string_view what) {
  return makeError(std::string(what));
}

bool readLetters(BitReader& r, std::string& out) {
  out.clear();
  for (int i = 0; i < 2; ++i) {
    uint64_t v = r.read(6);
    if (v > 25) return false;
    out.push_back(static_cast<char>('A' + v));
  }
  return true;
}

// Range entries: NumEntries(12) then {IsARange(1), Start(16)[, End(16)]}. Appends ids.
bool readRanges(BitReader& r, std::vector<uint16_t>& ids, uint16_t maxId, size_t cap) {
  uint64_t entries = r.read(12);
  for (uint64_t e = 0; e < entries && !r.failed(); ++e) {
    bool isRange = r.readBool();
    uint64_t start = r.read(16);
    uint64_t end = isRange ? r.read(16) : start;
    if (r.failed()) return false;
    if (start == 0 || end < start || (maxId != 0 && end > maxId)) return false;
    if (ids.size() + (end - start + 1) > cap) return false;
    for (uint64_t id = start; id <= end; ++id) ids.push_back(static_cast<uint16_t>(id));
  }
  return !r.failed();
}

void normalize(std::vector<uint16_t>& ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
}

bool readVendorSet(BitReader& r, VendorSet& set) {
  set.maxVendorId = static_cast<uint16_t>(r.read(16));
  set.rangeEncoding = r.readBool();
  set.ids.clear();
  if (r.failed()) return false;
  if (!set.rangeEncoding) {
    return r.readBitField(set.maxVendorId, set.ids);
  }
  // With range encoding no id may exceed MaxVendorId; a zero MaxVendorId allows no entries.
  if (set.maxVendorId == 0) return r.read(12) == 0 && !r.failed();
  if (!readRanges(r, set.ids, set.maxVendorId, 65536)) return false;
  normalize(set.ids);
  return true;
}

bool readCore(BitReader& r, TcString& tc) {
  tc.version = static_cast<uint8_t>(r.read(6));
  if (tc.version != 2) return false;
  tc.created = static_cast<int64_t>(r.read(36));
  tc.lastUpdated = static_cast<int64_t>(r.read(36));
  tc.cmpId = static_cast<uint16_t>(r.read(12));
  tc.cmpVersion = static_cast<uint16_t>(r.read(12));
  tc.consentScreen = static_cast<uint8_t>(r.read(6));
  if (!readLetters(r, tc.consentLanguage)) return false;
  tc.vendorListVersion = static_cast<uint16_t>(r.read(12));
  tc.tcfPolicyVersion = static_cast<uint8_t>(r.read(6));
  tc.isServiceSpecific = r.readBool();
  tc.useNonStandardTexts = r.readBool();
  tc.specialFeatureOptIns = static_cast<uint16_t>(r.read(12));
  tc.purposesConsent = static_cast<uint32_t>(r.read(24));
  tc.purposesLITransparency = static_cast<uint32_t>(r.read(24));
  tc.purposeOneTreatment = r.readBool();
  if (!readLetters(r, tc.publisherCC)) return false;
  if (!readVendorSet(r, tc.vendorConsents)) return false;
  if (!readVendorSet(r, tc.vendorLegitimateInterests)) return false;
  uint64_t numRestrictions = r.read(12);
  size_t total = 0;
  for (uint64_t i = 0; i < numRestrictions && !r.failed(); ++i) {
    PubRestriction pr;
    pr.purposeId = static_cast<uint8_t>(r.read(6));
    pr.restrictionType = static_cast<uint8_t>(r.read(2));
    if (!readRanges(r, pr.vendors, 0, kMaxRestrictedVendors - total)) return false;
    total += pr.vendors.size();
    normalize(pr.vendors);
    tc.pubRestrictions.push_back(std::move(pr));
  }
  return !r.failed();
}

// The TCF stores a bit per purpose with purpose 1 first: reverse into our bit-n-1 layout.
uint64_t reverseBits(uint64_t v, unsigned width) {
  uint64_t out = 0;
  for (unsigned i = 0; i < width; ++i) {
    if ((v >> (width - 1 - i)) & 1u) out |= uint64_t{1} << i;
  }
  return out;
}

void fixMasks(TcString& tc) {
  tc.specialFeatureOptIns = static_cast<uint16_t>(reverseBits(tc.specialFeatureOptIns, 12));
  tc.purposesConsent = static_cast<uint32_t>(reverseBits(tc.purposesConsent, 24));
  tc.purposesLITransparency = static_cast<uint32_t>(reverseBits(tc.purposesLITransparency, 24));
}

bool readPublisherTc(BitReader& r, PublisherTc& p) {
  p.purposesConsent = static_cast<uint32_t>(reverseBits(r.read(24), 24));
  p.purposesLITransparency = static_cast<uint32_t>(reverseBits(r.read(24), 24));
  p.numCustomPurposes = static_cast<uint8_t>(r.read(6));
  p.customPurposesConsent = reverseBits(r.read(p.numCustomPurposes), p.numCustomPurposes);
  p.customPurposesLITransparency = reverseBits(r.read(p.numCustomPurposes), p.numCustomPurposes);
  return !r.failed();
}

}  // namespace

bool VendorSet::contains(int id) const {
  if (id < 1 || id > 65535) return false;
  return std::binary_search(ids.begin(), ids.end(), static_cast<uint16_t>(id));
}

Result<TcString> decodeTcString(std::string_view text) {
  if (text.empty()) return fail("empty TC string");
  if (text.size() > kMaxTcStringBytes) return fail("TC string too long");
  TcString tc;
  bool first = true;
  while (true) {
    size_t dot = text.find('.');
    std::string_view part = text.substr(0, dot);
    auto bytes = base64UrlDecode(part);
    if (!bytes) return fail("not base64url");
    if (bytes->empty()) return fail("empty segment");
    BitReader r(*bytes);
    if (first) {
      uint64_t version = r.read(6);
      if (version != 2) return fail("unsupported TC string version " + std::to_string(version));
      BitReader core(*bytes);
      if (!readCore(core, tc)) return fail("truncated or invalid core segment");
      fixMasks(tc);
      first = false;
    } else {
      uint64_t type = r.read(3);
      if (type == 1 || type == 2) {
        auto& slot = type == 1 ? tc.disclosedVendors : tc.allowedVendors;
        if (slot) return fail("repeated segment");
        VendorSet set;
        if (!readVendorSet(r, set)) return fail("truncated or invalid vendor segment");
        slot = std::move(set);
      } else if (type == 3) {
        if (tc.publisherTc) return fail("repeated segment");
        PublisherTc p;
        if (!readPublisherTc(r, p)) return fail("truncated publisher TC segment");
        tc.publisherTc = p;
      } else {
        return fail("unknown segment type " + std::to_string(type));
      }
    }
    if (dot == std::string_view::npos) break;
    text.remove_prefix(dot + 1);
  }
  return tc;
}

}  // namespace consentry::filters::consent::tcf
