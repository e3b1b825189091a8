#include "daemon/api/request_body.h"

#include <nlohmann/json.hpp>

#include "daemon/intake/field_checks.h"

namespace customsd {
namespace {

std::string MediaType(std::string_view content_type) {
  std::string t(content_type.substr(0, content_type.find(';')));
  while (!t.empty() && t.back() == ' ') t.pop_back();
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return t;
}

// Offset of the first bracket past kMaxDepth, outside strings; npos when there is none.
size_t TooDeepAt(std::string_view body) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::string_view::npos;
}

}  // namespace

Status CheckJsonText(std::string_view body) {
  if (size_t bad = FindInvalidUtf8(body); bad != std::string_view::npos) {
    return Status::InvalidInput("body: not valid UTF-8 at byte " + std::to_string(bad));
  }
  if (size_t deep = TooDeepAt(body); deep != std::string_view::npos) {
    return Status::InvalidInput("body: nested more than " + std::to_string(kMaxDepth) +
                                " levels deep at byte " + std::to_string(deep));
  }
  return Status::Ok();
}

StatusOr<DeclarationsBody> ReadDeclarationsBody(std::string_view body,
                                                std::string_view content_type) {
  const std::string type = MediaType(content_type);
  const bool lines = type == "application/x-ndjson" || type == "application/jsonl";
  if (!lines && type != "application/json") {
    return Status::FailedPrecondition(
        "content-type: send application/json (an object or an array) or application/x-ndjson");
  }
  if (Status s = CheckJsonText(body); !s.ok()) return s;
  DeclarationsBody out;
  if (lines) {
    out.form = BodyForm::kLines;
    out.jsonl = std::string(body);
    return out;
  }
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Parse again for the position: the callback-free parse above says only that it failed.
    try {
      const nlohmann::json unused = nlohmann::json::parse(body);
      (void)unused;
    } catch (const nlohmann::json::parse_error& e) {
      return Status::InvalidInput("body: not JSON (at byte " + std::to_string(e.byte) + ")");
    } catch (...) {
    }
    return Status::InvalidInput("body: not JSON");
  }
  auto dump = [](const nlohmann::json& v) {
    return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  };
  if (j.is_object()) {
    out.form = BodyForm::kObject;
    out.jsonl = dump(j) + "\n";
    return out;
  }
  if (!j.is_array()) {
    return Status::InvalidInput("body: must be a declaration object or an array of them");
  }
  if (j.empty()) return Status::InvalidInput("body: the array holds no declaration");
  out.form = BodyForm::kArray;
  for (size_t i = 0; i < j.size(); ++i) {
    if (!j[i].is_object()) {
      return Status::InvalidInput("record " + std::to_string(i) + ": must be a JSON object");
    }
    out.jsonl += dump(j[i]);
    out.jsonl += '\n';
  }
  return out;
}

}  // namespace customsd
