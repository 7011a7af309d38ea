#include "services/matching/profile_feed.h"

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/log/log.h"
#include "services/matching/matching_store.h"
#include "services/matching/profile_index.h"

namespace maillage::matching {

absl::Status ProfileFeed::Load() {
  absl::MutexLock one(&load_mu_);
  {
    absl::MutexLock lock(&mu_);
    loading_ = true;
  }
  const absl::Time start = absl::Now();
  log::Info("loading the partner index from PostgreSQL");
  absl::StatusOr<std::vector<ProfileRecord>> records = store_->Profiles({});
  if (records.ok()) {
    index_->Load(*records, [&](size_t done, size_t total) {
      log::Info("partner index",
                {{"profiles", absl::StrCat(done)},
                 {"of", absl::StrCat(total)},
                 {"seconds", absl::StrCat(absl::ToDoubleSeconds(absl::Now() - start))}});
    });
  }
  absl::flat_hash_set<std::string> pending;
  {
    absl::MutexLock lock(&mu_);
    loading_ = false;
    pending.swap(pending_);
  }
  // Changes announced while the load read: the load's copy may predate them.
  for (const std::string& id : pending) Refresh(id);
  if (!records.ok()) return records.status();
  log::Info("partner index loaded", {{"profiles", absl::StrCat(records->size())},
                                     {"replayed", absl::StrCat(pending.size())}});
  return absl::OkStatus();
}

void ProfileFeed::Refresh(const std::string& organisation_id) {
  {
    absl::MutexLock lock(&mu_);
    if (loading_) {
      pending_.insert(organisation_id);
      return;
    }
  }
  refreshes_.fetch_add(1);
  if (absl::Status s = RefreshNow(organisation_id); !s.ok()) {
    failures_.fetch_add(1);
    log::Warn("profile not refreshed; the next index load repairs it",
              {{"organisation_id", organisation_id}, {"error", s.ToString()}});
  }
}

absl::Status ProfileFeed::RefreshNow(const std::string& organisation_id) {
  absl::StatusOr<std::vector<ProfileRecord>> records = store_->Profiles({organisation_id});
  if (!records.ok()) return records.status();
  if (records->empty()) {
    index_->Remove(organisation_id);
  } else {
    index_->Upsert(records->front());
  }
  return absl::OkStatus();
}

}  // namespace maillage::matching
