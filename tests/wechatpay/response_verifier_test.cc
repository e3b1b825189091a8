#include "wechatpay/response_verifier.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/support/test_config.h"
#include "wechatpay/signer.h"

namespace customsd {
namespace {

SharedPkey LoadPublic(const std::string& name) {
  StatusOr<EvpPkeyPtr> key = ParsePublicKeyPem(testing::ReadVector(name), name);
  return key.ok() ? Share(std::move(key).value()) : nullptr;
}

SharedPkey LoadPrivate(const std::string& name) {
  StatusOr<EvpPkeyPtr> key = ParsePrivateKeyPem(testing::ReadVector(name), name);
  return key.ok() ? Share(std::move(key).value()) : nullptr;
}

class ResponseVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    vectors_ = nlohmann::json::parse(testing::ReadVector("apiv3-vectors.json"));
    platform_serial_ = vectors_["platform_serial"];
    platform_cert_ = LoadPublic("platform_cert.pem");
    platform_key_ = LoadPrivate("platform_key.pem");
    merchant_key_ = LoadPrivate("merchant_key.pem");
    ASSERT_TRUE(platform_cert_ && platform_key_ && merchant_key_);
    lookup_ = [this](std::string_view serial) -> SharedPkey {
      return serial == platform_serial_ ? platform_cert_ : nullptr;
    };
  }

  // A response the fake platform signs now, with `key`.
  ResponseSignature Signed(EVP_PKEY* key, int64_t timestamp, const std::string& body) {
    ResponseSignature sig;
    sig.timestamp = std::to_string(timestamp);
    sig.nonce = "aBcDeFgHiJkLmNoPqRsTuVwXyZ012345";
    sig.serial = platform_serial_;
    StatusOr<std::string> s =
        SignSha256WithRsa(key, BuildResponseMessage(sig.timestamp, sig.nonce, body));
    EXPECT_TRUE(s.ok());
    sig.signature = s.ok() ? *s : "";
    return sig;
  }

  nlohmann::json vectors_;
  std::string platform_serial_;
  SharedPkey platform_cert_;
  SharedPkey platform_key_;
  SharedPkey merchant_key_;
  PlatformKeyLookup lookup_;
};

constexpr int64_t kNow = 1700000500;
constexpr char kBody[] = R"({"state":"SUCCESS"})";

TEST_F(ResponseVerifierTest, AgreesWithEveryResponseVector) {
  ASSERT_FALSE(vectors_["response_verification"].empty());
  for (const auto& c : vectors_["response_verification"]) {
    const std::string why = c["why"];
    SCOPED_TRACE(why + " @" + c["timestamp"].get<std::string>());
    ResponseSignature sig{c["timestamp"], c["nonce"], c["signature"], c["serial"]};
    const int64_t now = std::stoll(sig.timestamp);
    const VerifyVerdict verdict = VerifyResponse(sig, c["body"].get<std::string>(), now, lookup_);
    EXPECT_EQ(verdict == VerifyVerdict::kOk, c["valid"].get<bool>()) << ToString(verdict);
    if (why == "genuine") {
      EXPECT_EQ(verdict, VerifyVerdict::kOk);
    } else if (why == "signature probe") {
      EXPECT_EQ(verdict, VerifyVerdict::kSignTestProbe);
    } else if (why == "unknown serial") {
      EXPECT_EQ(verdict, VerifyVerdict::kUnknownSerial);
    } else if (why == "body changed" || why == "nonce changed") {
      EXPECT_EQ(verdict, VerifyVerdict::kBadSignature);
    } else {
      ADD_FAILURE() << "vector reason not covered by this test: " << why;
    }
  }
}

TEST_F(ResponseVerifierTest, ResponseMessageIsThreeLines) {
  EXPECT_EQ(BuildResponseMessage("1", "n", "{}"), "1\nn\n{}\n");
  EXPECT_EQ(BuildResponseMessage("1", "n", ""), "1\nn\n\n");
}

TEST_F(ResponseVerifierTest, ClockSkewBelowFiveMinutesOnly) {
  for (int64_t offset : {0, 299, -299}) {
    EXPECT_EQ(
        VerifyResponse(Signed(platform_key_.get(), kNow + offset, kBody), kBody, kNow, lookup_),
        VerifyVerdict::kOk)
        << offset;
  }
  for (int64_t offset : {300, -300, 301, -301, 86400}) {
    EXPECT_EQ(
        VerifyResponse(Signed(platform_key_.get(), kNow + offset, kBody), kBody, kNow, lookup_),
        VerifyVerdict::kClockSkew)
        << offset;
  }
}

