// customsd stats: counts by state and phase, the oldest unfinished declaration, alerts pending.
#include "common/time_format.h"
#include "daemon/api/stats_json.h"
#include "daemon/commands/commands.h"
#include "daemon/commands/record_output.h"
#include "storage/declaration_store.h"

namespace customsd {
namespace {

int RunStats(CommandEnv& env) {
  const OutputOptions& o = env.output;
  auto config = LoadCommandConfig(env);
  if (!config.ok()) return Fail(env, config.status());
  auto db = OpenDatabaseFor(*config, OpenMode::kExisting, /*quick_check=*/false);
  if (!db.ok()) return Fail(env, db.status());
  DeclarationStore store(**db, env.clock);
  auto stats = store.Stats();
  if (!stats.ok()) return Fail(env, stats.status());

  const int64_t now = UnixMillis(env.clock.Now());
  std::optional<int64_t> age_ms;
  if (stats->oldest_unfinished_created_at) {
    age_ms = now - *stats->oldest_unfinished_created_at;
  }

  if (!o.table()) {
    if (o.format != OutputFormat::kJson) {
      // Rows for jsonl and csv: one per (state, phase), the totals in the JSON form only.
      std::vector<nlohmann::json> rows;
      for (const auto& c : stats->counts) {
        rows.push_back({{"state", ToString(c.state)},
                        {"phase", ToString(c.phase)},
                        {"count", c.declarations}});
      }
      PrintItems(env.out, o.format, rows, {"state", "phase", "count"});
      return kExitOk;
    }
    const nlohmann::json j = StatsToJson(*stats, now);
    env.out << j.dump(2) << "\n";
    return kExitOk;
  }

  std::vector<std::vector<std::string>> rows{{"STATE", "PHASE", "COUNT"}};
  for (const auto& c : stats->counts) {
    rows.push_back({std::string(ToString(c.state)), std::string(ToString(c.phase)),
                    std::to_string(c.declarations)});
  }
  rows.push_back({"total", "", std::to_string(stats->total)});
  PrintTable(env.out, rows);
  env.out << "\noldest unfinished: "
          << (age_ms ? o.Time(*stats->oldest_unfinished_created_at) + " (" +
                           FormatAge(std::chrono::milliseconds(*age_ms)) + " ago)"
                     : std::string("none"))
          << "\nalerts pending: " << stats->alerts_pending << "\n";
  if (stats->notifications_undelivered > 0 || stats->notify_receivers_failing > 0) {
    env.out << "notifications undelivered: " << stats->notifications_undelivered << " ("
            << stats->notify_receivers_failing << " receiver(s) failing)\n";
    for (const StoreStats::Receiver& r : stats->receivers) {
      if (r.undelivered == 0 && r.failures == 0) continue;
      env.out << "  " << r.receiver << ": " << r.undelivered << " undelivered, " << r.failures
              << " failure(s) in a row\n";
    }
  }
  return kExitOk;
}

}  // namespace

void AddStatsCommand(CLI::App& app, CommandEnv& env) {
  CLI::App* cmd = app.add_subcommand("stats",
                                     "counts by state and phase, oldest unfinished, "
                                     "alerts pending");
  AddOutputOptions(*cmd, env);
  cmd->callback([&env] { env.exit_code = RunStats(env); });
}

}  // namespace customsd
