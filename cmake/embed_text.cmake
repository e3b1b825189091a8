# Writes a C++ source whose function FUNCTION() returns the text of INPUT, so the binary carries
# the file (daemon/api/openapi.json) and needs nothing at run time.
# Inputs: INPUT (the file), OUTPUT (the .cc to write), HEADER (included first), FUNCTION.
file(READ "${INPUT}" text)
string(FIND "${text}" ")customsd_text\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${INPUT} contains the raw-string delimiter")
endif()
file(WRITE "${OUTPUT}.tmp"
"// Generated from ${INPUT} by cmake/embed_text.cmake. Do not edit.\n"
"#include \"${HEADER}\"\n\n"
"namespace customsd {\n\n"
"std::string_view ${FUNCTION}() {\n"
"  static constexpr char kText[] = R\"customsd_text(${text})customsd_text\";\n"
"  return {kText, sizeof(kText) - 1};\n}\n\n}  // namespace customsd\n")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
