#pragma once
// Builds MaxMind DB fixtures at test time with MaxMind's own writer (tests/helpers/
// make_test_mmdb.pl): the rows below are both the database content and the expected answers.

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace consentry::geo::testing {

struct NetworkRow {
  std::string network;      // CIDR
  std::string country;      // "-" for none
  std::string subdivision;  // ISO 3166-2 part after the dash, "-" for none
  std::string continent;    // "-" for none
  std::string probe;        // an address inside the network
};

inline const std::vector<NetworkRow>& cityRows() {
  static const std::vector<NetworkRow> rows = {
      {"81.2.69.0/24", "GB", "ENG", "EU", "81.2.69.142"},
      {"89.160.20.0/24", "SE", "E", "EU", "89.160.20.129"},
      {"2.16.0.0/16", "DE", "BE", "EU", "2.16.200.7"},
      {"216.160.83.0/24", "US", "WA", "NA", "216.160.83.56"},
      {"214.78.120.0/22", "US", "CA", "NA", "214.78.121.1"},
      {"175.16.199.0/24", "CN", "22", "AS", "175.16.199.1"},
      {"200.160.0.0/16", "BR", "SP", "SA", "200.160.2.3"},
      {"24.48.0.0/16", "CA", "QC", "NA", "24.48.10.10"},
      {"1.128.0.0/16", "AU", "-", "OC", "1.128.0.1"},
      {"185.0.0.0/24", "-", "-", "EU", "185.0.0.9"},
      {"2001:480:10::/48", "US", "CA", "NA", "2001:480:10::1"},
      {"2a02:d3c0::/32", "GB", "-", "EU", "2a02:d3c0::1"},
      {"2001:218::/32", "JP", "-", "AS", "2001:218::1"},
      {"2003::/19", "DE", "HH", "EU", "2003:1fff::42"},
  };
  return rows;
}

// Addresses in none of the networks above (gaps), all public.
inline const std::vector<std::string>& gapAddresses() {
  static const std::vector<std::string> gaps = {"1.2.3.4",     "81.2.70.1", "216.160.84.1",
                                                "2001:480::1", "2a03::1",   "9.9.9.9"};
  return gaps;
}

// MaxMind's published test data (github.com/maxmind/MaxMind-DB) when it sits next to the repo at
// ../shared/testdata/maxmind; CONSENTRY_SOURCE_DIR overrides where "the repo" is (a worktree
// elsewhere). Never committed here.
inline std::filesystem::path maxmindDataDir() {
  const char* env = std::getenv("CONSENTRY_SOURCE_DIR");
  const std::filesystem::path source =
      env != nullptr ? std::filesystem::path(env) : std::filesystem::path(CONSENTRY_SOURCE_DIR);
  return source.parent_path() / "shared" / "testdata" / "maxmind";
}

inline std::filesystem::path fixtureDir() {
  auto dir = std::filesystem::path(CONSENTRY_BINARY_DIR) / "testdata" / "geo";
  std::filesystem::create_directories(dir);
  return dir;
}

// Writes the rows as the generator's spec and runs it; returns the .mmdb path, or an empty
// string when the generator failed.
inline std::string buildMmdb(const std::string& name, const std::vector<NetworkRow>& rows,
                             const std::string& extraArgs = "") {
  const auto dir = fixtureDir();
  const auto spec = dir / (name + "." + std::to_string(::getpid()) + ".tsv");
  const auto out = dir / (name + ".mmdb");
  {
    std::ofstream f(spec);
    for (const auto& r : rows) {
      f << r.network << '\t' << r.country << '\t' << r.subdivision << '\t' << r.continent << '\n';
    }
  }
  const std::string script = std::string(CONSENTRY_SOURCE_DIR) + "/tests/helpers/make_test_mmdb.pl";
  const std::string cmd =
      "perl '" + script + "' '" + out.string() + "' '" + spec.string() + "' " + extraArgs;
  const int rc = std::system(cmd.c_str());
  std::filesystem::remove(spec);
  return rc == 0 ? out.string() : std::string();
}

}  // namespace consentry::geo::testing
