// What reaches membership below the typed API: request bytes that are not a valid message.
// Every unary method of the service descriptor is sent a string field holding bytes that are
// not UTF-8, and bytes that are not protobuf, by a signed caller and by an unsigned one: each
// answer is INVALID_ARGUMENT naming the request type (not gRPC's empty UNIMPLEMENTED), and the
// service keeps serving well-formed calls.
#include <gmock/gmock.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include <future>
#include <string>

#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "services/membership/membership_harness.h"

namespace maillage::membership {
namespace {

// A body in which the request's first string field (found through its descriptor, nested
// messages included) holds 0xFF 0xFE.
std::string NotUtf8Body(const google::protobuf::Descriptor* d, int depth = 0) {
  for (int i = 0; i < d->field_count(); ++i) {
    const google::protobuf::FieldDescriptor* f = d->field(i);
    std::string tag;
    uint32_t key = (static_cast<uint32_t>(f->number()) << 3) | 2;
    while (key >= 0x80) {
      tag.push_back(static_cast<char>((key & 0x7f) | 0x80));
      key >>= 7;
    }
    tag.push_back(static_cast<char>(key));
    if (f->type() == google::protobuf::FieldDescriptor::TYPE_STRING) {
      return tag + std::string("\x02\xff\xfe", 3);
    }
    if (f->type() == google::protobuf::FieldDescriptor::TYPE_MESSAGE && depth < 3) {
      std::string inner = NotUtf8Body(f->message_type(), depth + 1);
      if (!inner.empty() && inner.size() < 0x80) {
        return tag + static_cast<char>(inner.size()) + inner;
      }
    }
  }
  return "";
}

class TransportTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(h_.Start().ok()); }

  grpc::Status SendRaw(const std::string& method, const std::string& bytes, bool signed_call) {
    auto channel = grpc::CreateChannel(h_.address(), grpc::InsecureChannelCredentials());
    grpc::GenericStub stub(channel);
    std::unique_ptr<grpc::ClientContext> ctx;
    if (signed_call) {
      ctx = h_.Context(h_.Admin());
    } else {
      ctx = std::make_unique<grpc::ClientContext>();
      ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    }
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(ctx.get(), method, grpc::StubOptions(), &request, &response,
                   [&done](grpc::Status s) { done.set_value(std::move(s)); });
    return done.get_future().get();
  }

  MembershipHarness h_;
};

TEST_F(TransportTest, EveryUnaryMethodAnswersUnparsableRequestsWithInvalidArgument) {
  const google::protobuf::ServiceDescriptor* service =
      google::protobuf::DescriptorPool::generated_pool()->FindServiceByName(
          "maillage.membership.v1.MembershipService");
  ASSERT_NE(service, nullptr);
  int unary = 0;
  for (int i = 0; i < service->method_count(); ++i) {
    const google::protobuf::MethodDescriptor* m = service->method(i);
    if (m->client_streaming() || m->server_streaming()) continue;
    ++unary;
    std::string method = absl::StrCat("/", service->full_name(), "/", m->name());
    std::string expected = absl::StrCat("request: not a valid ", m->input_type()->full_name());
    std::string not_utf8 = NotUtf8Body(m->input_type());
    ASSERT_FALSE(not_utf8.empty()) << m->name() << " has no string field to spoil";
    for (const std::string& body : {not_utf8, std::string("\xff\xff\xff\xff", 4)}) {
      for (bool signed_call : {true, false}) {
        grpc::Status s = SendRaw(method, body, signed_call);
        EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT)
            << m->name() << " answered " << s.error_code() << " " << s.error_message();
        EXPECT_THAT(s.error_message(), ::testing::StartsWith(expected)) << m->name();
      }
    }
  }
  EXPECT_GE(unary, 26);

  // A well-formed call is served as before: an unknown network is NOT_FOUND.
  v1::GetNetworkRequest req;
  req.set_network_id("6f1c2a4e-8b7d-4c3a-9e5f-0a1b2c3d4e5f");
  v1::Network out;
  grpc::Status s = h_.Call(&v1::MembershipService::Stub::GetNetwork, h_.Admin(), req, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
}

TEST_F(TransportTest, AnExportOfAnUnparsableRequestIsInvalidArgument) {
  for (bool signed_call : {true, false}) {
    grpc::ClientContext plain;
    auto ctx = h_.Context(h_.Admin());
    grpc::ClientContext* use = signed_call ? ctx.get() : &plain;
    if (!signed_call) {
      plain.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    }
    v1::ExportMembersRequest req;
    req.set_network_id(std::string("\xff\xfe", 2));
    auto reader = h_.stub()->ExportMembers(use, req);
    v1::CsvChunk chunk;
    EXPECT_FALSE(reader->Read(&chunk));
    grpc::Status s = reader->Finish();
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    EXPECT_THAT(
        s.error_message(),
        ::testing::StartsWith("request: not a valid maillage.membership.v1.ExportMembersRequest"));
  }
}

// gRPC reports a streamed message that does not parse as the end of the stream; an import
// must not take it for one and apply the rows it has, the cut-off last line included.
TEST_F(TransportTest, AnImportWithAnUnparsableMessageStopsWithInvalidArgument) {
  auto ctx = h_.Context(h_.Admin());
  v1::ImportReport report;
  auto writer = h_.stub()->ImportOrganisations(ctx.get(), &report);
  v1::ImportOrganisationsRequest options, chunk, spoiled;
  options.mutable_options();
  // The file goes on in the next chunk: this one stops in the middle of a row.
  chunk.set_chunk("siren,legal_name,kind\n732829320,Atelier Coup");
  // A string that is not UTF-8: this client's library sends it, the server cannot parse it.
  spoiled.mutable_options()->set_network_id(std::string("\xff\xfe", 2));
  ASSERT_TRUE(writer->Write(options));
  ASSERT_TRUE(writer->Write(chunk));
  writer->Write(spoiled);
  writer->WritesDone();
  grpc::Status s = writer->Finish();
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_THAT(s.error_message(),
              ::testing::StartsWith(
                  "request: not a valid maillage.membership.v1.ImportOrganisationsRequest"));
  EXPECT_THAT(s.error_message(), ::testing::HasSubstr("nothing was committed"));
}

}  // namespace
}  // namespace maillage::membership
