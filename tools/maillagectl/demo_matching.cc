#include "tools/maillagectl/demo_matching.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "common/status/status.h"
#include "tools/maillagectl/csv_records.h"

namespace maillage::ctl {
namespace {

namespace mv1 = ::maillage::matching::v1;

constexpr char kKeyPrefix[] = "maillagectl-demo/declaration/";

// One row of the declarations file.
struct Row {
  int64_t line = 0;
  std::string siren;
  mv1::Side side = mv1::SIDE_UNSPECIFIED;
  mv1::DeclarationType type = mv1::DECLARATION_TYPE_UNSPECIFIED;
  std::vector<std::string> tags;
  std::string title;
  std::string description;
  double reach_km = 0;
  bool confidential = false;
  // The fields as read, for the idempotency key's digest.
  std::string fields;
};

absl::StatusOr<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(absl::StrCat("cannot open ", path, ": ", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("cannot read ", path));
  return text.str();
}

absl::StatusOr<std::vector<Row>> ReadDeclarations(const std::string& path) {
  MAILLAGE_ASSIGN_OR_RETURN(std::string text, ReadText(path));
  absl::StatusOr<std::vector<CsvRecord>> records = SplitCsv(text);
  if (!records.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", records.status().message()));
  }
  if (records->empty()) return absl::InvalidArgumentError(absl::StrCat(path, ": empty"));
  std::map<std::string, size_t> columns;
  for (size_t i = 0; i < (*records)[0].fields.size(); ++i) {
    columns[absl::AsciiStrToLower(absl::StripAsciiWhitespace((*records)[0].fields[i]))] = i;
  }
  for (const char* required :
       {"siren", "side", "type", "tags", "title", "description", "reach_km", "confidential"}) {
    if (!columns.contains(required)) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, ": no column '", required, "' (see data/demo/README.md)"));
    }
  }
  std::vector<Row> rows;
  for (size_t r = 1; r < records->size(); ++r) {
    const CsvRecord& record = (*records)[r];
    auto field = [&](const char* name) -> std::string {
      const size_t i = columns.at(name);
      return i < record.fields.size() ? std::string(absl::StripAsciiWhitespace(record.fields[i]))
                                      : "";
    };
    auto bad = [&](const char* name, absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, " line ", record.line, ", field ", name, ": ", why));
    };
    Row row;
    row.line = record.line;
    row.siren = field("siren");
    if (row.siren.empty()) return bad("siren", "required");
    const std::string side = absl::AsciiStrToLower(field("side"));
    if (side == "offer") {
      row.side = mv1::SIDE_OFFER;
    } else if (side == "need") {
      row.side = mv1::SIDE_NEED;
    } else {
      return bad("side", "expected offer or need");
    }
    if (!mv1::DeclarationType_Parse(
            absl::StrCat("DECLARATION_TYPE_", absl::AsciiStrToUpper(field("type"))), &row.type) ||
        row.type == mv1::DECLARATION_TYPE_UNSPECIFIED) {
      return bad("type",
                 "expected business, technology, research, pooling, subcontracting or "
                 "co_production");
    }
    for (absl::string_view tag : absl::StrSplit(field("tags"), '|', absl::SkipWhitespace())) {
      row.tags.emplace_back(absl::StripAsciiWhitespace(tag));
    }
    if (row.tags.empty()) return bad("tags", "at least one competency code");
    row.title = field("title");
    if (row.title.empty()) return bad("title", "required");
    row.description = field("description");
    const std::string reach = field("reach_km");
    if (!reach.empty() && !absl::SimpleAtod(reach, &row.reach_km)) {
      return bad("reach_km", "expected a number of kilometres");
    }
    const std::string confidential = field("confidential");
    if (!confidential.empty() && !absl::SimpleAtob(confidential, &row.confidential)) {
      return bad("confidential", "expected true or false");
    }
    for (const std::string& f : record.fields) absl::StrAppend(&row.fields, f, "\x1f");
    rows.push_back(std::move(row));
  }
  return rows;
}

// FNV-1a, 64 bits: the same digest of the same row on every machine and every run.
uint64_t Digest(absl::string_view text) {
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  return h;
}

bool NotKnownYet(const absl::Status& s) {
  return s.code() == absl::StatusCode::kNotFound ||
         s.code() == absl::StatusCode::kFailedPrecondition;
}

class DeclarationLoader {
 public:
  DeclarationLoader(const MembershipClient& client, MatchingStub* stub)
      : client_(client), stub_(stub) {}

  // Declares `rows` (all of one company, in the file's order) for `member`; returns how many
  // it created.
  absl::StatusOr<int> Declare(const DemoMember& member, const std::vector<const Row*>& rows);

 private:
  // One call, tried again while the service does not know the company yet.
  template <typename Req, typename Resp>
  absl::StatusOr<Resp> CallWhenKnown(absl::string_view rpc, const auth::Principal& who,
                                     grpc::Status (MatchingStub::*method)(grpc::ClientContext*,
                                                                          const Req&, Resp*),
                                     const Req& request) {
    const absl::Time deadline = absl::Now() + kDemoWaitForOrganisations;
    while (true) {
      absl::StatusOr<Resp> r = client_.CallOn(stub_, rpc, who, method, request);
      if (r.ok() || !NotKnownYet(r.status())) return r;
      if (absl::Now() > deadline) {
        return absl::Status(r.status().code(),
                            absl::StrCat(r.status().message(), " (still after ",
                                         absl::FormatDuration(kDemoWaitForOrganisations),
                                         ": is the matching service reading membership's events, "
                                         "MAILLAGE_MEMBERSHIP_EVENTS_STREAM on the same Redis?)"));
      }
      absl::SleepFor(absl::Milliseconds(250));
    }
  }

