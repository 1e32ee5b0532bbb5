#include "filters/telemetry/client_hints.h"

#include <gtest/gtest.h>

#include <vector>

namespace consentry::filters::telemetry {
namespace {

TEST(BrandList, ParsesChromeHeader) {
  auto list =
      parseBrandList(R"("Chromium";v="124", "Google Chrome";v="124", "Not-A.Brand";v="99")");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[1].name, "Google Chrome");
  EXPECT_EQ((*list)[1].version, "124");
  EXPECT_EQ((*list)[2].version, "99");
}

TEST(BrandList, EscapesParamsAndEmpty) {
  auto list = parseBrandList(R"("A \"q\" \\ b";x;v="1.2";y=tok;z=?1;n=-12.5)");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].name, R"(A "q" \ b)");
  EXPECT_EQ((*list)[0].version, "1.2");
  auto empty = parseBrandList("   ");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(BrandList, RejectsMalformed) {
  for (const char* bad : {
           R"("Chromium";v="124",)",     // trailing comma
           R"("Chromium";v=124)",        // version not a string
           R"(Chromium;v="124")",        // token instead of string
           R"("Chromium"; v="1" junk)",  // garbage after item
           R"("Chrom\ium")",             // bad escape
           R"("unterminated)",           // no closing quote
           R"("a";V="1")",               // keys are lower case
           R"("a",,"b")",                // empty member
           "\"tab\there\"",              // control char in string
       }) {
    EXPECT_FALSE(parseBrandList(bad)) << bad;
  }
}

TEST(SfItems, StringsAndBooleans) {
  EXPECT_EQ(parseSfString(R"("Windows")"), "Windows");
  EXPECT_EQ(parseSfString(R"( "" )"), "");
  EXPECT_FALSE(parseSfString("Windows"));
  EXPECT_FALSE(parseSfString(R"("a" "b")"));
  EXPECT_EQ(parseSfBoolean("?1"), true);
  EXPECT_EQ(parseSfBoolean("?0"), false);
  EXPECT_FALSE(parseSfBoolean("1"));
  EXPECT_FALSE(parseSfBoolean("?2"));
  EXPECT_FALSE(parseSfBoolean("?1?"));
}

TEST(Grease, RecognisesChromeVariants) {
  for (const char* g : {"Not A(Brand", "Not/A)Brand", "Not_A Brand", ";Not A Brand", " Not A;Brand",
                        "Not.A/Brand", "Not?A_Brand", "Not-A.Brand", "Not)A;Brand"}) {
    EXPECT_TRUE(isGreaseBrand(g)) << g;
  }
  for (const char* b : {"Google Chrome", "Chromium", "Brand", "Not A Brandy", "Notabrand2"}) {
    EXPECT_FALSE(isGreaseBrand(b)) << b;
  }
}

ClientHints hintsOf(std::vector<HeaderField> headers) {
  return readClientHints(headers);
}

TEST(PickBrowser, PreferenceOrder) {
  auto edge = hintsOf(
      {{"sec-ch-ua", R"("Not A(Brand";v="8", "Chromium";v="132", "Microsoft Edge";v="132")"}});
  ASSERT_TRUE(pickBrowser(edge));
  EXPECT_EQ(pickBrowser(edge)->name, "Edge");
  EXPECT_EQ(pickBrowser(edge)->version, "132");

  auto chrome = hintsOf({{"Sec-CH-UA", R"("Chromium";v="131", "Google Chrome";v="131")"},
                         {"Sec-CH-UA-Full-Version-List",
                          R"("Chromium";v="131.0.6778.86", "Google Chrome";v="131.0.6778.86")"}});
  EXPECT_EQ(pickBrowser(chrome)->name, "Chrome");
  EXPECT_EQ(pickBrowser(chrome)->version, "131.0.6778.86");

  auto brave =
      hintsOf({{"Sec-CH-UA", R"("Chromium";v="130", "Brave";v="130", "Not?A_Brand";v="99")"}});
  EXPECT_EQ(pickBrowser(brave)->name, "Brave");

  auto opera = hintsOf(
      {{"Sec-CH-UA", R"("Opera";v="114", "Chromium";v="128")"}, {"Sec-CH-UA-Mobile", "?1"}});
  EXPECT_EQ(pickBrowser(opera)->name, "Opera Mobile");

  auto chromium = hintsOf({{"Sec-CH-UA", R"("Not A(Brand";v="99", "Chromium";v="120")"}});
  EXPECT_EQ(pickBrowser(chromium)->name, "Chromium");

  auto onlyGrease = hintsOf({{"Sec-CH-UA", R"("Not A(Brand";v="99")"}});
  EXPECT_FALSE(pickBrowser(onlyGrease));
  auto malformed = hintsOf({{"Sec-CH-UA", R"("Google Chrome";v="131",)"}});
  EXPECT_FALSE(malformed.brands);
  EXPECT_FALSE(pickBrowser(malformed));
}

TEST(Platform, NamesAndWindowsVersions) {
  EXPECT_EQ(platformName("macOS"), "Mac OS X");
  EXPECT_EQ(platformName("Chrome OS"), "Chrome OS");
  EXPECT_EQ(platformName("Windows"), "Windows");
  EXPECT_EQ(platformName("Android"), "Android");
  EXPECT_FALSE(platformName("Unknown"));
  EXPECT_FALSE(platformName(""));

  EXPECT_EQ(platformVersion("Windows", "15.0.0"), "11");
  EXPECT_EQ(platformVersion("Windows", "13.0.0"), "11");
  EXPECT_EQ(platformVersion("Windows", "10.0.0"), "10");
  EXPECT_EQ(platformVersion("Windows", "1.0.0"), "10");
  EXPECT_FALSE(platformVersion("Windows", "0.3.0"));  // Windows 8.1 and older: unknown
  EXPECT_EQ(platformVersion("macOS", "14.4.1"), "14.4.1");
  EXPECT_FALSE(platformVersion("Android", "14;drop"));
  EXPECT_FALSE(platformVersion("Android", ""));
}

TEST(ReadClientHints, IgnoresOnlyTheMalformedHeader) {
  auto h = hintsOf({{"User-Agent", "x"},
                    {"Sec-CH-UA-Platform", "Windows"},  // not an sf-string
                    {"Sec-CH-UA-Platform-Version", R"("15.0.0")"},
                    {"Sec-CH-UA-Mobile", "?0"},
                    {"Sec-CH-UA-Model", R"("")"}});
  EXPECT_FALSE(h.platform);
  EXPECT_EQ(h.platformVersion, "15.0.0");
  EXPECT_EQ(h.mobile, false);
  EXPECT_EQ(h.model, "");
  EXPECT_TRUE(h.any());
  EXPECT_FALSE(hintsOf({{"User-Agent", "x"}}).any());
}

}  // namespace
}  // namespace consentry::filters::telemetry
