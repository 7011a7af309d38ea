// The facts of the funder report and the memory of what was given (reporting_store.h).
#include <algorithm>
#include <pqxx/pqxx>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/pg/in_transaction.h"
#include "common/pg/pg.h"
#include "common/pg/pg_time.h"
#include "common/status/status.h"
#include "maillage/membership/v1/membership.pb.h"
#include "services/reporting/reporting_store.h"
#include "services/reporting/store_support.h"

namespace maillage::reporting {
namespace {

using pg::InTransaction;

using store::kActive;

// A canonical UUID's 16 bytes ("0a0b..." -> "\x0a\x0b..."); anything else as it is.
std::string RawUuid(const std::string& id) {
  std::string raw;
  raw.reserve(16);
  int high = -1;
  for (char c : id) {
    int v;
    if (c >= '0' && c <= '9') {
      v = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      v = c - 'a' + 10;
    } else if (c == '-') {
      continue;
    } else {
      return id;
    }
    if (high < 0) {
      high = v;
    } else {
      raw.push_back(static_cast<char>(high * 16 + v));
      high = -1;
    }
  }
  return raw.size() == 16 && high < 0 ? raw : id;
}

}  // namespace

absl::StatusOr<FunderFacts> ReportingStore::FunderFactsOf(const std::string& network_id,
                                                          const TimeRange& range) {
  return InTransaction<FunderFacts>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<FunderFacts> {
    FunderFacts out;
    const std::string from = pg::TimeParam(range.start), to = pg::TimeParam(range.end);
    for (const pqxx::row& r : tx.exec_params(
             "SELECT m.organisation_id::text, coalesce(o.nace_section, ''), "
             "coalesce(o.headcount_band, 0) FROM members m LEFT JOIN organisation_names o ON "
             "o.organisation_id = m.organisation_id WHERE m.network_id = $1::uuid AND m.state = "
             "$2 AND m.role <> 6",
             network_id, kActive)) {
      out.members.push_back({.organisation_id = r[0].as<std::string>(),
                             .nace_section = r[1].as<std::string>(),
                             .headcount_band = r[2].as<int>()});
    }
    for (const pqxx::row& r : tx.exec_params(
             "SELECT x.org::text FROM (SELECT requester_organisation_id AS org FROM "
             "introductions WHERE network_id = $1::uuid AND request_time >= $2::timestamptz AND "
             "request_time < $3::timestamptz UNION SELECT recipient_organisation_id FROM "
             "introductions WHERE network_id = $1::uuid AND ((request_time >= $2::timestamptz "
             "AND request_time < $3::timestamptz) OR (respond_time >= $2::timestamptz AND "
             "respond_time < $3::timestamptz)) UNION SELECT organisation_id FROM "
             "assessment_submissions WHERE network_id = $1::uuid AND submit_time >= "
             "$2::timestamptz AND submit_time < $3::timestamptz UNION SELECT a.organisation_id "
             "FROM event_attendance a JOIN animation_events e ON e.event_id = a.event_id WHERE "
             "e.network_id = $1::uuid AND NOT e.cancelled AND e.start_time >= $2::timestamptz "
             "AND e.start_time < $3::timestamptz UNION SELECT sponsor_organisation_id FROM "
             "sponsorships WHERE network_id = $1::uuid AND sponsor_time >= $2::timestamptz AND "
             "sponsor_time < $3::timestamptz) x JOIN members m ON m.organisation_id = x.org "
             "AND m.network_id = $1::uuid AND m.state = $4 AND m.role <> 6",
             network_id, from, to, kActive)) {
      out.took_part.push_back(r[0].as<std::string>());
    }
    out.events_held = tx.exec_params1(
                            "SELECT count(*) FROM animation_events WHERE network_id = $1::uuid "
                            "AND NOT cancelled AND start_time >= $2::timestamptz AND start_time "
                            "< $3::timestamptz",
                            network_id, from, to)[0]
                          .as<int64_t>();
    for (const pqxx::row& r : tx.exec_params(
             "SELECT a.organisation_id::text, count(*) FROM event_attendance a JOIN "
             "animation_events e ON e.event_id = a.event_id WHERE e.network_id = $1::uuid AND "
             "NOT e.cancelled AND e.start_time >= $2::timestamptz AND e.start_time < "
             "$3::timestamptz GROUP BY 1",
             network_id, from, to)) {
      out.attendees.push_back(r[0].as<std::string>());
      out.attendances += r[1].as<int64_t>();
    }
    // How far each introduction went, as a level: 0 requested, 1 accepted, 2 met, 3 letter
    // of intent, 4 contract (state 2 accepted; outcome 1 met, 2 letter of intent, 3 contract:
    // matching.proto). One pass: the introductions per level, and each organisation's
    // furthest level, which puts it in every stage up to it.
    static constexpr const char* kStages[] = {"requested", "accepted", "met", "letter_of_intent",
                                              "contract"};
    const std::string level =
        "CASE WHEN state = 2 THEN CASE outcome WHEN 3 THEN 4 WHEN 2 THEN 3 WHEN 1 THEN 2 ELSE 1 "
        "END ELSE 0 END";
    const std::string introductions =
        "FROM introductions WHERE network_id = $1::uuid AND request_time >= $2::timestamptz AND "
        "request_time < $3::timestamptz";
    for (const char* stage : kStages) out.stages[stage];
    for (const pqxx::row& r :
         tx.exec_params(absl::StrCat("SELECT ", level, ", count(*) ", introductions, " GROUP BY 1"),
                        network_id, from, to)) {
      for (int l = 0; l <= r[0].as<int>() && l < 5; ++l) {
        out.stages[kStages[l]].introductions += r[1].as<int64_t>();
      }
    }
    for (const pqxx::row& r : tx.exec_params(
             absl::StrCat("WITH i AS (SELECT requester_organisation_id AS a, "
                          "recipient_organisation_id AS b, ",
                          level, " AS l ", introductions,
                          ") SELECT o::text, max(l) FROM (SELECT a AS o, l FROM i UNION ALL "
                          "SELECT b, l FROM i) x GROUP BY o"),
             network_id, from, to)) {
      const std::string organisation = r[0].as<std::string>();
      for (int l = 0; l <= r[1].as<int>() && l < 5; ++l) {
        out.stages[kStages[l]].involved.push_back(organisation);
      }
    }
    return out;
  });
}

