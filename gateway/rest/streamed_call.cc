#include "gateway/rest/streamed_call.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/support/byte_buffer.h>

#include <algorithm>
#include <atomic>
#include <mutex>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "gateway/http_rule/transcoder.h"
#include "gateway/rest/rest_gateway.h"

namespace maillage::gateway {
namespace {

using google::protobuf::Message;

grpc::ByteBuffer Serialise(const Message& message) {
  std::string bytes;
  message.SerializeToString(&bytes);
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

bool Parse(const grpc::ByteBuffer& buffer, Message* message) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return false;
  std::string bytes;
  for (const grpc::Slice& s : slices) {
    bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  }
  return message->ParseFromString(bytes);
}

// Why an upload stopped, as the HTTP status a client understands.
HttpResponse UploadError(const absl::Status& status) {
  HttpResponse r = ErrorResponse(grpc::StatusCode::INVALID_ARGUMENT, status.message());
  if (status.code() == absl::StatusCode::kResourceExhausted) r.status = 413;
  if (status.code() == absl::StatusCode::kDeadlineExceeded) r.status = 408;
  return r;
}

class StreamedCall final : public grpc::ClientBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>,
                           public std::enable_shared_from_this<StreamedCall> {
 public:
  explicit StreamedCall(StreamedCallParams params) : p_(std::move(params)) { alive_.fetch_add(1); }
  ~StreamedCall() override { alive_.fetch_sub(1); }

  static std::atomic<int64_t> alive_;

  void Start() {
    self_ = shared_from_this();  // until OnDone
    ctx_.set_deadline(absl::ToChronoTime(p_.deadline));
    for (const auto& [name, value] : p_.metadata) ctx_.AddMetadata(name, value);
    p_.stub->PrepareBidiStreamingCall(&ctx_, p_.route->grpc_path, grpc::StubOptions(), this);
    // Holds keep OnDone from running while an operation may still be started outside a
    // reaction: the read flow until the backend's last message was read, the write flow
    // until the upload is over.
    AddHold();
    if (p_.route->client_streaming) AddHold();
    write_ = Serialise(*p_.first);
    if (p_.route->client_streaming) {
      StartWrite(&write_);
    } else {
      StartWriteLast(&write_, grpc::WriteOptions());
    }
    read_in_flight_ = true;
    StartRead(&read_);  // the first message (or the only one) is awaited at once
    StartCall();
  }

  // The download's side, for the HTTP server.
  class Download final : public BodyStream {
   public:
    explicit Download(std::shared_ptr<StreamedCall> call) : call_(std::move(call)) {}
    // Dropped by the HTTP side (the response is over, written or not): a backend still
    // streaming is stopped rather than left to its deadline.
    ~Download() override { call_->StopReading(); }
    void Next(std::function<void(Piece)> done) override { call_->NextPiece(std::move(done)); }
    void Cancel() override { call_->StopReading(); }

   private:
    const std::shared_ptr<StreamedCall> call_;
  };

 private:
  void OnWriteDone(bool ok) override {
    if (!p_.route->client_streaming) return;
    if (!ok) return RemoveHold();  // the call is over: nothing more goes out
    p_.upload->Next([self = shared_from_this()](BodyStream::Piece piece) {
      self->OnUploadPiece(std::move(piece));
    });
  }

  void OnUploadPiece(BodyStream::Piece piece) {
    bool backend_finished;
    {
      std::lock_guard<std::mutex> lock(mu_);
      backend_finished = reading_over_;
      if (!piece.ok() && !backend_finished) upload_error_ = piece.status();
    }
    if (backend_finished) return RemoveHold();  // it answered first (a refusal, most likely)
    if (!piece.ok()) {
      ctx_.TryCancel();
      return RemoveHold();
    }
    if (piece->empty()) {
      StartWritesDone();
      return RemoveHold();
    }
    std::unique_ptr<Message> chunk(p_.first->New());
    chunk->GetReflection()->SetString(chunk.get(), p_.route->body_field, *std::move(piece));
    write_ = Serialise(*chunk);
    StartWrite(&write_);
  }

  // The reader is gone: no more reads; the backend call is cancelled and, when no read is in
  // flight to do it, the read hold released here so that the call can end.
  void StopReading() {
    bool release = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (reading_over_) return;  // ended already (the normal case when the download is done)
      stopped_ = true;
      if (!read_in_flight_) {
        reading_over_ = true;
        release = true;
      }
    }
    ctx_.TryCancel();
    if (release) RemoveHold();
  }

  void OnReadDone(bool ok) override {
    std::function<void(BodyStream::Piece)> deliver;
    std::optional<HttpResponse> first;
    std::string piece_out;
    bool read_again = false, over = false, failed = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      read_in_flight_ = false;
      if (!ok || stopped_) {
        over = true;
      } else if (!p_.route->server_streaming) {
        have_response_ = true;
        response_ = std::move(read_);
        over = true;
      } else if (absl::StatusOr<std::string> piece = PieceOf(read_); !piece.ok()) {
        failure_ = piece.status();
        over = failed = true;
      } else if (piece->empty()) {
        read_again = true;  // a message with nothing to send: take the next
      } else if (!answered_) {
        answered_ = true;
        first =
            HttpResponse{.status = 200,
                         .headers = {{"content-type", content_type_.empty() ? DefaultContentType()
                                                                            : content_type_}},
                         .body = *std::move(piece),
                         .body_stream = std::make_shared<Download>(shared_from_this())};
      } else {
        deliver = std::move(pending_);
        pending_ = nullptr;
        piece_out = *std::move(piece);
      }
      if (over) reading_over_ = true;  // its status follows in OnDone
      if (read_again) read_in_flight_ = true;
    }
    if (failed) ctx_.TryCancel();
    if (over) return RemoveHold();
    if (read_again) return StartRead(&read_);
    if (first) return p_.reply(*std::move(first));
    if (deliver) deliver(std::move(piece_out));
  }

