// The command list an operator meets outside --help, held against the CLI itself: every
// subcommand `customsd --help` lists is in the bash and zsh completions, the man page and the
// README's command table, and none of those names a command the CLI lacks.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "tests/support/run_cli.h"
#include "tests/support/test_config.h"

namespace customsd {
namespace {

std::string ReadSource(const std::string& path) {
  std::ifstream in(std::string(CUSTOMSD_SOURCE_DIR) + "/" + path);
  EXPECT_TRUE(in) << "cannot read " << path;
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::set<std::string> Matches(const std::string& text, const std::regex& re) {
  std::set<std::string> out;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    out.insert((*it)[1].str());
  }
  return out;
}

// The names under "Subcommands:" in `customsd --help`.
std::set<std::string> CliCommands() {
  FakeClock clock{testing::TestEpoch()};
  testing::CliResult help = testing::RunInProcess({"--help"}, clock, "");
  EXPECT_EQ(help.code, 0);
  const size_t start = help.out.find("Subcommands:");
  EXPECT_NE(start, std::string::npos) << help.out;
  return Matches(help.out.substr(start), std::regex(R"(\n  ([a-z][a-z-]*) )"));
}

std::set<std::string> Words(const std::string& list) {
  std::set<std::string> out;
  std::istringstream in(list);
  for (std::string w; in >> w;) out.insert(w);
  return out;
}

class CommandDocsTest : public ::testing::Test {
 protected:
  std::set<std::string> cli_ = CliCommands();
};

TEST_F(CommandDocsTest, TheCliListsItsCommands) {
  EXPECT_GE(cli_.size(), 10u);
  EXPECT_TRUE(cli_.count("alerts"));
}

TEST_F(CommandDocsTest, BashCompletionOffersEveryCommand) {
  std::smatch m;
  const std::string bash = ReadSource("packaging/completion/customsd.bash");
  ASSERT_TRUE(std::regex_search(bash, m, std::regex(R"(\bcommands="([^"]*)\")")));
  EXPECT_EQ(Words(m[1].str()), cli_);
}

TEST_F(CommandDocsTest, ZshCompletionOffersEveryCommand) {
  const std::string zsh = ReadSource("packaging/completion/_customsd");
  EXPECT_EQ(Matches(zsh, std::regex(R"(\n  '([a-z][a-z-]*):)")), cli_);
}

TEST_F(CommandDocsTest, TheManPageDescribesEveryCommand) {
  // roff writes a hyphen in a name as \-.
  const std::string man =
      std::regex_replace(ReadSource("packaging/man/customsd.1"), std::regex(R"(\\-)"), "-");
  std::set<std::string> described;
  // ".B name ..." items, and the "\fBname\fR," ones a shared item lists.
  for (const std::string& line : Matches(man, std::regex(R"(\n\.B ([^\n]*))"))) {
    for (const std::string& name :
         Matches(" " + line, std::regex(R"((?:^ |\\fB)([a-z][a-z-]*))"))) {
      if (cli_.count(name)) described.insert(name);
    }
  }
  EXPECT_EQ(described, cli_);
}

TEST_F(CommandDocsTest, TheReadmeTableHasEveryCommand) {
  const std::string readme = ReadSource("README.md");
  std::set<std::string> rows = Matches(readme, std::regex(R"(\n\| `customsd ([a-z][a-z-]*))"));
  for (const std::string& name : cli_) EXPECT_TRUE(rows.count(name)) << name;
  for (const std::string& name : rows) EXPECT_TRUE(cli_.count(name)) << name;
}

}  // namespace
}  // namespace customsd
