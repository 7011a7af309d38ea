// gateway/http_rule/path_template: the URL path templates of `google.api.http` rules,
// parsed once at start and matched against each request's path.
//
//   absl::StatusOr<PathTemplate> t =
//       PathTemplate::Parse("/v1/{name=networks/*/memberships/*}:approve");
//   std::optional<PathTemplate::Bindings> b = t->Match("/v1/networks/n1/memberships/m2:approve");
//   // b: {{"name", "networks/n1/memberships/m2"}}
//
// The grammar (google/api/http.proto):
//   Template = "/" Segments [ Verb ] ;
//   Segments = Segment { "/" Segment } ;
//   Segment  = "*" | "**" | LITERAL | Variable ;
//   Variable = "{" FieldPath [ "=" Segments ] "}" ;
//   FieldPath = IDENT { "." IDENT } ;
//   Verb     = ":" LITERAL ;
// "{x}" is "{x=*}". "**" matches zero or more segments and must be the last segment.
//
// Matching works on the raw path (before any query string): segments are split at '/',
// then each is percent-decoded. A variable that spans one segment gets its decoded value; one
// that spans several keeps "%2F" undecoded in each segment (so "/" typed by the client is told
// from the separators), as the rule's documentation asks. A segment that does not decode (bad
// "%" escape) or decodes to invalid UTF-8 or to a NUL makes the path match nothing.
#ifndef MAILLAGE_GATEWAY_HTTP_RULE_PATH_TEMPLATE_H_
#define MAILLAGE_GATEWAY_HTTP_RULE_PATH_TEMPLATE_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace maillage::gateway {

class PathTemplate {
 public:
  // (field path, value) in the order the variables appear, e.g. {"organisation.id", "o1"}.
  using Bindings = std::vector<std::pair<std::string, std::string>>;

  // INVALID_ARGUMENT naming the position when `text` is not a template of the grammar above.
  // Templates come from the compiled protos: a bad one stops the gateway at start.
  static absl::StatusOr<PathTemplate> Parse(absl::string_view text);

  // The variables' values when `path` matches, else nullopt. `path` longer than
  // kMaxPathLength or with more than kMaxSegments segments never matches.
  std::optional<Bindings> Match(absl::string_view path) const;

  // Literal segments: a route with more of them wins over one with fewer when both match
  // ("/v1/networks/mine" over "/v1/networks/{network_id}").
  int literal_count() const { return literal_count_; }
  const std::string& verb() const { return verb_; }
  const std::string& text() const { return text_; }
  // The field paths of the variables, in order.
  std::vector<std::string> variable_fields() const;

  static constexpr size_t kMaxPathLength = 4096;
  static constexpr size_t kMaxSegments = 64;

 private:
  struct Segment {
    enum class Kind { kLiteral, kAny, kAnyMany };
    Kind kind;
    std::string literal;  // kLiteral only
  };
  struct Variable {
    std::string field_path;
    size_t first;  // index of its first segment in segments_
    size_t end;    // one past its last segment
  };

  std::string text_;
  std::vector<Segment> segments_;
  std::vector<Variable> variables_;
  std::string verb_;
  int literal_count_ = 0;
};

// Percent-decodes one path segment or query component: '+' is a space when `plus_is_space`
// (query strings), and "%2F" stays encoded when `keep_encoded_slash` (a segment of a
// multi-segment variable, where a decoded '/' could not be told from a separator). nullopt
// on a bad escape, invalid UTF-8 or a NUL.
std::optional<std::string> PercentDecode(absl::string_view raw, bool plus_is_space,
                                         bool keep_encoded_slash);

}  // namespace maillage::gateway

#endif  // MAILLAGE_GATEWAY_HTTP_RULE_PATH_TEMPLATE_H_
