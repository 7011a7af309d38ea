// gateway/rest/streamed_call: a REST request on a streaming route, answered from a backend
// call that streams (route_table.h says how a streaming method maps to HTTP).
//
//   StartStreamedCall({.stub = &stub, .route = &route, .first = std::move(message),
//                      .upload = request.body_stream, .deadline = absl::Now() + timeout,
//                      .metadata = {...}, .reply = respond});
//
// Flow control holds end to end: an upload's next piece is read from the socket only once
// the backend took the previous one; a download's next message is read from the backend only
// once the client took the previous piece. Until the backend's first message the HTTP status
// is still open, so a refusal is a JSON error like any other; after it, a failure cuts the
// response short (http_server.h). A client that goes away cancels the backend call.
#ifndef MAILLAGE_GATEWAY_REST_STREAMED_CALL_H_
#define MAILLAGE_GATEWAY_REST_STREAMED_CALL_H_

#include <grpcpp/generic/generic_stub.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "gateway/http/http_server.h"
#include "gateway/http_rule/route_table.h"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace maillage::gateway {

struct StreamedCallParams {
  grpc::GenericStub* stub = nullptr;
  const Route* route = nullptr;
  // The first (for a unary request, only) message: the path's and the query's fields.
  std::unique_ptr<google::protobuf::Message> first = nullptr;
  // For a client-streaming route: the HTTP body, each piece sent in route->body_field.
  std::shared_ptr<BodyStream> upload = nullptr;
  absl::Time deadline = absl::InfinitePast();
  std::vector<std::pair<std::string, std::string>> metadata = {};
  std::function<void(HttpResponse)> reply = nullptr;
};

void StartStreamedCall(StreamedCallParams params);

// Streamed calls alive in this process (started and not yet released), for tests and gauges:
// a call whose client left must not stay.
int64_t StreamedCallsAlive();

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_REST_STREAMED_CALL_H_
