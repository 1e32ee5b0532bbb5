#include "proxy/cli_telemetry.h"

#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include "config/config_loader.h"
#include "filters/chain_shared.h"
#include "filters/consent/tcf_cli.h"
#include "filters/explain.h"
#include "filters/telemetry/ua_cli.h"
#include "filters/telemetry/ua_regexes.h"
#include "geo/geo_db.h"
#include "proxy/forwarding.h"
#include "proxy/http1/parser.h"

namespace consentry::proxy {
namespace {

int usage(std::string_view message) {
  std::cerr << "consentry: " << message << '\n';
  return 2;
}

// Hands string_view args to a classic argc/argv entry point.
template <typename Fn>
int withArgv(std::string_view command, std::span<const std::string_view> args, Fn fn) {
  std::vector<std::string> storage;
  storage.emplace_back(command);
  for (auto a : args) storage.emplace_back(a);
  std::vector<char*> argv;
  argv.reserve(storage.size() + 1);
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  return fn(static_cast<int>(storage.size()), argv.data());
}

int runExplain(const CliContext& context, std::span<const std::string_view> args) {
  std::string ip = "127.0.0.1";
  std::string requestPath = "-";
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--ip" && i + 1 < args.size()) {
      ip = std::string(args[++i]);
    } else if (args[i] == "--request" && i + 1 < args.size()) {
      requestPath = std::string(args[++i]);
    } else {
      return usage("explain [--ip ADDR] [--request PATH|-]");
    }
  }
  auto peer = IpAddress::parse(ip);
  if (!peer) {
    std::cerr << "consentry: explain: --ip " << ip << " is not an IP address\n";
    return 1;
  }
  auto loaded = loadConfig(context.configPath, context.configGiven);
  if (!loaded.config) {
    for (const auto& e : loaded.errors) std::cerr << e.format() << '\n';
    return 1;
  }
  std::string raw;
  if (requestPath == "-") {
    raw.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(requestPath, std::ios::binary);
    if (!in) {
      std::cerr << "consentry: explain: cannot read " << requestPath << '\n';
      return 1;
    }
    raw.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  // Request files written by hand often end lines with LF only: accept them here (this is a
  // debugging tool, not the wire) by normalising to CRLF before the strict parser runs.
  if (raw.find("\r\n") == std::string::npos) {
    std::string fixed;
    for (char c : raw) {
      if (c == '\n') fixed += '\r';
      fixed += c;
    }
    raw = std::move(fixed);
  }
  if (raw.find("\r\n\r\n") == std::string::npos) raw += "\r\n";
  const auto& cfg = *loaded.config;
  http1::Limits limits;
  limits.maxHeaderBytes = cfg.limits.maxHeaderBytes;
  limits.maxHeaders = cfg.limits.maxHeaders;
  limits.maxUriBytes = cfg.limits.maxUriBytes;
  http1::RequestHead head;
  auto parsed = http1::parseRequest(raw, limits, head);
  if (parsed.status != http1::Status::Complete) {
    std::cerr << "consentry: explain: not a valid HTTP/1.1 request ("
              << (parsed.status == http1::Status::Error ? http1::errorName(parsed.error)
                                                        : std::string_view("incomplete head"))
              << ")\n";
    return 1;
  }
  auto shared = filters::buildChainShared(loaded.config, nullptr, nullptr);
  if (!shared) {
    std::cerr << "consentry: explain: " << shared.error().message << '\n';
    return 1;
  }
  filters::RequestInfo info;
  info.method = head.method;
  info.target = head.target;
  info.host = head.host;
  info.scheme = "http";
  info.protocol = head.versionMinor == 0 ? "HTTP/1.0" : "HTTP/1.1";
  info.headers = head.headers;
  info.peer = *peer;
  info.client = resolveClientIp(*peer, head.headers, cfg.trustedProxies);
  info.time = std::chrono::system_clock::now();
  std::cout << filters::explainJson(**shared, info) << '\n';
  return 0;
}

int runTcfDecodeCommand(const CliContext&, std::span<const std::string_view> args) {
  return withArgv("tcf-decode", args, filters::consent::runTcfDecode);
}

int runUaParseCommand(const CliContext& context, std::span<const std::string_view> args) {
  const config::Telemetry defaults;
  std::string regexes = defaults.uaRegexes;
  if (context.configGiven) {
    auto loaded = loadConfig(context.configPath, true);
    if (!loaded.config) {
      for (const auto& e : loaded.errors) std::cerr << e.format() << '\n';
      return 1;
    }
    regexes = loaded.config->telemetry.uaRegexes;
  }
  std::vector<std::string> storage(args.begin(), args.end());
  std::vector<char*> argv;
  argv.reserve(storage.size() + 1);
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  return filters::telemetry::runUaParse(regexes, static_cast<int>(storage.size()), argv.data());
}

}  // namespace

// Where `value` first appears in the config file, as "FILE:LINE:COL" (1:1 when not found, e.g.
// for the embedded default config).
std::string configPositionOf(const std::string& file, const std::string& value) {
  std::ifstream in(file);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    const size_t col = line.find(value);
    if (col != std::string::npos) {
      return file + ":" + std::to_string(n) + ":" + std::to_string(col + 1);
    }
  }
  return file + ":1:1";
}

std::vector<std::string> validateNamedFiles(const config::Config& config) {
  std::vector<std::string> errors;
  const std::string& file = config.sourcePath;
  if (!config.geo.database.empty()) {
    if (auto r = geo::validateGeoDatabase(config.geo.database); !r) {
      errors.push_back(configPositionOf(file, config.geo.database) +
                       ": geo.database: " + r.error().message);
    }
  }
  if (auto r = filters::telemetry::UaRegexes::loadFile(config.telemetry.uaRegexes); !r) {
    errors.push_back(configPositionOf(file, config.telemetry.uaRegexes) +
                     ": telemetry.ua_regexes: " + r.error().message);
  }
  return errors;
}

std::vector<CliCommand> telemetryCommands() {
  return {
      {"explain", "[-c FILE] explain [--ip ADDR] [--request PATH|-]   decide one raw request",
       runExplain},
      {"tcf-decode", "tcf-decode STRING|-                         decode IAB TCF v2 TC strings",
       runTcfDecodeCommand},
      {"ua-parse", "[-c FILE] ua-parse [--hints JSON] STRING|-  parse User-Agents with uap-core",
       runUaParseCommand},
  };
}

}  // namespace consentry::proxy
