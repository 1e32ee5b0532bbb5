#include "filters/telemetry/ua_cli.h"

#include <simdjson.h>

#include <iostream>
#include <string_view>
#include <vector>

#include "filters/telemetry/client_facts.h"

namespace consentry::filters::telemetry {

namespace {

void writeJsonString(std::ostream& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out << '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out << "\\\"";
        break;
      case '\\':
        out << "\\\\";
        break;
      case '\n':
        out << "\\n";
        break;
      case '\r':
        out << "\\r";
        break;
      case '\t':
        out << "\\t";
        break;
      default:
        if (c < 0x20) {
          out << "\\u00" << kHex[c >> 4] << kHex[c & 15];
        } else {
          out << c;
        }
    }
  }
  out << '"';
}

// Writes `"key":"value"` pairs of one object, skipping absent values.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::ostream& out) : out_(out) { out_ << '{'; }
  ~ObjectWriter() { out_ << '}'; }
  void field(std::string_view key, const std::optional<std::string>& value) {
    if (!value) return;
    if (!first_) out_ << ',';
    first_ = false;
    writeJsonString(out_, key);
    out_ << ':';
    writeJsonString(out_, *value);
  }

 private:
  std::ostream& out_;
  bool first_ = true;
};

void printFacts(std::ostream& out, const ClientFacts& f) {
  out << "{\"os\":";
  {
    ObjectWriter o(out);
    o.field("name", f.osName);
    o.field("version", f.osVersion);
  }
  out << ",\"browser\":";
  {
    ObjectWriter o(out);
    o.field("name", f.browserName);
    o.field("version", f.browserVersion);
  }
  out << ",\"device\":";
  {
    ObjectWriter o(out);
    o.field("type", std::string(deviceTypeName(f.deviceType)));
    o.field("family", f.deviceFamily);
    o.field("brand", f.deviceBrand);
    o.field("model", f.deviceModel);
  }
  out << "}\n";
}

// --hints: a JSON object of header name -> header value, all strings.
bool parseHints(std::string_view json, std::vector<std::pair<std::string, std::string>>& hints,
                std::string& error) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto e = parser.parse(json.data(), json.size()).get(doc)) {
    error = std::string("--hints: ") + simdjson::error_message(e);
    return false;
  }
  simdjson::dom::object object;
  if (doc.get(object)) {
    error = "--hints: expected a JSON object";
    return false;
  }
  for (auto [key, value] : object) {
    std::string_view v;
    if (value.get(v)) {
      error = "--hints: value of " + std::string(key) + " is not a string";
      return false;
    }
    hints.emplace_back(std::string(key), std::string(v));
  }
  return true;
}

}  // namespace

int runUaParse(const std::string& regexesPath, int argc, char** argv, std::istream& in,
               std::ostream& out, std::ostream& err) {
  std::vector<std::pair<std::string, std::string>> hints;
  std::optional<std::string> subject;
  for (int i = 0; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--hints" && i + 1 < argc) {
      std::string error;
      if (!parseHints(argv[++i], hints, error)) {
        err << error << "\n";
        return 1;
      }
    } else if (!subject && (arg == "-" || !arg.starts_with("--"))) {
      subject = std::string(arg);
    } else {
      err << "usage: consentry [-c FILE] ua-parse [--hints JSON] STRING|-\n";
      return 2;
    }
  }
  if (!subject) {
    err << "usage: consentry [-c FILE] ua-parse [--hints JSON] STRING|-\n";
    return 2;
  }
  auto regexes = UaRegexes::loadFile(regexesPath);
  if (!regexes) {
    err << regexes.error().message << "\n";
    return 1;
  }
  ClientDescriber describer(*regexes, 1024, UaMode::Raw);
  std::vector<HeaderField> headers;
  auto describe = [&](std::string_view ua) {
    headers.clear();
    headers.push_back({"User-Agent", ua});
    for (const auto& [name, value] : hints) headers.push_back({name, value});
    printFacts(out, describer.describe(headers));
  };
  if (*subject != "-") {
    describe(*subject);
    return 0;
  }
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    describe(line);
  }
  return 0;
}

int runUaParse(const std::string& regexesPath, int argc, char** argv) {
  return runUaParse(regexesPath, argc, argv, std::cin, std::cout, std::cerr);
}

}  // namespace consentry::filters::telemetry
