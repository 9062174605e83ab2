#ifndef ENLACE_SERVICES_SECRETARIAT_DASHBOARD_FAKE_DATA_H_
#define ENLACE_SERVICES_SECRETARIAT_DASHBOARD_FAKE_DATA_H_

// For tests: DashboardData over member releases held in memory, with regional sums computed
// the simple way (sum of published values; complete when every member's part is published).
// Sample() builds a few months of three members (MX, GT, HN; SV of the federation never
// sends) with primary and secondary cells, a withheld children cell and a NOT_PUBLISHED column,
// for the ten measures (services/stats/measures.h; a sample of each one's columns): cases closed
// carry medians (some not published), HN's notifications are too few for some column totals to
// be published, in crisis_accounting MX's confirmed deaths are withheld (3, under the deaths
// threshold of 10), in cases_opened_by_subtype GT's human rights subtypes are not published
// and the subtypes about children, trafficking and gender-based violence are at 10, and in
// case_vulnerabilities MX's presumed victims of trafficking are withheld (6, under 10).

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "services/secretariat/dashboard/data.h"

namespace enlace::secretariat::dashboard {

class FakeDashboardData : public DashboardData {
 public:
  static FakeDashboardData Sample();

  FakeDashboardData() = default;
  FakeDashboardData(const FakeDashboardData& o)
      : federation_(o.federation_), releases_(o.releases_) {}

  void SetFederation(std::vector<std::string> members) { federation_ = std::move(members); }
  void Add(const enlace::stats::v1::MonthlyRelease& release);

  absl::StatusOr<enlace::secretariat::v1::ListMonthsResponse> ListMonths(
      const enlace::secretariat::v1::ListMonthsRequest& request, const Caller& caller) override;
  absl::StatusOr<enlace::secretariat::v1::RegionalRelease> GetRegionalRelease(
      const enlace::secretariat::v1::GetRegionalReleaseRequest& request,
      const Caller& caller) override;

  int calls() const {
    absl::MutexLock l(&mu_);
    return calls_;
  }
  // The identities of the callers, one per call, in order.
  std::vector<std::string> callers() const {
    absl::MutexLock l(&mu_);
    return callers_;
  }

 private:
  mutable absl::Mutex mu_;
  int calls_ = 0;
  std::vector<std::string> callers_;
  std::vector<std::string> federation_;
  // (measure, month, country) -> release
  std::map<std::tuple<std::string, std::string, std::string>, enlace::stats::v1::MonthlyRelease>
      releases_;
};

}  // namespace enlace::secretariat::dashboard

#endif  // ENLACE_SERVICES_SECRETARIAT_DASHBOARD_FAKE_DATA_H_
