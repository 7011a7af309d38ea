#include "gateway/http_rule/transcoder.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <optional>
#include <set>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/validation/validation.h"

namespace maillage::gateway {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

absl::Status Invalid(absl::string_view where, absl::string_view why) {
  return absl::InvalidArgumentError(absl::StrCat(where, ": ", why));
}

// Deepest nesting of objects and arrays in `json`, strings skipped; stops counting past
// `limit`.
int JsonDepth(absl::string_view json, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

// A field of `type` by its proto name or its JSON (lowerCamelCase) name.
const FieldDescriptor* FindField(const Descriptor* type, absl::string_view name) {
  std::string n(name);
  const FieldDescriptor* f = type->FindFieldByName(n);
  if (f == nullptr) f = type->FindFieldByCamelcaseName(n);
  return f;
}

// Sets (or, for a repeated field, adds) the leaf `f` of `msg` from its text form.
absl::Status SetFromText(Message* msg, const FieldDescriptor* f, absl::string_view text,
                         absl::string_view where) {
  const Reflection* r = msg->GetReflection();
  const bool repeated = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t v;
      if (!absl::SimpleAtoi(text, &v)) return Invalid(where, "not a 32-bit integer");
      repeated ? r->AddInt32(msg, f, v) : r->SetInt32(msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      int64_t v;
      if (!absl::SimpleAtoi(text, &v)) return Invalid(where, "not a 64-bit integer");
      repeated ? r->AddInt64(msg, f, v) : r->SetInt64(msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      uint32_t v;
      if (!absl::SimpleAtoi(text, &v)) return Invalid(where, "not an unsigned 32-bit integer");
      repeated ? r->AddUInt32(msg, f, v) : r->SetUInt32(msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      uint64_t v;
      if (!absl::SimpleAtoi(text, &v)) return Invalid(where, "not an unsigned 64-bit integer");
      repeated ? r->AddUInt64(msg, f, v) : r->SetUInt64(msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      double v;
      if (!absl::SimpleAtod(text, &v)) return Invalid(where, "not a number");
      repeated ? r->AddDouble(msg, f, v) : r->SetDouble(msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_FLOAT: {
      float v;
      if (!absl::SimpleAtof(text, &v)) return Invalid(where, "not a number");
      repeated ? r->AddFloat(msg, f, v) : r->SetFloat(msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool v;
      if (text == "true") {
        v = true;
      } else if (text == "false") {
        v = false;
      } else {
        return Invalid(where, "must be true or false");
      }
      repeated ? r->AddBool(msg, f, v) : r->SetBool(msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const google::protobuf::EnumValueDescriptor* v =
          f->enum_type()->FindValueByName(std::string(text));
      int number;
      if (v == nullptr && absl::SimpleAtoi(text, &number)) {
        v = f->enum_type()->FindValueByNumber(number);
      }
      if (v == nullptr) {
        return Invalid(where, absl::StrCat("not a value of ", f->enum_type()->name()));
      }
      repeated ? r->AddEnum(msg, f, v) : r->SetEnum(msg, f, v);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string v(text);
      if (f->type() == FieldDescriptor::TYPE_BYTES && !absl::Base64Unescape(text, &v) &&
          !absl::WebSafeBase64Unescape(text, &v)) {
        return Invalid(where, "not base64");
      }
      repeated ? r->AddString(msg, f, std::move(v)) : r->SetString(msg, f, std::move(v));
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE: {
      // Well-known types written as JSON strings: timestamps, durations, wrappers, masks.
      Message* sub = repeated ? r->AddMessage(msg, f) : r->MutableMessage(msg, f);
      google::protobuf::util::JsonParseOptions options;
      auto s = google::protobuf::util::JsonStringToMessage(JsonQuoted(text), sub, options);
      if (!s.ok()) return Invalid(where, absl::StrCat("not a ", f->message_type()->full_name()));
      return absl::OkStatus();
    }
  }
  return Invalid(where, "unsupported field type");
}

// Walks `path` ("a.b.c") from `root`, creating the singular messages on the way; the leaf
// and the message holding it, or an error naming `where`.
absl::StatusOr<std::pair<Message*, const FieldDescriptor*>> Resolve(Message* root,
                                                                    absl::string_view path,
                                                                    absl::string_view where) {
  Message* msg = root;
  std::vector<absl::string_view> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i < parts.size(); ++i) {
    const FieldDescriptor* f = FindField(msg->GetDescriptor(), parts[i]);
    if (f == nullptr) return Invalid(where, "no such field");
    if (f->is_map()) return Invalid(where, "map fields cannot be set here");
    if (i + 1 == parts.size()) return std::make_pair(msg, f);
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || f->is_repeated()) {
      return Invalid(where, "no such field");
    }
    msg = msg->GetReflection()->MutableMessage(msg, f);
  }
  return Invalid(where, "no such field");
}

// The canonical "a.b.c" (proto names) of a parameter name in either spelling, or empty.
std::string CanonicalPath(const Descriptor* type, absl::string_view name) {
  std::string out;
  for (absl::string_view part : absl::StrSplit(name, '.')) {
    if (type == nullptr) return "";
    const FieldDescriptor* f = FindField(type, part);
    if (f == nullptr) return "";
    if (!out.empty()) out += '.';
    out += f->name();
    type = f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && !f->is_repeated()
               ? f->message_type()
               : nullptr;
  }
  return out;
}

bool IsUnder(absl::string_view path, absl::string_view prefix) {
  return path == prefix || (path.size() > prefix.size() && absl::StartsWith(path, prefix) &&
                            path[prefix.size()] == '.');
}

}  // namespace

std::string JsonQuoted(absl::string_view value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      absl::StrAppend(&out, "\\u00", absl::BytesToHexString(absl::string_view(&c, 1)));
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

absl::Status BuildRequest(const Route& route, const PathTemplate::Bindings& bindings,
                          absl::string_view query, absl::string_view body, Message* request) {
  // 1. The body.
  const bool has_body = route.body_is_request || route.body_field != nullptr;
  if (!has_body && !body.empty()) {
    return Invalid("body", absl::StrCat(route.http_method, " ", route.path.text(),
                                        " takes no body: send the fields as query parameters"));
  }
  if (route.body_field != nullptr && route.body_field->type() == FieldDescriptor::TYPE_BYTES) {
    // Raw bytes (a file), not JSON.
    if (!body.empty())
      request->GetReflection()->SetString(request, route.body_field, std::string(body));
  } else if (has_body && !body.empty()) {
    if (JsonDepth(body, kMaxRequestJsonDepth) > kMaxRequestJsonDepth) {
      return Invalid("body", absl::StrCat("nested deeper than ", kMaxRequestJsonDepth, " levels"));
    }
    Message* target = route.body_is_request
                          ? request
                          : request->GetReflection()->MutableMessage(request, route.body_field);
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = false;
    auto s = google::protobuf::util::JsonStringToMessage(
        google::protobuf::StringPiece(body.data(), body.size()), target, options);
    if (!s.ok()) return Invalid("body", s.message().ToString());
  }

  // 2. The query parameters.
  std::vector<std::string> bound;  // canonical paths the path or the body set
  for (const auto& [field, value] : bindings) bound.push_back(field);
  if (route.body_field != nullptr) bound.push_back(route.body_field->name());
  size_t count = 0;
  for (absl::string_view pair : absl::StrSplit(query, '&', absl::SkipEmpty())) {
    if (++count > kMaxQueryParameters) {
      return Invalid("query", absl::StrCat("more than ", kMaxQueryParameters, " parameters"));
    }
    std::vector<absl::string_view> kv = absl::StrSplit(pair, absl::MaxSplits('=', 1));
    std::optional<std::string> name =
        PercentDecode(kv[0], /*plus_is_space=*/true, /*keep_encoded_slash=*/false);
    std::optional<std::string> value =
        kv.size() > 1 ? PercentDecode(kv[1], true, false) : std::optional<std::string>("");
    if (!name || !value) return Invalid("query", "bad percent-encoding or invalid UTF-8");
    const std::string where = absl::StrCat("query parameter ", *name);
    if (route.body_is_request) {
      return Invalid(where, "this route takes every field from the body");
    }
    std::string canonical = CanonicalPath(request->GetDescriptor(), *name);
    if (canonical.empty()) return Invalid(where, "no such field");
    for (const std::string& b : bound) {
      if (IsUnder(canonical, b) || IsUnder(b, canonical)) {
        return Invalid(where, "already given by the path or the body");
      }
    }
    absl::StatusOr<std::pair<Message*, const FieldDescriptor*>> leaf =
        Resolve(request, canonical, where);
    if (!leaf.ok()) return leaf.status();
    if (leaf->second->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
        leaf->second->message_type()->file()->package() != "google.protobuf") {
      return Invalid(where, "name a field inside it (a.b=value)");
    }
    if (absl::Status s = SetFromText(leaf->first, leaf->second, *value, where); !s.ok()) return s;
  }

  // 3. The path's variables.
  for (const auto& [field, value] : bindings) {
    const std::string where = absl::StrCat("path variable ", field);
    absl::StatusOr<std::pair<Message*, const FieldDescriptor*>> leaf =
        Resolve(request, field, where);
    if (!leaf.ok()) return leaf.status();
    if (absl::Status s = SetFromText(leaf->first, leaf->second, value, where); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ResponseJson(const Route& route, const Message& response) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  const Message& body = route.response_field == nullptr
                            ? response
                            : response.GetReflection()->GetMessage(response, route.response_field);
  std::string out;
  auto s = google::protobuf::util::MessageToJsonString(body, &out, options);
  if (!s.ok()) return absl::InternalError(absl::StrCat("response: ", s.message().ToString()));
  return out;
}

}  // namespace maillage::gateway
