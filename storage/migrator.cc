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
  if (*start == known) return report;

  // A migration may rebuild a table others refer to (SQLite's way to change a constraint):
  // foreign keys are off while migrations run, as SQLite's ALTER TABLE page prescribes, and
  // each migration's result is checked before it commits. The pragma is a no-op inside a
  // transaction, so it is set around them.
  try {
    db.sqlite().exec("PRAGMA foreign_keys=OFF");
  } catch (const std::exception& e) {
    return StatusFromException(e, "database " + db.path());
  }
  struct RestoreForeignKeys {
    Database& db;
    ~RestoreForeignKeys() {
      try {
        db.sqlite().exec("PRAGMA foreign_keys=ON");
      } catch (const std::exception&) {
        // The connection is unusable then; its next statement reports why.
      }
    }
  } restore{db};

  for (int version = *start + 1; version <= known; ++version) {
    const Migration& m = migrations[version - 1];
    bool applied = false;
    Status s = db.Write([&](SQLite::Database& sql) -> Status {
      // Another process may have applied it while this one waited for the lock.
      int current = ReadUserVersion(sql);
      if (current > known) return NewerSchemaError(db.path(), current, known);
      if (current >= version) return Status::Ok();
      sql.exec(m.sql);
      SQLite::Statement broken(sql, "PRAGMA foreign_key_check");
      if (broken.executeStep()) {
        return Status::FailedPrecondition("leaves a row of table " +
                                          broken.getColumn(0).getString() +
                                          " pointing at a missing row; nothing was changed");
      }
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
