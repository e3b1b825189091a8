// Running as root on the service's database: become its owner first (issue 15).
//
// `sudo customsd migrate` (or declare, or anything else that opens the database) used to create
// the database as root, and the service, running as user customsd, then got "attempt to write a
// readonly database". So before any command opens the database, a process whose effective uid
// is root switches to the database's owner: the owner of the file, or of its folder when the
// file does not exist yet (on a packaged install /var/lib/customsd belongs to customsd from
// installation on, see systemd/customsd.tmpfiles). It switches the way runuser(1) does:
// initgroups, setgid, setuid, in that order, each checked, and then makes sure root cannot be
// regained. Everything the command creates afterwards (the database, its -wal and -shm) is the
// owner's, and so is every file a later step writes (e.g. a backup's DEST).
// Reading commands switch too: SQLite running as root opens -wal and -shm in a folder their
// owner controls, and a planted symlink would have root read or write (and chown) another file.
//
// Nothing changes when the process is not root, when the owner is root itself (a database in
// a root-owned folder stays root's), or when neither the file nor its folder exists (opening
// then fails as it would have). The switch is for the whole process and cannot be undone: it
// happens as late as possible, after the commands have read what only root may read (the key
// files `customsd check` inspects, a --file given to declare).
//
// When the owner has no user entry (a uid left over from a deleted user or another system),
// there is no name to take groups from and no user to switch to: the command is refused with a
// one-line message saying what to run instead. So is a switch that the kernel refuses (no
// CAP_SETUID in a container, a seccomp filter).
#pragma once

#include <string>

#include "common/status.h"

namespace customsd {

// Switches to the owner of `database_path` (or of its folder) when running as root. Returns
// kFailedPrecondition for a refusal: not bad input (the command line and config are right; it is
// the files' ownership that stops it, like a locked or missing database), so commands exit 1,
// not 2, and scripts that read 2 as "fix the invocation" are not misled.
Status RunAsDatabaseOwner(const std::string& database_path);

}  // namespace customsd
