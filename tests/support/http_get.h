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

// Sends `request` as it is (it should say Connection: close, or be HTTP/1.0) and returns
// everything the server sent until it closed.
std::string HttpExchange(int port, const std::string& request);

}  // namespace maillage::testing

#endif  // MAILLAGE_TESTS_SUPPORT_HTTP_GET_H_
