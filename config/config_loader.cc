#include "config/config_loader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/load_state.h"

namespace consentry::config {

std::string ConfigError::format() const {
  return file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

namespace {

// Errors grouped by file (in order of first appearance), then by position.
void sortErrors(std::vector<ConfigError>& errors) {
  std::vector<std::string> files;
  for (const ConfigError& e : errors) {
    if (std::find(files.begin(), files.end(), e.file) == files.end()) files.push_back(e.file);
  }
  auto rank = [&](const ConfigError& e) {
    return std::find(files.begin(), files.end(), e.file) - files.begin();
  };
  std::stable_sort(errors.begin(), errors.end(), [&](const ConfigError& a, const ConfigError& b) {
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    if (a.line != b.line) return a.line < b.line;
    return a.column < b.column;
  });
}

void parseDocument(const YAML::Node& doc, detail::LoadState& state) {
  detail::Diagnostics d(state.file, state.errors);
  state.rootPos = d.pos(doc);
  detail::MapReader root(d, doc, "");
  detail::parseServer(root, state);
  detail::parseConsent(root, state);
  detail::parseRegions(root, state);
  detail::parseSinks(root, state);
  root.finish();
  detail::checkAndComplete(state);
}

}  // namespace

LoadResult loadConfigString(std::string_view yaml, const std::string& fileName,
                            const LoadOptions& options) {
  LoadResult result;
  auto config = std::make_shared<Config>();
  config->sourcePath = fileName;
  detail::LoadState state{*config, result.errors, fileName, {}};
  state.checkFiles = options.checkFiles;
  // yaml-cpp reports syntax errors by exception; config loading is off the data path, and
  // every exception is turned into a positioned error here.
  try {
    YAML::Node doc = YAML::Load(std::string(yaml));
    parseDocument(doc, state);
  } catch (const YAML::Exception& e) {
    detail::Diagnostics::add(result.errors, fileName, e.mark, "YAML syntax error: " + e.msg);
  }
  if (result.errors.empty()) {
    result.config = std::move(config);
  } else {
    sortErrors(result.errors);
  }
  return result;
}

LoadResult loadConfigFile(const std::string& path, const LoadOptions& options) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    LoadResult result;
    result.errors.push_back(ConfigError{path, 1, 1, "cannot read config file: is a directory"});
    return result;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult result;
    result.errors.push_back(
        ConfigError{path, 1, 1, std::string("cannot read config file: ") + std::strerror(errno)});
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return loadConfigString(text.str(), path, options);
}

}  // namespace consentry::config
