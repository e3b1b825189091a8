// The order system's way in, end to end: the real `customsd run` with [api] on a free port,
// against the real `wechatpay-mock`. Declarations posted over HTTP settle; refusals (no token,
// a wrong token, a body over the cap) store nothing; every answer matches the OpenAPI document.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>

#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "daemon/api/notify_deliverer.h"
#include "tests/e2e/e2e_fixture.h"
#include "tests/support/free_port.h"
#include "tests/support/loopback_server.h"
#include "tests/support/openapi_check.h"

namespace customsd {
namespace {

using Json = nlohmann::json;
using std::chrono::seconds;

constexpr const char* kToken = "e2e-token-0123456789abcdef";

constexpr const char* kSecret = "notify-secret-of-the-order-system";

// The order system's receiver of [[notify]]: checks every signature, answers 500 to the first
// `fail_first` requests, and records what it accepted.
class Receiver {
 public:
  explicit Receiver(int fail_first) : fail_first_(fail_first) {
    http_.server().Post("/hook", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      const std::string ts = req.get_header_value("Customsd-Timestamp");
      const bool signed_ok =
          !ts.empty() && req.get_header_value("Customsd-Signature") ==
                             NotificationSignature(kSecret, std::stoll(ts), req.body);
      if (!signed_ok) ++bad_signatures_;
      if (requests_++ < fail_first_) {
        res.status = 500;
        return;
      }
      Json j = Json::parse(req.body, nullptr, false);
      if (!j.is_object() || j["event_id"].dump() != req.get_header_value("Customsd-Event-Id")) {
        ++bad_signatures_;
        return;
      }
      accepted_.push_back(j);
      res.status = 204;
    });
    http_.Start();
  }
  int port() const { return http_.port(); }
  // Final types by out_trade_no, of every accepted notification.
  std::map<std::string, std::set<std::string>> Types() {
    std::lock_guard<std::mutex> lock(mu_);
    std::map<std::string, std::set<std::string>> out;
    for (const Json& j : accepted_) out[j["declaration"]["out_trade_no"]].insert(j["type"]);
    return out;
  }
  size_t accepted() {
    std::lock_guard<std::mutex> lock(mu_);
    return accepted_.size();
  }
  int bad_signatures() {
    std::lock_guard<std::mutex> lock(mu_);
    return bad_signatures_;
  }
  int requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  std::mutex mu_;
  int fail_first_, requests_ = 0, bad_signatures_ = 0;
  std::vector<Json> accepted_;
  testing::LoopbackServer http_;  // last: stopped before the members its handlers use
};

class ApiEndToEndTest : public testing::EndToEndTest {
 protected:
  void StartWithApi(int notify_port = 0) {
    StartMock({});
    if (notify_port != 0) {
      testing::WriteFile(install_.File("notify.secret"), std::string(kSecret) + "\n", 0600);
      testing::WriteFile(install_.config_path(),
                         testing::ReadFile(install_.config_path()) +
                             "[[notify]]\nurl = \"http://127.0.0.1:" + std::to_string(notify_port) +
                             "/hook\"\nsecret_file = \"" + install_.File("notify.secret") + "\"\n");
    }
    testing::WriteFile(install_.File("api.tokens"), std::string(kToken) + "\n", 0600);
    testing::WriteFile(install_.config_path(),
                       testing::ReadFile(install_.config_path()) + "[api]\nlisten = \"127.0.0.1:" +
                           std::to_string(testing::FreePort()) + "\"\ntoken_file = \"" +
                           install_.File("api.tokens") + "\"\nmax_body_mb = 1\n");
    ConnectToDaemon();
  }
  void ConnectToDaemon() {
    daemon_ = StartDaemon();
    // The port the daemon reports having bound (the last start's, after a restart).
    const std::string log = DaemonLog();
    const std::regex listening("api listening on port (\\d+)");
    int port = 0;
    for (auto it = std::sregex_iterator(log.begin(), log.end(), listening);
         it != std::sregex_iterator(); ++it) {
      port = std::stoi((*it)[1]);
    }
    ASSERT_NE(port, 0) << log;
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port);
    client_->set_read_timeout(10, 0);
  }
  void TearDown() override {
    if (daemon_) {
      daemon_->Signal(SIGTERM);
      EXPECT_EQ(daemon_->Wait(seconds(15)), 0) << DaemonLog();
    }
    StopMock();
  }

