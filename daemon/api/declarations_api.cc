#include "daemon/api/declarations_api.h"

#include <openssl/sha.h>

#include <charconv>

#include "common/time_format.h"
#include "daemon/api/openapi.h"
#include "daemon/api/record_json.h"
#include "daemon/api/request_body.h"
#include "daemon/api/stats_json.h"
#include "daemon/intake/field_checks.h"
#include "daemon/workflow/operator_change.h"
#include "daemon/workflow/operator_rules.h"
#include "storage/idempotency_store.h"

namespace customsd {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kPrefix = "/v1/declarations";
constexpr int kDefaultLimit = 100, kMaxLimit = 1000;

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

ApiResponse Error(int status, const std::string& message, Json problems = Json::array()) {
  Json body = ErrorBody(message);
  body["problems"] = std::move(problems);
  return {status, std::move(body)};
}

Json Problem(std::optional<int64_t> index, std::optional<int64_t> line, const std::string& field,
             const std::string& message) {
  return {{"index", index ? Json(*index) : Json(nullptr)},
          {"line", line ? Json(*line) : Json(nullptr)},
          {"field", field.empty() ? Json(nullptr) : Json(field)},
          {"message", message}};
}

// "record 3" or "line 4": where a problem is, in the numbering of the body's form.
struct Where {
  std::optional<int64_t> index, line;
  std::string Text() const {
    return index ? "record " + std::to_string(*index) : "line " + std::to_string(*line);
  }
};
Where WhereOf(BodyForm form, int line) {
  if (form == BodyForm::kLines) return {std::nullopt, line};
  return {line - 1, std::nullopt};
}

std::optional<int64_t> ParseId(std::string_view s) {
  int64_t v = 0;
  if (s.empty() || s.size() > 18) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

ApiResponse FromStatus(const Status& s) {
  switch (s.code()) {
    case StatusCode::kNotFound:
      return Error(404, s.message());
    case StatusCode::kConflict:
      return Error(409, s.message());
    case StatusCode::kInvalidInput:
      return Error(400, s.message());
    default:
      return Error(503, s.message());
  }
}

std::string Sha256Hex(const std::string& text) {
  unsigned char d[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(), d);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : d) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

}  // namespace

Json ErrorBody(const std::string& message) {
  return {{"error", message}, {"problems", Json::array()}};
}

DeclarationsApi::DeclarationsApi(Database& db, const Clock& clock, Options options)
    : db_(db), clock_(clock), options_(std::move(options)), store_(db, clock) {
  options_.intake.format = IntakeFormat::kJsonLines;
}

ApiResponse DeclarationsApi::Handle(const ApiRequest& request) {
  try {
    // Posts parse in parallel and share commits (Options::intake); they take the lock only
    // for what they read or write on the API's own connection.
    if (request.path == kPrefix && request.method == "POST") {
      return request.idempotency_key.empty() ? Post(request) : PostIdempotent(request);
    }
    std::lock_guard<std::mutex> lock(mu_);
    return Route(request);
  } catch (const std::exception& e) {
    return Error(500, std::string("internal error: ") + e.what());
  }
}

ApiResponse DeclarationsApi::Route(const ApiRequest& r) {
  const std::string_view path = r.path;
  if (path == "/v1/openapi.json") {
    if (r.method != "GET") return Error(405, "method " + r.method + " not allowed here");
    return {200, Json::parse(OpenApiDocument())};
  }
  if (path == "/v1/stats") {
    if (r.method != "GET") return Error(405, "method " + r.method + " not allowed here");
    return Stats(r);
  }
  if (path == kPrefix) {
    if (r.method == "GET") return List(r);
    return Error(405, "method " + r.method + " not allowed on " + std::string(kPrefix));
  }
  if (!path.starts_with(std::string(kPrefix) + "/")) return Error(404, "no such resource");
  std::string_view rest = path.substr(kPrefix.size() + 1);
  const size_t slash = rest.find('/');
  const std::optional<int64_t> id = ParseId(rest.substr(0, slash));
  if (!id) return Error(404, "no such resource: the id must be a positive integer");
  if (slash == std::string_view::npos) {
    if (r.method == "GET") return GetOne(*id);
    if (r.method == "PATCH") return Modify(*id, r);
    return Error(405, "method " + r.method + " not allowed on a declaration");
  }
  const std::string action(rest.substr(slash + 1));
  if (action != "retry" && action != "redeclare" && action != "cancel") {
    return Error(404, "no such resource");
  }
  if (r.method != "POST") return Error(405, "use POST for " + action);
  return Change(*id, action, r);
}

ApiResponse DeclarationsApi::Post(const ApiRequest& r) {
  auto body = ReadDeclarationsBody(r.body, r.content_type);
  if (!body.ok()) {
    return Error(body.status().code() == StatusCode::kFailedPrecondition ? 415 : 400,
                 body.status().message());
  }
  IntakeResult parsed = ParseDeclarations(body->jsonl, options_.intake);
  if (!parsed.errors.empty()) {
    Json problems = Json::array();
    for (const IntakeProblem& p : parsed.errors) {
      if (p.line == 0) {
        problems.push_back(Problem(std::nullopt, std::nullopt, p.field, p.message));
        continue;
      }
      Where w = WhereOf(body->form, p.line);
      problems.push_back(Problem(w.index, w.line, p.field, p.message));
    }
    const IntakeProblem& first = parsed.errors.front();
    std::string head = first.line == 0 ? "body" : WhereOf(body->form, first.line).Text();
    if (!first.field.empty()) head += ": " + first.field;
    return Error(400,
                 head + ": " + first.message + " (" + std::to_string(parsed.errors.size()) +
                     " problem" + (parsed.errors.size() == 1 ? "" : "s") + "; nothing stored)",
                 std::move(problems));
  }
  std::vector<DeclarationFields> batch;
  batch.reserve(parsed.records.size());
  for (const IntakeRecord& rec : parsed.records) batch.push_back(rec.fields);
  auto report = [&]() -> StatusOr<AddReport> {
    if (options_.intake_writer) {
      return DeclarationStore::AddThrough(*options_.intake_writer, UnixMillis(clock_.Now()), batch);
    }
    std::lock_guard<std::mutex> lock(mu_);
    return store_.Add(batch);
  }();
  if (!report.ok()) return FromStatus(report.status());
  if (!report->committed) {
    Json problems = Json::array();
    std::string first;
    for (size_t i = 0; i < batch.size(); ++i) {
      if (report->results[i] != AddResult::kConflict) continue;
      Where w = WhereOf(body->form, parsed.records[i].line);
      const std::string id = std::to_string(report->ids[i]);
      std::string message = KeyOf(batch[i]).ToString() + " is already declared (id " + id +
                            ") with different content; PATCH /v1/declarations/" + id +
                            " changes it";
      if (first.empty()) first = w.Text() + ": " + message;
      problems.push_back(Problem(w.index, w.line, "", message));
    }
    return Error(409,
                 first + " (" + std::to_string(problems.size()) + " conflicting; nothing stored)",
                 std::move(problems));
  }
  Json records = Json::array();
  int created = 0, present = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    const bool added = report->results[i] == AddResult::kAdded;
    (added ? created : present)++;
    Where w = WhereOf(body->form, parsed.records[i].line);
    records.push_back({{"index", w.index ? Json(*w.index) : Json(nullptr)},
                       {"line", w.line ? Json(*w.line) : Json(nullptr)},
                       {"id", report->ids[i]},
                       {"result", added ? "created" : "already_present"},
                       {"mchid", batch[i].mchid},
                       {"out_trade_no", batch[i].out_trade_no},
                       {"sub_order_no", batch[i].sub_order_no},
                       {"customs", batch[i].customs}});
  }
  if (created > 0 && options_.on_new_work) options_.on_new_work();
  return {201, {{"created", created}, {"already_present", present}, {"declarations", records}}};
}

