// tests/support/http_get: one plain HTTP/1.0 GET on the loopback, for tests that read a
// server's /metrics page.
//
//   std::string page = testing::HttpGet(server->metrics_port(), "/metrics");
//
// Returns the whole response, status line and headers included; "" when nothing listens.
#ifndef MAILLAGE_TESTS_SUPPORT_HTTP_GET_H_
#define MAILLAGE_TESTS_SUPPORT_HTTP_GET_H_

#include <string>

namespace maillage::testing {

std::string HttpGet(int port, const std::string& path);

}  // namespace maillage::testing

#endif  // MAILLAGE_TESTS_SUPPORT_HTTP_GET_H_
