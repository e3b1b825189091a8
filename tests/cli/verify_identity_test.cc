// customsd verify-identity: the real binary against the real wechatpay-mock, which decrypts the
// identity with the platform private key (a field it cannot decrypt is a PARAM_ERROR) and
// answers DIFFERENT for names containing "DIFF", SAME otherwise.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/e2e/e2e_fixture.h"

namespace customsd {
namespace {

using testing::CliResult;

constexpr const char* kIdNumber = "11010519491231002X";
constexpr const char* kName = "张三";

class VerifyIdentityTest : public testing::EndToEndTest {
 protected:
  void StartWith(const std::vector<std::string>& mock_flags) {
    StartMock(mock_flags);
    testing::WriteFile(install_.File("orders.jsonl"),
                       testing::DeclarationLine("P1", 1) +
                           testing::DeclarationLine("S1", 2, "S1-A") +
                           testing::DeclarationLine("S1", 2, "S1-B"));
    ASSERT_EQ(Cli({"declare", "--file", install_.File("orders.jsonl")}).code, 0);
  }

  std::string IdentityFile(const std::string& text, int mode = 0600) {
    const std::string path = install_.File("identity-" + std::to_string(++files_));
    testing::WriteFile(path, text, mode);
    return path;
  }

  // verify-certificate calls the mock answered with `status` ("" = any status).
  int64_t VerifyCalls(const std::string& status = "") {
    const nlohmann::json endpoint = MockStats()["endpoints"].value("verify_certificate",
                                                                   nlohmann::json::object());
    if (status.empty()) return endpoint.value("calls", int64_t{0});
    return endpoint.value("statuses", nlohmann::json::object()).value(status, int64_t{0});
  }

  // Neither the identity's number nor its name anywhere in the database files.
  void ExpectIdentityNotStored() {
    for (const char* suffix : {"", "-wal"}) {
      const std::string bytes = testing::ReadFile(install_.db_path() + suffix);
      EXPECT_EQ(bytes.find(kIdNumber), std::string::npos) << suffix;
      EXPECT_EQ(bytes.find(kName), std::string::npos) << suffix;
    }
  }

  int files_ = 0;
};

TEST_F(VerifyIdentityTest, AnswersSameAndDifferentWithExitCode0) {
  StartWith({});
  const std::string same = IdentityFile(std::string(kIdNumber) + "\n" + kName + "\n");
  CliResult r = Cli({"verify-identity", "P1", "--identity-file", same});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "SAME\n");

  const std::string different = IdentityFile(std::string(kIdNumber) + "\nDIFF" + kName + "\n");
  r = Cli({"verify-identity", "S1", "--sub-order-no", "S1-B", "--identity-file", different});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.out, "DIFFERENT\n");
  EXPECT_EQ(VerifyCalls("200"), 2);
  ExpectIdentityNotStored();
}

TEST_F(VerifyIdentityTest, SelectsByIdAndPrintsTheAnswerFieldsWithoutTheIdentity) {
  StartWith({});
  const std::string json_identity =
      IdentityFile(nlohmann::json{{"certificate_id", kIdNumber}, {"certificate_name", kName}}.dump());
  // IDs follow the declare order: S1-A is 2.
  CliResult r = Cli({"verify-identity", "2", "--identity-file", json_identity, "--json"});
  ASSERT_EQ(r.code, 0) << r.err;
  nlohmann::json j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["id"], 2);
  EXPECT_EQ(j["out_trade_no"], "S1");
  EXPECT_EQ(j["sub_order_no"], "S1-A");
  EXPECT_EQ(j["certificate_type"], "IDCARD");
  EXPECT_EQ(j["certificate_check_result"], "SAME");
  EXPECT_TRUE(j["request_id"].is_string());
  EXPECT_FALSE(j.contains("certificate_id"));
  EXPECT_FALSE(j.contains("certificate_name"));
  EXPECT_EQ(r.out.find(kIdNumber), std::string::npos);
  EXPECT_EQ(r.out.find(kName), std::string::npos);
}

