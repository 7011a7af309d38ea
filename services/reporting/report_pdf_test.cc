// The printable report as a reader sees it: the pages rendered to images and looked at pixel
// by pixel (margins kept, bars in proportion, a withheld figure drawn without a bar, long
// tables carried over pages), and the PDF a printer gets.
#include "services/reporting/report_pdf.h"

#include <cairo.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "services/reporting/domain/report_document.h"

namespace maillage::reporting {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// A PNG read back, to look at.
class Image {
 public:
  explicit Image(const std::string& png) : png_(png) {
    surface_ = cairo_image_surface_create_from_png_stream(
        [](void* closure, unsigned char* data, unsigned int length) {
          auto* self = static_cast<Image*>(closure);
          if (self->read_ + length > self->png_.size()) return CAIRO_STATUS_READ_ERROR;
          std::copy_n(self->png_.data() + self->read_, length, data);
          self->read_ += length;
          return CAIRO_STATUS_SUCCESS;
        },
        this);
  }
  ~Image() { cairo_surface_destroy(surface_); }
  bool ok() const { return cairo_surface_status(surface_) == CAIRO_STATUS_SUCCESS; }
  int width() const { return cairo_image_surface_get_width(surface_); }
  int height() const { return cairo_image_surface_get_height(surface_); }
  // 0xRRGGBB
  uint32_t At(int x, int y) const {
    cairo_surface_flush(surface_);
    const unsigned char* row =
        cairo_image_surface_get_data(surface_) + y * cairo_image_surface_get_stride(surface_);
    return reinterpret_cast<const uint32_t*>(row)[x] & 0xFFFFFF;
  }
  // Pixels of `colour` (within a small tolerance per channel) in row y.
  int CountInRow(int y, uint32_t colour) const {
    int n = 0;
    for (int x = 0; x < width(); ++x) n += Near(At(x, y), colour) ? 1 : 0;
    return n;
  }
  static bool Near(uint32_t a, uint32_t b) {
    for (int shift : {0, 8, 16}) {
      const int d = static_cast<int>((a >> shift) & 0xFF) - static_cast<int>((b >> shift) & 0xFF);
      if (d > 6 || d < -6) return false;
    }
    return true;
  }