absl::StatusOr<std::vector<Verdict>> ReportingStore::Disclose(
    const std::string& network_id, const std::vector<DisclosedFigure>& figures, int min_group_size,
    const v1::Period& period, const std::string& actor) {
  // Each member as its UUID's 16 bytes: the populations compared and remembered are a sixth
  // of their text.
  std::vector<DisclosedFigure> compact = figures;
  std::vector<std::string> keys, sizes;
  for (DisclosedFigure& f : compact) {
    for (std::string& id : f.population) id = RawUuid(id);
    std::sort(f.population.begin(), f.population.end());
    f.population.erase(std::unique(f.population.begin(), f.population.end()), f.population.end());
    if (f.about_members) {
      keys.push_back(f.key);
      sizes.push_back(absl::StrCat(f.population.size()));
    }
  }
  return InTransaction<std::vector<Verdict>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<Verdict>> {
        // One report of a network at a time: the second is judged against the first.
        tx.exec_params("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))",
                       absl::StrCat("reporting.disclosure/", network_id));
        // Only populations fewer than N members bigger or smaller can be a few members apart.
        DisclosureHistory earlier;
        for (const pqxx::row& r : tx.exec_params(
                 "SELECT d.figure_key, d.members FROM disclosed_figures d JOIN unnest($2::text[], "
                 "$3::int[]) AS q(k, n) ON d.figure_key = q.k AND d.size > q.n - $4 AND d.size < "
                 "q.n + $4 WHERE d.network_id = $1::uuid",
                 network_id, pg::TextArray(keys), pg::TextArray(sizes), min_group_size)) {
          const pqxx::binarystring members(r[1]);
          std::vector<std::string> population;
          for (size_t at = 0; at + 16 <= members.size(); at += 16) {
            population.emplace_back(members.get() + at, members.get() + at + 16);
          }
          earlier[r[0].as<std::string>()].push_back(std::move(population));
        }
        std::vector<Verdict> verdicts = reporting::Disclose(compact, min_group_size, earlier);
        for (size_t i = 0; i < compact.size(); ++i) {
          if (verdicts[i].withheld || !compact[i].about_members) continue;
          const std::string members = absl::StrJoin(compact[i].population, "");
          tx.exec_params(
              "INSERT INTO disclosed_figures (network_id, figure_key, digest, size, members) "
              "VALUES ($1::uuid, $2, md5($3::bytea), $4, $3::bytea) ON CONFLICT DO NOTHING",
              network_id, compact[i].key, pqxx::binarystring(members.data(), members.size()),
              static_cast<int>(compact[i].population.size()));
        }
        v1::ReportingEvent event;
        event.set_actor(actor);
        event.set_network_id(network_id);
        v1::FunderReportGiven* given = event.mutable_funder_report_given();
        *given->mutable_period() = period;
        for (const Verdict& v : verdicts) {
          if (v.withheld) {
            given->set_figures_withheld(given->figures_withheld() + 1);
          } else {
            given->set_figures_given(given->figures_given() + 1);
          }
        }
        MAILLAGE_RETURN_IF_ERROR(store::Publish(tx, std::move(event), absl::Now()));
        return verdicts;
      });
}

}  // namespace maillage::reporting
