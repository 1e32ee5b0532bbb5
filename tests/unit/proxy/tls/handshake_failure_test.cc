#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>

#include <gtest/gtest.h>

#include "proxy/tls/handshake.h"

namespace consentry::proxy::tls {
namespace {

unsigned long sslReason(int reason) {
  return ERR_PACK(ERR_LIB_SSL, 0, reason);
}

TEST(HandshakeFailureReason, NamesTheUsualCauses) {
  EXPECT_EQ(TlsHandshake::failureReason(SSL_ERROR_SSL, sslReason(SSL_R_HTTP_REQUEST), 0),
            "http_request");
  EXPECT_EQ(TlsHandshake::failureReason(SSL_ERROR_SSL, sslReason(SSL_R_UNSUPPORTED_PROTOCOL), 0),
            "version");
  EXPECT_EQ(TlsHandshake::failureReason(SSL_ERROR_SSL, sslReason(SSL_R_NO_SHARED_CIPHER), 0),
            "no_shared_cipher");
  EXPECT_EQ(TlsHandshake::failureReason(SSL_ERROR_SSL, sslReason(SSL_R_TLSV1_ALERT_UNKNOWN_CA), 0),
            "peer_alert");
  EXPECT_EQ(TlsHandshake::failureReason(SSL_ERROR_SSL, sslReason(SSL_R_BAD_PACKET_LENGTH), 0),
            "protocol");
  EXPECT_EQ(TlsHandshake::failureReason(SSL_ERROR_SYSCALL, 0, ECONNRESET), "reset");
  EXPECT_EQ(TlsHandshake::failureReason(SSL_ERROR_SYSCALL, 0, 0), "eof");
  EXPECT_EQ(TlsHandshake::failureReason(SSL_ERROR_ZERO_RETURN, 0, 0), "eof");
}

}  // namespace
}  // namespace consentry::proxy::tls
