#pragma once
// Loading one configured {cert, key} pair into an SSL_CTX and reading what the proxy needs from
// the certificate: the names SNI matches against and the expiry. Errors name the file and say what
// is wrong with it (unreadable, not PEM, key not matching the certificate).

#include <openssl/ssl.h>

#include <ctime>
#include <string>
#include <vector>

#include "base/result.h"
#include "config/config.h"

namespace consentry::proxy::tls {

struct CertificateInfo {
  std::string certFile;
  std::string keyFile;
  std::vector<std::string> names;  // SAN DNS names, or the CN when there are none
  std::time_t notAfter = 0;
  // The name used in logs and metric labels: the first name, else the file.
  const std::string& label() const { return names.empty() ? certFile : names.front(); }
};

// Installs the PEM chain and key of `pair` in `ctx` and checks that they belong together.
Result<CertificateInfo> installCertificate(SSL_CTX* ctx, const config::Certificate& pair);

// SAN DNS names of `cert`, or its subject CN when it has no SAN DNS name.
std::vector<std::string> certificateNames(X509* cert);

}  // namespace consentry::proxy::tls
