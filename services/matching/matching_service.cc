#include "services/matching/matching_service.h"

#include <cmath>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/server/request_parsing.h"
#include "common/status/status.h"
#include "common/validation/timestamps.h"
#include "common/validation/validation.h"
#include "services/matching/domain/consortium.h"
#include "services/matching/domain/vocabulary.h"
#include "services/matching/matching_store.h"
#include "services/matching/profile_index.h"

namespace maillage::matching {
namespace {

using auth::Principal;
using auth::v1::NETWORK_ROLE_ANIMATOR;

constexpr int kMaxTagsPerDeclaration = 10;
constexpr size_t kMaxTitle = 120;
constexpr size_t kMaxDescription = 2000;
constexpr size_t kMaxMessage = 2000;
constexpr size_t kMaxNote = 500;
constexpr size_t kMaxIdempotencyKey = 128;
constexpr double kMaxKm = 20000;
constexpr int kMaxProviderTags = 20;
constexpr int kMaxExpiryMonths = 36;
constexpr int kDefaultExpiryMonths = 12;

template <typename Req>
authz::Resolver OrganisationOf() {
  return authz::Resolve<Req>([](const Req& r, const Principal&) -> absl::StatusOr<authz::Resource> {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(r.organisation_id(), "organisation_id"));
    return authz::Resource{.organisation_id = r.organisation_id()};
  });
}

template <typename Req>
authz::Resolver DeclarationOwner(
    std::function<absl::StatusOr<std::string>(const std::string&)> owner_of) {
  return authz::Resolve<Req>(
      [owner_of](const Req& r, const Principal&) -> absl::StatusOr<authz::Resource> {
        MAILLAGE_RETURN_IF_ERROR(ValidateId(r.declaration_id(), "declaration_id"));
        MAILLAGE_ASSIGN_OR_RETURN(std::string owner, owner_of(r.declaration_id()));
        return authz::Resource{.organisation_id = owner};
      });
}

// An introduction acts on its network and, for a caller on either side, on the caller's
// organisation (else on the recipient, for the respond rule).
template <typename Req>
authz::Resolver IntroductionSide(
    std::function<absl::StatusOr<v1::Introduction>(const std::string&)> introduction,
    bool recipient_only) {
  return authz::Resolve<Req>(
      [introduction, recipient_only](const Req& r,
                                     const Principal& who) -> absl::StatusOr<authz::Resource> {
        MAILLAGE_RETURN_IF_ERROR(ValidateId(r.introduction_id(), "introduction_id"));
        MAILLAGE_ASSIGN_OR_RETURN(v1::Introduction i, introduction(r.introduction_id()));
        authz::Resource resource{.network_id = i.network_id(),
                                 .organisation_id = i.recipient_organisation_id()};
        if (!recipient_only && who.organisation_id() == i.requester_organisation_id()) {
          resource.organisation_id = i.requester_organisation_id();
        }
        return resource;
      });
}

bool Finite(double v) { return std::isfinite(v); }

absl::Time MonthsAfter(absl::Time t, int months) {
  const absl::CivilSecond c = absl::ToCivilSecond(t, absl::UTCTimeZone());
  return absl::FromCivil(
      absl::CivilSecond(c.year(), c.month() + months, c.day(), c.hour(), c.minute(), c.second()),
      absl::UTCTimeZone());
}

// Tags, title, description, reach and confidentiality of a declaration: what creating and
// updating share. `side` is the declaration's (stored, for an update).
void CheckContent(const v1::Declaration& d, v1::Side side, const Vocabulary& vocabulary,
                  std::vector<FieldViolation>& problems) {
  if (d.tags_size() == 0 || d.tags_size() > kMaxTagsPerDeclaration) {
    problems.push_back({"declaration.tags", absl::StrCat("1 to ", kMaxTagsPerDeclaration,
                                                         " competency codes (ListCompetencies)")});
  }
  absl::flat_hash_set<std::string> seen;
  for (int i = 0; i < d.tags_size() && i < kMaxTagsPerDeclaration; ++i) {
    const std::string at = absl::StrCat("declaration.tags[", i, "]");
    if (!vocabulary.Find(d.tags(i)).has_value()) {
      problems.push_back({at, "not a competency code (ListCompetencies)"});
    } else if (!seen.insert(d.tags(i)).second) {
      problems.push_back({at, "given twice"});
    }
  }
  if (auto p = TextProblem(d.title(), kMaxTitle, true)) {
    problems.push_back({"declaration.title", *p});
  }
  if (auto p = TextProblem(d.description(), kMaxDescription, false)) {
    problems.push_back({"declaration.description", *p});
  }
  if (!Finite(d.reach_km()) || d.reach_km() < 0 || d.reach_km() > kMaxKm) {
    problems.push_back({"declaration.reach_km", "0 (anywhere) to 20,000 km"});
  }
  if (d.confidential() && side != v1::SIDE_NEED) {
    problems.push_back({"declaration.confidential", "only a need may be confidential"});
  }
}

absl::Status CheckArea(const v1::Area& area, bool has_area) {
  if (!has_area) return absl::OkStatus();
  std::vector<FieldViolation> problems;
  const double lat = area.center().latitude();
  const double lon = area.center().longitude();
  if (!Finite(lat) || lat < -90 || lat > 90) {
    problems.push_back({"area.center.latitude", "-90 to 90"});
  }
  if (!Finite(lon) || lon < -180 || lon > 180) {
    problems.push_back({"area.center.longitude", "-180 to 180"});
  }
  if (!Finite(area.radius_km()) || area.radius_km() < 0 || area.radius_km() > kMaxKm) {
    problems.push_back({"area.radius_km", "0 (anywhere) to 20,000 km"});
  }
  return InvalidFields(problems);
}

bool Represents(const Principal& who, const std::string& organisation_id) {
  return who.platform_admin() ||
         (!who.organisation_id().empty() && who.organisation_id() == organisation_id);
}

}  // namespace

