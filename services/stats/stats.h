#ifndef ENLACE_SERVICES_STATS_STATS_H_
#define ENLACE_SERVICES_STATS_STATS_H_

#include <string>

#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/replication/follow_up_worker.h"
#include "common/identity/caller.h"
#include "common/storage/key_locks.h"
#include "common/storage/store.h"
#include "common/time/clock.h"
#include "common/txn/committer.h"
#include "enlace/cases/v1/case.pb.h"
#include "enlace/cases/v1/person.pb.h"
#include "enlace/node/v1/config.pb.h"
#include "enlace/stats/v1/stats.pb.h"
#include "services/stats/disclosure.h"
#include "services/stats/measures.h"
#include "services/stats/tally.h"

namespace enlace::stats {

inline constexpr char kReleaseKind[] = "stats.release";

// A node's monthly statistics, one release per measure (measures.h) and ended month.
// Case counters move with the cases, in the registry's own commits (its case hook,
// OnCaseVersion): a case opened counts in its month, by post, host country, category, the
// person's sex and whether a child, and in the same commit by its subtype
// (cases_opened_by_subtype) and once in each vulnerability its person has then
// (case_vulnerabilities); closed, it counts again in the month it closed, by the
// same facts as when it opened, with its days to close. Other modules count their own events
// (notifications, referrals) through a Tally in their commits. A release is built from the
// counters of one ended month and protected before it leaves (disclosure.h); nothing reads a
// case or a person to answer. cases_opened_by_subtype nests in cases_opened (a category's
// cases are its subtypes' and its other column's, the rest): the two are protected as
// one (ProtectNested) and pushed in one commit.
//
// Every ended month's release is pushed to the secretariat through the federation (kind
// "stats.release"), and pushed again, a higher revision, when its counts change after.
//
// Keys: "stats" family: F|{case id} -> the facts the case opened with ("post|host|category|
// sex|age"); M|{YYYY-MM}|{person id} -> the facts of a person's first case that month
// (persons assisted, distinct); S|{secretariat}|{code}|{YYYY-MM} -> "version revision" last
// pushed; W|{code}|{YYYY-MM} -> what every publication of that month so far withheld (kept
// withheld in every later one: sticky suppression; a linked pair's two keys hold the same).
// "stats_counters" (counters): {code}|{YYYY-MM}|{post}|{host}|{column}|{sex}|{age};
// V|{code}|{YYYY-MM}: changes to that month (what is pushed follows it); D|{YYYY-MM}|
// {category}|{days}: cases closed by days to close; H{code}|{YYYY-MM}|{facts}: counts
// imported from before the node (ImportHistory), one month replaced as a whole.
class Stats {
 public:
  static void AddColumnFamilies(storage::StoreOptions& options);
  // `secretariats`: the federation's secretariat members (none when standalone).
  Stats(storage::Store* store, txn::Committer* committer, std::string self,
        enlace::node::v1::StatsConfig config, const Clock* clock,
        std::function<std::vector<std::string>()> secretariats = {},
        std::vector<std::string> posts = {});
  ~Stats();

  void Start() { worker_.Start(); }
  void Stop() { worker_.Stop(); }
  // One pass of the push: every ended month whose counts changed since it was last pushed
  // to a secretariat (or never was) is protected and queued to it. Returns how many.
  absl::StatusOr<int> PushReleases();

  // The registry's case hook (Registry::AddCaseHook).
  absl::Status OnCaseVersion(const enlace::cases::v1::Case* before,
                             const enlace::cases::v1::Case& after,
                             const enlace::cases::v1::Person* person, txn::Transaction& txn);

  // The registry's action hook (Registry::AddActionHook): actions by type, in the month
  // recorded, by the facts their case opened with.
  absl::Status OnAction(const enlace::cases::v1::Case& kase,
                        const enlace::cases::v1::Action& action, txn::Transaction& txn);

  absl::StatusOr<v1::MonthlyRelease> GetMonthlyRelease(const v1::GetMonthlyReleaseRequest& request,
                                                       const Caller& caller);
  absl::StatusOr<v1::ImportHistoryResponse> ImportHistory(const v1::ImportHistoryRequest& request,
                                                          const Caller& caller);

  // The release before protection (for tests and benchmarks).
  absl::StatusOr<Release> BuildRelease(absl::string_view month, absl::string_view measure) const;
  // The protected release as it would be published now (sticky to what was published).
  absl::StatusOr<v1::MonthlyRelease> ProtectedReleaseOf(absl::string_view month,
                                                       absl::string_view measure) const;

 private:
  // A release about to leave the node, and what it and every earlier publication of the
  // month withheld (Withheld, encoded), to be kept in the same commit as the publication.
  struct Publication {
    v1::MonthlyRelease release;
    // Kept under every key of WithheldKeys (a linked pair's are the same).
    std::string withheld;
    // The release of the linked measure (measures.h, LinkedMeasure), protected with this one.
    std::optional<v1::MonthlyRelease> linked;
  };
  // Under the locks of WithheldKeys(month, measure) when the result is published.
  absl::StatusOr<Publication> Prepare(absl::string_view month, absl::string_view measure) const;
  absl::Status Fill(const Release& r, const ProtectedRelease& p, absl::string_view month,
                    absl::string_view measure, v1::MonthlyRelease& out) const;
  static std::string WithheldKey(absl::string_view month, absl::string_view measure);
  // The measure's key, and its linked measure's.
  static std::vector<std::string> WithheldKeys(absl::string_view month, const Measure& m);
  // Closed cases of a month by category and days from opening to closing.
  absl::StatusOr<std::map<std::string, std::map<int64_t, int64_t>>> DaysToClose(
      absl::string_view month) const;

  storage::Store* store_;
  txn::Committer* committer_;
  const std::string self_;
  const int64_t threshold_;
  const int64_t sensitive_threshold_;
  const Clock* clock_;
  const Tally tally_;
  const storage::ColumnFamily* facts_;
  const storage::ColumnFamily* counters_;
  const std::function<std::vector<std::string>()> secretariats_;
  const std::vector<std::string> posts_;
  storage::KeyLocks locks_;
  replication::FollowUpWorker worker_;
};

}  // namespace enlace::stats

#endif  // ENLACE_SERVICES_STATS_STATS_H_
