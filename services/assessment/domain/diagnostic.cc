#include "services/assessment/domain/diagnostic.h"

#include <google/protobuf/util/json_util.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/validation/validation.h"

namespace maillage::assessment {
namespace {

absl::Status Invalid(const std::string& field, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", problem));
}

bool ValidCode(absl::string_view code) {
  if (code.empty() || code.size() > 64 ||
      !absl::ascii_islower(static_cast<unsigned char>(code[0]))) {
    return false;
  }
  return std::all_of(code.begin(), code.end(), [](char c) {
    return absl::ascii_islower(static_cast<unsigned char>(c)) ||
           absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

absl::Status Label(const std::string& field, absl::string_view text, size_t max) {
  if (auto p = TextProblem(text, max, true)) return Invalid(field, *p);
  return absl::OkStatus();
}

int ScaleMin(const v1::Question& q) {
  return q.scale_min() == 0 && q.scale_max() == 0 ? 1 : q.scale_min();
}
int ScaleMax(const v1::Question& q) {
  return q.scale_min() == 0 && q.scale_max() == 0 ? 5 : q.scale_max();
}
int Weight(const v1::Question& q) { return q.weight() == 0 ? 1 : q.weight(); }

// 0..100 for a valid answer to q.
double QuestionScore(const v1::Question& q, const v1::QuestionAnswer& a) {
  switch (q.kind()) {
    case v1::QUESTION_KIND_SCALE:
      return 100.0 * (a.scale() - ScaleMin(q)) / (ScaleMax(q) - ScaleMin(q));
    case v1::QUESTION_KIND_YES_NO:
      return a.yes() ? 100.0 : 0.0;
    case v1::QUESTION_KIND_CHOICE:
      for (const v1::Choice& c : q.choices()) {
        if (c.code() == a.choice()) return c.score();
      }
      return 0;
    default:
      return 0;
  }
}

}  // namespace

absl::Status ValidateTemplate(const v1::DiagnosticTemplate& t) {
  if (absl::Status s = Label("title_fr", t.title_fr(), 200); !s.ok()) return s;
  if (absl::Status s = Label("title_en", t.title_en(), 200); !s.ok()) return s;
  if (t.dimensions().empty()) return Invalid("dimensions", "at least one");
  if (t.dimensions_size() > kMaxDimensions) {
    return Invalid("dimensions", absl::StrCat("at most ", kMaxDimensions));
  }
  absl::flat_hash_set<std::string> dimensions;
  for (int i = 0; i < t.dimensions_size(); ++i) {
    const v1::Dimension& d = t.dimensions(i);
    const std::string at = absl::StrCat("dimensions[", i, "]");
    if (!ValidCode(d.code())) return Invalid(at + ".code", "lower-case letters, digits and _");
    if (!dimensions.insert(d.code()).second) return Invalid(at + ".code", "appears twice");
    if (absl::Status s = Label(at + ".label_fr", d.label_fr(), 120); !s.ok()) return s;
    if (absl::Status s = Label(at + ".label_en", d.label_en(), 120); !s.ok()) return s;
  }
  if (t.questions().empty()) return Invalid("questions", "at least one");
  if (t.questions_size() > kMaxQuestions) {
    return Invalid("questions", absl::StrCat("at most ", kMaxQuestions));
  }
  absl::flat_hash_set<std::string> questions;
  for (int i = 0; i < t.questions_size(); ++i) {
    const v1::Question& q = t.questions(i);
    const std::string at = absl::StrCat("questions[", i, "]");
    if (!ValidCode(q.code())) return Invalid(at + ".code", "lower-case letters, digits and _");
    if (!questions.insert(q.code()).second) return Invalid(at + ".code", "appears twice");
    if (!dimensions.contains(q.dimension_code())) {
      return Invalid(at + ".dimension_code", "not a dimension of the template");
    }
    if (absl::Status s = Label(at + ".text_fr", q.text_fr(), 500); !s.ok()) return s;
    if (absl::Status s = Label(at + ".text_en", q.text_en(), 500); !s.ok()) return s;
    if (q.weight() < 0 || q.weight() > 10)
      return Invalid(at + ".weight", "must be between 0 and 10");
    switch (q.kind()) {
      case v1::QUESTION_KIND_SCALE:
        if (ScaleMin(q) >= ScaleMax(q) || ScaleMin(q) < 0 || ScaleMax(q) > 100) {
          return Invalid(at + ".scale_max", "the scale needs 0 <= scale_min < scale_max <= 100");
        }
        if (!q.choices().empty()) return Invalid(at + ".choices", "a scale has no choices");
        break;
      case v1::QUESTION_KIND_CHOICE: {
        if (q.choices_size() < 2 || q.choices_size() > kMaxChoices) {
          return Invalid(at + ".choices", absl::StrCat("between 2 and ", kMaxChoices));
        }
        absl::flat_hash_set<std::string> codes;
        for (int j = 0; j < q.choices_size(); ++j) {
          const v1::Choice& c = q.choices(j);
          const std::string cat = absl::StrCat(at, ".choices[", j, "]");
          if (!ValidCode(c.code()))
            return Invalid(cat + ".code", "lower-case letters, digits and _");
          if (!codes.insert(c.code()).second) return Invalid(cat + ".code", "appears twice");
          if (c.score() < 0 || c.score() > 100)
            return Invalid(cat + ".score", "must be between 0 and 100");
          if (absl::Status s = Label(cat + ".label_fr", c.label_fr(), 200); !s.ok()) return s;
          if (absl::Status s = Label(cat + ".label_en", c.label_en(), 200); !s.ok()) return s;
        }
        break;
      }
      case v1::QUESTION_KIND_YES_NO:
        if (!q.choices().empty())
          return Invalid(at + ".choices", "a yes/no question has no choices");
        break;
      default:
        return Invalid(at + ".kind", "must be scale, choice or yes/no");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::DiagnosticTemplate> ParseTemplate(absl::string_view json) {
  v1::DiagnosticTemplate t;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto s = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &t, options);
  if (!s.ok())
    return absl::InvalidArgumentError(absl::StrCat("template: ", s.message().ToString()));
  if (absl::Status v = ValidateTemplate(t); !v.ok()) return v;
  return t;
}

absl::Status ValidateAnswers(const v1::DiagnosticTemplate& t,
                             const std::vector<v1::QuestionAnswer>& answers) {
  absl::flat_hash_map<std::string, const v1::Question*> by_code;
  for (const v1::Question& q : t.questions()) by_code[q.code()] = &q;
  if (answers.size() > by_code.size()) {
    return Invalid("answers", absl::StrCat("more answers than the ", by_code.size(), " questions"));
  }
  absl::flat_hash_set<std::string> seen;
  for (size_t i = 0; i < answers.size(); ++i) {
    const v1::QuestionAnswer& a = answers[i];
    const std::string at = absl::StrCat("answers[", i, "]");
    auto it = by_code.find(a.question_code());
    if (it == by_code.end()) return Invalid(at + ".question_code", "unknown question");
    if (!seen.insert(a.question_code()).second) {
      return Invalid(at + ".question_code", "answered twice");
    }
    const v1::Question& q = *it->second;
    switch (q.kind()) {
      case v1::QUESTION_KIND_SCALE:
        if (!a.has_scale()) return Invalid(at + ".scale", "required for this question");
        if (a.scale() < ScaleMin(q) || a.scale() > ScaleMax(q)) {
          return Invalid(at + ".scale",
                         absl::StrCat(a.scale(), " is outside ", ScaleMin(q), "..", ScaleMax(q)));
        }
        break;
      case v1::QUESTION_KIND_YES_NO:
        if (!a.has_yes()) return Invalid(at + ".yes", "required for this question");
        break;
      case v1::QUESTION_KIND_CHOICE: {
        if (!a.has_choice()) return Invalid(at + ".choice", "required for this question");
        bool known = false;
        for (const v1::Choice& c : q.choices()) known = known || c.code() == a.choice();
        if (!known) return Invalid(at + ".choice", "not one of the question's choices");
        break;
      }
      default:
        return Invalid(at + ".question_code", "the question has no kind");
    }
  }
  return absl::OkStatus();
}

std::vector<v1::DimensionScore> ScoreDimensions(const v1::DiagnosticTemplate& t,
                                                const std::vector<v1::QuestionAnswer>& answers) {
  absl::flat_hash_map<std::string, const v1::QuestionAnswer*> by_question;
  for (const v1::QuestionAnswer& a : answers) by_question[a.question_code()] = &a;
  std::vector<v1::DimensionScore> out;
  for (const v1::Dimension& d : t.dimensions()) {
    double weighted = 0, weights = 0;
    v1::DimensionScore score;
    score.set_dimension_code(d.code());
    for (const v1::Question& q : t.questions()) {
      if (q.dimension_code() != d.code()) continue;
      score.set_questions(score.questions() + 1);
      auto it = by_question.find(q.code());
      if (it == by_question.end()) continue;
      score.set_answered(score.answered() + 1);
      weighted += Weight(q) * QuestionScore(q, *it->second);
      weights += Weight(q);
    }
    if (weights > 0) {
      score.set_scored(true);
      score.set_score(static_cast<int32_t>(std::lround(weighted / weights)));
    }
    out.push_back(std::move(score));
  }
  return out;
}

double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  const double rank = q * static_cast<double>(sorted.size() - 1);
  const size_t below = static_cast<size_t>(std::floor(rank));
  const size_t above = std::min(below + 1, sorted.size() - 1);
  return sorted[below] + (rank - static_cast<double>(below)) * (sorted[above] - sorted[below]);
}

std::vector<v1::DimensionBenchmark> Benchmark(
    const v1::DiagnosticTemplate& t, const std::vector<std::vector<v1::DimensionScore>>& companies,
    int min_group_size) {
  std::vector<v1::DimensionBenchmark> out;
  for (const v1::Dimension& d : t.dimensions()) {
    std::vector<double> scores;
    for (const std::vector<v1::DimensionScore>& company : companies) {
      for (const v1::DimensionScore& s : company) {
        if (s.dimension_code() == d.code() && s.scored()) scores.push_back(s.score());
      }
    }
    std::sort(scores.begin(), scores.end());
    v1::DimensionBenchmark b;
    b.set_dimension_code(d.code());
    const int n = static_cast<int>(scores.size());
    if (n > 0 && n < min_group_size) {
      b.mutable_companies()->set_fewer_than(min_group_size);
    } else {
      b.mutable_companies()->set_exact(n);
    }
    if (n < min_group_size) {
      b.set_withheld(true);
    } else {
      b.set_median(Quantile(scores, 0.5));
      b.set_first_quartile(Quantile(scores, 0.25));
      b.set_third_quartile(Quantile(scores, 0.75));
    }
    out.push_back(std::move(b));
  }
  return out;
}

}  // namespace maillage::assessment
