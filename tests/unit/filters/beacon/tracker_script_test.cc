#include "filters/beacon/tracker_script.h"

#include <gtest/gtest.h>

namespace consentry::filters {
namespace {

TEST(TrackerScript, PostsToConfiguredPathAndSetsNoCookie) {
  auto js = trackerScript("/__consentry/collect");
  EXPECT_NE(js.find("var endpoint = \"/__consentry/collect\""), std::string::npos);
  EXPECT_EQ(js.find("document.cookie"), std::string::npos);
  EXPECT_NE(js.find("track: function"), std::string::npos);
  EXPECT_NE(js.find("devicePixelRatio"), std::string::npos);
  EXPECT_NE(js.find("navigator.language"), std::string::npos);
}

TEST(TrackerScript, PathCannotBreakOutOfTheStringLiteral) {
  auto js = trackerScript("/a\";alert(1);//</script>");
  EXPECT_EQ(js.find("\";alert"), std::string::npos);
  EXPECT_EQ(js.find("</script>"), std::string::npos);
}

}  // namespace
}  // namespace consentry::filters