authz::Table MatchingAuthzTable(AuthzHooks hooks) {
  const std::vector<authz::Grant> members = {authz::AnyRoleIn()};
  const std::vector<authz::Grant> animators = {authz::RoleIn({NETWORK_ROLE_ANIMATOR})};
  const std::vector<authz::Grant> company = {authz::Representative()};
  const std::vector<authz::Grant> company_or_animators = {authz::Representative(),
                                                          authz::RoleIn({NETWORK_ROLE_ANIMATOR})};
  const std::vector<authz::Grant> company_or_members = {authz::Representative(),
                                                        authz::AnyRoleIn()};
  return authz::Table(
      std::string(v1::MatchingService::service_full_name()),
      {
          {.rpc = "ListCompetencies", .grants = {authz::Authenticated()}},
          {.rpc = "CreateDeclaration",
           .grants = company,
           .resource = OrganisationOf<v1::CreateDeclarationRequest>(),
           .denial = "only the company's representatives declare its offers and needs"},
          {.rpc = "UpdateDeclaration",
           .grants = company,
           .resource = authz::Resolve<v1::UpdateDeclarationRequest>(
               [owner_of = hooks.owner_of](const v1::UpdateDeclarationRequest& r,
                                           const Principal&) -> absl::StatusOr<authz::Resource> {
                 MAILLAGE_RETURN_IF_ERROR(
                     ValidateId(r.declaration().declaration_id(), "declaration.declaration_id"));
                 MAILLAGE_ASSIGN_OR_RETURN(std::string owner,
                                           owner_of(r.declaration().declaration_id()));
                 return authz::Resource{.organisation_id = owner};
               }),
           .denial = "declaration not found",
           .hide = true},
          {.rpc = "WithdrawDeclaration",
           .grants = company,
           .resource = DeclarationOwner<v1::WithdrawDeclarationRequest>(hooks.owner_of),
           .denial = "declaration not found",
           .hide = true},
          {.rpc = "RenewDeclaration",
           .grants = company,
           .resource = DeclarationOwner<v1::RenewDeclarationRequest>(hooks.owner_of),
           .denial = "declaration not found",
           .hide = true},
          {.rpc = "ListDeclarations",
           .grants = company_or_members,
           .resource = authz::Resolve<v1::ListDeclarationsRequest>(
               [](const v1::ListDeclarationsRequest& r,
                  const Principal&) -> absl::StatusOr<authz::Resource> {
                 if (r.organisation_id().empty() && r.network_id().empty()) {
                   return InvalidField("organisation_id",
                                       "an organisation or a network is "
                                       "required");
                 }
                 authz::Resource resource;
                 if (!r.organisation_id().empty()) {
                   MAILLAGE_RETURN_IF_ERROR(ValidateId(r.organisation_id(), "organisation_id"));
                   resource.organisation_id = r.organisation_id();
                 }
                 if (!r.network_id().empty()) {
                   MAILLAGE_RETURN_IF_ERROR(ValidateId(r.network_id(), "network_id"));
                   resource.network_id = r.network_id();
                 }
                 return resource;
               }),
           .denial = "only the company's representatives and the network's members see these "
                     "declarations"},
          {.rpc = "ListExpiringDeclarations",
           .grants = animators,
           .resource = authz::NetworkIdOf<v1::ListExpiringDeclarationsRequest>(),
           .denial = "only the network's animators follow renewals"},
          {.rpc = "SuggestPartners",
           .grants = company_or_animators,
           .resource = authz::Resolve<v1::SuggestPartnersRequest>(
               [](const v1::SuggestPartnersRequest& r,
                  const Principal&) -> absl::StatusOr<authz::Resource> {
                 MAILLAGE_RETURN_IF_ERROR(ValidateId(r.organisation_id(), "organisation_id"));
                 authz::Resource resource{.organisation_id = r.organisation_id()};
                 if (!r.network_id().empty()) {
                   MAILLAGE_RETURN_IF_ERROR(ValidateId(r.network_id(), "network_id"));
                   resource.network_id = r.network_id();
                 }
                 return resource;
               }),
           .denial = "only the company's representatives, or the animators of the network "
                     "asked, see its suggestions"},
          {.rpc = "FindProviders",
           .grants = members,
           .resource = authz::NetworkIdOf<v1::FindProvidersRequest>(),
           .denial = "only members of the network search its providers"},
          {.rpc = "BuildConsortium",
           .grants = members,
           .resource = authz::NetworkIdOf<v1::BuildConsortiumRequest>(),
           .denial = "only members of the network build consortia of its members"},
          {.rpc = "FindExchangeCycles",
           .grants = animators,
           .resource = authz::NetworkIdOf<v1::FindExchangeCyclesRequest>(),
           .denial = "only the network's animators see its exchange cycles"},
          {.rpc = "BlockOrganisation",
           .grants = company,
           .resource = OrganisationOf<v1::BlockOrganisationRequest>(),
           .denial = "only the company's representatives manage its blocks"},
          {.rpc = "UnblockOrganisation",
           .grants = company,
           .resource = OrganisationOf<v1::UnblockOrganisationRequest>(),
           .denial = "only the company's representatives manage its blocks"},
          {.rpc = "ListBlocks",
           .grants = company,
           .resource = OrganisationOf<v1::ListBlocksRequest>(),
           .denial = "only the company's representatives see its blocks"},
          {.rpc = "RequestIntroduction",
           .grants = company,
           .resource = authz::Resolve<v1::RequestIntroductionRequest>(
               [](const v1::RequestIntroductionRequest& r,
                  const Principal&) -> absl::StatusOr<authz::Resource> {
                 MAILLAGE_RETURN_IF_ERROR(ValidateId(r.network_id(), "network_id"));
                 MAILLAGE_RETURN_IF_ERROR(
                     ValidateId(r.requester_organisation_id(), "requester_organisation_id"));
                 return authz::Resource{.network_id = r.network_id(),
                                        .organisation_id = r.requester_organisation_id()};
               }),
           .denial = "only the requester's representatives ask for an introduction"},
          {.rpc = "RespondToIntroduction",
           .grants = company,
           .resource = IntroductionSide<v1::RespondToIntroductionRequest>(hooks.introduction, true),
           .denial = "introduction not found",
           .hide = true},
          {.rpc = "RecordIntroductionOutcome",
           .grants = company_or_animators,
           .resource =
               IntroductionSide<v1::RecordIntroductionOutcomeRequest>(hooks.introduction, false),
           .denial = "introduction not found",
           .hide = true},
          {.rpc = "GetIntroduction",
           .grants = company_or_animators,
           .resource = IntroductionSide<v1::GetIntroductionRequest>(hooks.introduction, false),
           .denial = "introduction not found",
           .hide = true},
          {.rpc = "ListIntroductions",
           .grants = company_or_animators,
           .resource = authz::Resolve<v1::ListIntroductionsRequest>(
               [](const v1::ListIntroductionsRequest& r,
                  const Principal&) -> absl::StatusOr<authz::Resource> {
                 if (r.organisation_id().empty() == r.network_id().empty()) {
                   return InvalidField("organisation_id",
                                       "either an organisation or a network, not both");
                 }
                 if (!r.organisation_id().empty()) {
                   MAILLAGE_RETURN_IF_ERROR(ValidateId(r.organisation_id(), "organisation_id"));
                   return authz::Resource{.organisation_id = r.organisation_id()};
                 }
                 MAILLAGE_RETURN_IF_ERROR(ValidateId(r.network_id(), "network_id"));
                 return authz::Resource{.network_id = r.network_id()};
               }),
           .denial = "only the company's representatives, or the network's animators, see "
                     "these introductions"},
          {.rpc = "GetMatchingSettings",
           .grants = members,
           .resource = authz::NetworkIdOf<v1::GetMatchingSettingsRequest>(),
           .denial = "only members of the network see its settings"},
          {.rpc = "UpdateMatchingSettings",
           .grants = animators,
           .resource = authz::NetworkIdOf<v1::UpdateMatchingSettingsRequest>(),
           .denial = "only the network's animators change its settings"},
      });
}