  // (side, title) of every declaration the company has, withdrawn and expired ones included.
  absl::StatusOr<std::set<std::pair<int, std::string>>> Existing(const DemoMember& member,
                                                                 const auth::Principal& who);

  const MembershipClient& client_;
  MatchingStub* stub_;
};

absl::StatusOr<std::set<std::pair<int, std::string>>> DeclarationLoader::Existing(
    const DemoMember& member, const auth::Principal& who) {
  std::set<std::pair<int, std::string>> out;
  mv1::ListDeclarationsRequest list;
  list.set_organisation_id(member.organisation_id);
  list.set_include_inactive(true);
  list.mutable_page()->set_page_size(500);
  while (true) {
    MAILLAGE_ASSIGN_OR_RETURN(
        mv1::ListDeclarationsResponse page,
        CallWhenKnown("ListDeclarations", who, &MatchingStub::ListDeclarations, list));
    for (const mv1::Declaration& d : page.declarations()) {
      out.insert({static_cast<int>(d.side()), d.title()});
    }
    if (page.page().next_page_token().empty()) break;
    list.mutable_page()->set_page_token(page.page().next_page_token());
  }
  return out;
}

absl::StatusOr<int> DeclarationLoader::Declare(const DemoMember& member,
                                               const std::vector<const Row*>& rows) {
  // The company's own representative declares, as a person signed in through the gateway
  // would.
  const auth::Principal who = Representative(member.organisation_id, member.person_id);
  MAILLAGE_ASSIGN_OR_RETURN(auto existing, Existing(member, who));
  int created = 0;
  for (size_t k = 0; k < rows.size(); ++k) {
    const Row& row = *rows[k];
    if (existing.contains({static_cast<int>(row.side), row.title})) continue;
    mv1::CreateDeclarationRequest create;
    create.set_organisation_id(member.organisation_id);
    // Should the answer be lost, a retry returns the declaration made the first time; a row
    // edited since gets another key.
    create.set_idempotency_key(absl::StrCat(kKeyPrefix, row.siren, "/", k + 1, "/",
                                            absl::Hex(Digest(row.fields), absl::kZeroPad16)));
    mv1::Declaration* d = create.mutable_declaration();
    d->set_side(row.side);
    d->set_type(row.type);
    for (const std::string& tag : row.tags) d->add_tags(tag);
    d->set_title(row.title);
    d->set_description(row.description);
    d->set_reach_km(row.reach_km);
    d->set_confidential(row.confidential);
    MAILLAGE_RETURN_IF_ERROR(
        CallWhenKnown("CreateDeclaration", who, &MatchingStub::CreateDeclaration, create).status());
    existing.insert({static_cast<int>(row.side), row.title});
    ++created;
  }
  return created;
}

}  // namespace

absl::StatusOr<DemoMatchingResult> LoadDemoDeclarations(const MembershipClient& client,
                                                        MatchingStub* matching,
                                                        const DemoResult& networks,
                                                        const std::string& data_dir,
                                                        std::ostream& progress) {
  const std::string path = absl::StrCat(data_dir, "/", kDeclarationsFile);
  MAILLAGE_ASSIGN_OR_RETURN(std::vector<Row> rows, ReadDeclarations(path));
  // Each SIREN's rows, in the file's order; every SIREN must be a row of a demo network.
  std::set<std::string> known;
  for (const DemoNetworkSummary& n : networks.networks) {
    for (const DemoMember& m : n.members) known.insert(m.siren);
  }
  std::map<std::string, std::vector<const Row*>> by_siren;
  for (const Row& row : rows) {
    if (!known.contains(row.siren)) {
      return absl::InvalidArgumentError(
          absl::StrCat(path, " line ", row.line, ": SIREN ", row.siren, " is in no demo network"));
    }
    by_siren[row.siren].push_back(&row);
  }

  DeclarationLoader loader(client, matching);
  DemoMatchingResult result;
  std::set<std::string> done;  // a company in both networks declares once
  for (const DemoNetworkSummary& n : networks.networks) {
    DemoDeclarations out{.network_id = n.network_id, .network_name = n.name};
    int example_needs = 0;
    for (const DemoMember& m : n.members) {
      auto it = by_siren.find(m.siren);
      if (it == by_siren.end()) continue;
      int needs = 0;
      for (const Row* row : it->second) {
        if (row->side == mv1::SIDE_NEED) {
          ++needs;
        } else {
          ++out.offers;
        }
      }
      out.needs += needs;
      // The first active member with the most needs: its suggestions show both directions.
      if (m.state == v1::MEMBERSHIP_STATE_ACTIVE && needs > example_needs) {
        example_needs = needs;
        out.example_organisation_id = m.organisation_id;
        out.example_name = m.legal_name;
      }
      if (!done.insert(m.siren).second) continue;
      MAILLAGE_ASSIGN_OR_RETURN(int created, loader.Declare(m, it->second));
      out.created += created;
    }
    progress << n.name << ": " << out.offers << " offers and " << out.needs << " needs, "
             << out.created << " declared now\n";
    result.changes += out.created;
    result.networks.push_back(std::move(out));
  }
  return result;
}

}  // namespace maillage::ctl
