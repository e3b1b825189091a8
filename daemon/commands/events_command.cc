// customsd events [--since ID] [--limit N] [--json]: the result notifications, oldest first,
// for an order system that prefers to pull rather than receive [[notify]] POSTs. Each is an
// event of the declaration's history (its ID is events.id, the same `event_id` a notification
// carries), so `--since` the last ID seen gives exactly the ones after it. JSON output is the
// notification bodies themselves (daemon/api/notify_deliverer.h).
#include <nlohmann/json.hpp>

#include "daemon/api/notify_deliverer.h"
#include "daemon/commands/commands.h"
#include "storage/declaration_store.h"
#include "storage/notification_feed.h"

namespace customsd {
namespace {

struct EventsOptions {
  int64_t since = 0;
  int limit = 100;
};

int RunEvents(CommandEnv& env, const EventsOptions& opt) {
  auto config = LoadCommandConfig(env);
  if (!config.ok()) return Fail(env, config.status());
  auto db = OpenDatabaseFor(*config, OpenMode::kExisting, /*quick_check=*/false);
  if (!db.ok()) return Fail(env, db.status());
  auto notifications = ReadNotifications(**db, opt.since, opt.limit);
  if (!notifications.ok()) return Fail(env, notifications.status());
  DeclarationStore store(**db, env.clock);
  std::vector<nlohmann::json> items;
  std::vector<std::vector<std::string>> rows = {{"EVENT", "AT", "TYPE", "DECLARATION"}};
  for (const Notification& n : *notifications) {
    auto record = store.Get(n.declaration_id);
    const DeclarationRecord* r = record.ok() ? &*record : nullptr;
    if (env.output.table()) {
      rows.push_back({std::to_string(n.event_id), env.output.Time(n.at), n.type,
                      r != nullptr
                          ? KeyOf(r->fields).ToString() + " (id " + std::to_string(r->id) + ")"
                          : "id " + std::to_string(n.declaration_id)});
    } else {
      nlohmann::json j = NotificationJson(n, r);
      if (env.output.format == OutputFormat::kCsv) {
        j["declaration"] = n.declaration_id;  // a CSV cell holds the ID, not the record
      }
      items.push_back(std::move(j));
    }
  }
  if (!env.output.table()) {
    PrintItems(env.out, env.output.format, items,
               {"event_id", "type", "created_at", "declaration"});
  } else if (notifications->empty()) {
    env.out << "no notifications after event " << opt.since << "\n";
  } else {
    PrintTable(env.out, rows);
    if (static_cast<int>(notifications->size()) == opt.limit) {
      env.out << "more: customsd events --since " << notifications->back().event_id << "\n";
    }
  }
  return kExitOk;
}

}  // namespace

void AddEventsCommand(CLI::App& app, CommandEnv& env) {
  auto opt = std::make_shared<EventsOptions>();
  CLI::App* cmd = app.add_subcommand(
      "events", "list result notifications (settled, needs attention, re-pushed), oldest first");
  cmd->add_option("--since", opt->since, "only those after this event ID");
  cmd->add_option("--limit", opt->limit, "at most N (0 = all)")->check(CLI::NonNegativeNumber);
  AddOutputOptions(*cmd, env);
  cmd->callback([opt, &env] { env.exit_code = RunEvents(env, *opt); });
}

}  // namespace customsd
