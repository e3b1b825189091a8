// Reads the rules the conformance tests check from WeChat Pay's own pages (the seeds in
// ../shared/reference/seeds/), so a row missing from a conformance table fails a test instead of
// going unnoticed. The parsers know the layout of these three pages and nothing more; each
// returns an empty list when the layout is not what it expects, and the tests treat that as a
// failure.
#pragma once

#include <string>
#include <vector>

namespace customsd::conformance {

// "declare" (declare-api-en.txt) or "query" (query-api-en.txt).
struct SeedErrorRow {
  std::string page;
  std::string code;     // as the page writes it, e.g. "SYSTEMERROR"
  std::string message;  // the row's text, e.g. "System error"
};
std::vector<SeedErrorRow> ReadSeedErrorRows(const std::string& page);

// The fields of the query's successful answer (query-api-zh.txt, "正常返回"): top level and
// data[] items together, in page order.
std::vector<std::string> ReadSeedQueryAnswerFields();

// The fields of the declare's successful answer (declare-api-en.txt, "Response for successful
// request"), lower-cased (the page spells one "Verify_department_trade_id").
std::vector<std::string> ReadSeedDeclareAnswerFields();

// The directory of the seed pages.
std::string SeedDir();

}  // namespace customsd::conformance
