#pragma once
// Everything TLS for one listener under one config snapshot: one SSL_CTX per configured
// certificate (the first is the default and the one connections start with), SNI switching to the
// certificate whose names match, ALPN, and stateless session tickets from keys shared by all
// workers. Built on the main thread at start and on every reload (certificate files are re-read
// each time), then read-only: workers only call accept().

#include <openssl/ssl.h>

#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "config/config.h"
#include "proxy/client_stream.h"
#include "proxy/tls/certificate_file.h"
#include "proxy/tls/host_names.h"
#include "proxy/tls/ticket_keys.h"

namespace consentry::proxy::tls {

struct SslCtxDeleter {
  void operator()(SSL_CTX* ctx) const { SSL_CTX_free(ctx); }
};
using SslCtxPtr = std::unique_ptr<SSL_CTX, SslCtxDeleter>;

class TlsListener {
 public:
  // `name` is the listener's address (log and metric label); `offerH2` puts "h2" before
  // "http/1.1" in ALPN. Fails with a message naming the file when a pair cannot be used.
  static Result<std::shared_ptr<const TlsListener>> create(std::string name,
                                                           const config::TlsConfig& config,
                                                           bool offerH2,
                                                           std::shared_ptr<TicketKeys> keys);
  struct Private {};  // construction goes through create()
  TlsListener(Private, std::string name, bool offerH2, std::shared_ptr<TicketKeys> keys);
  TlsListener(const TlsListener&) = delete;
  TlsListener& operator=(const TlsListener&) = delete;

  // A server-side SSL on `fd` (not owned), ready for SSL_do_handshake; null when OpenSSL fails.
  SslPtr accept(int fd) const;
  const std::string& name() const { return name_; }
  const std::vector<CertificateInfo>& certificates() const { return certificates_; }
  // The certificate SNI would pick for `host` (0, the default, when no name matches).
  size_t certificateFor(std::string_view host) const;

 private:
  Result<SslCtxPtr> makeContext(const config::TlsConfig& config) const;

  static int onServerName(SSL* ssl, int* alert, void* arg);
  static int onAlpn(SSL* ssl, const unsigned char** out, unsigned char* outLength,
                    const unsigned char* in, unsigned int inLength, void* arg);
  static int onTicketKey(SSL* ssl, unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
                         EVP_MAC_CTX* mac, int encrypt);

  std::string name_;
  bool offerH2_;
  std::shared_ptr<TicketKeys> keys_;
  std::vector<SslCtxPtr> contexts_;  // parallel to certificates_
  std::vector<CertificateInfo> certificates_;
  HostNameIndex names_;
};

}  // namespace consentry::proxy::tls
