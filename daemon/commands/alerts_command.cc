// customsd alerts [list]: the open alerts, newest first (--all adds acknowledged ones), filtered
// by cause, merchant, declaration and time, a page at a time like `list` (--after ID).
// customsd alerts ack ID... | --all [filters] [--yes]: marks alerts as seen by this operator.
//
// Acknowledging is bookkeeping for people: delivery goes on regardless, and the daemon never
// reads it. It records who ($SUDO_USER when run through sudo, else the login name) and when,
// so the open list is what nobody has looked at yet. Naming an alert that does not exist is
// exit 3 and acknowledges none of the others (a typo in a list of IDs is caught whole).
// `ack --all` acknowledges every open alert the filters match: like the bulk declaration
// commands it says how many and asks on a terminal, and off a terminal needs --yes (exit 2).
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/time_format.h"
#include "daemon/api/record_json.h"
#include "daemon/commands/commands.h"
#include "daemon/commands/time_flag.h"
#include "storage/alert_list.h"

namespace customsd {
namespace {

struct AlertsOptions {
  bool all = false;
  std::string cause, mchid, since, until;
  std::optional<int64_t> declaration, after;
  int limit = 50;
  // ack
  std::vector<int64_t> ids;
  bool ack_all = false;
  bool yes = false;

  bool filtered() const {
    return !cause.empty() || !mchid.empty() || declaration || !since.empty() || !until.empty();
  }
};

Status BuildFilter(const AlertsOptions& opt, AlertFilter* f) {
  f->include_acknowledged = opt.all;
  f->cause = opt.cause;
  f->mchid = opt.mchid;
  f->declaration_id = opt.declaration;
  if (!opt.since.empty()) {
    auto t = ParseTimeFlag("--since", opt.since);
    if (!t.ok()) return t.status();
    f->created_since = *t;
  }
  if (!opt.until.empty()) {
    auto t = ParseTimeFlag("--until", opt.until);
    if (!t.ok()) return t.status();
    f->created_until = *t;
  }
  f->before_id = opt.after;
  // One more than asked tells whether the page is the last.
  f->limit = opt.limit > 0 ? opt.limit + 1 : 0;
  return Status::Ok();
}

// Who acknowledges: the person behind sudo, else the login name, else the user of the process.
// Read before the database is opened, which may switch a root process to the database's owner.
std::string OperatorName() {
  if (const char* sudo = std::getenv("SUDO_USER"); sudo != nullptr && *sudo != '\0') return sudo;
  char login[256];
  if (::getlogin_r(login, sizeof login) == 0 && login[0] != '\0') return login;
  if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr) return pw->pw_name;
  return "uid " + std::to_string(::getuid());
}

std::string Delivery(const AlertRecord& a, const OutputOptions& o) {
  if (a.delivered_at) return o.Time(*a.delivered_at);
  if (a.in_digest) return "in the next digest";
  if (a.attempts > 0) return "retrying (" + std::to_string(a.attempts) + " failed)";
  return "pending";
}

void PrintAlerts(CommandEnv& env, const std::vector<AlertRecord>& alerts, bool all) {
  const OutputOptions& o = env.output;
  if (!o.table()) {
    std::vector<nlohmann::json> items;
    for (const AlertRecord& a : alerts) items.push_back(AlertToJson(a));
    PrintItems(env.out, o.format, items,
               {"id", "cause", "mchid", "declaration_id", "summary", "created_at", "delivered_at",
                "attempts", "last_error", "in_digest", "acknowledged_at", "acknowledged_by"});
    return;
  }
  if (alerts.empty()) {
    env.out << (all ? "no alerts match\n" : "no open alerts match\n");
    return;
  }
  std::vector<std::vector<std::string>> rows = {
      {"ID", "RAISED", "CAUSE", "MERCHANT", "DECLARATION", "DELIVERED", "ACKNOWLEDGED", "SUMMARY"}};
  for (const AlertRecord& a : alerts) {
    rows.push_back({std::to_string(a.id), o.Time(a.created_at), a.cause, a.mchid,
                    a.declaration_id ? std::to_string(*a.declaration_id) : "", Delivery(a, o),
                    a.acknowledged_at ? a.acknowledged_by + " " + o.Time(*a.acknowledged_at) : "",
                    a.summary});
  }
  PrintTable(env.out, rows);
}

int RunList(CommandEnv& env, const AlertsOptions& opt) {
  AlertFilter filter;
  if (Status s = BuildFilter(opt, &filter); !s.ok()) return Fail(env, s);
  auto config = LoadCommandConfig(env);
  if (!config.ok()) return Fail(env, config.status());
  auto db = OpenDatabaseFor(*config, OpenMode::kExisting, /*quick_check=*/false);
  if (!db.ok()) return Fail(env, db.status());
  auto alerts = ListAlerts(**db, filter);
  if (!alerts.ok()) return Fail(env, alerts.status());
  const bool more = opt.limit > 0 && static_cast<int>(alerts->size()) > opt.limit;
  if (more) alerts->resize(opt.limit);
  PrintAlerts(env, *alerts, opt.all);
  if (more) {
    env.err << "note: stopped at --limit " << opt.limit << "; more match: the next page is "
            << "'customsd alerts ... --after " << alerts->back().id << "'\n";
  }
  return kExitOk;
}

std::string Plural(size_t n) { return std::to_string(n) + (n == 1 ? " alert" : " alerts"); }

// --all goes ahead with --yes, or when the operator says so at a terminal; nullopt = go on.
std::optional<int> Confirm(CommandEnv& env, const AlertsOptions& opt, size_t count) {
  if (opt.yes || count == 0) return std::nullopt;
  return ConfirmBulkChange(env, "alerts ack: " + Plural(count) + " would be acknowledged",
                           "add --yes to go ahead");
}

void PrintAcknowledged(CommandEnv& env, const std::vector<int64_t>& ids,
                       const std::vector<AlertRecord>& earlier, const std::string& by,
                       int64_t now) {
  for (const AlertRecord& a : earlier) {
    env.err << "note: alert " << a.id << " was acknowledged already, by " << a.acknowledged_by
            << " at " << env.output.Time(*a.acknowledged_at) << "\n";
  }
  if (!env.output.table()) {
    std::vector<nlohmann::json> items;
    for (int64_t id : ids) {
      items.push_back(
          {{"id", id}, {"acknowledged_by", by}, {"acknowledged_at", FormatRfc3339(now)}});
    }
    PrintItems(env.out, env.output.format, items, {"id", "acknowledged_by", "acknowledged_at"});
    return;
  }
  std::string list;
  for (int64_t id : ids) list += (list.empty() ? "" : ", ") + std::to_string(id);
  env.out << "alerts ack: " << Plural(ids.size()) << " acknowledged by " << by
          << (ids.empty() ? "" : " (" + list + ")") << "\n";
}

int RunAck(CommandEnv& env, const AlertsOptions& opt) {
  if (opt.ids.empty() == !opt.ack_all) {
    return Fail(env,
                Status::InvalidInput(opt.ack_all ? "alerts ack: give alert IDs or --all, not both"
                                                 : "alerts ack: give alert IDs, or --all "
                                                   "for every open alert the filters match"));
  }
  if (!opt.ids.empty() && opt.filtered()) {
    return Fail(env, Status::InvalidInput("alerts ack: the filters (--cause, --merchant, "
                                          "--declaration, --since, --until) go with --all, "
                                          "not with IDs"));
  }
  AlertFilter filter;
  if (Status s = BuildFilter(opt, &filter); !s.ok()) return Fail(env, s);
  const std::string by = OperatorName();
  auto config = LoadCommandConfig(env);
  if (!config.ok()) return Fail(env, config.status());
  auto db = OpenDatabaseFor(*config, OpenMode::kExisting, /*quick_check=*/false);
  if (!db.ok()) return Fail(env, db.status());
  const int64_t now = UnixMillis(env.clock.Now());
  if (!opt.ids.empty()) {
    auto result = AcknowledgeAlerts(**db, opt.ids, by, now);
    if (!result.ok()) {
      Status s = result.status();
      if (s.code() == StatusCode::kNotFound) {
        s = Status::NotFound(s.message() + "; nothing acknowledged");
      }
      return Fail(env, s);
    }
    PrintAcknowledged(env, result->acknowledged, result->earlier, by, now);
    return kExitOk;
  }
  filter.limit = 0;
  filter.before_id.reset();
  auto open = ListAlerts(**db, filter);
  if (!open.ok()) return Fail(env, open.status());
  if (auto stop = Confirm(env, opt, open->size())) return *stop;
  auto ids = AcknowledgeMatching(**db, filter, by, now);
  if (!ids.ok()) return Fail(env, ids.status());
  PrintAcknowledged(env, *ids, {}, by, now);
  return kExitOk;
}

}  // namespace

