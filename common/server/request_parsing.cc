#include "common/server/request_parsing.h"

#include <cstdlib>
#include <iostream>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/unknown_field_set.h"

namespace maillage {
namespace {

// The largest field number protobuf allows: no Maillage message declares it.
constexpr int kUnparsableMark = 536870911;

}  // namespace

void MarkUnparsable(google::protobuf::Message& request) {
  request.Clear();
  request.GetReflection()->MutableUnknownFields(&request)->AddVarint(kUnparsableMark, 1);
}

bool IsUnparsable(const google::protobuf::Message& request) {
  const google::protobuf::UnknownFieldSet& unknown =
      request.GetReflection()->GetUnknownFields(request);
  // A client sending that field number alone is answered as unparsable too: it is no field
  // of any Maillage message.
  return unknown.field_count() == 1 && unknown.field(0).number() == kUnparsableMark;
}

grpc::Status UnparsableRequestStatus(const google::protobuf::Message& request) {
  return grpc::Status(
      grpc::StatusCode::INVALID_ARGUMENT,
      absl::StrCat("request: not a valid ", request.GetDescriptor()->full_name(),
                   " (a string field is not UTF-8, or the bytes are not protobuf)"));
}

namespace internal {

int UniqueMethodIndex(const google::protobuf::Descriptor* input,
                      const google::protobuf::Descriptor* output, bool server_streaming) {
  int found = -1;
  int matches = 0;
  const google::protobuf::FileDescriptor* file = input->file();
  for (int s = 0; s < file->service_count(); ++s) {
    const google::protobuf::ServiceDescriptor* service = file->service(s);
    for (int i = 0; i < service->method_count(); ++i) {
      const google::protobuf::MethodDescriptor* m = service->method(i);
      if (m->client_streaming() || m->server_streaming() != server_streaming) continue;
      if (m->input_type() == input && m->output_type() == output) {
        found = i;
        ++matches;
      }
    }
  }
  if (matches != 1) {
    std::cerr << "CheckRequestParsing: " << matches
              << (server_streaming ? " server-streaming" : " unary") << " methods take "
              << input->full_name() << " and return " << output->full_name() << "\n";
    std::abort();
  }
  return found;
}

}  // namespace internal
}  // namespace maillage
