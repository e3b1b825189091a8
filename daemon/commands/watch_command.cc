// customsd watch [--interval 2s] [--last N] [--once]: live counts by state and phase and the
// latest transitions, like `kubectl get -w`.
//
// - On a terminal (stdout, table output) it redraws one screen every --interval: the counts,
//   alerts pending, and the last N events.
// - Anywhere else (a pipe, a file) it prints the counts block once, a header, then one line per
//   event as it appears, and nothing else, so it can be piped to grep or awk:
//     TIME ID OUT_TRADE_NO SUB_ORDER_NO CUSTOMS EVENT STATE PHASE ERROR
//   one space apart, '-' for an empty field, a change written FROM->TO. Only events recorded
//   after it started are printed.
// - -o json / jsonl prints JSON Lines instead: one object with the counts, then one object per
//   event (EventToJson plus the declaration's key). -o csv is refused.
// - --once prints one snapshot (counts and the last N events) and exits: for scripts and tests.
//   With -o json it is one JSON document.
//
// SIGINT, SIGTERM and SIGHUP stop it with exit 0, and so does a reader that goes away (a closed
// pipe). It only reads: after the checks every command makes, it keeps one read-only
// connection, so it can never change the database and works for members of the database's
// group. The wait between refreshes is measured on the injected clock.
#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <sstream>

#include "daemon/commands/commands.h"
#include "daemon/commands/record_output.h"
#include "daemon/config/duration.h"
#include "daemon/process/signal_events.h"
#include "storage/declaration_store.h"
#include "storage/event_feed.h"

namespace customsd {
namespace {

struct WatchOptions {
  std::string interval = "2s";
  int last = 10;
  bool once = false;
};

std::string Dash(const std::string& s) { return s.empty() ? "-" : s; }

template <typename T>
std::string Change(const std::optional<T>& from, const std::optional<T>& to) {
  const std::string a = from ? std::string(ToString(*from)) : "";
  const std::string b = to ? std::string(ToString(*to)) : "";
  if (a.empty() || a == b) return Dash(b.empty() ? a : b);
  return a + "->" + Dash(b);
}

std::vector<std::string> EventCells(const KeyedEvent& w, const OutputOptions& o) {
  const Event& e = w.event;
  return {o.Time(e.at),          std::to_string(e.declaration_id),
          w.key.out_trade_no,    Dash(w.key.sub_order_no),
          w.key.customs,         Dash(e.kind),
          Change(e.from_state, e.to_state), Change(e.from_phase, e.to_phase),
          Dash(e.error_code)};
}

const std::vector<std::string> kEventHeader = {"TIME",  "ID",    "OUT_TRADE_NO",
                                               "SUB_ORDER_NO", "CUSTOMS", "EVENT",
                                               "STATE", "PHASE", "ERROR"};

std::string JoinCells(const std::vector<std::string>& cells) {
  std::string line;
  for (const std::string& c : cells) line += (line.empty() ? "" : " ") + c;
  return line;
}

nlohmann::json EventJson(const KeyedEvent& w) {
  nlohmann::json j = EventToJson(w.event);
  j["declaration_id"] = w.event.declaration_id;
  j["mchid"] = w.key.mchid;
  j["out_trade_no"] = w.key.out_trade_no;
  j["sub_order_no"] = w.key.sub_order_no;
  j["customs"] = w.key.customs;
  return j;
}

nlohmann::json CountsJson(const StoreStats& stats) {
  nlohmann::json j;
  j["total"] = stats.total;
  j["counts"] = nlohmann::json::array();
  for (const auto& c : stats.counts) {
    j["counts"].push_back(
        {{"state", ToString(c.state)}, {"phase", ToString(c.phase)}, {"count", c.declarations}});
  }
  j["alerts_pending"] = stats.alerts_pending;
  return j;
}

void PrintCounts(std::ostream& out, const StoreStats& stats) {
  std::vector<std::vector<std::string>> rows{{"STATE", "PHASE", "COUNT"}};
  for (const auto& c : stats.counts) {
    rows.push_back({std::string(ToString(c.state)), std::string(ToString(c.phase)),
                    std::to_string(c.declarations)});
  }
  rows.push_back({"total", "", std::to_string(stats.total)});
  PrintTable(out, rows);
  out << "alerts pending: " << stats.alerts_pending << "\n";
}

void PrintEventTable(std::ostream& out, const std::vector<KeyedEvent>& events,
                     const OutputOptions& o) {
  std::vector<std::vector<std::string>> rows{kEventHeader};
  for (const KeyedEvent& w : events) rows.push_back(EventCells(w, o));
  PrintTable(out, rows);
}

class Watcher {
 public:
  Watcher(CommandEnv& env, Database& db, const WatchOptions& opt)
      : env_(env), db_(db), store_(db, env.clock), opt_(opt) {}

