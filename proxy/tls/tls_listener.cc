#include "proxy/tls/tls_listener.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <memory>

namespace consentry::proxy::tls {
namespace {

// TLS 1.2 suites: forward secrecy (ECDHE) and AEAD only. TLS 1.3 keeps OpenSSL's defaults, which
// are all AEAD.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* kGroups = "X25519:P-256:P-384";

constexpr unsigned char kH2[] = {'h', '2'};
constexpr unsigned char kHttp11[] = {'h', 't', 't', 'p', '/', '1', '.', '1'};

// Fetched once: passing the legacy EVP_aes_256_cbc() to EVP_EncryptInit_ex makes OpenSSL 3 look
// the implementation up again on every ticket.
const EVP_CIPHER* ticketCipher() {
  static const std::unique_ptr<EVP_CIPHER, decltype(&EVP_CIPHER_free)> cipher(
      EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr), &EVP_CIPHER_free);
  return cipher.get();
}

std::string lastOpensslError() {
  unsigned long code = ERR_peek_last_error();
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  ERR_clear_error();
  return reason != nullptr ? reason : "unknown error";
}

// Whether the client's ALPN list (length-prefixed protocol names) contains `protocol`.
bool offers(const unsigned char* in, unsigned int length, const unsigned char* protocol,
            size_t protocolLength) {
  for (unsigned int i = 0; i < length;) {
    const unsigned int n = in[i];
    if (i + 1 + n > length) return false;
    if (n == protocolLength && std::memcmp(in + i + 1, protocol, n) == 0) return true;
    i += 1 + n;
  }
  return false;
}

}  // namespace

TlsListener::TlsListener(Private, std::string name, bool offerH2, std::shared_ptr<TicketKeys> keys)
    : name_(std::move(name)), offerH2_(offerH2), keys_(std::move(keys)) {}

Result<std::shared_ptr<const TlsListener>> TlsListener::create(std::string name,
                                                               const config::TlsConfig& config,
                                                               bool offerH2,
                                                               std::shared_ptr<TicketKeys> keys) {
  auto listener =
      std::make_shared<TlsListener>(Private{}, std::move(name), offerH2, std::move(keys));
  for (const auto& pair : config.certificates) {
    auto ctx = listener->makeContext(config);
    if (!ctx) return ctx.error();
    auto info = installCertificate(ctx->get(), pair);
    if (!info) return info.error();
    const int index = static_cast<int>(listener->contexts_.size());
    for (const auto& certName : info->names) listener->names_.add(certName, index);
    listener->contexts_.push_back(std::move(*ctx));
    listener->certificates_.push_back(std::move(*info));
  }
  if (listener->contexts_.empty()) return makeError("tls needs at least one certificate");
  return std::shared_ptr<const TlsListener>(std::move(listener));
}

Result<SslCtxPtr> TlsListener::makeContext(const config::TlsConfig& config) const {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) return makeError("cannot create a TLS context: " + lastOpensslError());
  SSL_CTX* c = ctx.get();
  const int minVersion = config.minVersion == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION;
  if (SSL_CTX_set_min_proto_version(c, minVersion) != 1 ||
      SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(c, kTls12Ciphers) != 1 || SSL_CTX_set1_groups_list(c, kGroups) != 1) {
    return makeError("cannot configure TLS versions/ciphers: " + lastOpensslError());
  }
  SSL_CTX_set_options(
      c, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // Partial writes and a moving buffer match ClientStream's ByteBuffer; releasing buffers keeps an
  // idle keep-alive connection from holding two 16 KiB record buffers.
  // No auto chain: the chain served is exactly the one in the PEM file, never one OpenSSL tries
  // to assemble from a trust store on each handshake.
  SSL_CTX_set_mode(c, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                          SSL_MODE_RELEASE_BUFFERS | SSL_MODE_NO_AUTO_CHAIN);
  // Read-ahead: one read() takes in whatever records arrived, instead of a read for each record's
  // 5-byte header and another for its body (4-5 fewer syscalls per new connection, one fewer per
  // request on a kept-alive one). ClientStream::pending() accounts for records it holds.
  SSL_CTX_set_read_ahead(c, 1);
  // Resumption is stateless (tickets): no server-side cache to share between workers.
  SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_session_id_context(c, reinterpret_cast<const unsigned char*>(name_.data()),
                                 static_cast<unsigned int>(std::min<size_t>(name_.size(), 32)));
  // A ticket lives one rotation period; its key decrypts for up to two, so it always can.
  const auto lifetime = std::chrono::duration_cast<std::chrono::seconds>(config.ticketRotation);
  SSL_CTX_set_timeout(c, std::max<long>(1, static_cast<long>(lifetime.count())));
  SSL_CTX_set_num_tickets(c, 1);
  SSL_CTX_set_tlsext_ticket_key_evp_cb(c, &onTicketKey);
  SSL_CTX_set_tlsext_servername_callback(c, &onServerName);
  SSL_CTX_set_tlsext_servername_arg(c, const_cast<TlsListener*>(this));
  SSL_CTX_set_alpn_select_cb(c, &onAlpn, const_cast<TlsListener*>(this));
  SSL_CTX_set_app_data(c, const_cast<TlsListener*>(this));
  return ctx;
}

