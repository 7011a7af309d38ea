#include "gateway/openapi/openapi_document.h"

#include <google/protobuf/descriptor.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace maillage::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::MethodDescriptor;
using Json = nlohmann::ordered_json;

// Nested messages followed when flattening a request into query parameters.
constexpr int kMaxQueryDepth = 3;

class Builder {
 public:
  Builder(const CommentLookup& comments) : comments_(comments) {}

  Json Document(const RouteTable& routes, const OpenApiInfo& info) {
    Json doc;
    doc["openapi"] = "3.0.3";
    doc["info"] = {{"title", info.title}, {"version", info.version}};
    if (!info.description.empty()) doc["info"]["description"] = info.description;
    doc["security"] = Json::array({{{"bearer", Json::array()}}, {{"apiKey", Json::array()}}});
    Json paths = Json::object();
    std::set<std::string> tags;
    for (const Route& route : routes.routes()) {
      const std::string path = OpenApiPath(route.path.text());
      paths[path][absl::AsciiStrToLower(route.http_method)] = Operation(route);
      tags.insert(route.method->service()->name());
    }
    doc["tags"] = Json::array();
    for (const std::string& tag : tags) {
      Json t = {{"name", tag}};
      for (const Route& route : routes.routes()) {
        if (route.method->service()->name() != tag) continue;
        if (std::string c = Comment(route.method->service()->full_name()); !c.empty()) {
          t["description"] = c;
        }
        break;
      }
      doc["tags"].push_back(t);
    }
    doc["paths"] = std::move(paths);
    Json components;
    components["securitySchemes"] = {
        {"bearer",
         {{"type", "http"},
          {"scheme", "bearer"},
          {"bearerFormat", "JWT"},
          {"description", "An OIDC access token of the agency's identity provider."}}},
        {"apiKey",
         {{"type", "apiKey"},
          {"in", "header"},
          {"name", "x-api-key"},
          {"description", "A partner system's key, issued by CreateApiKey."}}}};
    components["parameters"] = CommonParameters();
    components["schemas"] = Json::object();
    components["schemas"]["Error"] = ErrorSchema();
    // Schemas are added while others are written: a work list, each written once.
    while (!pending_messages_.empty() || !pending_enums_.empty()) {
      if (!pending_messages_.empty()) {
        const Descriptor* m = *pending_messages_.begin();
        pending_messages_.erase(pending_messages_.begin());
        components["schemas"][m->full_name()] = MessageSchema(m);
      } else {
        const EnumDescriptor* e = *pending_enums_.begin();
        pending_enums_.erase(pending_enums_.begin());
        components["schemas"][e->full_name()] = EnumSchema(e);
      }
    }
    doc["components"] = std::move(components);
    return doc;
  }

 private:
  std::string Comment(const std::string& full_name) const {
    if (!comments_) return "";
    return std::string(absl::StripAsciiWhitespace(comments_(full_name)));
  }

  // "/v1/{name=networks/*}/members:export" -> "/v1/{name}/members:export".
  static std::string OpenApiPath(const std::string& text) {
    static const std::regex variable(R"(\{([^}=]+)=[^}]*\})");
    return std::regex_replace(text, variable, "{$1}");
  }