ApiResponse DeclarationsApi::PostIdempotent(const ApiRequest& r) {
  if (r.idempotency_key.size() > 255) {
    return Error(400, "Idempotency-Key: at most 255 characters");
  }
  const int64_t now = UnixMillis(clock_.Now());
  const std::string hash = Sha256Hex(r.method + " " + r.path + "\n" + r.body);
  auto stored = [&] {
    std::lock_guard<std::mutex> lock(mu_);
    return FindIdempotentAnswer(db_, r.idempotency_key, now);
  }();
  if (!stored.ok()) return FromStatus(stored.status());
  if (*stored) {
    if ((*stored)->request_sha256 != hash) {
      return Error(422, "Idempotency-Key was used within the last day for another request body");
    }
    Json body = Json::parse((*stored)->body, nullptr, false);
    if (!body.is_discarded()) return {(*stored)->status, std::move(body)};
  }
  ApiResponse answer = Post(r);
  // A 5xx is not final (the client is meant to try again), so it is not kept. A crash before
  // this write loses only the replay: the repeat then answers already_present, with the ids.
  // So does a repeat sent while the first is still running (both miss the lookup): the second
  // stores nothing new, answers already_present, and the first answer is the one kept.
  if (answer.status < 500) {
    std::lock_guard<std::mutex> lock(mu_);
    (void)SaveIdempotentAnswer(db_, r.idempotency_key, {hash, answer.status, Dump(answer.body)},
                               now);
  }
  return answer;
}

