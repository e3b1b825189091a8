#include "daemon/intake/csv_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace customsd {
namespace {

using Cells = std::vector<std::string>;

std::vector<Cells> CellsOf(const CsvResult& r) {
  std::vector<Cells> out;
  for (const CsvRecord& rec : r.records) out.push_back(rec.cells);
  return out;
}

std::vector<int> LinesOf(const CsvResult& r) {
  std::vector<int> out;
  for (const CsvRecord& rec : r.records) out.push_back(rec.line);
  return out;
}

TEST(ReadCsv, SplitsRecordsAndFields) {
  CsvResult r = ReadCsv("a,b,c\n1,2,3\n");
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(CellsOf(r), (std::vector<Cells>{{"a", "b", "c"}, {"1", "2", "3"}}));
  EXPECT_EQ(LinesOf(r), (std::vector<int>{1, 2}));
}

TEST(ReadCsv, LastRecordNeedsNoLineEnd) {
  EXPECT_EQ(CellsOf(ReadCsv("a,b\n1,2")), (std::vector<Cells>{{"a", "b"}, {"1", "2"}}));
}

TEST(ReadCsv, AcceptsCrlf) {
  CsvResult r = ReadCsv("a,b\r\n1,2\r\n");
  EXPECT_EQ(CellsOf(r), (std::vector<Cells>{{"a", "b"}, {"1", "2"}}));
  EXPECT_EQ(LinesOf(r), (std::vector<int>{1, 2}));
}

TEST(ReadCsv, KeepsEmptyCellsIncludingTrailingOnes) {
  EXPECT_EQ(CellsOf(ReadCsv(",x,\n")), (std::vector<Cells>{{"", "x", ""}}));
  EXPECT_EQ(CellsOf(ReadCsv("x,")), (std::vector<Cells>{{"x", ""}}));
}

TEST(ReadCsv, QuotedFieldsHoldCommasQuotesAndNewlines) {
  CsvResult r = ReadCsv("\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\nnext,\"\",x\n");
  EXPECT_TRUE(r.errors.empty());
  EXPECT_EQ(CellsOf(r),
            (std::vector<Cells>{{"a,b", "say \"hi\"", "two\nlines"}, {"next", "", "x"}}));
  EXPECT_EQ(LinesOf(r), (std::vector<int>{1, 3}));  // the record starts on the line it opens
}

TEST(ReadCsv, QuotedCrlfIsKeptAsData) {
  EXPECT_EQ(CellsOf(ReadCsv("\"a\r\nb\"\r\n")), (std::vector<Cells>{{"a\r\nb"}}));
}

TEST(ReadCsv, SkipsEmptyLinesButCountsThem) {
  CsvResult r = ReadCsv("\na\n\r\n\nb\n");
  EXPECT_EQ(CellsOf(r), (std::vector<Cells>{{"a"}, {"b"}}));
  EXPECT_EQ(LinesOf(r), (std::vector<int>{2, 5}));
}

TEST(ReadCsv, LoneCarriageReturnIsData) {
  EXPECT_EQ(CellsOf(ReadCsv("a\rb,c\n")), (std::vector<Cells>{{"a\rb", "c"}}));
}

TEST(ReadCsv, EmptyInputHasNoRecords) {
  CsvResult r = ReadCsv("");
  EXPECT_TRUE(r.records.empty());
  EXPECT_TRUE(r.errors.empty());
}

TEST(ReadCsv, UnterminatedQuoteIsReportedOnTheLineItOpens) {
  CsvResult r = ReadCsv("a,b\n1,2\nx,\"open\n3,4\n5,6\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 3);
  EXPECT_EQ(r.errors[0].message, "unterminated quoted field in column 2 (opened on line 3)");
  EXPECT_EQ(LinesOf(r), (std::vector<int>{1, 2}));
}

TEST(ReadCsv, UnterminatedQuoteInsideAMultiLineRecordNamesBothLines) {
  CsvResult r = ReadCsv("\"a\nb\",\"c\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 1);
  EXPECT_EQ(r.errors[0].message, "unterminated quoted field in column 2 (opened on line 2)");
}

TEST(ReadCsv, StrayQuoteSkipsOnlyThatRecord) {
  CsvResult r = ReadCsv("a,b\n1,x\"y\n3,4\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 2);
  EXPECT_EQ(r.errors[0].message,
            "a '\"' inside an unquoted field in column 2 (quote the whole field and double the "
            "quote)");
  EXPECT_EQ(CellsOf(r), (std::vector<Cells>{{"a", "b"}, {"3", "4"}}));
  EXPECT_EQ(LinesOf(r), (std::vector<int>{1, 3}));
}

TEST(ReadCsv, TextAfterClosingQuoteSkipsOnlyThatRecord) {
  CsvResult r = ReadCsv("\"a\"b,c\nd\n");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].line, 1);
  EXPECT_EQ(r.errors[0].message, "unexpected text after the closing quote in column 1");
  EXPECT_EQ(CellsOf(r), (std::vector<Cells>{{"d"}}));
}

TEST(ReadCsv, KeepsBytesAsTheyAre) {
  std::string text("\xff\x00,\xe8\xae\xa2\n", 6);
  EXPECT_EQ(CellsOf(ReadCsv(text)),
            (std::vector<Cells>{{std::string("\xff\x00", 2), "\xe8\xae\xa2"}}));
}

}  // namespace
}  // namespace customsd
