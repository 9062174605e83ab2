#ifndef ENLACE_SERVICES_STATS_TALLY_H_
#define ENLACE_SERVICES_STATS_TALLY_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/storage/store.h"
#include "common/txn/committer.h"
#include "enlace/cases/v1/person.pb.h"
#include "services/stats/measures.h"

namespace enlace::stats {

// The row keys of a person: "female", "male", "other", "undisclosed", "unknown"; "child",
// "adult" (at `at`) or "unknown".
std::string SexOf(const enlace::cases::v1::Person& p);
std::string AgeGroupOf(const enlace::cases::v1::Person& p, absl::Time at);

// Counts events of a measure in a module's own transaction, so the count commits (or not)
// with the record. Keys (family "stats_counters"): {code}|{YYYY-MM}|{facts} and, for what the
// push to the secretariat follows, V|{code}|{YYYY-MM}. Remembered facts (family "stats"):
// F|{key} -> "{YYYY-MM} {facts}", for an event whose column moves later (an acknowledgement,
// an outcome) even after the record itself was erased.
class Tally {
 public:
  // Idempotent: every module that counts declares the families.
  static void AddColumnFamilies(storage::StoreOptions& options);
  explicit Tally(storage::Store* store);

  void Add(txn::Transaction& txn, const Measure& measure, absl::string_view month,
           const Facts& facts, int64_t n = 1) const;
  // An amount (minor units of `currency`) in the month, and how many more events contributed
  // to it: amounts are published only where enough did (keys ${code}|{month}|{currency} and
  // #{code}|{month}|{currency}).
  void AddAmount(txn::Transaction& txn, const Measure& measure, absl::string_view month,
                 absl::string_view currency, int64_t amount, int64_t contributors) const;
  void Remember(txn::Transaction& txn, absl::string_view key, absl::string_view month,
                const Facts& facts) const;
  struct Remembered {
    std::string month;
    Facts facts;
  };
  absl::StatusOr<std::optional<Remembered>> Recall(absl::string_view key) const;
  // Once its column has moved: an event is counted there once, whatever is replayed after.
  void Forget(txn::Transaction& txn, absl::string_view key) const;

  const storage::ColumnFamily* counters() const { return counters_; }
  const storage::ColumnFamily* facts() const { return facts_; }

 private:
  storage::Store* store_;
  const storage::ColumnFamily* facts_;
  const storage::ColumnFamily* counters_;
};

}  // namespace enlace::stats

#endif  // ENLACE_SERVICES_STATS_TALLY_H_
