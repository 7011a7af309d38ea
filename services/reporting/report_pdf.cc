#include "services/reporting/report_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace maillage::reporting {
namespace {

constexpr double kPageWidth = 595.28, kPageHeight = 841.89;
constexpr double kLeft = 50, kRight = kPageWidth - 50, kTop = 56, kBottom = kPageHeight - 64;
constexpr double kText = 0.114, kTextG = 0.169, kTextB = 0.2;  // #1d2b33
constexpr double kMuted = 0.42, kMutedG = 0.48, kMutedB = 0.52;
constexpr double kBar = 0.184, kBarG = 0.435, kBarB = 0.561;  // #2f6f8f

cairo_status_t AppendToString(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

// Where pages go: the PDF surface, or one image surface per page.
class PageSink {
 public:
  virtual ~PageSink() = default;
  virtual cairo_t* StartPage() = 0;
  virtual void EndPage() = 0;
};

class PdfSink final : public PageSink {
 public:
  explicit PdfSink(std::string* out)
      : surface_(cairo_pdf_surface_create_for_stream(AppendToString, out, kPageWidth, kPageHeight)),
        cr_(cairo_create(surface_)) {
    cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_CREATOR, "Maillage");
  }
  ~PdfSink() override {
    cairo_destroy(cr_);
    cairo_surface_destroy(surface_);
  }
  cairo_t* StartPage() override { return cr_; }
  void EndPage() override { cairo_show_page(cr_); }
  // Writes what is left; the status of the whole document.
  cairo_status_t Finish() {
    cairo_surface_finish(surface_);
    return cairo_surface_status(surface_);
  }
  void SetTitle(const std::string& title) {
    cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_TITLE, title.c_str());
  }

 private:
  cairo_surface_t* surface_;
  cairo_t* cr_;
};

class PngSink final : public PageSink {
 public:
  explicit PngSink(double scale) : scale_(scale) {}
  ~PngSink() override { Release(); }
  cairo_t* StartPage() override {
    surface_ = cairo_image_surface_create(CAIRO_FORMAT_RGB24,
                                          static_cast<int>(std::ceil(kPageWidth * scale_)),
                                          static_cast<int>(std::ceil(kPageHeight * scale_)));
    cr_ = cairo_create(surface_);
    cairo_set_source_rgb(cr_, 1, 1, 1);
    cairo_paint(cr_);
    cairo_scale(cr_, scale_, scale_);
    return cr_;
  }
  void EndPage() override {
    std::string png;
    status_ = cairo_surface_write_to_png_stream(surface_, AppendToString, &png);
    pages_.push_back(std::move(png));
    Release();
  }
  cairo_status_t status() const { return status_; }
  std::vector<std::string>& pages() { return pages_; }

 private:
  void Release() {
    if (cr_ != nullptr) cairo_destroy(cr_);
    if (surface_ != nullptr) cairo_surface_destroy(surface_);
    cr_ = nullptr;
    surface_ = nullptr;
  }
  double scale_;
  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
  cairo_status_t status_ = CAIRO_STATUS_SUCCESS;
  std::vector<std::string> pages_;
};

// Lays a document out, top to bottom, page after page.
class Layout {
 public:
  Layout(const ReportDocument& document, PageSink* sink) : document_(document), sink_(sink) {}

  void Run() {
    NewPage();
    Font(20, true);
    Colour(kText, kTextG, kTextB);
    for (const std::string& line : Wrap(document_.title, kRight - kLeft)) TextLine(line, 26);
    Font(11, false);
    Colour(kMuted, kMutedG, kMutedB);
    for (const std::string& line : Wrap(document_.subtitle, kRight - kLeft)) TextLine(line, 15);
    y_ += 6;
    for (const ReportSection& s : document_.sections) Section(s);
    EndPage();
  }

 private:
  void NewPage() {
    cr_ = sink_->StartPage();
    ++page_;
    y_ = kTop;
  }
  void EndPage() {
    Font(8, false);
    Colour(kMuted, kMutedG, kMutedB);
    const std::string number = absl::StrCat(page_);
    cairo_move_to(cr_, kLeft, kPageHeight - 36);
    cairo_show_text(cr_, Fit(document_.footer, kRight - kLeft - 40).c_str());
    cairo_move_to(cr_, kRight - Width(number), kPageHeight - 36);
    cairo_show_text(cr_, number.c_str());
    sink_->EndPage();
  }
  // Starts a new page unless `height` more points fit on this one.
  void Need(double height) {
    if (y_ + height <= kBottom) return;
    EndPage();
    NewPage();
  }

