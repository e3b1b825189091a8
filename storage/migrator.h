// Migrator: brings a database's schema to the newest version this binary knows.
//
// The version lives in PRAGMA user_version. Each pending migration runs in its own
// BEGIN IMMEDIATE transaction together with the user_version bump, so a crash leaves the schema
// at a whole version, never half-way. A database whose version is newer than the binary knows
// is refused (kFailedPrecondition) and left untouched: an older customsd must not write to a
// schema it does not understand.
//
// Thread safety: as Database. Two processes migrating the same file at once serialize on the
// write lock; the second finds nothing left to do.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "storage/database.h"
#include "storage/migrations.h"

namespace customsd {

struct MigrationReport {
  int from_version = 0;
  int to_version = 0;
  std::vector<std::string> applied;  // names, in order
};

StatusOr<MigrationReport> Migrate(Database& db, const std::vector<Migration>& migrations);

// Migrate with the migrations embedded in the binary.
StatusOr<MigrationReport> MigrateToLatest(Database& db);

StatusOr<int> SchemaVersion(Database& db);

}  // namespace customsd
