#include "services/membership/csv_import.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace maillage::membership {
namespace {

using ::testing::ElementsAre;

std::vector<std::vector<std::string>> ReadAll(const std::vector<std::string>& chunks) {
  CsvReader reader;
  std::vector<std::vector<std::string>> out;
  std::vector<std::string> fields;
  int64_t line = 0;
  for (const std::string& c : chunks) {
    reader.Feed(c);
    while (reader.Next(&fields, &line)) out.push_back(fields);
  }
  reader.Finish();
  while (reader.Next(&fields, &line)) out.push_back(fields);
  EXPECT_TRUE(reader.status().ok()) << reader.status();
  return out;
}

TEST(CsvReaderTest, QuotesCommasNewlinesAndChunkBoundaries) {
  std::string csv = "a,b\r\n\"x, \"\"y\"\"\",\"multi\nline\"\n\nlast,row";
  // The same records whatever the chunking, even one byte at a time.
  for (size_t step : {csv.size(), size_t{1}, size_t{3}, size_t{7}}) {
    std::vector<std::string> chunks;
    for (size_t i = 0; i < csv.size(); i += step) chunks.push_back(csv.substr(i, step));
    auto rows = ReadAll(chunks);
    ASSERT_EQ(rows.size(), 3u) << "step " << step;
    EXPECT_THAT(rows[0], ElementsAre("a", "b"));
    EXPECT_THAT(rows[1], ElementsAre("x, \"y\"", "multi\nline"));
    EXPECT_THAT(rows[2], ElementsAre("last", "row"));
  }
}

TEST(CsvReaderTest, LineNumbersCountEmbeddedNewlines) {
  CsvReader reader;
  reader.Feed("h\n\"a\nb\"\nc\n");
  reader.Finish();
  std::vector<std::string> f;
  int64_t line = 0;
  ASSERT_TRUE(reader.Next(&f, &line));
  EXPECT_EQ(line, 1);
  ASSERT_TRUE(reader.Next(&f, &line));
  EXPECT_EQ(line, 2);
  ASSERT_TRUE(reader.Next(&f, &line));
  EXPECT_EQ(line, 4);
}

TEST(CsvReaderTest, UnclosedQuoteIsAnError) {
  CsvReader reader;
  reader.Feed("a,\"never closed\n");
  reader.Finish();
  std::vector<std::string> f;
  int64_t line = 0;
  EXPECT_FALSE(reader.Next(&f, &line));
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kInvalidArgument);
}

