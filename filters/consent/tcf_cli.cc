#include "filters/consent/tcf_cli.h"

#include <chrono>
#include <iostream>
#include <string>
#include <string_view>

#include "filters/consent/tcf_json.h"

namespace consentry::filters::consent {
namespace {

constexpr std::string_view kUsage =
    "usage: consentry tcf-decode STRING|-\n"
    "  decode an IAB TCF v2 TC string and print it as JSON; with -, one string per line "
    "from stdin\n";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

}  // namespace

int runTcfDecode(int argc, char** argv) {
  if (argc == 2 && (std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h")) {
    std::cout << kUsage;
    return 0;
  }
  if (argc != 2) {
    std::cerr << kUsage;
    return 2;
  }
  auto now = std::chrono::system_clock::now();
  std::string_view arg = argv[1];
  if (arg != "-") {
    bool ok = false;
    std::string json = tcfDecodeJson(trim(arg), now, &ok);
    if (!ok) {
      std::cerr << "tcf-decode: malformed TC string: " << json << "\n";
      return 1;
    }
    std::cout << json << "\n";
    return 0;
  }
  std::string line;
  while (std::getline(std::cin, line)) {
    // A blank line is a malformed (empty) string too: output line N always answers input line N.
    std::cout << tcfDecodeJson(trim(line), now) << "\n";
  }
  std::cout.flush();
  return 0;
}

}  // namespace consentry::filters::consent
