// Fuzz target: parsing WeChat Pay's answers (wechatpay/api_outcome.h, api_caller.h,
// customs_client.h, certificate_downloader.h).
//
// Each input is one response BODY. It reaches the parsing code two ways:
//  1. ClassifyHttpAnswer(status, body, ...) directly, for a table of statuses, verified or not,
//     query or not;
//  2. the real client stack: a CustomsClient and a CertificateDownloader on an ApiCaller whose
//     HttpTransport (FuzzTransport below) answers every request with the body. The answer is
//     SIGNED, so the signature check passes and the body parsers run: the harness makes its
//     own RSA key at start-up (512 bits: signing once per input stays cheap; no code under test
//     looks at the key size on this path) and trusts it as the only platform key, and the same
//     key signs the requests. Then the same body goes out unsigned and with a signature over
//     other bytes, which must never come out kOk.
//
// Promises checked (besides "no crash, no leak, no UB"):
//  - kOk only for a 2xx that verified; an unverified refusal is never kRefused/kNotFound;
//  - a kOk Declare/Modify/Redeclare has a state, a kOk Query has records, a kOk
//    /certificates has keys; a body that is not a JSON object is never kOk;
//  - Query pages by the answer (a short page is not the end while total_count says more), yet
//    a server that answers the same page whatever offset is asked is asked at most twice: the
//    second answer brings no new record, or its offset does not move (customs_client.h). The
//    transport also stops answering after kMaxRequests per call, so a broken guard shows as
//    that invariant failing, not as a hang.
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "common/clock.h"
#include "fuzz/fuzz_support.h"
#include "wechatpay/api_caller.h"
#include "wechatpay/api_outcome.h"
#include "wechatpay/certificate_downloader.h"
#include "wechatpay/customs_client.h"
#include "wechatpay/response_verifier.h"
#include "wechatpay/signer.h"

namespace {

using namespace customsd;
using customsd::fuzz::AsText;
using customsd::fuzz::ReadVector;

constexpr int64_t kNowMs = 1700000600000;
constexpr char kPlatformSerial[] = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1";
constexpr char kNonce[] = "fuzzNONCE0123456789abcdefghijklm";
constexpr int kMaxRequests = 64;
constexpr int kPageSize = 20;  // QueryParams' default, used below

class FuzzKeys final : public PlatformKeySource {
 public:
  explicit FuzzKeys(SharedPkey key) : key_(std::move(key)) {}
  SharedPkey Find(std::string_view serial) override {
    return serial == kPlatformSerial ? key_ : nullptr;
  }
  void RefreshAfterUnknownSerial(std::string_view) override {}
  std::optional<std::string> TrustedSerial() override { return kPlatformSerial; }

 private:
  SharedPkey key_;
};

class FuzzTransport final : public HttpTransport {
 public:
  TransportResult Send(const HttpRequest&) override {
    if (++sent_ > kMaxRequests) {
      return {std::nullopt, TransportError{TransportErrorKind::kNotSent, "fuzz: enough"}};
    }
    return {answer_, std::nullopt};
  }
  void Answer(HttpResponse r) { answer_ = std::move(r); }
  // Requests sent since the last reset (one client call may send several: Query's pages).
  void ResetCount() { sent_ = 0; }
  int sent() const { return sent_; }

 private:
  HttpResponse answer_;
  int sent_ = 0;
};

SharedPkey NewRsaKey() {
  EVP_PKEY* key = EVP_RSA_gen(512);
  if (key == nullptr) {
    std::fprintf(stderr, "fuzz: cannot make an RSA key\n");
    std::abort();
  }
  return SharedPkey(key, EVP_PKEY_free);
}

struct Harness {
  Harness()
      : key(NewRsaKey()),
        keys(key),
        signer("1230000109", "34758796476BCD5BD4801FB1BA640E12CF7BA8AA", key, clock),
        caller(Endpoint(), transport, signer, keys, clock),
        client(caller),
        downloader(caller, ReadVector("apiv3.key")) {}

  static ApiEndpoint Endpoint() {
    ApiEndpoint e;
    e.base_url = "https://api.fuzz.invalid";
    return e;
  }