// A record over the limit is refused even when it arrives whole in one chunk.
TEST(CsvReaderTest, CompleteRecordOverOneMebibyteIsRefusedWithItsLine) {
  CsvReader reader;
  reader.Feed(absl::StrCat("siren,legal_name,kind\n732829320,Dupont,company\n732829320,",
                           std::string(kMaxCsvRecordBytes, 'x'), ",company\nafter,the,row\n"));
  std::vector<std::string> f;
  int64_t line = 0;
  ASSERT_TRUE(reader.Next(&f, &line));
  ASSERT_TRUE(reader.Next(&f, &line));
  EXPECT_EQ(line, 2);
  EXPECT_FALSE(reader.Next(&f, &line));
  EXPECT_EQ(reader.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(reader.status().message(), "line 3: record longer than 1 MiB");
  EXPECT_FALSE(reader.Next(&f, &line));  // and it stays stopped
}

TEST(CsvReaderTest, RecordOfExactlyTheLimitPassesWhateverItsLineEnd) {
  for (const char* end : {"\n", "\r\n", ""}) {
    auto rows = ReadAll({absl::StrCat(std::string(kMaxCsvRecordBytes - 2, 'x'), ",y", end)});
    ASSERT_EQ(rows.size(), 1u);
    EXPECT_EQ(rows[0][1], "y");
  }
}

TEST(CsvReaderTest, RecordWithTooManyFieldsIsRefusedWithItsLine) {
  CsvReader reader;
  reader.Feed(absl::StrCat("a,b\n", std::string(kMaxCsvFields - 1, ','), "\n",
                           std::string(kMaxCsvFields, ','), "\n"));
  std::vector<std::string> f;
  int64_t line = 0;
  ASSERT_TRUE(reader.Next(&f, &line));
  ASSERT_TRUE(reader.Next(&f, &line));
  EXPECT_EQ(f.size(), kMaxCsvFields);
  EXPECT_FALSE(reader.Next(&f, &line));
  EXPECT_EQ(reader.status().message(), "line 3: more than 200 fields");
}

// A 200 KB file fed one byte at a time gives the records of the file fed whole.
TEST(CsvReaderTest, OneByteChunksGiveTheRecordsOfOneChunk) {
  std::string csv = "siren,legal_name,kind,street\r\n";
  for (int i = 0; csv.size() < 200 * 1000; ++i) {
    absl::StrAppend(&csv, 100000000 + i, ",\"Atelier \"\"", i, "\"\", SARL\",company,",
                    i % 3 == 0 ? "\"1 rue\r\nB\"" : "2 rue", i % 2 ? "\r\n" : "\n",
                    i % 50 == 0 ? "\n" : "");
  }
  std::vector<std::vector<std::string>> whole = ReadAll({csv});
  std::vector<std::string> bytes;
  for (char c : csv) bytes.emplace_back(1, c);
  EXPECT_EQ(ReadAll(bytes), whole);
  ASSERT_GT(whole.size(), 3000u);
  EXPECT_THAT(whole[1], ElementsAre("100000000", "Atelier \"0\", SARL", "company", "1 rue\r\nB"));
}

TEST(ImportRowParserTest, HeaderMustNameKnownColumnsAndTheRequiredOnes) {
  ImportRowParser p;
  EXPECT_EQ(p.SetHeader({"siren", "legal_name"}).message(),
            "header: required column 'kind' missing");
  EXPECT_EQ(p.SetHeader({"siren", "legal_name", "kind", "colour"}).message(),
            "header: unknown column 'colour'");
  EXPECT_TRUE(p.SetHeader({"\xef\xbb\xbfsiren", "Legal_Name", "kind"}).ok());  // BOM, case
}

TEST(ImportRowParserTest, ValidRowBecomesAnOrganisationWithContactAndRole) {
  ImportRowParser p;
  ASSERT_TRUE(p.SetHeader({"siren", "siret", "legal_name", "kind", "naf_code", "headcount_band",
                           "commune_code", "city", "labels", "role", "contact_first_name",
                           "contact_last_name", "contact_email", "contact_title"})
                  .ok());
  std::vector<v1::ImportRowError> errors;
  auto row = p.Parse({"732829320", "73282932000074", "Atelier Dupont", "company", "43.22A", "3-5",
                      "33063", "Bordeaux", "RGE Qualibat| EPV", "partner", "Claire", "Martin",
                      "claire@dupont.fr", "Gérante"},
                     2, &errors);
  ASSERT_TRUE(row.has_value()) << (errors.empty() ? "" : errors[0].reason());
  EXPECT_EQ(row->organisation.nace_section(), "F");
  EXPECT_EQ(row->organisation.headcount_band(), v1::HEADCOUNT_BAND_3_5);
  EXPECT_THAT(row->organisation.labels(), ElementsAre("RGE Qualibat", "EPV"));
  EXPECT_THAT(row->organisation.territory().departement_codes(), ElementsAre("33"));
  EXPECT_EQ(row->organisation.establishments(0).address().city(), "Bordeaux");
  EXPECT_EQ(row->role, auth::v1::NETWORK_ROLE_PARTNER);
  EXPECT_EQ(row->contact.email(), "claire@dupont.fr");
}

// A file is no proof that its sender may hand a network's animation or board to anyone.
TEST(ImportRowParserTest, RolesAboveMemberAreRefusedWhenTheImportEnrols) {
  ImportRowParser p;
  ASSERT_TRUE(p.SetHeader({"siren", "legal_name", "kind", "role"}).ok());
  for (const char* role : {"animator", "board"}) {
    std::vector<v1::ImportRowError> errors;
    EXPECT_FALSE(p.Parse({"732829320", "Dupont SARL", "company", role}, 2, &errors).has_value());
    ASSERT_EQ(errors.size(), 1u) << role;
    EXPECT_EQ(errors[0].field(), "role");
    EXPECT_NE(errors[0].reason().find("ChangeMembershipRole"), std::string::npos);
  }
  for (const char* role : {"member", "partner", "observer"}) {
    std::vector<v1::ImportRowError> errors;
    EXPECT_TRUE(p.Parse({"732829320", "Dupont SARL", "company", role}, 2, &errors).has_value())
        << role;
  }
  // Without a network, the column enrols nobody and is not checked.
  p.set_enrolling(false);
  std::vector<v1::ImportRowError> errors;
  EXPECT_TRUE(p.Parse({"732829320", "Dupont SARL", "company", "animator"}, 2, &errors).has_value());
}

TEST(ImportRowParserTest, EveryProblemNamesLineAndColumn) {
  ImportRowParser p;
  ASSERT_TRUE(p.SetHeader({"siren", "siret", "legal_name", "kind", "headcount_band",
                           "contact_email", "contact_first_name", "contact_last_name"})
                  .ok());
  struct Case {
    std::vector<std::string> fields;
    std::string field;
  };
  std::vector<Case> cases = {
      {{"732829321", "", "X", "company", "", "", "", ""}, "siren"},
      {{"732829320", "55210055400013", "X", "company", "", "", "", ""}, "siret"},
      {{"732829320", "", "", "company", "", "", "", ""}, "legal_name"},
      {{"732829320", "", "X", "multinational", "", "", "", ""}, "kind"},
      {{"732829320", "", "X", "company", "11-12", "", "", ""}, "headcount_band"},
      {{"732829320", "", "X", "company", "", "not-an-email", "A", "B"}, "contact_email"},
      {{"732829320", "", "X"}, ""},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    std::vector<v1::ImportRowError> errors;
    EXPECT_FALSE(p.Parse(cases[i].fields, 10 + i, &errors).has_value());
    ASSERT_FALSE(errors.empty()) << i;
    EXPECT_EQ(errors[0].line(), static_cast<int64_t>(10 + i));
    EXPECT_EQ(errors[0].field(), cases[i].field) << errors[0].reason();
    EXPECT_FALSE(errors[0].reason().empty());
  }
}

TEST(ImportRowParserTest, Latin1BytesAreRefusedByColumn) {
  ImportRowParser p;
  ASSERT_TRUE(p.SetHeader({"siren", "legal_name", "kind"}).ok());
  std::vector<v1::ImportRowError> errors;
  EXPECT_FALSE(p.Parse({"732829320", "Caf\xe9 du Port", "company"}, 3, &errors).has_value());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].field(), "legal_name");
  EXPECT_EQ(errors[0].line(), 3);
}

