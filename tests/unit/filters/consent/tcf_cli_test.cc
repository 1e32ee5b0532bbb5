#include "filters/consent/tcf_cli.h"

#include <gtest/gtest.h>

#include <iostream>
#include <sstream>

namespace consentry::filters::consent {
namespace {

struct Captured {
  int code;
  std::string out, err;
};

Captured run(std::vector<std::string> args, const std::string& input = "") {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  std::istringstream in(input);
  std::ostringstream out, err;
  auto* oldIn = std::cin.rdbuf(in.rdbuf());
  auto* oldOut = std::cout.rdbuf(out.rdbuf());
  auto* oldErr = std::cerr.rdbuf(err.rdbuf());
  int code = runTcfDecode(static_cast<int>(argv.size()), argv.data());
  std::cin.rdbuf(oldIn);
  std::cout.rdbuf(oldOut);
  std::cerr.rdbuf(oldErr);
  return {code, out.str(), err.str()};
}

const char* kKetch = "CPhBZtcPhBZtcACABAENCACgAIAAAAAAAAAAH2QAYH0AfYB9kAGB9YH2AAAA.YAAAAAAAAAAA";

TEST(TcfCli, SingleString) {
  auto r = run({"tcf-decode", kKetch});
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("\"cmpId\":2,"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.back(), '\n');
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1);
}

TEST(TcfCli, MalformedSingleStringExits1) {
  auto r = run({"tcf-decode", "BOVeoB_OVeoFxC-AHAFRBtAAAAAhGAEAD4AXAA2YCEQ"});
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("version 1"), std::string::npos);
}

TEST(TcfCli, StdinOneLineEach) {
  auto r = run({"tcf-decode", "-"}, std::string(kKetch) + "\r\n!!\n\n" + kKetch + "\n");
  EXPECT_EQ(r.code, 0);
  std::istringstream lines(r.out);
  std::vector<std::string> got;
  for (std::string l; std::getline(lines, l);) got.push_back(l);
  // one output line per input line, a blank one included, so outputs pair with inputs
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0], got[3]);
  EXPECT_EQ(got[1], R"({"error":"not base64url"})");
  EXPECT_EQ(got[2], R"({"error":"empty TC string"})");
}

TEST(TcfCli, UsageErrors) {
  EXPECT_EQ(run({"tcf-decode"}).code, 2);
  EXPECT_EQ(run({"tcf-decode", "a", "b"}).code, 2);
  EXPECT_EQ(run({"tcf-decode", "--help"}).code, 0);
}

}  // namespace
}  // namespace consentry::filters::consent
