#pragma once
// TLS client settings for one API server: trusted CAs (given PEM or the system store), an
// optional client certificate, peer verification. Per-connection parts (hostname or IP check,
// SNI) are applied by configure_tls_peer when a connection is made.

#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "common/result.h"
#include "kube/client_config.h"

namespace castellan::kube {

// Refuses unparsable PEM with a message naming which part (CA, client certificate, key).
Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const ClientConfig& config);

// Sets SNI (for DNS names only, as RFC 6066 says) and the name or IP address the certificate
// must match.
Status configure_tls_peer(SSL* ssl, const std::string& server_name, bool verify_peer);

// Why the last handshake on `ssl` failed verification, or "" when it did not.
std::string tls_verify_error(SSL* ssl);

}  // namespace castellan::kube
