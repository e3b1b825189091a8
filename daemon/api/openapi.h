// The API's OpenAPI 3.1 document: daemon/api/openapi.json, embedded at build time and served
// at GET /v1/openapi.json. Tests hold the API's real answers against the checked-in file.
#pragma once

#include <string_view>

namespace customsd {

std::string_view OpenApiDocument();

}  // namespace customsd