  // `body` with the Wechatpay-* headers; `signed_body` is what the signature covers.
  HttpResponse Response(int status, std::string_view body, std::string_view signed_body,
                        bool with_signature) const {
    const std::string ts = std::to_string(kNowMs / 1000);
    HttpResponse r;
    r.status = status;
    r.body = std::string(body);
    r.headers = {{"Request-ID", "fuzz-request"},
                 {"Wechatpay-Timestamp", ts},
                 {"Wechatpay-Nonce", kNonce},
                 {"Wechatpay-Serial", kPlatformSerial}};
    if (with_signature) {
      auto sig = SignSha256WithRsa(key.get(), BuildResponseMessage(ts, kNonce, signed_body));
      FUZZ_REQUIRE(sig.ok(), "the harness cannot sign");
      r.headers.emplace_back("Wechatpay-Signature", *sig);
    }
    return r;
  }

  FakeClock clock{FromUnixMillis(kNowMs)};
  SharedPkey key;
  FuzzKeys keys;
  FuzzTransport transport;
  RequestSigner signer;
  ApiCaller caller;
  CustomsClient client;
  CertificateDownloader downloader;
};

DeclarationFields SampleDeclaration() {
  DeclarationFields d;
  d.appid = "wxd678efh567hg6787";
  d.mchid = "1230000109";
  d.out_trade_no = "20150806125346";
  d.transaction_id = "1000320306201511078440737890";
  d.customs = "SHANGHAI_ZS";
  d.merchant_customs_no = "123456";
  d.duty = 888;
  return d;
}

void CheckOutcome(const ApiOutcome& o, int status, bool verified) {
  FUZZ_REQUIRE(o.http_status == status, "the outcome lost the HTTP status");
  if (o.cls == OutcomeClass::kOk) {
    FUZZ_REQUIRE(verified, "kOk for an answer whose signature did not verify");
    FUZZ_REQUIRE(status >= 200 && status < 300, "kOk for a status that is not 2xx");
  }
  if (!verified) {
    FUZZ_REQUIRE(o.cls != OutcomeClass::kRefused && o.cls != OutcomeClass::kNotFound,
                 "an unverified answer put a declaration to rest (refused / not found)");
  }
  if (o.slow_down) FUZZ_REQUIRE(o.cls == OutcomeClass::kRetry, "slow_down without kRetry");
  if (o.merchant_level) FUZZ_REQUIRE(o.cls == OutcomeClass::kRefused, "merchant_level without kRefused");
  (void)o.ToString();
}

void ClassifyAll(std::string_view body) {
  static constexpr int kStatuses[] = {200, 201, 202, 204, 301, 400, 401, 403,
                                      404, 409, 429, 500, 502, 503, 0,   999};
  for (int status : kStatuses) {
    for (bool verified : {true, false}) {
      for (bool is_query : {true, false}) {
        CheckOutcome(ClassifyHttpAnswer(status, body, "rid", verified, is_query), status,
                     verified);
      }
    }
  }
}

bool IsJsonObject(std::string_view body) {
  return nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false).is_object();
}

// data[] shorter than a page while total_count says there is more: Query must stop there.
template <typename T>
void CheckStatusResult(const ApiResult<T>& r, int status, bool verified, bool body_is_object) {
  CheckOutcome(r.outcome, status, verified);
  FUZZ_REQUIRE(r.value.has_value() == r.outcome.ok(), "a value without kOk, or kOk without one");
  if (r.outcome.ok()) FUZZ_REQUIRE(body_is_object, "kOk for a body that is not a JSON object");
}

// The client calls, as bits: which ones run on a prepared answer.
enum Op : unsigned {
  kDeclare = 1, kModify = 2, kRedeclare = 4, kVerifyCertificate = 8, kQuery = 16, kDownload = 32,
  kAllOps = 63,
};

