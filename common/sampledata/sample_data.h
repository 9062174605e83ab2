#ifndef ENLACE_COMMON_SAMPLEDATA_SAMPLE_DATA_H_
#define ENLACE_COMMON_SAMPLEDATA_SAMPLE_DATA_H_

#include <cstdint>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "enlace/cases/v1/case.pb.h"
#include "enlace/cases/v1/person.pb.h"
#include "enlace/node/v1/config.pb.h"

namespace enlace::sampledata {

// Target share of each case category for a node country (sums to 1): the demo's assumed mix,
// not official statistics. Guatemala and Honduras lean further towards migration (the route
// through Mexico) than Mexico does; other countries get Mexico's mix.
std::vector<std::pair<enlace::cases::v1::Category, double>> TargetCategoryShares(
    absl::string_view country);

// The category a subtype belongs to (the grouping in case.proto); UNSPECIFIED for unknown.
enlace::cases::v1::Category CategoryOf(enlace::cases::v1::Subtype subtype);

// Deterministic generator of realistic synthetic persons, cases and actions for one node, for
// demos, load tests and integration tests. Nothing here describes a real person: names are
// drawn independently from common given and family names, and document numbers only have
// the right shape. Output-only fields (name, etag, times, created_by) are left empty.
//
// The same (config, seed, UTC day of `now`) gives the same sequence of records: every time is
// taken back from the start of that day, so two generators made on the same day agree and no
// time is ever in the future. Not thread-safe; use one generator per thread.
class SampleData {
 public:
  SampleData(const enlace::node::v1::NodeConfig& config, uint64_t seed,
             absl::Time now = absl::Now());

  // A national of the node's country.
  enlace::cases::v1::Person NextPerson();

  // A new OPEN case of the person `person_name` (a resource name) at one of the config's posts
  // (the config must have at least one), in a city of that post's jurisdiction.
  // Without the person, child-related subtypes decide whether a guardian consents.
  enlace::cases::v1::Case NextCase(const std::string& person_name);
  // Same, consistent with the person: a child's consent comes from a guardian, detained or
  // child persons make urgent cases.
  enlace::cases::v1::Case NextCase(const std::string& person_name,
                                   const enlace::cases::v1::Person& person);

  // A consular act plausible for the case's subtype, at the case's post, after the case was
  // opened (when its create_time is set) and not after the generator's day.
  enlace::cases::v1::Action NextAction(const enlace::cases::v1::Case& c);

  const enlace::node::v1::NodeConfig& config() const { return config_; }
  // Start of the UTC day every generated time is measured back from.
  absl::Time anchor() const { return anchor_; }

 private:
  struct PostInfo {
    int index;                        // into config_.posts()
    std::vector<std::string> places;  // "City, State" within the post's jurisdiction
    double weight;
  };

  enlace::cases::v1::Case MakeCase(const std::string& person_name,
                                   const enlace::cases::v1::Person* person);

  // Uniform helpers over the engine, so the sequence depends only on the seed.
  double Uniform();                // [0, 1)
  int UniformInt(int lo, int hi);  // [lo, hi]
  bool Chance(double p);
  size_t Weighted(const std::vector<double>& weights);
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[UniformInt(0, static_cast<int>(v.size()) - 1)];
  }
  std::string Digits(int n);
  absl::Time RecentTime(absl::Duration max_age);

  enlace::node::v1::NodeConfig config_;
  std::mt19937_64 rng_;
  absl::Time anchor_;
  int anchor_year_;
  std::vector<PostInfo> posts_;
  std::vector<double> post_weights_;
  std::vector<std::pair<enlace::cases::v1::Category, double>> category_shares_;
};

}  // namespace enlace::sampledata

#endif  // ENLACE_COMMON_SAMPLEDATA_SAMPLE_DATA_H_
