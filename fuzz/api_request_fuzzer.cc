// Fuzz target: the body of POST /v1/declarations (ReadDeclarationsBody), then the intake it
// feeds. The first byte picks the content type (JSON or JSON Lines), the rest is the body.
//
// Promises (daemon/api/request_body.h): never throws, whatever the bytes; a body accepted as
// JSON gives one line per record, each a JSON object (so record N is line N+1); and what it
// gives the intake keeps the intake's own promises (fuzz/intake_checks.h).
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "daemon/api/request_body.h"
#include "fuzz/intake_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace customsd;
  using namespace customsd::fuzz;
  if (size == 0) return 0;
  const char* type = (data[0] & 1) != 0 ? "application/x-ndjson" : "application/json";
  const std::string_view body = AsText(data + 1, size - 1);
  auto read = ReadDeclarationsBody(body, type);
  if (!read.ok()) {
    FUZZ_REQUIRE(!read.status().message().empty(), "a refusal says why");
    return 0;
  }
  if (read->form != BodyForm::kLines) {
    size_t lines = 0;
    for (size_t at = 0; at < read->jsonl.size();) {
      const size_t end = read->jsonl.find('\n', at);
      FUZZ_REQUIRE(end != std::string::npos, "every record line ends with a newline");
      auto line = nlohmann::json::parse(read->jsonl.substr(at, end - at), nullptr, false);
      FUZZ_REQUIRE(line.is_object(), "every record line is a JSON object");
      ++lines;
      at = end + 1;
    }
    FUZZ_REQUIRE(lines > 0, "an accepted body holds a record");
    FUZZ_REQUIRE(read->form != BodyForm::kObject || lines == 1, "an object is one record");
  }
  const IntakeOptions options = OneMerchantOptions(IntakeFormat::kJsonLines);
  CheckIntakeResult(read->jsonl, options, ParseDeclarations(read->jsonl, options));
  return 0;
}
