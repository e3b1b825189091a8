#include "daemon/commands/output_format.h"

#include <algorithm>
#include <array>
#include <ctime>
#include <utility>

#include "common/time_format.h"

namespace customsd {
namespace {

// Decodes one UTF-8 sequence at text[*i]; nullopt (and one byte consumed) when invalid.
std::optional<char32_t> NextCodePoint(std::string_view text, size_t* i) {
  const auto b = static_cast<unsigned char>(text[*i]);
  int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (len == 0 || *i + len > text.size()) {
    ++*i;
    return std::nullopt;
  }
  char32_t cp = len == 1 ? b : b & (0x7F >> len);
  for (int k = 1; k < len; ++k) {
    const auto c = static_cast<unsigned char>(text[*i + k]);
    if ((c >> 6) != 0x2) {
      ++*i;
      return std::nullopt;
    }
    cp = (cp << 6) | (c & 0x3F);
  }
  *i += len;
  return cp;
}

// The East Asian Wide (W) and Fullwidth (F) blocks of Unicode's EastAsianWidth.txt, merged to
// ranges, as terminals draw them.
constexpr std::array<std::pair<char32_t, char32_t>, 17> kWide = {{
    {0x1100, 0x115F}, {0x231A, 0x231B}, {0x2329, 0x232A}, {0x2E80, 0x303E}, {0x3041, 0x33FF},
    {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xA000, 0xA4CF}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF},
    {0xFE10, 0xFE19}, {0xFE30, 0xFE6F}, {0xFF00, 0xFF60}, {0xFFE0, 0xFFE6}, {0x1F300, 0x1F64F},
    {0x1F900, 0x1F9FF}, {0x20000, 0x3FFFD},
}};

constexpr std::array<std::pair<char32_t, char32_t>, 6> kZeroWidth = {{
    {0x0300, 0x036F}, {0x200B, 0x200F}, {0x20D0, 0x20FF}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F},
    {0xE0100, 0xE01EF},
}};

template <size_t N>
bool In(const std::array<std::pair<char32_t, char32_t>, N>& ranges, char32_t cp) {
  return std::any_of(ranges.begin(), ranges.end(),
                     [cp](const auto& r) { return cp >= r.first && cp <= r.second; });
}

std::string CsvCell(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return CsvField(v.get<std::string>());
  return CsvField(v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace

std::optional<OutputFormat> ParseOutputFormat(std::string_view name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "json") return OutputFormat::kJson;
  if (name == "jsonl") return OutputFormat::kJsonl;
  if (name == "csv") return OutputFormat::kCsv;
  return std::nullopt;
}

std::string OutputOptions::Time(int64_t unix_ms) const {
  if (!local_time) return FormatRfc3339(unix_ms);
  const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S%z", &tm);
  std::string s(buf);
  if (s.size() >= 5) s.insert(s.size() - 2, ":");  // +0800 -> +08:00, as RFC 3339 writes it
  return s;
}

size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size();) {
    std::optional<char32_t> cp = NextCodePoint(text, &i);
    if (!cp) {
      ++width;
    } else if (In(kZeroWidth, *cp)) {
      continue;
    } else {
      width += In(kWide, *cp) ? 2 : 1;
    }
  }
  return width;
}

void PrintTable(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - DisplayWidth(row[i]) + 2, ' ');
    }
    out << line << "\n";
  }
}

std::string CsvField(std::string_view text) {
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(text);
  std::string s = "\"";
  for (char c : text) {
    if (c == '"') s += '"';
    s += c;
  }
  return s + "\"";
}

void PrintItems(std::ostream& out, OutputFormat format, const std::vector<nlohmann::json>& items,
                const std::vector<std::string>& columns) {
  constexpr auto kReplace = nlohmann::json::error_handler_t::replace;
  switch (format) {
    case OutputFormat::kJson:
      out << nlohmann::json(items).dump(2, ' ', false, kReplace) << "\n";
      return;
    case OutputFormat::kJsonl:
      for (const nlohmann::json& item : items) out << item.dump(-1, ' ', false, kReplace) << "\n";
      return;
    case OutputFormat::kCsv: {
      std::string header;
      for (const std::string& c : columns) header += (header.empty() ? "" : ",") + CsvField(c);
      out << header << "\r\n";
      for (const nlohmann::json& item : items) {
        std::string line;
        for (size_t i = 0; i < columns.size(); ++i) {
          if (i > 0) line += ",";
          auto it = item.find(columns[i]);
          if (it != item.end()) line += CsvCell(*it);
        }
        out << line << "\r\n";
      }
      return;
    }
    case OutputFormat::kTable:
      return;
  }
}

}  // namespace customsd
