# Writes a C++ source that holds every migration's SQL as a string literal, so the binary
# carries its schema and needs no files at run time.
# Inputs: OUTPUT (the .cc to write), MIGRATIONS (.sql paths in order, separated by "|" because
# a ";" would not survive the custom command line).
string(REPLACE "|" ";" MIGRATIONS "${MIGRATIONS}")
set(body "")
foreach(path IN LISTS MIGRATIONS)
  get_filename_component(name "${path}" NAME_WE)
  file(READ "${path}" sql)
  string(FIND "${sql}" ")customsd_sql\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${path} contains the raw-string delimiter")
  endif()
  string(APPEND body "    {\"${name}\", R\"customsd_sql(${sql})customsd_sql\"},\n")
endforeach()
file(WRITE "${OUTPUT}.tmp"
"// Generated from migrations/*.sql by cmake/embed_migrations.cmake. Do not edit.\n"
"#include \"storage/migrations.h\"\n\n"
"namespace customsd {\n\n"
"const std::vector<Migration>& EmbeddedMigrations() {\n"
"  static const std::vector<Migration> kMigrations = {\n${body}  };\n"
"  return kMigrations;\n}\n\n}  // namespace customsd\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
