#include "filters/consent/tcf_json.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include "filters/consent/tcf_string.h"
#include "tests/helpers/simdjson_ok.h"

namespace consentry::filters::consent {
namespace {

using consentry::test_support::as;
using consentry::test_support::ok;

using namespace std::chrono;
const system_clock::time_point kNow = system_clock::time_point(seconds(1748736000));

TEST(FormatDeciseconds, IsoUtc) {
  EXPECT_EQ(formatDeciseconds(16660058661), "2022-10-17T11:24:26.100Z");
  EXPECT_EQ(formatDeciseconds(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(formatDeciseconds(int64_t{1772236800} * 10), "2026-02-28T00:00:00.000Z");
}

TEST(TcfDecodeJson, PublishedStringFieldsAndValidity) {
  bool ok = false;
  std::string json = tcfDecodeJson(
      "CPhBZtcPhBZtcACABAENCACgAIAAAAAAAAAAH2QAYH0AfYB9kAGB9YH2AAAA.YAAAAAAAAAAA", kNow, &ok);
  ASSERT_TRUE(ok) << json;
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_EQ(as<int64_t>(doc["version"]), 2);
  EXPECT_EQ(as<std::string_view>(doc["created"]), "2022-10-17T13:44:54.000Z");
  EXPECT_EQ(as<std::string_view>(doc["lastUpdated"]), "2022-10-17T13:44:54.000Z");
  EXPECT_EQ(as<int64_t>(doc["cmpId"]), 2);
  EXPECT_EQ(as<int64_t>(doc["vendorListVersion"]), 128);
  EXPECT_EQ(as<std::string_view>(doc["consentLanguage"]), "EN");
  EXPECT_EQ(as<std::string_view>(doc["publisherCC"]), "AA");
  EXPECT_TRUE(as<bool>(doc["isServiceSpecific"]));
  EXPECT_EQ(simdjson::minify(consentry::test_support::ok(doc["purposesConsent"])), "[1]");
  EXPECT_EQ(simdjson::minify(consentry::test_support::ok(doc["vendorConsents"])),
            "[1000,1001,1002,1003,1004]");
  EXPECT_EQ(simdjson::minify(consentry::test_support::ok(doc["vendorLegitimateInterests"])),
            "[1003,1004]");
  EXPECT_EQ(simdjson::minify(consentry::test_support::ok(doc["publisherRestrictions"])), "[]");
  EXPECT_EQ(doc["disclosedVendors"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(as<int64_t>(doc["publisherTC"]["numCustomPurposes"]), 0);
  EXPECT_FALSE(as<bool>(doc["valid"]));
  EXPECT_EQ(as<std::string_view>(doc["invalidReason"]), "tcf_policy_version");
}

TEST(TcfDecodeJson, ValidStringWithEverySegment) {
  tcf::TcString tc;
  tc.created = tc.lastUpdated = (1748736000 - 3600) * int64_t{10};
  tc.tcfPolicyVersion = 5;
  tc.isServiceSpecific = true;
  tc.specialFeatureOptIns = 0b10;
  tc.purposesConsent = 0b1011;
  tc.vendorConsents = {20, true, {3, 4, 5, 20}};
  tc.pubRestrictions = {{2, 1, {7, 8}}};
  tc.disclosedVendors = tcf::VendorSet{20, false, {3, 20}};
  tc.publisherTc = tcf::PublisherTc{0b1, 0b10, 3, 0b101, 0b010};
  std::string json = tcfDecodeJson(tcf::encodeTcString(tc).value(), kNow);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  ASSERT_EQ(parser.parse(json).get(doc), simdjson::SUCCESS) << json;
  EXPECT_TRUE(as<bool>(doc["valid"])) << json;
  EXPECT_EQ(doc["invalidReason"].error(), simdjson::NO_SUCH_FIELD);
  EXPECT_EQ(simdjson::minify(ok(doc["specialFeatureOptIns"])), "[2]");
  EXPECT_EQ(simdjson::minify(ok(doc["purposesConsent"])), "[1,2,4]");
  EXPECT_EQ(simdjson::minify(ok(doc["vendorConsents"])), "[3,4,5,20]");
  EXPECT_EQ(simdjson::minify(ok(doc["publisherRestrictions"])),
            R"([{"purposeId":2,"restrictionType":1,"vendors":[7,8]}])");
  EXPECT_EQ(simdjson::minify(ok(doc["disclosedVendors"])), "[3,20]");
  EXPECT_EQ(simdjson::minify(ok(doc["publisherTC"])),
            R"({"pubPurposesConsent":[1],"pubPurposesLITransparency":[2],"numCustomPurposes":3,)"
            R"("customPurposesConsent":[1,3],"customPurposesLITransparency":[2]})");
}

TEST(TcfDecodeJson, ErrorObjectForMalformed) {
  bool ok = true;
  EXPECT_EQ(tcfDecodeJson("BOVeoB_OVeoFxC-AHAFRBtAAAAAhGAEAD4AXAA2YCEQ", kNow, &ok),
            R"({"error":"unsupported TC string version 1"})");
  EXPECT_FALSE(ok);
  EXPECT_EQ(tcfDecodeJson("***", kNow), R"({"error":"not base64url"})");
}

}  // namespace
}  // namespace consentry::filters::consent
