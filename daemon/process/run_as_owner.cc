#include "daemon/process/run_as_owner.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <vector>

namespace customsd {
namespace {

struct Owner {
  uid_t uid = 0;
  std::string of;      // the file or folder whose owner it is, for messages
  std::string folder;  // the database's folder
};

// The owner of the database file, or of the folder it would be created in. Nothing when
// neither exists: there is nothing to protect and opening will fail on its own.
std::optional<Owner> OwnerOf(const std::string& database_path) {
  std::string folder = std::filesystem::path(database_path).parent_path().string();
  if (folder.empty()) folder = ".";
  struct stat st {};
  if (::stat(database_path.c_str(), &st) == 0) return Owner{st.st_uid, database_path, folder};
  if (errno != ENOENT) return std::nullopt;
  if (::stat(folder.c_str(), &st) == 0) return Owner{st.st_uid, folder, folder};
  return std::nullopt;
}

std::string Errno(const char* call) { return std::string(call) + ": " + std::strerror(errno); }

}  // namespace

Status RunAsDatabaseOwner(const std::string& database_path) {
  if (::geteuid() != 0) return Status::Ok();
  std::optional<Owner> owner = OwnerOf(database_path);
  if (!owner || owner->uid == 0) return Status::Ok();

  const std::string uid_text = "uid " + std::to_string(owner->uid);
  std::vector<char> buffer(16384);
  passwd entry{};
  passwd* found = nullptr;
  if (::getpwuid_r(owner->uid, &entry, buffer.data(), buffer.size(), &found) != 0 ||
      found == nullptr) {
    return Status::FailedPrecondition(
        "refusing to run as root on " + owner->of + ": it belongs to " + uid_text +
        ", which has no user entry to switch to; give the folder to the service's user (chown -R "
        "customsd:customsd " +
        owner->folder + ") or run customsd as " + uid_text);
  }
  const std::string name = found->pw_name;
  const uid_t uid = found->pw_uid;
  const gid_t gid = found->pw_gid;
  auto refuse = [&](const std::string& what) {
    return Status::FailedPrecondition(
        "cannot switch from root to " + name + " (" + uid_text + "), the owner of " + owner->of +
        ", before opening the database: " + what + "; run it as that user instead: sudo -u " +
        name + " customsd ...");
  };
  // runuser's order: groups while still root, then the gid, then the uid (after which neither
  // of the others could be changed any more).
  if (::initgroups(name.c_str(), gid) != 0) return refuse(Errno("initgroups"));
  if (::setgid(gid) != 0) return refuse(Errno("setgid"));
  if (::setuid(uid) != 0) return refuse(Errno("setuid"));
  // setuid as root sets the real, effective and saved uid; a process that could still become
  // root again has not dropped anything.
  if (::geteuid() != uid || ::getuid() != uid || ::getegid() != gid || ::setuid(0) == 0) {
    return refuse("root could be regained after setuid");
  }
  return Status::Ok();
}

}  // namespace customsd
