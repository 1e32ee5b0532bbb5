#pragma once
// Our own walk of a MaxMind DB's binary search tree, over the file libmaxminddb has mapped.
// libmaxminddb's generic walk reads every node through a record-size switch and branches on
// every address bit, which random addresses mispredict half the time; this one is specialised
// per record size (24/28/32 bits), picks the branch without a jump, and skips the first 16 levels
// through a table built once per database (one for IPv4, one for IPv6), then folds chains of
// one-way nodes into single compares and dense levels into multi-bit steps (folded_chains.h), as
// far as a memory budget allows. It answers the same as
// MMDB_lookup_sockaddr (tests/unit/geo/search_tree_test.cc compares them address by address).

#include <cstdint>
#include <vector>

#include "base/ip_address.h"
#include "geo/folded_chains.h"

struct MMDB_s;

namespace consentry::geo {

struct TreeAnswer {
  enum class Kind : uint8_t {
    Data,           // `offset` is the record's offset in the data section (MMDB_entry_s::offset)
    Empty,          // the address is in no network of the database
    Corrupt,        // a record points outside the tree and the data section
    V6InV4Database  // an IPv6 address asked of an IPv4-only database
  };
  Kind kind = Kind::Empty;
  uint32_t offset = 0;
};

class SearchTree {
 public:
  static constexpr size_t kMaxFoldedBytes = size_t{4} << 20;

  // `db` must be open and outlive this object (GeoDb owns both). `maxFoldedBytes` caps the
  // folded chains (tests lower it to cover a walk that leaves them half way).
  explicit SearchTree(const MMDB_s& db, size_t maxFoldedBytes = kMaxFoldedBytes);

  // `address` must already be unmapped (::ffff:a.b.c.d looked up as a.b.c.d), as GeoDb does.
  TreeAnswer find(const IpAddress& address) const;

  // Memory the folded chains take (the jump tables add 256 KiB for IPv4, as much for IPv6).
  size_t foldedBytes() const { return folded_.size() * sizeof(uint32_t); }

 private:
  static constexpr int kTableBits = 16;

  template <int RecordBits>
  TreeAnswer walk(const IpAddress& address) const;
  template <int RecordBits>
  uint32_t record(uint32_t node, uint32_t bit) const;
  uint32_t step(uint32_t node, uint32_t bit) const;
  // From a table value at `depth` through folded nodes, as deep as they go: returns a terminal
  // record, or the search node (and its depth) where the per-bit walk goes on. `address` holds
  // the address in its top `bits` bits.
  uint32_t followFolded(uint32_t value, unsigned __int128 address, int bits, int& depth) const;
  // The node (or terminal record) reached from `start` after each of the 2^16 first-16-bit
  // prefixes; a prefix that ends early on a record stores that record.
  std::vector<uint32_t> buildTable(uint32_t start) const;
  TreeAnswer answer(uint32_t record) const;

  const uint8_t* tree_;
  uint32_t nodeCount_;
  uint32_t dataSectionSize_;
  int recordBits_;  // 0 when the tree does not fit in the file
  int ipVersion_;
  // Where IPv4 addresses start in an IPv6 tree (the node or record after 96 zero bits); 0 in
  // an IPv4 tree. May be a terminal record when the ::/96 subtree is not a full subtree.
  uint32_t ipv4Start_ = 0;
  std::vector<uint32_t> v4Table_, v6Table_;  // values as folded slots (folded_chains.h)
  std::vector<uint32_t> folded_;             // FoldedLayout nodes
};

}  // namespace consentry::geo
