// MockServer's test hooks (ScriptError, SetAnswerHook) and the shaping of answers by the
// freedoms (mock_freedoms.h), kept apart from the serving code in mock_server.cc.
#include <nlohmann/json.hpp>

#include "tests/mock/mock_freedoms.h"
#include "tests/mock/mock_server.h"

namespace customsd::mock {

namespace {
using Json = nlohmann::ordered_json;
}  // namespace

void MockServer::ScriptError(Endpoint e, int http_status, std::string code, std::string message) {
  std::lock_guard<std::mutex> lock(hooks_mu_);
  scripted_[e].push_back({http_status, std::move(code), std::move(message), std::nullopt});
}

void MockServer::SetAnswerHook(AnswerHook hook) {
  std::lock_guard<std::mutex> lock(hooks_mu_);
  answer_hook_ = std::move(hook);
}

std::optional<ApiError> MockServer::NextScripted(Endpoint e) {
  std::lock_guard<std::mutex> lock(hooks_mu_);
  auto it = scripted_.find(e);
  if (it == scripted_.end() || it->second.empty()) return std::nullopt;
  ApiError error = std::move(it->second.front());
  it->second.pop_front();
  return error;
}

void MockServer::Shape(Endpoint e, const Decision& d, Reply* reply) {
  if (reply->verbatim) return;
  const bool success = reply->status >= 200 && reply->status < 300;
  AnswerHook hook;
  if (success) {
    std::lock_guard<std::mutex> lock(hooks_mu_);
    hook = answer_hook_;  // a copy: the hook runs unlocked, so it may take its time
  }
  const Freedoms& f = options_.freedoms;
  const bool freedoms = success ? ShapesSuccess(f) : ShapesErrors(f);
  // Parsing only when something reshapes the answer keeps the plain mock as fast as before.
  if (!freedoms && !hook) return;
  Json j = Json::parse(reply->body, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return;
  const AnswerDraw draw{options_.seed, e, d.order_key, d.n};
  if (success) {
    if (freedoms) ShapeSuccess(f, draw, j);
    if (hook) hook(e, j);
  } else {
    ShapeError(f, draw, d.fault, reply->not_found, &reply->status, j);
  }
  reply->body = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace customsd::mock
