// gateway/http_rule/route_table: the REST routes of the gateway, built at start from the
// `google.api.http` annotations of the services' compiled descriptors.
//
//   absl::StatusOr<RouteTable> routes = RouteTable::Build(
//       {google::protobuf::DescriptorPool::generated_pool()->FindServiceByName("maillage.membership.v1.MembershipService")});
//   RouteTable::Lookup found = routes->Find("GET", "/v1/networks/n1");
//   if (found.route != nullptr) ... found.route->grpc_path, found.bindings
//   else if (!found.allowed_methods.empty()) ...   // 405, with an Allow header
//   else ...                                       // 404
//
// Each rule (and its additional_bindings) of each method becomes one route. A rule that
// names a field that does not exist, binds a path variable to a non-scalar field, or
// duplicates another route's method and template is an error at start: a REST surface that
// silently lost a method would be found by users instead.
//
// Streaming methods have routes too, with bytes rather than JSON where a file goes:
//   - a client-streaming method's `body` names a bytes field: the first message carries the
//     path's and the query's fields, each next one a piece of the raw HTTP body in that field
//     (an upload: `post: "/v1/organisations:import" body: "chunk"`);
//   - a server-streaming method whose `response_body` names a bytes field sends those bytes
//     raw, one message after the other (a download), with the content type its messages'
//     `content_type` string field gives (the first that is set), else
//     application/octet-stream; without one, each message is a JSON line
//     (application/x-ndjson).
// A unary method's body may name a bytes field too: the raw body goes in it.
//
// When several templates match one path, the one with more literal segments wins (a verb
// counts as one), then the one declared first.
#ifndef MAILLAGE_GATEWAY_HTTP_RULE_ROUTE_TABLE_H_
#define MAILLAGE_GATEWAY_HTTP_RULE_ROUTE_TABLE_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gateway/http_rule/path_template.h"

namespace google::protobuf {
class Descriptor;
class FieldDescriptor;
class MethodDescriptor;
class ServiceDescriptor;
}  // namespace google::protobuf

namespace maillage::gateway {

struct Route {
  std::string http_method;  // "GET", "POST", "PUT", "PATCH", "DELETE"
  PathTemplate path;
  const google::protobuf::MethodDescriptor* method = nullptr;
  // "/maillage.membership.v1.MembershipService/GetNetwork"
  std::string grpc_path;
  // The request field the JSON body fills: null with `body_is_request` for "*", null
  // without it when the rule has no body.
  const google::protobuf::FieldDescriptor* body_field = nullptr;
  bool body_is_request = false;
  // The response field sent as the body instead of the whole response; null: all of it.
  const google::protobuf::FieldDescriptor* response_field = nullptr;
  bool client_streaming = false;
  bool server_streaming = false;
  // A download's `content_type` field (see above), when its messages have one.
  const google::protobuf::FieldDescriptor* content_type_field = nullptr;
};

// The field at `path` ("organisation.organisation_id") from `type`, through singular message
// fields; null when a part does not exist.
const google::protobuf::FieldDescriptor* FieldAt(const google::protobuf::Descriptor* type,
                                                 absl::string_view path);

// Whether a method only reads: its google.api.http rule is a GET. What a read-only API key
// may call, over REST and over the gRPC front alike; a method without a rule does not.
bool ReadsOnly(const google::protobuf::MethodDescriptor& method);

class RouteTable {
 public:
  static absl::StatusOr<RouteTable> Build(
      const std::vector<const google::protobuf::ServiceDescriptor*>& services);

  struct Lookup {
    const Route* route = nullptr;     // null: no route for this method and path
    PathTemplate::Bindings bindings;  // the path's variables, when found
    // When the path matches routes of other methods only: those methods (for 405 and Allow).
    std::vector<std::string> allowed_methods;
  };
  // `path` without its query string.
  Lookup Find(absl::string_view http_method, absl::string_view path) const;

  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_HTTP_RULE_ROUTE_TABLE_H_
