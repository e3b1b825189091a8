// The declarations API: what an order system calls instead of writing a file for `customsd
// declare` and reading the database. HTTP-free (api_server.h binds it to cpp-httplib), so
// every answer is tested with plain values; daemon/api/openapi.json is its contract, and tests
// hold the real answers against it.
//
//   POST  /v1/declarations            one object, an array (application/json), or JSON Lines
//                                     (application/x-ndjson). The intake's validation and the
//                                     store's all-or-nothing add, as `customsd declare`:
//                                     201 every record stored (created or already_present, with
//                                     its id), committed to disk before the answer; 400 every
//                                     problem, by record index (or line) and field, nothing
//                                     stored; 409 a key already stored with other content.
//                                     Idempotency-Key: a repeat within a day replays the first
//                                     answer; the same key with another body is 422.
//   GET   /v1/declarations/{id}       the record as `show --json` prints it, with `history`,
//                                     its `alerts` and its `notifications` (the console's
//                                     page of a declaration)
//   GET   /v1/declarations?...        out_trade_no, sub_order_no, transaction_id, customs, mchid,
//                                     state, phase,
//                                     limit (1-1000, 100), cursor: newest first, keyset paging
//                                     (next_cursor is null on the last page)
//   POST  /v1/declarations/{id}/retry, /redeclare, /cancel, and PATCH /v1/declarations/{id}
//                                     (modify: a JSON object of merchant_customs_no, duty and
//                                     the fees): the operator rules (workflow/operator_rules.h)
//                                     through the same guarded write as the CLI commands.
//                                     200 the record after; 409 when the rules leave it alone
//                                     (the reason) or it changed meanwhile; 404 unknown id.
//   GET   /v1/stats?day_start=&week_start=
//                                     `customsd stats --json` (stats_json.h) and, for the
//                                     console's overview, the declarations created since
//                                     each RFC 3339 time given (created_today,
//                                     created_this_week; null when not asked) and the
//                                     engine's holds [{mchid, customs (null: the whole
//                                     merchant), cause}]
//   GET   /v1/openapi.json            the OpenAPI document
//
// Errors are {"error": one line, "problems": [{index, line, field, message}]}. Authentication
// is the server's (api_server.h); nothing here logs a request's body or headers.
//
// Thread safety: Handle() may be called from any thread. Reads and operator changes are
// serialized on the API's own connection; posts run concurrently up to their write, which goes
// through Options::intake_writer (and the API's lock only without one).
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "common/clock.h"
#include "daemon/intake/intake.h"
#include "daemon/workflow/merchant_holds.h"
#include "storage/database.h"
#include "storage/declaration_store.h"

namespace customsd {

struct ApiRequest {
  std::string method;  // "GET", "POST", "PATCH"
  std::string path;    // without the query
  std::multimap<std::string, std::string> params;
  std::string content_type;
  std::string idempotency_key;  // "" = none
  std::string body;
};

struct ApiResponse {
  int status = 200;
  nlohmann::json body;
};

class DeclarationsApi {
 public:
  struct Options {
    IntakeOptions intake;               // the config's merchants (IntakeOptionsFor)
    std::function<void()> on_new_work;  // called after declarations were added or changed
    // Where posts commit: a GroupWriter on a connection of its own, so concurrent posts share
    // an fsync. Null: the API's own connection, one post at a time.
    TransactionWriter* intake_writer = nullptr;
    // The engine's holds (MerchantHolds::List) for GET /v1/stats; null: none listed.
    std::function<std::vector<std::pair<HoldScope, std::string>>()> holds;
  };

  // `db` is the API's own connection; it and `clock` must outlive the API.
  DeclarationsApi(Database& db, const Clock& clock, Options options);

  ApiResponse Handle(const ApiRequest& request);

 private:
  ApiResponse Route(const ApiRequest& request);
  ApiResponse Post(const ApiRequest& request);
  ApiResponse PostIdempotent(const ApiRequest& request);
  ApiResponse GetOne(int64_t id);
  ApiResponse List(const ApiRequest& request);
  ApiResponse Stats(const ApiRequest& request);
  ApiResponse Change(int64_t id, const std::string& action, const ApiRequest& request);
  ApiResponse Modify(int64_t id, const ApiRequest& request);

  Database& db_;
  const Clock& clock_;
  Options options_;
  DeclarationStore store_;
  std::mutex mu_;
};

// {"error": message, "problems": []}: the body of every answer that is not 2xx.
nlohmann::json ErrorBody(const std::string& message);

}  // namespace customsd
