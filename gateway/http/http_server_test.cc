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
