// services/matching/profile_feed: keeps this replica's ProfileIndex equal to PostgreSQL.
//
// Load() reads every profile (at start, and periodically); Refresh(id) reloads one profile
// after a change (the stream's profile_changed, or this replica's own write). A refresh that
// arrives while a load reads is replayed after the load swapped its result in, so that the
// load's older copy never hides it.
//
//   ProfileFeed feed(&store, &index);
//   follower = StreamFollower(..., [&](fields) { feed.Refresh(id_of(fields)); });
//   MAILLAGE_RETURN_IF_ERROR(feed.Load());
#ifndef MAILLAGE_SERVICES_MATCHING_PROFILE_FEED_H_
#define MAILLAGE_SERVICES_MATCHING_PROFILE_FEED_H_

#include <atomic>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"

namespace maillage::matching {

class MatchingStore;
class ProfileIndex;

class ProfileFeed {
 public:
  ProfileFeed(MatchingStore* store, ProfileIndex* index) : store_(store), index_(index) {}

  // Every profile, with progress in the log. UNAVAILABLE when PostgreSQL is.
  absl::Status Load();
  // One profile again (removed from the index when it has no row). A failure is logged
  // and counted; the next load repairs it.
  void Refresh(const std::string& organisation_id);

  int64_t refreshes() const { return refreshes_.load(); }
  int64_t failures() const { return failures_.load(); }

 private:
  absl::Status RefreshNow(const std::string& organisation_id);

  MatchingStore* store_;
  ProfileIndex* index_;
  absl::Mutex mu_;
  bool loading_ ABSL_GUARDED_BY(mu_) = false;
  absl::flat_hash_set<std::string> pending_ ABSL_GUARDED_BY(mu_);
  absl::Mutex load_mu_;  // one load at a time
  std::atomic<int64_t> refreshes_{0}, failures_{0};
};

}  // namespace maillage::matching

#endif  // MAILLAGE_SERVICES_MATCHING_PROFILE_FEED_H_
