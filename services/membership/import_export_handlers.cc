#include <grpcpp/alarm.h>
#include <grpcpp/support/server_callback.h>

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/ids/canonical_ids.h"
#include "common/redis/cache.h"
#include "common/redis/near_cache.h"
#include "common/server/request_parsing.h"
#include "common/server/unary.h"
#include "common/server/worker_pool.h"
#include "common/server/worker_submitter.h"
#include "common/status/status.h"
#include "membership_cache.pb.h"
#include "services/membership/csv_import.h"
#include "services/membership/domain/identifiers.h"
#include "services/membership/domain/membership_rules.h"
#include "services/membership/membership_service.h"
#include "services/membership/membership_store.h"
#include "services/membership/membership_validation.h"
#include "services/membership/service_internal.h"

// MembershipService: the streaming CSV import and export.

namespace maillage::membership {

using namespace service_internal;  // NOLINT(build/namespaces): the handlers' own helpers

// ---------------------------------------------------------------------------------------------
// Import: a client stream of CSV chunks. Each chunk is parsed and applied on a worker, and the
// next read starts only once the batch is written, so a large file never piles up in memory.

namespace {

// An import report lists this many errors; error_count counts them all. 1000 errors of a few
// dozen bytes keep the report far below a client's 4 MiB receive limit.
constexpr int kMaxReportedErrors = 1000;

}  // namespace

class MembershipService::ImportReactor final
    : public grpc::ServerReadReactor<v1::ImportOrganisationsRequest> {
 public:
  ImportReactor(MembershipService* service, grpc::CallbackServerContext* ctx,
                v1::ImportReport* report)
      : service_(service), ctx_(ctx), report_(report), submitter_(service->deps_.workers) {
    // Authenticated before anything is read or queued, as unary calls are (Serve): an
    // unsigned caller learns nothing about the stream it sent, not even that it was empty.
    absl::StatusOr<auth::Principal> who = VerifiedCaller(service->deps_, *ctx);
    if (!who.ok()) {
      Finish(ToGrpcStatus(who.status()));
      return;
    }
    who_ = *std::move(who);
    Read();
  }

  void OnReadDone(bool ok) override {
    // Leave the reaction at once: parsing and SQL are blocking work.
    submitter_.Submit(
        [this, ok] { ok ? Consume() : Complete(); },
        [this] {
          // No worker is running for this call now, so the report can be read.
          Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                              absl::StrCat("server busy: the import stopped after reading ",
                                           report_->rows_read(), " rows; ", Committed(),
                                           "; run the file again later (rows already imported "
                                           "are recognised by their SIREN)")));
        });
  }

  void OnDone() override { delete this; }

 private:
  void Consume() {
    absl::Status s = ConsumeMessage();
    if (!s.ok()) {
      Finish(ToClientStatus(s, *ctx_));
      return;
    }
    Read();
  }

  // gRPC reports a message that does not parse (a string that is not UTF-8, bytes that are
  // not protobuf) as OnReadDone(false), the same as the end of the stream: the import would
  // end there and apply what it had, cut-off last line included. A parse starts by clearing
  // the message and the end of the stream leaves it alone, so a mark set before each read
  // tells the two apart (Complete()).
  void Read() {
    MarkUnparsable(request_);
    StartRead(&request_);
  }

  absl::Status ConsumeMessage() {
    if (first_) {
      first_ = false;
      if (request_.part_case() == v1::ImportOrganisationsRequest::kChunk) {
        return InvalidField("options", "the first message must carry the options (or nothing)");
      }
      CanonicaliseIds(&request_);  // the authorisation table reads the options' ids
      options_ = request_.options();
      if (!options_.network_id().empty()) {
        MAILLAGE_RETURN_IF_ERROR(ValidateId(options_.network_id(), "options.network_id"));
      }
      if (options_.batch_size() < 0 || options_.batch_size() > 1000) {
        return InvalidField("options.batch_size", "must be between 0 and 1000");
      }
      batch_size_ = options_.batch_size() == 0 ? 200 : options_.batch_size();
      parser_.set_enrolling(!options_.network_id().empty());
      MAILLAGE_RETURN_IF_ERROR(service_->authz_->Check("ImportOrganisations", who_, request_));
      report_->set_dry_run(options_.dry_run());
      return absl::OkStatus();
    }
    if (request_.part_case() != v1::ImportOrganisationsRequest::kChunk) {
      return InvalidField("chunk", "only the first message carries options");
    }
    reader_.Feed(request_.chunk());
    return Drain(false);
  }

  void Complete() {
    // A cancelled stream (deadline, client gone, server drain) ends like a finished one:
    // its last chunk may stop mid-line, so nothing buffered is applied.
    if (ctx_->IsCancelled()) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED,
                          absl::StrCat("import cancelled after reading ", report_->rows_read(),
                                       " rows; ", Committed())));
      return;
    }
    if (!IsUnparsable(request_)) {
      Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          absl::StrCat(UnparsableRequestStatus(request_).error_message(),
                                       "; the import stopped after reading ", report_->rows_read(),
                                       " rows; ", Committed())));
      return;
    }
    if (first_) {
      Finish(ToGrpcStatus(InvalidField("options", "the stream was empty")));
      return;
    }
    reader_.Finish();
    absl::Status s = Drain(true);
    if (s.ok() && !parser_.has_header()) s = InvalidField("chunk", "the file has no header row");
    Finish(ToClientStatus(s, *ctx_));
  }

  // What the batches written so far hold: rows read after the last one were not written.
  std::string Committed() const {
    if (options_.dry_run()) return "a dry run writes nothing";
    if (rows_committed_ == 0) return "nothing was committed";
    return absl::StrCat("the rows up to row ", rows_committed_, " (line ", line_committed_,
                        ") are committed, the rows after it are not");
  }

  // Counts every error and lists the first kMaxReportedErrors.
  void AddError(v1::ImportRowError e) {
    report_->set_error_count(report_->error_count() + 1);
    if (report_->errors_size() < kMaxReportedErrors) *report_->add_errors() = std::move(e);
  }

  // Parses the complete records buffered so far and applies full batches (all at the end).
  absl::Status Drain(bool at_end) {
    std::vector<std::string> fields;
    int64_t line = 0;
    while (reader_.Next(&fields, &line)) {
      if (!parser_.has_header()) {
        MAILLAGE_RETURN_IF_ERROR(parser_.SetHeader(fields));
        continue;
      }
      report_->set_rows_read(report_->rows_read() + 1);
      std::vector<v1::ImportRowError> errors;
      std::optional<ImportRow> row = parser_.Parse(fields, line, &errors);
      if (row.has_value() && !seen_sirens_.insert(row->organisation.siren()).second) {
        row.reset();
        v1::ImportRowError& e = errors.emplace_back();
        e.set_line(line);
        e.set_field("siren");
        e.set_reason("appears earlier in the file");
      }
      if (!errors.empty()) report_->set_rows_with_errors(report_->rows_with_errors() + 1);
      for (v1::ImportRowError& e : errors) AddError(std::move(e));
      if (row.has_value()) {
        batch_.push_back(std::move(*row));
        batch_end_line_ = line;
      }
      if (static_cast<int>(batch_.size()) >= batch_size_) MAILLAGE_RETURN_IF_ERROR(Apply());
    }
    if (!reader_.status().ok()) return InvalidField("chunk", reader_.status().message());
    if (at_end && !batch_.empty()) MAILLAGE_RETURN_IF_ERROR(Apply());
    return absl::OkStatus();
  }

  absl::Status Apply() {
    std::vector<ImportRow> rows = std::move(batch_);
    batch_.clear();
    if (options_.dry_run()) return absl::OkStatus();
    MAILLAGE_ASSIGN_OR_RETURN(ImportCounts counts, service_->deps_.store->ImportBatch(
                                                       rows, options_.network_id(), Change(who_)));
    report_->set_organisations_created(report_->organisations_created() +
                                       counts.organisations_created);
    report_->set_organisations_updated(report_->organisations_updated() +
                                       counts.organisations_updated);
    report_->set_organisations_unchanged(report_->organisations_unchanged() +
                                         counts.organisations_unchanged);
    report_->set_memberships_created(report_->memberships_created() + counts.memberships_created);
    report_->set_invitations_created(report_->invitations_created() + counts.invitations_created);
    report_->set_people_created(report_->people_created() + counts.people_created);
    report_->set_contacts_not_linked(report_->contacts_not_linked() + counts.contacts_not_linked);
    rows_committed_ = report_->rows_read();
    line_committed_ = batch_end_line_;
    service_->Changed(counts.touched_organisations, {});
    return absl::OkStatus();
  }

  MembershipService* service_;
  grpc::CallbackServerContext* ctx_;
  v1::ImportReport* report_;
  v1::ImportOrganisationsRequest request_;
  v1::ImportOrganisationsRequest::Options options_;
  auth::Principal who_;
  bool first_ = true;
  int batch_size_ = 200;
  CsvReader reader_;
  ImportRowParser parser_;
  std::vector<ImportRow> batch_;
  int64_t batch_end_line_ = 0;  // the line of the batch's last row
  int64_t rows_committed_ = 0;  // rows read when the last batch was committed
  int64_t line_committed_ = 0;
  std::set<std::string> seen_sirens_;
  WorkerSubmitter submitter_;
};