  Json Operation(const Route& route) {
    const MethodDescriptor* m = route.method;
    Json op;
    op["operationId"] = m->name();
    op["tags"] = Json::array({m->service()->name()});
    const std::string comment = Comment(m->full_name());
    op["summary"] = comment.empty() ? m->name() : FirstSentence(comment);
    if (!comment.empty()) op["description"] = comment;
    if (ReadsOnly(*m)) op["x-maillage-read-only"] = true;

    Json params = Json::array();
    std::set<std::string> bound;
    static const std::regex variable(R"(\{([^}=]+)(=([^}]*))?\})");
    const std::string text = route.path.text();
    for (std::sregex_iterator it(text.begin(), text.end(), variable), end; it != end; ++it) {
      const std::string field_path = (*it)[1];
      bound.insert(field_path);
      const FieldDescriptor* f = FieldAt(m->input_type(), field_path);
      Json p = {{"name", field_path}, {"in", "path"}, {"required", true}};
      p["schema"] = f != nullptr ? FieldSchema(f, /*as_parameter=*/true) : Json{{"type", "string"}};
      std::string description = f != nullptr ? Comment(f->full_name()) : "";
      if ((*it)[3].matched) {
        absl::StrAppend(&description, description.empty() ? "" : " ",
                        "Pattern: ", std::string((*it)[3]), ".");
      }
      if (!description.empty()) p["description"] = description;
      params.push_back(std::move(p));
    }
    if (route.body_field != nullptr) bound.insert(route.body_field->name());
    if (!route.body_is_request) QueryParameters(m->input_type(), "", 0, bound, params);
    params.push_back({{"$ref", "#/components/parameters/Organisation"}});
    params.push_back({{"$ref", "#/components/parameters/RequestTimeout"}});
    params.push_back({{"$ref", "#/components/parameters/RequestId"}});
    if (route.http_method == "POST" && !route.client_streaming) {
      params.push_back({{"$ref", "#/components/parameters/IdempotencyKey"}});
    }
    op["parameters"] = std::move(params);

    if (route.body_is_request) {
      op["requestBody"] = {
          {"required", true},
          {"content", {{"application/json", {{"schema", Ref(m->input_type())}}}}},
          {"description", "The request; fields the path gives are taken from the path."}};
    } else if (route.body_field != nullptr &&
               route.body_field->type() == FieldDescriptor::TYPE_BYTES) {
      const std::string type = MediaTypeIn(Comment(route.body_field->full_name()));
      op["requestBody"] = {
          {"required", true},
          {"content", {{type, {{"schema", {{"type", "string"}, {"format", "binary"}}}}}}},
          {"description",
           route.client_streaming
               ? "The file, sent as it is (Transfer-Encoding: chunked is welcome); the other "
                 "fields are query parameters."
               : "The bytes, sent as they are."}};
    } else if (route.body_field != nullptr) {
      op["requestBody"] = {
          {"required", true},
          {"content", {{"application/json", {{"schema", Ref(route.body_field->message_type())}}}}}};
    }

    Json ok;
    if (route.server_streaming && route.response_field != nullptr &&
        route.response_field->type() == FieldDescriptor::TYPE_BYTES) {
      const std::string type = route.content_type_field != nullptr
                                   ? MediaTypeIn(Comment(route.content_type_field->full_name()))
                                   : "application/octet-stream";
      ok = {{"description", "The file, streamed (chunked); cut short if the stream fails."},
            {"content", {{type, {{"schema", {{"type", "string"}, {"format", "binary"}}}}}}}};
    } else if (route.server_streaming) {
      ok = {{"description", "One JSON object a line, streamed."},
            {"content", {{"application/x-ndjson", {{"schema", Ref(m->output_type())}}}}}};
    } else {
      const Descriptor* out =
          route.response_field != nullptr ? route.response_field->message_type() : m->output_type();
      ok = {{"description", "OK"}, {"content", {{"application/json", {{"schema", Ref(out)}}}}}};
    }
    Json error = {{"description",
                   "{code, message, details}: the gRPC code, its message and its details "
                   "(field violations for 400). 400 invalid argument, 401 unauthenticated, "
                   "403 permission denied, 404 not found, 409 conflict, 412 failed "
                   "precondition, 429 rate limited (Retry-After), 503 unavailable (retry), "
                   "504 deadline exceeded."},
                  {"content",
                   {{"application/json", {{"schema", {{"$ref", "#/components/schemas/Error"}}}}}}}};
    op["responses"] = {{"200", std::move(ok)}, {"default", std::move(error)}};
    return op;
  }

