#include "gateway/http_rule/route_table.h"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/api/annotations.pb.h"
#include "google/api/http.pb.h"

namespace maillage::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::MethodDescriptor;

absl::Status RuleError(const MethodDescriptor* m, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("google.api.http rule of ", m->full_name(), ": ", what));
}

}  // namespace

const FieldDescriptor* FieldAt(const Descriptor* type, absl::string_view path) {
  const FieldDescriptor* field = nullptr;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (type == nullptr) return nullptr;
    field = type->FindFieldByName(std::string(part));
    if (field == nullptr) return nullptr;
    type = field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !field->is_repeated()
               ? field->message_type()
               : nullptr;
  }
  return field;
}

namespace {

absl::Status AddRule(const MethodDescriptor* m, const google::api::HttpRule& rule, bool nested,
                     std::vector<Route>& routes) {
  Route route;
  std::string pattern;
  switch (rule.pattern_case()) {
    case google::api::HttpRule::kGet:
      route.http_method = "GET";
      pattern = rule.get();
      break;
    case google::api::HttpRule::kPut:
      route.http_method = "PUT";
      pattern = rule.put();
      break;
    case google::api::HttpRule::kPost:
      route.http_method = "POST";
      pattern = rule.post();
      break;
    case google::api::HttpRule::kDelete:
      route.http_method = "DELETE";
      pattern = rule.delete_();
      break;
    case google::api::HttpRule::kPatch:
      route.http_method = "PATCH";
      pattern = rule.patch();
      break;
    case google::api::HttpRule::kCustom:
      route.http_method = rule.custom().kind();
      pattern = rule.custom().path();
      break;
    default:
      return RuleError(m, "no method and path");
  }
  absl::StatusOr<PathTemplate> path = PathTemplate::Parse(pattern);
  if (!path.ok()) return RuleError(m, path.status().message());
  route.path = std::move(*path);
  route.method = m;
  route.grpc_path = absl::StrCat("/", m->service()->full_name(), "/", m->name());

  const Descriptor* request = m->input_type();
  for (const std::string& field_path : route.path.variable_fields()) {
    const FieldDescriptor* f = FieldAt(request, field_path);
    if (f == nullptr) return RuleError(m, absl::StrCat("path names no field ", field_path));
    if (f->is_repeated() || f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      return RuleError(m, absl::StrCat("path variable ", field_path, " is not a scalar field"));
    }
  }
  if (rule.body() == "*") {
    route.body_is_request = true;
  } else if (!rule.body().empty()) {
    route.body_field = request->FindFieldByName(rule.body());
    if (route.body_field == nullptr) {
      return RuleError(m, absl::StrCat("body names no field ", rule.body()));
    }
    const bool raw = route.body_field->type() == FieldDescriptor::TYPE_BYTES;
    if (route.body_field->is_repeated() ||
        (route.body_field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE && !raw)) {
      return RuleError(m, absl::StrCat("body field ", rule.body(), " is not a message or bytes"));
    }
  }
  route.client_streaming = m->client_streaming();
  route.server_streaming = m->server_streaming();
  if (route.client_streaming &&
      (route.body_field == nullptr || route.body_field->type() != FieldDescriptor::TYPE_BYTES)) {
    return RuleError(m, "a client-streaming method's body must name a bytes field");
  }
  if (!rule.response_body().empty()) {
    route.response_field = m->output_type()->FindFieldByName(rule.response_body());
    const bool raw = route.server_streaming && route.response_field != nullptr &&
                     route.response_field->type() == FieldDescriptor::TYPE_BYTES;
    if (route.response_field == nullptr || route.response_field->is_repeated() ||
        (route.response_field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE && !raw)) {
      return RuleError(m, absl::StrCat("response_body ", rule.response_body(),
                                       " is not a singular message field (or, streaming, bytes)"));
    }
    if (raw) {
      route.content_type_field = m->output_type()->FindFieldByName("content_type");
      if (route.content_type_field != nullptr &&
          route.content_type_field->type() != FieldDescriptor::TYPE_STRING) {
        route.content_type_field = nullptr;
      }
    }
  }
  for (const Route& other : routes) {
    if (other.http_method == route.http_method && other.path.text() == route.path.text()) {
      return RuleError(m, absl::StrCat(route.http_method, " ", route.path.text(),
                                       " is already the route of ", other.method->full_name()));
    }
  }
  routes.push_back(std::move(route));
  if (!nested) {
    for (const google::api::HttpRule& more : rule.additional_bindings()) {
      if (!more.additional_bindings().empty()) {
        return RuleError(m, "additional_bindings may not nest");
      }
      if (absl::Status s = AddRule(m, more, true, routes); !s.ok()) return s;
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<RouteTable> RouteTable::Build(
    const std::vector<const google::protobuf::ServiceDescriptor*>& services) {
  RouteTable table;
  for (const google::protobuf::ServiceDescriptor* service : services) {
    // A service whose generated code was not linked is absent from the pool.
    if (service == nullptr) return absl::InvalidArgumentError("routes: unknown service");
    for (int i = 0; i < service->method_count(); ++i) {
      const MethodDescriptor* m = service->method(i);
      if (!m->options().HasExtension(google::api::http)) continue;
      if (absl::Status s =
              AddRule(m, m->options().GetExtension(google::api::http), false, table.routes_);
          !s.ok()) {
        return s;
      }
    }
  }
  return table;
}

RouteTable::Lookup RouteTable::Find(absl::string_view http_method, absl::string_view path) const {
  Lookup out;
  int best = -1;
  for (const Route& route : routes_) {
    // Cheap test first: most paths fail on the segment count or a literal.
    std::optional<PathTemplate::Bindings> bindings = route.path.Match(path);
    if (!bindings) continue;
    if (route.http_method != http_method) {
      if (std::find(out.allowed_methods.begin(), out.allowed_methods.end(), route.http_method) ==
          out.allowed_methods.end()) {
        out.allowed_methods.push_back(route.http_method);
      }
      continue;
    }
    if (route.path.literal_count() > best) {
      best = route.path.literal_count();
      out.route = &route;
      out.bindings = std::move(*bindings);
    }
  }
  if (out.route != nullptr) out.allowed_methods.clear();
  return out;
}

bool ReadsOnly(const google::protobuf::MethodDescriptor& method) {
  if (!method.options().HasExtension(google::api::http)) return false;
  const google::api::HttpRule& rule = method.options().GetExtension(google::api::http);
  return rule.pattern_case() == google::api::HttpRule::kGet;
}

}  // namespace maillage::gateway
