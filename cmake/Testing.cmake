# maillage_test(<name> <sources...> LIBS <libs...> [LABELS <labels...>])
#
# One GoogleTest executable registered with CTest. Label "unit" (default) runs without any
# server, one CTest test per TEST(); label "integration" starts real PostgreSQL/Redis through
# tests/support and label "e2e" whole processes, one CTest test per executable.
function(maillage_test name)
  cmake_parse_arguments(ARG "" "" "LIBS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gmock GTest::gtest_main)
  maillage_target_defaults(${name})
  if("unit" IN_LIST ARG_LABELS)
    # One CTest test per TEST(): failures are reported by name and run in parallel.
    gtest_discover_tests(${name}
      DISCOVERY_MODE PRE_TEST
      PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT 300)
  else()
    # One CTest test per executable: its fixtures start PostgreSQL and Redis once for all of
    # its tests instead of once per test.
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT 900)
  endif()
endfunction()
