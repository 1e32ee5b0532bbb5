#pragma once
// Choosing a certificate by the name a client asked for (SNI): the names come from each
// certificate (SAN DNS names, or the CN when there are none). Exact names win over wildcards; a
// wildcard "*.example.com" stands for exactly one label, so it matches "a.example.com" but neither
// "example.com" nor "a.b.example.com". Comparison ignores ASCII case and a trailing dot.

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace consentry::proxy::tls {

// Lower case, trailing dot removed; empty when `name` cannot be a DNS name.
std::string normalizeHostName(std::string_view name);

class HostNameIndex {
 public:
  static constexpr int kNone = -1;

  // Maps `name` (a certificate name, possibly "*.suffix") to `index`; the first index added for a
  // name keeps it, so earlier certificates win ties.
  void add(std::string_view name, int index);
  // The index for `host`: an exact name, else the wildcard covering its first label, else kNone.
  int find(std::string_view host) const;
  bool empty() const { return exact_.empty() && wildcard_.empty(); }

 private:
  std::unordered_map<std::string, int> exact_;
  std::unordered_map<std::string, int> wildcard_;  // keyed by the suffix after "*."
};

}  // namespace consentry::proxy::tls
