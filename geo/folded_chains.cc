#include "geo/folded_chains.h"

#include <cstring>
#include <deque>
#include <unordered_map>

namespace consentry::geo {
namespace {

using L = FoldedLayout;

class Folder {
 public:
  Folder(uint32_t nodeCount, const ReadNode& read, size_t maxWords)
      : nodeCount_(nodeCount), read_(read), maxWords_(maxWords) {}

  // What a table entry or a slot becomes: a folded reference for a search node (laid out now,
  // its slots filled when the queue reaches it), the node itself once the budget is spent, or
  // the terminal record.
  uint32_t refer(uint32_t value) {
    if (value >= nodeCount_) return value >= kFoldedRef ? nodeCount_ + 1 : value;
    if (auto it = offsets_.find(value); it != offsets_.end()) return kFoldedRef + it->second;

    uint64_t path = 0;
    uint32_t side = 0;
    int length = 0;
    uint32_t branch = value;
    uint32_t left = 0, right = 0;
    read_(branch, left, right);
    // Follow links: exactly one side terminal, the same terminal record at every link.
    while (length < L::kMaxLength) {
      const bool leftTerminal = left >= nodeCount_;
      if (leftTerminal == (right >= nodeCount_)) break;
      const uint32_t off = leftTerminal ? left : right;
      if ((length > 0 && off != side) || off >= kFoldedRef) break;
      side = off;
      path |= uint64_t{leftTerminal ? 1u : 0u} << (63 - length);
      ++length;
      branch = leftTerminal ? right : left;
      read_(branch, left, right);
    }
    const int stride = strideAt(branch);

    const size_t size = L::kSlots + (size_t{1} << stride);
    if (words_.size() + size > maxWords_) return value;
    const auto offset = static_cast<uint32_t>(words_.size());
    words_.resize(words_.size() + size);
    std::memcpy(&words_[offset + L::kPath], &path, sizeof path);
    words_[offset + L::kSide] = side;
    words_[offset + L::kTreeNode] = value;
    words_[offset + L::kShape] = static_cast<uint32_t>(length) | static_cast<uint32_t>(stride) << 8;
    offsets_.emplace(value, offset);
    queue_.push_back({offset, branch, stride});
    return kFoldedRef + offset;
  }

  // Fills queued nodes' slots breadth first, so a budget cut keeps the upper levels folded.
  void drain() {
    while (!queue_.empty()) {
      const Pending p = queue_.front();
      queue_.pop_front();
      for (uint32_t bits = 0; bits < (1u << p.stride); ++bits) {
        uint32_t v = p.branch;
        for (int i = p.stride - 1; i >= 0 && v < nodeCount_; --i) v = child(v, (bits >> i) & 1u);
        words_[p.offset + L::kSlots + bits] = refer(v);
      }
    }
  }

  FoldedTree take() { return FoldedTree{std::move(words_)}; }

 private:
  struct Pending {
    uint32_t offset;
    uint32_t branch;  // the search node the slots continue from
    int stride;
  };

  uint32_t child(uint32_t node, uint32_t bit) const {
    uint32_t left = 0, right = 0;
    read_(node, left, right);
    return bit != 0 ? right : left;
  }

  // The most bits one step can take below `node` while at least half of the nodes a level
  // above the slots exist (so at most half of the slots repeat a record).
  int strideAt(uint32_t node) const {
    std::vector<uint32_t> level{node}, below;
    int stride = 1;
    for (int k = 2; k <= L::kMaxStride; ++k) {
      below.clear();
      for (uint32_t n : level) {
        uint32_t left = 0, right = 0;
        read_(n, left, right);
        if (left < nodeCount_) below.push_back(left);
        if (right < nodeCount_) below.push_back(right);
      }
      if (below.size() * 2 < (size_t{1} << (k - 1))) break;
      stride = k;
      level.swap(below);
    }
    return stride;
  }

  uint32_t nodeCount_;
  const ReadNode& read_;
  size_t maxWords_;
  std::vector<uint32_t> words_;
  std::unordered_map<uint32_t, uint32_t> offsets_;  // search node -> folded node offset
  std::deque<Pending> queue_;
};

}  // namespace

FoldedTree foldChains(uint32_t nodeCount, uint64_t dataSectionSize, const ReadNode& read,
                      const std::vector<std::vector<uint32_t>*>& tables, size_t maxBytes) {
  // Every value the file can hold must stay below kFoldedRef for the references to be told
  // apart, and every offset too.
  const size_t maxWords = std::min<size_t>(maxBytes / sizeof(uint32_t), kFoldedRef - 1);
  if (uint64_t{nodeCount} + dataSectionSize + 2 >= kFoldedRef) return {};
  Folder folder(nodeCount, read, maxWords);
  for (auto* table : tables) {
    for (uint32_t& entry : *table) entry = folder.refer(entry);
  }
  folder.drain();
  return folder.take();
}

}  // namespace consentry::geo