// Every problem of a row is reported, each bad column once, in the file's column order.
TEST(ImportRowParserTest, EveryProblemOfARowIsReported) {
  ImportRowParser p;
  ASSERT_TRUE(p.SetHeader({"siren", "legal_name", "kind", "contact_first_name", "contact_last_name",
                           "contact_email"})
                  .ok());
  std::vector<v1::ImportRowError> errors;
  EXPECT_FALSE(
      p.Parse({"732829321", "Dupont", "multinational", "Claire", "Martin", "claire-at-dupont"}, 7,
              &errors)
          .has_value());
  std::vector<std::string> fields;
  for (const v1::ImportRowError& e : errors) {
    EXPECT_EQ(e.line(), 7);
    fields.push_back(e.field());
  }
  EXPECT_THAT(fields, ElementsAre("siren", "kind", "contact_email"));
  EXPECT_THAT(errors[0].reason(), ::testing::HasSubstr("checksum"));
  EXPECT_EQ(errors[1].reason(), "unknown organisation kind");
  EXPECT_EQ(errors[2].reason(), "not an e-mail address");
}

// contact_title becomes a representation's role_title, and is checked as AddRepresentation
// checks it: characters counted, at most 100, no control characters (UTF-8 is checked for
// every column).
TEST(ImportRowParserTest, ContactTitleIsCheckedAsARoleTitle) {
  ImportRowParser p;
  ASSERT_TRUE(p.SetHeader({"siren", "legal_name", "kind", "contact_first_name", "contact_last_name",
                           "contact_email", "contact_title"})
                  .ok());
  auto title_errors = [&](const std::string& title) {
    std::vector<v1::ImportRowError> errors;
    p.Parse({"732829320", "Dupont", "company", "Claire", "Martin", "claire@dupont.fr", title}, 2,
            &errors);
    std::vector<std::string> out;
    for (const v1::ImportRowError& e : errors) out.push_back(e.field() + ": " + e.reason());
    return out;
  };
  EXPECT_THAT(title_errors("Gérante"), ::testing::IsEmpty());
  std::string accented;
  for (int i = 0; i < 100; ++i) accented += "é";  // 100 characters, 200 bytes
  EXPECT_THAT(title_errors(accented), ::testing::IsEmpty());
  EXPECT_THAT(title_errors(std::string(101, 'x')),
              ElementsAre("contact_title: too long (101 > 100 characters)"));
  EXPECT_THAT(title_errors("Gérante\x01"),
              ElementsAre("contact_title: contains control characters"));
  EXPECT_THAT(title_errors("G\xE9rante"),
              ElementsAre("contact_title: not valid UTF-8 (save the file as UTF-8)"));
}