  // The answer's status and JSON body, held against the document.
  std::pair<int, Json> Send(const std::string& method, const std::string& path,
                            const std::string& doc_path, const std::string& body = "",
                            const std::string& type = "application/json",
                            const char* token = kToken) {
    httplib::Headers headers;
    if (token != nullptr) headers.emplace("Authorization", std::string("Bearer ") + token);
    httplib::Result r = method == "GET"     ? client_->Get(path, headers)
                        : method == "PATCH" ? client_->Patch(path, headers, body, type)
                                            : client_->Post(path, headers, body, type);
    if (!r) {
      ADD_FAILURE() << method << " " << path << ": " << httplib::to_string(r.error());
      return {0, nullptr};
    }
    Json j = Json::parse(r->body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
    std::string lower = method;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(testing::OpenApiMismatch(lower, doc_path, r->status, j), "") << r->body;
    return {r->status, j};
  }

  std::unique_ptr<testing::ChildProcess> daemon_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(ApiEndToEndTest, PostedPlainAndSplitOrdersSettle) {
  ASSERT_NO_FATAL_FAILURE(StartWithApi());
  const std::string lines = testing::DeclarationLine("APIOK1", 1) +
                            testing::DeclarationLine("APISPLIT1", 2, "APISPLIT1-1") +
                            testing::DeclarationLine("APISPLIT1", 2, "APISPLIT1-2");
  auto [status, body] =
      Send("POST", "/v1/declarations", "/v1/declarations", lines, "application/x-ndjson");
  ASSERT_EQ(status, 201) << body.dump();
  ASSERT_EQ(body["created"], 3);
  std::vector<int64_t> ids;
  for (const Json& d : body["declarations"]) ids.push_back(d["id"]);

  // Picked up at once and followed to the end, read back through the API.
  ASSERT_TRUE(WaitUntil(
      [&] {
        for (int64_t id : ids) {
          auto [s, r] =
              Send("GET", "/v1/declarations/" + std::to_string(id), "/v1/declarations/{id}");
          if (s != 200 || r["state"] != "SUCCESS" || r["phase"] != "done") return false;
        }
        return true;
      },
      seconds(60)))
      << DaemonLog();
  auto [list_status, list] =
      Send("GET", "/v1/declarations?out_trade_no=APISPLIT1", "/v1/declarations");
  ASSERT_EQ(list_status, 200);
  EXPECT_EQ(list["declarations"].size(), 2u);
  ExpectNoDuplicateDeclares();
}

// The path an exceptions desk takes through the API: WeChat refuses a declaration (the mock's
// 400 PARAM_ERROR on its merchant_customs_no), a retry with the same values is refused again,
// and a PATCH with the corrected value settles it. Every answer, PATCH's too, is held against
// the document.
TEST_F(ApiEndToEndTest, ARefusedDeclarationIsCorrectedWithPatchAndSettles) {
  ASSERT_NO_FATAL_FAILURE(StartWithApi());
  const std::string refused =
      R"({"out_trade_no":"APIFIX1","transaction_id":"4200000000000000000000000001",)"
      R"("customs":"SHANGHAI_ZS","merchant_customs_no":"PARAMERR9"})";
  auto [status, posted] = Send("POST", "/v1/declarations", "/v1/declarations", refused);
  ASSERT_EQ(status, 201) << posted.dump();
  const std::string path = "/v1/declarations/" + posted["declarations"][0]["id"].dump();
  auto attention_after = [&](int64_t refusals) {
    return WaitUntil([&] {
      auto [s, r] = Send("GET", path, "/v1/declarations/{id}");
      return s == 200 && r["phase"] == "attention" &&
             Count("SELECT count(*) FROM alerts WHERE declaration_id IS NOT NULL") == refusals;
    });
  };
  ASSERT_TRUE(attention_after(1)) << DaemonLog();
  auto [retry_status, retried] = Send("POST", path + "/retry", "/v1/declarations/{id}/retry");
  ASSERT_EQ(retry_status, 200) << retried.dump();
  ASSERT_TRUE(attention_after(2)) << DaemonLog();

  auto [bad_status, bad] = Send("PATCH", path, "/v1/declarations/{id}", R"({"duty": "x"})");
  EXPECT_EQ(bad_status, 400) << bad.dump();
  auto [patch_status, patched] =
      Send("PATCH", path, "/v1/declarations/{id}", R"({"merchant_customs_no": "3120960ZK1"})");
  ASSERT_EQ(patch_status, 200) << patched.dump();
  ASSERT_TRUE(WaitUntil([&] {
    auto [s, r] = Send("GET", path, "/v1/declarations/{id}");
    return s == 200 && r["state"] == "SUCCESS" && r["phase"] == "done" &&
           r["merchant_customs_no"] == "3120960ZK1";
  })) << DaemonLog();
  // Its page shows the two refusals' alerts and its notifications: attention twice, then the
  // success (no [[notify]] receiver here, so none is delivered or pending).
  auto [page_status, page] = Send("GET", path, "/v1/declarations/{id}");
  ASSERT_EQ(page_status, 200);
  EXPECT_EQ(page["alerts"].size(), 2u) << page["alerts"].dump();
  std::vector<std::string> types;
  for (const Json& n : page["notifications"]) types.push_back(n["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"declaration.attention", "declaration.attention",
                                             "declaration.succeeded"}))
      << page["notifications"].dump();
  ExpectNoDuplicateDeclares();
}

TEST_F(ApiEndToEndTest, RefusedRequestsStoreNothing) {
  ASSERT_NO_FATAL_FAILURE(StartWithApi());
  const std::string line = testing::DeclarationLine("APINO1", 1);
  EXPECT_EQ(
      Send("POST", "/v1/declarations", "/v1/declarations", line, "application/x-ndjson", nullptr)
          .first,
      401);
  EXPECT_EQ(Send("POST", "/v1/declarations", "/v1/declarations", line, "application/x-ndjson",
                 "not-the-token-0000000000")
                .first,
            401);
  EXPECT_EQ(Send("GET", "/v1/declarations", "/v1/declarations", "", "", nullptr).first, 401);
  std::string big;
  for (int i = 0; big.size() < (1u << 20) + 1000; ++i) {
    big += testing::DeclarationLine("APIBIG" + std::to_string(i), i);
  }
  auto [big_status, big_body] =
      Send("POST", "/v1/declarations", "/v1/declarations", big, "application/x-ndjson");
  EXPECT_EQ(big_status, 413) << big_body.dump();
  auto [bad_status, bad_body] =
      Send("POST", "/v1/declarations", "/v1/declarations", "{\"out_trade_no\": \"\xff\"}");
  EXPECT_EQ(bad_status, 400);
  EXPECT_EQ(Count("SELECT count(*) FROM declarations"), 0);
  EXPECT_EQ(DaemonLog().find(kToken), std::string::npos) << "a token reached the log";
}

TEST_F(ApiEndToEndTest, EveryFinalStateIsNotifiedSignedAndNoneIsLostToFailuresOrAKill) {
  Receiver receiver(/*fail_first=*/3);
  ASSERT_NO_FATAL_FAILURE(StartWithApi(receiver.port()));
  std::string lines;
  std::map<std::string, std::string> want;  // out_trade_no -> final type
  for (int i = 0; i < 6; ++i) {
    const std::string order = (i < 4 ? "NOTEOK" : "FAILNOTE") + std::to_string(i);
    lines += testing::DeclarationLine(order, 10 + i);
    want[order] = i < 4 ? "declaration.succeeded" : "declaration.failed";
  }
  ASSERT_EQ(
      Send("POST", "/v1/declarations", "/v1/declarations", lines, "application/x-ndjson").first,
      201);
  // Killed once the receiver took its first notification: the rest are not lost.
  ASSERT_TRUE(WaitUntil([&] { return receiver.accepted() >= 1; }, seconds(60))) << DaemonLog();
  daemon_->Signal(SIGKILL);
  daemon_->Wait(seconds(10));
  ASSERT_NO_FATAL_FAILURE(ConnectToDaemon());
  ASSERT_TRUE(WaitUntil(
      [&] {
        auto types = receiver.Types();
        for (const auto& [order, type] : want) {
          if (types[order].count(type) == 0) return false;
        }
        return true;
      },
      seconds(90)))
      << DaemonLog();
  EXPECT_GE(receiver.requests(), 3 + 6) << "the first three were refused and sent again";
  EXPECT_EQ(receiver.bad_signatures(), 0);
  testing::CliResult events = Cli({"events", "--json"});
  ASSERT_EQ(events.code, 0) << events.err;
  Json listed = Json::parse(events.out);
  EXPECT_GE(listed.size(), 6u) << "customsd events lists what was notified";
}

}  // namespace
}  // namespace customsd
