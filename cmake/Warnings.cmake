# Warning flags and the optional sanitizer build, applied to every Maillage target through
# maillage_target_defaults().
option(MAILLAGE_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)

add_library(maillage_warnings INTERFACE)
target_compile_options(maillage_warnings INTERFACE -Wall -Wextra -Werror)

if(MAILLAGE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
endif()

function(maillage_target_defaults target)
  target_link_libraries(${target} PRIVATE maillage_warnings)
endfunction()
