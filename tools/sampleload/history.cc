#include "tools/sampleload/history.h"

#include <cmath>
#include <random>
#include <string>

#include "absl/strings/str_format.h"

namespace enlace::sampleload {

std::vector<enlace::stats::v1::ImportHistoryRequest> HistoryPlan(
    const enlace::node::v1::NodeConfig& config, absl::CivilMonth last, int months,
    uint64_t seed) {
  // Share of a month's cases by category (labour and migration lead, as in SRE's reports).
  const std::vector<std::pair<const char*, double>> categories = {
      {"CATEGORY_MIGRATION", 0.34}, {"CATEGORY_LABOUR", 0.22},   {"CATEGORY_CRIMINAL", 0.14},
      {"CATEGORY_CIVIL_FAMILY", 0.12}, {"CATEGORY_HUMAN_RIGHTS", 0.08},
      {"CATEGORY_ADMINISTRATIVE", 0.10}};
  std::vector<enlace::stats::v1::ImportHistoryRequest> out;
  for (int k = months - 1; k >= 0; --k) {
    const absl::CivilMonth month = last - k;
    for (const char* measure : {"cases_opened", "cases_closed"}) {
      enlace::stats::v1::ImportHistoryRequest req;
      req.set_month(absl::StrFormat("%04d-%02d", month.year(), month.month()));
      req.set_measure(measure);
      std::mt19937_64 rng(seed * 1000003 + static_cast<uint64_t>(month - absl::CivilMonth(2000, 1)) * 2 +
                          (std::string(measure) == "cases_closed"));
      for (int p = 0; p < config.posts_size(); ++p) {
        const auto& post = config.posts(p);
        // A post's volume (the first posts are the busiest), a seasonal swing, some noise.
        const double base = 220.0 / (1 + p) + 25;
        const double season = 1 + 0.18 * std::sin(2 * M_PI * (month.month() - 3) / 12.0);
        const double closed = std::string(measure) == "cases_closed" ? 0.85 : 1.0;
        std::poisson_distribution<int> volume(base * season * closed);
        const int n = volume(rng);
        for (const auto& [category, share] : categories) {
          std::binomial_distribution<int> in_category(n, share);
          const int c = in_category(rng);
          std::binomial_distribution<int> children(c, 0.07);
          const int kids = children(rng);
          std::binomial_distribution<int> women(c - kids, 0.46);
          const int w = women(rng);
          std::binomial_distribution<int> girls(kids, 0.5);
          const int g = girls(rng);
          const std::vector<std::tuple<const char*, const char*, int>> cells = {
              {"female", "adult", w}, {"male", "adult", c - kids - w},
              {"female", "child", g}, {"male", "child", kids - g}};
          for (const auto& [sex, age, count] : cells) {
            if (count <= 0) continue;
            auto* cell = req.add_cells();
            cell->set_post(post.code());
            cell->set_host_country(post.host_country());
            cell->set_category(category);
            cell->set_sex(sex);
            cell->set_age_group(age);
            cell->set_count(count);
          }
        }
      }
      out.push_back(std::move(req));
    }
  }
  return out;
}

}  // namespace enlace::sampleload
