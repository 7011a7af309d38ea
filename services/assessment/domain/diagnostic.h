// services/assessment/domain/diagnostic: the 360° diagnostic (seed 001): a questionnaire over
// dimensions, a company's score per dimension, and the network's median and quartiles beside
// it. Pure functions, no I/O.
//
//   absl::StatusOr<v1::DiagnosticTemplate> t = ParseTemplate(json);   // the shipped one
//   absl::Status ok = ValidateAnswers(*t, answers);                   // names the answer
//   std::vector<v1::DimensionScore> mine = ScoreDimensions(*t, answers);
//   std::vector<v1::DimensionBenchmark> network = Benchmark(*t, every_companys_scores, 3);
//
// A question's score is 0..100: a scale value v in [min, max] gives 100·(v − min)/(max − min),
// a choice its score, yes 100 and no 0. A dimension's score is the mean of its answered
// questions' scores weighted by their weights, rounded; unanswered questions do not count
// (and `answered` says how many did). Quartiles interpolate linearly between ranks (the
// usual "type 7"), over the companies scored on the dimension; below `min_group_size`
// companies nothing is shown.
#ifndef MAILLAGE_SERVICES_ASSESSMENT_DOMAIN_DIAGNOSTIC_H_
#define MAILLAGE_SERVICES_ASSESSMENT_DOMAIN_DIAGNOSTIC_H_

#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "maillage/assessment/v1/assessment.pb.h"

namespace maillage::assessment {

inline constexpr int kMaxDimensions = 20;
inline constexpr int kMaxQuestions = 200;
inline constexpr int kMaxChoices = 20;

// INVALID_ARGUMENT naming the first problem by its field path ("questions[3].choices[1].score:
// must be between 0 and 100"): codes (lower-case, unique), labels, each question in a known
// dimension, a kind, a scale with min < max, at least two choices with unique codes, weights
// 0..10, and the bounds above.
absl::Status ValidateTemplate(const v1::DiagnosticTemplate& t);

// A template from its JSON (protobuf's mapping, as the shipped file is written), validated.
absl::StatusOr<v1::DiagnosticTemplate> ParseTemplate(absl::string_view json);

// INVALID_ARGUMENT naming the first bad answer ("answers[2].scale: 7 is outside 1..5",
// "answers[0].question_code: unknown question", an answer of the wrong kind, a question
// answered twice).
absl::Status ValidateAnswers(const v1::DiagnosticTemplate& t,
                             const std::vector<v1::QuestionAnswer>& answers);

// One score per dimension, in the template's order. Answers must be valid.
std::vector<v1::DimensionScore> ScoreDimensions(const v1::DiagnosticTemplate& t,
                                                const std::vector<v1::QuestionAnswer>& answers);

// Per dimension, over the companies' scores (each company's ScoreDimensions).
std::vector<v1::DimensionBenchmark> Benchmark(
    const v1::DiagnosticTemplate& t, const std::vector<std::vector<v1::DimensionScore>>& companies,
    int min_group_size);

// The q-quantile (0..1) of sorted values, by linear interpolation; 0 when empty.
double Quantile(const std::vector<double>& sorted, double q);

}  // namespace maillage::assessment

#endif  // MAILLAGE_SERVICES_ASSESSMENT_DOMAIN_DIAGNOSTIC_H_
