// gateway/http/http_server: an asynchronous HTTP/1.1 server (Boost.Beast over Asio) that hands
// each request to a handler and writes the response the handler gives back, from any thread.
//
//   absl::StatusOr<std::unique_ptr<HttpServer>> server = HttpServer::Start(
//       {.address = "0.0.0.0:8080", .threads = 2},
//       [](HttpRequest request, HttpServer::Responder respond) {
//         // may return at once and respond later, e.g. when a backend call completes
//         respond({.status = 200, .headers = {{"content-type", "application/json"}},
//                  .body = "{}"});
//       });
//   ...
//   (*server)->Shutdown(absl::Seconds(10));
//
// What it guards against, so that a hostile client costs little:
//   - a body over max_body_bytes gets 413, a header block over max_header_bytes 431, a request
//     that does not parse 400; each closes the connection;
//   - a request must arrive whole within read_timeout (slow senders are cut off), a response
//     be written within write_timeout; a keep-alive connection idle for read_timeout closes;
//   - past max_connections open connections, a new one gets 503 and is closed.
// Keep-alive follows HTTP/1.1 (and Connection: close); requests of one connection are answered
// in order, one at a time. Header names are given to the handler in lower case.
//
// Bodies too big to hold (an upload, an export) may go in pieces, with flow control both ways:
//   - a request `stream_body` picks (from its head) gets a `body_stream` instead of `body`:
//     each Next reads the next piece from the socket (chunked or with a length), within
//     read_timeout per piece and max_stream_bytes in all;
//   - a response with a `body_stream` is sent chunked (HTTP/1.0: until the connection
//     closes): `body` first, then each piece Next gives. A stream that ends in an error cuts
//     the connection without the last chunk, so that the client sees the body is incomplete.
// `Expect: 100-continue` is answered before a body is read.
//
// Beast and Asio stay inside http_server.cc: this header is all the rest of the gateway sees.
#ifndef MAILLAGE_GATEWAY_HTTP_HTTP_SERVER_H_
#define MAILLAGE_GATEWAY_HTTP_HTTP_SERVER_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace maillage::gateway {

// A body that comes or goes in pieces.
class BodyStream {
 public:
  // A piece of the body; an empty one is the end; an error ends the stream too.
  using Piece = absl::StatusOr<std::string>;
  virtual ~BodyStream() = default;
  // Asks for the next piece. `done` is called once, from any thread, and must not block; call
  // Next again only after it was.
  virtual void Next(std::function<void(Piece)> done) = 0;
  // The reader is gone (e.g. the client closed the connection): the producer may stop.
  virtual void Cancel() {}
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // "/v1/networks/n1?pageSize=10"
  // Lower-case names, in arrival order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string remote_address;  // "203.0.113.7:51234"
  // Instead of `body`, for a request HttpServerOptions::stream_body picked.
  std::shared_ptr<BodyStream> body_stream = nullptr;

  // The first value of `name` (lower case), or empty.
  absl::string_view Header(absl::string_view name) const;
};

// The id a request is logged and traced under: the client's x-request-id when it is short
// (at most 128) and made of [A-Za-z0-9._-], otherwise a new random one (32 hex digits).
std::string RequestIdOf(absl::string_view given);

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers = {};
  std::string body = {};
  // When set, the response is sent chunked: `body`, then the stream's pieces.
  std::shared_ptr<BodyStream> body_stream = nullptr;
};

struct HttpServerOptions {
  std::string address = "0.0.0.0:8080";  // "host:port"; port 0 picks a free one
  int threads = 2;
  size_t max_body_bytes = 1 << 20;
  size_t max_header_bytes = 16 << 10;
  size_t max_connections = 10000;
  absl::Duration read_timeout = absl::Seconds(30);
  absl::Duration write_timeout = absl::Seconds(30);
  // Given a request's head (no body yet): whether its body is handed over in pieces.
  std::function<bool(const HttpRequest&)> stream_body = nullptr;
  size_t max_stream_bytes = size_t{256} << 20;
};

class HttpServer {
 public:
  // Call exactly once per request, from any thread.
  using Responder = std::function<void(HttpResponse)>;
  using Handler = std::function<void(HttpRequest, Responder)>;

  // Listens on options.address and starts the threads. INVALID_ARGUMENT for a bad address,
  // UNAVAILABLE when it cannot be bound.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(HttpServerOptions options,
                                                           Handler handler);
  ~HttpServer();  // Shutdown(0)

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  int port() const;
  // Stops accepting; requests in flight get up to `grace` to be answered, then every
  // connection is closed and the threads joined. Idempotent.
  void Shutdown(absl::Duration grace);

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_HTTP_HTTP_SERVER_H_
