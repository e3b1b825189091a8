#include "daemon/process/database_access.h"

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <vector>

namespace customsd {
namespace {

std::string UserName(uid_t uid) {
  if (const passwd* pw = ::getpwuid(uid); pw != nullptr) return pw->pw_name;
  return "uid " + std::to_string(uid);
}

std::string Mode(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

std::string FolderOf(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

bool InGroup(const ServiceUser& user, gid_t gid) {
  if (user.gid == gid) return true;
  int count = 64;
  std::vector<gid_t> groups(count);
  if (::getgrouplist(user.name.c_str(), user.gid, groups.data(), &count) < 0) {
    groups.resize(count);
    if (::getgrouplist(user.name.c_str(), user.gid, groups.data(), &count) < 0) return false;
  }
  groups.resize(count);
  for (gid_t g : groups) {
    if (g == gid) return true;
  }
  return false;
}

// The owner, group and other write bits, as the kernel applies them (the first class that
// matches decides, so an owner without u+w is refused even when the group may write).
bool MayWrite(const struct stat& st, const ServiceUser& user) {
  if (user.uid == 0) return true;
  if (st.st_uid == user.uid) return (st.st_mode & S_IWUSR) != 0;
  if (InGroup(user, st.st_gid)) return (st.st_mode & S_IWGRP) != 0;
  return (st.st_mode & S_IWOTH) != 0;
}

std::string Refusal(const std::string& what, const std::string& path, const struct stat& st,
                    const ServiceUser& user, const std::string& fix) {
  return what + " " + path + " is not writable by " + user.name +
         ", whom customsd runs as (owner " + UserName(st.st_uid) + ", mode " + Mode(st.st_mode) +
         "): " + fix;
}

}  // namespace

ServiceUser FindServiceUser(const std::string& database_path) {
  ServiceUser user;
  if (const passwd* pw = ::getpwnam("customsd"); pw != nullptr) {
    user = {pw->pw_uid, pw->pw_gid, pw->pw_name};
    return user;
  }
  struct stat st {};
  if (::geteuid() == 0 && ::stat(FolderOf(database_path).c_str(), &st) == 0 && st.st_uid != 0) {
    if (const passwd* pw = ::getpwuid(st.st_uid); pw != nullptr) {
      user = {pw->pw_uid, pw->pw_gid, pw->pw_name};
      return user;
    }
  }
  user.uid = ::geteuid();
  user.gid = ::getegid();
  user.name = UserName(user.uid);
  return user;
}

std::optional<std::string> WhyNotWritable(const std::string& path, const ServiceUser& user) {
  const std::string folder = FolderOf(path);
  struct stat st {};
  if (::stat(folder.c_str(), &st) != 0) {
    return "the database folder " + folder + " does not exist: create it (owned by " + user.name +
           ") or fix database.path";
  }
  // SQLite creates -wal and -shm beside the database whenever they are missing.
  if (!MayWrite(st, user) || (st.st_mode & S_IXUSR) == 0) {
    return Refusal("the database folder", folder, st, user,
                   "run 'sudo chown " + user.name + ": " + folder + "'");
  }
  const std::string fix = "run 'sudo chown " + user.name + ": " + path + "*'";
  for (const std::string& file : {path, path + "-wal", path + "-shm"}) {
    if (::stat(file.c_str(), &st) != 0) continue;  // not there: created by the user
    if (!MayWrite(st, user)) return Refusal("the database file", file, st, user, fix);
  }
  return std::nullopt;
}

std::string UnwritableDatabaseMessage(const std::string& path, const Status& failure) {
  ServiceUser self{::geteuid(), ::getegid(), UserName(::geteuid())};
  if (auto why = WhyNotWritable(path, self)) return "cannot start: " + *why;
  return "cannot start: the database " + path + " takes no writes: " + failure.message();
}

}  // namespace customsd
