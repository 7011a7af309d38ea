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
      : stream_(std::move(socket)), server_(server), reject_(reject) {
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

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(server_->options().max_body_bytes);
    parser_->header_limit(static_cast<std::uint32_t>(server_->options().max_header_bytes));
    stream_.expires_after(absl::ToChronoMilliseconds(server_->options().read_timeout));
    http::async_read(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == asio::error::operation_aborted) {
      return Close();
    }
    if (ec == http::error::body_limit) return Fail(413, "request body too large");
    if (ec == http::error::header_limit) return Fail(431, "request headers too large");
    if (ec) {
      // A parse error deserves an answer; a broken socket does not.
      if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
        return Fail(400, "malformed HTTP request");
      }
      return Close();
    }
    http::request<http::string_body> req = parser_->release();
    keep_alive_ = req.keep_alive();
    version_ = req.version();
    HttpRequest request;
    request.method = std::string(req.method_string());
    request.target = std::string(req.target());
    for (const auto& field : req) {
      request.headers.emplace_back(absl::AsciiStrToLower(std::string(field.name_string())),
                                   std::string(field.value()));
    }
    request.body = std::move(req.body());
    request.remote_address = remote_;
    busy_ = true;
    self_ = shared_from_this();  // alive until answered, whoever holds the responder
    std::weak_ptr<Session> weak = self_;
    server_->handler()(std::move(request), [weak,
                                            lifeline = server_->lifeline()](HttpResponse response) {
      std::lock_guard<std::mutex> lock(lifeline->mu);
      std::shared_ptr<Session> self = weak.lock();
      if (!lifeline->alive || self == nullptr) return;
      asio::post(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->Write(std::move(response));
      });
    });
  }

  void Write(HttpResponse response) {
    auto res = std::make_shared<http::response<http::string_body>>(
        static_cast<http::status>(response.status), version_);
    for (auto& [name, value] : response.headers) res->set(name, value);
    res->body() = std::move(response.body);
    res->keep_alive(keep_alive_ && !server_->stopping());
    res->prepare_payload();
    stream_.expires_after(absl::ToChronoMilliseconds(server_->options().write_timeout));
    http::async_write(stream_, *res,
                      [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                        self->busy_ = false;
                        self->self_.reset();
                        if (ec || !res->keep_alive() || self->server_->stopping()) {
                          return self->Close();
                        }
                        self->Read();
                      });
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
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_;
  bool keep_alive_ = false;
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
