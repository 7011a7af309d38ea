#include "gateway/http/http_server.h"

#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log/log.h"

namespace maillage::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

absl::string_view HttpRequest::Header(absl::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

namespace {

class Session;

// Shared by the server and every responder handed out: a responder called after the server
// stopped (a backend answering late) drops its response instead of touching a gone server.
struct Lifeline {
  std::mutex mu;
  bool alive = true;
};

std::string ErrorJson(int status, absl::string_view message) {
  // Same shape as the gateway's other errors ({code, message, details}); the messages here
  // are fixed texts, so no escaping is needed.
  return absl::StrCat(R"({"code":)", status, R"(,"message":")", message, R"(","details":[]})");
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, Handler handler)
      : options_(std::move(options)), handler_(std::move(handler)), acceptor_(ioc_) {}

  absl::Status Listen();
  void Run();
  void Shutdown(absl::Duration grace);

  const HttpServerOptions& options() const { return options_; }
  const std::shared_ptr<Lifeline>& lifeline() const { return lifeline_; }
  const Handler& handler() const { return handler_; }
  bool stopping() const { return stopping_.load(); }
  int port() const { return port_; }

  void Register(Session* s, std::weak_ptr<Session> weak) {
    std::lock_guard<std::mutex> lock(mu_);
    sessions_[s] = std::move(weak);
  }
  void Unregister(Session* s) {
    std::lock_guard<std::mutex> lock(mu_);
    sessions_.erase(s);
  }
  size_t open() {
    std::lock_guard<std::mutex> lock(mu_);
    return sessions_.size();
  }

 private:
  void Accept();

  const HttpServerOptions options_;
  const Handler handler_;
  const std::shared_ptr<Lifeline> lifeline_ = std::make_shared<Lifeline>();
  std::mutex mu_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  std::atomic<bool> stopping_{false};
  bool shut_down_ = false;
  int port_ = 0;
  // Declared after what the sessions use, so that sessions still queued in it are destroyed
  // (when it is) while the registry exists.
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
};

namespace {

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl* server, bool reject)
      : stream_(std::move(socket)),
        server_(server),
        reject_(reject),
        // What is read ahead of the parser: a head, or a chunk-size line, at most. Without a
        // limit, a chunk-size line that never ends would grow it for a whole read timeout.
        buffer_(server->options().max_header_bytes + (64 << 10)) {
    beast::error_code ec;
    tcp::endpoint remote = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = absl::StrCat(remote.address().to_string(), ":", remote.port());
  }
  ~Session() { server_->Unregister(this); }

  void Start() {
    server_->Register(this, weak_from_this());
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if (self->reject_) {
        self->Fail(503, "too many connections");
      } else {
        self->Read();
      }
    });
  }

  // From Shutdown, once the threads are gone: drops the reference a request in progress
  // kept, so that the session is destroyed now rather than by a late responder.
  void BreakCycle() { self_.reset(); }

  // From Shutdown: closes the connection unless a request is being answered.
  void CloseIfIdle() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->busy_) self->Close();
    });
  }

  // Runs `fn` on the session's strand, from any thread, unless the server has stopped (its
  // executor may be gone) or the session has.
  // Whether it was posted.
  static bool Post(const std::weak_ptr<Session>& weak, const std::shared_ptr<Lifeline>& lifeline,
                   std::function<void(Session&)> fn) {
    std::lock_guard<std::mutex> lock(lifeline->mu);
    // Not even a reference once the server stopped: the last one must not end up on a thread
    // of another library, destroying the session after the server.
    if (!lifeline->alive) return false;
    std::shared_ptr<Session> self = weak.lock();
    if (self == nullptr) return false;
    asio::post(self->stream_.get_executor(), [self, fn = std::move(fn)]() mutable { fn(*self); });
    return true;
  }

  // The next piece of a streamed request body, on the strand.
  void ReadPiece(std::function<void(BodyStream::Piece)> done) {
    if (!body_parser_.has_value() || !busy_) {
      return done(absl::UnavailableError("request body: the request is over"));
    }
    if (body_parser_->is_done()) return done(std::string());
    piece_reading_ = true;
    piece_.resize(64 << 10);
    auto& body = body_parser_->get().body();
    body.data = piece_.data();
    body.size = piece_.size();
    body.more = true;
    stream_.expires_after(absl::ToChronoMilliseconds(server_->options().read_timeout));
    http::async_read_some(
        stream_, buffer_, *body_parser_,
        [self = shared_from_this(), done = std::move(done)](beast::error_code ec,
                                                            std::size_t) mutable {
          self->piece_reading_ = false;
          if (ec == http::error::need_buffer) ec = {};
          if (ec) {
            self->keep_alive_ = false;
            if (ec == http::error::body_limit) {
              return done(absl::ResourceExhaustedError(absl::StrCat(
                  "request body over ", self->server_->options().max_stream_bytes, " bytes")));
            }
            if (ec == beast::error::timeout) {
              return done(absl::DeadlineExceededError("request body: the client stopped sending"));
            }
            return done(absl::UnavailableError(
                absl::StrCat("request body: connection lost (", ec.message(), ")")));
          }
          const size_t got = self->piece_.size() - self->body_parser_->get().body().size;
          if (got == 0) return self->ReadPiece(std::move(done));  // framing only (chunk sizes)
          done(std::string(self->piece_.data(), got));
        });
  }

 private:
  // A streamed request body, read when its consumer asks.
  class RequestBody final : public BodyStream {
   public:
    RequestBody(std::weak_ptr<Session> session, std::shared_ptr<Lifeline> lifeline)
        : session_(std::move(session)), lifeline_(std::move(lifeline)) {}
    void Next(std::function<void(Piece)> done) override {
      auto shared = std::make_shared<std::function<void(Piece)>>(std::move(done));
      if (!Post(session_, lifeline_, [shared](Session& s) { s.ReadPiece(std::move(*shared)); })) {
        // The server or the session is gone: the body will never come.
        (*shared)(absl::UnavailableError("request body: connection closed"));
      }
    }

   private:
    const std::weak_ptr<Session> session_;
    const std::shared_ptr<Lifeline> lifeline_;
  };

  void Read() {
    head_parser_.emplace();
    head_parser_->header_limit(static_cast<std::uint32_t>(server_->options().max_header_bytes));
    // The limit of the body's kind is checked once the head says which kind it is.
    head_parser_->body_limit(
        std::max(server_->options().max_body_bytes, server_->options().max_stream_bytes));
    stream_.expires_after(absl::ToChronoMilliseconds(server_->options().read_timeout));
    http::async_read_header(
        stream_, buffer_, *head_parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnHead(ec); });
  }

  // Whether a read error ended the exchange (answered or closed).
  bool ReadFailed(beast::error_code ec) {
    if (!ec) return false;
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted) {
      Close();
    } else if (ec == http::error::body_limit) {
      Fail(413, "request body too large");
    } else if (ec == http::error::header_limit) {
      Fail(431, "request headers too large");
    } else if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
      // A parse error deserves an answer; a broken socket does not.
      Fail(400, "malformed HTTP request");
    } else {
      Close();
    }
    return true;
  }

  void OnHead(beast::error_code ec) {
    if (ReadFailed(ec)) return;
    const auto& head = head_parser_->get();
    keep_alive_ = head.keep_alive();
    version_ = head.version();
    request_ = HttpRequest();
    request_.method = std::string(head.method_string());
    request_.target = std::string(head.target());
    for (const auto& field : head) {
      request_.headers.emplace_back(absl::AsciiStrToLower(std::string(field.name_string())),
                                    std::string(field.value()));
    }
    request_.remote_address = remote_;
    const bool expects_continue =
        absl::EqualsIgnoreCase(request_.Header("expect"), "100-continue") && version_ >= 11 &&
        !head_parser_->is_done();
    streamed_ = server_->options().stream_body != nullptr &&
                server_->options().stream_body(request_) && !head_parser_->is_done();
    const size_t limit =
        streamed_ ? server_->options().max_stream_bytes : server_->options().max_body_bytes;
    if (boost::optional<std::uint64_t> length = head_parser_->content_length();
        length && *length > limit) {
      return Fail(413, "request body too large");
    }
    if (streamed_) {
      body_parser_.emplace(std::move(*head_parser_));
      body_parser_->body_limit(server_->options().max_stream_bytes);
      // Whole chunks per read, not a read per chunk header and one per chunk's bytes.
      body_parser_->eager(true);
    } else {
      string_parser_.emplace(std::move(*head_parser_));
      string_parser_->body_limit(server_->options().max_body_bytes);
    }
    head_parser_.reset();
    if (!expects_continue) return ReadBody();
    static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    stream_.expires_after(absl::ToChronoMilliseconds(server_->options().write_timeout));
    asio::async_write(stream_, asio::buffer(kContinue, sizeof(kContinue) - 1),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        if (ec) return self->Close();
                        self->ReadBody();
                      });
  }

  void ReadBody() {
    if (streamed_) {
      request_.body_stream = std::make_shared<RequestBody>(weak_from_this(), server_->lifeline());
      return Dispatch();
    }
    stream_.expires_after(absl::ToChronoMilliseconds(server_->options().read_timeout));
    http::async_read(stream_, buffer_, *string_parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
                       if (self->ReadFailed(ec)) return;
                       self->request_.body = std::move(self->string_parser_->get().body());
                       self->string_parser_.reset();
                       self->Dispatch();
                     });
  }

  void Dispatch() {
    busy_ = true;
    self_ = shared_from_this();  // alive until answered, whoever holds the responder
    std::weak_ptr<Session> weak = self_;
    server_->handler()(
        std::move(request_), [weak, lifeline = server_->lifeline()](HttpResponse response) {
          auto shared = std::make_shared<HttpResponse>(std::move(response));
          Post(weak, lifeline, [shared](Session& s) { s.Write(std::move(*shared)); });
        });
  }

  // Whether the connection may carry another request once this response is out.
  bool Reusable() const {
    // A streamed body the handler did not read to its end leaves bytes on the connection.
    const bool body_left = streamed_ && body_parser_.has_value() && !body_parser_->is_done();
    return keep_alive_ && !body_left && !server_->stopping();
  }

  void Write(HttpResponse response) {
    if (response.body_stream != nullptr) return WriteStreamed(std::move(response));
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), version_);
    for (auto& [name, value] : response.headers) res->set(name, value);
    res->body() = std::move(response.body);
    res->keep_alive(Reusable());
    res->prepare_payload();
    stream_.expires_after(absl::ToChronoMilliseconds(server_->options().write_timeout));
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                        self->Answered(!ec && res->keep_alive());
                      });
  }

  void WriteStreamed(HttpResponse response) {
    auto res = std::make_shared<http::response<http::empty_body>>(
        static_cast<http::status>(response.status), version_);
    for (auto& [name, value] : response.headers) res->set(name, value);
    // HTTP/1.0 has no chunks: the body ends with the connection.
    chunked_ = version_ >= 11;
    res->keep_alive(chunked_ && Reusable());
    if (chunked_) res->chunked(true);
    auto serializer = std::make_shared<http::response_serializer<http::empty_body>>(*res);
    std::shared_ptr<BodyStream> source = std::move(response.body_stream);
    auto first = std::make_shared<std::string>(std::move(response.body));
    stream_.expires_after(absl::ToChronoMilliseconds(server_->options().write_timeout));
    http::async_write_header(stream_, *serializer,
                             [self = shared_from_this(), res, serializer, source, first](
                                 beast::error_code ec, std::size_t) {
                               if (ec) {
                                 source->Cancel();
                                 return self->Answered(false);
                               }
                               self->streamed_keep_alive_ = res->keep_alive();
                               self->WritePiece(source, first);
                             });
  }

  // Writes `data` (when not empty), then asks the source for more.
  void WritePiece(std::shared_ptr<BodyStream> source, std::shared_ptr<std::string> data) {
    auto next = [self = shared_from_this(), source](beast::error_code ec, std::size_t) {
      if (ec) {
        source->Cancel();
        return self->Answered(false);
      }
      std::weak_ptr<Session> weak = self;
      source->Next([weak, lifeline = self->server_->lifeline(), source](BodyStream::Piece piece) {
        auto shared = std::make_shared<BodyStream::Piece>(std::move(piece));
        Post(weak, lifeline,
             [source, shared](Session& s) { s.OnPiece(source, std::move(*shared)); });
      });
    };
    if (data->empty()) return next({}, 0);
    stream_.expires_after(absl::ToChronoMilliseconds(server_->options().write_timeout));
    if (chunked_) {
      asio::async_write(stream_, http::make_chunk(asio::buffer(*data)),
                        [data, next](beast::error_code ec, std::size_t n) { next(ec, n); });
    } else {
      asio::async_write(stream_, asio::buffer(*data),
                        [data, next](beast::error_code ec, std::size_t n) { next(ec, n); });
    }
  }

  void OnPiece(std::shared_ptr<BodyStream> source, BodyStream::Piece piece) {
    if (!piece.ok()) {
      log::Warn("HTTP response stream failed", {{"error", piece.status().ToString()}});
      return Answered(false);  // cut short: the client must not take it for the whole body
    }
    if (!piece->empty()) {
      return WritePiece(std::move(source), std::make_shared<std::string>(*std::move(piece)));
    }
    if (!chunked_) return Answered(false);
    stream_.expires_after(absl::ToChronoMilliseconds(server_->options().write_timeout));
    asio::async_write(stream_, http::make_chunk_last(),
                      [self = shared_from_this()](beast::error_code ec, std::size_t) {
                        self->Answered(!ec && self->streamed_keep_alive_);
                      });
  }

  // The response is out (or abandoned): the next request, or the end of the connection.
  void Answered(bool keep_alive) {
    busy_ = false;
    self_.reset();
    // A piece read in flight still writes into the parser: it goes with the session (the
    // connection closes, as the body was not read to its end).
    if (!piece_reading_) body_parser_.reset();
    streamed_ = false;
    if (!keep_alive || server_->stopping()) return Close();
    Read();
  }

  void Fail(int status, absl::string_view message) {
    keep_alive_ = false;
    busy_ = true;
    Write({.status = status,
           .headers = {{"content-type", "application/json"}, {"connection", "close"}},
           .body = ErrorJson(status, message)});
  }

  void Close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  HttpServer::Impl* const server_;
  const bool reject_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> head_parser_;
  std::optional<http::request_parser<http::string_body>> string_parser_;
  std::optional<http::request_parser<http::buffer_body>> body_parser_;
  HttpRequest request_;
  std::string piece_;
  std::string remote_;
  bool keep_alive_ = false;
  bool streamed_ = false;
  bool piece_reading_ = false;
  bool chunked_ = false;
  bool streamed_keep_alive_ = false;
  bool busy_ = false;
  std::shared_ptr<Session> self_;
  unsigned version_ = 11;
};

}  // namespace