  void NextPiece(std::function<void(BodyStream::Piece)> done) {
    bool finished = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      finished = reading_over_ && done_;
      if (!finished) {
        pending_ = std::move(done);
        if (reading_over_) return;  // OnDone gives the end (or the error)
        read_in_flight_ = true;
      }
    }
    if (finished) return done(EndOf(final_status_));
    // Safe outside the lock: the read hold keeps the call alive until the last read.
    StartRead(&read_);
  }

  void OnDone(const grpc::Status& status) override {
    std::function<void(BodyStream::Piece)> deliver;
    std::optional<HttpResponse> answer;
    {
      std::lock_guard<std::mutex> lock(mu_);
      done_ = true;
      final_status_ = status;
      if (!failure_.ok()) {
        final_status_ = grpc::Status(grpc::StatusCode::INTERNAL, "internal error");
      }
      if (!answered_) {
        answered_ = true;
        answer = FinalAnswer();
      } else if (pending_) {
        deliver = std::move(pending_);
        pending_ = nullptr;
      }
    }
    if (answer) p_.reply(*std::move(answer));
    if (deliver) deliver(EndOf(final_status_));
    self_.reset();  // may be the last reference
  }

  // The answer when no piece of a download was sent yet.
  HttpResponse FinalAnswer() {
    if (!upload_error_.ok()) return UploadError(upload_error_);
    if (!failure_.ok()) {
      log::Error("backend stream message does not convert",
                 {{"method", p_.route->grpc_path}, {"error", failure_.ToString()}});
      return ErrorResponse(grpc::StatusCode::INTERNAL, "internal error");
    }
    const grpc::Status& s = final_status_;
    if (!s.ok()) return ErrorResponse(s.error_code(), s.error_message(), s.error_details());
    if (p_.route->server_streaming) {  // an empty download
      return {.status = 200, .headers = {{"content-type", DefaultContentType()}}};
    }
    std::unique_ptr<Message> response(google::protobuf::MessageFactory::generated_factory()
                                          ->GetPrototype(p_.route->method->output_type())
                                          ->New());
    absl::StatusOr<std::string> json =
        have_response_ && Parse(response_, response.get())
            ? ResponseJson(*p_.route, *response)
            : absl::StatusOr<std::string>(absl::InternalError("no response"));
    if (!json.ok()) return ErrorResponse(grpc::StatusCode::INTERNAL, "internal error");
    return {
        .status = 200, .headers = {{"content-type", "application/json"}}, .body = *std::move(json)};
  }

  static BodyStream::Piece EndOf(const grpc::Status& status) {
    if (status.ok()) return std::string();
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  }

  std::string DefaultContentType() const {
    if (p_.route->response_field == nullptr) return "application/x-ndjson";
    return "application/octet-stream";
  }

  // What one message of a download adds to the body: its bytes field raw, or its JSON line.
  absl::StatusOr<std::string> PieceOf(const grpc::ByteBuffer& buffer) {
    std::unique_ptr<Message> message(google::protobuf::MessageFactory::generated_factory()
                                         ->GetPrototype(p_.route->method->output_type())
                                         ->New());
    if (!Parse(buffer, message.get())) return absl::InternalError("message does not parse");
    const google::protobuf::Reflection* r = message->GetReflection();
    if (p_.route->response_field != nullptr &&
        p_.route->response_field->type() == google::protobuf::FieldDescriptor::TYPE_BYTES) {
      if (content_type_.empty() && p_.route->content_type_field != nullptr) {
        // It becomes a header: printable ASCII only, or the default.
        std::string type = r->GetString(*message, p_.route->content_type_field);
        const bool printable =
            type.size() <= 200 &&
            std::all_of(type.begin(), type.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
        if (printable) content_type_ = std::move(type);
      }
      return r->GetString(*message, p_.route->response_field);
    }
    absl::StatusOr<std::string> json = ResponseJson(*p_.route, *message);
    if (!json.ok()) return json.status();
    return absl::StrCat(*json, "\n");
  }

  StreamedCallParams p_;
  grpc::ClientContext ctx_;
  grpc::ByteBuffer write_;
  grpc::ByteBuffer read_;
  std::shared_ptr<StreamedCall> self_;

  std::mutex mu_;
  bool answered_ = false;      // the HTTP status went out
  bool reading_over_ = false;  // the backend sent its last message
  bool done_ = false;          // OnDone ran
  bool read_in_flight_ = false;
  bool stopped_ = false;  // the HTTP side stopped reading (StopReading)
  bool have_response_ = false;
  grpc::ByteBuffer response_;  // a client-streaming call's one response
  std::string content_type_;
  std::function<void(BodyStream::Piece)> pending_;  // the client's Next, waiting for a read
  absl::Status upload_error_;
  absl::Status failure_;
  grpc::Status final_status_;
};

std::atomic<int64_t> StreamedCall::alive_{0};

}  // namespace

int64_t StreamedCallsAlive() { return StreamedCall::alive_.load(); }

void StartStreamedCall(StreamedCallParams params) {
  std::make_shared<StreamedCall>(std::move(params))->Start();
}

}  // namespace maillage::gateway
