// The mock's counters over HTTP (GET /mock/stats), which the end-to-end tests and the bench read:
// calls and statuses by endpoint, and connections apart from requests.
#include <gtest/gtest.h>

#include "tests/mock/mock_test_fixture.h"

namespace customsd::mock::testing {
namespace {

using nlohmann::json;
using MockStatsTest = MockFixture;

TEST_F(MockStatsTest, OverHttp) {
  StartServer();
  ASSERT_EQ(Declare(DeclareBody("A1")).status, 200);
  QueryState("A1");
  httplib::Client client(server_->base_url());
  auto r = client.Get("/mock/stats");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  json j = json::parse(r->body);
  EXPECT_EQ(j["orders"][Key("A1")]["declares_accepted"], 1);
  EXPECT_EQ(j["orders"][Key("A1")]["queries"], 1);
  EXPECT_EQ(j["orders"][Key("A1")]["state"], "PROCESSING");
  EXPECT_EQ(j["endpoints"]["declare"]["calls"], 1);
  EXPECT_EQ(j["endpoints"]["query"]["statuses"]["200"], 1);
}

TEST_F(MockStatsTest, CountConnectionsNotRequests) {
  StartServer();
  auto connections = [&] {
    httplib::Client reader(server_->base_url());  // a reader of /mock/stats is not counted
    auto r = reader.Get("/mock/stats");
    EXPECT_TRUE(r && r->status == 200);
    return r ? json::parse(r->body)["connections"].get<int64_t>() : -1;
  };
  EXPECT_EQ(connections(), 0);
  auto get = [&](httplib::Client& client) {
    const std::string path = Api("/certificates");
    auto auth = signer_.Authorization("GET", path, "");
    EXPECT_TRUE(auth.ok());
    auto r = client.Get(path.c_str(), {{"Authorization", auth.ok() ? *auth : std::string()},
                                       {"Accept", "application/json"}});
    EXPECT_TRUE(r && r->status == 200);
  };
  auto first = NewClient();
  first->set_keep_alive(true);
  get(*first);
  get(*first);
  EXPECT_EQ(connections(), 1);
  EXPECT_EQ(server_->Stats().connections, 1);
  auto second = NewClient();
  second->set_keep_alive(true);
  get(*second);
  EXPECT_EQ(connections(), 2);
  get(*first);
  EXPECT_EQ(connections(), 2);
  EXPECT_EQ(server_->Stats().Of(Endpoint::kCertificates).calls, 4);
}

}  // namespace
}  // namespace customsd::mock::testing
