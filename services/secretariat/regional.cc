#include "services/secretariat/regional.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/geo/geo.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/proto_time.h"
#include "enlace/stats/v1/stats.pb.h"
#include "services/secretariat/rules.h"
#include "services/stats/measures.h"

namespace enlace::secretariat {
namespace {

constexpr char kCf[] = "secretariat";
constexpr char kReleaseKind[] = "stats.release";

std::string Key(absl::string_view measure, absl::string_view month, absl::string_view member) {
  return absl::StrCat("R|", measure, "|", month, "|", member);
}

absl::StatusOr<std::string> Measure(const std::string& requested) {
  const stats::Measure* measure = stats::FindMeasure(requested);
  if (measure == nullptr) return InvalidField("measure", stats::MeasureNames());
  return measure->name;
}

}  // namespace

void Regional::AddColumnFamilies(storage::StoreOptions& options) {
  if (std::find(options.column_families.begin(), options.column_families.end(), kCf) ==
      options.column_families.end()) {
    options.column_families.push_back(kCf);
  }
}

Regional::Regional(storage::Store* store, txn::Committer* committer,
                   std::function<std::vector<std::string>()> members, const Clock* clock)
    : store_(store),
      committer_(committer),
      members_(std::move(members)),
      clock_(clock),
      cf_(store->cf(kCf)) {}

absl::Status Regional::Apply(const enlace::federation::v1::EnvelopeBody& body,
                             txn::Transaction& txn) {
  if (body.kind() != kReleaseKind) {
    return absl::InvalidArgumentError("the secretariat receives statistics releases only");
  }
  enlace::stats::v1::ReleaseEnvelope e;
  if (!e.ParseFromString(body.payload()) || e.revision() < 1) {
    return absl::InvalidArgumentError("payload is not a ReleaseEnvelope");
  }
  const std::string current_month =
      absl::FormatTime("%Y-%m", clock_->Now(), absl::UTCTimeZone());
  ENLACE_RETURN_IF_ERROR(CheckRelease(e.release(), body.sender(), current_month));
  const std::string key = Key(e.release().measure(), e.release().month(), body.sender());
  ENLACE_ASSIGN_OR_RETURN(auto stored, store_->Get(cf_, key));
  v1::MemberRelease m;
  if (stored.has_value() && m.ParseFromString(*stored) && m.revision() >= e.revision()) {
    return absl::OkStatus();  // late or repeated
  }
  m.Clear();
  m.set_country(body.sender());
  m.set_revision(e.revision());
  *m.mutable_receive_time() = ToProtoTime(clock_->Now());
  *m.mutable_release() = e.release();
  txn.batch.Put(cf_, key, m.SerializeAsString());
  txn.Audit(body.sender(), "secretariat.release_received", {})
      .set_detail(absl::StrCat(e.release().measure(), " ", e.release().month(), " revision ",
                               e.revision()));
  return absl::OkStatus();
}

absl::StatusOr<v1::ListMonthsResponse> Regional::ListMonths(const v1::ListMonthsRequest& request,
                                                            const Caller& caller) {
  ENLACE_ASSIGN_OR_RETURN(const std::string measure, Measure(request.measure()));
  std::set<std::string, std::greater<>> months;
  const std::string prefix = absl::StrCat("R|", measure, "|");
  for (auto it = store_->ScanPrefix(cf_, prefix); it->Valid(); it->Next()) {
    months.insert(std::string(it->key().substr(prefix.size(), 7)));
  }
  v1::ListMonthsResponse out;
  for (const auto& m : months) out.add_months(m);
  return out;
}

absl::StatusOr<v1::RegionalRelease> Regional::GetRegionalRelease(
    const v1::GetRegionalReleaseRequest& request, const Caller& caller) {
  ENLACE_ASSIGN_OR_RETURN(const std::string measure, Measure(request.measure()));
  const std::string& month = request.month();
  if (month.size() != 7 || month[4] != '-') return InvalidField("month", "YYYY-MM");
  std::set<std::string> only;
  for (int i = 0; i < request.members_size(); ++i) {
    if (!geo::IsCountryCode(request.members(i))) {
      return InvalidField(absl::StrCat("members[", i, "]"), "ISO 3166-1 alpha-2");
    }
    only.insert(request.members(i));
  }
  std::vector<v1::MemberRelease> members;
  const std::string prefix = absl::StrCat("R|", measure, "|", month, "|");
  for (auto it = store_->ScanPrefix(cf_, prefix); it->Valid(); it->Next()) {
    v1::MemberRelease m;
    if (!m.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) continue;
    if (!only.empty() && !only.count(m.country())) continue;
    members.push_back(std::move(m));
  }
  std::vector<std::string> expected;
  for (const auto& m : members_()) {
    if (only.empty() || only.count(m)) expected.push_back(m);
  }
  txn::Transaction txn;
  txn.Audit(caller.identity, "secretariat.GetRegionalRelease", {})
      .set_detail(absl::StrCat(measure, " ", month));
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return RegionalView(month, measure, members, expected);
}

}  // namespace enlace::secretariat