  // Every scalar (or repeated scalar) field under `type` the path and the body do not give.
  void QueryParameters(const Descriptor* type, const std::string& prefix, int depth,
                       const std::set<std::string>& bound, Json& params) {
    for (int i = 0; i < type->field_count(); ++i) {
      const FieldDescriptor* f = type->field(i);
      const std::string name = absl::StrCat(prefix, f->name());
      bool taken = false;
      for (const std::string& b : bound) {
        taken = taken || b == name || absl::StartsWith(b, name + ".") ||
                absl::StartsWith(name, b + ".");
      }
      if (taken || f->is_map()) continue;
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !IsScalarLike(f->message_type())) {
        if (!f->is_repeated() && depth + 1 < kMaxQueryDepth) {
          QueryParameters(f->message_type(), name + ".", depth + 1, bound, params);
        }
        continue;
      }
      Json p = {{"name", JsonPath(prefix, f)}, {"in", "query"}};
      p["schema"] = FieldSchema(f, /*as_parameter=*/true);
      if (f->is_repeated()) {
        p["style"] = "form";
        p["explode"] = true;
      }
      if (std::string c = Comment(f->full_name()); !c.empty()) p["description"] = c;
      params.push_back(std::move(p));
    }
  }

  // "options." + networkId: the JSON names along the path.
  static std::string JsonPath(const std::string& prefix, const FieldDescriptor* f) {
    std::vector<std::string> parts;
    for (absl::string_view part : absl::StrSplit(prefix, '.', absl::SkipEmpty())) {
      parts.push_back(LowerCamel(part));
    }
    parts.push_back(f->json_name());
    return absl::StrJoin(parts, ".");
  }

  static std::string LowerCamel(absl::string_view snake) {
    std::string out;
    bool upper = false;
    for (char c : snake) {
      if (c == '_') {
        upper = true;
      } else {
        out += upper ? absl::ascii_toupper(static_cast<unsigned char>(c)) : c;
        upper = false;
      }
    }
    return out;
  }

  // Well-known types that the JSON mapping writes as one value.
  static bool IsScalarLike(const Descriptor* m) {
    const std::string& n = m->full_name();
    return n == "google.protobuf.Timestamp" || n == "google.protobuf.Duration" ||
           n == "google.protobuf.FieldMask" ||
           (absl::StartsWith(n, "google.protobuf.") && absl::EndsWith(n, "Value") &&
            n != "google.protobuf.Value" && n != "google.protobuf.ListValue");
  }

  Json Ref(const Descriptor* m) {
    if (Json wkt = WellKnown(m); !wkt.is_null()) return wkt;
    if (seen_.insert(m->full_name()).second) pending_messages_.insert(m);
    return {{"$ref", "#/components/schemas/" + m->full_name()}};
  }

  Json WellKnown(const Descriptor* m) {
    const std::string& n = m->full_name();
    if (n == "google.protobuf.Timestamp") return {{"type", "string"}, {"format", "date-time"}};
    if (n == "google.protobuf.Duration") {
      return {{"type", "string"}, {"example", "3.5s"}, {"description", "seconds, with an s"}};
    }
    if (n == "google.protobuf.FieldMask") {
      return {{"type", "string"}, {"description", "field paths, comma-separated (lowerCamel)"}};
    }
    if (n == "google.protobuf.Struct") return {{"type", "object"}};
    if (n == "google.protobuf.Value") return Json::object();
    if (n == "google.protobuf.ListValue") return {{"type", "array"}, {"items", Json::object()}};
    if (n == "google.protobuf.Empty") return {{"type", "object"}};
    if (n == "google.protobuf.Any") {
      return {{"type", "object"},
              {"properties", {{"@type", {{"type", "string"}}}}},
              {"additionalProperties", true}};
    }
    if (absl::StartsWith(n, "google.protobuf.") && absl::EndsWith(n, "Value")) {
      Json inner = ScalarSchema(m->FindFieldByName("value"));
      inner["nullable"] = true;
      return inner;
    }
    return nullptr;
  }

  Json ScalarSchema(const FieldDescriptor* f) {
    switch (f->type()) {
      case FieldDescriptor::TYPE_STRING:
        return {{"type", "string"}};
      case FieldDescriptor::TYPE_BYTES:
        return {{"type", "string"}, {"format", "byte"}};
      case FieldDescriptor::TYPE_BOOL:
        return {{"type", "boolean"}};
      case FieldDescriptor::TYPE_DOUBLE:
        return {{"type", "number"}, {"format", "double"}};
      case FieldDescriptor::TYPE_FLOAT:
        return {{"type", "number"}, {"format", "float"}};
      case FieldDescriptor::TYPE_INT32:
      case FieldDescriptor::TYPE_SINT32:
      case FieldDescriptor::TYPE_SFIXED32:
        return {{"type", "integer"}, {"format", "int32"}};
      case FieldDescriptor::TYPE_UINT32:
      case FieldDescriptor::TYPE_FIXED32:
        return {{"type", "integer"}, {"format", "int64"}, {"minimum", 0}};
      case FieldDescriptor::TYPE_INT64:
      case FieldDescriptor::TYPE_SINT64:
      case FieldDescriptor::TYPE_SFIXED64:
      case FieldDescriptor::TYPE_UINT64:
      case FieldDescriptor::TYPE_FIXED64:
        // 64-bit integers are JSON strings in protobuf's mapping.
        return {{"type", "string"}, {"format", "int64"}};
      case FieldDescriptor::TYPE_ENUM:
        if (seen_.insert(f->enum_type()->full_name()).second) pending_enums_.insert(f->enum_type());
        return {{"$ref", "#/components/schemas/" + f->enum_type()->full_name()}};
      default:
        return Ref(f->message_type());
    }
  }

  Json FieldSchema(const FieldDescriptor* f, bool as_parameter) {
    if (f->is_map()) {
      return {{"type", "object"},
              {"additionalProperties", FieldSchema(f->message_type()->map_value(), false)}};
    }
    Json one = ScalarSchema(f);
    if (!as_parameter) {
      if (std::string c = Comment(f->full_name()); !c.empty() && !one.contains("$ref")) {
        one["description"] = c;
      }
    }
    if (!f->is_repeated()) {
      if (!as_parameter && one.contains("$ref")) {
        // A $ref takes no siblings in OpenAPI 3.0: the description goes around it.
        if (std::string c = Comment(f->full_name()); !c.empty()) {
          return {{"allOf", Json::array({one})}, {"description", c}};
        }
      }
      return one;
    }
    Json array = {{"type", "array"}, {"items", std::move(one)}};
    if (!as_parameter) {
      if (std::string c = Comment(f->full_name()); !c.empty()) array["description"] = c;
    }
    return array;
  }

  Json MessageSchema(const Descriptor* m) {
    Json schema = {{"type", "object"}};
    if (std::string c = Comment(m->full_name()); !c.empty()) schema["description"] = c;
    Json properties = Json::object();
    for (int i = 0; i < m->field_count(); ++i) {
      const FieldDescriptor* f = m->field(i);
      Json p = FieldSchema(f, /*as_parameter=*/false);
      if (const auto* oneof = f->real_containing_oneof(); oneof != nullptr) {
        p["x-oneof"] = oneof->name();
      }
      properties[f->json_name()] = std::move(p);
    }
    schema["properties"] = std::move(properties);
    schema["additionalProperties"] = false;  // unknown fields are refused
    return schema;
  }

  Json EnumSchema(const EnumDescriptor* e) {
    Json values = Json::array();
    std::string described;
    for (int i = 0; i < e->value_count(); ++i) {
      values.push_back(e->value(i)->name());
      // An enum value's full name is its enum's scope + its name.
      if (std::string c = Comment(e->value(i)->full_name()); !c.empty()) {
        absl::StrAppend(&described, "- ", e->value(i)->name(), ": ", c, "\n");
      }
    }
    Json schema = {{"type", "string"}, {"enum", std::move(values)}};
    std::string c = Comment(e->full_name());
    if (!described.empty()) absl::StrAppend(&c, c.empty() ? "" : "\n\n", described);
    if (!c.empty()) schema["description"] = c;
    return schema;
  }

  static Json ErrorSchema() {
    return {{"type", "object"},
            {"description", "An error: the gRPC code and message, with google.rpc details."},
            {"properties",
             {{"code", {{"type", "integer"}, {"description", "the gRPC status code"}}},
              {"message", {{"type", "string"}}},
              {"details",
               {{"type", "array"},
                {"items",
                 {{"type", "object"},
                  {"properties", {{"@type", {{"type", "string"}}}}},
                  {"additionalProperties", true}}}}}}},
            {"required", Json::array({"code", "message", "details"})}};
  }

  static Json CommonParameters() {
    auto header = [](const char* name, const char* description) {
      return Json{{"name", name},
                  {"in", "header"},
                  {"required", false},
                  {"schema", {{"type", "string"}}},
                  {"description", description}};
    };
    return {{"Organisation",
             header("x-maillage-organisation",
                    "The organisation to act for, when the caller represents several.")},
            {"RequestTimeout",
             header("x-request-timeout",
                    "Seconds the caller waits at most (it can only shorten the method's limit).")},
            {"RequestId", header("x-request-id",
                                 "The caller's id for the request ([A-Za-z0-9._-], at most "
                                 "128), echoed and logged; one is made when absent.")},
            {"IdempotencyKey",
             header("Idempotency-Key",
                    "A retry with the same key and body gets the first answer (kept 24 h); "
                    "the same key with another body gets 422.")}};
  }

  // The media type a comment quotes ("text/csv; charset=utf-8"), else
  // application/octet-stream.
  static std::string MediaTypeIn(const std::string& comment) {
    static const std::regex quoted(R"re("([a-z]+/[a-z0-9.+-]+)(;[^"]*)?")re");
    std::smatch match;
    if (std::regex_search(comment, match, quoted)) return match[1];
    return "application/octet-stream";
  }

  static std::string FirstSentence(const std::string& comment) {
    std::string flat = absl::StrJoin(absl::StrSplit(comment, '\n'), " ");
    size_t end = flat.find(". ");
    std::string first = end == std::string::npos ? flat : flat.substr(0, end + 1);
    if (first.size() > 120) first = first.substr(0, 117) + "...";
    return first;
  }

  struct ByName {
    template <typename T>
    bool operator()(const T* a, const T* b) const {
      return a->full_name() < b->full_name();
    }
  };

  const CommentLookup& comments_;
  std::set<const Descriptor*, ByName> pending_messages_;
  std::set<const EnumDescriptor*, ByName> pending_enums_;
  std::set<std::string> seen_;  // schemas written or waiting
};

}  // namespace

std::string OpenApiDocument(const RouteTable& routes, const OpenApiInfo& info,
                            const CommentLookup& comments) {
  return Builder(comments).Document(routes, info).dump(1);
}

}  // namespace maillage::gateway
