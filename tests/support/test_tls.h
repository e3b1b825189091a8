// Throw-away TLS material for tests that talk HTTPS over loopback: a test CA, a server
// certificate it signed, and a second, unrelated CA (to prove an unknown issuer is refused).
// Made with the OpenSSL 3 API at run time, so no key or certificate is checked in and nothing
// expires in the repository.
#pragma once

#include <string>

namespace customsd::testing {

// Paths of PEM files written by WriteTestTls.
struct TestTls {
  std::string ca_cert;        // the CA that signed server_cert (RSA 2048, CA:TRUE)
  std::string other_ca_cert;  // an unrelated CA: a client trusting only it must refuse the server
  std::string server_cert;    // leaf certificate for the host, signed by ca_cert
  std::string server_key;     // its private key (PKCS#8, unencrypted)
};

// Writes ca.pem, other_ca.pem, server.pem and server_key.pem into `dir` (which must exist).
// The server certificate names `host` as DNS subjectAltName; for "localhost" it also carries
// IP:127.0.0.1. Pass another host (e.g. "other.example") for a certificate that does not match
// the loopback URLs a test uses. All calls in one process share the same two CAs (made on the
// first call), so such a certificate is still signed by the trusted ca_cert. Valid from one
// hour ago for one day. Thread-safe. Throws std::runtime_error on failure (test support only).
TestTls WriteTestTls(const std::string& dir, const std::string& host = "localhost");

}  // namespace customsd::testing
