#include "filters/telemetry/client_hints.h"

#include <charconv>

namespace consentry::filters::telemetry {

namespace {

// A cursor over one header value implementing the RFC 8941 productions the hints use.
class SfReader {
 public:
  explicit SfReader(std::string_view s) : s_(s) {}

  bool atEnd() const { return i_ >= s_.size(); }
  void skipSp() {
    while (i_ < s_.size() && s_[i_] == ' ') ++i_;
  }
  void skipOws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  bool consume(char c) {
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }

  std::optional<std::string> string() {
    if (!consume('"')) return std::nullopt;
    std::string out;
    while (i_ < s_.size()) {
      char c = s_[i_++];
      if (c == '\\') {
        if (i_ >= s_.size() || (s_[i_] != '"' && s_[i_] != '\\')) return std::nullopt;
        out.push_back(s_[i_++]);
      } else if (c == '"') {
        return out;
      } else if (c < 0x20 || c > 0x7e) {
        return std::nullopt;
      } else {
        out.push_back(c);
      }
    }
    return std::nullopt;  // unterminated
  }

  std::optional<bool> boolean() {
    if (!consume('?')) return std::nullopt;
    if (consume('0')) return false;
    if (consume('1')) return true;
    return std::nullopt;
  }

  // A bare item other than a string, parsed only to be skipped: token, number or boolean.
  bool skipOtherBareItem() {
    if (i_ >= s_.size()) return false;
    char c = s_[i_];
    if (c == '?') return boolean().has_value();
    if (c == '-' || (c >= '0' && c <= '9')) {
      consume('-');
      size_t start = i_;
      while (i_ < s_.size() && ((s_[i_] >= '0' && s_[i_] <= '9') || s_[i_] == '.')) ++i_;
      return i_ > start && i_ - start <= 16;
    }
    if (isAlpha(c) || c == '*') {
      while (i_ < s_.size() && isTokenChar(s_[i_])) ++i_;
      return true;
    }
    return false;
  }

  std::optional<std::string> key() {
    if (i_ >= s_.size() || !((s_[i_] >= 'a' && s_[i_] <= 'z') || s_[i_] == '*')) {
      return std::nullopt;
    }
    size_t start = i_;
    while (i_ < s_.size() && isKeyChar(s_[i_])) ++i_;
    return std::string(s_.substr(start, i_ - start));
  }

  // Parameters after an item; the string value of `v` is stored in `version` if asked for.
  bool parameters(std::string* version) {
    while (consume(';')) {
      skipSp();
      auto k = key();
      if (!k) return false;
      if (!consume('=')) continue;  // a bare key is boolean true
      if (i_ < s_.size() && s_[i_] == '"') {
        auto v = string();
        if (!v) return false;
        if (version && *k == "v") *version = std::move(*v);
      } else if (!skipOtherBareItem() || (version && *k == "v")) {
        return false;  // `v` must be a string
      }
    }
    return true;
  }

 private:
  static bool isAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
  static bool isKeyChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
           c == '*';
  }
  static bool isTokenChar(char c) {
    return isAlpha(c) || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~:/").find(c) != std::string_view::npos;
  }

