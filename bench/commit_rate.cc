// commit_rate: SQLite's own commit rate on this disk, the yardstick the intake phase is read
// against. Opens a database customsd has migrated, with the daemon's settings (WAL,
// synchronous=FULL, so every commit is an fsync of the WAL), and commits N transactions, each
// adding R declarations as `declare` adds them (the declarations row and its `created` event),
// one thread, nothing else in the transaction. Prints one JSON object:
//   {"commits", "rows_per_commit", "wall_s", "commits_per_s", "rows_per_s"}
//
//   g++ -O2 -std=c++20 bench/commit_rate.cc -lsqlite3 -o commit_rate
//   commit_rate --db migrated.db --rows-per-commit 1 --commits 2000 --prefix C
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

void Check(int rc, sqlite3* db, const char* what) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return;
  std::fprintf(stderr, "commit_rate: %s: %s\n", what, sqlite3_errmsg(db));
  std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  std::string path, prefix = "C";
  long rows = 1, commits = 1000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string k = argv[i], v = argv[i + 1];
    if (k == "--db")
      path = v;
    else if (k == "--rows-per-commit")
      rows = std::atol(v.c_str());
    else if (k == "--commits")
      commits = std::atol(v.c_str());
    else if (k == "--prefix")
      prefix = v;
  }
  if (path.empty() || rows < 1 || commits < 1) {
    std::fprintf(stderr, "usage: commit_rate --db F [--rows-per-commit R] [--commits N]\n");
    return 2;
  }
  sqlite3* db = nullptr;
  Check(sqlite3_open(path.c_str(), &db), db, "open");
  Check(sqlite3_exec(db,
                     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                     "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000",
                     nullptr, nullptr, nullptr),
        db, "pragmas");
  sqlite3_stmt* decl = nullptr;
  sqlite3_stmt* event = nullptr;
  Check(sqlite3_prepare_v2(db,
                           "INSERT INTO declarations (appid, mchid, out_trade_no, transaction_id, "
                           "customs, merchant_customs_no, next_attempt_at, created_at, updated_at) "
                           "VALUES ('wxd678efh567hg6787', '1230000109', ?, ?, 'SHANGHAI_ZS', "
                           "'3120960ZK1', ?, ?, ?)",
                           -1, &decl, nullptr),
        db, "prepare declarations");
  Check(sqlite3_prepare_v2(db,
                           "INSERT INTO events (declaration_id, at, kind, to_state, to_phase, "
                           "message) VALUES (?, ?, 'created', 'UNDECLARED', 'submit', "
                           "'added by the benchmark')",
                           -1, &event, nullptr),
        db, "prepare events");
  long seq = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (long c = 0; c < commits; ++c) {
    Check(sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), db, "begin");
    for (long r = 0; r < rows; ++r) {
      ++seq;
      char order[64], txn[64];
      std::snprintf(order, sizeof order, "%s%012ld", prefix.c_str(), seq);
      std::snprintf(txn, sizeof txn, "44%026ld", seq);
      const sqlite3_int64 now = std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
      sqlite3_bind_text(decl, 1, order, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text(decl, 2, txn, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(decl, 3, now);
      sqlite3_bind_int64(decl, 4, now);
      sqlite3_bind_int64(decl, 5, now);
      Check(sqlite3_step(decl), db, "insert declaration");
      sqlite3_reset(decl);
      sqlite3_bind_int64(event, 1, sqlite3_last_insert_rowid(db));
      sqlite3_bind_int64(event, 2, now);
      Check(sqlite3_step(event), db, "insert event");
      sqlite3_reset(event);
    }
    Check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db, "commit");
  }
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  sqlite3_finalize(decl);
  sqlite3_finalize(event);
  sqlite3_close(db);
  std::printf(
      "{\"commits\":%ld,\"rows_per_commit\":%ld,\"wall_s\":%.3f,\"commits_per_s\":%.1f,"
      "\"rows_per_s\":%.1f}\n",
      commits, rows, wall, commits / wall, commits * rows / wall);
  return 0;
}
