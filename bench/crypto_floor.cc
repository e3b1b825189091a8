// crypto_floor: the CPU time OpenSSL alone needs for the signatures and verifications of N
// WeChat Pay APIv3 calls, the "crypto floor" the benchmark compares customsd's CPU time with.
//
// Each call costs customsd one SHA256withRSA signature with the merchant private key (the
// Authorization header) and one verification with the platform certificate's public key (the
// Wechatpay-Signature of the answer). This program does exactly that N times, on one thread,
// with the same keys and the same OpenSSL calls as wechatpay/signer.cc (a fresh EVP_MD_CTX and
// EVP_DigestSignInit / EVP_DigestVerifyInit per operation, PKCS#1 v1.5), on messages shaped
// and sized like the real ones, and reports the process CPU time of each loop.
//
//   crypto_floor --key merchant_key.pem --cert platform_cert.pem --platform-key platform_key.pem
//                --n 30000
//
// --platform-key is only used to make valid signatures to verify (outside the timed loops).
// Prints one JSON object: {"n":..,"sign_cpu_s":..,"verify_cpu_s":..,"cpu_s":..,
// "us_per_call":..}. Exit 0, or 1 with a message on stderr.
//
// Build: g++ -O2 -std=c++20 bench/crypto_floor.cc -lcrypto -o crypto_floor
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "crypto_floor: %s\n", message.c_str());
  ERR_print_errors_fp(stderr);
  std::exit(1);
}

EVP_PKEY* ReadPrivateKey(const char* path) {
  FILE* f = std::fopen(path, "r");
  if (f == nullptr) Die(std::string("cannot open ") + path);
  EVP_PKEY* key = PEM_read_PrivateKey(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (key == nullptr) Die(std::string("not a PEM private key: ") + path);
  return key;
}

EVP_PKEY* ReadCertificateKey(const char* path) {
  FILE* f = std::fopen(path, "r");
  if (f == nullptr) Die(std::string("cannot open ") + path);
  X509* cert = PEM_read_X509(f, nullptr, nullptr, nullptr);
  std::fclose(f);
  if (cert == nullptr) Die(std::string("not a PEM certificate: ") + path);
  EVP_PKEY* key = X509_get_pubkey(cert);
  X509_free(cert);
  if (key == nullptr) Die(std::string("no public key in ") + path);
  return key;
}

// One signature the way wechatpay/signer.cc makes it.
std::string Sign(EVP_PKEY* key, const std::string& message) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t len = 0;
  if (ctx == nullptr || EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1) {
    Die("sign failed");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    Die("sign failed");
  }
  EVP_MD_CTX_free(ctx);
  sig.resize(len);
  return sig;
}

// One verification the way wechatpay/signer.cc does it.
bool Verify(EVP_PKEY* key, const std::string& message, const std::string& sig) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      ctx != nullptr && EVP_DigestVerifyInit(ctx, nullptr, EVP_sha256(), nullptr, key) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

// A request message as customsd signs it (method, path, timestamp, nonce, body), about the size
// of a declare; the body varies so nothing can be cached.
std::string RequestMessage(long i) {
  std::string body = R"({"appid":"wxd678efh567hg6787","mchid":"1230000109","out_trade_no":"B)" +
                     std::to_string(i) +
                     R"(","transaction_id":"4200000000000000000000000001","customs":"SHANGHAI_ZS",)"
                     R"("merchant_customs_no":"3120960ZK1"})";
  return "POST\n/v3/global/customs/orders\n1732170000\nAbCdEfGhIjKlMnOpQrStUvWxYz012345\n" + body +
         "\n";
}

// A response message as customsd verifies it (timestamp, nonce, body), about the size of a
// query answer.
std::string ResponseMessage(long i) {
  std::string body =
      R"({"mchid":"1230000109","appid":"wxd678efh567hg6787","out_trade_no":"B)" +
      std::to_string(i) +
      R"(","transaction_id":"4200000000000000000000000001","customs":"SHANGHAI_ZS",)"
      R"("state":"SUCCESS","sub_order_id":"","modify_time":"2024-11-21T12:00:00+08:00",)"
      R"("explanation":"","verify_department":"UNIONPAY","verify_department_trade_id":"2024"})";
  return "1732170000\nAbCdEfGhIjKlMnOpQrStUvWxYz012345\n" + body + "\n";
}

}  // namespace

int main(int argc, char** argv) {
  const char* key_path = nullptr;
  const char* cert_path = nullptr;
  const char* platform_key_path = nullptr;
  long n = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--key") == 0) {
      key_path = argv[i + 1];
    } else if (std::strcmp(argv[i], "--cert") == 0) {
      cert_path = argv[i + 1];
    } else if (std::strcmp(argv[i], "--platform-key") == 0) {
      platform_key_path = argv[i + 1];
    } else if (std::strcmp(argv[i], "--n") == 0) {
      n = std::strtol(argv[i + 1], nullptr, 10);
    } else {
      Die(std::string("unknown argument ") + argv[i]);
    }
  }
  if (key_path == nullptr || cert_path == nullptr || platform_key_path == nullptr || n <= 0) {
    Die("usage: crypto_floor --key PEM --cert PEM --platform-key PEM --n N");
  }
  EVP_PKEY* merchant_key = ReadPrivateKey(key_path);
  EVP_PKEY* platform_public = ReadCertificateKey(cert_path);
  EVP_PKEY* platform_private = ReadPrivateKey(platform_key_path);

  // Responses to verify, signed by the platform key beforehand (not timed). 64 distinct ones
  // are reused round-robin: verification cost does not depend on which one it is.
  constexpr long kDistinct = 64;
  std::vector<std::string> responses, signatures;
  for (long i = 0; i < kDistinct; ++i) {
    responses.push_back(ResponseMessage(i));
    signatures.push_back(Sign(platform_private, responses.back()));
  }
  std::vector<std::string> requests;
  requests.reserve(static_cast<size_t>(n));
  for (long i = 0; i < n; ++i) requests.push_back(RequestMessage(i));

  // Warm-up (first-use algorithm fetches, page faults), not timed.
  for (long i = 0; i < 16; ++i) {
    Sign(merchant_key, requests[static_cast<size_t>(i % n)]);
    Verify(platform_public, responses[i % kDistinct], signatures[i % kDistinct]);
  }

  size_t sink = 0;
  const double t0 = CpuSeconds();
  for (long i = 0; i < n; ++i) sink += Sign(merchant_key, requests[static_cast<size_t>(i)]).size();
  const double t1 = CpuSeconds();
  long verified = 0;
  for (long i = 0; i < n; ++i) {
    verified +=
        Verify(platform_public, responses[i % kDistinct], signatures[i % kDistinct]) ? 1 : 0;
  }
  const double t2 = CpuSeconds();
  if (verified != n || sink == 0) Die("a verification failed");

  const double sign = t1 - t0, verify = t2 - t1;
  std::printf(
      "{\"n\":%ld,\"sign_cpu_s\":%.4f,\"verify_cpu_s\":%.4f,\"cpu_s\":%.4f,\"us_per_call\":%.1f}\n",
      n, sign, verify, sign + verify, (sign + verify) / static_cast<double>(n) * 1e6);
  EVP_PKEY_free(merchant_key);
  EVP_PKEY_free(platform_public);
  EVP_PKEY_free(platform_private);
  return 0;
}
