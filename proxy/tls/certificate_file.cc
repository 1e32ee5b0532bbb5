#include "proxy/tls/certificate_file.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

namespace consentry::proxy::tls {
namespace {

// OpenSSL's reason for the last failure, e.g. "no start line"; clears the error queue.
std::string opensslReason() {
  unsigned long code = ERR_peek_last_error();
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  std::string text = reason != nullptr ? reason : "unknown error";
  ERR_clear_error();
  return text;
}

std::string unreadable(const std::string& file) {
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::strerror(errno);
  ::close(fd);
  return {};
}

// A key file with a passphrase would make OpenSSL prompt on the terminal: refuse instead.
int noPassphrase(char*, int, int, void*) {
  return 0;
}

std::time_t expiryOf(X509* cert) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) return 0;
  return timegm(&tm);
}

}  // namespace

std::vector<std::string> certificateNames(X509* cert) {
  std::vector<std::string> names;
  auto* sans =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (sans != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
      const GENERAL_NAME* name = sk_GENERAL_NAME_value(sans, i);
      if (name->type != GEN_DNS) continue;
      const ASN1_IA5STRING* dns = name->d.dNSName;
      names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                         static_cast<size_t>(ASN1_STRING_length(dns)));
    }
    GENERAL_NAMES_free(sans);
  }
  if (!names.empty()) return names;
  X509_NAME* subject = X509_get_subject_name(cert);
  int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return names;
  ASN1_STRING* cn = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  unsigned char* utf8 = nullptr;
  int length = ASN1_STRING_to_UTF8(&utf8, cn);
  if (length > 0) names.emplace_back(reinterpret_cast<char*>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  return names;
}

Result<CertificateInfo> installCertificate(SSL_CTX* ctx, const config::Certificate& pair) {
  for (const std::string* file : {&pair.cert, &pair.key}) {
    if (std::string why = unreadable(*file); !why.empty()) {
      return makeError("cannot read '" + *file + "': " + why);
    }
  }
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(ctx, pair.cert.c_str()) != 1) {
    return makeError("certificate '" + pair.cert +
                     "' is not a usable PEM certificate chain: " + opensslReason());
  }
  SSL_CTX_set_default_passwd_cb(ctx, &noPassphrase);
  if (SSL_CTX_use_PrivateKey_file(ctx, pair.key.c_str(), SSL_FILETYPE_PEM) != 1) {
    // OpenSSL compares the key with the installed certificate while loading it.
    const bool mismatch = ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH;
    const std::string reason = opensslReason();
    if (mismatch) {
      return makeError("key '" + pair.key + "' does not match certificate '" + pair.cert + "'");
    }
    return makeError("key '" + pair.key + "' is not a usable PEM private key: " + reason);
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return makeError("key '" + pair.key + "' does not match certificate '" + pair.cert +
                     "': " + opensslReason());
  }
  X509* leaf = SSL_CTX_get0_certificate(ctx);
  CertificateInfo info;
  info.certFile = pair.cert;
  info.keyFile = pair.key;
  info.names = certificateNames(leaf);
  info.notAfter = expiryOf(leaf);
  return info;
}

}  // namespace consentry::proxy::tls
