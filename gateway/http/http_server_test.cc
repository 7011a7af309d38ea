#include "gateway/http/http_server.h"

#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace maillage::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// One TCP connection speaking raw HTTP/1.1, so that tests can send what no library would.
class Connection {
 public:
  explicit Connection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    timeval tv{.tv_sec = 10, .tv_usec = 0};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~Connection() { close(fd_); }
  bool connected() const { return connected_; }

  void Send(absl::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }
  // One whole response (headers and Content-Length body), or what came before the peer
  // closed; empty when it closed at once.
  std::string Receive() {
    for (;;) {
      size_t end = buffer_.find("\r\n\r\n");
      if (end != std::string::npos) {
        size_t length = 0;
        size_t at = buffer_.find("Content-Length: ");
        if (at != std::string::npos && at < end) {
          (void)absl::SimpleAtoi(buffer_.substr(at + 16, buffer_.find("\r\n", at) - at - 16),
                                 &length);
        }
        if (buffer_.size() >= end + 4 + length) {
          std::string response = buffer_.substr(0, end + 4 + length);
          buffer_.erase(0, end + 4 + length);
          return response;
        }
      }
      char chunk[4096];
      ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
      if (n <= 0) return std::exchange(buffer_, "");
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }
  // Everything until the peer closes (or the receive timeout).
  std::string ReceiveAll() {
    std::string all = std::exchange(buffer_, "");
    char chunk[4096];
    for (ssize_t n; (n = recv(fd_, chunk, sizeof(chunk), 0)) > 0;) {
      all.append(chunk, static_cast<size_t>(n));
    }
    return all;
  }
  // True when the peer closed the connection (reads end), within the receive timeout.
  bool Closed() {
    char c;
    return recv(fd_, &c, 1, 0) == 0;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

std::unique_ptr<HttpServer> Echo(HttpServerOptions options = {}) {
  options.address = "127.0.0.1:0";
  auto server = HttpServer::Start(options, [](HttpRequest r, HttpServer::Responder respond) {
    // Answers from another thread, as the gateway does once a backend call completes.
    std::thread([r = std::move(r), respond = std::move(respond)] {
      respond(
          {.status = 200,
           .headers = {{"content-type", "text/plain"}},
           .body = absl::StrCat(r.method, " ", r.target, " ", r.Header("x-test"), " ", r.body)});
    }).detach();
  });
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

TEST(HttpServerTest, AnswersRequestsInOrderOnAKeptAliveConnection) {
  auto server = Echo();
  Connection c(server->port());
  ASSERT_TRUE(c.connected());
  c.Send(
      "GET /a?x=1 HTTP/1.1\r\nHost: h\r\nX-Test: one\r\n\r\n"
      "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
  std::string first = c.Receive();
  EXPECT_THAT(first, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(first, HasSubstr("GET /a?x=1 one "));
  std::string second = c.Receive();
  EXPECT_THAT(second, HasSubstr("POST /b  hello"));
  c.Send("GET /c HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  EXPECT_THAT(c.Receive(), HasSubstr("GET /c"));
  EXPECT_TRUE(c.Closed());
}

// Reads a streamed body to its end on the handler's side: "<pieces> <bytes> <text>", or the
// error that ended it.
void Drain(std::shared_ptr<BodyStream> body, std::string got, int pieces,
           std::function<void(std::string)> done) {
  body->Next([=](BodyStream::Piece piece) mutable {
    if (!piece.ok()) return done(absl::StrCat("error: ", piece.status().ToString()));
    if (piece->empty()) return done(absl::StrCat(pieces, " ", got.size(), " ", got));
    Drain(body, got + *piece, pieces + 1, done);
  });
}

std::unique_ptr<HttpServer> StreamingEcho(HttpServerOptions options = {}) {
  options.address = "127.0.0.1:0";
  options.stream_body = [](const HttpRequest& head) { return head.target == "/upload"; };
  auto server = HttpServer::Start(options, [](HttpRequest r, HttpServer::Responder respond) {
    if (r.body_stream == nullptr) {
      return respond({.status = 200, .body = absl::StrCat("whole: ", r.body)});
    }
    Drain(r.body_stream, "", 0,
          [respond](std::string summary) { respond({.status = 200, .body = std::move(summary)}); });
  });
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

TEST(HttpServerTest, AStreamedUploadIsHandedOverAsItArrivesThenTheConnectionIsReused) {
  auto server = StreamingEcho();
  Connection c(server->port());
  c.Send(
      "POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  c.Send("6\r\n world\r\n0\r\n\r\n");
  std::string response = c.Receive();
  EXPECT_THAT(response, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(response, HasSubstr(" 11 hello world"));
  // A route not picked for streaming still gets its body whole, on the same connection.
  c.Send("POST /other HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_THAT(c.Receive(), HasSubstr("whole: abc"));
}

TEST(HttpServerTest, AStreamedUploadIsBoundedAndExpectContinueIsAnswered) {
  auto server = StreamingEcho({.max_body_bytes = 4, .max_stream_bytes = 8});
  {
    Connection c(server->port());
    c.Send(
        "POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 8\r\n"
        "Expect: 100-continue\r\n\r\n");
    EXPECT_THAT(c.Receive(), StartsWith("HTTP/1.1 100 Continue"));
    c.Send("12345678");
    EXPECT_THAT(c.Receive(), HasSubstr("8 12345678"));  // over max_body_bytes, streamed
  }
  {
    Connection c(server->port());
    c.Send("POST /upload HTTP/1.1\r\nHost: h\r\nContent-Length: 9\r\n\r\n123456789");
    EXPECT_THAT(c.Receive(), StartsWith("HTTP/1.1 413"));
  }
  {
    Connection c(server->port());
    c.Send(
        "POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        "6\r\n123456\r\n6\r\n789012\r\n0\r\n\r\n");
    std::string response = c.Receive();
    EXPECT_THAT(response, HasSubstr("error: RESOURCE_EXHAUSTED"));
    EXPECT_TRUE(c.Closed());  // the rest of that body is not read as a next request
  }
}

// Pieces given from another thread, as a backend's stream gives them; `fail` ends the
// stream with an error after them.
class Pieces final : public BodyStream {
 public:
  Pieces(std::vector<std::string> pieces, bool fail) : pieces_(std::move(pieces)), fail_(fail) {}
  void Next(std::function<void(Piece)> done) override {
    std::thread([this, done = std::move(done)] {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
      if (next_ < pieces_.size()) return done(pieces_[next_++]);
      if (fail_) return done(absl::InternalError("backend failed"));
      done(std::string());
    }).detach();
  }

 private:
  std::vector<std::string> pieces_;
  bool fail_;
  size_t next_ = 0;
};

std::unique_ptr<HttpServer> Download(bool fail) {
  auto server = HttpServer::Start({.address = "127.0.0.1:0"}, [fail](HttpRequest,
                                                                     HttpServer::Responder r) {
    r({.status = 200,
       .headers = {{"content-type", "text/csv"}},
       .body = "a,b\n",
       .body_stream = std::make_shared<Pieces>(std::vector<std::string>{"1,2\n", "3,4\n"}, fail)});
  });
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

TEST(HttpServerTest, AStreamedResponseIsChunkedAndEndsWithTheLastChunk) {
  auto server = Download(false);
  Connection c(server->port());
  c.Send("GET /export HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
  std::string all = c.ReceiveAll();
  EXPECT_THAT(all, StartsWith("HTTP/1.1 200"));
  EXPECT_THAT(all, HasSubstr("Transfer-Encoding: chunked"));
  EXPECT_THAT(all, HasSubstr("\r\n\r\n4\r\na,b\n\r\n4\r\n1,2\n\r\n4\r\n3,4\n\r\n0\r\n\r\n"));
}

TEST(HttpServerTest, AStreamedResponseThatFailsIsCutWithoutTheLastChunk) {
  auto server = Download(true);
  Connection c(server->port());
  c.Send("GET /export HTTP/1.1\r\nHost: h\r\n\r\n");  // keep-alive asked
  std::string all = c.ReceiveAll();                   // yet closed
  EXPECT_THAT(all, HasSubstr("4\r\n3,4\n\r\n"));
  EXPECT_THAT(all, Not(HasSubstr("0\r\n\r\n")));
}

TEST(HttpServerTest, AStreamedResponseToHttp10EndsWithTheConnection) {
  auto server = Download(false);
  Connection c(server->port());
  c.Send("GET /export HTTP/1.0\r\n\r\n");
  std::string all = c.ReceiveAll();
  EXPECT_THAT(all, StartsWith("HTTP/1.0 200"));
  EXPECT_THAT(all, HasSubstr("\r\n\r\na,b\n1,2\n3,4\n"));
}

TEST(HttpServerTest, OversizedOrMalformedRequestsGetAnErrorAndAClosedConnection) {
  auto server = Echo({.max_body_bytes = 10, .max_header_bytes = 1024});
  {
    Connection c(server->port());
    c.Send("POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello world");
    EXPECT_THAT(c.Receive(), StartsWith("HTTP/1.1 413"));
    EXPECT_TRUE(c.Closed());
  }
  {
    Connection c(server->port());
    c.Send(absl::StrCat("GET / HTTP/1.1\r\nX-Big: ", std::string(2000, 'a'), "\r\n\r\n"));
    EXPECT_THAT(c.Receive(), StartsWith("HTTP/1.1 431"));
  }
  {
    Connection c(server->port());
    c.Send("NOT HTTP AT ALL\r\n\r\n");
    EXPECT_THAT(c.Receive(), StartsWith("HTTP/1.1 400"));
  }
}

TEST(HttpServerTest, SlowSendersAreCutOff) {
  auto server = Echo({.read_timeout = absl::Milliseconds(200)});
  Connection c(server->port());
  c.Send("GET /slow HTTP/1.1\r\nHost: h\r\n");  // never ends its headers
  EXPECT_TRUE(c.Closed());
}

TEST(HttpServerTest, ConnectionsPastTheLimitGet503) {
  auto server = Echo({.max_connections = 1});
  Connection first(server->port());
  first.Send("GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_THAT(first.Receive(), StartsWith("HTTP/1.1 200"));
  Connection second(server->port());
  EXPECT_THAT(second.Receive(), StartsWith("HTTP/1.1 503"));
}

TEST(HttpServerTest, ShutdownClosesIdleConnectionsAndRefusesNewOnes) {
  auto server = Echo();
  int port = server->port();
  Connection idle(port);
  idle.Send("GET /a HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_THAT(idle.Receive(), StartsWith("HTTP/1.1 200"));
  server->Shutdown(absl::Seconds(5));
  EXPECT_TRUE(idle.Closed());
  // The port is free again, and a test running beside this one may have been given it: what
  // matters is that this server answers no one.
  Connection late(port);
  if (late.connected()) {
    late.Send("GET /late HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n");
    EXPECT_THAT(late.Receive(), ::testing::Not(HasSubstr("GET /late")));
  }
}

TEST(HttpServerTest, BadAddressesAreRefusedAtStart) {
  auto noop = [](HttpRequest, HttpServer::Responder respond) { respond({}); };
  EXPECT_EQ(HttpServer::Start({.address = "nonsense"}, noop).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(HttpServer::Start({.address = "not-an-ip:80"}, noop).status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace maillage::gateway
