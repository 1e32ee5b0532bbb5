#include "proxy/tls/host_names.h"

namespace consentry::proxy::tls {

std::string normalizeHostName(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
                         c == '*' || c == '_';
    if (!allowed) return {};
    out += c;
  }
  return out;
}

void HostNameIndex::add(std::string_view name, int index) {
  std::string normalized = normalizeHostName(name);
  if (normalized.empty()) return;
  if (normalized.starts_with("*.")) {
    std::string suffix = normalized.substr(2);
    // "*.com"-like and partial-label wildcards ("f*.example.com") are not honoured.
    if (suffix.find('*') != std::string::npos || suffix.find('.') == std::string::npos) return;
    wildcard_.emplace(std::move(suffix), index);
    return;
  }
  if (normalized.find('*') != std::string::npos) return;
  exact_.emplace(std::move(normalized), index);
}

int HostNameIndex::find(std::string_view host) const {
  std::string normalized = normalizeHostName(host);
  if (normalized.empty() || normalized.find('*') != std::string::npos) return kNone;
  if (auto it = exact_.find(normalized); it != exact_.end()) return it->second;
  const size_t dot = normalized.find('.');
  if (dot == std::string::npos || dot == 0) return kNone;
  if (auto it = wildcard_.find(normalized.substr(dot + 1)); it != wildcard_.end()) {
    return it->second;
  }
  return kNone;
}

}  // namespace consentry::proxy::tls
