// docs/database.md against the real schema of a freshly migrated database (sqlite_schema and
// pragma table_info): every table and view has its "### `name` (table|view)" section; every
// column is a row of its table ("| `column` | TYPE | meaning |", the declared type for a
// table's column), or the section says "Columns: those of `other`." and the columns are that
// object's; no row names a column the schema lacks; every ```sql example prepares and runs.
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tests/storage/store_fixture.h"

namespace customsd {
namespace {

struct Column {
  std::string name;
  std::string type;  // as declared; "" for a view's computed column
  bool operator==(const Column&) const = default;
};

struct Object {
  std::string type;  // "table" or "view"
  std::vector<Column> columns;
};

// A "### `name` ..." section of the doc: its heading and body.
struct Section {
  std::string heading;
  std::string body;
};

std::string ReadDoc() {
  std::ifstream in(std::string(CUSTOMSD_SOURCE_DIR) + "/docs/database.md");
  EXPECT_TRUE(in) << "cannot read docs/database.md";
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::map<std::string, Section> SectionsOf(const std::string& doc) {
  static const std::regex kHeading(R"(^### `([a-z0-9_]+)`)");
  std::map<std::string, Section> sections;
  Section* current = nullptr;
  std::istringstream in(doc);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_search(line, m, kHeading)) {
      current = &sections[m[1]];
      current->heading = line;
    } else if (line.starts_with("#")) {
      current = nullptr;
    } else if (current != nullptr) {
      current->body += line + "\n";
    }
  }
  return sections;
}

// The rows "| `column` | type | ..." of a section, in order.
std::vector<Column> RowsOf(const std::string& body) {
  static const std::regex kRow(R"(^\| `([a-z0-9_]+)` \| ([^|]*)\|)");
  std::vector<Column> rows;
  std::istringstream in(body);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, kRow)) continue;
    std::string type = m[2];
    type.erase(type.find_last_not_of(' ') + 1);
    rows.push_back({m[1], type});
  }
  return rows;
}

std::vector<std::string> SqlExamples(const std::string& doc) {
  std::vector<std::string> examples;
  size_t pos = 0;
  while ((pos = doc.find("```sql\n", pos)) != std::string::npos) {
    pos += 7;
    const size_t end = doc.find("```", pos);
    if (end == std::string::npos) break;
    examples.push_back(doc.substr(pos, end - pos));
    pos = end + 3;
  }
  return examples;
}

using Schema = std::map<std::string, Object>;

// What `doc` gets wrong about `schema`, one line per problem; none = the doc is complete.
std::vector<std::string> Problems(const std::string& doc, const Schema& schema) {
  static const std::regex kSameAs(R"(Columns: those of `([a-z0-9_]+)`\.)");
  std::vector<std::string> problems;
  const std::map<std::string, Section> sections = SectionsOf(doc);
  for (const auto& [name, object] : schema) {
    auto section = sections.find(name);
    if (section == sections.end()) {
      problems.push_back("no section \"### `" + name + "` (" + object.type + ")\"");
      continue;
    }
    if (section->second.heading.find("(" + object.type + ")") == std::string::npos) {
      problems.push_back(name + ": the heading does not say (" + object.type + ")");
    }
    std::smatch same;
    if (std::regex_search(section->second.body, same, kSameAs)) {
      auto other = schema.find(same[1]);
      if (other == schema.end() || other->second.columns != object.columns) {
        problems.push_back(name + ": its columns are not those of " + same[1].str());
      }
      continue;
    }
    const std::vector<Column> rows = RowsOf(section->second.body);
    std::map<std::string, std::string> documented;
    for (const Column& row : rows) documented[row.name] = row.type;
    std::map<std::string, std::string> actual;
    for (const Column& column : object.columns) {
      actual[column.name] = column.type;
      auto row = documented.find(column.name);
      if (row == documented.end()) {
        problems.push_back(name + "." + column.name + " is not described");
      } else if (object.type == "table" && row->second != column.type) {
        problems.push_back(name + "." + column.name + " is " + column.type + ", not " +
                           row->second);
      }
    }
    for (const Column& row : rows) {
      if (!actual.count(row.name)) {
        problems.push_back(name + "." + row.name + " is described but not in the schema");
      }
    }
  }
  for (const auto& [name, section] : sections) {
    if (!schema.count(name))
      problems.push_back("a section describes " + name + ", not in the schema");
  }
  return problems;
}

class DatabaseDocTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Status s = db_->Read([this](SQLite::Database& sql) {
      SQLite::Statement objects(sql,
                                "SELECT type, name FROM sqlite_schema WHERE type IN "
                                "('table', 'view') AND name NOT LIKE 'sqlite_%' ORDER BY name");
      while (objects.executeStep()) {
        Object& o = schema_[objects.getColumn(1).getString()];
        o.type = objects.getColumn(0).getString();
      }
      for (auto& [name, object] : schema_) {
        SQLite::Statement columns(sql, "SELECT name, type FROM pragma_table_info(?) ORDER BY cid");
        columns.bind(1, name);
        while (columns.executeStep()) {
          object.columns.push_back(
              {columns.getColumn(0).getString(), columns.getColumn(1).getString()});
        }
      }
      return Status::Ok();
    });
    ASSERT_TRUE(s.ok()) << s.message();
    ASSERT_GE(schema_.size(), 12u);  // 4 tables and 8 views as of migration 0004
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_ = testing::OpenMigrated(dir_.File("customsd.db"));
  Schema schema_;
  std::string doc_ = ReadDoc();
};

TEST_F(DatabaseDocTest, EveryTableViewAndColumnIsDescribed) {
  for (const std::string& problem : Problems(doc_, schema_)) {
    ADD_FAILURE() << "docs/database.md: " << problem;
  }
}

// The check is only as good as its parsing: each kind of drift must be caught.
TEST_F(DatabaseDocTest, TheCheckCatchesDrift) {
  auto without = [&](const std::string& text) {
    std::string doc = doc_;
    const size_t at = doc.find(text);
    EXPECT_NE(at, std::string::npos) << text;
    return at == std::string::npos ? doc : doc.erase(at, text.size());
  };
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string doc = doc_;
    const size_t at = doc.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return at == std::string::npos ? doc : doc.replace(at, from.size(), to);
  };
  EXPECT_EQ(Problems(without("| `poll_started_at` | INTEGER |"), schema_).size(), 1u);
  EXPECT_EQ(
      Problems(replaced("| `fetched_at` | INTEGER |", "| `fetched_at` | TEXT |"), schema_).size(),
      1u);
  EXPECT_EQ(
      Problems(replaced("| `attempts` | INTEGER | delivery", "| `tries` | INTEGER | delivery"),
               schema_)
          .size(),
      2u);  // alerts.attempts missing, alerts.tries unknown
  EXPECT_EQ(Problems(replaced("### `today_by_state` (view)", "### `today` (view)"), schema_).size(),
            2u);  // today_by_state undescribed, today not in the schema
  EXPECT_EQ(Problems(replaced("Columns: those of `alerts_readable`.",
                              "Columns: those of `declarations_readable`."),
                     schema_)
                .size(),
            1u);
}

TEST_F(DatabaseDocTest, EveryExampleQueryRuns) {
  const std::vector<std::string> examples = SqlExamples(doc_);
  ASSERT_GE(examples.size(), 5u);
  for (const std::string& query : examples) {
    Status s = db_->Read([&](SQLite::Database& sql) {
      try {
        SQLite::Statement q(sql, query);
        while (q.executeStep()) {
        }
      } catch (const std::exception& e) {
        return Status::InvalidInput(e.what());
      }
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.message() << "\nin:\n" << query;
  }
}

}  // namespace
}  // namespace customsd
