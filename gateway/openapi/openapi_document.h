// gateway/openapi/openapi_document: the OpenAPI 3.0 document of the gateway's REST routes,
// from the same google.api.http annotations it routes by, so the document cannot drift from
// what the gateway does. Built at build time (openapi_gen.cc), when the protos' comments are
// at hand, and served as GET /openapi.json (a page for people at /docs).
//
//   absl::StatusOr<RouteTable> routes = RouteTable::Build(FrontedServices());
//   std::string json = OpenApiDocument(*routes, {.title = "Maillage", .version = "v1"},
//                                      comments);
//
// What it says, per route: the path (`{name=networks/*}` becomes `{name}`, the pattern in its
// description), the path variables, the query parameters (every scalar field the path and
// the body leave, nested ones as `a.b`, repeated ones as arrays), the body (the request, a
// field of it, or raw bytes for an upload), the response (JSON; a download's bytes; JSON
// lines for other streams), the error shape {code, message, details}, and the two ways in
// (a bearer token, an x-api-key). Schemas follow protobuf's JSON mapping: lowerCamelCase
// names, 64-bit integers as strings, enums by name, Timestamp as date-time.
#ifndef MAILLAGE_GATEWAY_OPENAPI_OPENAPI_DOCUMENT_H_
#define MAILLAGE_GATEWAY_OPENAPI_OPENAPI_DOCUMENT_H_

#include <functional>
#include <string>

#include "gateway/http_rule/route_table.h"

namespace google::protobuf {
class Descriptor;
}  // namespace google::protobuf

namespace maillage::gateway {

struct OpenApiInfo {
  std::string title = "Maillage";
  std::string version = "v1";
  std::string description = {};
};

// The comment written above a proto element, by its full name ("maillage.membership.v1.
// Network", "maillage.membership.v1.Network.name", a method's "...Service.GetNetwork", an
// enum value's "...NETWORK_KIND_CLUSTER"); empty when there is none.
using CommentLookup = std::function<std::string(const std::string& full_name)>;

std::string OpenApiDocument(const RouteTable& routes, const OpenApiInfo& info,
                            const CommentLookup& comments = nullptr);

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_OPENAPI_OPENAPI_DOCUMENT_H_
