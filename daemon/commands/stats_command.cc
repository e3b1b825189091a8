// customsd stats: counts by state and phase, the oldest unfinished declaration, alerts pending.
#include <map>

#include "common/time_format.h"
#include "daemon/commands/commands.h"
#include "daemon/commands/record_output.h"
#include "storage/declaration_store.h"

namespace customsd {
namespace {

int RunStats(CommandEnv& env, bool json) {
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
  std::map<std::string, int64_t> by_state, by_phase;
  for (const auto& c : stats->counts) {
    by_state[std::string(ToString(c.state))] += c.declarations;
    by_phase[std::string(ToString(c.phase))] += c.declarations;
  }

  if (json) {
    nlohmann::json j;
    j["total"] = stats->total;
    j["by_state"] = by_state;
    j["by_phase"] = by_phase;
    j["by_state_phase"] = nlohmann::json::array();
    for (const auto& c : stats->counts) {
      j["by_state_phase"].push_back(
          {{"state", ToString(c.state)}, {"phase", ToString(c.phase)}, {"count", c.declarations}});
    }
    j["oldest_unfinished_created_at"] =
        stats->oldest_unfinished_created_at
            ? nlohmann::json(FormatRfc3339(*stats->oldest_unfinished_created_at))
            : nlohmann::json(nullptr);
    j["oldest_unfinished_age_seconds"] =
        age_ms ? nlohmann::json(*age_ms / 1000) : nlohmann::json(nullptr);
    j["alerts_pending"] = stats->alerts_pending;
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
          << (age_ms ? FormatRfc3339(*stats->oldest_unfinished_created_at) + " (" +
                           FormatAge(std::chrono::milliseconds(*age_ms)) + " ago)"
                     : std::string("none"))
          << "\nalerts pending: " << stats->alerts_pending << "\n";
  return kExitOk;
}

}  // namespace

void AddStatsCommand(CLI::App& app, CommandEnv& env) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("stats", "counts by state and phase, oldest unfinished, "
                                              "alerts pending");
  cmd->add_flag("--json", *json, "print JSON");
  cmd->callback([json, &env] { env.exit_code = RunStats(env, *json); });
}

}  // namespace customsd
