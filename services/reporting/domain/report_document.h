// services/reporting/domain/report_document: a printable report as a document of sections
// (headings, text, key figures, bar charts, tables), and that document as one HTML page with
// its charts in SVG. report_pdf.h lays the same document out as PDF pages. Pure; no I/O.
//
//   ReportDocument doc{.title = "Rapport aux financeurs", .subtitle = "Cluster ..."};
//   doc.sections.push_back({.heading = "Members",
//                           .figures = {{"active members", "128"}},
//                           .charts = {{.title = "By sector", .bars = {{"C", 40}, ...}}}});
//   std::string html = ToHtml(doc);     // a page a browser prints on A4
//
// A withheld value (a funder figure about too few members) is drawn as a hatched outline
// with its note, never as a number.
#ifndef MAILLAGE_SERVICES_REPORTING_DOMAIN_REPORT_DOCUMENT_H_
#define MAILLAGE_SERVICES_REPORTING_DOMAIN_REPORT_DOCUMENT_H_

#include <string>
#include <vector>

namespace maillage::reporting {

struct ChartBar {
  std::string label = {};
  double value = 0;
  bool withheld = false;
  std::string note = {};  // shown instead of the value when withheld
};

// Horizontal bars, one per line, scaled to the largest value shown.
struct BarChart {
  std::string title = {};
  // Printed after each value ("%" or " €"); values are printed with thousands separated.
  std::string unit = {};
  std::vector<ChartBar> bars = {};
};

struct KeyFigure {
  std::string label = {};
  std::string value = {};
};

struct ReportSection {
  std::string heading = {};
  std::vector<std::string> paragraphs = {};
  std::vector<KeyFigure> figures = {};
  std::vector<BarChart> charts = {};
  // The first row is the header.
  std::vector<std::vector<std::string>> table = {};
};

struct ReportDocument {
  std::string title = {};
  std::string subtitle = {};
  std::vector<ReportSection> sections = {};
  // The last line of each page: where the figures come from.
  std::string footer = {};
};

// The chart as an SVG element `width` wide (its height follows from the bars).
std::string ChartSvg(const BarChart& chart, int width);

// The whole document: a standalone HTML5 page (UTF-8, no script, no external resource),
// text escaped, print styles for A4.
std::string ToHtml(const ReportDocument& document);

// `text` for XML or HTML: & < > " ' as entities, other control characters but tab, CR and
// LF dropped (XML 1.0 has no place for them). GraphML and the printable page both use it.
std::string EscapeMarkup(const std::string& text);

// "12 345" (a narrow no-break space between thousands, as French typography has it);
// decimals only when `value` is not whole (one digit).
std::string FormatNumber(double value);

}  // namespace maillage::reporting

#endif  // MAILLAGE_SERVICES_REPORTING_DOMAIN_REPORT_DOCUMENT_H_