absl::Status HttpServer::Impl::Listen() {
  const std::string& address = options_.address;
  size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string::npos || !absl::SimpleAtoi(address.substr(colon + 1), &port) ||
      port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTTP address \"", address, "\": expected host:port"));
  }
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  beast::error_code ec;
  asio::ip::address ip = asio::ip::make_address(host.empty() ? "0.0.0.0" : host, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        absl::StrCat("HTTP address \"", address, "\": ", ec.message()));
  }
  tcp::endpoint endpoint(ip, static_cast<unsigned short>(port));
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return absl::UnavailableError(absl::StrCat("HTTP address ", address, ": ", ec.message()));
  }
  port_ = acceptor_.local_endpoint().port();
  return absl::OkStatus();
}

void HttpServer::Impl::Accept() {
  acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping_) return;
      log::Warn("HTTP accept failed", {{"error", ec.message()}});
    } else {
      const bool reject = open() >= options_.max_connections;
      // Answers go out as soon as they are written (no Nagle delay behind a previous one).
      beast::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      std::make_shared<Session>(std::move(socket), this, reject)->Start();
    }
    if (!stopping_) Accept();
  });
}

void HttpServer::Impl::Run() {
  Accept();
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    threads_.emplace_back([this] { ioc_.run(); });
  }
}

