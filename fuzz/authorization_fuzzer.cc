// Fuzz target: the Authorization header as the fake WeChat Pay reads it: ParseAuthorization
// (wechatpay/signer.h) and the mock's own entry point, RequestAuthenticator::Check
// (tests/mock/mock_auth.h).
//
// Input: the header value, then optionally '\n' "METHOD TARGET", then '\n' and the request
// body. Without the second line the request is POST /v3/global/customs/orders. The mock knows
// the merchant certificate of tests/vectors (serial 34758796476BCD5BD4801FB1BA640E12CF7BA8AA),
// once bound to mchid 1230000109 and once for any mchid, and its clock stands at 1700000037,
// so the request_signing vectors (signed at 1700000000..1700000074) verify.
//
// Promises checked: a parsed header has five non-empty items without '"', and the same items,
// written back with BuildAuthorization, parse to the same values; parse errors are safe one-line
// text; Check fails only with 401 SIGN_ERROR, and succeeds only for a header whose serial is
// the merchant's, whose timestamp is within the skew and whose signature verifies (checked
// again here with OpenSSL through VerifySha256WithRsa) -- returning the header's mchid.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "fuzz/fuzz_support.h"
#include "tests/mock/mock_auth.h"
#include "wechatpay/signer.h"

namespace {

using namespace customsd;
using customsd::fuzz::AsText;
using customsd::fuzz::IsSafeMessageText;
using customsd::fuzz::ReadVector;

constexpr char kMerchantSerial[] = "34758796476BCD5BD4801FB1BA640E12CF7BA8AA";
constexpr char kMchid[] = "1230000109";
constexpr int64_t kNow = 1700000037;
constexpr std::chrono::seconds kSkew{300};

struct Mock {
  Mock() {
    const std::string cert = ReadVector("merchant_cert.pem");
    auto bound = mock::RequestAuthenticator::Create({mock::MerchantCert{cert, kMchid}});
    auto any = mock::RequestAuthenticator::Create({mock::MerchantCert{cert, ""}});
    auto info = mock::ReadCertificate(cert);
    FUZZ_REQUIRE(bound.ok() && any.ok() && info.ok(), "the merchant test certificate does not load");
    FUZZ_REQUIRE(info->serial == kMerchantSerial, "the merchant test certificate changed");
    for_mchid = std::make_unique<mock::RequestAuthenticator>(std::move(bound).value());
    for_anyone = std::make_unique<mock::RequestAuthenticator>(std::move(any).value());
    public_key = info->public_key;
  }
  std::unique_ptr<mock::RequestAuthenticator> for_mchid, for_anyone;
  SharedPkey public_key;
};

bool AllDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

void CheckParse(std::string_view header) {
  StatusOr<ParsedAuthorization> p = ParseAuthorization(header);
  if (!p.ok()) {
    FUZZ_REQUIRE(IsSafeMessageText(p.status().message()), "a parse error is not safe text");
    return;
  }
  for (const std::string* item : {&p->mchid, &p->serial_no, &p->timestamp, &p->nonce_str,
                                  &p->signature}) {
    FUZZ_REQUIRE(!item->empty(), "a parsed item is empty");
    FUZZ_REQUIRE(item->find('"') == std::string::npos, "a parsed item holds a quote");
    FUZZ_REQUIRE(header.find(*item) != std::string_view::npos, "a parsed item is not in the header");
  }
  if (AllDigits(p->timestamp) && p->timestamp.size() <= 18 &&
      (p->timestamp == "0" || p->timestamp[0] != '0')) {
    const std::string again = BuildAuthorization(p->mchid, p->serial_no, std::stoll(p->timestamp),
                                                 p->nonce_str, p->signature);
    StatusOr<ParsedAuthorization> q = ParseAuthorization(again);
    FUZZ_REQUIRE(q.ok(), "a header written back from parsed items does not parse");
    FUZZ_REQUIRE(q->mchid == p->mchid && q->serial_no == p->serial_no &&
                     q->timestamp == p->timestamp && q->nonce_str == p->nonce_str &&
                     q->signature == p->signature,
                 "a header written back from parsed items parses differently");
  }
}

void CheckAuthenticate(const Mock& m, std::string_view method, std::string_view target,
                       std::string_view body, const std::string& header) {
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(kNow));
  for (const auto* auth : {m.for_mchid.get(), m.for_anyone.get()}) {
    auto missing = auth->Check(method, target, body, nullptr, now, kSkew);
    FUZZ_REQUIRE(!missing.ok() && missing.error().http_status == 401,
                 "a request without Authorization was let in");

    auto r = auth->Check(method, target, body, &header, now, kSkew);
    if (!r.ok()) {
      FUZZ_REQUIRE(r.error().http_status == 401 && r.error().code == "SIGN_ERROR",
                   "an Authorization failure is not 401 SIGN_ERROR");
      // The mock answers with this JSON (MockServer::FromError).
      try {
        (void)r.error().ToJson();
      } catch (const nlohmann::json::exception&) {
        FUZZ_REQUIRE(fuzz::KnownFinding("mock-error-not-utf8"),
                     "the mock's 401 answer cannot be written as JSON (nlohmann threw)");
      }
      continue;
    }
    // Let in: everything must really hold.
    StatusOr<ParsedAuthorization> p = ParseAuthorization(header);
    FUZZ_REQUIRE(p.ok(), "Check let in a header ParseAuthorization refuses");
    FUZZ_REQUIRE(*r == p->mchid, "Check returned another mchid than the header's");
    FUZZ_REQUIRE(p->serial_no == kMerchantSerial, "Check let in an unknown serial_no");
    if (auth == m.for_mchid.get()) FUZZ_REQUIRE(p->mchid == kMchid, "Check let in a foreign mchid");
    FUZZ_REQUIRE(AllDigits(p->timestamp) && p->timestamp.size() <= 12, "Check let in a bad timestamp");
    const int64_t ts = std::stoll(p->timestamp);
    FUZZ_REQUIRE(ts >= kNow - kSkew.count() && ts <= kNow + kSkew.count(),
                 "Check let in a timestamp beyond the skew");
    FUZZ_REQUIRE(VerifySha256WithRsa(m.public_key.get(),
                                     BuildRequestMessage(method, target, ts, p->nonce_str, body),
                                     p->signature),
                 "Check let in a signature that does not verify");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Mock* mock = new Mock();
  const std::string_view text = AsText(data, size);

  const size_t header_end = text.find('\n');
  const std::string header(text.substr(0, header_end));
  std::string_view method = "POST", target = "/v3/global/customs/orders", body;
  if (header_end != std::string_view::npos) {
    std::string_view rest = text.substr(header_end + 1);
    const size_t line_end = rest.find('\n');
    const std::string_view request_line = rest.substr(0, line_end);
    body = line_end == std::string_view::npos ? std::string_view() : rest.substr(line_end + 1);
    const size_t space = request_line.find(' ');
    if (space != std::string_view::npos) {
      method = request_line.substr(0, space);
      target = request_line.substr(space + 1);
    }
  }

  CheckParse(header);
  CheckAuthenticate(*mock, method, target, body, header);
  return 0;
}
