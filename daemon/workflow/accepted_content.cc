#include "daemon/workflow/accepted_content.h"

#include <nlohmann/json.hpp>
#include <optional>

namespace customsd {
namespace {

using nlohmann::json;

json Of(const std::string& s) { return json(s); }
json Of(const std::optional<std::string>& s) { return s ? json(*s) : json(nullptr); }
json Of(const std::optional<int64_t>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

std::vector<std::string> FieldsChangedSinceAccepted(const DeclarationRecord& r) {
  if (r.accepted_content.empty()) return {};
  const json accepted = json::parse(r.accepted_content, nullptr, /*allow_exceptions=*/false);
  std::vector<std::string> changed;
  // The trigger (migration 0007) stores every field, absent ones as null.
  for (const FieldSpec& spec : kDeclarationFields) {
    const std::string name(spec.name);
    const json value = spec.text != nullptr            ? Of(r.fields.*spec.text)
                       : spec.optional_text != nullptr ? Of(r.fields.*spec.optional_text)
                                                       : Of(r.fields.*spec.fen);
    if (!accepted.is_object() || !accepted.contains(name) || accepted.at(name) != value) {
      changed.push_back(name);
    }
  }
  return changed;
}

}  // namespace customsd
