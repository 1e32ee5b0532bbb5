// Differential test: our search-tree walk against libmaxminddb's MMDB_lookup_sockaddr, address
// by address, over the generated test databases and (when present) MaxMind's own test data.
#include "geo/search_tree.h"

#include <gtest/gtest.h>
#include <maxminddb.h>
#include <netinet/in.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "geo/geo_db.h"
#include "tests/unit/geo/test_mmdb.h"

namespace consentry::geo {
namespace {

namespace fs = std::filesystem;
using Kind = TreeAnswer::Kind;

// libmaxminddb's answer in TreeAnswer terms. It reports a walk that ends on a search node, or
// on a record inside the 16-byte separator, as an entry whose offset lies outside the data
// section (decoding it then fails); we call those corrupt up front.
TreeAnswer reference(const MMDB_s& db, const IpAddress& address) {
  const IpAddress ip = address.unmapped();
  sockaddr_in v4{};
  sockaddr_in6 v6{};
  const sockaddr* sa = nullptr;
  if (ip.isV4()) {
    v4.sin_family = AF_INET;
    std::memcpy(&v4.sin_addr, ip.bytes().data(), 4);
    sa = reinterpret_cast<const sockaddr*>(&v4);
  } else {
    v6.sin6_family = AF_INET6;
    std::memcpy(&v6.sin6_addr, ip.bytes().data(), 16);
    sa = reinterpret_cast<const sockaddr*>(&v6);
  }
  int error = MMDB_SUCCESS;
  const MMDB_lookup_result_s r = MMDB_lookup_sockaddr(&db, sa, &error);
  if (error == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR) return {Kind::V6InV4Database, 0};
  if (error != MMDB_SUCCESS) return {Kind::Corrupt, 0};
  if (!r.found_entry) return {Kind::Empty, 0};
  if (r.entry.offset >= db.data_section_size) return {Kind::Corrupt, 0};
  return {Kind::Data, r.entry.offset};
}

IpAddress v4(uint32_t value) {
  return IpAddress::v4(value);
}

IpAddress mapped(const IpAddress& a) {
  std::array<uint8_t, 16> b{};
  b[10] = b[11] = 0xff;
  std::memcpy(b.data() + 12, a.bytes().data(), 4);
  return IpAddress::v6(b);
}

uint32_t hostOrder(const IpAddress& a) {
  const auto& b = a.bytes();
  return (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3];
}

// Edge addresses: both ends of every row's network and the addresses just outside, the ends of
// the address spaces, plus random v4, v6 (global unicast and anywhere) and v4-mapped addresses.
std::vector<IpAddress> addresses(size_t randomCount, uint64_t seed) {
  std::vector<IpAddress> out;
  for (const auto& row : testing::cityRows()) {
    const auto net = IpNetwork::parse(row.network);
    if (!net) continue;
    const IpAddress first = net->address();
    out.push_back(first);
    if (first.isV4()) {
      const uint32_t base = hostOrder(first);
      const uint32_t size = net->prefixLength() == 0 ? 0 : (1u << (32 - net->prefixLength()));
      for (uint32_t a : {base - 1, base + size - 1, base + size}) out.push_back(v4(a));
    } else {
      std::array<uint8_t, 16> last = first.bytes();
      for (int bit = net->prefixLength(); bit < 128; ++bit) {
        last[static_cast<size_t>(bit / 8)] |= static_cast<uint8_t>(0x80 >> (bit % 8));
      }
      out.push_back(IpAddress::v6(last));
    }
  }
  for (const char* text :
       {"0.0.0.0", "0.0.0.1", "255.255.255.255", "128.0.0.0", "127.255.255.255", "::", "::1", "::2",
        "::ffff:0:0", "::ffff:81.2.69.142", "::81.2.69.142", "2001::1", "2002:5102:458e::1",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        "8000::", "7fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}) {
    out.push_back(*IpAddress::parse(text));
  }
  std::mt19937_64 rng(seed);
  for (size_t i = 0; i < randomCount; ++i) {
    const IpAddress a4 = v4(static_cast<uint32_t>(rng()));
    out.push_back(a4);
    out.push_back(mapped(a4));
    std::array<uint8_t, 16> b{};
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    out.push_back(IpAddress::v6(b));
    b[0] = static_cast<uint8_t>(0x20 | (b[0] & 0x0f));  // 2000::/4, where the test networks are
    out.push_back(IpAddress::v6(b));
    b[0] = 0x2a;  // the generator's random /48s live under 2a00::/8
    b[2] = 0;
    b[3] &= 1;
    out.push_back(IpAddress::v6(b));
  }
  return out;
}

// The first and last address of every network the tree holds (data or empty record), found by
// walking the tree with libmaxminddb's MMDB_read_node: hits and boundaries of every record.
// Each node is visited once (aliases such as ::ffff:0:0/96 point back into the IPv4 subtree).
void collectNetworks(const MMDB_s& db, uint32_t node, std::array<uint8_t, 16> prefix, int depth,
                     std::vector<IpAddress>& out, size_t limit, std::vector<bool>& visited) {
  const int bits = db.metadata.ip_version == 4 ? 32 : 128;
  MMDB_search_node_s n;
  if (out.size() >= limit || depth >= bits || visited[node] ||
      MMDB_read_node(&db, node, &n) != MMDB_SUCCESS) {
    return;
  }
  visited[node] = true;
  for (int side = 0; side < 2; ++side) {
    std::array<uint8_t, 16> p = prefix;
    if (side == 1) p[static_cast<size_t>(depth / 8)] |= static_cast<uint8_t>(0x80 >> (depth % 8));
    const uint64_t next = side == 0 ? n.left_record : n.right_record;
    if (next < db.metadata.node_count) {
      collectNetworks(db, static_cast<uint32_t>(next), p, depth + 1, out, limit, visited);
      continue;
    }
    std::array<uint8_t, 16> last = p;
    for (int bit = depth + 1; bit < bits; ++bit) {
      last[static_cast<size_t>(bit / 8)] |= static_cast<uint8_t>(0x80 >> (bit % 8));
    }
    for (const auto& b : {p, last}) {
      if (bits == 32) {
        out.push_back(
            v4((uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | b[3]));
      } else {
        out.push_back(IpAddress::v6(b));
      }
    }
  }
}

// Compares every address; returns how many of them found a record (so a test can insist that
// the comparison covered hits, not just gaps). `maxFoldedBytes` limits the folded chains: the
// default, none at all, or a budget that runs out part way down the tree.
size_t compareAll(const std::string& path, const std::vector<IpAddress>& ips,
                  size_t maxFoldedBytes = SearchTree::kMaxFoldedBytes) {
  auto opened = GeoDb::open(path);
  if (!opened.ok()) return 0;
  const GeoDb& db = **opened;
  const SearchTree tree(*db.handle(), maxFoldedBytes);
  EXPECT_LE(tree.foldedBytes(), maxFoldedBytes);
  std::vector<IpAddress> all = ips;
  std::vector<bool> visited(db.handle()->metadata.node_count, false);
  if (!visited.empty()) collectNetworks(*db.handle(), 0, {}, 0, all, all.size() + 400'000, visited);
  size_t hits = 0;
  for (const IpAddress& a : all) {
    const TreeAnswer want = reference(*db.handle(), a);
    const TreeAnswer got = tree.find(a.unmapped());
    EXPECT_EQ(static_cast<int>(got.kind), static_cast<int>(want.kind))
        << path << " " << a.toString();
    EXPECT_EQ(got.offset, want.offset) << path << " " << a.toString();
    hits += want.kind == Kind::Data;
  }
  return hits;
}

TEST(SearchTree, AgreesWithLibmaxminddbOnGeneratedDatabases) {
  const std::string city = testing::buildMmdb("tree-city", testing::cityRows());
  const std::string random =
      testing::buildMmdb("tree-random", testing::cityRows(), "--random 3000 --seed 17");
  const std::string v4only = testing::buildMmdb(
      "tree-v4",
      {{"81.2.69.0/24", "GB", "ENG", "EU", ""}, {"214.78.120.0/22", "US", "CA", "NA", ""}},
      "--ipv4-only --random 500 --seed 3");
  ASSERT_FALSE(city.empty() || random.empty() || v4only.empty()) << "make_test_mmdb.pl failed";
  const auto ips = addresses(20000, 42);
  EXPECT_GT(compareAll(city, ips), 20u);
  EXPECT_GT(compareAll(random, ips), 1000u);
  EXPECT_GT(compareAll(v4only, ips), 4u);
}

// The same comparison with the folded chains cut short: none at all, and a budget that ends
// inside the tree, so walks leave the folded nodes for the per-bit walk at every depth.
TEST(SearchTree, AgreesWithLibmaxminddbWhateverTheFoldingBudget) {
  const std::string random =
      testing::buildMmdb("tree-random", testing::cityRows(), "--random 3000 --seed 17");
  ASSERT_FALSE(random.empty()) << "make_test_mmdb.pl failed";
  const auto ips = addresses(5000, 43);
  for (size_t budget : {size_t{0}, size_t{2000}, size_t{64} << 10}) {
    SCOPED_TRACE(budget);
    EXPECT_GT(compareAll(random, ips, budget), 1000u);
  }
}

// Folding pays off where it should: the generated /48s sit at the end of long one-way chains,
// and the whole tree folds in far less than the budget.
TEST(SearchTree, FoldsTheGeneratedDatabaseWithinItsBudget) {
  const std::string random =
      testing::buildMmdb("tree-random", testing::cityRows(), "--random 3000 --seed 17");
  ASSERT_FALSE(random.empty()) << "make_test_mmdb.pl failed";
  auto db = GeoDb::open(random);
  ASSERT_TRUE(db.ok());
  const SearchTree tree(*(*db)->handle());
  EXPECT_GT(tree.foldedBytes(), 0u);
  EXPECT_LT(tree.foldedBytes(), size_t{1} << 20);
  EXPECT_EQ(SearchTree(*(*db)->handle(), 0).foldedBytes(), 0u);
}

// Record sizes 24/28/32, IPv4-only and IPv6 trees, a tree without an IPv4 subtree, and the
// deliberately broken search tree, from MaxMind's published test data.
TEST(SearchTree, AgreesWithLibmaxminddbOnMaxMindTestData) {
  const fs::path dir = testing::maxmindDataDir() / "test-data";
  if (!fs::exists(dir)) GTEST_SKIP() << "MaxMind test data not present at " << dir.string();
  const auto ips = addresses(3000, 7);
  size_t databases = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".mmdb") continue;
    SCOPED_TRACE(e.path().string());
    if (!GeoDb::open(e.path().string()).ok()) continue;
    compareAll(e.path().string(), ips);
    ++databases;
  }
  EXPECT_GE(databases, 20u);
}

// The cached answer equals the first, decoded one, and a mapped address answers as its IPv4.
TEST(SearchTree, GeoDbAnswersRepeatAndMappedLookupsAlike) {
  const std::string random =
      testing::buildMmdb("tree-random", testing::cityRows(), "--random 3000 --seed 17");
  ASSERT_FALSE(random.empty());
  auto db = GeoDb::open(random);
  ASSERT_TRUE(db.ok());
  std::vector<IpAddress> ips;
  std::vector<bool> visited((*db)->handle()->metadata.node_count, false);
  collectNetworks(*(*db)->handle(), 0, {}, 0, ips, 100'000, visited);
  std::mt19937 rng(5);
  for (int i = 0; i < 5000; ++i) ips.push_back(v4(static_cast<uint32_t>(rng())));
  size_t found = 0;
  for (const IpAddress& a : ips) {
    const GeoResult first = (*db)->lookup(a);
    const GeoResult again = (*db)->lookup(a);
    const GeoResult viaMapped = (*db)->lookup(a.isV4() ? mapped(a) : a);
    for (const GeoResult* r : {&again, &viaMapped}) {
      EXPECT_EQ(r->status, first.status) << a.toString();
      EXPECT_EQ(r->location.country, first.location.country) << a.toString();
      EXPECT_EQ(r->location.subdivision, first.location.subdivision) << a.toString();
      EXPECT_EQ(r->location.continent, first.location.continent) << a.toString();
    }
    found += first.status == GeoStatus::Found;
  }
  EXPECT_GT(found, 1000u);
}

}  // namespace
}  // namespace consentry::geo
