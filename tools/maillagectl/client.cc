#include "tools/maillagectl/client.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/status/status.h"

namespace maillage::ctl {
namespace {

// Exports stream a page per message; even a large network finishes well within this.
constexpr absl::Duration kExportDeadline = absl::Minutes(5);
// Slack between a call's deadline and its principal's expiry, for clock skew.
constexpr absl::Duration kExpirySlack = absl::Minutes(1);
// The services' default maximum principal lifetime. The principal is checked when a call
// starts, so a longer stream (an export) still runs to its own deadline.
constexpr absl::Duration kMaxPrincipalLifetime = absl::Minutes(5);

}  // namespace

auth::Principal PlatformAdmin(absl::string_view subject) {
  auth::Principal p;
  p.set_subject(std::string(subject));
  p.set_platform_admin(true);
  return p;
}

auth::Principal Representative(absl::string_view organisation_id, absl::string_view person_id,
                               std::vector<auth::v1::NetworkGrant> grants) {
  auth::Principal p;
  p.set_subject(std::string(person_id));
  p.set_organisation_id(std::string(organisation_id));
  for (auth::v1::NetworkGrant& g : grants) *p.add_grants() = std::move(g);
  return p;
}

auth::v1::NetworkGrant Grant(absl::string_view network_id, auth::v1::NetworkRole role) {
  auth::v1::NetworkGrant g;
  g.set_network_id(std::string(network_id));
  g.set_role(role);
  return g;
}

absl::Duration ImportDeadline(int64_t bytes, absl::Duration minimum) {
  constexpr int64_t kMiB = 1024 * 1024;
  absl::Duration scaled = absl::Seconds(30) + absl::Seconds(30) * (bytes + kMiB - 1) / kMiB;
  return std::max(scaled, minimum);
}

MembershipClient::MembershipClient(std::shared_ptr<grpc::ChannelInterface> channel,
                                   std::string hmac_key, absl::Duration rpc_timeout,
                                   std::string audience)
    : stub_(v1::MembershipService::NewStub(std::move(channel))),
      signer_(std::move(hmac_key)),
      timeout_(rpc_timeout),
      audience_(std::move(audience)) {}

void MembershipClient::Prepare(const auth::Principal& who, absl::Duration timeout,
                               grpc::ClientContext* ctx) const {
  absl::Time now = absl::Now();
  ctx->set_deadline(absl::ToChronoTime(now + timeout));
  if (who.has_issued_at()) {
    signer_.Attach(who, ctx);
    return;
  }
  // Short-lived by default: the principal is worth nothing once the call is over.
  signer_.Attach(
      auth::Stamp(who, now, std::min(timeout + kExpirySlack, kMaxPrincipalLifetime), audience_),
      ctx);
}

absl::Status MembershipClient::Failed(absl::string_view rpc, const grpc::Status& status) {
  absl::Status s = FromGrpcStatus(status);
  return absl::Status(s.code(), absl::StrCat(rpc, ": ", s.message()));
}

absl::StatusOr<std::vector<v1::Membership>> MembershipClient::ListAllMemberships(
    const auth::Principal& who, v1::ListMembershipsRequest filter) const {
  std::vector<v1::Membership> out;
  filter.mutable_page()->set_page_size(500);
  filter.mutable_page()->clear_page_token();
  for (;;) {
    absl::StatusOr<v1::ListMembershipsResponse> page =
        Call("ListMemberships", who, &Stub::ListMemberships, filter);
    if (!page.ok()) return page.status();
    for (v1::Membership& m : *page->mutable_memberships()) out.push_back(std::move(m));
    if (page->page().next_page_token().empty()) return out;
    filter.mutable_page()->set_page_token(page->page().next_page_token());
  }
}

absl::StatusOr<std::vector<v1::Network>> MembershipClient::FindNetworksByName(
    const auth::Principal& who, const std::string& name) const {
  v1::ListNetworksRequest req;
  req.set_name_prefix(name);
  req.mutable_page()->set_page_size(100);
  std::vector<v1::Network> out;
  for (;;) {
    absl::StatusOr<v1::ListNetworksResponse> page =
        Call("ListNetworks", who, &Stub::ListNetworks, req);
    if (!page.ok()) return page.status();
    for (v1::Network& n : *page->mutable_networks()) {
      // The prefix match ignores case and admits longer names; only the same name counts.
      if (n.name() == name) out.push_back(std::move(n));
    }
    if (page->page().next_page_token().empty()) break;
    req.mutable_page()->set_page_token(page->page().next_page_token());
  }
  std::sort(out.begin(), out.end(), [](const v1::Network& a, const v1::Network& b) {
    if (a.create_time().seconds() != b.create_time().seconds()) {
      return a.create_time().seconds() < b.create_time().seconds();
    }
    return a.create_time().nanos() < b.create_time().nanos();
  });
  return out;
}

absl::StatusOr<v1::ImportReport> MembershipClient::Import(
    const auth::Principal& who, std::istream& csv, int64_t size,
    const v1::ImportOrganisationsRequest::Options& options,
    const std::function<void(int64_t sent)>& progress) const {
  grpc::ClientContext ctx;
  Prepare(who, ImportDeadline(size, timeout_), &ctx);
  v1::ImportReport report;
  std::unique_ptr<grpc::ClientWriter<v1::ImportOrganisationsRequest>> writer =
      stub_->ImportOrganisations(&ctx, &report);

  v1::ImportOrganisationsRequest message;
  *message.mutable_options() = options;
  // Write() turns false once the server has finished the call (e.g. refused the options);
  // Finish() then tells why, so we stop sending and ask.
  bool open = writer->Write(message);
  std::string buffer(kImportChunkBytes, '\0');
  int64_t sent = 0;
  absl::Status read_error;
  while (open) {
    csv.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    std::streamsize n = csv.gcount();
    if (csv.bad()) {
      read_error =
          absl::DataLossError(absl::StrCat("reading the file failed after ", sent, " bytes"));
      ctx.TryCancel();
      break;
    }
    if (n > 0) {
      message.set_chunk(buffer.data(), static_cast<size_t>(n));
      open = writer->Write(message);
      if (open) {
        sent += n;
        progress(sent);
      }
    }
    if (static_cast<size_t>(n) < buffer.size()) break;  // end of file
  }
  if (open) writer->WritesDone();
  grpc::Status status = writer->Finish();
  if (!read_error.ok()) return read_error;
  if (!status.ok()) return Failed("ImportOrganisations", status);
  return report;
}

absl::Status MembershipClient::Export(
    const auth::Principal& who, const v1::ExportMembersRequest& request,
    const std::function<absl::Status(absl::string_view chunk)>& sink) const {
  grpc::ClientContext ctx;
  Prepare(who, std::max(kExportDeadline, timeout_), &ctx);
  std::unique_ptr<grpc::ClientReader<v1::CsvChunk>> reader = stub_->ExportMembers(&ctx, request);
  v1::CsvChunk chunk;
  absl::Status sink_error;
  while (reader->Read(&chunk)) {
    sink_error = sink(chunk.data());
    if (!sink_error.ok()) {
      ctx.TryCancel();
      break;
    }
  }
  grpc::Status status = reader->Finish();
  if (!sink_error.ok()) return sink_error;
  if (!status.ok()) return Failed("ExportMembers", status);
  return absl::OkStatus();
}

}  // namespace maillage::ctl
