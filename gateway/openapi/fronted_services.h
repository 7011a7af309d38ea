// gateway/openapi/fronted_services: the services the gateway fronts, one list for the routes,
// the gRPC front and the OpenAPI document. A new service is one line in the .cc (and its
// proto library in CMakeLists.txt).
//
//   for (const google::protobuf::ServiceDescriptor* s : FrontedServices()) ... s->full_name()
#ifndef MAILLAGE_GATEWAY_OPENAPI_FRONTED_SERVICES_H_
#define MAILLAGE_GATEWAY_OPENAPI_FRONTED_SERVICES_H_

#include <vector>

namespace google::protobuf {
class ServiceDescriptor;
}  // namespace google::protobuf

namespace maillage::gateway {

// From the generated pool (the services' code is linked with this library).
std::vector<const google::protobuf::ServiceDescriptor*> FrontedServices();

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_OPENAPI_FRONTED_SERVICES_H_
