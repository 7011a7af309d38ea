// openapi_gen: writes the gateway's OpenAPI document at build time, with the protos'
// comments (from a descriptor set protoc made with --include_source_info), and a C++ file
// that puts it and the /docs page into the gateway's binary (embedded_assets.h).
//
//   openapi_gen --descriptor-set=api.pb --json=openapi.json --cc=embedded_assets.cc
//       --asset='/docs|text/html|docs.html' ...   (one command line)
//
// Every service the gateway fronts must be in the descriptor set: a service added to
// FrontedServices() but not to the set stops the build here.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gateway/http_rule/route_table.h"
#include "gateway/openapi/fronted_services.h"
#include "gateway/openapi/openapi_document.h"

namespace {

using google::protobuf::DescriptorPool;

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream s;
  s << in.rdbuf();
  *out = s.str();
  return true;
}

bool WriteFile(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return static_cast<bool>(out);
}

int Fail(const std::string& message) {
  std::cerr << "openapi_gen: " << message << "\n";
  return 1;
}

// A C++ string literal of `bytes`, a line of source per line of text.
std::string Literal(absl::string_view bytes) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(bytes, absl::ByChar('\n'))) {
    absl::StrAppend(&out, "\n    \"", absl::CEscape(line), "\\n\"");
  }
  return out;
}

std::string Comment(const DescriptorPool& pool, const std::string& name) {
  google::protobuf::SourceLocation loc;
  bool found = false;
  if (const auto* m = pool.FindMessageTypeByName(name))
    found = m->GetSourceLocation(&loc);
  else if (const auto* f = pool.FindFieldByName(name))
    found = f->GetSourceLocation(&loc);
  else if (const auto* s = pool.FindServiceByName(name))
    found = s->GetSourceLocation(&loc);
  else if (const auto* me = pool.FindMethodByName(name))
    found = me->GetSourceLocation(&loc);
  else if (const auto* e = pool.FindEnumTypeByName(name))
    found = e->GetSourceLocation(&loc);
  else if (const auto* v = pool.FindEnumValueByName(name))
    found = v->GetSourceLocation(&loc);
  if (!found) return "";
  std::string text = loc.leading_comments.empty() ? loc.trailing_comments : loc.leading_comments;
  // "// " comments come with a leading space on each line.
  std::string out;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, " ")) line.remove_prefix(1);
    absl::StrAppend(&out, out.empty() ? "" : "\n", line);
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string descriptor_set, json_out, cc_out;
  std::vector<std::vector<std::string>> assets;  // path, content type, file
  for (int i = 1; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (absl::ConsumePrefix(&arg, "--descriptor-set=")) {
      descriptor_set = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--json=")) {
      json_out = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--cc=")) {
      cc_out = std::string(arg);
    } else if (absl::ConsumePrefix(&arg, "--asset=")) {
      std::vector<std::string> parts = absl::StrSplit(arg, '|');
      if (parts.size() != 3)
        return Fail(absl::StrCat("--asset=", arg, ": expected path|type|file"));
      // Text is UTF-8 (CMake lists cannot carry the ";" of a charset parameter).
      if (absl::StartsWith(parts[1], "text/")) absl::StrAppend(&parts[1], "; charset=utf-8");
      assets.push_back(std::move(parts));
    } else {
      return Fail(absl::StrCat("unknown argument ", arg));
    }
  }
  if (descriptor_set.empty() || json_out.empty() || cc_out.empty()) {
    return Fail("usage: --descriptor-set=FILE --json=FILE --cc=FILE [--asset=path|type|file]...");
  }

  std::string bytes;
  google::protobuf::FileDescriptorSet set;
  if (!ReadFile(descriptor_set, &bytes) || !set.ParseFromString(bytes)) {
    return Fail(absl::StrCat("cannot read the descriptor set ", descriptor_set));
  }
  DescriptorPool pool;  // with source info, for the comments only
  for (const google::protobuf::FileDescriptorProto& file : set.file()) {
    if (pool.BuildFile(file) == nullptr) return Fail(absl::StrCat("cannot build ", file.name()));
  }
  for (const google::protobuf::ServiceDescriptor* s : maillage::gateway::FrontedServices()) {
    if (pool.FindServiceByName(s->full_name()) == nullptr) {
      return Fail(absl::StrCat(s->full_name(),
                               " is fronted but its proto is not in the descriptor set "
                               "(gateway/openapi/CMakeLists.txt)"));
    }
  }

  absl::StatusOr<maillage::gateway::RouteTable> routes =
      maillage::gateway::RouteTable::Build(maillage::gateway::FrontedServices());
  if (!routes.ok()) return Fail(std::string(routes.status().message()));
  const std::string json = maillage::gateway::OpenApiDocument(
      *routes,
      {.title = "Maillage",
       .version = "v1",
       .description =
           "The REST/JSON face of Maillage's gRPC services, for networks of small "
           "companies. Every route is the google.api.http annotation of a gRPC method; the "
           "same methods are reachable over gRPC at the gateway's gRPC port."},
      [&pool](const std::string& name) { return Comment(pool, name); });

  std::string cc = absl::StrCat(
      "// Generated by gateway/openapi/openapi_gen at build time; do not edit.\n"
      "#include \"gateway/openapi/embedded_assets.h\"\n\n"
      "namespace maillage::gateway {\nnamespace {\n\n"
      "constexpr char kOpenApi[] =",
      Literal(json), ";\n");
  for (size_t i = 0; i < assets.size(); ++i) {
    std::string body;
    if (!ReadFile(assets[i][2], &body)) return Fail(absl::StrCat("cannot read ", assets[i][2]));
    absl::StrAppend(&cc, "constexpr char kAsset", i, "[] =", Literal(body), ";\n");
  }
  absl::StrAppend(&cc,
                  "\n}  // namespace\n\n"
                  "absl::string_view OpenApiJson() { return {kOpenApi, sizeof(kOpenApi) - 1}; }\n\n"
                  "const std::vector<StaticAsset>& DocsAssets() {\n"
                  "  static const auto* assets = new std::vector<StaticAsset>{");
  for (size_t i = 0; i < assets.size(); ++i) {
    absl::StrAppend(&cc, "\n      {\"", absl::CEscape(assets[i][0]), "\", \"",
                    absl::CEscape(assets[i][1]), "\", {kAsset", i, ", sizeof(kAsset", i,
                    ") - 1}},");
  }
  absl::StrAppend(&cc, "};\n  return *assets;\n}\n\n}  // namespace maillage::gateway\n");
  if (!WriteFile(json_out, json + "\n") || !WriteFile(cc_out, cc)) {
    return Fail("cannot write the outputs");
  }
  return 0;
}
