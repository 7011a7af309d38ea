# maillage_embed_files(<target> NAMESPACE <ns> FILES <files...>)
#
# Compiles the given text files (SQL migrations) into <target>, a static library exposing
#   const std::vector<std::pair<std::string_view, std::string_view>>& <ns>::EmbeddedFiles();
# as (file name, contents) pairs sorted by name. Shipping migrations inside the binary keeps
# the container image a single file and makes "which schema does this build expect" exact.
function(maillage_embed_files target)
  cmake_parse_arguments(ARG "" "NAMESPACE" "FILES" ${ARGN})
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}_embedded.cc")
  set(script "${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} "-DOUT=${out}" "-DNAMESPACE=${ARG_NAMESPACE}"
            "-DFILES=${ARG_FILES}" -P "${script}"
    DEPENDS ${ARG_FILES} "${script}"
    COMMENT "embedding ${target}"
    VERBATIM)
  add_library(${target} STATIC "${out}")
endfunction()