// Nothing a row gives is dropped without a word: an address needs the establishment it
// belongs to, and a contact needs the e-mail the import links people by.
TEST(ImportRowParserTest, AnAddressWithoutSiretOrAContactWithoutEmailIsRefused) {
  ImportRowParser p;
  ASSERT_TRUE(p.SetHeader({"siren", "legal_name", "kind", "siret", "city", "contact_first_name",
                           "contact_phone", "contact_email"})
                  .ok());
  auto errors_of = [&](const std::vector<std::string>& cells) {
    std::vector<v1::ImportRowError> errors;
    p.Parse(cells, 2, &errors);
    std::vector<std::string> out;
    for (const v1::ImportRowError& e : errors) out.push_back(e.field() + ": " + e.reason());
    return out;
  };
  EXPECT_THAT(errors_of({"732829320", "Dupont", "company", "", "Lyon", "", "", ""}),
              ElementsAre("city: needs the establishment's siret in the same row"));
  EXPECT_THAT(errors_of({"732829320", "Dupont", "company", "73282932000074", "Lyon", "Claire",
                         "+33 4 72 00 00 00", ""}),
              ::testing::Contains(
                  "contact_email: required with a contact: the e-mail identifies the person"));
  EXPECT_THAT(errors_of({"732829320", "Dupont", "company", "73282932000074", "Lyon", "", "", ""}),
              ::testing::IsEmpty());
}

TEST(ImportRowParserTest, QuoteGuardingAFormulaIsDroppedSoExportedValuesImportAsThemselves) {
  ImportRowParser p;
  ASSERT_TRUE(p.SetHeader({"siren", "legal_name", "kind", "description"}).ok());
  const std::string name = "=HYPERLINK(\"http://x\",\"y\")";
  std::vector<v1::ImportRowError> errors;
  // The exported cells, read back by the reader.
  CsvReader reader;
  reader.Feed(
      absl::StrCat("732829320,", CsvSafeField(name), ",company,", CsvSafeField("-5 %"), "\n"));
  reader.Finish();
  std::vector<std::string> fields;
  int64_t line = 0;
  ASSERT_TRUE(reader.Next(&fields, &line));
  EXPECT_EQ(fields[1], "'" + name);
  auto row = p.Parse(fields, 2, &errors);
  ASSERT_TRUE(row.has_value()) << errors[0].reason();
  EXPECT_EQ(row->organisation.legal_name(), name);
  EXPECT_EQ(row->organisation.description(), "-5 %");
  // A quote before anything else is the name's own.
  row = p.Parse({"732829320", "'t Hooft", "company", "'quoted'"}, 3, &errors);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->organisation.legal_name(), "'t Hooft");
}

TEST(CsvFieldTest, SafeFieldKeepsFormulasFromRunning) {
  EXPECT_EQ(CsvSafeField("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
  EXPECT_EQ(CsvSafeField("+33 5 56 00 00 00"), "'+33 5 56 00 00 00");
  EXPECT_EQ(CsvSafeField("-1"), "'-1");
  EXPECT_EQ(CsvSafeField("@SUM(A1)"), "'@SUM(A1)");
  EXPECT_EQ(CsvSafeField("\tx"), "'\tx");
  EXPECT_EQ(CsvSafeField("\rx"), "\"'\rx\"");
  EXPECT_EQ(CsvSafeField("Dupont = pain"), "Dupont = pain");
  EXPECT_EQ(CsvSafeField(""), "");
}

TEST(CsvFieldTest, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
}

}  // namespace
}  // namespace maillage::membership