ApiResponse DeclarationsApi::GetOne(int64_t id) {
  auto record = store_.Get(id);
  if (!record.ok()) return FromStatus(record.status());
  auto events = store_.Events(id);
  if (!events.ok()) return FromStatus(events.status());
  Json j = RecordToJson(*record);
  Json history = Json::array();
  for (const Event& e : *events) history.push_back(EventToJson(e));
  j["history"] = std::move(history);
  AlertFilter alerts_of;
  alerts_of.include_acknowledged = true;
  alerts_of.declaration_id = id;
  auto alerts = ListAlerts(db_, alerts_of);
  if (!alerts.ok()) return FromStatus(alerts.status());
  j["alerts"] = Json::array();
  for (const AlertRecord& a : *alerts) j["alerts"].push_back(AlertToJson(a));
  auto notifications = NotificationsOf(db_, id);
  if (!notifications.ok()) return FromStatus(notifications.status());
  j["notifications"] = Json::array();
  for (const DeclarationNotification& n : *notifications) {
    j["notifications"].push_back(NotificationToJson(n));
  }
  return {200, std::move(j)};
}

ApiResponse DeclarationsApi::List(const ApiRequest& r) {
  ListFilter filter;
  filter.limit = kDefaultLimit;
  for (const auto& [name, value] : r.params) {
    if (name == "out_trade_no") {
      filter.out_trade_no = value;
    } else if (name == "transaction_id") {
      filter.transaction_id = value;
    } else if (name == "sub_order_no") {
      filter.sub_order_no = value;
    } else if (name == "customs") {
      filter.customs = value;
    } else if (name == "mchid") {
      filter.mchid = value;
    } else if (name == "state") {
      filter.state = ParseState(value);
      if (!filter.state) {
        return Error(400,
                     "state: not a state (UNDECLARED, SUBMITTED, PROCESSING, SUCCESS, "
                     "FAIL, EXCEPT)");
      }
    } else if (name == "phase") {
      filter.phase = ParsePhase(value);
      if (!filter.phase) return Error(400, "phase: not a phase (see GET /v1/openapi.json)");
    } else if (name == "limit") {
      std::optional<int64_t> limit = ParseId(value);
      if (!limit || *limit > kMaxLimit) return Error(400, "limit: must be 1 to 1000");
      filter.limit = static_cast<int>(*limit);
    } else if (name == "cursor") {
      filter.before_id = ParseId(value);
      if (!filter.before_id) return Error(400, "cursor: not a cursor this API gave out");
    } else {
      return Error(400, name +
                            ": not a filter (out_trade_no, sub_order_no, transaction_id, customs, "
                            "mchid, state, phase, limit, cursor)");
    }
  }
  const int limit = filter.limit;
  filter.limit = limit + 1;  // one more tells whether there is a next page
  auto records = store_.List(filter);
  if (!records.ok()) return FromStatus(records.status());
  Json list = Json::array();
  Json next = nullptr;
  for (size_t i = 0; i < records->size(); ++i) {
    if (static_cast<int>(i) == limit) {
      next = std::to_string((*records)[i - 1].id);
      break;
    }
    list.push_back(RecordToJson((*records)[i]));
  }
  return {200, {{"declarations", std::move(list)}, {"next_cursor", next}}};
}

ApiResponse DeclarationsApi::Stats(const ApiRequest& r) {
  std::vector<std::string> names;
  std::vector<int64_t> since;
  for (const auto& [name, value] : r.params) {
    if (name != "day_start" && name != "week_start") {
      return Error(400, name + ": not a parameter of /v1/stats (day_start, week_start)");
    }
    std::optional<int64_t> at = ParseRfc3339(value);
    if (!at) return Error(400, name + ": not an RFC 3339 time (2026-12-07T00:00:00+08:00)");
    names.push_back(name == "day_start" ? "created_today" : "created_this_week");
    since.push_back(*at);
  }
  auto stats = store_.Stats();
  if (!stats.ok()) return FromStatus(stats.status());
  auto created = store_.CountCreatedSince(since);
  if (!created.ok()) return FromStatus(created.status());
  Json j = StatsToJson(*stats, UnixMillis(clock_.Now()));
  j["created_today"] = nullptr;
  j["created_this_week"] = nullptr;
  for (size_t i = 0; i < names.size(); ++i) j[names[i]] = (*created)[i];
  Json holds = Json::array();
  if (options_.holds) {
    for (const auto& [scope, cause] : options_.holds()) {
      holds.push_back({{"mchid", scope.mchid},
                       {"customs", scope.whole_merchant() ? Json(nullptr) : Json(scope.customs)},
                       {"cause", cause}});
    }
  }
  j["holds"] = std::move(holds);
  return {200, std::move(j)};
}

