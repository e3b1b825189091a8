// Whether a user may write the database: the file, its -wal and -shm, and the folder SQLite
// creates them in. For the messages of a database that takes no writes (the start-up probe)
// and for `customsd check`, which judges as the service's user would, not as whoever runs it:
// `sudo customsd check` on a root-owned database must not say ok when user customsd cannot
// write it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "common/status.h"

namespace customsd {

// The user the service runs as: `customsd` when that user exists (the package's unit file);
// else, for root, the owner of the database's folder (whom commands run as root switch to, see
// run_as_owner.h); else the user running this process.
struct ServiceUser {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
};
ServiceUser FindServiceUser(const std::string& database_path);

// Why `user` cannot write the database at `path`: one line naming the file or folder, its owner
// and mode, and the command that fixes it; nullopt when it can (or when root runs the service).
// A database not created yet needs a writable folder; a missing folder is named as such.
std::optional<std::string> WhyNotWritable(const std::string& path, const ServiceUser& user);

// The start-up's line for a write that failed: WhyNotWritable for the process's own user when
// the files say why, else the database's own error (a full disk, an I/O error).
std::string UnwritableDatabaseMessage(const std::string& path, const Status& failure);

}  // namespace customsd
