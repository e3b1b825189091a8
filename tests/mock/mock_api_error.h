// An error answer of the fake WeChat Pay server, in WeChat's shape:
//   {"code": "...", "message": "...", "detail": {"field", "value", "issue", "location"}}
// ("detail" only when a parameter is at fault).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>

namespace customsd::mock {

struct ErrorDetail {
  std::string field;     // the parameter's name, e.g. "out_trade_no"
  std::string value;     // its value as sent ("" when missing)
  std::string issue;     // why it is wrong
  std::string location;  // "body", "query", "header" or "url"
};

struct ApiError {
  int http_status = 400;
  std::string code;
  std::string message;
  std::optional<ErrorDetail> detail;

  std::string ToJson() const {
    nlohmann::ordered_json j;
    j["code"] = code;
    j["message"] = message;
    if (detail) {
      j["detail"] = {{"field", detail->field},
                     {"value", detail->value},
                     {"issue", detail->issue},
                     {"location", detail->location}};
    }
    // Echoed request values may hold bytes that are not UTF-8: replace them, do not throw.
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
};

// A value or the error to answer with.
template <typename T>
class ApiResult {
 public:
  ApiResult(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  ApiResult(ApiError error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return value_.has_value(); }
  const ApiError& error() const { return error_; }
  T& value() { return *value_; }
  const T& value() const { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }

 private:
  std::optional<T> value_;
  ApiError error_;
};

inline ApiError ParamError(std::string field, std::string value, std::string issue,
                           std::string location = "body") {
  std::string message = "Parameter error: " + field + " " + issue;
  return ApiError{
      400, "PARAM_ERROR", std::move(message),
      ErrorDetail{std::move(field), std::move(value), std::move(issue), std::move(location)}};
}

inline ApiError InvalidRequest(std::string message) {
  return ApiError{400, "INVALID_REQUEST", std::move(message), std::nullopt};
}

inline ApiError SignError(std::string message) {
  return ApiError{401, "SIGN_ERROR", std::move(message), std::nullopt};
}

}  // namespace customsd::mock