MatchingService::MatchingService(Dependencies deps)
    : deps_(std::move(deps)),
      authz_(std::make_unique<authz::Table>(MatchingAuthzTable(
          {.owner_of = [this](const std::string& id) -> absl::StatusOr<std::string> {
             absl::StatusOr<v1::Declaration> d = deps_.store->Declaration(id);
             if (!d.ok()) return d.status();
             return d->organisation_id();
           },
           .introduction =
               [this](const std::string& id) { return deps_.store->Introduction(id); }}))),
      gate_{.verifier = &deps_.verifier,
            .clock = deps_.clock,
            .workers = deps_.workers,
            .table = authz_.get()} {
  CheckRequestParsing(this, &MatchingService::ListCompetencies);
  CheckRequestParsing(this, &MatchingService::CreateDeclaration);
  CheckRequestParsing(this, &MatchingService::UpdateDeclaration);
  CheckRequestParsing(this, &MatchingService::WithdrawDeclaration);
  CheckRequestParsing(this, &MatchingService::RenewDeclaration);
  CheckRequestParsing(this, &MatchingService::ListDeclarations);
  CheckRequestParsing(this, &MatchingService::ListExpiringDeclarations);
  CheckRequestParsing(this, &MatchingService::SuggestPartners);
  CheckRequestParsing(this, &MatchingService::FindProviders);
  CheckRequestParsing(this, &MatchingService::BuildConsortium);
  CheckRequestParsing(this, &MatchingService::FindExchangeCycles);
  CheckRequestParsing(this, &MatchingService::BlockOrganisation);
  CheckRequestParsing(this, &MatchingService::UnblockOrganisation);
  CheckRequestParsing(this, &MatchingService::ListBlocks);
  CheckRequestParsing(this, &MatchingService::RequestIntroduction);
  CheckRequestParsing(this, &MatchingService::RespondToIntroduction);
  CheckRequestParsing(this, &MatchingService::RecordIntroductionOutcome);
  CheckRequestParsing(this, &MatchingService::GetIntroduction);
  CheckRequestParsing(this, &MatchingService::ListIntroductions);
  CheckRequestParsing(this, &MatchingService::GetMatchingSettings);
  CheckRequestParsing(this, &MatchingService::UpdateMatchingSettings);
}

