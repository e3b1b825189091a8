#include "tests/daemon/workflow/fake_wechat.h"

#include <nlohmann/json.hpp>

namespace customsd::testing {
namespace {

std::string Param(const std::string& url, const std::string& name) {
  size_t at = url.find(name + "=");
  if (at == std::string::npos) return "";
  at += name.size() + 1;
  return url.substr(at, url.find('&', at) - at);
}

}  // namespace

FakeWeChat::FakeWeChat(const Clock& clock) : clock_(clock) {
  transport_.SetHandler([this](const HttpRequest& r) { return Handle(r); });
}

void FakeWeChat::SetState(const std::string& out_trade_no, const std::string& sub_order_no,
                          const std::string& state) {
  std::lock_guard<std::mutex> lock(mu_);
  states_[{out_trade_no, sub_order_no}] = state;
}

std::optional<std::string> FakeWeChat::StateOf(const std::string& out_trade_no,
                                               const std::string& sub_order_no) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = states_.find({out_trade_no, sub_order_no});
  if (it == states_.end()) return std::nullopt;
  return it->second;
}

void FakeWeChat::SetIntercept(Intercept intercept) {
  std::lock_guard<std::mutex> lock(mu_);
  intercept_ = std::move(intercept);
}

void FakeWeChat::SetPageMax(int n) {
  std::lock_guard<std::mutex> lock(mu_);
  page_max_ = n;
}

int FakeWeChat::Count(const std::string& endpoint) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = counts_.find(endpoint);
  return it == counts_.end() ? 0 : it->second;
}

TransportResult FakeWeChat::Handle(const HttpRequest& request) {
  const int64_t now = UnixMillis(clock_.Now()) / 1000;
  std::string endpoint = request.method == "GET"                             ? "query"
                         : request.method == "PATCH"                         ? "modify"
                         : request.url.find("/redeclare") != std::string::npos ? "redeclare"
                                                                             : "declare";
  Intercept intercept;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++counts_[endpoint];
    intercept = intercept_;
  }
  if (intercept) {
    if (auto answer = intercept(request)) return *answer;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (endpoint == "query") {
    // By out_trade_no every sub-order of the order; by sub_order_no that sub-order (the fake
    // keys orders by out_trade_no, so transaction_id finds nothing beyond plain orders' keys).
    const std::string type = Param(request.url, "order_type");
    const std::string order = Param(request.url, "order_no");
    nlohmann::json data = nlohmann::json::array();
    for (const auto& [key, state] : states_) {
      if ((type == "sub_order_no" ? key.second : key.first) != order) continue;
      data.push_back({{"sub_order_no", key.second},
                      {"customs", Param(request.url, "customs")},
                      {"state", state},
                      {"explanation", state == "FAIL" ? "declared amount mismatch" : ""}});
    }
    if (data.empty()) {
      return Answer(platform_.Signed(404, R"({"code":"ORDER_NOT_EXIST","message":"no"})", now));
    }
    const int64_t offset = std::stoll("0" + Param(request.url, "offset"));
    int64_t limit = std::stoll("0" + Param(request.url, "limit"));
    if (limit <= 0) limit = 20;
    if (page_max_ > 0) limit = std::min<int64_t>(limit, page_max_);
    nlohmann::json page = nlohmann::json::array();
    for (int64_t i = offset; i < static_cast<int64_t>(data.size()) && i < offset + limit; ++i) {
      page.push_back(data[static_cast<size_t>(i)]);
    }
    nlohmann::json body = {
        {"total_count", data.size()}, {"offset", offset}, {"limit", limit}, {"data", page}};
    return Answer(platform_.Signed(200, body.dump(), now));
  }
  nlohmann::json body = nlohmann::json::parse(request.body);
  const std::pair<std::string, std::string> key{body.value("out_trade_no", ""),
                                                body.value("sub_order_no", "")};
  std::string& state = states_[key];
  if (endpoint == "redeclare") {
    if (state != "EXCEPT" && state != "SUCCESS") {
      return Answer(platform_.Signed(400, R"({"code":"INVALID_REQUEST","message":"state"})", now));
    }
    state = "UNDECLARED";
  } else if (state.empty()) {
    state = "UNDECLARED";
  }
  nlohmann::json answer = {{"state", state}, {"out_trade_no", key.first}};
  return Answer(platform_.Signed(200, answer.dump(), now));
}

}  // namespace customsd::testing
