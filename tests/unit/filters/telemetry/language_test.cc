#include "filters/telemetry/language.h"

#include <gtest/gtest.h>

namespace consentry::filters::telemetry {
namespace {

TEST(LanguageTag, Normalises) {
  EXPECT_EQ(normalizeLanguageTag("de-de"), "de-DE");
  EXPECT_EQ(normalizeLanguageTag("EN_us"), "en-US");
  EXPECT_EQ(normalizeLanguageTag("zh-hant-tw"), "zh-Hant-TW");
  EXPECT_EQ(normalizeLanguageTag("es-419"), "es-419");
  EXPECT_EQ(normalizeLanguageTag("FR"), "fr");
  EXPECT_EQ(normalizeLanguageTag("en-x-ab"), "en-x-ab");
}

TEST(LanguageTag, RejectsInvalid) {
  for (const char* bad : {"", "e", "e1", "en-", "-en", "en--us", "english-toolongsub", "de DE",
                          "abcd", "en-US;", "123", "de-\xc3\xa4"}) {
    EXPECT_FALSE(normalizeLanguageTag(bad)) << bad;
  }
}

TEST(AcceptLanguage, HighestWeightWins) {
  EXPECT_EQ(preferredLanguage("fr;q=0.5, de-de;q=0.9, en"), "en");
  EXPECT_EQ(preferredLanguage("fr;q=0.5, de-de;q=0.9, en;q=0.8"), "de-DE");
  EXPECT_EQ(preferredLanguage("da, en-gb;q=0.8, en;q=0.7"), "da");
}

TEST(AcceptLanguage, TiesKeepFirst) {
  EXPECT_EQ(preferredLanguage("nl;q=0.7, fr;q=0.7"), "nl");
  EXPECT_EQ(preferredLanguage("it, es"), "it");
}

TEST(AcceptLanguage, SkipsWildcardZeroAndInvalid) {
  EXPECT_EQ(preferredLanguage("*, pt-br;q=0.5"), "pt-BR");
  EXPECT_EQ(preferredLanguage("en;q=0, sv;q=0.1"), "sv");
  EXPECT_EQ(preferredLanguage("en;q=1.5, fi;q=0.2"), "fi");     // q > 1 is invalid
  EXPECT_EQ(preferredLanguage("en;q=0.1234, fi;q=0.2"), "fi");  // 4 decimals invalid
  EXPECT_EQ(preferredLanguage("x!;q=0.9, ja;q=0.3"), "ja");
  EXPECT_EQ(preferredLanguage("en;q=1.000"), "en");
  EXPECT_FALSE(preferredLanguage(""));
  EXPECT_FALSE(preferredLanguage("*"));
  EXPECT_FALSE(preferredLanguage("en;q=0"));
  EXPECT_FALSE(preferredLanguage(",,;"));
  // Several parameters (found by fuzzing: this used to loop forever).
  EXPECT_EQ(preferredLanguage("de-DE,de;q=0.;,en;q=DE8"), "de-DE");
  EXPECT_EQ(preferredLanguage("fr;x=1;q=0.4, it;q=0.3;y=2"), "fr");
  EXPECT_EQ(preferredLanguage("fr;q=0.4;q=x, it;q=0.3"), "it");
}

TEST(ChooseLanguage, BeaconFirstIfValid) {
  EXPECT_EQ(chooseLanguage("pl-pl", "en"), "pl-PL");
  EXPECT_EQ(chooseLanguage("not a tag", "en-us"), "en-US");
  EXPECT_EQ(chooseLanguage(std::nullopt, "en-us;q=0.4, cs"), "cs");
}

}  // namespace
}  // namespace consentry::filters::telemetry
