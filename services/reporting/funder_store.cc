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

namespace maillage::reporting {
namespace {

using pg::InTransaction;

constexpr int kActive = membership::v1::MEMBERSHIP_STATE_ACTIVE;

}  // namespace

absl::StatusOr<std::vector<MemberProfile>> ReportingStore::MemberProfiles(
    const std::string& network_id) {
  return InTransaction<std::vector<MemberProfile>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<MemberProfile>> {
        std::vector<MemberProfile> out;
        for (const pqxx::row& r : tx.exec_params(
                 "SELECT m.organisation_id::text, coalesce(o.nace_section, ''), "
                 "coalesce(o.headcount_band, 0) FROM members m LEFT JOIN organisation_names o "
                 "ON o.organisation_id = m.organisation_id WHERE m.network_id = $1::uuid AND "
                 "m.state = $2 AND m.role <> 6",
                 network_id, kActive)) {
          out.push_back({.organisation_id = r[0].as<std::string>(),
                         .nace_section = r[1].as<std::string>(),
                         .headcount_band = r[2].as<int>()});
        }
        return out;
      });
}

absl::StatusOr<std::vector<IntroductionFacts>> ReportingStore::IntroductionsRequested(
    const std::string& network_id, const TimeRange& range) {
  return InTransaction<std::vector<IntroductionFacts>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<IntroductionFacts>> {
        std::vector<IntroductionFacts> out;
        for (const pqxx::row& r : tx.exec_params(
                 "SELECT requester_organisation_id::text, recipient_organisation_id::text, "
                 "state, outcome FROM introductions WHERE network_id = $1::uuid AND "
                 "request_time >= $2::timestamptz AND request_time < $3::timestamptz",
                 network_id, pg::TimeParam(range.start), pg::TimeParam(range.end))) {
          out.push_back({.requester = r[0].as<std::string>(),
                         .recipient = r[1].as<std::string>(),
                         .state = r[2].as<int>(),
                         .outcome = r[3].as<int>()});
        }
        return out;
      });
}

absl::StatusOr<AttendanceFacts> ReportingStore::Attendance(const std::string& network_id,
                                                           const TimeRange& range) {
  return InTransaction<AttendanceFacts>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<AttendanceFacts> {
        AttendanceFacts out;
        const std::string from = pg::TimeParam(range.start), to = pg::TimeParam(range.end);
        out.events_held = tx.exec_params1(
                                "SELECT count(*) FROM animation_events WHERE network_id = "
                                "$1::uuid AND NOT cancelled AND start_time >= $2::timestamptz "
                                "AND start_time < $3::timestamptz",
                                network_id, from, to)[0]
                              .as<int64_t>();
        for (const pqxx::row& r : tx.exec_params(
                 "SELECT a.organisation_id::text, count(*) FROM event_attendance a JOIN "
                 "animation_events e ON e.event_id = a.event_id WHERE e.network_id = $1::uuid "
                 "AND NOT e.cancelled AND e.start_time >= $2::timestamptz AND e.start_time < "
                 "$3::timestamptz GROUP BY 1",
                 network_id, from, to)) {
          out.attendees.push_back(r[0].as<std::string>());
          out.attendances += r[1].as<int64_t>();
        }
        return out;
      });
}

absl::StatusOr<std::vector<Verdict>> ReportingStore::Disclose(
    const std::string& network_id, const std::vector<DisclosedFigure>& figures,
    int min_group_size) {
  return InTransaction<std::vector<Verdict>>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<std::vector<Verdict>> {
        // One report of a network at a time: the second is judged against the first.
        tx.exec_params("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))",
                       absl::StrCat("reporting.disclosure/", network_id));
        std::vector<std::string> keys;
        for (const DisclosedFigure& f : figures) {
          if (f.about_members) keys.push_back(f.key);
        }
        DisclosureHistory earlier;
        for (const pqxx::row& r : tx.exec_params(
                 "SELECT figure_key, population FROM disclosed_figures WHERE network_id = "
                 "$1::uuid AND figure_key = ANY($2::text[])",
                 network_id, pg::TextArray(keys))) {
          const std::string population = r[1].as<std::string>();
          earlier[r[0].as<std::string>()].push_back(
              population.empty() ? std::vector<std::string>{}
                                 : std::vector<std::string>(absl::StrSplit(population, ',')));
        }
        std::vector<Verdict> verdicts = reporting::Disclose(figures, min_group_size, earlier);
        std::vector<std::string> given_keys, populations;
        for (size_t i = 0; i < figures.size(); ++i) {
          if (verdicts[i].withheld || !figures[i].about_members) continue;
          std::vector<std::string> sorted = figures[i].population;
          std::sort(sorted.begin(), sorted.end());
          sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
          given_keys.push_back(figures[i].key);
          populations.push_back(absl::StrJoin(sorted, ","));
        }
        tx.exec_params(
            "INSERT INTO disclosed_figures (network_id, figure_key, digest, population) SELECT "
            "$1::uuid, x.k, md5(x.p), x.p FROM unnest($2::text[], $3::text[]) AS x(k, p) ON "
            "CONFLICT DO NOTHING",
            network_id, pg::TextArray(given_keys), pg::TextArray(populations));
        return verdicts;
      });
}

}  // namespace maillage::reporting
