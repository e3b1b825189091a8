// Commands run as root on a database that belongs to the service's user (issue 15): the real
// binary, run as root against a folder owned by `nobody`, must leave every file it makes to
// nobody (0640), so that nobody can go on writing and members of nobody's group can read; a
// database whose owner has no user entry to switch to is refused with one line and left alone.
//
// These need root (CI runs the tests as root); elsewhere they skip. They use the existing
// unprivileged account `nobody` instead of creating users.
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tests/cli/cli_fixture.h"

namespace customsd {
namespace {

using testing::CliResult;
using testing::GoodLine;

struct Account {
  uid_t uid = 0;
  gid_t gid = 0;
};

std::optional<Account> LookUp(const char* name) {
  const passwd* pw = ::getpwnam(name);
  if (pw == nullptr) return std::nullopt;
  return Account{pw->pw_uid, pw->pw_gid};
}

// A uid (and gid) with no passwd or group entry: an owner customsd cannot switch to by name.
std::optional<uid_t> UnknownUid() {
  for (uid_t uid = 61000; uid < 65000; ++uid) {
    if (::getpwuid(uid) == nullptr && ::getgrgid(uid) == nullptr) return uid;
  }
  return std::nullopt;
}

struct Switch {
  Account to;
  std::vector<gid_t> groups;  // supplementary groups
};

// Runs argv_text (argv[0] a path), first switching to `to` when given, the way runuser would
// (setgroups, setgid, setuid, each checked) between fork and exec. stdout and stderr go to files
// of `scratch`, opened before the switch, so the child needs no access to them.
CliResult RunChild(std::vector<std::string> argv_text, const std::optional<Switch>& to,
                   const testing::TempDir& scratch) {
  std::vector<char*> argv;
  for (std::string& a : argv_text) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string out_path = scratch.File("as.stdout");
  const std::string err_path = scratch.File("as.stderr");
  int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  CliResult r;
  if (out_fd < 0 || err_fd < 0) return r;
  pid_t pid = ::fork();
  if (pid == 0) {
    // Only async-signal-safe calls from here to exec.
    int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(out_fd, 1) < 0 || ::dup2(err_fd, 2) < 0 ||
        (to && (::setgroups(to->groups.size(), to->groups.data()) != 0 ||
                ::setgid(to->to.gid) != 0 || ::setuid(to->to.uid) != 0))) {
      static const char kMsg[] = "test: cannot switch user before exec\n";
      (void)!::write(err_fd, kMsg, sizeof kMsg - 1);
      ::_exit(126);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(out_fd);
  ::close(err_fd);
  int status = 0;
  if (pid < 0 || ::waitpid(pid, &status, 0) != pid) return r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = testing::ReadFile(out_path);
  r.err = testing::ReadFile(err_path);
  return r;
}

struct FileFacts {
  uid_t uid;
  gid_t gid;
  mode_t mode;
  std::string content;
  bool operator==(const FileFacts&) const = default;
};

// Every file in `dir` by name: owner, group, permission bits and bytes.
std::map<std::string, FileFacts> Files(const std::string& dir) {
  std::map<std::string, FileFacts> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    struct stat st {};
    if (::lstat(entry.path().c_str(), &st) != 0) continue;
    files[entry.path().filename()] = {st.st_uid, st.st_gid, st.st_mode & 07777,
                                      testing::ReadFile(entry.path())};
  }
  return files;
}

class RootRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::geteuid() != 0) GTEST_SKIP() << "needs root (CI runs the tests as root)";
    auto nobody = LookUp("nobody");
    if (!nobody) GTEST_SKIP() << "no account 'nobody'";
    nobody_ = *nobody;
    // mkdtemp made the install 0700: let other users reach the config and the state folder,
    // as /etc/customsd and /var/lib are reachable on a real host.
    ASSERT_EQ(::chmod(install_.dir().path().c_str(), 0755), 0);
    ASSERT_EQ(::mkdir(state_dir().c_str(), 0750), 0);
    ASSERT_EQ(::chown(state_dir().c_str(), nobody_.uid, nobody_.gid), 0);
    std::string config = testing::ReadFile(install_.config_path());
    const std::string db_line = "path = \"customsd.db\"";
    size_t at = config.find(db_line);
    ASSERT_NE(at, std::string::npos) << config;
    config.replace(at, db_line.size(), "path = \"state/customsd.db\"");
    testing::WriteFile(install_.config_path(), config, 0644);
  }

  std::string state_dir() const { return install_.File("state"); }

  CliResult RunAsRoot(std::vector<std::string> args) {
    args.insert(args.begin(), {"-c", install_.config_path()});
    return testing::RunBinary(args);
  }

  CliResult RunAs(const Account& as, const std::vector<gid_t>& groups,
                  std::vector<std::string> args) {
    args.insert(args.begin(), {CUSTOMSD_BINARY, "-c", install_.config_path()});
    return RunChild(args, Switch{as, groups}, scratch_);
  }

  // A declarations file any user can read.
  std::string DeclarationsFile(const std::string& name, const std::string& out_trade_no) {
    testing::WriteFile(install_.File(name), GoodLine(out_trade_no) + "\n", 0644);
    return install_.File(name);
  }

  void ExpectEveryFileOwnedByNobody(const std::string& after) {
    auto files = Files(state_dir());
    ASSERT_TRUE(files.contains("customsd.db")) << after;
    for (const auto& [name, facts] : files) {
      EXPECT_EQ(facts.uid, nobody_.uid) << name << " after " << after;
      EXPECT_EQ(facts.gid, nobody_.gid) << name << " after " << after;
      EXPECT_EQ(facts.mode, 0640u)
          << name << " after " << after << ": mode 0" << std::oct << facts.mode;
    }
  }

  testing::TestInstall install_;
  testing::TempDir scratch_;  // the child's captured output: not in the install
  Account nobody_;
};

