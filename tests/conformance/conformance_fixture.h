// The conformance tests' world: the real client stack (signer, CurlTransport, verifier, customs
// client) and the real workflow engine, against wechatpay-mock in-process over loopback HTTP,
// all on one fake clock, so a row can say both what the client makes of an answer and what
// the workflow does next.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "daemon/workflow/engine.h"
#include "tests/daemon/workflow/workflow_fixture.h"
#include "tests/mock/mock_server.h"
#include "tests/mock/vector_options.h"
#include "wechatpay/curl_transport.h"

namespace customsd::conformance {

class ConformanceTest : public testing::StoreTest {
 public:
  int64_t Alerts() {
    SQLite::Statement q(db_->sqlite(), "SELECT count(*) FROM alerts");
    q.executeStep();
    return q.getColumn(0).getInt64();
  }

 protected:
  // Starts the mock with `options` and builds the client and the engine against it.
  void Start(mock::MockOptions options = mock::VectorOptions()) {
    auto server = mock::MockServer::Create(std::move(options), clock_);
    ASSERT_TRUE(server.ok()) << server.status().message();
    server_ = std::move(server).value();
    auto port = server_->Start();
    ASSERT_TRUE(port.ok()) << port.status().message();
    CurlTransportOptions t;
    t.timeout = std::chrono::seconds(5);
    transport_ = std::make_unique<CurlTransport>(t);
    stack_ = std::make_unique<testing::ClientStack>(*transport_, clock_, platform_,
                                                    server_->base_url());
    EngineOptions e;
    e.seed = 7;
    engine_ = std::make_unique<Engine>(
        e, testing::TestSettings(), *db_, nullptr,
        [this](const std::string& mchid) {
          return mchid == testing::kTestMchid ? testing::Unowned(stack_->client.get()) : nullptr;
        },
        clock_);
  }

  void TearDown() override {
    engine_.reset();
    if (server_) server_->Stop();
  }

  CustomsClient& client() { return *stack_->client; }
  DeclarationRecord Reload(const DeclarationRecord& r) { return *store_.Get(r.id); }

  // Declares r through the engine (accepted: UNDECLARED), then moves the clock to its first poll.
  void DeclareAndWaitForPoll(const DeclarationRecord& r) {
    engine_->RunDueInline(gate_);
    ASSERT_EQ(Reload(r).phase, Phase::kPoll) << Reload(r).last_error_message;
    clock_.Advance(testing::TestSettings().poll.first_delay);
  }

  testing::PlatformSigner platform_;
  OpenGate gate_;
  std::unique_ptr<mock::MockServer> server_;
  std::unique_ptr<CurlTransport> transport_;
  std::unique_ptr<testing::ClientStack> stack_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace customsd::conformance
