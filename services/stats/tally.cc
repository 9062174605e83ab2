#include "services/stats/tally.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/cases/rules.h"
#include "common/status/macros.h"

namespace enlace::stats {
namespace {

namespace cv1 = ::enlace::cases::v1;

constexpr char kFactsCf[] = "stats";
constexpr char kCountersCf[] = "stats_counters";

}  // namespace

std::string SexOf(const cv1::Person& p) {
  if (p.sex() == cv1::SEX_UNSPECIFIED) return "unknown";
  return absl::AsciiStrToLower(cv1::Sex_Name(p.sex()).substr(4));  // SEX_FEMALE -> female
}

std::string AgeGroupOf(const cv1::Person& p, absl::Time at) {
  if (p.birth_date().empty() && p.age_band() == cv1::AGE_BAND_UNSPECIFIED) return "unknown";
  return cases::IsUnder18(p, at) ? "child" : "adult";
}

void Tally::AddColumnFamilies(storage::StoreOptions& options) {
  if (std::find(options.column_families.begin(), options.column_families.end(), kFactsCf) ==
      options.column_families.end()) {
    options.column_families.push_back(kFactsCf);
    options.counter_families.push_back(kCountersCf);
  }
}

Tally::Tally(storage::Store* store)
    : store_(store), facts_(store->cf(kFactsCf)), counters_(store->cf(kCountersCf)) {}

void Tally::Add(txn::Transaction& txn, const Measure& measure, absl::string_view month,
                const Facts& facts, int64_t n) const {
  txn.batch.AddToCounter(counters_, absl::StrCat(std::string(1, measure.code), "|", month, "|",
                                                 facts.Join()),
                         n);
  // Any change to a month is pushed again; the count of changes is its version.
  txn.batch.AddToCounter(counters_, absl::StrCat("V|", std::string(1, measure.code), "|", month),
                         1);
}

void Tally::AddAmount(txn::Transaction& txn, const Measure& measure, absl::string_view month,
                      absl::string_view currency, int64_t amount, int64_t contributors) const {
  const std::string code(1, measure.code);
  const std::string suffix = absl::StrCat(code, "|", month, "|", currency);
  if (amount != 0) txn.batch.AddToCounter(counters_, absl::StrCat("$", suffix), amount);
  if (contributors != 0) {
    txn.batch.AddToCounter(counters_, absl::StrCat("#", suffix), contributors);
  }
  txn.batch.AddToCounter(counters_, absl::StrCat("V|", code, "|", month), 1);
}

void Tally::Remember(txn::Transaction& txn, absl::string_view key, absl::string_view month,
                     const Facts& facts) const {
  txn.batch.Put(facts_, absl::StrCat("F|", key), absl::StrCat(month, " ", facts.Join()));
}

void Tally::Forget(txn::Transaction& txn, absl::string_view key) const {
  txn.batch.Delete(facts_, absl::StrCat("F|", key));
}

absl::StatusOr<std::optional<Tally::Remembered>> Tally::Recall(absl::string_view key) const {
  ENLACE_ASSIGN_OR_RETURN(auto value, store_->Get(facts_, absl::StrCat("F|", key)));
  if (!value.has_value()) return std::nullopt;
  const size_t space = value->find(' ');
  if (space == std::string::npos) return absl::DataLossError("remembered facts without a month");
  auto facts = Facts::Parse(absl::string_view(*value).substr(space + 1));
  if (!facts.has_value()) return absl::DataLossError("remembered facts are malformed");
  return Remembered{value->substr(0, space), *std::move(facts)};
}

}  // namespace enlace::stats
