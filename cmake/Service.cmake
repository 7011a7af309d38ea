# maillage_service(NAME <name> SOURCES <files...> [MIGRATIONS <files...>]
#                  [DEPS <libs...>] [PRIVATE_DEPS <libs...>])
#
# Declares a Maillage service in services/<name>/:
#   <name>_service     a library of SOURCES (handlers, store, wiring: everything but main.cc),
#                      linking the runtime and DEPS publicly (its proto library among them:
#                      each proto library is one static library, so its messages are compiled
#                      and linked once however many targets use it), PRIVATE_DEPS privately;
#   <name>_migrations  MIGRATIONS compiled in (maillage_embed_files), as
#                      maillage::<name>::EmbeddedFiles(), linked into <name>_service;
#   <name>             the binary, main.cc + <name>_service.
# It stops the configuration if services/<name>/Dockerfile is missing: every service ships
# as an image. Tests are declared beside, with maillage_test(... LIBS <name>_service).
#
#   maillage_service(NAME assessment
#     SOURCES assessment_service.cc assessment_store.cc assessment_runtime.cc
#     MIGRATIONS ${CMAKE_CURRENT_SOURCE_DIR}/migrations/001_init.sql
#     DEPS maillage_assessment_proto)
function(maillage_service)
  cmake_parse_arguments(ARG "" "NAME" "SOURCES;MIGRATIONS;DEPS;PRIVATE_DEPS" ${ARGN})
  if(NOT ARG_NAME OR NOT ARG_SOURCES)
    message(FATAL_ERROR "maillage_service: NAME and SOURCES are required")
  endif()
  set(dir "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${dir}/Dockerfile")
    message(FATAL_ERROR "maillage_service(${ARG_NAME}): ${dir}/Dockerfile is missing")
  endif()
  if(NOT EXISTS "${dir}/main.cc")
    message(FATAL_ERROR "maillage_service(${ARG_NAME}): ${dir}/main.cc is missing")
  endif()

  add_library(${ARG_NAME}_service ${ARG_SOURCES})
  target_include_directories(${ARG_NAME}_service PUBLIC "${PROJECT_SOURCE_DIR}")
  target_link_libraries(${ARG_NAME}_service
    PUBLIC maillage_runtime ${ARG_DEPS}
    PRIVATE ${ARG_PRIVATE_DEPS})
  maillage_target_defaults(${ARG_NAME}_service)

  if(ARG_MIGRATIONS)
    maillage_embed_files(${ARG_NAME}_migrations
      NAMESPACE maillage::${ARG_NAME}
      FILES ${ARG_MIGRATIONS})
    target_link_libraries(${ARG_NAME}_service PRIVATE ${ARG_NAME}_migrations)
  endif()

  add_executable(${ARG_NAME} main.cc)
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_NAME}_service maillage_runtime)
  maillage_target_defaults(${ARG_NAME})
endfunction()
