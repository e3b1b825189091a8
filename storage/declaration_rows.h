// Mapping between SQLite rows and DeclarationRecord / Event. Internal to storage/.
#pragma once

#include <SQLiteCpp/Statement.h>

#include <optional>
#include <string>

#include "storage/declaration_record.h"

namespace customsd {

// The declaration's field columns, named as the API names the fields and in the field table's
// order (common/declaration.h): "appid, mchid, ..., product_fee". `modifiable_only`: just the
// fields a modification changes.
const std::string& FieldColumns(bool modifiable_only = false);

// The column list every declaration SELECT uses, in the order ReadDeclaration expects: id, the
// field columns, then the daemon's own.
const std::string& DeclarationColumns();
DeclarationRecord ReadDeclaration(SQLite::Statement& q);

// Binds the field `spec` of `f` at `index`: text as it is, an absent optional as NULL.
void BindField(SQLite::Statement& q, int index, const FieldSpec& spec, const DeclarationFields& f);

extern const char* const kEventColumns;
Event ReadEvent(SQLite::Statement& q);

// Binds NULL for an empty optional / empty string.
void BindOptional(SQLite::Statement& q, int index, const std::optional<int64_t>& v);
void BindText(SQLite::Statement& q, int index, const std::optional<std::string>& v);
void BindTextOrNull(SQLite::Statement& q, int index, const std::string& v);

}  // namespace customsd