grpc::ServerReadReactor<v1::ImportOrganisationsRequest>* MembershipService::ImportOrganisations(
    grpc::CallbackServerContext* ctx, v1::ImportReport* resp) {
  return new ImportReactor(this, ctx, resp);
}

// ---------------------------------------------------------------------------------------------
// Export: one page of members per chunk, produced on a worker after the previous write.

class MembershipService::ExportReactor final : public grpc::ServerWriteReactor<v1::CsvChunk> {
 public:
  ExportReactor(MembershipService* service, grpc::CallbackServerContext* ctx,
                const v1::ExportMembersRequest* req)
      : service_(service), ctx_(ctx), req_(*req), submitter_(service->deps_.workers) {
    // Authenticated before any work is queued, as unary calls are (Serve).
    absl::StatusOr<auth::Principal> who = VerifiedCaller(service->deps_, *ctx);
    if (!who.ok()) {
      Finish(ToGrpcStatus(who.status()));
      return;
    }
    who_ = *std::move(who);
    CanonicaliseIds(&req_);
    Schedule();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "client went away"));
      return;
    }
    Schedule();
  }

  void OnDone() override { delete this; }

 private:
  void Schedule() {
    submitter_.Submit(
        [this] { Produce(); },
        [this] {
          Finish(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "server busy, retry later"));
        });
  }

  void Produce() {
    absl::StatusOr<bool> more = NextChunk();
    if (!more.ok()) {
      Finish(ToClientStatus(more.status(), *ctx_));
    } else if (!*more) {
      Finish(grpc::Status::OK);
    } else {
      StartWrite(&chunk_);
    }
  }

  // Fills chunk_; false when everything was sent.
  absl::StatusOr<bool> NextChunk() {
    if (done_) return false;
    std::string out;
    if (first_) {
      first_ = false;
      const auth::Principal& who = who_;
      MAILLAGE_RETURN_IF_ERROR(ValidateId(req_.network_id(), "network_id"));
      for (int i = 0; i < req_.states_size(); ++i) {
        if (req_.states(i) == v1::MEMBERSHIP_STATE_UNSPECIFIED ||
            !v1::MembershipState_IsValid(req_.states(i))) {
          return InvalidField(absl::StrCat("states[", i, "]"), "unknown state");
        }
      }
      MAILLAGE_RETURN_IF_ERROR(service_->authz_->Check("ExportMembers", who, req_));
      MAILLAGE_RETURN_IF_ERROR(service_->deps_.store->GetNetwork(req_.network_id()).status());
      filter_.network_id = req_.network_id();
      if (req_.states().empty()) {
        filter_.states = {v1::MEMBERSHIP_STATE_APPLIED, v1::MEMBERSHIP_STATE_SPONSORED,
                          v1::MEMBERSHIP_STATE_ACTIVE, v1::MEMBERSHIP_STATE_SUSPENDED};
      } else {
        for (int s : req_.states()) filter_.states.push_back(static_cast<v1::MembershipState>(s));
      }
      out =
          "membership_id,siren,legal_name,kind,naf_code,city,commune_code,website,role,state,"
          "charter_version_signed,member_since\n";
    }
    PageQuery page{.size = 200, .after = after_, .fingerprint = 0};
    MAILLAGE_ASSIGN_OR_RETURN(Page<v1::Membership> result,
                              service_->deps_.store->ListMemberships(filter_, page));
    // The page's organisations in one query, not one per member.
    std::vector<std::string> ids;
    for (const v1::Membership& m : result.items) ids.push_back(m.organisation_id());
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::Organisation> orgs,
                              service_->deps_.store->GetOrganisations(ids));
    std::map<std::string, const v1::Organisation*> by_id;
    for (const v1::Organisation& o : orgs) by_id[o.organisation_id()] = &o;
    // Text cells go through CsvSafeField: a name such as =HYPERLINK(...) must reach the
    // spreadsheet that opens the file as text, not as a formula.
    for (const v1::Membership& m : result.items) {
      auto found = by_id.find(m.organisation_id());
      if (found == by_id.end()) continue;  // cannot happen: memberships reference organisations
      const v1::Organisation& org = *found->second;
      const v1::Establishment* head = nullptr;
      for (const v1::Establishment& e : org.establishments()) {
        if (e.head_office() || head == nullptr) head = &e;
      }
      absl::StrAppend(
          &out, CsvSafeField(m.membership_id()), ",", CsvSafeField(org.siren()), ",",
          CsvSafeField(org.legal_name()), ",", OrganisationKindName(org.kind()), ",",
          CsvSafeField(org.naf_code()), ",",
          CsvSafeField(head != nullptr ? head->address().city() : ""), ",",
          CsvSafeField(org.territory().commune_codes().empty() ? ""
                                                               : org.territory().commune_codes(0)),
          ",", CsvSafeField(org.website()), ",", RoleName(m.role()), ",",
          absl::AsciiStrToLower(StateName(m.state())), ",", m.charter_signature().charter_version(),
          ",",
          absl::FormatTime("%Y-%m-%d", absl::FromUnixSeconds(m.create_time().seconds()),
                           absl::UTCTimeZone()),
          "\n");
    }
    after_ = result.next_after;
    done_ = after_.empty();
    if (out.empty()) return false;
    chunk_.set_data(std::move(out));
    if (first_chunk_) {
      first_chunk_ = false;
      chunk_.set_content_type("text/csv; charset=utf-8");
    } else {
      chunk_.clear_content_type();
    }
    return true;
  }

  MembershipService* service_;
  grpc::CallbackServerContext* ctx_;
  v1::ExportMembersRequest req_;
  auth::Principal who_;
  MembershipFilter filter_;
  std::vector<std::string> after_;
  bool first_ = true;
  bool done_ = false;
  v1::CsvChunk chunk_;
  bool first_chunk_ = true;
  WorkerSubmitter submitter_;
};

grpc::ServerWriteReactor<v1::CsvChunk>* MembershipService::ExportMembers(
    grpc::CallbackServerContext* ctx, const v1::ExportMembersRequest* req) {
  return new ExportReactor(this, ctx, req);
}

}  // namespace maillage::membership
