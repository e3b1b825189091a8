#include "daemon/intake/csv_reader.h"

#include <optional>
#include <utility>

namespace customsd {
namespace {

class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}

  CsvResult Run() {
    while (pos_ < text_.size() && !stopped_) ReadRecord();
    return std::move(result_);
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return text_[pos_]; }

  // Length of the line end (LF or CRLF) at pos_, 0 when there is none.
  size_t LineEndLength() const {
    if (AtEnd()) return 0;
    if (Peek() == '\n') return 1;
    return Peek() == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n' ? 2 : 0;
  }

  bool ConsumeLineEnd() {
    size_t n = LineEndLength();
    if (n == 0) return false;
    pos_ += n;
    ++line_;
    return true;
  }

  void ReadRecord() {
    const int start_line = line_;
    if (ConsumeLineEnd()) return;  // an empty physical line
    CsvRecord record{start_line, {}};
    while (true) {
      const size_t column = record.cells.size() + 1;
      std::optional<std::string> cell = !AtEnd() && Peek() == '"' ? ReadQuoted(start_line, column)
                                                                  : ReadPlain(start_line, column);
      if (!cell) return;  // error reported, input skipped
      record.cells.push_back(std::move(*cell));
      if (AtEnd() || ConsumeLineEnd()) break;
      ++pos_;  // the ',' (the only other way a cell ends)
      // A ',' right before the end of input leaves one more, empty, cell.
      if (AtEnd()) {
        record.cells.emplace_back();
        break;
      }
    }
    result_.records.push_back(std::move(record));
  }

  std::optional<std::string> ReadPlain(int start_line, size_t column) {
    std::string cell;
    while (!AtEnd() && Peek() != ',' && LineEndLength() == 0) {
      char c = Peek();
      if (c == '"') {
        Fail(start_line, "a '\"' inside an unquoted field in column " + std::to_string(column) +
                             " (quote the whole field and double the quote)");
        return std::nullopt;
      }
      cell += c;
      ++pos_;
    }
    return cell;
  }

  std::optional<std::string> ReadQuoted(int start_line, size_t column) {
    const int open_line = line_;
    ++pos_;  // the opening quote
    std::string cell;
    while (true) {
      if (AtEnd()) {
        result_.errors.push_back({start_line, "unterminated quoted field in column " +
                                                  std::to_string(column) + " (opened on line " +
                                                  std::to_string(open_line) + ")"});
        stopped_ = true;
        return std::nullopt;
      }
      char c = Peek();
      ++pos_;
      if (c == '"') {
        if (AtEnd() || Peek() != '"') break;
        ++pos_;  // '""' is one quote
      } else if (c == '\n') {
        ++line_;
      }
      cell += c;
    }
    if (!AtEnd() && Peek() != ',' && LineEndLength() == 0) {
      Fail(start_line,
           "unexpected text after the closing quote in column " + std::to_string(column));
      return std::nullopt;
    }
    return cell;
  }

  // Reports an error and skips to the start of the next physical line.
  void Fail(int line, std::string message) {
    result_.errors.push_back({line, std::move(message)});
    while (!AtEnd() && Peek() != '\n') ++pos_;
    ConsumeLineEnd();
  }

  std::string_view text_;
  size_t pos_ = 0;
  int line_ = 1;
  bool stopped_ = false;
  CsvResult result_;
};

}  // namespace

CsvResult ReadCsv(std::string_view text) { return Reader(text).Run(); }

}  // namespace customsd
