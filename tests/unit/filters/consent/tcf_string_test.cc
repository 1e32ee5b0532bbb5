#include "filters/consent/tcf_string.h"

#include <gtest/gtest.h>

#include "filters/consent/tcf_bits.h"
#include "tcf_test_util.h"

namespace consentry::filters::consent::tcf {
namespace {

TEST(Base64Url, RoundTripAndAlphabet) {
  std::vector<uint8_t> bytes = {0xfb, 0xff, 0x00, 0x12, 0x34};
  std::string text = base64UrlEncode(bytes);
  EXPECT_EQ(text.find_first_of("+/="), std::string::npos);
  auto back = base64UrlDecode(text);
  ASSERT_TRUE(back);
  ASSERT_GE(back->size(), bytes.size());
  EXPECT_TRUE(std::equal(bytes.begin(), bytes.end(), back->begin()));
  EXPECT_FALSE(base64UrlDecode("ab+c"));
  EXPECT_FALSE(base64UrlDecode("ab c"));
  EXPECT_TRUE(base64UrlDecode("YQ=="));
}

TEST(BitIo, WriterAndReaderAgree) {
  BitWriter w;
  w.write(5, 3);
  w.write(0x3ffff, 18);
  w.write(0, 1);
  w.write(12345678901, 36);
  BitReader r(w.bytes());
  EXPECT_EQ(r.read(3), 5u);
  EXPECT_EQ(r.read(18), 0x3ffffu);
  EXPECT_EQ(r.read(1), 0u);
  EXPECT_EQ(r.read(36), 12345678901u);
  EXPECT_FALSE(r.failed());
  r.read(16);
  EXPECT_TRUE(r.failed());
}

TEST(TcString, RoundTripOverRandomFieldCombinations) {
  std::mt19937 rng(20260228);
  int withDv = 0, withPub = 0, rangeSets = 0, bitSets = 0, restricted = 0;
  for (int i = 0; i < 1500; ++i) {
    TcString tc = testing::randomTcString(rng);
    auto text = encodeTcString(tc);
    ASSERT_TRUE(text) << text.error().message;
    auto back = decodeTcString(*text);
    ASSERT_TRUE(back) << back.error().message << " for " << *text;
    ASSERT_EQ(*back, tc) << "iteration " << i << ": " << *text;
    // Encoding is deterministic: the decoded value encodes to the same text.
    EXPECT_EQ(encodeTcString(*back).value(), *text);
    withDv += tc.disclosedVendors.has_value();
    withPub += tc.publisherTc.has_value();
    (tc.vendorConsents.rangeEncoding ? rangeSets : bitSets)++;
    restricted += !tc.pubRestrictions.empty();
  }
  // The generator really covered every shape.
  EXPECT_GT(withDv, 500);
  EXPECT_GT(withPub, 500);
  EXPECT_GT(rangeSets, 500);
  EXPECT_GT(bitSets, 500);
  EXPECT_GT(restricted, 500);
}

TEST(TcString, BothVendorEncodingsGiveTheSameIds) {
  TcString tc;
  tc.vendorConsents = {1000, false, {1, 2, 3, 50, 999, 1000}};
  TcString ranged = tc;
  ranged.vendorConsents.rangeEncoding = true;
  auto a = decodeTcString(encodeTcString(tc).value());
  auto b = decodeTcString(encodeTcString(ranged).value());
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->vendorConsents.ids, b->vendorConsents.ids);
  EXPECT_FALSE(a->vendorConsents.rangeEncoding);
  EXPECT_TRUE(b->vendorConsents.rangeEncoding);
  EXPECT_TRUE(b->vendorConsents.contains(50));
  EXPECT_FALSE(b->vendorConsents.contains(51));
  // Four ranges take far fewer bits than a 1000-bit field.
  EXPECT_LT(encodeTcString(ranged).value().size(), encodeTcString(tc).value().size());
}

// From the IAB Consent String SDK tests (Fidzup Ruby port): a v1 string.
TEST(TcString, RejectsVersion1) {
  auto r = decodeTcString("BOVeoB_OVeoFxC-AHAFRBtAAAAAhGAEAD4AXAA2YCEQ");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "unsupported TC string version 1");
}

// Published by Ketch (ketch-android, TCFPlugin.kt / TCFTest.kt) with the values the IAB Java
// library (iabtcf-java) decodes from it. The created time is the one in TCFTest.kt's comment
// (13:44:54Z); TCFPlugin.kt's comment pairs the same fields with a time of another string.
TEST(TcString, DecodesPublishedKetchString) {
  auto r =
      decodeTcString("CPhBZtcPhBZtcACABAENCACgAIAAAAAAAAAAH2QAYH0AfYB9kAGB9YH2AAAA.YAAAAAAAAAAA");
  ASSERT_TRUE(r) << r.error().message;
  const TcString& tc = *r;
  EXPECT_EQ(tc.version, 2);
  EXPECT_EQ(tc.created, 16660142940);  // 2022-10-17T13:44:54Z
  EXPECT_EQ(tc.lastUpdated, tc.created);
  EXPECT_EQ(tc.cmpId, 2);
  EXPECT_EQ(tc.cmpVersion, 1);
  EXPECT_EQ(tc.consentScreen, 0);
  EXPECT_EQ(tc.consentLanguage, "EN");
  EXPECT_EQ(tc.vendorListVersion, 128);
  EXPECT_EQ(tc.tcfPolicyVersion, 2);
  EXPECT_TRUE(tc.isServiceSpecific);
  EXPECT_FALSE(tc.useNonStandardTexts);
  EXPECT_EQ(tc.specialFeatureOptIns, 0);
  EXPECT_EQ(tc.purposesConsent, 1u);  // {1}
  EXPECT_EQ(tc.purposesLITransparency, 0u);
  EXPECT_FALSE(tc.purposeOneTreatment);
  EXPECT_EQ(tc.publisherCC, "AA");
  EXPECT_EQ(tc.vendorConsents.ids, (std::vector<uint16_t>{1000, 1001, 1002, 1003, 1004}));
  EXPECT_EQ(tc.vendorLegitimateInterests.ids, (std::vector<uint16_t>{1003, 1004}));
  EXPECT_TRUE(tc.pubRestrictions.empty());
  EXPECT_FALSE(tc.disclosedVendors);
  ASSERT_TRUE(tc.publisherTc);
  EXPECT_EQ(*tc.publisherTc, PublisherTc{});
}

