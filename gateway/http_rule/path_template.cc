#include "gateway/http_rule/path_template.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/validation/validation.h"

namespace maillage::gateway {
namespace {

// RFC 3986 pchar without ':' (which starts the verb) and without the template's own syntax.
bool IsLiteralChar(char c) {
  if (absl::ascii_isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':
    case '%':
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '+':
    case ',':
    case ';':
    case '=':
    case '@':
      return true;
    default:
      return false;
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class Parser {
 public:
  explicit Parser(absl::string_view text) : text_(text) {}

  absl::Status Error(absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("path template \"", text_, "\": ", what, " at offset ", pos_));
  }
  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  bool Consume(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  std::string Literal() {
    size_t start = pos_;
    while (!AtEnd() && IsLiteralChar(text_[pos_])) ++pos_;
    return std::string(text_.substr(start, pos_ - start));
  }
  std::string FieldPath() {
    size_t start = pos_;
    bool want_ident = true;
    while (!AtEnd()) {
      char c = text_[pos_];
      if (want_ident) {
        if (!(absl::ascii_isalpha(static_cast<unsigned char>(c)) || c == '_')) break;
        ++pos_;
        while (!AtEnd() && (absl::ascii_isalnum(static_cast<unsigned char>(text_[pos_])) ||
                            text_[pos_] == '_')) {
          ++pos_;
        }
        want_ident = false;
      } else if (c == '.') {
        ++pos_;
        want_ident = true;
      } else {
        break;
      }
    }
    if (want_ident) return "";  // empty, or ends with '.'
    return std::string(text_.substr(start, pos_ - start));
  }

 private:
  absl::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

std::optional<std::string> PercentDecode(absl::string_view raw, bool plus_is_space,
                                         bool keep_encoded_slash) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (plus_is_space && raw[i] == '+') {
      out += ' ';
      continue;
    }
    if (raw[i] != '%') {
      out += raw[i];
      continue;
    }
    if (i + 2 >= raw.size()) return std::nullopt;  // a '%' needs two hex digits
    int hi = HexValue(raw[i + 1]), lo = HexValue(raw[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    char c = static_cast<char>(hi * 16 + lo);
    if (keep_encoded_slash && c == '/') {
      out.append(raw.data() + i, 3);
    } else {
      out += c;
    }
    i += 2;
  }
  if (!IsValidUtf8Text(out)) return std::nullopt;
  return out;
}

absl::StatusOr<PathTemplate> PathTemplate::Parse(absl::string_view text) {
  PathTemplate t;
  t.text_ = std::string(text);
  Parser p(text);
  if (!p.Consume('/')) return p.Error("must start with '/'");
  bool in_variable = false;
  for (;;) {
    // One segment.
    if (p.Consume('{')) {
      if (in_variable) return p.Error("nested variable");
      std::string field = p.FieldPath();
      if (field.empty()) return p.Error("expected a field path");
      for (const Variable& v : t.variables_) {
        if (v.field_path == field) return p.Error(absl::StrCat("field ", field, " bound twice"));
      }
      t.variables_.push_back({field, t.segments_.size(), 0});
      if (p.Consume('=')) {
        in_variable = true;
        continue;  // its segments follow
      }
      t.segments_.push_back({Segment::Kind::kAny, ""});
      if (!p.Consume('}')) return p.Error("expected '}'");
      t.variables_.back().end = t.segments_.size();
    } else if (p.Consume('*')) {
      t.segments_.push_back({p.Consume('*') ? Segment::Kind::kAnyMany : Segment::Kind::kAny, ""});
    } else {
      std::string literal = p.Literal();
      if (literal.empty()) return p.Error("expected a segment");
      t.segments_.push_back({Segment::Kind::kLiteral, std::move(literal)});
      ++t.literal_count_;
    }
    if (in_variable && p.Consume('}')) {
      in_variable = false;
      if (t.variables_.back().first == t.segments_.size()) return p.Error("empty variable");
      t.variables_.back().end = t.segments_.size();
    }
    if (p.Consume('/')) continue;
    if (in_variable) return p.Error("expected '/' or '}'");
    break;
  }
  if (p.Consume(':')) {
    t.verb_ = p.Literal();
    if (t.verb_.empty()) return p.Error("expected a verb after ':'");
    ++t.literal_count_;  // "/v1/{name}:approve" is more specific than "/v1/{name}"
  }
  if (!p.AtEnd()) return p.Error("unexpected character");
  for (size_t i = 0; i + 1 < t.segments_.size(); ++i) {
    if (t.segments_[i].kind == Segment::Kind::kAnyMany) {
      return absl::InvalidArgumentError(
          absl::StrCat("path template \"", text, "\": '**' must be the last segment"));
    }
  }
  if (t.segments_.size() > kMaxSegments) {
    return absl::InvalidArgumentError(absl::StrCat("path template \"", text, "\": too long"));
  }
  return t;
}

std::vector<std::string> PathTemplate::variable_fields() const {
  std::vector<std::string> out;
  for (const Variable& v : variables_) out.push_back(v.field_path);
  return out;
}

std::optional<PathTemplate::Bindings> PathTemplate::Match(absl::string_view path) const {
  if (path.size() > kMaxPathLength || path.empty() || path[0] != '/') return std::nullopt;
  path.remove_prefix(1);
  if (!verb_.empty()) {
    // The verb follows the last segment: "/v1/networks/n1:archive".
    size_t colon = path.rfind(':');
    if (colon == absl::string_view::npos || path.find('/', colon) != absl::string_view::npos ||
        path.substr(colon + 1) != verb_) {
      return std::nullopt;
    }
    path = path.substr(0, colon);
  }
  std::vector<absl::string_view> raw;
  for (absl::string_view s : absl::StrSplit(path, '/')) {
    if (raw.size() == kMaxSegments) return std::nullopt;
    raw.push_back(s);
  }
  const bool open_ended = !segments_.empty() && segments_.back().kind == Segment::Kind::kAnyMany;
  if (open_ended ? raw.size() + 1 < segments_.size() : raw.size() != segments_.size()) {
    return std::nullopt;
  }
  for (size_t i = 0; i < segments_.size(); ++i) {
    const Segment& s = segments_[i];
    if (s.kind == Segment::Kind::kLiteral && (i >= raw.size() || raw[i] != s.literal)) {
      return std::nullopt;
    }
    if (s.kind == Segment::Kind::kAny && raw[i].empty()) return std::nullopt;
  }
  if (open_ended) {
    for (size_t i = segments_.size() - 1; i < raw.size(); ++i) {
      if (raw[i].empty()) return std::nullopt;  // "a//b" or a trailing '/'
    }
  }
  Bindings out;
  out.reserve(variables_.size());
  for (const Variable& v : variables_) {
    size_t end = (open_ended && v.end == segments_.size()) ? raw.size() : v.end;
    const bool single = end - v.first == 1 && segments_[v.first].kind != Segment::Kind::kAnyMany;
    std::string value;
    for (size_t i = v.first; i < end; ++i) {
      std::optional<std::string> decoded =
          PercentDecode(raw[i], /*plus_is_space=*/false, /*keep_encoded_slash=*/!single);
      if (!decoded) return std::nullopt;
      if (i > v.first) value += '/';
      value += *decoded;
    }
    out.emplace_back(v.field_path, std::move(value));
  }
  // Segments outside variables must decode too: no bad escape passes anywhere.
  for (absl::string_view s : raw) {
    if (s.find('%') != absl::string_view::npos && !PercentDecode(s, false, true))
      return std::nullopt;
  }
  return out;
}

}  // namespace maillage::gateway
