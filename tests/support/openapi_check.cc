#include "tests/support/openapi_check.h"

#include <algorithm>

#include "tests/support/temp_dir.h"
#include "tests/support/test_config.h"

namespace customsd::testing {
namespace {

using Json = nlohmann::json;

bool HasType(const Json& v, const std::string& type) {
  if (type == "null") return v.is_null();
  if (type == "string") return v.is_string();
  if (type == "integer") return v.is_number_integer();
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_boolean();
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  return false;
}

const Json& Resolve(const Json& schema) {
  if (!schema.contains("$ref")) return schema;
  std::string ref = schema["$ref"].get<std::string>();
  const std::string prefix = "#/components/schemas/";
  return OpenApiDoc()["components"]["schemas"].at(ref.substr(prefix.size()));
}

void Check(const Json& raw_schema, const Json& v, const std::string& at, std::string* out) {
  const Json& s = Resolve(raw_schema);
  auto fail = [&](const std::string& what) { *out += at + ": " + what + "\n"; };
  if (s.contains("oneOf")) {
    int matches = 0;
    for (const Json& option : s["oneOf"]) {
      std::string sub;
      Check(option, v, at, &sub);
      matches += sub.empty() ? 1 : 0;
    }
    if (matches != 1) fail("matches " + std::to_string(matches) + " of oneOf");
    return;
  }
  if (s.contains("type")) {
    std::vector<std::string> types;
    if (s["type"].is_array()) {
      for (const Json& t : s["type"]) types.push_back(t.get<std::string>());
    } else {
      types.push_back(s["type"].get<std::string>());
    }
    if (std::none_of(types.begin(), types.end(), [&](const auto& t) { return HasType(v, t); })) {
      fail("is " + std::string(v.type_name()) + ", the document says " + s["type"].dump());
      return;
    }
  }
  if (s.contains("enum") && std::find(s["enum"].begin(), s["enum"].end(), v) == s["enum"].end()) {
    fail(v.dump() + " is not one of " + s["enum"].dump());
  }
  if (v.is_object()) {
    for (const Json& key : s.value("required", Json::array())) {
      if (!v.contains(key.get<std::string>())) fail("missing " + key.get<std::string>());
    }
    const Json props = s.value("properties", Json::object());
    for (const auto& [key, value] : v.items()) {
      if (props.contains(key)) {
        Check(props[key], value, at + "." + key, out);
      } else if (s.contains("additionalProperties") && s["additionalProperties"] == false) {
        fail("has " + key + ", which the document does not name");
      }
    }
  }
  if (v.is_array()) {
    if (s.contains("minItems") && v.size() < s["minItems"].get<size_t>()) fail("too few items");
    if (s.contains("items")) {
      for (size_t i = 0; i < v.size(); ++i) {
        Check(s["items"], v[i], at + "[" + std::to_string(i) + "]", out);
      }
    }
  }
}

}  // namespace

const Json& OpenApiDoc() {
  static const Json kDoc =
      Json::parse(ReadFile(TestInstall::SourceFile("daemon/api/openapi.json")));
  return kDoc;
}

std::string OpenApiMismatch(const std::string& method, const std::string& path, int status,
                            const Json& body) {
  const Json& paths = OpenApiDoc()["paths"];
  if (!paths.contains(path) || !paths[path].contains(method)) {
    return method + " " + path + ": not in the document\n";
  }
  const Json& responses = paths[path][method]["responses"];
  const std::string code = std::to_string(status);
  if (!responses.contains(code))
    return method + " " + path + ": no " + code + " answer documented\n";
  const Json& response = responses[code];
  if (!response.contains("content")) return "";
  std::string out;
  Check(response["content"]["application/json"]["schema"], body, "$", &out);
  return out;
}

}  // namespace customsd::testing
