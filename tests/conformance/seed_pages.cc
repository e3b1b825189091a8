#include "tests/conformance/seed_pages.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <regex>
#include <sstream>

namespace customsd::conformance {
namespace {

std::vector<std::string> Lines(const std::string& file) {
  std::ifstream in(SeedDir() + "/" + file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Trims ASCII white space and the pages' no-break spaces (U+00A0, which stand alone on some
// lines between table rows).
std::string Trim(const std::string& text) {
  std::string s;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 2, "\xC2\xA0") == 0) {
      s += ' ';
      ++i;
    } else {
      s += text[i];
    }
  }
  const auto not_space = [](unsigned char c) { return std::isspace(c) == 0; };
  auto b = std::find_if(s.begin(), s.end(), not_space);
  auto e = std::find_if(s.rbegin(), s.rend(), not_space).base();
  return b < e ? std::string(b, e) : std::string();
}

bool IsCode(const std::string& s) {
  static const std::regex kCode("[A-Z][A-Z_]+");
  return std::regex_match(s, kCode);
}

size_t Find(const std::vector<std::string>& lines, const std::string& text, size_t from = 0) {
  for (size_t i = from; i < lines.size(); ++i) {
    if (Trim(lines[i]) == text) return i;
  }
  return lines.size();
}

// The declare page: one cell a line, blank lines between; a code line, then pairs of
// (message, solution) lines until the next code.
std::vector<SeedErrorRow> DeclareRows() {
  const std::vector<std::string> lines = Lines("declare-api-en.txt");
  std::vector<std::string> cells;
  for (size_t i = Find(lines, "4. Error Codes") + 1; i < lines.size(); ++i) {
    const std::string cell = Trim(lines[i]);
    if (cell.rfind("About", 0) == 0) break;
    if (!cell.empty()) cells.push_back(cell);
  }
  if (cells.size() < 3 || cells[0] != "Error Message" || cells[2] != "Solution") return {};
  std::vector<SeedErrorRow> rows;
  std::string code;
  for (size_t i = 3; i < cells.size();) {
    if (IsCode(cells[i])) {
      code = cells[i++];
      continue;
    }
    if (code.empty() || i + 1 >= cells.size()) return {};
    rows.push_back({"declare", code, cells[i]});
    i += 2;
  }
  return rows;
}

// The query page: a Markdown table; a row whose first cell is a code starts that code's rows.
std::vector<SeedErrorRow> QueryRows() {
  const std::vector<std::string> lines = Lines("query-api-en.txt");
  std::vector<SeedErrorRow> rows;
  std::string code;
  for (size_t i = Find(lines, "4. Error Codes") + 3; i < lines.size(); ++i) {
    std::vector<std::string> cells;
    std::stringstream row(lines[i]);
    for (std::string cell; std::getline(row, cell, '|');) cells.push_back(Trim(cell));
    if (cells.size() < 3) break;
    size_t at = 0;
    if (IsCode(cells[0])) code = cells[at++];
    if (code.empty()) return {};
    rows.push_back({"query", code, cells[at]});
  }
  return rows;
}

}  // namespace

std::string SeedDir() { return std::string(CUSTOMSD_SOURCE_DIR) + "/../shared/reference/seeds"; }

std::vector<SeedErrorRow> ReadSeedErrorRows(const std::string& page) {
  if (page == "declare") return DeclareRows();
  if (page == "query") return QueryRows();
  return {};
}

std::vector<std::string> ReadSeedQueryAnswerFields() {
  // "商户子单号 sub_order_no string(32) 商户子订单号": name, variable, type, description.
  static const std::regex kRow(R"(^\S+ ([a-z_]+) (string\(\d+\)|int|array|object)( .*)?$)");
  const std::vector<std::string> lines = Lines("query-api-zh.txt");
  std::vector<std::string> fields;
  const size_t end = Find(lines, "异常返回");
  for (size_t i = Find(lines, "正常返回"); i < end; ++i) {
    std::smatch m;
    if (std::regex_match(lines[i], m, kRow)) fields.push_back(m[1]);
  }
  return fields;
}

std::vector<std::string> ReadSeedDeclareAnswerFields() {
  // One cell a line: the variable name, then its type ("string[1,32]", "int", ...).
  static const std::regex kVariable("[A-Za-z_]+");
  static const std::regex kType(R"((string\[\d+,\d+\]|int|object|array))");
  const std::vector<std::string> lines = Lines("declare-api-en.txt");
  std::vector<std::string> cells;
  const size_t end = Find(lines, "Response for failed request:");
  for (size_t i = Find(lines, "Response for successful request:"); i < end; ++i) {
    const std::string cell = Trim(lines[i]);
    if (!cell.empty()) cells.push_back(cell);
  }
  std::vector<std::string> fields;
  for (size_t i = 0; i + 1 < cells.size(); ++i) {
    if (std::regex_match(cells[i], kVariable) && std::regex_match(cells[i + 1], kType)) {
      std::string f = cells[i];
      std::transform(f.begin(), f.end(), f.begin(), [](unsigned char c) { return std::tolower(c); });
      fields.push_back(f);
    }
  }
  return fields;
}

}  // namespace customsd::conformance