void AddAlertsCommand(CLI::App& app, CommandEnv& env) {
  auto opt = std::make_shared<AlertsOptions>();
  CLI::App* cmd =
      app.add_subcommand("alerts", "list alerts (open ones unless --all), or acknowledge them");
  cmd->add_flag("--all", opt->all, "acknowledged alerts too");
  cmd->add_option("--cause", opt->cause, "only this cause (e.g. FAIL, attention, merchant_held)");
  cmd->add_option("--mchid,--merchant", opt->mchid, "only this merchant");
  cmd->add_option("--declaration", opt->declaration, "only alerts about this declaration ID");
  cmd->add_option("--since", opt->since, "raised at or after (2026-12-05 or RFC 3339)");
  cmd->add_option("--until", opt->until, "raised before (2026-12-05 or RFC 3339)");
  cmd->add_option("--after", opt->after, "the page after this alert ID (older alerts)");
  cmd->add_option("--limit", opt->limit, "at most N alerts (0 = all)")
      ->check(CLI::NonNegativeNumber);
  AddOutputOptions(*cmd, env);
  cmd->add_subcommand("list", "list alerts (the default)");
  CLI::App* ack = cmd->add_subcommand("ack", "acknowledge alerts: IDs, or --all the filters match");
  ack->add_option("ID", opt->ids, "alert IDs, as `customsd alerts` shows them");
  ack->add_flag("--all", opt->ack_all, "every open alert the filters match");
  ack->add_flag("-y,--yes", opt->yes, "do not ask before acknowledging many");
  cmd->callback(
      [opt, ack, &env] { env.exit_code = ack->parsed() ? RunAck(env, *opt) : RunList(env, *opt); });
}

}  // namespace customsd