  // --once: counts and the last N events.
  Status Snapshot() {
    auto stats = store_.Stats();
    if (!stats.ok()) return stats.status();
    auto events = ReadEventFeed(db_, -1, opt_.last);
    if (!events.ok()) return events.status();
    if (env_.output.table()) {
      PrintCounts(env_.out, *stats);
      env_.out << "\nlatest transitions:\n";
      PrintEventTable(env_.out, *events, env_.output);
      return Status::Ok();
    }
    nlohmann::json j = CountsJson(*stats);
    j["events"] = nlohmann::json::array();
    for (const KeyedEvent& w : *events) j["events"].push_back(EventJson(w));
    env_.out << (env_.output.format == OutputFormat::kJson ? j.dump(2) : j.dump()) << "\n";
    return Status::Ok();
  }

  // The screen a terminal shows: redrawn whole each time.
  Status Redraw(std::chrono::milliseconds interval) {
    auto stats = store_.Stats();
    if (!stats.ok()) return stats.status();
    auto events = ReadEventFeed(db_, -1, opt_.last);
    if (!events.ok()) return events.status();
    std::ostringstream screen;
    screen << "\x1b[H\x1b[2J"
           << "customsd watch, every " << FormatDuration(interval) << ", "
           << env_.output.Time(UnixMillis(env_.clock.Now())) << " (Ctrl-C to stop)\n\n";
    PrintCounts(screen, *stats);
    screen << "\nlatest transitions:\n";
    PrintEventTable(screen, *events, env_.output);
    env_.out << screen.str() << std::flush;
    return Status::Ok();
  }

  // The stream's start: the counts once, then (text) the header of the event lines.
  Status StartStream() {
    auto last = LastEventId(db_);
    if (!last.ok()) return last.status();
    last_id_ = *last;
    auto stats = store_.Stats();
    if (!stats.ok()) return stats.status();
    if (env_.output.table()) {
      PrintCounts(env_.out, *stats);
      env_.out << "\n" << JoinCells(kEventHeader) << "\n";
    } else {
      env_.out << CountsJson(*stats).dump() << "\n";
    }
    env_.out << std::flush;
    return Status::Ok();
  }

  // Every event since the last call, one line each, in order.
  Status StreamNew() {
    constexpr int kBatch = 500;
    for (;;) {
      auto events = ReadEventFeed(db_, last_id_, kBatch);
      if (!events.ok()) return events.status();
      for (const KeyedEvent& w : *events) {
        env_.out << (env_.output.table() ? JoinCells(EventCells(w, env_.output))
                                         : EventJson(w).dump())
                 << "\n";
        last_id_ = w.event.id;
      }
      if (events->size() < static_cast<size_t>(kBatch)) break;
    }
    env_.out << std::flush;
    return Status::Ok();
  }

