// libFuzzer target: REST requests to membership's routes. The first byte picks a route, the
// input's first line is the path and query ("/v1/networks/x?pageSize=1"), the rest the JSON
// body. Building the request may fail (INVALID_ARGUMENT) but never crash, and a request that
// was built must serialise.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "gateway/http_rule/route_table.h"
#include "gateway/http_rule/transcoder.h"
#include "maillage/membership/v1/membership.grpc.pb.h"

namespace {

const maillage::gateway::RouteTable& Table() {
  static const auto* table =
      new maillage::gateway::RouteTable(*maillage::gateway::RouteTable::Build(
          {maillage::membership::v1::GetNetworkRequest::descriptor()->file()->FindServiceByName(
              "MembershipService")}));
  return *table;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const auto& routes = Table().routes();
  const maillage::gateway::Route& route = routes[data[0] % routes.size()];
  absl::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  size_t newline = input.find('\n');
  absl::string_view target = input.substr(0, newline);
  absl::string_view body =
      newline == absl::string_view::npos ? absl::string_view() : input.substr(newline + 1);
  absl::string_view path = target, query;
  if (size_t q = target.find('?'); q != absl::string_view::npos) {
    path = target.substr(0, q);
    query = target.substr(q + 1);
  }
  std::optional<maillage::gateway::PathTemplate::Bindings> bindings = route.path.Match(path);
  if (!bindings) bindings.emplace();  // still exercise the query and body paths
  std::unique_ptr<google::protobuf::Message> request(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(route.method->input_type())
          ->New());
  if (maillage::gateway::BuildRequest(route, *bindings, query, body, request.get()).ok()) {
    std::string bytes;
    if (!request->SerializeToString(&bytes)) __builtin_trap();
  }
  return 0;
}
