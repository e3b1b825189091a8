#include "tests/support/test_tls.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace customsd::testing {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Cert = std::unique_ptr<X509, X509Free>;

void Check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("test TLS: ") + what + " failed");
}

Pkey NewRsaKey() {
  Pkey key(EVP_RSA_gen(2048));
  Check(key != nullptr, "RSA key generation");
  return key;
}

// Adds one extension given in openssl.cnf syntax; `issuer` is the signing certificate (the
// certificate itself when self-signed), needed for authorityKeyIdentifier.
void AddExt(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  Check(ext != nullptr, value);
  const int added = X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
  Check(added == 1, "X509_add_ext");
}

// A certificate for `key` with the given common name, validity and a random serial, not yet
// signed and without extensions.
Cert NewCert(EVP_PKEY* key, const std::string& common_name) {
  Cert cert(X509_new());
  Check(cert != nullptr, "X509_new");
  Check(X509_set_version(cert.get(), X509_VERSION_3) == 1, "X509_set_version");
  unsigned char serial[16];
  Check(RAND_bytes(serial, sizeof serial) == 1, "RAND_bytes");
  serial[0] &= 0x7f;  // positive
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  Check(bn != nullptr && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get())) != nullptr,
        "serial");
  BN_free(bn);
  // Back-dated an hour so a clock a little behind does not make it "not yet valid".
  Check(X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) != nullptr, "notBefore");
  Check(X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600) != nullptr, "notAfter");
  X509_NAME* name = X509_get_subject_name(cert.get());
  Check(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("customsd tests"), -1, -1,
                                   0) == 1,
        "subject O");
  Check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                   -1, 0) == 1,
        "subject CN");
  Check(X509_set_pubkey(cert.get(), key) == 1, "X509_set_pubkey");
  return cert;
}

Cert NewCa(EVP_PKEY* key, const std::string& common_name) {
  Cert cert = NewCert(key, common_name);
  Check(X509_set_issuer_name(cert.get(), X509_get_subject_name(cert.get())) == 1, "issuer");
  AddExt(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE");
  AddExt(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExt(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  AddExt(cert.get(), cert.get(), NID_authority_key_identifier, "keyid:always");
  Check(X509_sign(cert.get(), key, EVP_sha256()) > 0, "CA signature");
  return cert;
}

void WritePem(const std::string& path, X509* cert, EVP_PKEY* key) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_file(path.c_str(), "w"));
  Check(bio != nullptr, "open PEM file");
  if (cert != nullptr) Check(PEM_write_bio_X509(bio.get(), cert) == 1, "write certificate");
  if (key != nullptr) {
    Check(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
          "write key");
  }
}

// The two CAs, made once per process: key generation is the slow part, and one CA for every
// call lets a certificate for another host be signed by the same trusted CA.
struct Authorities {
  Pkey ca_key = NewRsaKey();
  Cert ca = NewCa(ca_key.get(), "customsd test CA");
  Pkey other_key = NewRsaKey();
  Cert other_ca = NewCa(other_key.get(), "customsd unrelated test CA");
};

}  // namespace

TestTls WriteTestTls(const std::string& dir, const std::string& host) {
  static const Authorities* const authorities = new Authorities;  // never freed: test process
  X509* ca = authorities->ca.get();
  EVP_PKEY* ca_key = authorities->ca_key.get();

  Pkey server_key = NewRsaKey();
  Cert server = NewCert(server_key.get(), host);
  Check(X509_set_issuer_name(server.get(), X509_get_subject_name(ca)) == 1, "issuer");
  AddExt(server.get(), ca, NID_basic_constraints, "critical,CA:FALSE");
  AddExt(server.get(), ca, NID_key_usage, "critical,digitalSignature,keyEncipherment");
  AddExt(server.get(), ca, NID_ext_key_usage, "serverAuth");
  AddExt(server.get(), ca, NID_subject_key_identifier, "hash");
  AddExt(server.get(), ca, NID_authority_key_identifier, "keyid:always");
  // The IP entry only for localhost: a certificate for another host must not match any
  // loopback URL, or the host-mismatch test would pass by accident.
  const std::string san = "DNS:" + host + (host == "localhost" ? ",IP:127.0.0.1" : "");
  AddExt(server.get(), ca, NID_subject_alt_name, san.c_str());
  Check(X509_sign(server.get(), ca_key, EVP_sha256()) > 0, "server signature");

  TestTls tls{dir + "/ca.pem", dir + "/other_ca.pem", dir + "/server.pem", dir + "/server_key.pem"};
  WritePem(tls.ca_cert, ca, nullptr);
  WritePem(tls.other_ca_cert, authorities->other_ca.get(), nullptr);
  WritePem(tls.server_cert, server.get(), nullptr);
  WritePem(tls.server_key, nullptr, server_key.get());
  return tls;
}

}  // namespace customsd::testing