TEST_F(RootRunTest, MigrateAndDeclareAsRootLeaveTheDatabaseToItsOwner) {
  CliResult migrate = RunAsRoot({"migrate"});
  ASSERT_EQ(migrate.code, 0) << migrate.err;
  ExpectEveryFileOwnedByNobody("migrate as root");

  CliResult declare = RunAsRoot({"declare", "--file", DeclarationsFile("a.jsonl", "ROOT1")});
  ASSERT_EQ(declare.code, 0) << declare.err;
  ExpectEveryFileOwnedByNobody("declare as root");
  // Kept on close, so the group's readers find them (see storage/database.h).
  EXPECT_TRUE(Files(state_dir()).contains("customsd.db-wal"));
  EXPECT_TRUE(Files(state_dir()).contains("customsd.db-shm"));

  // The step that failed with "attempt to write a readonly database" before the fix.
  CliResult as_owner =
      RunAs(nobody_, {nobody_.gid}, {"declare", "--file", DeclarationsFile("b.jsonl", "OWNER1")});
  ASSERT_EQ(as_owner.code, 0) << as_owner.err;
  EXPECT_NE(as_owner.out.find("1 added"), std::string::npos) << as_owner.out;
  ExpectEveryFileOwnedByNobody("declare as the owner");

  CliResult list = RunAs(nobody_, {nobody_.gid}, {"list"});
  ASSERT_EQ(list.code, 0) << list.err;
  EXPECT_NE(list.out.find("ROOT1"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("OWNER1"), std::string::npos) << list.out;
}

TEST_F(RootRunTest, MembersOfTheOwnersGroupReadWithoutSudoAndOthersCannot) {
  auto reader = LookUp("daemon");  // any account that is neither root nor the owner
  if (!reader || reader->uid == nobody_.uid || reader->gid == nobody_.gid) {
    GTEST_SKIP() << "no account 'daemon' outside nobody's group";
  }
  ASSERT_EQ(RunAsRoot({"declare", "--file", DeclarationsFile("a.jsonl", "READ1")}).code, 0);

  CliResult member = RunAs(*reader, {reader->gid, nobody_.gid}, {"list"});
  ASSERT_EQ(member.code, 0) << member.err;
  EXPECT_NE(member.out.find("READ1"), std::string::npos) << member.out;

  CliResult outsider = RunAs(*reader, {reader->gid}, {"list"});
  EXPECT_EQ(outsider.code, 1) << outsider.out;
  EXPECT_EQ(outsider.out.find("READ1"), std::string::npos) << outsider.out;
}

// The refusal is one line on stderr, exit 1, and nothing on stdout.
void ExpectOneLineRefusal(const CliResult& r, uid_t owner, const std::string& folder) {
  EXPECT_EQ(r.code, 1) << r.out << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
  ASSERT_FALSE(r.err.empty());
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.back(), '\n') << r.err;
  EXPECT_NE(r.err.find("uid " + std::to_string(owner)), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(folder), std::string::npos) << r.err;
}