// The chosen client calls on one prepared answer.
void Call(Harness& h, unsigned ops, int status, bool verified, std::string_view body) {
  const bool object = IsJsonObject(body);

  if (ops & kDeclare) {
    h.transport.ResetCount();
    auto declared = h.client.Declare(SampleDeclaration());
    CheckStatusResult(declared, status, verified, object);
    if (declared.value) FUZZ_REQUIRE(!declared.value->state.empty(), "kOk Declare without a state");
  }

  if (ops & kModify) {
    ModifyRequest m{"wxd678efh567hg6787", "1230000109", "20150806125346",
                    "1000320306201511078440737890", "SHANGHAI_ZS", "123456", "", 100};
    h.transport.ResetCount();
    auto modified = h.client.Modify(m);
    CheckStatusResult(modified, status, verified, object);
    if (modified.value) FUZZ_REQUIRE(!modified.value->state.empty(), "kOk Modify without a state");
  }

  if (ops & kRedeclare) {
    RedeclareRequest rd{"wxd678efh567hg6787", "1230000109", "20150806125346", "SHANGHAI_ZS",
                        "123456", "SUB1"};
    h.transport.ResetCount();
    auto redeclared = h.client.Redeclare(rd);
    CheckStatusResult(redeclared, status, verified, object);
    if (redeclared.value) {
      FUZZ_REQUIRE(!redeclared.value->state.empty(), "kOk Redeclare without a state");
    }
  }

  if (ops & kVerifyCertificate) {
    VerifyCertificateRequest v;
    v.appid = "wxd678efh567hg6787";
    v.mchid = "1230000109";
    v.out_trade_no = "20150806125346";
    v.transaction_id = "1000320306201511078440737890";
    v.customs = "SHANGHAI_ZS";
    v.merchant_customs_no = "123456";
    v.certificate_id = "110101199001011234";
    v.certificate_name = "fuzz";
    h.transport.ResetCount();
    CheckStatusResult(h.client.VerifyCertificate(v), status, verified, object);
  }

  if (ops & kQuery) {
    QueryParams q;
    q.appid = "wxd678efh567hg6787";
    q.mchid = "1230000109";
    q.order_no = "20150806125346";
    q.customs = "SHANGHAI_ZS";
    q.page_size = kPageSize;
    h.transport.ResetCount();
    auto queried = h.client.Query(q);
    // http_status 0: the transport's kMaxRequests stop (a full page with a huge total_count).
    CheckOutcome(queried.outcome, queried.outcome.http_status == 0 ? 0 : status, verified);
    FUZZ_REQUIRE(queried.value.has_value() == queried.outcome.ok(), "Query: value without kOk");
    if (queried.value) {
      FUZZ_REQUIRE(object, "kOk Query for a body that is not a JSON object");
      FUZZ_REQUIRE(!queried.value->records.empty(), "kOk Query without records");
    }
    if (verified && status == 200) {
      FUZZ_REQUIRE(h.transport.sent() <= 2 || fuzz::KnownFinding("query-repeated-page"),
                   "Query asked again after an answer that repeated the page");
    }
  }

  if (ops & kDownload) {
    h.transport.ResetCount();
    auto certificates = h.downloader.Download();
    CheckOutcome(certificates.outcome, status, verified);
    FUZZ_REQUIRE(certificates.value.has_value() == certificates.outcome.ok(),
                 "Download: value without kOk");
    if (certificates.value) {
      FUZZ_REQUIRE(!certificates.value->empty(), "kOk Download without keys");
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness* harness = new Harness();  // lives for the process, like the daemon's client
  Harness& h = *harness;
  const std::string_view body = AsText(data, size);

  ClassifyAll(body);

  // A signed 200 for every call: the body parsers run. Then, with fewer calls (every call
  // signs its request, and signing dominates the time per input): a signed error status picked
  // by the input's size, an unsigned 200 and a 200 signed over other bytes. /certificates
  // parses its body before it checks the signature, so it gets the unsigned one too.
  static constexpr int kErrorStatuses[] = {202, 400, 401, 403, 404, 429, 500, 503};
  const int error_status = kErrorStatuses[size % std::size(kErrorStatuses)];
  struct Variant {
    int status;
    bool sign;
    bool sign_other_bytes;
    unsigned ops;
  };
  for (const Variant& variant : {Variant{200, true, false, kAllOps},
                                 Variant{error_status, true, false, kDeclare | kQuery},
                                 Variant{200, false, false, kDeclare | kDownload},
                                 Variant{200, true, true, kQuery}}) {
    const std::string other = std::string(body) + " ";
    h.transport.Answer(h.Response(variant.status, body,
                                  variant.sign_other_bytes ? std::string_view(other) : body,
                                  variant.sign));
    Call(h, variant.ops, variant.status, variant.sign && !variant.sign_other_bytes, body);
  }
  return 0;
}