void HttpServer::Impl::Shutdown(absl::Duration grace) {
  if (shut_down_) return;
  shut_down_ = true;
  stopping_ = true;
  asio::post(acceptor_.get_executor(), [this] {
    beast::error_code ec;
    acceptor_.close(ec);
  });
  // Idle keep-alive connections close now; busy ones once their response is written.
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [raw, weak] : sessions_) {
      if (std::shared_ptr<Session> s = weak.lock()) live.push_back(std::move(s));
    }
  }
  // Outside the lock: the last reference may go here, and a session unregisters itself.
  for (const std::shared_ptr<Session>& s : live) s->CloseIfIdle();
  live.clear();
  const absl::Time deadline = absl::Now() + grace;
  while (open() > 0 && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(10));
  {
    std::lock_guard<std::mutex> lock(lifeline_->mu);
    lifeline_->alive = false;
  }
  ioc_.stop();
  for (std::thread& t : threads_) t.join();
  threads_.clear();
  // Requests still unanswered: their sessions go now, while the server exists.
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [raw, weak] : sessions_) {
      if (std::shared_ptr<Session> s = weak.lock()) live.push_back(std::move(s));
    }
  }
  for (const std::shared_ptr<Session>& s : live) s->BreakCycle();
  live.clear();
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

HttpServer::~HttpServer() { Shutdown(absl::ZeroDuration()); }

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options,
                                                              Handler handler) {
  auto impl = std::make_unique<Impl>(std::move(options), std::move(handler));
  if (absl::Status s = impl->Listen(); !s.ok()) return s;
  impl->Run();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

int HttpServer::port() const { return impl_->port(); }

void HttpServer::Shutdown(absl::Duration grace) {
  if (impl_ != nullptr) impl_->Shutdown(grace);
}

std::string RequestIdOf(absl::string_view given) {
  bool sane = !given.empty() && given.size() <= 128;
  for (char c : given) {
    sane = sane &&
           (absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.');
  }
  if (sane) return std::string(given);
  thread_local absl::BitGen gen;
  return absl::StrCat(absl::Hex(absl::Uniform<uint64_t>(gen), absl::kZeroPad16),
                      absl::Hex(absl::Uniform<uint64_t>(gen), absl::kZeroPad16));
}

}  // namespace maillage::gateway
