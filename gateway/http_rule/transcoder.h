// gateway/http_rule/transcoder: REST/JSON <-> protobuf for one route, by protobuf's JSON
// mapping (lowerCamelCase out, both spellings in, enums by name, unknown fields refused).
//
//   std::unique_ptr<google::protobuf::Message> req(
//       factory.GetPrototype(route.method->input_type())->New());
//   absl::Status s = BuildRequest(route, lookup.bindings, query, body, req.get());
//   // INVALID_ARGUMENT naming the parameter or field: "query parameter pageSize: ..."
//   ... call the backend ...
//   absl::StatusOr<std::string> json = ResponseJson(route, *response);
//
// What fills the request, in this order (a later source overrides an earlier one):
//   1. the body: the whole request for body "*", the named field for body "<field>"; an empty
//      body is an empty message; a body on a rule without one is refused;
//   2. query parameters, for every field not bound by the path or the body: "a.b=1" sets the
//      nested field, a repeated field takes each occurrence ("states=ACTIVE&states=SUSPENDED"),
//      names in either spelling ("page_size" or "pageSize"); an unknown or map field, or one the
//      path or body binds, is refused;
//   3. the path's variables.
// Values of scalar fields are parsed by type (integers in range, booleans "true"/"false",
// enums by name or number, bytes as base64); message-typed leaves (Timestamp, Duration,
// wrappers, FieldMask) take their JSON string form ("2026-11-28T10:00:00Z").
// Limits: kMaxQueryParameters parameters and kMaxRequestJsonDepth levels of nesting in the
// body, so that a hostile request costs little.
#ifndef MAILLAGE_GATEWAY_HTTP_RULE_TRANSCODER_H_
#define MAILLAGE_GATEWAY_HTTP_RULE_TRANSCODER_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gateway/http_rule/path_template.h"
#include "gateway/http_rule/route_table.h"

namespace google::protobuf {
class Message;
}  // namespace google::protobuf

namespace maillage::gateway {

inline constexpr size_t kMaxQueryParameters = 100;
inline constexpr int kMaxRequestJsonDepth = 32;

absl::Status BuildRequest(const Route& route, const PathTemplate::Bindings& bindings,
                          absl::string_view query, absl::string_view body,
                          google::protobuf::Message* request);

// The JSON body of a response: the whole message, or the rule's response_body field.
// Fields at their default value are written too, so that clients see every field.
absl::StatusOr<std::string> ResponseJson(const Route& route,
                                         const google::protobuf::Message& response);

// `value` as a JSON string literal, quotes included (control characters as \u00XX).
std::string JsonQuoted(absl::string_view value);

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_HTTP_RULE_TRANSCODER_H_