  void Font(double size, bool bold, bool italic = false) {
    cairo_select_font_face(cr_, "DejaVu Sans",
                           italic ? CAIRO_FONT_SLANT_ITALIC : CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr_, size);
  }
  void Colour(double r, double g, double b) { cairo_set_source_rgb(cr_, r, g, b); }
  double Width(const std::string& text) {
    cairo_text_extents_t e;
    cairo_text_extents(cr_, text.c_str(), &e);
    return e.x_advance;
  }
  // `text` cut to `width`, with "…" when cut (at a UTF-8 character boundary).
  std::string Fit(const std::string& text, double width) {
    if (Width(text) <= width) return text;
    std::string cut = text;
    while (!cut.empty() && Width(cut + "…") > width) {
      cut.pop_back();
      while (!cut.empty() && (static_cast<unsigned char>(cut.back()) & 0xC0) == 0x80) {
        cut.pop_back();
      }
      if (!cut.empty() && static_cast<unsigned char>(cut.back()) >= 0xC0) cut.pop_back();
    }
    return cut + "…";
  }
  // Words to lines no wider than `width` (a word longer than a line is cut).
  std::vector<std::string> Wrap(const std::string& text, double width) {
    std::vector<std::string> lines;
    std::string line;
    for (absl::string_view word : absl::StrSplit(text, ' ', absl::SkipEmpty())) {
      const std::string candidate =
          line.empty() ? std::string(word) : absl::StrCat(line, " ", word);
      if (Width(candidate) <= width || line.empty()) {
        line = Fit(candidate, width);
      } else {
        lines.push_back(line);
        line = Fit(std::string(word), width);
      }
    }
    if (!line.empty()) lines.push_back(line);
    return lines;
  }
  void TextLine(const std::string& line, double height) {
    Need(height);
    cairo_move_to(cr_, kLeft, y_ + height * 0.75);
    cairo_show_text(cr_, line.c_str());
    y_ += height;
  }

  void Section(const ReportSection& s) {
    // A heading and the beginning of what follows stay together.
    double first = 0;
    for (const std::string& p : s.paragraphs) first += 18 + 14 * (Width(p) / (kRight - kLeft));
    if (!s.figures.empty()) first += 54;
    Need(std::min(60 + first + 40, 320.0));
    y_ += 10;
    Font(14, true);
    Colour(kText, kTextG, kTextB);
    TextLine(Fit(s.heading, kRight - kLeft), 20);
    cairo_set_line_width(cr_, 0.8);
    Colour(0.79, 0.83, 0.85);
    cairo_move_to(cr_, kLeft, y_ + 1);
    cairo_line_to(cr_, kRight, y_ + 1);
    cairo_stroke(cr_);
    y_ += 8;
    Font(10.5, false);
    Colour(kText, kTextG, kTextB);
    for (const std::string& p : s.paragraphs) {
      Font(10.5, false);
      Colour(kText, kTextG, kTextB);
      for (const std::string& line : Wrap(p, kRight - kLeft)) TextLine(line, 14);
      y_ += 4;
    }
    Figures(s.figures);
    for (const BarChart& c : s.charts) Chart(c);
    Table(s.table);
  }

  void Figures(const std::vector<KeyFigure>& figures) {
    constexpr double kBoxWidth = 118, kBoxHeight = 44, kGap = 6.3;
    double x = kLeft;
    for (size_t i = 0; i < figures.size(); ++i) {
      if (i == 0 || x + kBoxWidth > kRight + 0.5) {
        if (i > 0) y_ += kBoxHeight + kGap;
        Need(kBoxHeight + kGap);
        x = kLeft;
      }
      cairo_set_line_width(cr_, 0.8);
      Colour(0.79, 0.83, 0.85);
      cairo_rectangle(cr_, x, y_, kBoxWidth, kBoxHeight);
      cairo_stroke(cr_);
      Font(15, true);
      Colour(kText, kTextG, kTextB);
      cairo_move_to(cr_, x + 7, y_ + 21);
      cairo_show_text(cr_, Fit(figures[i].value, kBoxWidth - 14).c_str());
      Font(8, false);
      Colour(kMuted, kMutedG, kMutedB);
      cairo_move_to(cr_, x + 7, y_ + 36);
      cairo_show_text(cr_, Fit(figures[i].label, kBoxWidth - 14).c_str());
      x += kBoxWidth + kGap;
    }
    if (!figures.empty()) y_ += kBoxHeight + 10;
  }

