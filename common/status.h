// Status and StatusOr: the result types every boundary of customsd returns.
//
// A Status is either ok or carries a code and a one-line message meant for a person (it names
// the field, key or line at fault). Both types are [[nodiscard]]: ignoring a failure is a
// compile error under -Werror. Neither type throws; a StatusOr that holds an error must not be
// dereferenced (checked by assert in debug builds).
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>

namespace customsd {

enum class StatusCode {
  kOk,
  kInvalidInput,  // the caller's input is wrong: exit code 2 at the command line
  kNotFound,
  kAlreadyExists,
  kConflict,  // a guarded update lost a race, or the same key holds other content
  kFailedPrecondition,
  kIoError,
  kCorruption,
  kUnavailable,  // a transient fault; trying again later may succeed
  kInternal,
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return {}; }
  static Status InvalidInput(std::string m) { return {StatusCode::kInvalidInput, std::move(m)}; }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  StatusOr(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    assert(!status_.ok());
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace customsd

// Returns the Status of `expr` from the enclosing function when it is not ok.
#define CUSTOMSD_RETURN_IF_ERROR(expr)                        \
  do {                                                        \
    if (::customsd::Status status_ = (expr); !status_.ok()) { \
      return status_;                                         \
    }                                                         \
  } while (0)
