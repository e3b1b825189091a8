// Holds a JSON answer against daemon/api/openapi.json, the checked-in document (not the copy
// the binary serves), so a field the code adds or drops without the document fails a test.
//
// Understands what the document uses: $ref to #/components/schemas, type (one or a list),
// enum, required, properties, additionalProperties: false, items, oneOf, minItems.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace customsd::testing {

// The checked-in document.
const nlohmann::json& OpenApiDoc();

// "" when `body` matches the schema of the `status` answer of `method` (lower case, "post")
// on `path` (the document's template, "/v1/declarations/{id}"); else every mismatch, one per
// line, each with its JSON path.
std::string OpenApiMismatch(const std::string& method, const std::string& path, int status,
                            const nlohmann::json& body);

}  // namespace customsd::testing
