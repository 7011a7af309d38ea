# libFuzzer targets, built only with -DMAILLAGE_FUZZ=ON and clang (Debian's clang-14 with
# libclang-rt-14-dev), in a build folder of their own:
#
#   cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DMAILLAGE_FUZZ=ON \
#     -DMAILLAGE_BUILD_TESTS=OFF && cmake --build build-fuzz --target fuzz
#
# Everything is compiled with coverage feedback and ASan + UBSan (a sanitizer report is a
# crash); the Debian libraries (gRPC, Abseil, protobuf) stay as built by g++ and link through
# libstdc++. scripts/fuzz builds and runs every target; the list of targets and their
# binaries is written to <build>/fuzz_targets.txt.
option(MAILLAGE_FUZZ "Build the libFuzzer targets (needs CMAKE_CXX_COMPILER=clang++-14)" OFF)

if(MAILLAGE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "MAILLAGE_FUZZ needs clang: configure with -DCMAKE_CXX_COMPILER=clang++-14")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

# maillage_fuzz(<name> <sources...> LIBS <libs...>)
#
# One libFuzzer executable (a no-op unless MAILLAGE_FUZZ). Its seed corpus is
# fuzz/corpus/<name>; scripts/fuzz runs it for a bounded time.
function(maillage_fuzz name)
  if(NOT MAILLAGE_FUZZ)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "LIBS" ${ARGN})
  add_executable(${name} ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  maillage_target_defaults(${name})
  set_property(GLOBAL APPEND PROPERTY MAILLAGE_FUZZ_TARGETS ${name})
endfunction()

# After every add_subdirectory(): the `fuzz` target builds them all, and fuzz_targets.txt
# lists "<name> <binary>" one a line.
function(maillage_fuzz_finish)
  if(NOT MAILLAGE_FUZZ)
    return()
  endif()
  get_property(targets GLOBAL PROPERTY MAILLAGE_FUZZ_TARGETS)
  add_custom_target(fuzz DEPENDS ${targets})
  set(lines "")
  foreach(t IN LISTS targets)
    string(APPEND lines "${t} $<TARGET_FILE:${t}>\n")
  endforeach()
  file(GENERATE OUTPUT "${CMAKE_BINARY_DIR}/fuzz_targets.txt" CONTENT "${lines}")
endfunction()