ApiResponse DeclarationsApi::Change(int64_t id, const std::string& action, const ApiRequest& r) {
  std::string reason;
  if (!r.body.empty()) {
    if (Status s = CheckJsonText(r.body); !s.ok()) return Error(400, s.message());
    Json body = Json::parse(r.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return Error(400, "body: empty, or a JSON object");
    }
    for (const auto& [key, value] : body.items()) {
      if (action != "cancel" || key != "reason" || !value.is_string()) {
        return Error(400, PrintableName(key) + ": not a parameter of " + action +
                              (action == "cancel" ? " (only \"reason\", a string)" : ""));
      }
      reason = value.get<std::string>();
    }
  }
  auto record = store_.Get(id);
  if (!record.ok()) return FromStatus(record.status());
  const int64_t now = UnixMillis(clock_.Now());
  OperatorPlan plan;
  if (action == "cancel") {
    plan = PlanCancel(*record, reason);
  } else {
    auto unconfirmed = ModificationUnconfirmed(store_, *record);
    if (!unconfirmed.ok()) return FromStatus(unconfirmed.status());
    plan = action == "retry" ? PlanRetry(*record, *unconfirmed, now)
                             : PlanRedeclare(*record, *unconfirmed, now);
  }
  if (!plan.error.ok()) return Error(409, action + ": " + plan.error.message());
  if (!plan.skip.empty()) return Error(409, action + ": left alone: " + plan.skip);
  if (Status s = ApplyOperatorPlan(db_, store_, *record, plan, now); !s.ok()) {
    return FromStatus(s);
  }
  if (options_.on_new_work) options_.on_new_work();
  return GetOne(id);
}

ApiResponse DeclarationsApi::Modify(int64_t id, const ApiRequest& r) {
  if (Status s = CheckJsonText(r.body); !s.ok()) return Error(400, s.message());
  Json body = Json::parse(r.body, nullptr, false);
  if (body.is_discarded() || !body.is_object() || body.empty()) {
    return Error(400,
                 "body: a JSON object of the fields to change (merchant_customs_no, duty, "
                 "order_fee, transport_fee, product_fee)");
  }
  auto record = store_.Get(id);
  if (!record.ok()) return FromStatus(record.status());
  DeclarationFields fields = record->fields;
  Json problems = Json::array();
  for (const auto& [key, value] : body.items()) {
    const size_t index = DeclarationFieldIndex(key);
    if (index == kDeclarationFields.size() || !kDeclarationFields[index].modifiable) {
      problems.push_back(Problem(std::nullopt, std::nullopt, PrintableName(key),
                                 "cannot be changed (only merchant_customs_no, duty, order_fee, "
                                 "transport_fee, product_fee)"));
      continue;
    }
    const FieldSpec& spec = kDeclarationFields[index];
    if (spec.text != nullptr) {
      if (!value.is_string()) {
        problems.push_back(Problem(std::nullopt, std::nullopt, key, "must be a string"));
        continue;
      }
      fields.*spec.text = value.get<std::string>();
    } else if (value.is_null()) {
      fields.*spec.fen = std::nullopt;
    } else if (!value.is_number_integer()) {
      problems.push_back(Problem(std::nullopt, std::nullopt, key, std::string(kNotWholeFen)));
    } else {
      fields.*spec.fen = value.get<int64_t>();
    }
    if (spec.fen != nullptr && spec.fen != &DeclarationFields::duty &&
        record->fields.sub_order_no.empty()) {
      problems.push_back(Problem(std::nullopt, std::nullopt, key,
                                 "exists only on split orders (with a sub_order_no)"));
    }
  }
  if (problems.empty()) {
    for (const FieldError& e : ValidateDeclaration(fields)) {
      problems.push_back(Problem(std::nullopt, std::nullopt, e.field, e.message));
    }
  }
  if (!problems.empty()) {
    const Json& first = problems.front();
    return Error(400,
                 first["field"].get<std::string>() + ": " + first["message"].get<std::string>() +
                     " (nothing changed)",
                 std::move(problems));
  }
  if (fields == record->fields) return GetOne(id);  // nothing to change
  const int64_t now = UnixMillis(clock_.Now());
  OperatorPlan plan = PlanModify(*record, fields, now);
  if (!plan.error.ok()) return Error(409, "modify: " + plan.error.message());
  if (!plan.skip.empty()) return Error(409, "modify: left alone: " + plan.skip);
  if (Status s = ApplyOperatorPlan(db_, store_, *record, plan, now); !s.ok()) {
    return FromStatus(s);
  }
  if (options_.on_new_work) options_.on_new_work();
  return GetOne(id);
}

}  // namespace customsd