 private:
  std::string png_;
  size_t read_ = 0;
  cairo_surface_t* surface_;
};

constexpr uint32_t kBarColour = 0x2f6f8f;
constexpr uint32_t kWhite = 0xFFFFFF;

ReportDocument Sample() {
  ReportDocument d{.title = "Rapport aux financeurs — Cluster Brocéliande Numérique",
                   .subtitle = "Du 1er janvier au 31 décembre 2026",
                   .footer = "Maillage — chiffres agrégés, groupes de moins de 5 non publiés"};
  ReportSection members{.heading = "Les membres"};
  members.paragraphs.push_back(
      "Le réseau compte des entreprises de toutes tailles, surtout dans l'industrie et le "
      "numérique ; un paragraphe assez long pour passer à la ligne plusieurs fois sur une page "
      "A4, avec des mots accentués comme « réseau », « éloigné » et « Cœur ».");
  members.figures = {{"membres actifs", "128"}, {"ont participé", "97"}, {"actions", "3"}};
  members.charts.push_back(
      {.title = "Par secteur",
       .bars = {{.label = "C : Industrie manufacturière", .value = 40},
                {.label = "J : Information et communication", .value = 20},
                {.label = "F : Construction", .withheld = true, .note = "moins de 5"}}});
  d.sections.push_back(members);
  ReportSection table{.heading = "Les actions"};
  table.table.push_back({"Action", "Année", "Public", "Privé"});
  for (int i = 0; i < 90; ++i) {
    table.table.push_back({absl::StrCat("Action collective numéro ", i,
                                        " avec un titre bien trop long pour tenir dans sa "
                                        "colonne"),
                           "2026", "12 000 €", "3 000 €"});
  }
  d.sections.push_back(table);
  return d;
}

TEST(ReportPdfTest, APageKeepsItsMarginsAndItsBarsAreInProportion) {
  absl::StatusOr<std::vector<std::string>> pages = RenderPngPages(Sample(), 1.0);
  ASSERT_TRUE(pages.ok()) << pages.status();
  // To look at them as a reader would: MAILLAGE_REPORT_PAGES_DIR=/tmp/pages <this test>.
  if (const char* dir = std::getenv("MAILLAGE_REPORT_PAGES_DIR")) {
    for (size_t i = 0; i < pages->size(); ++i) {
      std::ofstream(absl::StrCat(dir, "/page-", i + 1, ".png"), std::ios::binary) << (*pages)[i];
    }
    absl::StatusOr<std::string> pdf = RenderPdf(Sample());
    if (pdf.ok()) std::ofstream(absl::StrCat(dir, "/report.pdf"), std::ios::binary) << *pdf;
  }
  ASSERT_GE(pages->size(), 3u) << "90 rows of table carry over pages";
  Image first((*pages)[0]);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first.width(), 596);
  EXPECT_EQ(first.height(), 842);
  // Nothing is drawn in the left and right margins (text wrapped and cut, not run over).
  for (int y = 0; y < first.height(); ++y) {
    for (int x : {0, 10, 30, 45, 552, 570, 590}) {
      ASSERT_EQ(first.At(x, y), kWhite) << "ink at " << x << "," << y;
    }
  }
  // The two bars: the longest row of bar colour is the 40, the other half of it; the
  // withheld row has no bar at all.
  std::vector<int> bars;
  for (int y = 0; y < first.height(); ++y) {
    const int n = first.CountInRow(y, kBarColour);
    if (n > 0 && (bars.empty() || std::abs(bars.back() - n) > 2)) bars.push_back(n);
  }
  ASSERT_EQ(bars.size(), 2u) << "one run per bar, none for the withheld figure";
  EXPECT_NEAR(static_cast<double>(bars[1]) / bars[0], 0.5, 0.02);
  // Some text is there: dark pixels in the title's band.
  int dark = 0;
  for (int y = 56; y < 84; ++y) {
    for (int x = 50; x < 545; ++x) dark += first.At(x, y) < 0x808080 ? 1 : 0;
  }
  EXPECT_GT(dark, 500);
  // Every page but the first starts with the table's header again, in bold: ink at its top.
  Image second((*pages)[1]);
  int ink = 0;
  for (int x = 50; x < 545; ++x) ink += second.At(x, 64) != kWhite ? 1 : 0;
  EXPECT_GT(ink, 20);
}

TEST(ReportPdfTest, ThePdfIsAPdfWithATitleAndAPageForEachImage) {
  absl::StatusOr<std::string> pdf = RenderPdf(Sample());
  ASSERT_TRUE(pdf.ok()) << pdf.status();
  EXPECT_THAT(*pdf, StartsWith("%PDF-"));
  EXPECT_THAT(*pdf, HasSubstr("%%EOF"));
  absl::StatusOr<std::vector<std::string>> pages = RenderPngPages(Sample(), 0.5);
  ASSERT_TRUE(pages.ok());
  // cairo writes "/Count n" in the page tree.
  EXPECT_THAT(*pdf, HasSubstr(absl::StrCat("/Count ", pages->size())));
}

TEST(ReportDocumentTest, TheHtmlEscapesTextAndDrawsEachChartInSvg) {
  ReportDocument d = Sample();
  d.sections[0].heading = "<script>alert(1)</script> & co";
  const std::string html = ToHtml(d);
  EXPECT_THAT(html, StartsWith("<!DOCTYPE html>"));
  EXPECT_THAT(html, ::testing::Not(HasSubstr("<script>")));
  EXPECT_THAT(html, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
  EXPECT_THAT(html, HasSubstr("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_THAT(html, HasSubstr("moins de 5"));
  EXPECT_EQ(FormatNumber(12345), "12\u202f345");
  EXPECT_EQ(FormatNumber(0.25), "0,3");
  EXPECT_EQ(FormatNumber(-1999.96), "-2\u202f000");
}

}  // namespace
}  // namespace maillage::reporting
