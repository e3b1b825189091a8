// The body of POST /v1/declarations, turned into the JSON Lines text the intake reads
// (daemon/intake/intake.h), so the API and `customsd declare` validate through one code path.
//
// Contract:
//  - application/json: one object, or an array of objects. Each record becomes one line, so
//    line N of the result is record N-1 of the body (`form` says which numbering to report).
//  - application/x-ndjson (or application/jsonl): taken as it is; problems are named by line.
//  - Any other content type is kFailedPrecondition (the API answers 415).
//  - kInvalidInput, naming the byte or record, for a body that is not UTF-8, not JSON, nested
//    deeper than kMaxDepth (refused before it is parsed, so no input can exhaust the stack),
//    an empty array, or an array element that is not an object.
//  - Never throws, whatever the bytes.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace customsd {

enum class BodyForm { kObject, kArray, kLines };

struct DeclarationsBody {
  BodyForm form = BodyForm::kObject;
  std::string jsonl;
};

inline constexpr int kMaxDepth = 16;

// kInvalidInput when `body` is not UTF-8 or nests deeper than kMaxDepth: what every JSON body
// the API reads must pass before it is parsed.
Status CheckJsonText(std::string_view body);

StatusOr<DeclarationsBody> ReadDeclarationsBody(std::string_view body,
                                                std::string_view content_type);

}  // namespace customsd
