// The schema migrations compiled into the binary from migrations/NNNN_name.sql.
#pragma once

#include <string>
#include <vector>

namespace customsd {

struct Migration {
  std::string name;  // file name without .sql, e.g. "0001_initial"; the number is its version
  std::string sql;
};

// In version order; migration i (0-based) brings the schema to version i + 1.
const std::vector<Migration>& EmbeddedMigrations();

}  // namespace customsd
