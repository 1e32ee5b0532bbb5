#pragma once
// Path and level compression for a MaxMind DB search tree. Below the first levels most search
// nodes are links of a chain: one side is a terminal record (usually "no network") and the other
// side the next node, down to the /48 or /24 a network ends at. Walking such a chain costs one
// dependent memory load per bit. A folded node answers the whole chain with one compare (the
// address bits equal the chain's path, or the answer is the record off its side, the same at
// every link), then takes `stride` bits at once where the tree below is dense enough (at least
// half of the nodes `stride` - 1 levels down exist), instead of one bit per node.
//
// Built once per database next to the jump tables (search_tree.h), breadth first from the
// tables' entries, up to a memory budget: subtrees past the budget keep the plain per-bit walk.

#include <cstdint>
#include <functional>
#include <vector>

namespace consentry::geo {

// A folded node in FoldedTree::words, at a reference's offset:
//   [0..1] the chain's path, first bit in the top bit of a uint64_t (native byte order)
//   [2]    the terminal record off every link of the chain (meaningful when length > 0)
//   [3]    the chain's first search node, for the per-bit walk near the last address bit
//   [4]    length (links, 0-55) | stride (1-8) << 8
//   [5..]  2^stride values: where each `stride`-bit continuation after the chain leads
struct FoldedLayout {
  static constexpr uint32_t kPath = 0, kSide = 2, kTreeNode = 3, kShape = 4, kSlots = 5;
  static constexpr int kMaxLength = 55;  // length + stride stays within one 64-bit window
  static constexpr int kMaxStride = 8;
};

// A table entry or slot value at or above this is a folded node's offset plus this; below it, a
// search node (< node count: walk on bit by bit) or a terminal record, as in the file.
inline constexpr uint32_t kFoldedRef = 0x8000'0000u;

struct FoldedTree {
  std::vector<uint32_t> words;
};

// The two records of search node `node`.
using ReadNode = std::function<void(uint32_t node, uint32_t& left, uint32_t& right)>;

// Folds the subtrees below the entries of `tables` (rewritten in place to refer to folded nodes)
// into at most `maxBytes`. `nodeCount` is the tree's node count; a terminal record that would
// read as a folded reference (only in a corrupt file) is replaced by a corrupt one
// (nodeCount + 1, inside the data section separator). Returns an empty tree, leaving the tables
// alone, when the file's values could collide with kFoldedRef.
FoldedTree foldChains(uint32_t nodeCount, uint64_t dataSectionSize, const ReadNode& read,
                      const std::vector<std::vector<uint32_t>*>& tables, size_t maxBytes);

}  // namespace consentry::geo
