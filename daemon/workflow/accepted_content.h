// What WeChat Pay accepted against what the row holds now (migration 0007 keeps the former in
// accepted_content). A declare or re-push of other content than WeChat accepted would file a
// second, different declaration of the same order, or re-push values WeChat never had: the
// only way to change accepted values is a modification (`customsd modify`), so a difference
// found before any other send means a hand edit, and a person decides.
#pragma once

#include <string>
#include <vector>

#include "storage/declaration_record.h"

namespace customsd {

// The names of the sent fields whose values differ from r.accepted_content, in the API's
// order; empty when nothing was accepted yet or nothing differs. Unreadable accepted_content
// (edited by hand into something that is not its JSON) counts as every field differing.
std::vector<std::string> FieldsChangedSinceAccepted(const DeclarationRecord& r);

}  // namespace customsd
