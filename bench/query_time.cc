// query_time: how long one SQL statement takes on a database, the way customsd's engine runs it
// (prepare, step through every row reading every column, finalize, inside BEGIN ... COMMIT).
//
//   query_time DB 'SQL' [RUNS]
//
// Opens DB read-only, runs the statement RUNS times (default 7) and prints one JSON object:
// {"rows":R,"first_ms":..,"median_ms":..,"min_ms":..}. first_ms is the first run on a fresh
// connection (empty SQLite cache, the OS page cache as it is); median_ms and min_ms are over all
// runs. Exit 0, or 1 with a message on stderr.
//
// Build: g++ -O2 -std=c++20 bench/query_time.cc -lsqlite3 -o query_time
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "query_time: %s\n", message.c_str());
  std::exit(1);
}

void Exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    Die(std::string(sql) + ": " + (error != nullptr ? error : "?"));
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) Die("usage: query_time DB SQL [RUNS]");
  const int runs = argc > 3 ? std::max(1, std::atoi(argv[3])) : 7;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    Die(std::string("cannot open ") + argv[1]);
  }
  sqlite3_busy_timeout(db, 5000);
  std::vector<double> ms;
  long rows = 0;
  size_t sink = 0;
  for (int run = 0; run < runs; ++run) {
    const auto t0 = std::chrono::steady_clock::now();
    Exec(db, "BEGIN");
    sqlite3_stmt* q = nullptr;
    if (sqlite3_prepare_v2(db, argv[2], -1, &q, nullptr) != SQLITE_OK) {
      Die(std::string("cannot prepare: ") + sqlite3_errmsg(db));
    }
    rows = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
      ++rows;
      for (int c = 0; c < sqlite3_column_count(q); ++c) {
        const unsigned char* text = sqlite3_column_text(q, c);
        if (text != nullptr) sink += static_cast<size_t>(sqlite3_column_bytes(q, c));
      }
    }
    if (rc != SQLITE_DONE) Die(std::string("step: ") + sqlite3_errmsg(db));
    sqlite3_finalize(q);
    Exec(db, "COMMIT");
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  sqlite3_close(db);
  const double first = ms.front();
  std::sort(ms.begin(), ms.end());
  std::printf("{\"rows\":%ld,\"first_ms\":%.3f,\"median_ms\":%.3f,\"min_ms\":%.3f,\"bytes\":%zu}\n",
              rows, first, ms[ms.size() / 2], ms.front(), sink);
  return 0;
}