// Issue 17: a database root made (here: in a folder that was root's at the time, which keeps
// what root creates) opens read-only for the service's user without a word, and used to pass
// every read: READY, /healthz 200, `check: ok`. `run` now proves a write before READY and
// `check` judges as the service's user (the folder's owner).
TEST_F(RootRunTest, ARootOwnedDatabaseIsRefusedByRunAndCheckWithOneLine) {
  ASSERT_EQ(::chown(state_dir().c_str(), 0, 0), 0);
  ASSERT_EQ(RunAsRoot({"declare", "--file", DeclarationsFile("a.jsonl", "ROOTS1")}).code, 0);
  ASSERT_EQ(::chown(state_dir().c_str(), nobody_.uid, nobody_.gid), 0);  // the folder only
  const std::string db = state_dir() + "/customsd.db";
  ASSERT_EQ(Files(state_dir()).at("customsd.db").uid, 0u);

  CliResult check = RunAsRoot({"check"});
  EXPECT_EQ(check.code, 1) << check.out << check.err;
  EXPECT_NE(check.err.find("not writable by nobody"), std::string::npos) << check.err;
  EXPECT_NE(check.err.find("chown nobody: " + db), std::string::npos) << check.err;

  for (mode_t mode : {0640, 0644}) {  // unreadable for nobody, then readable but not writable
    ASSERT_EQ(::chmod(db.c_str(), mode), 0);
    CliResult run = RunAs(nobody_, {nobody_.gid}, {"run"});
    run.err += run.out;  // the daemon's log: stdout or stderr, by where it runs
    EXPECT_EQ(run.code, 1) << run.err;
    EXPECT_EQ(run.err.find("customsd ready"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("cannot start: the database file " + db), std::string::npos)
        << "mode 0" << std::oct << mode << ": " << run.err;
    EXPECT_NE(run.err.find("chown nobody: "), std::string::npos) << run.err;
  }
}

TEST_F(RootRunTest, RefusesAFolderWhoseOwnerHasNoUserEntryAndCreatesNothing) {
  auto unknown = UnknownUid();
  if (!unknown) GTEST_SKIP() << "no free uid";
  ASSERT_EQ(::chown(state_dir().c_str(), *unknown, *unknown), 0);

  for (const char* cmd : {"migrate", "declare"}) {
    CliResult r = std::string(cmd) == "migrate"
                      ? RunAsRoot({"migrate"})
                      : RunAsRoot({"declare", "--file", DeclarationsFile("a.jsonl", "NO1")});
    ExpectOneLineRefusal(r, *unknown, state_dir());
    EXPECT_TRUE(Files(state_dir()).empty()) << cmd;
  }
}

TEST_F(RootRunTest, RefusesADatabaseWhoseOwnerHasNoUserEntryAndChangesNothing) {
  auto unknown = UnknownUid();
  if (!unknown) GTEST_SKIP() << "no free uid";
  ASSERT_EQ(RunAs(nobody_, {nobody_.gid}, {"migrate"}).code, 0);
  for (const auto& [name, facts] : Files(state_dir())) {
    ASSERT_EQ(::chown((state_dir() + "/" + name).c_str(), *unknown, *unknown), 0) << name;
  }
  ASSERT_EQ(::chown(state_dir().c_str(), *unknown, *unknown), 0);
  const auto before = Files(state_dir());

  CliResult r = RunAsRoot({"declare", "--file", DeclarationsFile("a.jsonl", "NO1")});
  ExpectOneLineRefusal(r, *unknown, install_.File("state/customsd.db"));
  EXPECT_TRUE(Files(state_dir()) == before) << "the refused command changed the folder";
}

// Root without CAP_SETGID and CAP_SETUID (as in some containers) cannot switch: the command says
// so and creates nothing, rather than carrying on as root.
TEST_F(RootRunTest, RefusesWhenTheSwitchIsNotPermittedAndCreatesNothing) {
  const std::string setpriv = "/usr/bin/setpriv";  // Debian's util-linux
  if (::access(setpriv.c_str(), X_OK) != 0) GTEST_SKIP() << "no " << setpriv;
  CliResult r = RunChild({setpriv, "--bounding-set=-setuid,-setgid", CUSTOMSD_BINARY, "-c",
                          install_.config_path(), "migrate"},
                         std::nullopt, scratch_);
  ExpectOneLineRefusal(r, nobody_.uid, state_dir());
  EXPECT_NE(r.err.find("Operation not permitted"), std::string::npos) << r.err;
  EXPECT_TRUE(Files(state_dir()).empty());
}

}  // namespace
}  // namespace customsd
