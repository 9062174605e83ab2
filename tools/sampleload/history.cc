#include "tools/sampleload/history.h"

#include <cmath>
#include <random>
#include <string>

#include "absl/strings/str_format.h"

namespace enlace::sampleload {

std::vector<enlace::stats::v1::ImportHistoryRequest> HistoryPlan(
    const enlace::node::v1::NodeConfig& config, absl::CivilMonth last, int months,
    uint64_t seed) {
  // Each measure: its volume beside the cases opened, and the share of each column (labour
  // and migration lead the categories, as in SRE's reports; most notifications are answered
  // within a day; most referrals end well).
  struct Plan {
    const char* measure;
    double volume;
    std::vector<std::pair<const char*, double>> columns;
  };
  const std::vector<std::pair<const char*, double>> categories = {
      {"CATEGORY_MIGRATION", 0.34}, {"CATEGORY_LABOUR", 0.22},   {"CATEGORY_CRIMINAL", 0.14},
      {"CATEGORY_CIVIL_FAMILY", 0.12}, {"CATEGORY_HUMAN_RIGHTS", 0.08},
      {"CATEGORY_ADMINISTRATIVE", 0.10}};
  const std::vector<Plan> plans = {
      {"cases_opened", 1.0, categories},
      {"cases_closed", 0.85, categories},
      {"persons_assisted", 0.92, categories},
      {"notifications",
       0.30,
       {{"acknowledged_within_24h", 0.78}, {"acknowledged_later", 0.17},
        {"not_acknowledged", 0.05}}},
      {"referrals_ended",
       0.25,
       {{"OUTCOME_SUCCESS", 0.56}, {"OUTCOME_CLIENT_REFUSED", 0.09},
        {"OUTCOME_NO_CAPACITY", 0.12}, {"OUTCOME_NO_LONGER_NEEDED", 0.10},
        {"OUTCOME_UNREACHABLE", 0.08}, {"OUTCOME_OTHER", 0.03}, {"REVOKED", 0.02}}},
      {"actions",
       2.4,
       {{"ACTION_TYPE_PHONE_CALL", 0.24}, {"ACTION_TYPE_INTERVIEW", 0.16},
        {"ACTION_TYPE_AUTHORITY_CONTACTED", 0.14}, {"ACTION_TYPE_LEGAL_ORIENTATION", 0.10},
        {"ACTION_TYPE_DETENTION_VISIT", 0.08}, {"ACTION_TYPE_DOCUMENT_ISSUED", 0.08},
        {"ACTION_TYPE_REFERRAL_MADE", 0.06}, {"ACTION_TYPE_LAWYER_ARRANGED", 0.04},
        {"ACTION_TYPE_HEARING_ATTENDED", 0.03}, {"ACTION_TYPE_HOSPITAL_VISIT", 0.02},
        {"ACTION_TYPE_FAMILY_LOCATED", 0.02}, {"ACTION_TYPE_PERSON_REPATRIATED", 0.01},
        {"ACTION_TYPE_FINANCIAL_ASSISTANCE", 0.01}, {"ACTION_TYPE_REMAINS_REPATRIATED", 0.005},
        {"ACTION_TYPE_PRISONER_TRANSFERRED", 0.002}, {"ACTION_TYPE_EVACUATION_ASSISTANCE", 0.003}}},
      {"labour_claims_ended",
       0.10,
       {{"CLAIM_STATUS_RECOVERED", 0.45}, {"CLAIM_STATUS_PARTIAL", 0.20},
        {"CLAIM_STATUS_DISMISSED", 0.20}, {"CLAIM_STATUS_WITHDRAWN", 0.15}}},
  };
  std::vector<enlace::stats::v1::ImportHistoryRequest> out;
  for (int k = months - 1; k >= 0; --k) {
    const absl::CivilMonth month = last - k;
    for (size_t m = 0; m < plans.size(); ++m) {
      const Plan& plan = plans[m];
      enlace::stats::v1::ImportHistoryRequest req;
      req.set_month(absl::StrFormat("%04d-%02d", month.year(), month.month()));
      req.set_measure(plan.measure);
      std::mt19937_64 rng(seed * 1000003 +
                          static_cast<uint64_t>(month - absl::CivilMonth(2000, 1)) * 8 + m);
      for (int p = 0; p < config.posts_size(); ++p) {
        const auto& post = config.posts(p);
        // A post's volume (the first posts are the busiest), a seasonal swing, some noise.
        const double base = 220.0 / (1 + p) + 25;
        const double season = 1 + 0.18 * std::sin(2 * M_PI * (month.month() - 3) / 12.0);
        std::poisson_distribution<int> volume(base * season * plan.volume);
        const int n = volume(rng);
        for (const auto& [column, share] : plan.columns) {
          std::binomial_distribution<int> in_column(n, share);
          const int c = in_column(rng);
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
            cell->set_category(column);
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
