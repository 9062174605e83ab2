#ifndef ENLACE_SERVICES_SECRETARIAT_RULES_H_
#define ENLACE_SERVICES_SECRETARIAT_RULES_H_

// The secretariat's rules: pure functions, no I/O, unit-tested in rules_test.cc.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "enlace/secretariat/v1/secretariat.pb.h"
#include "enlace/stats/v1/stats.pb.h"

namespace enlace::secretariat {

// A member's release as it may be stored: from its sender, for an ended month of a known
// measure, its columns the case categories, its rows keys of their dimension's form (a
// country, a post code, a sex, an age group: never free text, so a node cannot slip a name
// in), every published cell zero or at least its threshold (at least 5; 10 for children),
// every withheld cell shown as 0. INVALID_ARGUMENT (the inbox quarantines it) otherwise.
absl::Status CheckRelease(const enlace::stats::v1::MonthlyRelease& r, const std::string& sender,
                          const std::string& current_month);

// The regional view of one month: the members' releases and the sums of what they published.
// A sum is complete only when every member of `expected` sent the month and published that
// part; `expected` members without a release are listed as missing.
v1::RegionalRelease RegionalView(const std::string& month, const std::string& measure,
                                 const std::vector<v1::MemberRelease>& members,
                                 const std::vector<std::string>& expected);

}  // namespace enlace::secretariat

#endif  // ENLACE_SERVICES_SECRETARIAT_RULES_H_