// The example string of the IAB TCF v2 specification ("CO" strings are version 2: C = 000010),
// with the values documented for it by several independent decoders (cmpId 27, vendor list 15,
// created 1582243059300 ms, purposes 1-3, vendors 2, 6, 8 for consent and LI).
const char* kIabExample =
    "COvFyGBOvFyGBAbAAAENAPCAAOAAAAAAAAAAAEEUACCKAAA."
    "IFoEUQQgAIQwgIwQABAEAAAAOIAACAIAAAAQAIAgEAACEAAAA"
    "AgAQBAAAAAAAGBAAgAAAAAAAFAAECAAAgAAQARAEQAAAAAJAAIAAgAAAYQEAAAQmAgBC3ZAYzUw";

TEST(TcString, DecodesIabSpecificationExample) {
  auto r = decodeTcString(kIabExample);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->version, 2);
  EXPECT_EQ(r->created, 15822430593);
  EXPECT_EQ(r->lastUpdated, 15822430593);
  EXPECT_EQ(r->cmpId, 27);
  EXPECT_EQ(r->cmpVersion, 0);
  EXPECT_EQ(r->consentLanguage, "EN");
  EXPECT_EQ(r->vendorListVersion, 15);
  EXPECT_EQ(r->tcfPolicyVersion, 2);
  EXPECT_FALSE(r->isServiceSpecific);
  EXPECT_EQ(r->purposesConsent, 0b111u);
  EXPECT_EQ(r->vendorConsents.ids, (std::vector<uint16_t>{2, 6, 8}));
  EXPECT_EQ(r->vendorLegitimateInterests.ids, (std::vector<uint16_t>{2, 6, 8}));
  ASSERT_TRUE(r->disclosedVendors.has_value());
  EXPECT_EQ(r->disclosedVendors->maxVendorId, 720);
  EXPECT_TRUE(r->disclosedVendors->contains(2));
  // The core segment re-encodes bit for bit.
  std::string core = std::string(kIabExample).substr(0, std::string(kIabExample).find('.'));
  EXPECT_EQ(encodeTcString(*r).value().substr(0, core.size() + 1), core + ".");
  // Cut short, the DV segment (MaxVendorId 720 as a bit field) no longer fits: malformed.
  EXPECT_FALSE(
      decodeTcString("COvFyGBOvFyGBAbAAAENAPCAAOAAAAAAAAAAAEEUACCKAAA.IFoEUQQgAIQwgIwQABAE"));
}

TEST(TcString, MalformedInputs) {
  std::string good = encodeTcString(TcString{}).value();
  EXPECT_FALSE(decodeTcString(""));
  EXPECT_FALSE(decodeTcString("C"));  // truncated core
  EXPECT_FALSE(decodeTcString(good.substr(0, good.size() / 2)));
  EXPECT_FALSE(decodeTcString(good + "!"));   // not base64url
  EXPECT_FALSE(decodeTcString(good + "."));   // empty segment
  EXPECT_FALSE(decodeTcString(good + ".A"));  // segment type 0
  EXPECT_FALSE(decodeTcString(std::string(kMaxTcStringBytes + 1, 'C')));
  TcString dv;
  dv.disclosedVendors = VendorSet{};
  std::string withDv = encodeTcString(dv).value();
  std::string segment = withDv.substr(withDv.find('.'));
  EXPECT_FALSE(decodeTcString(withDv + segment));  // repeated segment
  TcString badLang;
  badLang.consentLanguage = "e1";
  EXPECT_FALSE(encodeTcString(badLang));
}

TEST(TcString, RangeEntriesAboveMaxVendorIdAreMalformed) {
  BitWriter w;  // a hand-made core whose consent range names vendor 9 with MaxVendorId 5
  w.write(2, 6);
  w.write(0, 36 + 36 + 12 + 12 + 6);
  w.write(0, 12 + 12 + 6 + 1 + 1 + 12 + 24 + 24 + 1 + 12);
  w.write(5, 16);
  w.write(1, 1);
  w.write(1, 12);
  w.write(0, 1);
  w.write(9, 16);
  w.write(0, 16 + 1 + 12);
  EXPECT_FALSE(decodeTcString(base64UrlEncode(w.bytes())));
}

}  // namespace
}  // namespace consentry::filters::consent::tcf