SslPtr TlsListener::accept(int fd) const {
  SslPtr ssl(SSL_new(contexts_.front().get()));
  if (!ssl || SSL_set_fd(ssl.get(), fd) != 1) {
    ERR_clear_error();
    return nullptr;
  }
  SSL_set_accept_state(ssl.get());
  return ssl;
}

size_t TlsListener::certificateFor(std::string_view host) const {
  const int index = names_.find(host);
  return index == HostNameIndex::kNone ? 0 : static_cast<size_t>(index);
}

int TlsListener::onServerName(SSL* ssl, int*, void* arg) {
  const auto* self = static_cast<const TlsListener*>(arg);
  const char* host = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  if (host == nullptr) return SSL_TLSEXT_ERR_NOACK;  // no SNI: the default certificate
  const size_t index = self->certificateFor(host);
  if (index != 0) SSL_set_SSL_CTX(ssl, self->contexts_[index].get());
  return SSL_TLSEXT_ERR_OK;
}

int TlsListener::onAlpn(SSL*, const unsigned char** out, unsigned char* outLength,
                        const unsigned char* in, unsigned int inLength, void* arg) {
  const auto* self = static_cast<const TlsListener*>(arg);
  if (self->offerH2_ && offers(in, inLength, kH2, sizeof(kH2))) {
    *out = kH2;
    *outLength = sizeof(kH2);
    return SSL_TLSEXT_ERR_OK;
  }
  if (offers(in, inLength, kHttp11, sizeof(kHttp11))) {
    *out = kHttp11;
    *outLength = sizeof(kHttp11);
    return SSL_TLSEXT_ERR_OK;
  }
  // Nothing we speak: continue without ALPN and serve HTTP/1.1, as for a client without ALPN.
  return SSL_TLSEXT_ERR_NOACK;
}

// RFC 5077 style tickets: AES-256-CBC + HMAC-SHA256 keyed by the listener's rotating keys.
// Returns 1 (use the key), 2 (use it and issue a fresh ticket), 0 (unknown key: full handshake)
// or -1 (error).
int TlsListener::onTicketKey(SSL* ssl, unsigned char* name, unsigned char* iv,
                             EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac, int encrypt) {
  // Every context of a listener points back at it, whichever one SNI switched to.
  const auto* self = static_cast<const TlsListener*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
  if (self == nullptr) return -1;
  const auto now = TicketKeys::Clock::now();
  TicketKeys::Key key;
  int result = 1;
  if (encrypt == 1) {
    key = self->keys_->encryptionKey(now);
    std::memcpy(name, key.name.data(), key.name.size());
    if (RAND_bytes(iv, EVP_CIPHER_get_iv_length(ticketCipher())) != 1) return -1;
  } else {
    auto found = self->keys_->find(name, now);
    if (!found) return 0;
    key = found->key;
    // TLS 1.3 clients use a ticket once (RFC 8446 §C.4): without a fresh one every other
    // connection would be a full handshake. A ticket under the previous key is renewed too.
    result = found->current && SSL_version(ssl) != TLS1_3_VERSION ? 1 : 2;
  }
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key.hmac.data(), key.hmac.size()),
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
      OSSL_PARAM_construct_end()};
  if (EVP_MAC_CTX_set_params(mac, params) != 1) return -1;
  const EVP_CIPHER* aes = ticketCipher();
  if (aes == nullptr) return -1;
  const int ok = encrypt == 1 ? EVP_EncryptInit_ex(cipher, aes, nullptr, key.aes.data(), iv)
                              : EVP_DecryptInit_ex(cipher, aes, nullptr, key.aes.data(), iv);
  return ok == 1 ? result : -1;
}

}  // namespace consentry::proxy::tls
