# maillage_test(<name> <sources...> LIBS <libs...> [LABELS <labels...>])
#
# One GoogleTest executable registered with CTest test by test. Label "unit" (default) runs
# without any server; label "integration" starts real PostgreSQL/Redis through
# tests/support; label "e2e" starts whole processes.
function(maillage_test name)
  cmake_parse_arguments(ARG "" "" "LIBS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gmock GTest::gtest_main)
  maillage_target_defaults(${name})
  gtest_discover_tests(${name}
    DISCOVERY_MODE PRE_TEST
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT 300)
endfunction()