 private:
  CommandEnv& env_;
  Database& db_;
  DeclarationStore store_;
  const WatchOptions& opt_;
  int64_t last_id_ = 0;
};

bool StdoutIsTerminal(const CommandEnv& env) {
  return &env.out == &std::cout && ::isatty(STDOUT_FILENO) == 1;
}

// A read-only connection, after the checks every command makes (the database exists, its
// schema is the one this binary knows, a root caller has become its owner).
StatusOr<std::unique_ptr<Database>> OpenReadOnly(const Config& config) {
  auto checked = OpenDatabaseFor(config, OpenMode::kExisting, /*quick_check=*/false);
  if (!checked.ok()) return checked.status();
  DatabaseOptions options;
  options.read_only = true;
  options.create = false;
  options.quick_check = false;
  return Database::Open(config.database.path, options);
}

int RunWatch(CommandEnv& env, const WatchOptions& opt) {
  auto interval = ParseDuration(opt.interval);
  if (!interval.ok()) return Fail(env, Status::InvalidInput("--interval: " + interval.status().message()));
  if (*interval < std::chrono::milliseconds(100) || *interval > std::chrono::hours(1)) {
    return Fail(env, Status::InvalidInput("--interval: must be from 100ms to 1h"));
  }
  if (env.output.format == OutputFormat::kCsv) {
    return Fail(env, Status::InvalidInput("-o csv: watch prints table, json or jsonl"));
  }
  auto config = LoadCommandConfig(env);
  if (!config.ok()) return Fail(env, config.status());
  auto db = OpenReadOnly(*config);
  if (!db.ok()) return Fail(env, db.status());
  Watcher watcher(env, **db, opt);
  if (opt.once) {
    Status s = watcher.Snapshot();
    return s.ok() ? kExitOk : Fail(env, s);
  }

  // Signals become events on this loop, so a stop arrives between two refreshes, never in the
  // middle of a line.
  auto signals = SignalEvents::Create();
  if (!signals.ok()) return Fail(env, signals.status());
  const bool redraw = env.output.table() && StdoutIsTerminal(env);
  if (!redraw) {
    if (Status s = watcher.StartStream(); !s.ok()) return Fail(env, s);
  }
  const int fds[] = {(*signals)->fd()};
  TimePoint next = env.clock.Now();
  for (;;) {
    Status s = redraw ? watcher.Redraw(*interval) : watcher.StreamNew();
    if (!s.ok()) return Fail(env, s);
    if (!env.out) return kExitOk;  // the reader went away (SIGPIPE is ignored: EPIPE)
    next += *interval;
    const TimePoint now = env.clock.Now();
    if (next < now) next = now + *interval;  // fell behind (a slow read): no burst of refreshes
    auto ready = WaitForEvents(fds, std::chrono::duration_cast<std::chrono::milliseconds>(next - now));
    if (!ready.ok()) return Fail(env, ready.status());
    if (!ready->empty() && (*signals)->Read()) {
      if (redraw) env.out << "\n" << std::flush;
      return kExitOk;
    }
  }
}

}  // namespace

void AddWatchCommand(CLI::App& app, CommandEnv& env) {
  auto opt = std::make_shared<WatchOptions>();
  CLI::App* cmd = app.add_subcommand(
      "watch", "live counts by state and phase and the latest transitions (read-only)");
  cmd->add_option("--interval", opt->interval, "refresh every (100ms to 1h)");
  cmd->add_option("--last", opt->last, "how many latest transitions a screen or --once shows")
      ->check(CLI::Range(0, 1000));
  cmd->add_flag("--once", opt->once, "print one snapshot and exit");
  AddOutputOptions(*cmd, env);
  cmd->footer(
      "On a terminal the screen is redrawn; piped, it prints the counts once and then one line "
      "per new event (TIME ID OUT_TRADE_NO SUB_ORDER_NO CUSTOMS EVENT STATE PHASE ERROR). "
      "SIGINT or SIGTERM stop it with exit 0.");
  cmd->callback([opt, &env] { env.exit_code = RunWatch(env, *opt); });
}

}  // namespace customsd
