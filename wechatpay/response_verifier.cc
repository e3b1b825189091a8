#include "wechatpay/response_verifier.h"

#include <charconv>

#include "wechatpay/signer.h"

namespace customsd {
namespace {

constexpr std::string_view kSignTestPrefix = "WECHATPAY/SIGNTEST/";

// Unix seconds as digits only: from_chars alone would also take a sign.
bool ParseSeconds(std::string_view text, int64_t* out) {
  // 18 digits cannot overflow int64_t, nor can the skew arithmetic below.
  if (text.empty() || text.size() > 18) return false;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

ResponseSignature SignatureOf(const HttpResponse& response) {
  ResponseSignature sig;
  sig.timestamp = response.Header("Wechatpay-Timestamp").value_or("");
  sig.nonce = response.Header("Wechatpay-Nonce").value_or("");
  sig.signature = response.Header("Wechatpay-Signature").value_or("");
  sig.serial = response.Header("Wechatpay-Serial").value_or("");
  return sig;
}

std::string_view ToString(VerifyVerdict v) {
  switch (v) {
    case VerifyVerdict::kOk:
      return "ok";
    case VerifyVerdict::kMissingHeader:
      return "missing Wechatpay-* signature header";
    case VerifyVerdict::kBadTimestamp:
      return "malformed Wechatpay-Timestamp";
    case VerifyVerdict::kClockSkew:
      return "Wechatpay-Timestamp too far from local time";
    case VerifyVerdict::kSignTestProbe:
      return "signature test probe (WECHATPAY/SIGNTEST/)";
    case VerifyVerdict::kUnknownSerial:
      return "unknown platform certificate serial";
    case VerifyVerdict::kBadSignature:
      return "bad response signature";
  }
  return "unknown verdict";
}

std::string BuildResponseMessage(std::string_view timestamp, std::string_view nonce,
                                 std::string_view body) {
  std::string m;
  m.reserve(timestamp.size() + nonce.size() + body.size() + 3);
  m.append(timestamp).append("\n").append(nonce).append("\n").append(body).append("\n");
  return m;
}

VerifyVerdict VerifyResponse(const ResponseSignature& sig, std::string_view body,
                             int64_t now_unix_seconds, const PlatformKeyLookup& lookup) {
  if (sig.timestamp.empty() || sig.nonce.empty() || sig.signature.empty() || sig.serial.empty()) {
    return VerifyVerdict::kMissingHeader;
  }
  int64_t timestamp = 0;
  if (!ParseSeconds(sig.timestamp, &timestamp)) return VerifyVerdict::kBadTimestamp;
  const int64_t skew = timestamp - now_unix_seconds;
  if (skew >= kMaxResponseSkewSeconds || skew <= -kMaxResponseSkewSeconds) {
    return VerifyVerdict::kClockSkew;
  }
  // Checked before the key lookup so a probe never triggers a certificate refresh.
  if (std::string_view(sig.signature).starts_with(kSignTestPrefix)) {
    return VerifyVerdict::kSignTestProbe;
  }
  SharedPkey key = lookup ? lookup(sig.serial) : nullptr;
  if (!key) return VerifyVerdict::kUnknownSerial;
  return VerifySha256WithRsa(key.get(), BuildResponseMessage(sig.timestamp, sig.nonce, body),
                             sig.signature)
             ? VerifyVerdict::kOk
             : VerifyVerdict::kBadSignature;
}

}  // namespace customsd