TEST_F(VerifyIdentityTest, ReadsTheIdentityFromAPipedStdin) {
  StartWith({});
  const std::string piped = IdentityFile(std::string(kIdNumber) + "\r\n" + kName + "\r\n", 0644);
  // The shell puts the file on the binary's stdin; the file's mode does not matter then.
  testing::ChildProcess child({"/bin/sh", "-c", "f=$1; shift; exec \"$@\" < \"$f\"", "sh", piped,
                               CUSTOMSD_BINARY, "-c", install_.config_path(), "verify-identity",
                               "P1"},
                              install_.File("stdin.err"));
  ASSERT_TRUE(child.started());
  auto line = child.ReadLine(std::chrono::seconds(20));
  EXPECT_EQ(child.Wait(std::chrono::seconds(20)), 0) << testing::ReadFile(install_.File("stdin.err"));
  EXPECT_EQ(line, "SAME");
}

TEST_F(VerifyIdentityTest, BadIdentityIsExit2NamesTheFieldAndNeverEchoesIt) {
  StartWith({});
  struct Case {
    std::string text;
    int mode;
    std::string says;
  };
  const std::vector<Case> cases = {
      {std::string(kIdNumber) + "\n", 0600, "two lines"},
      {"1101051949123100ZZ\n" + std::string(kName) + "\n", 0600, "certificate_id"},
      {std::string(kIdNumber) + "\n" + kName + "\x01\n", 0600, "certificate_name"},
      {R"({"certificate_id":")" + std::string(kIdNumber) + R"(","name":"x"})", 0600, "unknown field"},
      {"{\"certificate_id\": \"" + std::string(kIdNumber) + "\", ", 0600, "JSON"},
      {std::string(kIdNumber) + "\n" + kName + "\n", 0644, "mode"},
  };
  for (const Case& c : cases) {
    CliResult r = Cli({"verify-identity", "P1", "--identity-file", IdentityFile(c.text, c.mode)});
    EXPECT_EQ(r.code, 2) << c.says << ": " << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("1101051949"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(kName), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
  }
  // No stdin (it is /dev/null here) and no file: nothing to check.
  CliResult r = Cli({"verify-identity", "P1"});
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("identity"), std::string::npos) << r.err;
  EXPECT_EQ(VerifyCalls(), 0);
}

TEST_F(VerifyIdentityTest, NoSuchDeclarationIsExit3AndAnAmbiguousOrderExit2) {
  StartWith({});
  const std::string identity = IdentityFile(std::string(kIdNumber) + "\n" + kName + "\n");
  CliResult r = Cli({"verify-identity", "NOPE", "--identity-file", identity});
  EXPECT_EQ(r.code, 3) << r.err;
  r = Cli({"verify-identity", "S1", "--identity-file", identity});
  EXPECT_EQ(r.code, 2) << r.err;
  EXPECT_NE(r.err.find("S1-A"), std::string::npos) << r.err;
  r = Cli({"verify-identity", "S1", "--sub-order-no", "S1-A", "--dry-run"});
  EXPECT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("S1/S1-A/SHANGHAI_ZS"), std::string::npos) << r.out;
  EXPECT_EQ(VerifyCalls(), 0);
}

TEST_F(VerifyIdentityTest, AnErrorFromWeChatIsOneLineWithCodeMessageAndRequestId) {
  StartWith({"--fault-systemerror", "1"});
  const std::string identity = IdentityFile(std::string(kIdNumber) + "\n" + kName + "\n");
  CliResult r = Cli({"verify-identity", "P1", "--identity-file", identity});
  EXPECT_EQ(r.code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("HTTP 500 SYSTEMERROR"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Request-ID mock-"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.find(kIdNumber), std::string::npos) << r.err;
  ExpectIdentityNotStored();
}

}  // namespace
}  // namespace customsd
