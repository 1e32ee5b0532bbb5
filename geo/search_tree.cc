#include "geo/search_tree.h"

#include <maxminddb.h>

#include <algorithm>
#include <cstring>

namespace consentry::geo {
namespace {

// The data section starts 16 zero bytes after the tree; a data record's value counts them.
constexpr uint32_t kDataSectionSeparator = 16;

// Eight bytes from `p` as a big-endian number. A node is 6-8 bytes; reading 8 from the last
// one stays inside the file because the 16-byte separator follows the tree.
uint64_t load64(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_bswap64(v);
}

uint32_t select(uint32_t bit, uint32_t left, uint32_t right) {
  const uint32_t mask = 0u - bit;  // all ones for the right branch
  return (left & ~mask) | (right & mask);
}

}  // namespace

SearchTree::SearchTree(const MMDB_s& db, size_t maxFoldedBytes)
    : tree_(db.file_content),
      nodeCount_(db.metadata.node_count),
      dataSectionSize_(db.data_section_size),
      recordBits_(db.metadata.record_size),
      ipVersion_(db.metadata.ip_version) {
  // MMDB_open checks the layout; this keeps every node read inside the file regardless.
  const uint64_t treeBytes = uint64_t{nodeCount_} * static_cast<uint64_t>(recordBits_) / 4;
  const bool knownSize = recordBits_ == 24 || recordBits_ == 28 || recordBits_ == 32;
  if (!knownSize || db.file_size < 0 ||
      treeBytes + kDataSectionSeparator > static_cast<uint64_t>(db.file_size)) {
    recordBits_ = 0;  // find() then reports every lookup as corrupt
    return;
  }
  if (ipVersion_ == 6) {
    // IPv4 lives under ::/96 in an IPv6 tree: follow 96 left branches once, here, instead of on
    // every lookup.
    uint32_t node = 0;
    for (int i = 0; i < 96 && node < nodeCount_; ++i) node = step(node, 0);
    ipv4Start_ = node;
    v6Table_ = buildTable(0);
  }
  v4Table_ = buildTable(ipv4Start_);
  // IPv6 first: its chains are the long ones, so they get the budget before IPv4's.
  std::vector<std::vector<uint32_t>*> tables;
  if (ipVersion_ == 6) tables.push_back(&v6Table_);
  tables.push_back(&v4Table_);
  const ReadNode read = [this](uint32_t node, uint32_t& left, uint32_t& right) {
    left = step(node, 0);
    right = step(node, 1);
  };
  folded_ = foldChains(nodeCount_, dataSectionSize_, read, tables, maxFoldedBytes).words;
}

template <int RecordBits>
uint32_t SearchTree::record(uint32_t node, uint32_t bit) const {
  if constexpr (RecordBits == 24) {
    const uint64_t v = load64(tree_ + static_cast<size_t>(node) * 6);
    return select(bit, static_cast<uint32_t>(v >> 40) & 0xFFFFFFu,
                  static_cast<uint32_t>(v >> 16) & 0xFFFFFFu);
  } else if constexpr (RecordBits == 28) {
    // Two 24-bit halves around a middle byte holding both records' top nibbles.
    const uint64_t v = load64(tree_ + static_cast<size_t>(node) * 7);
    const uint32_t left = (static_cast<uint32_t>(v >> 40) & 0xFFFFFFu) |
                          (static_cast<uint32_t>(v >> 12) & 0xF000000u);
    const uint32_t right = static_cast<uint32_t>(v >> 8) & 0xFFFFFFFu;
    return select(bit, left, right);
  } else {
    const uint64_t v = load64(tree_ + static_cast<size_t>(node) * 8);
    return select(bit, static_cast<uint32_t>(v >> 32), static_cast<uint32_t>(v));
  }
}

uint32_t SearchTree::step(uint32_t node, uint32_t bit) const {
  switch (recordBits_) {
    case 24:
      return record<24>(node, bit);
    case 28:
      return record<28>(node, bit);
    default:
      return record<32>(node, bit);
  }
}

std::vector<uint32_t> SearchTree::buildTable(uint32_t start) const {
  std::vector<uint32_t> table(size_t{1} << kTableBits);
  for (uint32_t prefix = 0; prefix < table.size(); ++prefix) {
    uint32_t node = start;
    for (int i = kTableBits - 1; i >= 0 && node < nodeCount_; --i)
      node = step(node, (prefix >> i) & 1u);
    table[prefix] = node;
  }
  return table;
}

TreeAnswer SearchTree::answer(uint32_t value) const {
  TreeAnswer out;
  if (value == nodeCount_) {
    out.kind = TreeAnswer::Kind::Empty;
  } else if (value - nodeCount_ < dataSectionSize_ && value - nodeCount_ >= kDataSectionSeparator) {
    out.kind = TreeAnswer::Kind::Data;
    out.offset = value - nodeCount_ - kDataSectionSeparator;
  } else {
    out.kind = TreeAnswer::Kind::Corrupt;
  }
  return out;
}

uint32_t SearchTree::followFolded(uint32_t value, unsigned __int128 address, int bits,
                                  int& depth) const {
  using L = FoldedLayout;
  if (folded_.empty()) return value;  // folding off: table values are the file's own
  while (value >= kFoldedRef) {
    const uint32_t* node = folded_.data() + (value - kFoldedRef);
    const int length = static_cast<int>(node[L::kShape] & 0xFFu);
    const int stride = static_cast<int>(node[L::kShape] >> 8);
    // Near the last bit (or in a malformed tree reached too deep) the per-bit walk decides.
    if (depth + length + stride > bits) return node[L::kTreeNode];
    uint64_t path;
    std::memcpy(&path, node + L::kPath, sizeof path);
    const auto window = static_cast<uint64_t>((address << depth) >> 64);
    const uint64_t mask = ~(~uint64_t{0} >> length);
    if (((window ^ path) & mask) != 0) return node[L::kSide];
    value = node[L::kSlots + ((window << length) >> (64 - stride))];
    depth += length + stride;
  }
  return value;
}

template <int RecordBits>
TreeAnswer SearchTree::walk(const IpAddress& address) const {
  const auto& b = address.bytes();
  uint32_t node;
  int depth = kTableBits;
  if (address.isV4()) {
    // The address as one register; the loop shifts it instead of indexing bytes.
    const uint32_t bits =
        (uint32_t{b[0]} << 24) | (uint32_t{b[1]} << 16) | (uint32_t{b[2]} << 8) | uint32_t{b[3]};
    node = followFolded(v4Table_[bits >> (32 - kTableBits)],
                        static_cast<unsigned __int128>(bits) << 96, 32, depth);
    for (int i = 32 - depth - 1; i >= 0 && node < nodeCount_; --i) {
      node = record<RecordBits>(node, (bits >> i) & 1u);
    }
  } else {
    const uint64_t high = load64(b.data());
    const uint64_t low = load64(b.data() + 8);
    node = followFolded(v6Table_[high >> (64 - kTableBits)],
                        (static_cast<unsigned __int128>(high) << 64) | low, 128, depth);
    for (int i = 64 - depth - 1; i >= 0 && node < nodeCount_; --i) {
      node = record<RecordBits>(node, static_cast<uint32_t>(high >> i) & 1u);
    }
    for (int i = std::min(63, 128 - depth - 1); i >= 0 && node < nodeCount_; --i) {
      node = record<RecordBits>(node, static_cast<uint32_t>(low >> i) & 1u);
    }
  }
  // Running out of bits on a search node is a malformed tree (libmaxminddb then returns an
  // offset outside the data section, which fails to decode).
  if (node < nodeCount_) return TreeAnswer{TreeAnswer::Kind::Corrupt, 0};
  return answer(node);
}

TreeAnswer SearchTree::find(const IpAddress& address) const {
  if (!address.isV4() && ipVersion_ == 4) return TreeAnswer{TreeAnswer::Kind::V6InV4Database, 0};
  switch (recordBits_) {
    case 24:
      return walk<24>(address);
    case 28:
      return walk<28>(address);
    case 32:
      return walk<32>(address);
    default:
      return TreeAnswer{TreeAnswer::Kind::Corrupt, 0};
  }
}

}  // namespace consentry::geo
