// services/reporting/report_pdf: a ReportDocument (domain/report_document.h) laid out on A4
// pages with cairo: as a PDF to print or send, and as PNG images of its pages, which is how
// the tests (and a person) check what a reader will see.
//
//   absl::StatusOr<std::string> pdf = RenderPdf(document);            // "%PDF-1.5 ..."
//   absl::StatusOr<std::vector<std::string>> pages = RenderPngPages(document, 1.0);
//
// Text is set in DejaVu Sans (Debian's fonts-dejavu-core), wrapped to the page; what does not
// fit a cell or a label ends with "…" rather than running over. A section's heading never
// ends a page; a table cut by a page repeats its header. Each page ends with the document's
// footer and its number.
#ifndef MAILLAGE_SERVICES_REPORTING_REPORT_PDF_H_
#define MAILLAGE_SERVICES_REPORTING_REPORT_PDF_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/reporting/domain/report_document.h"

namespace maillage::reporting {

absl::StatusOr<std::string> RenderPdf(const ReportDocument& document);

// One PNG per page, `scale` pixels per point (1.0: 595 x 842 pixels).
absl::StatusOr<std::vector<std::string>> RenderPngPages(const ReportDocument& document,
                                                        double scale);

}  // namespace maillage::reporting

#endif  // MAILLAGE_SERVICES_REPORTING_REPORT_PDF_H_