  void Chart(const BarChart& chart) {
    constexpr double kRow = 19, kLabelWidth = 170, kValueWidth = 110;
    const double bar_space = kRight - kLeft - kLabelWidth - kValueWidth;
    double largest = 0;
    for (const ChartBar& b : chart.bars) {
      if (!b.withheld) largest = std::max(largest, b.value);
    }
    Need(22 + kRow * std::min<double>(static_cast<double>(chart.bars.size()), 3));
    Font(10.5, true);
    Colour(kText, kTextG, kTextB);
    TextLine(Fit(chart.title, kRight - kLeft), 18);
    for (const ChartBar& b : chart.bars) {
      Need(kRow);
      Font(9, false);
      Colour(kText, kTextG, kTextB);
      const std::string label = Fit(b.label, kLabelWidth - 8);
      cairo_move_to(cr_, kLeft + kLabelWidth - 8 - Width(label), y_ + 13);
      cairo_show_text(cr_, label.c_str());
      const double x = kLeft + kLabelWidth;
      if (b.withheld) {
        cairo_save(cr_);
        cairo_rectangle(cr_, x, y_ + 3, 28, 13);
        cairo_clip_preserve(cr_);
        Colour(kMuted, kMutedG, kMutedB);
        cairo_set_line_width(cr_, 0.8);
        cairo_stroke_preserve(cr_);
        for (double d = -13; d < 28; d += 4) {
          cairo_move_to(cr_, x + d, y_ + 16);
          cairo_line_to(cr_, x + d + 13, y_ + 3);
        }
        cairo_stroke(cr_);
        cairo_restore(cr_);
        Font(9, false, true);
        Colour(kMuted, kMutedG, kMutedB);
        cairo_move_to(cr_, x + 34, y_ + 13);
        cairo_show_text(cr_, Fit(b.note, kRight - x - 34).c_str());
      } else {
        const double length = largest > 0 ? bar_space * std::max(b.value, 0.0) / largest : 0;
        Colour(kBar, kBarG, kBarB);
        cairo_rectangle(cr_, x, y_ + 3, std::max(length, 1.0), 13);
        cairo_fill(cr_);
        Colour(kText, kTextG, kTextB);
        cairo_move_to(cr_, x + length + 5, y_ + 13);
        cairo_show_text(cr_, (FormatNumber(b.value) + chart.unit).c_str());
      }
      y_ += kRow;
    }
    y_ += 8;
  }

  void Table(const std::vector<std::vector<std::string>>& table) {
    if (table.empty()) return;
    constexpr double kRow = 15;
    const size_t columns = table.front().size();
    if (columns == 0) return;
    // Each column as wide as its widest cell needs; when they do not all fit, each gets an
    // equal share first and the rest goes to those that need more, in proportion.
    const double available = kRight - kLeft;
    std::vector<double> natural(columns, 0);
    for (size_t r = 0; r < table.size(); ++r) {
      Font(8.5, r == 0);
      for (size_t c = 0; c < columns && c < table[r].size(); ++c) {
        natural[c] = std::max(natural[c], Width(table[r][c]) + 10);
      }
    }
    double total = 0;
    for (double w : natural) total += w;
    std::vector<double> width(columns, available / static_cast<double>(columns));
    if (total <= available) {
      for (size_t c = 0; c < columns; ++c) width[c] = natural[c] * available / total;
    } else {
      const double share = available / static_cast<double>(columns);
      double left = available, wanting = 0;
      for (size_t c = 0; c < columns; ++c) {
        width[c] = std::min(natural[c], share);
        left -= width[c];
        wanting += natural[c] - width[c];
      }
      for (size_t c = 0; c < columns && wanting > 0; ++c) {
        width[c] += left * (natural[c] - width[c]) / wanting;
      }
    }
    auto row = [&](const std::vector<std::string>& cells, bool header) {
      Font(8.5, header);
      Colour(kText, kTextG, kTextB);
      double x = kLeft;
      for (size_t c = 0; c < columns; ++c) {
        if (c < cells.size()) {
          cairo_move_to(cr_, x, y_ + 11);
          cairo_show_text(cr_, Fit(cells[c], width[c] - 6).c_str());
        }
        x += width[c];
      }
      Colour(0.87, 0.89, 0.91);
      cairo_set_line_width(cr_, 0.5);
      cairo_move_to(cr_, kLeft, y_ + kRow);
      cairo_line_to(cr_, kRight, y_ + kRow);
      cairo_stroke(cr_);
      y_ += kRow;
    };
    Need(kRow * 2);
    row(table.front(), true);
    for (size_t r = 1; r < table.size(); ++r) {
      if (y_ + kRow > kBottom) {
        EndPage();
        NewPage();
        row(table.front(), true);  // the header again
      }
      row(table[r], false);
    }
    y_ += 8;
  }

  const ReportDocument& document_;
  PageSink* sink_;
  cairo_t* cr_ = nullptr;
  int page_ = 0;
  double y_ = kTop;
};

}  // namespace

absl::StatusOr<std::string> RenderPdf(const ReportDocument& document) {
  std::string out;
  {
    PdfSink sink(&out);
    sink.SetTitle(document.title);
    Layout(document, &sink).Run();
    if (cairo_status_t s = sink.Finish(); s != CAIRO_STATUS_SUCCESS) {
      return absl::InternalError(absl::StrCat("PDF: ", cairo_status_to_string(s)));
    }
  }
  return out;
}

absl::StatusOr<std::vector<std::string>> RenderPngPages(const ReportDocument& document,
                                                        double scale) {
  if (!(scale > 0 && scale <= 4)) return absl::InvalidArgumentError("scale: 0 to 4");
  PngSink sink(scale);
  Layout(document, &sink).Run();
  if (sink.status() != CAIRO_STATUS_SUCCESS) {
    return absl::InternalError(absl::StrCat("PNG: ", cairo_status_to_string(sink.status())));
  }
  return std::move(sink.pages());
}

}  // namespace maillage::reporting
