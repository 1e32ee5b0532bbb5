#pragma once
// The IAB TCF v2.2 TC string: its decoded model, a decoder and an encoder (core segment plus the
// Disclosed Vendors, Allowed Vendors and Publisher TC segments).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace consentry::filters::consent::tcf {

/// True when bit `id` (1-based, as the TCF numbers purposes and features) is set in `mask`.
inline bool hasId(uint64_t mask, int id) {
  return id >= 1 && id <= 64 && ((mask >> (id - 1)) & 1u) != 0;
}

/// A vendor bit set as written in the string: MaxVendorId, the encoding used, the ids.
struct VendorSet {
  uint16_t maxVendorId = 0;
  bool rangeEncoding = false;
  std::vector<uint16_t> ids;  // sorted, unique, each in 1..maxVendorId
  bool contains(int id) const;
  bool operator==(const VendorSet&) const = default;
};

/// restrictionType: 0 not allowed, 1 require consent, 2 require legitimate interest.
struct PubRestriction {
  uint8_t purposeId = 0;
  uint8_t restrictionType = 0;
  std::vector<uint16_t> vendors;  // sorted, unique
  bool operator==(const PubRestriction&) const = default;
};

/// The Publisher TC segment (segment type 3).
struct PublisherTc {
  uint32_t purposesConsent = 0;         // bit p-1 = purpose p (24 purposes)
  uint32_t purposesLITransparency = 0;  // idem
  uint8_t numCustomPurposes = 0;        // 0..63
  uint64_t customPurposesConsent = 0;   // bit i-1 = custom purpose i
  uint64_t customPurposesLITransparency = 0;
  bool operator==(const PublisherTc&) const = default;
};

/// Every field of a TC string. Bit masks store id n at bit n-1; times are deciseconds since the
/// Unix epoch, as in the string.
struct TcString {
  uint8_t version = 2;
  int64_t created = 0;
  int64_t lastUpdated = 0;
  uint16_t cmpId = 0;
  uint16_t cmpVersion = 0;
  uint8_t consentScreen = 0;
  std::string consentLanguage = "EN";  // two letters A-Z
  uint16_t vendorListVersion = 0;
  uint8_t tcfPolicyVersion = 0;
  bool isServiceSpecific = false;
  bool useNonStandardTexts = false;
  uint16_t specialFeatureOptIns = 0;    // 12 bits
  uint32_t purposesConsent = 0;         // 24 bits
  uint32_t purposesLITransparency = 0;  // 24 bits
  bool purposeOneTreatment = false;
  std::string publisherCC = "AA";
  VendorSet vendorConsents;
  VendorSet vendorLegitimateInterests;
  std::vector<PubRestriction> pubRestrictions;
  std::optional<VendorSet> disclosedVendors;  // segment type 1
  std::optional<VendorSet> allowedVendors;    // segment type 2 (obsolete in 2.2, still decoded)
  std::optional<PublisherTc> publisherTc;     // segment type 3
  bool operator==(const TcString&) const = default;
};

/// Longest TC string accepted (the cookie itself can never be this long).
inline constexpr size_t kMaxTcStringBytes = 65536;

/// Decodes a TC string. Errors (bad base64url, a version other than 2, truncated or inconsistent
/// fields, a repeated segment) are values; the message is short and stable.
Result<TcString> decodeTcString(std::string_view text);

/// Encodes every field (vendor sets in the encoding each names; segments when present). Fails
/// when a field cannot be represented (language not two letters A-Z, too many range entries).
Result<std::string> encodeTcString(const TcString& tc);

}  // namespace consentry::filters::consent::tcf
