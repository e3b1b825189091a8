#include "wechatpay/certificate_downloader.h"

#include <nlohmann/json.hpp>

#include "common/time_format.h"
#include "wechatpay/certificate_decryptor.h"
#include "wechatpay/response_verifier.h"

namespace customsd {
namespace {

std::string Str(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

StatusOr<std::vector<PlatformKeyInfo>> CertificateDownloader::ParseCertificates(
    std::string_view body, std::string_view apiv3_key) {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("data") || !j["data"].is_array()) {
    return Status::InvalidInput("certificates: answer has no data[]");
  }
  std::vector<PlatformKeyInfo> out;
  for (const auto& item : j["data"]) {
    if (!item.is_object() || !item.contains("encrypt_certificate")) {
      return Status::InvalidInput("certificates: an item has no encrypt_certificate");
    }
    const std::string serial = Str(item, "serial_no");
    const auto& enc = item["encrypt_certificate"];
    if (!enc.is_object() || Str(enc, "algorithm") != "AEAD_AES_256_GCM") {
      return Status::InvalidInput("certificates: " + serial + ": unsupported algorithm");
    }
    auto pem = DecryptAes256Gcm(apiv3_key, Str(enc, "nonce"), Str(enc, "associated_data"),
                                Str(enc, "ciphertext"));
    if (!pem.ok()) return Status::InvalidInput("certificates: " + serial + ": " + pem.status().message());
    auto key = ParsePublicKeyPem(*pem, "certificates: " + serial);
    if (!key.ok()) return key.status();
    PlatformKeyInfo info;
    info.serial = serial;
    info.key = Share(std::move(key).value());
    info.effective_at = ParseRfc3339(Str(item, "effective_time"));
    info.expire_at = ParseRfc3339(Str(item, "expire_time"));
    if (serial.empty() || !info.expire_at) {
      return Status::InvalidInput("certificates: an item lacks serial_no or expire_time");
    }
    info.certificate_pem = std::move(pem).value();
    out.push_back(std::move(info));
  }
  if (out.empty()) return Status::InvalidInput("certificates: the list is empty");
  return out;
}

ApiResult<std::vector<PlatformKeyInfo>> CertificateDownloader::Download() {
  const auto started = std::chrono::steady_clock::now();
  ApiResult<std::vector<PlatformKeyInfo>> result = DownloadUnobserved();
  if (ApiObserver* observer = caller_.observer()) {
    observer->OnRequest(caller_.mchid(), "certificates", result.outcome.cls,
                        std::chrono::steady_clock::now() - started);
  }
  return result;
}

ApiResult<std::vector<PlatformKeyInfo>> CertificateDownloader::DownloadUnobserved() {
  TransportResult result = caller_.SendSigned({"GET", "/certificates"});
  if (!result.ok()) return {ApiCaller::FromTransportError(*result.error), std::nullopt};
  const HttpResponse& response = *result.response;
  const std::string request_id = response.Header("Request-ID").value_or("");

  StatusOr<std::vector<PlatformKeyInfo>> parsed =
      response.status == 200 ? ParseCertificates(response.body, apiv3_key_)
                             : StatusOr<std::vector<PlatformKeyInfo>>(Status::NotFound(""));
  auto lookup = [&](std::string_view serial) -> SharedPkey {
    if (parsed.ok()) {
      for (const PlatformKeyInfo& k : *parsed) {
        if (k.serial == serial) return k.key;
      }
    }
    return caller_.keys().Find(serial);
  };
  const int64_t now_s = UnixMillis(caller_.clock().Now()) / 1000;
  const bool verified =
      VerifyResponse(SignatureOf(response), response.body, now_s, lookup) == VerifyVerdict::kOk;
  ApiOutcome outcome =
      ClassifyHttpAnswer(response.status, response.body, request_id, verified, false);
  if (!outcome.ok()) return {outcome, std::nullopt};
  if (!parsed.ok()) {
    outcome.cls = OutcomeClass::kUnknown;
    outcome.message = parsed.status().message();
    return {outcome, std::nullopt};
  }
  return {outcome, std::move(parsed).value()};
}

}  // namespace customsd
