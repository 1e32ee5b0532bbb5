#include "filters/consent/tcf_json.h"

#include <cstdio>

#include "config/config.h"
#include "filters/consent/tcf_source.h"
#include "filters/consent/tcf_string.h"

namespace consentry::filters::consent {
namespace {

using tcf::TcString;

class JsonOut {
 public:
  void key(std::string_view k) {
    if (needComma_) out_ += ',';
    out_ += '"';
    out_ += k;
    out_ += "\":";
    needComma_ = false;
  }
  void str(std::string_view s) {
    out_ += '"';
    for (char c : s) {
      auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += c;
      } else if (u < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", u);
        out_ += buf;
      } else {
        out_ += c;
      }
    }
    out_ += '"';
    needComma_ = true;
  }
  void num(int64_t n) {
    out_ += std::to_string(n);
    needComma_ = true;
  }
  void boolean(bool b) {
    out_ += b ? "true" : "false";
    needComma_ = true;
  }
  void open(char c) {
    if (needComma_) out_ += ',';
    out_ += c;
    needComma_ = false;
  }
  void close(char c) {
    out_ += c;
    needComma_ = true;
  }
  void element() {
    if (needComma_) out_ += ',';
    needComma_ = false;
  }
  template <typename Ids>
  void idArray(const Ids& ids) {
    open('[');
    for (auto id : ids) {
      element();
      num(id);
    }
    close(']');
  }
  void maskArray(uint64_t mask, int width) {
    open('[');
    for (int id = 1; id <= width; ++id) {
      if (!tcf::hasId(mask, id)) continue;
      element();
      num(id);
    }
    close(']');
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  bool needComma_ = false;
};

void writeTc(JsonOut& j, const TcString& tc) {
  j.key("version");
  j.num(tc.version);
  j.key("created");
  j.str(formatDeciseconds(tc.created));
  j.key("lastUpdated");
  j.str(formatDeciseconds(tc.lastUpdated));
  j.key("cmpId");
  j.num(tc.cmpId);
  j.key("cmpVersion");
  j.num(tc.cmpVersion);
  j.key("consentScreen");
  j.num(tc.consentScreen);
  j.key("consentLanguage");
  j.str(tc.consentLanguage);
  j.key("vendorListVersion");
  j.num(tc.vendorListVersion);
  j.key("tcfPolicyVersion");
  j.num(tc.tcfPolicyVersion);
  j.key("isServiceSpecific");
  j.boolean(tc.isServiceSpecific);
  j.key("useNonStandardTexts");
  j.boolean(tc.useNonStandardTexts);
  j.key("specialFeatureOptIns");
  j.maskArray(tc.specialFeatureOptIns, 12);
  j.key("purposesConsent");
  j.maskArray(tc.purposesConsent, 24);
  j.key("purposesLITransparency");
  j.maskArray(tc.purposesLITransparency, 24);
  j.key("purposeOneTreatment");
  j.boolean(tc.purposeOneTreatment);
  j.key("publisherCC");
  j.str(tc.publisherCC);
  j.key("vendorConsents");
  j.idArray(tc.vendorConsents.ids);
  j.key("vendorLegitimateInterests");
  j.idArray(tc.vendorLegitimateInterests.ids);
  j.key("publisherRestrictions");
  j.open('[');
  for (const tcf::PubRestriction& pr : tc.pubRestrictions) {
    j.element();
    j.open('{');
    j.key("purposeId");
    j.num(pr.purposeId);
    j.key("restrictionType");
    j.num(pr.restrictionType);
    j.key("vendors");
    j.idArray(pr.vendors);
    j.close('}');
  }
  j.close(']');
  if (tc.disclosedVendors) {
    j.key("disclosedVendors");
    j.idArray(tc.disclosedVendors->ids);
  }
  if (tc.allowedVendors) {
    j.key("allowedVendors");
    j.idArray(tc.allowedVendors->ids);
  }
  if (tc.publisherTc) {
    const tcf::PublisherTc& p = *tc.publisherTc;
    j.key("publisherTC");
    j.open('{');
    j.key("pubPurposesConsent");
    j.maskArray(p.purposesConsent, 24);
    j.key("pubPurposesLITransparency");
    j.maskArray(p.purposesLITransparency, 24);
    j.key("numCustomPurposes");
    j.num(p.numCustomPurposes);
    j.key("customPurposesConsent");
    j.maskArray(p.customPurposesConsent, 64);
    j.key("customPurposesLITransparency");
    j.maskArray(p.customPurposesLITransparency, 64);
    j.close('}');
  }
}

}  // namespace

std::string formatDeciseconds(int64_t deciseconds) {
  using namespace std::chrono;
  sys_time<milliseconds> t{milliseconds(deciseconds * 100)};
  sys_days day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss<milliseconds> hms{t - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                static_cast<int>(hms.subseconds().count()));
  return buf;
}

std::string tcfDecodeJson(std::string_view tcString, std::chrono::system_clock::time_point now,
                          bool* ok) {
  JsonOut j;
  j.open('{');
  auto tc = tcf::decodeTcString(tcString);
  if (ok) *ok = tc.ok();
  if (!tc) {
    j.key("error");
    j.str(tc.error().message);
  } else {
    writeTc(j, *tc);
    tcf::Invalid why = tcf::checkValidity(*tc, now, config::ConsentSource{}.maxConsentAge);
    j.key("valid");
    j.boolean(why == tcf::Invalid::None);
    if (why != tcf::Invalid::None) {
      j.key("invalidReason");
      j.str(tcf::invalidName(why));
    }
  }
  j.close('}');
  return j.take();
}

}  // namespace consentry::filters::consent
