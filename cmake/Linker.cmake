# The linker: LLVM's lld when the compiler can use it (Debian package lld, installed by
# scripts/bootstrap). It links a test binary in about a fifth of the time of GNU ld
# (0.7 s against 3.7 s for assessment_service_test), which adds up over the hundred-odd
# executables of the test, sanitizer and fuzz builds on a 2-core CI machine.
option(MAILLAGE_USE_LLD "Link with lld when available" ON)
if(MAILLAGE_USE_LLD)
  include(CheckLinkerFlag)
  check_linker_flag(CXX "-fuse-ld=lld" MAILLAGE_HAVE_LLD)
  if(MAILLAGE_HAVE_LLD)
    add_link_options("-fuse-ld=lld")
  else()
    message(STATUS "lld not found: linking with the default linker")
  endif()
endif()
