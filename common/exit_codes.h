// The exit codes of every command and of `customsd run`: 0 ok, 1 runtime failure, 2 bad usage
// or bad input (nothing was changed), 3 no such declaration or alert.
#pragma once

#include "common/status.h"

namespace customsd {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
// The declaration (or alert) named does not exist: scripts tell "not there" from "failed".
inline constexpr int kExitNotFound = 3;

// kInvalidInput -> 2; kNotFound -> 3; anything else that is not ok -> 1.
inline int ExitCodeFor(const Status& s) {
  if (s.ok()) return kExitOk;
  if (s.code() == StatusCode::kInvalidInput) return kExitUsage;
  if (s.code() == StatusCode::kNotFound) return kExitNotFound;
  return kExitFailure;
}

}  // namespace customsd
