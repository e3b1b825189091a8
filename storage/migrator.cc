#include "storage/migrator.h"

#include <SQLiteCpp/Statement.h>

namespace customsd {
namespace {

int ReadUserVersion(SQLite::Database& db) {
  SQLite::Statement q(db, "PRAGMA user_version");
  q.executeStep();
  return q.getColumn(0).getInt();
}

Status NewerSchemaError(const std::string& path, int found, int known) {
  return Status::FailedPrecondition(
      "database " + path + " has schema version " + std::to_string(found) +
      ", newer than this customsd knows (" + std::to_string(known) +
      "); run the newer customsd or restore a backup");
}

}  // namespace

StatusOr<int> SchemaVersion(Database& db) {
  try {
    return ReadUserVersion(db.sqlite());
  } catch (const std::exception& e) {
    return StatusFromException(e, "database " + db.path());
  }
}

StatusOr<MigrationReport> Migrate(Database& db, const std::vector<Migration>& migrations) {
  const int known = static_cast<int>(migrations.size());
  MigrationReport report;
  StatusOr<int> start = SchemaVersion(db);
  if (!start.ok()) return start.status();
  report.from_version = *start;
  report.to_version = *start;
  if (*start > known) return NewerSchemaError(db.path(), *start, known);

  for (int version = *start + 1; version <= known; ++version) {
    const Migration& m = migrations[version - 1];
    bool applied = false;
    Status s = db.Write([&](SQLite::Database& sql) -> Status {
      // Another process may have applied it while this one waited for the lock.
      int current = ReadUserVersion(sql);
      if (current > known) return NewerSchemaError(db.path(), current, known);
      if (current >= version) return Status::Ok();
      sql.exec(m.sql);
      sql.exec("PRAGMA user_version = " + std::to_string(version));
      applied = true;
      return Status::Ok();
    });
    if (!s.ok()) {
      return Status(s.code(), "migration " + m.name + ": " + s.message());
    }
    if (applied) report.applied.push_back(m.name);
    report.to_version = version;
  }
  return report;
}

StatusOr<MigrationReport> MigrateToLatest(Database& db) {
  return Migrate(db, EmbeddedMigrations());
}

}  // namespace customsd
