// Fuzz target: the platform certificate list (CertificateDownloader::ParseCertificates) and the
// AES-256-GCM wrapper under it (DecryptAes256Gcm / EncryptAes256Gcm).
//
// Each input is tried four ways:
//  A. as a /certificates body, decrypted with the APIv3 key of tests/vectors (a mutated
//     ciphertext almost never passes the GCM tag, so A mostly covers the JSON handling);
//  B. as a /certificates body in which every encrypt_certificate that carries a "plaintext"
//     string (a fuzz-only field) gets that text encrypted into "ciphertext" with the item's
//     own nonce and associated_data: so mutated certificate text reaches the PEM/X.509 parsing
//     and the time fields behind the tag;
//  C. split at its first two '\n' into nonce, associated_data and base64 ciphertext for
//     DecryptAes256Gcm, with the APIv3 key and with the nonce as a key;
//  D. whole, as plaintext: Encrypt then Decrypt must give it back, and a changed ciphertext
//     must never decrypt to anything else.
//
// Promises checked: an accepted list is non-empty and every key has a serial, a key, an
// expiry and the PEM it was decrypted to; error messages never contain the APIv3 key.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "wechatpay/certificate_decryptor.h"
#include "wechatpay/certificate_downloader.h"

namespace {

using namespace customsd;
using customsd::fuzz::AsText;
using customsd::fuzz::ReadVector;

const std::string& ApiV3Key() {
  static const std::string* key = new std::string(ReadVector("apiv3.key"));
  return *key;
}

// Set per input: an input that holds the key itself may well see it echoed (as a serial_no).
bool g_input_has_key = false;

void CheckNoKey(const Status& s) {
  if (g_input_has_key) return;
  FUZZ_REQUIRE(s.message().find(ApiV3Key()) == std::string::npos,
               "an error message contains the APIv3 key");
}

StatusOr<std::vector<PlatformKeyInfo>> Parse(std::string_view body) {
  auto r = CertificateDownloader::ParseCertificates(body, ApiV3Key());
  if (!r.ok()) {
    CheckNoKey(r.status());
    return r;
  }
  FUZZ_REQUIRE(!r->empty(), "an accepted certificate list is empty");
  for (const PlatformKeyInfo& k : *r) {
    FUZZ_REQUIRE(!k.serial.empty(), "an accepted certificate without serial_no");
    FUZZ_REQUIRE(k.key != nullptr, "an accepted certificate without a key");
    FUZZ_REQUIRE(k.expire_at.has_value(), "an accepted certificate without expire_time");
    FUZZ_REQUIRE(!k.certificate_pem.empty(), "an accepted certificate without its PEM");
  }
  return r;
}

// B: "plaintext" fields encrypted in place; returns the body and the plaintexts by item.
void ParseWithPlaintexts(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return;
  auto data = j.find("data");
  if (data == j.end() || !data->is_array()) return;
  std::vector<std::optional<std::string>> plaintexts;
  for (auto& item : *data) {
    plaintexts.emplace_back();
    if (!item.is_object()) continue;
    auto enc = item.find("encrypt_certificate");
    if (enc == item.end() || !enc->is_object()) continue;
    auto plain = enc->find("plaintext");
    if (plain == enc->end() || !plain->is_string()) continue;
    auto str = [&](const char* key) {
      auto it = enc->find(key);
      return it != enc->end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    auto ciphertext = EncryptAes256Gcm(ApiV3Key(), str("nonce"), str("associated_data"),
                                       plain->get<std::string>());
    if (!ciphertext.ok()) {
      CheckNoKey(ciphertext.status());
      continue;
    }
    plaintexts.back() = plain->get<std::string>();
    (*enc)["ciphertext"] = *ciphertext;
  }
  const std::string body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  auto parsed = Parse(body);
  if (!parsed.ok()) return;
  // Items are taken in order, all or nothing: item i is the i-th key.
  FUZZ_REQUIRE(parsed->size() == plaintexts.size(), "certificates: keys and items differ in number");
  for (size_t i = 0; i < plaintexts.size(); ++i) {
    if (plaintexts[i]) {
      FUZZ_REQUIRE((*parsed)[i].certificate_pem == *plaintexts[i],
                   "certificates: the kept PEM is not what was encrypted");
    }
  }
}

// C: nonce '\n' associated_data '\n' ciphertext.
void DecryptParts(std::string_view text) {
  const size_t a = text.find('\n');
  if (a == std::string_view::npos) return;
  const size_t b = text.find('\n', a + 1);
  if (b == std::string_view::npos) return;
  const std::string_view nonce = text.substr(0, a);
  const std::string_view aad = text.substr(a + 1, b - a - 1);
  const std::string_view ciphertext = text.substr(b + 1);
  auto with_key = DecryptAes256Gcm(ApiV3Key(), nonce, aad, ciphertext);
  if (!with_key.ok()) CheckNoKey(with_key.status());
  // Any key length, including 32 bytes of the input's own choosing.
  (void)DecryptAes256Gcm(nonce, aad.empty() ? nonce : aad, aad, ciphertext);
}

// D: round trip and tampering.
void RoundTrip(std::string_view plaintext) {
  constexpr std::string_view kNonce = "Ao9gpxCJrlVh";
  constexpr std::string_view kAad = "certificate";
  auto sealed = EncryptAes256Gcm(ApiV3Key(), kNonce, kAad, plaintext);
  FUZZ_REQUIRE(sealed.ok(), "EncryptAes256Gcm failed on a valid key and nonce");
  auto opened = DecryptAes256Gcm(ApiV3Key(), kNonce, kAad, *sealed);
  FUZZ_REQUIRE(opened.ok() && *opened == plaintext, "Decrypt(Encrypt(x)) is not x");
  // Change one base64 character (chosen by the input) to another base64 character.
  std::string tampered = *sealed;
  const size_t at = plaintext.empty() ? 0 : static_cast<unsigned char>(plaintext[0]) % tampered.size();
  if (tampered[at] != '=') {
    tampered[at] = tampered[at] == 'A' ? 'B' : 'A';
    auto forged = DecryptAes256Gcm(ApiV3Key(), kNonce, kAad, tampered);
    // The only change that may still open is one in the unused low bits of the last base64
    // character, which decodes to the same bytes.
    FUZZ_REQUIRE(!forged.ok() || *forged == plaintext,
                 "a changed ciphertext decrypted to other plaintext");
  }
  auto other_aad = DecryptAes256Gcm(ApiV3Key(), kNonce, "certificatf", *sealed);
  FUZZ_REQUIRE(!other_aad.ok(), "a ciphertext opened with other associated data");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text = AsText(data, size);
  g_input_has_key = text.find(ApiV3Key()) != std::string_view::npos;
  (void)Parse(text);
  ParseWithPlaintexts(text);
  DecryptParts(text);
  RoundTrip(text);
  return 0;
}
