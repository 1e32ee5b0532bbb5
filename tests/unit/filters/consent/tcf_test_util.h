#pragma once
// Random TC strings for round-trip tests.

#include <random>

#include "filters/consent/tcf_string.h"

namespace consentry::filters::consent::tcf::testing {

inline std::vector<uint16_t> randomIds(std::mt19937& rng, uint16_t maxId, int density) {
  std::vector<uint16_t> ids;
  std::uniform_int_distribution<int> pct(0, 99);
  for (int id = 1; id <= maxId; ++id) {
    if (pct(rng) < density) ids.push_back(static_cast<uint16_t>(id));
  }
  return ids;
}

inline VendorSet randomVendorSet(std::mt19937& rng) {
  VendorSet set;
  std::uniform_int_distribution<int> maxId(0, 1200);
  set.maxVendorId = static_cast<uint16_t>(maxId(rng));
  set.rangeEncoding = rng() % 2 == 0;
  set.ids = randomIds(rng, set.maxVendorId, static_cast<int>(rng() % 30));
  if (set.rangeEncoding && set.ids.size() > 1500) set.ids.resize(1500);
  return set;
}

inline TcString randomTcString(std::mt19937& rng) {
  auto bits = [&](unsigned n) { return static_cast<uint64_t>(rng()) & ((uint64_t{1} << n) - 1); };
  auto letters = [&] {
    return std::string{static_cast<char>('A' + rng() % 26), static_cast<char>('A' + rng() % 26)};
  };
  TcString tc;
  tc.created = static_cast<int64_t>((uint64_t{rng()} << 4 | bits(4)) & ((uint64_t{1} << 36) - 1));
  tc.lastUpdated = static_cast<int64_t>((uint64_t{rng()} << 4) & ((uint64_t{1} << 36) - 1));
  tc.cmpId = static_cast<uint16_t>(bits(12));
  tc.cmpVersion = static_cast<uint16_t>(bits(12));
  tc.consentScreen = static_cast<uint8_t>(bits(6));
  tc.consentLanguage = letters();
  tc.vendorListVersion = static_cast<uint16_t>(bits(12));
  tc.tcfPolicyVersion = static_cast<uint8_t>(bits(6));
  tc.isServiceSpecific = bits(1);
  tc.useNonStandardTexts = bits(1);
  tc.specialFeatureOptIns = static_cast<uint16_t>(bits(12));
  tc.purposesConsent = static_cast<uint32_t>(bits(24));
  tc.purposesLITransparency = static_cast<uint32_t>(bits(24));
  tc.purposeOneTreatment = bits(1);
  tc.publisherCC = letters();
  tc.vendorConsents = randomVendorSet(rng);
  tc.vendorLegitimateInterests = randomVendorSet(rng);
  int restrictions = static_cast<int>(rng() % 4);
  for (int i = 0; i < restrictions; ++i) {
    PubRestriction pr;
    pr.purposeId = static_cast<uint8_t>(bits(6));
    pr.restrictionType = static_cast<uint8_t>(bits(2));
    pr.vendors = randomIds(rng, static_cast<uint16_t>(1 + rng() % 900), 10);
    tc.pubRestrictions.push_back(pr);
  }
  if (rng() % 2) tc.disclosedVendors = randomVendorSet(rng);
  if (rng() % 5 == 0) tc.allowedVendors = randomVendorSet(rng);
  if (rng() % 2) {
    PublisherTc p;
    p.purposesConsent = static_cast<uint32_t>(bits(24));
    p.purposesLITransparency = static_cast<uint32_t>(bits(24));
    p.numCustomPurposes = static_cast<uint8_t>(bits(6));
    uint64_t mask =
        p.numCustomPurposes == 64 ? ~uint64_t{0} : (uint64_t{1} << p.numCustomPurposes) - 1;
    p.customPurposesConsent = (uint64_t{rng()} << 32 | rng()) & mask;
    p.customPurposesLITransparency = (uint64_t{rng()} << 32 | rng()) & mask;
    tc.publisherTc = p;
  }
  return tc;
}

}  // namespace consentry::filters::consent::tcf::testing