void MatchingService::Changed(const std::string& organisation_id) {
  deps_.on_change();
  deps_.on_profile_change(organisation_id);
}

grpc::ServerUnaryReactor* MatchingService::ListCompetencies(grpc::CallbackServerContext* ctx,
                                                            const v1::ListCompetenciesRequest* req,
                                                            v1::ListCompetenciesResponse* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    const Vocabulary& vocabulary = *deps_.vocabulary;
    if (!req->domain().empty() && !vocabulary.HasDomain(req->domain())) {
      return InvalidField("domain", "not a competency domain");
    }
    MAILLAGE_RETURN_IF_ERROR(ValidateText(req->text(), "text", 500, false));
    std::vector<TagId> named;
    if (!req->text().empty()) named = deps_.index->TagsNamedBy(req->text());
    absl::flat_hash_set<TagId> wanted(named.begin(), named.end());
    for (const CompetencyDomain& d : vocabulary.domains()) {
      if (!req->domain().empty() && d.code != req->domain()) continue;
      v1::CompetencyDomain* out = resp->add_domains();
      out->set_code(d.code);
      out->set_label_fr(d.label_fr);
      out->set_label_en(d.label_en);
    }
    for (size_t i = 0; i < vocabulary.tags().size(); ++i) {
      const Competency& c = vocabulary.tags()[i];
      if (!req->domain().empty() && c.domain != req->domain()) continue;
      if (!req->text().empty() && !wanted.contains(static_cast<TagId>(i))) continue;
      v1::Competency* out = resp->add_competencies();
      out->set_code(c.code);
      out->set_domain(c.domain);
      out->set_label_fr(c.label_fr);
      out->set_label_en(c.label_en);
      for (const std::string& s : c.synonyms_fr) out->add_synonyms_fr(s);
      for (const std::string& s : c.synonyms_en) out->add_synonyms_en(s);
      for (int n : c.nace_divisions) out->add_nace_divisions(n);
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MatchingService::CreateDeclaration(
    grpc::CallbackServerContext* ctx, const v1::CreateDeclarationRequest* req,
    v1::Declaration* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    const v1::Declaration& d = req->declaration();
    std::vector<FieldViolation> problems;
    if (d.side() != v1::SIDE_OFFER && d.side() != v1::SIDE_NEED) {
      problems.push_back({"declaration.side", "SIDE_OFFER or SIDE_NEED"});
    }
    if (d.type() < v1::DECLARATION_TYPE_BUSINESS || d.type() > v1::DECLARATION_TYPE_CO_PRODUCTION) {
      problems.push_back({"declaration.type", "one of the declaration types"});
    }
    CheckContent(d, d.side(), *deps_.vocabulary, problems);
    const absl::Time now = deps_.clock();
    v1::Declaration draft = d;
    if (d.has_expire_time()) {
      const absl::Time at = TimeOf(d.expire_time());
      if (d.expire_time().nanos() < 0 || d.expire_time().nanos() > 999999999 || at <= now ||
          at > MonthsAfter(now, kMaxExpiryMonths)) {
        problems.push_back({"declaration.expire_time", "in the future, at most 36 months ahead"});
      }
    } else {
      const absl::Time at = MonthsAfter(now, kDefaultExpiryMonths);
      draft.mutable_expire_time()->set_seconds(absl::ToUnixSeconds(at));
    }
    if (req->idempotency_key().size() > kMaxIdempotencyKey) {
      problems.push_back({"idempotency_key", "at most 128 characters"});
    }
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
    draft.clear_declaration_id();
    draft.clear_organisation_id();
    draft.clear_state();
    draft.clear_version();
    draft.clear_create_time();
    draft.clear_update_time();
    draft.clear_source();
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.store->CreateDeclaration(req->organisation_id(), draft, who.subject(),
                                              req->idempotency_key()));
    Changed(req->organisation_id());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MatchingService::UpdateDeclaration(
    grpc::CallbackServerContext* ctx, const v1::UpdateDeclarationRequest* req,
    v1::Declaration* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    const v1::Declaration& d = req->declaration();
    MAILLAGE_ASSIGN_OR_RETURN(v1::Declaration stored, deps_.store->Declaration(d.declaration_id()));
    std::vector<FieldViolation> problems;
    if (d.version() < 1) problems.push_back({"declaration.version", "required: the stored one"});
    CheckContent(d, stored.side(), *deps_.vocabulary, problems);
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.store->UpdateDeclaration(d, who.subject()));
    Changed(resp->organisation_id());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MatchingService::WithdrawDeclaration(
    grpc::CallbackServerContext* ctx, const v1::WithdrawDeclarationRequest* req,
    v1::Declaration* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.store->WithdrawDeclaration(req->declaration_id(), who.subject()));
    Changed(resp->organisation_id());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MatchingService::RenewDeclaration(grpc::CallbackServerContext* ctx,
                                                            const v1::RenewDeclarationRequest* req,
                                                            v1::Declaration* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    if (req->months() < 0 || req->months() > kMaxExpiryMonths) {
      return InvalidField("months", "1 to 36 (0: 12)");
    }
    const int months = req->months() == 0 ? kDefaultExpiryMonths : req->months();
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.store->RenewDeclaration(req->declaration_id(),
                                             MonthsAfter(deps_.clock(), months), who.subject()));
    Changed(resp->organisation_id());
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MatchingService::ListDeclarations(grpc::CallbackServerContext* ctx,
                                                            const v1::ListDeclarationsRequest* req,
                                                            v1::ListDeclarationsResponse* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    const bool own = !req->organisation_id().empty() && Represents(who, req->organisation_id());
    if (req->include_inactive() && !own) {
      return InvalidField("include_inactive", "only for the company's own representatives");
    }
    if (req->side() < 0 || req->side() > v1::SIDE_NEED) return InvalidField("side", "unknown");
    const uint64_t fp = Fingerprint({"declarations", req->organisation_id(), req->network_id(),
                                     absl::StrCat(static_cast<int>(req->side())),
                                     req->include_inactive() ? "1" : "0", own ? "own" : "shown"});
    MAILLAGE_ASSIGN_OR_RETURN(PageQuery page, deps_.page_tokens.Parse(req->page(), fp));
    MatchingStore::DeclarationFilter filter{.organisation_id = req->organisation_id(),
                                            .network_id = req->network_id(),
                                            .side = req->side(),
                                            .include_inactive = req->include_inactive(),
                                            .include_confidential = own};
    MAILLAGE_ASSIGN_OR_RETURN(Listed<v1::Declaration> listed,
                              deps_.store->ListDeclarations(filter, page));
    for (v1::Declaration& d : listed.items) *resp->add_declarations() = std::move(d);
    if (!listed.next_after.empty()) {
      resp->mutable_page()->set_next_page_token(deps_.page_tokens.Encode(fp, listed.next_after));
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MatchingService::ListExpiringDeclarations(
    grpc::CallbackServerContext* ctx, const v1::ListExpiringDeclarationsRequest* req,
    v1::ListExpiringDeclarationsResponse* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    if (req->within_days() < 0 || req->within_days() > 365) {
      return InvalidField("within_days", "0 to 365 (0: 30)");
    }
    const int days = req->within_days() == 0 ? 30 : req->within_days();
    const uint64_t fp = Fingerprint({"expiring", req->network_id(), absl::StrCat(days)});
    MAILLAGE_ASSIGN_OR_RETURN(PageQuery page, deps_.page_tokens.Parse(req->page(), fp));
    MAILLAGE_ASSIGN_OR_RETURN(Listed<v1::ExpiringDeclaration> listed,
                              deps_.store->ExpiringDeclarations(
                                  req->network_id(), deps_.clock() + absl::Hours(24 * days), page));
    for (v1::ExpiringDeclaration& d : listed.items) *resp->add_declarations() = std::move(d);
    if (!listed.next_after.empty()) {
      resp->mutable_page()->set_next_page_token(deps_.page_tokens.Encode(fp, listed.next_after));
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MatchingService::SuggestPartners(grpc::CallbackServerContext* ctx,
                                                           const v1::SuggestPartnersRequest* req,
                                                           v1::SuggestPartnersResponse* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    std::vector<FieldViolation> problems;
    if (req->k() < 0 || req->k() > 50) problems.push_back({"k", "1 to 50 (0: 20)"});
    if (!Finite(req->max_distance_km()) || req->max_distance_km() < 0 ||
        req->max_distance_km() > kMaxKm) {
      problems.push_back({"max_distance_km", "0 (any) to 20,000 km"});
    }
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<std::string> networks,
                              deps_.store->ActiveNetworksOf(req->organisation_id()));
    v1::MatchingSettings settings = WithDefaults({});
    if (!req->network_id().empty()) {
      if (std::find(networks.begin(), networks.end(), req->network_id()) == networks.end()) {
        return InvalidField("network_id", "the organisation is not an active member of it");
      }
      networks = {req->network_id()};
      MAILLAGE_ASSIGN_OR_RETURN(settings, deps_.store->Settings(req->network_id()));
    }
    if (networks.empty()) return absl::OkStatus();  // in no network: nobody to suggest
    MAILLAGE_ASSIGN_OR_RETURN(
        std::vector<std::string> excluded,
        deps_.store->Excluded(req->organisation_id(),
                              absl::Hours(24 * settings.decline_cooling_days())));
    ProfileIndex::SuggestRequest query{
        .organisation_id = req->organisation_id(),
        .networks = std::move(networks),
        .k = req->k() == 0 ? 20 : req->k(),
        .max_distance_km = req->max_distance_km(),
        .excluded = absl::flat_hash_set<std::string>(excluded.begin(), excluded.end()),
        .settings = ScoreSettingsOf(settings),
        .now_unix = absl::ToUnixSeconds(deps_.clock()),
        .reveal_confidential = Represents(who, req->organisation_id())};
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.index->Suggest(query));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MatchingService::FindProviders(grpc::CallbackServerContext* ctx,
                                                         const v1::FindProvidersRequest* req,
                                                         v1::FindProvidersResponse* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    std::vector<FieldViolation> problems;
    std::vector<TagId> tags;
    if (req->tags_size() > kMaxProviderTags) {
      problems.push_back({"tags", "at most 20"});
    } else {
      for (int i = 0; i < req->tags_size(); ++i) {
        std::optional<TagId> t = deps_.vocabulary->Find(req->tags(i));
        if (!t) {
          problems.push_back({absl::StrCat("tags[", i, "]"), "not a competency code"});
        } else {
          tags.push_back(*t);
        }
      }
    }
    if (auto p = TextProblem(req->text(), kMaxDescription, false)) {
      problems.push_back({"text", *p});
    }
    if (req->tags_size() == 0 && req->text().empty()) {
      problems.push_back({"tags", "tags or a text are required"});
    }
    if (req->limit() < 0 || req->limit() > 100) problems.push_back({"limit", "1 to 100 (0: 20)"});
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
    MAILLAGE_RETURN_IF_ERROR(CheckArea(req->area(), req->has_area()));
    MAILLAGE_ASSIGN_OR_RETURN(v1::MatchingSettings settings,
                              deps_.store->Settings(req->network_id()));
    ProfileIndex::ProvidersRequest query{
        .network_id = req->network_id(),
        .tags = std::move(tags),
        .text = req->text(),
        .has_area = req->has_area(),
        .center = {.latitude = static_cast<float>(req->area().center().latitude()),
                   .longitude = static_cast<float>(req->area().center().longitude()),
                   .known = req->has_area()},
        .radius_km = req->area().radius_km(),
        .limit = req->limit() == 0 ? 20 : req->limit(),
        .settings = ScoreSettingsOf(settings),
        .now_unix = absl::ToUnixSeconds(deps_.clock())};
    *resp = deps_.index->FindProviders(query);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MatchingService::BuildConsortium(grpc::CallbackServerContext* ctx,
                                                           const v1::BuildConsortiumRequest* req,
                                                           v1::Consortium* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    std::vector<FieldViolation> problems;
    std::vector<Requirement> requirements;
    if (req->requirements_size() == 0 || req->requirements_size() > kMaxRequirements) {
      problems.push_back({"requirements", "1 to 32"});
    } else {
      absl::flat_hash_set<TagId> seen;
      for (int i = 0; i < req->requirements_size(); ++i) {
        const v1::Requirement& r = req->requirements(i);
        const std::string at = absl::StrCat("requirements[", i, "]");
        std::optional<TagId> t = deps_.vocabulary->Find(r.tag());
        if (!t) {
          problems.push_back({at + ".tag", "not a competency code"});
        } else if (!seen.insert(*t).second) {
          problems.push_back({at + ".tag", "given twice"});
        }
        if (!Finite(r.weight()) || r.weight() < 0 || r.weight() > 100) {
          problems.push_back({at + ".weight", "0 (1) to 100"});
        }
        if (t) requirements.push_back({.tag = *t, .weight = r.weight() == 0 ? 1 : r.weight()});
      }
    }
    if (req->max_size() < 0 || req->max_size() > kMaxConsortiumSize) {
      problems.push_back({"max_size", "1 to 20 (0: 5)"});
    }
    const int max_size = req->max_size() == 0 ? 5 : req->max_size();
    if (req->must_include_organisation_ids_size() > max_size) {
      problems.push_back({"must_include_organisation_ids", "more than max_size"});
    } else {
      for (int i = 0; i < req->must_include_organisation_ids_size(); ++i) {
        absl::Status s = ValidateId(req->must_include_organisation_ids(i),
                                    absl::StrCat("must_include_organisation_ids[", i, "]"));
        if (!s.ok()) {
          std::vector<FieldViolation> v = FieldViolationsOf(s);
          problems.insert(problems.end(), v.begin(), v.end());
        }
      }
    }
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
    MAILLAGE_RETURN_IF_ERROR(CheckArea(req->area(), req->has_area()));
    MAILLAGE_ASSIGN_OR_RETURN(v1::MatchingSettings settings,
                              deps_.store->Settings(req->network_id()));
    ProfileIndex::ConsortiumRequest query{
        .network_id = req->network_id(),
        .requirements = std::move(requirements),
        .max_size = max_size,
        .has_area = req->has_area(),
        .center = {.latitude = static_cast<float>(req->area().center().latitude()),
                   .longitude = static_cast<float>(req->area().center().longitude()),
                   .known = req->has_area()},
        .radius_km = req->area().radius_km(),
        .must_include = {req->must_include_organisation_ids().begin(),
                         req->must_include_organisation_ids().end()},
        .settings = ScoreSettingsOf(settings),
        .now_unix = absl::ToUnixSeconds(deps_.clock())};
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.index->BuildConsortium(query));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MatchingService::FindExchangeCycles(
    grpc::CallbackServerContext* ctx, const v1::FindExchangeCyclesRequest* req,
    v1::FindExchangeCyclesResponse* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    std::vector<FieldViolation> problems;
    if (req->max_length() != 0 && (req->max_length() < 2 || req->max_length() > 4)) {
      problems.push_back({"max_length", "2 to 4 (0: 4)"});
    }
    if (req->limit() < 0 || req->limit() > 100) problems.push_back({"limit", "1 to 100 (0: 20)"});
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
    MAILLAGE_ASSIGN_OR_RETURN(v1::MatchingSettings settings,
                              deps_.store->Settings(req->network_id()));
    *resp = deps_.index->FindExchangeCycles(
        req->network_id(), req->max_length() == 0 ? 4 : req->max_length(),
        req->limit() == 0 ? 20 : req->limit(), ScoreSettingsOf(settings),
        absl::ToUnixSeconds(deps_.clock()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MatchingService::BlockOrganisation(
    grpc::CallbackServerContext* ctx, const v1::BlockOrganisationRequest* req, v1::Block* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->blocked_organisation_id(), "blocked_organisation_id"));
    if (req->blocked_organisation_id() == req->organisation_id()) {
      return InvalidField("blocked_organisation_id", "an organisation does not block itself");
    }
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.store->AddBlock(req->organisation_id(), req->blocked_organisation_id()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MatchingService::UnblockOrganisation(
    grpc::CallbackServerContext* ctx, const v1::UnblockOrganisationRequest* req,
    v1::UnblockOrganisationResponse*) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req](const Principal&) {
    MAILLAGE_RETURN_IF_ERROR(ValidateId(req->blocked_organisation_id(), "blocked_organisation_id"));
    return deps_.store->RemoveBlock(req->organisation_id(), req->blocked_organisation_id());
  });
}

grpc::ServerUnaryReactor* MatchingService::ListBlocks(grpc::CallbackServerContext* ctx,
                                                      const v1::ListBlocksRequest* req,
                                                      v1::ListBlocksResponse* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    MAILLAGE_ASSIGN_OR_RETURN(std::vector<v1::Block> blocks,
                              deps_.store->Blocks(req->organisation_id()));
    for (v1::Block& b : blocks) *resp->add_blocks() = std::move(b);
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MatchingService::RequestIntroduction(
    grpc::CallbackServerContext* ctx, const v1::RequestIntroductionRequest* req,
    v1::Introduction* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    std::vector<FieldViolation> problems;
    absl::Status id = ValidateId(req->recipient_organisation_id(), "recipient_organisation_id");
    if (!id.ok()) {
      problems = FieldViolationsOf(id);
    } else if (req->recipient_organisation_id() == req->requester_organisation_id()) {
      problems.push_back({"recipient_organisation_id", "another organisation than the requester"});
    }
    if (auto p = TextProblem(req->message(), kMaxMessage, false)) {
      problems.push_back({"message", *p});
    }
    if (!Finite(req->suggestion_score()) || req->suggestion_score() < 0 ||
        req->suggestion_score() > 100) {
      problems.push_back({"suggestion_score", "0 to 100"});
    }
    if (req->idempotency_key().size() > kMaxIdempotencyKey) {
      problems.push_back({"idempotency_key", "at most 128 characters"});
    }
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
    MAILLAGE_ASSIGN_OR_RETURN(v1::MatchingSettings settings,
                              deps_.store->Settings(req->network_id()));
    v1::Introduction draft;
    draft.set_network_id(req->network_id());
    draft.set_requester_organisation_id(req->requester_organisation_id());
    draft.set_recipient_organisation_id(req->recipient_organisation_id());
    draft.set_message(req->message());
    draft.set_from_suggestion(req->from_suggestion());
    draft.set_suggestion_score(req->suggestion_score());
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.store->RequestIntroduction(
                                         draft, absl::Hours(24 * settings.decline_cooling_days()),
                                         who.subject(), req->idempotency_key()));
    deps_.on_change();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MatchingService::RespondToIntroduction(
    grpc::CallbackServerContext* ctx, const v1::RespondToIntroductionRequest* req,
    v1::Introduction* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    MAILLAGE_RETURN_IF_ERROR(ValidateText(req->note(), "note", kMaxNote, false));
    MAILLAGE_ASSIGN_OR_RETURN(
        *resp, deps_.store->RespondToIntroduction(req->introduction_id(), req->accept(),
                                                  req->note(), who.subject()));
    deps_.on_change();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MatchingService::RecordIntroductionOutcome(
    grpc::CallbackServerContext* ctx, const v1::RecordIntroductionOutcomeRequest* req,
    v1::Introduction* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    if (req->outcome() < v1::INTRODUCTION_OUTCOME_MET ||
        req->outcome() > v1::INTRODUCTION_OUTCOME_NO_FOLLOW_UP) {
      return InvalidField("outcome", "met, letter of intent, contract or no follow-up");
    }
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.store->RecordIntroductionOutcome(
                                         req->introduction_id(), req->outcome(), who.subject()));
    deps_.on_change();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MatchingService::GetIntroduction(grpc::CallbackServerContext* ctx,
                                                           const v1::GetIntroductionRequest* req,
                                                           v1::Introduction* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.store->Introduction(req->introduction_id()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MatchingService::ListIntroductions(
    grpc::CallbackServerContext* ctx, const v1::ListIntroductionsRequest* req,
    v1::ListIntroductionsResponse* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    const uint64_t fp = Fingerprint({"introductions", req->organisation_id(), req->network_id()});
    MAILLAGE_ASSIGN_OR_RETURN(PageQuery page, deps_.page_tokens.Parse(req->page(), fp));
    MAILLAGE_ASSIGN_OR_RETURN(
        Listed<v1::Introduction> listed,
        deps_.store->ListIntroductions(req->organisation_id(), req->network_id(), page));
    for (v1::Introduction& i : listed.items) *resp->add_introductions() = std::move(i);
    if (!listed.next_after.empty()) {
      resp->mutable_page()->set_next_page_token(deps_.page_tokens.Encode(fp, listed.next_after));
    }
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MatchingService::GetMatchingSettings(
    grpc::CallbackServerContext* ctx, const v1::GetMatchingSettingsRequest* req,
    v1::MatchingSettings* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal&) {
    MAILLAGE_ASSIGN_OR_RETURN(*resp, deps_.store->Settings(req->network_id()));
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* MatchingService::UpdateMatchingSettings(
    grpc::CallbackServerContext* ctx, const v1::UpdateMatchingSettingsRequest* req,
    v1::MatchingSettings* resp) {
  return authz::ServeAuthorized(ctx, req, gate_, [this, req, resp](const Principal& who) {
    const v1::MatchingSettings& s = req->settings();
    std::vector<FieldViolation> problems;
    auto km = [&](double v, const char* field) {
      if (!Finite(v) || (v != 0 && (v < 1 || v > 2000))) {
        problems.push_back({absl::StrCat("settings.", field), "1 to 2,000 km (0: the default)"});
      }
    };
    km(s.distance_scale_km(), "distance_scale_km");
    km(s.competitor_radius_km(), "competitor_radius_km");
    if (!Finite(s.distance_floor()) || s.distance_floor() < 0 || s.distance_floor() > 1) {
      problems.push_back({"settings.distance_floor", "0 (the default) to 1"});
    }
    if (s.decline_cooling_days() < 0 || s.decline_cooling_days() > 730) {
      problems.push_back({"settings.decline_cooling_days", "1 to 730 (0: the default)"});
    }
    MAILLAGE_RETURN_IF_ERROR(InvalidFields(problems));
    MAILLAGE_ASSIGN_OR_RETURN(*resp,
                              deps_.store->UpdateSettings(req->network_id(), s, who.subject()));
    deps_.on_change();
    return absl::OkStatus();
  });
}

}  // namespace maillage::matching
