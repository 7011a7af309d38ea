# maillage_proto_library(<name> PROTOS <files relative to a root> [ROOT <dir>] [GRPC] [DEPS <libs>])
#
# Generates C++ (and, with GRPC, gRPC service stubs) for the given .proto files into
# ${CMAKE_BINARY_DIR}/gen and wraps them in one static library, so that every generated
# message is compiled and linked exactly once however many targets use it.
set(MAILLAGE_GOOGLEAPIS_DIR "/usr/share/gocode/src/github.com/gogo/googleapis"
    CACHE PATH "Folder holding google/api/annotations.proto and http.proto")
set(MAILLAGE_PROTO_GEN_DIR "${CMAKE_BINARY_DIR}/gen")
file(MAKE_DIRECTORY "${MAILLAGE_PROTO_GEN_DIR}")

function(maillage_proto_library name)
  cmake_parse_arguments(ARG "GRPC" "ROOT" "PROTOS;DEPS" ${ARGN})
  if(NOT ARG_ROOT)
    set(ARG_ROOT "${PROJECT_SOURCE_DIR}/proto")
  endif()
  set(srcs)
  set(hdrs)
  foreach(proto IN LISTS ARG_PROTOS)
    string(REGEX REPLACE "\\.proto$" "" stem "${proto}")
    set(outputs "${MAILLAGE_PROTO_GEN_DIR}/${stem}.pb.cc" "${MAILLAGE_PROTO_GEN_DIR}/${stem}.pb.h")
    set(grpc_args)
    if(ARG_GRPC)
      list(APPEND outputs "${MAILLAGE_PROTO_GEN_DIR}/${stem}.grpc.pb.cc"
           "${MAILLAGE_PROTO_GEN_DIR}/${stem}.grpc.pb.h")
      set(grpc_args "--grpc_out=${MAILLAGE_PROTO_GEN_DIR}"
                    "--plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>")
    endif()
    add_custom_command(
      OUTPUT ${outputs}
      COMMAND protobuf::protoc
        "--cpp_out=${MAILLAGE_PROTO_GEN_DIR}" ${grpc_args}
        "-I${ARG_ROOT}" "-I${PROJECT_SOURCE_DIR}/proto" "-I${MAILLAGE_GOOGLEAPIS_DIR}" "-I/usr/include"
        "${ARG_ROOT}/${proto}"
      DEPENDS "${ARG_ROOT}/${proto}" protobuf::protoc
      COMMENT "protoc ${proto}"
      VERBATIM)
    list(APPEND srcs ${outputs})
  endforeach()
  add_library(${name} STATIC ${srcs})
  target_include_directories(${name} SYSTEM PUBLIC "${MAILLAGE_PROTO_GEN_DIR}")
  target_link_libraries(${name} PUBLIC protobuf::libprotobuf ${ARG_DEPS})
  if(ARG_GRPC)
    target_link_libraries(${name} PUBLIC gRPC::grpc++)
  endif()
endfunction()
