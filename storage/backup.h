// A consistent copy of a live database, taken with SQLite's online backup API while other
// connections keep writing (`customsd backup`).
#pragma once

#include <string>

#include "common/status.h"
#include "storage/database.h"

namespace customsd {

// Copies `source` to `dest` (replacing it): written beside it as dest + ".partial", in one
// snapshot, as one self-contained file (journal_mode DELETE), checked with quick_check,
// fsync'ed, and only then renamed into place. On any failure the partial copy is removed and
// `dest` is as it was. kIoError naming the step that failed.
Status BackupDatabase(Database& source, const std::string& dest);

}  // namespace customsd
