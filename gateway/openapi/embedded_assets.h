// gateway/openapi/embedded_assets: what the gateway serves besides the API, put in the
// binary at build time (openapi_gen.cc): the OpenAPI document of its routes and the /docs
// page that renders it.
//
//   absl::string_view json = OpenApiJson();
//   for (const StaticAsset& a : DocsAssets()) ... a.path, a.content_type, a.body
#ifndef MAILLAGE_GATEWAY_OPENAPI_EMBEDDED_ASSETS_H_
#define MAILLAGE_GATEWAY_OPENAPI_EMBEDDED_ASSETS_H_

#include <vector>

#include "absl/strings/string_view.h"

namespace maillage::gateway {

struct StaticAsset {
  absl::string_view path;          // "/docs", "/docs/docs.js"
  absl::string_view content_type;  // "text/html; charset=utf-8"
  absl::string_view body;
};

absl::string_view OpenApiJson();
const std::vector<StaticAsset>& DocsAssets();

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_OPENAPI_EMBEDDED_ASSETS_H_