TEST_F(ResponseVerifierTest, MissingEachHeader) {
  const ResponseSignature good = Signed(platform_key_.get(), kNow, kBody);
  ASSERT_EQ(VerifyResponse(good, kBody, kNow, lookup_), VerifyVerdict::kOk);
  for (std::string ResponseSignature::*field :
       {&ResponseSignature::timestamp, &ResponseSignature::nonce, &ResponseSignature::signature,
        &ResponseSignature::serial}) {
    ResponseSignature sig = good;
    sig.*field = "";
    EXPECT_EQ(VerifyResponse(sig, kBody, kNow, lookup_), VerifyVerdict::kMissingHeader);
  }
}

TEST_F(ResponseVerifierTest, SignatureOfReadsHeadersCaseInsensitively) {
  HttpResponse response;
  response.status = 200;
  response.body = kBody;
  const ResponseSignature good = Signed(platform_key_.get(), kNow, kBody);
  response.headers = {{"wechatpay-timestamp", good.timestamp},
                      {"WECHATPAY-NONCE", good.nonce},
                      {"Wechatpay-Signature", good.signature},
                      {"Wechatpay-Serial", good.serial},
                      {"Request-ID", "r-1"}};
  const ResponseSignature read = SignatureOf(response);
  EXPECT_EQ(read.timestamp, good.timestamp);
  EXPECT_EQ(read.nonce, good.nonce);
  EXPECT_EQ(read.signature, good.signature);
  EXPECT_EQ(read.serial, good.serial);
  EXPECT_EQ(VerifyResponse(read, response.body, kNow, lookup_), VerifyVerdict::kOk);

  response.headers.erase(response.headers.begin() + 2);
  EXPECT_EQ(SignatureOf(response).signature, "");
  EXPECT_EQ(VerifyResponse(SignatureOf(response), response.body, kNow, lookup_),
            VerifyVerdict::kMissingHeader);
}

TEST_F(ResponseVerifierTest, NonNumericTimestamp) {
  for (const char* bad : {"17000005OO", "-1700000500", "+1700000500", "1700000500.0", " 1700000500",
                          "1700000500 ", "0x65539cf4", "99999999999999999999"}) {
    ResponseSignature sig = Signed(platform_key_.get(), kNow, kBody);
    sig.timestamp = bad;
    EXPECT_EQ(VerifyResponse(sig, kBody, kNow, lookup_), VerifyVerdict::kBadTimestamp) << bad;
  }
}

TEST_F(ResponseVerifierTest, GarbageBase64Signature) {
  for (const char* bad : {"%%%%", "abc", "not base64 at all", "AAAA"}) {
    ResponseSignature sig = Signed(platform_key_.get(), kNow, kBody);
    sig.signature = bad;
    EXPECT_EQ(VerifyResponse(sig, kBody, kNow, lookup_), VerifyVerdict::kBadSignature) << bad;
  }
}

TEST_F(ResponseVerifierTest, SignatureByAnotherKey) {
  const ResponseSignature sig = Signed(merchant_key_.get(), kNow, kBody);
  EXPECT_EQ(VerifyResponse(sig, kBody, kNow, lookup_), VerifyVerdict::kBadSignature);
}

TEST_F(ResponseVerifierTest, ProbeFailsEvenWithUnknownSerialAndNeverLooksUp) {
  ResponseSignature sig = Signed(platform_key_.get(), kNow, kBody);
  sig.signature = "WECHATPAY/SIGNTEST/" + sig.signature;
  sig.serial = "SOMETHING_NEW";
  int lookups = 0;
  PlatformKeyLookup counting = [&](std::string_view) -> SharedPkey {
    ++lookups;
    return nullptr;
  };
  EXPECT_EQ(VerifyResponse(sig, kBody, kNow, counting), VerifyVerdict::kSignTestProbe);
  EXPECT_EQ(lookups, 0);
}

TEST_F(ResponseVerifierTest, EmptyLookupMeansUnknownSerial) {
  EXPECT_EQ(VerifyResponse(Signed(platform_key_.get(), kNow, kBody), kBody, kNow, nullptr),
            VerifyVerdict::kUnknownSerial);
}

TEST_F(ResponseVerifierTest, EveryVerdictHasAName) {
  for (VerifyVerdict v :
       {VerifyVerdict::kOk, VerifyVerdict::kMissingHeader, VerifyVerdict::kBadTimestamp,
        VerifyVerdict::kClockSkew, VerifyVerdict::kSignTestProbe, VerifyVerdict::kUnknownSerial,
        VerifyVerdict::kBadSignature}) {
    EXPECT_FALSE(ToString(v).empty());
  }
}

}  // namespace
}  // namespace customsd
