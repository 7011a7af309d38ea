// libFuzzer target: a diagnostic template from JSON (diagnostic.h). A template ParseTemplate
// accepts passes ValidateTemplate, and scoring any valid answer to each of its questions
// gives scores within 0..100; nothing crashes.
//
//   build-fuzz/services/assessment/diagnostic_template_fuzz fuzz/corpus/diagnostic_template_fuzz
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>

#include "services/assessment/domain/diagnostic.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace v1 = maillage::assessment::v1;
  absl::StatusOr<v1::DiagnosticTemplate> t =
      maillage::assessment::ParseTemplate(std::string(reinterpret_cast<const char*>(data), size));
  if (!t.ok()) return 0;
  if (!maillage::assessment::ValidateTemplate(*t).ok()) std::abort();
  // The highest answer to every question.
  std::vector<v1::QuestionAnswer> answers;
  for (const v1::Question& q : t->questions()) {
    v1::QuestionAnswer a;
    a.set_question_code(q.code());
    if (q.kind() == v1::QUESTION_KIND_SCALE) {
      a.set_scale(q.scale_min() == 0 && q.scale_max() == 0 ? 5 : q.scale_max());
    } else if (q.kind() == v1::QUESTION_KIND_CHOICE) {
      a.set_choice(q.choices(0).code());
    } else {
      a.set_yes(true);
    }
    answers.push_back(a);
  }
  if (!maillage::assessment::ValidateAnswers(*t, answers).ok()) {
    std::cerr << "the template's own answers are refused\n";
    std::abort();
  }
  for (const v1::DimensionScore& s : maillage::assessment::ScoreDimensions(*t, answers)) {
    if (s.score() < 0 || s.score() > 100) {
      std::cerr << "score out of range: " << s.score() << "\n";
      std::abort();
    }
  }
  return 0;
}
