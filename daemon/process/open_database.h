// How the commands and the service open the database: as its owner, at the schema this binary
// knows.
#pragma once

#include <memory>

#include "common/status.h"
#include "daemon/config/config.h"
#include "storage/database.h"

namespace customsd {

// Opening the database (OpenDatabaseFor, and `migrate`) as root first switches the whole
// process to the database's owner, or refuses with exit 1: see daemon/process/run_as_owner.h.
// Commands therefore read whatever only root may read before they open the database.
enum class OpenMode {
  kExisting,          // the database must exist at the schema this binary knows; never written
                      // to by opening it
  kCreateAndMigrate,  // create it if missing and apply pending migrations
};

StatusOr<std::unique_ptr<Database>> OpenDatabaseFor(const Config& config, OpenMode mode,
                                                    bool quick_check);

}  // namespace customsd
