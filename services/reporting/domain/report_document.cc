#include "services/reporting/domain/report_document.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace maillage::reporting {
namespace {

// The palette of the charts: one colour, calm and printable in grey.
constexpr char kBarColour[] = "#2f6f8f";
constexpr char kTextColour[] = "#1d2b33";
constexpr char kMutedColour[] = "#6b7b85";

}  // namespace

std::string EscapeMarkup(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
          continue;
        }
        out += c;
    }
  }
  return out;
}

std::string FormatNumber(double value) {
  if (!std::isfinite(value)) return "-";
  const bool negative = value < 0;
  const double magnitude = std::fabs(value);
  const double whole = std::floor(magnitude);
  const int tenths = static_cast<int>(std::lround((magnitude - whole) * 10));
  std::string digits = absl::StrFormat("%.0f", tenths == 10 ? whole + 1 : whole);
  std::string grouped;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) grouped += "\u202f";
    grouped += digits[i];
  }
  if (tenths != 0 && tenths != 10) absl::StrAppend(&grouped, ",", tenths);
  return negative ? absl::StrCat("-", grouped) : grouped;
}

std::string ChartSvg(const BarChart& chart, int width) {
  constexpr int kRow = 26, kTop = 8, kLabelWidth = 210, kValueWidth = 150;
  const int height = kTop + kRow * static_cast<int>(chart.bars.size()) + 8;
  const int bar_space = std::max(width - kLabelWidth - kValueWidth, 40);
  double largest = 0;
  for (const ChartBar& b : chart.bars) {
    if (!b.withheld) largest = std::max(largest, b.value);
  }
  std::string svg = absl::StrFormat(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d "
      "%d\" role=\"img\" aria-label=\"%s\" font-family=\"DejaVu Sans, Arial, sans-serif\" "
      "font-size=\"12\">",
      width, height, width, height, EscapeMarkup(chart.title));
  absl::StrAppend(&svg,
                  "<defs><pattern id=\"withheld\" width=\"6\" height=\"6\" "
                  "patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><line x1=\"0\" "
                  "y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"",
                  kMutedColour, "\" stroke-width=\"1.5\"/></pattern></defs>");
  for (size_t i = 0; i < chart.bars.size(); ++i) {
    const ChartBar& b = chart.bars[i];
    const int y = kTop + kRow * static_cast<int>(i);
    absl::StrAppend(&svg,
                    absl::StrFormat("<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"%s\">%s"
                                    "</text>",
                                    kLabelWidth - 8, y + 16, kTextColour, EscapeMarkup(b.label)));
    if (b.withheld) {
      absl::StrAppend(
          &svg, absl::StrFormat("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" "
                                "fill=\"url(#withheld)\" stroke=\"%s\"/><text x=\"%d\" y=\"%d\" "
                                "fill=\"%s\" font-style=\"italic\">%s</text>",
                                kLabelWidth, y + 3, 36, kMutedColour, kLabelWidth + 44, y + 16,
                                kMutedColour, EscapeMarkup(b.note)));
      continue;
    }
    const int length =
        largest > 0 ? static_cast<int>(std::lround(bar_space * std::max(b.value, 0.0) / largest))
                    : 0;
    absl::StrAppend(
        &svg, absl::StrFormat("<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"18\" "
                              "fill=\"%s\"/><text x=\"%d\" y=\"%d\" fill=\"%s\">%s%s</text>",
                              kLabelWidth, y + 3, std::max(length, 1), kBarColour,
                              kLabelWidth + length + 6, y + 16, kTextColour, FormatNumber(b.value),
                              EscapeMarkup(chart.unit)));
  }
  absl::StrAppend(&svg, "</svg>");
  return svg;
}

std::string ToHtml(const ReportDocument& document) {
  std::string html = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"fr\"><head><meta charset=\"utf-8\"><title>",
      EscapeMarkup(document.title),
      "</title><style>"
      "@page{size:A4;margin:18mm}"
      "body{font-family:'DejaVu Sans',Arial,sans-serif;color:",
      kTextColour,
      ";max-width:180mm;margin:auto;font-size:11pt;line-height:1.4}"
      "h1{font-size:20pt;margin:0 0 2pt}"
      ".subtitle{color:",
      kMutedColour,
      ";margin:0 0 14pt}"
      "h2{font-size:14pt;border-bottom:1pt solid #c9d3d9;padding-bottom:2pt;margin-top:18pt;"
      "break-after:avoid}"
      ".figures{display:flex;flex-wrap:wrap;gap:6pt;margin:6pt 0}"
      ".figure{border:1pt solid #c9d3d9;border-radius:4pt;padding:4pt 8pt;min-width:30mm}"
      ".figure b{display:block;font-size:15pt}"
      ".figure span{color:",
      kMutedColour,
      ";font-size:9pt}"
      "figure{margin:8pt 0;break-inside:avoid}figcaption{font-weight:bold;margin-bottom:2pt}"
      "table{border-collapse:collapse;width:100%;font-size:9.5pt;break-inside:auto}"
      "th,td{text-align:left;padding:2pt 4pt;border-bottom:0.5pt solid #dde4e8}"
      "footer{margin-top:24pt;color:",
      kMutedColour, ";font-size:8.5pt}</style></head><body>\n<h1>", EscapeMarkup(document.title),
      "</h1>\n<p class=\"subtitle\">", EscapeMarkup(document.subtitle), "</p>\n");
  for (const ReportSection& s : document.sections) {
    absl::StrAppend(&html, "<section><h2>", EscapeMarkup(s.heading), "</h2>\n");
    for (const std::string& p : s.paragraphs)
      absl::StrAppend(&html, "<p>", EscapeMarkup(p), "</p>\n");
    if (!s.figures.empty()) {
      absl::StrAppend(&html, "<div class=\"figures\">");
      for (const KeyFigure& f : s.figures) {
        absl::StrAppend(&html, "<div class=\"figure\"><b>", EscapeMarkup(f.value), "</b><span>",
                        EscapeMarkup(f.label), "</span></div>");
      }
      absl::StrAppend(&html, "</div>\n");
    }
    for (const BarChart& c : s.charts) {
      absl::StrAppend(&html, "<figure><figcaption>", EscapeMarkup(c.title), "</figcaption>",
                      ChartSvg(c, 640), "</figure>\n");
    }
    if (!s.table.empty()) {
      absl::StrAppend(&html, "<table>");
      for (size_t r = 0; r < s.table.size(); ++r) {
        absl::StrAppend(&html, "<tr>");
        for (const std::string& cell : s.table[r]) {
          absl::StrAppend(&html, r == 0 ? "<th>" : "<td>", EscapeMarkup(cell),
                          r == 0 ? "</th>" : "</td>");
        }
        absl::StrAppend(&html, "</tr>");
      }
      absl::StrAppend(&html, "</table>\n");
    }
    absl::StrAppend(&html, "</section>\n");
  }
  absl::StrAppend(&html, "<footer>", EscapeMarkup(document.footer), "</footer>\n</body></html>\n");
  return html;
}

}  // namespace maillage::reporting