  std::string_view s_;
  size_t i_ = 0;
};

std::string_view trimSp(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool isDottedDigits(std::string_view v) {
  if (v.empty() || v.size() > 32 || v.front() == '.' || v.back() == '.') return false;
  for (char c : v) {
    if (!((c >= '0' && c <= '9') || c == '.')) return false;
  }
  return v.find("..") == std::string_view::npos;
}

int brandRank(std::string_view name) {
  if (name == "Google Chrome") return 5;
  if (name == "Microsoft Edge") return 4;
  if (name == "Opera") return 3;
  if (name == "Chromium") return 1;
  return 2;
}

std::string browserFamily(std::string_view brand, bool mobile) {
  if (brand == "Google Chrome") return mobile ? "Chrome Mobile" : "Chrome";
  if (brand == "Microsoft Edge") return mobile ? "Edge Mobile" : "Edge";
  if (brand == "Opera") return mobile ? "Opera Mobile" : "Opera";
  if (brand == "Android WebView") return "Chrome Mobile WebView";
  if (brand == "YaBrowser" || brand == "Yandex") return "Yandex Browser";
  return std::string(brand);
}

}  // namespace

std::optional<std::vector<Brand>> parseBrandList(std::string_view value) {
  SfReader r(trimSp(value));
  std::vector<Brand> out;
  if (r.atEnd()) return out;
  while (true) {
    Brand b;
    auto name = r.string();
    if (!name || !r.parameters(&b.version)) return std::nullopt;
    b.name = std::move(*name);
    out.push_back(std::move(b));
    if (out.size() > 32) return std::nullopt;
    r.skipOws();
    if (r.atEnd()) return out;
    if (!r.consume(',')) return std::nullopt;
    r.skipOws();
    if (r.atEnd()) return std::nullopt;  // trailing comma
  }
}

std::optional<std::string> parseSfString(std::string_view value) {
  SfReader r(trimSp(value));
  auto s = r.string();
  if (!s || !r.parameters(nullptr) || !r.atEnd()) return std::nullopt;
  return s;
}

std::optional<bool> parseSfBoolean(std::string_view value) {
  SfReader r(trimSp(value));
  auto b = r.boolean();
  if (!b || !r.parameters(nullptr) || !r.atEnd()) return std::nullopt;
  return b;
}

bool isGreaseBrand(std::string_view brand) {
  // Chrome varies the punctuation around "Not A Brand" on purpose; the letters stay.
  std::string letters;
  for (char c : brand) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      letters.push_back(static_cast<char>(c | 0x20));
    } else if (c != ' ' && c != '(' && c != ')' && c != ';' && c != '/' && c != '.' && c != '-' &&
               c != '_' && c != '?' && c != ':' && c != '=' && c != '\\' && c != '"') {
      return false;
    }
  }
  return letters == "notabrand";
}

ClientHints readClientHints(std::span<const HeaderField> headers) {
  ClientHints h;
  for (const auto& f : headers) {
    if (f.name.size() < 9 || !equalsIgnoreCase(f.name.substr(0, 9), "sec-ch-ua")) continue;
    if (f.value.size() > kMaxHintBytes) continue;
    if (equalsIgnoreCase(f.name, "Sec-CH-UA")) {
      h.brands = parseBrandList(f.value);
    } else if (equalsIgnoreCase(f.name, "Sec-CH-UA-Full-Version-List")) {
      h.fullVersions = parseBrandList(f.value);
    } else if (equalsIgnoreCase(f.name, "Sec-CH-UA-Platform")) {
      h.platform = parseSfString(f.value);
    } else if (equalsIgnoreCase(f.name, "Sec-CH-UA-Platform-Version")) {
      h.platformVersion = parseSfString(f.value);
    } else if (equalsIgnoreCase(f.name, "Sec-CH-UA-Mobile")) {
      h.mobile = parseSfBoolean(f.value);
    } else if (equalsIgnoreCase(f.name, "Sec-CH-UA-Model")) {
      h.model = parseSfString(f.value);
    }
  }
  return h;
}

std::optional<HintedBrowser> pickBrowser(const ClientHints& hints) {
  const std::vector<Brand>* list = hints.fullVersions ? &*hints.fullVersions
                                   : hints.brands     ? &*hints.brands
                                                      : nullptr;
  if (!list) return std::nullopt;
  const Brand* best = nullptr;
  for (const auto& b : *list) {
    if (b.name.empty() || isGreaseBrand(b.name)) continue;
    if (!best || brandRank(b.name) > brandRank(best->name)) best = &b;
  }
  if (!best) return std::nullopt;
  HintedBrowser out{browserFamily(best->name, hints.mobile.value_or(false)), std::nullopt};
  if (isDottedDigits(best->version)) out.version = best->version;
  return out;
}

std::optional<std::string> platformName(std::string_view platform) {
  if (platform == "macOS") return "Mac OS X";
  if (platform == "Chrome OS" || platform == "ChromeOS" || platform == "Chromium OS") {
    return "Chrome OS";
  }
  if (platform.empty() || platform == "Unknown") return std::nullopt;
  return std::string(platform);  // Windows, Android, Linux, iOS, Fuchsia... already uap names
}

std::optional<std::string> platformVersion(std::string_view platform, std::string_view version) {
  if (!isDottedDigits(version)) return std::nullopt;
  if (platform == "Windows") {
    int major = 0;
    auto [p, ec] = std::from_chars(version.data(), version.data() + version.size(), major);
    if (ec != std::errc()) return std::nullopt;
    if (major >= 13) return "11";
    if (major >= 1) return "10";
    return std::nullopt;
  }
  return std::string(version);
}

}  // namespace consentry::filters::telemetry
