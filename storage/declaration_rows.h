// Mapping between SQLite rows and DeclarationRecord / Event. Internal to storage/.
#pragma once

#include <SQLiteCpp/Statement.h>

#include <optional>
#include <string>

#include "storage/declaration_record.h"

namespace customsd {

// The column list every declaration SELECT uses, in the order ReadDeclaration expects.
extern const char* const kDeclarationColumns;
DeclarationRecord ReadDeclaration(SQLite::Statement& q);

extern const char* const kEventColumns;
Event ReadEvent(SQLite::Statement& q);

// Binds NULL for an empty optional / empty string.
void BindOptional(SQLite::Statement& q, int index, const std::optional<int64_t>& v);
void BindText(SQLite::Statement& q, int index, const std::optional<std::string>& v);
void BindTextOrNull(SQLite::Statement& q, int index, const std::string& v);

}  // namespace customsd
