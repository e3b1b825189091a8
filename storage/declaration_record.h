// What the store keeps for each declaration and each event in its history.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "common/declaration.h"
#include "common/declaration_state.h"

namespace customsd {

struct DeclarationRecord {
  int64_t id = 0;
  DeclarationFields fields;
  // As WeChat Pay last reported them; "" until it has.
  std::string sub_order_id;
  std::string verify_department;
  std::string verify_department_trade_id;
  std::string explanation;
  std::string modify_time;
  State state = State::kUndeclared;
  Phase phase = Phase::kSubmit;
  int attempts = 0;
  int64_t next_attempt_at = 0;  // Unix ms
  std::string last_error_code;
  std::string last_error_message;
  std::optional<int> last_http_status;
  int64_t created_at = 0;  // Unix ms
  int64_t updated_at = 0;  // Unix ms
  int64_t version = 0;     // bumped by every update; guards against lost races
  // Workflow bookkeeping (migration 0003).
  bool check_first = false;  // the last send's outcome is unknown: query before resending
  int failures = 0;          // consecutive transient failures of the current step
  int redeclares = 0;        // re-pushes sent
  std::optional<int64_t> poll_started_at;  // Unix ms
  // The sent fields WeChat accepted, as JSON (migration 0007); "" until it accepted any.
  std::string accepted_content;
};

// One entry in a declaration's append-only history.
struct Event {
  int64_t id = 0;
  int64_t declaration_id = 0;
  int64_t at = 0;  // Unix ms
  std::string kind;  // "created", "submitted", "polled", "retry", ...
  std::optional<State> from_state, to_state;
  std::optional<Phase> from_phase, to_phase;
  std::optional<int> http_status;
  std::string error_code;
  std::string message;
  std::string request_id;
};

}  // namespace customsd
