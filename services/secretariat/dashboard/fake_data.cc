#include "services/secretariat/dashboard/fake_data.h"

#include <algorithm>
#include <set>

#include "absl/strings/str_cat.h"

namespace enlace::secretariat::dashboard {
namespace {

namespace v1 = ::enlace::secretariat::v1;
namespace stats = ::enlace::stats::v1;

// Each measure's columns, as services/stats/measures.h names them (a sample of the categories).
std::vector<std::string> ColumnsOf(const std::string& measure) {
  if (measure == "notifications") {
    return {"acknowledged_within_24h", "acknowledged_later", "not_acknowledged"};
  }
  if (measure == "crisis_accounting") {
    return {"WELFARE_STATUS_UNACCOUNTED",       "WELFARE_STATUS_INQUIRY_OPEN",
            "WELFARE_STATUS_CONTACTED_SAFE",    "WELFARE_STATUS_BELIEVED_SAFE",
            "WELFARE_STATUS_NEEDS_ASSISTANCE",  "WELFARE_STATUS_INJURED",
            "WELFARE_STATUS_DETAINED",          "WELFARE_STATUS_BELIEVED_MISSING",
            "WELFARE_STATUS_BELIEVED_DECEASED", "WELFARE_STATUS_DECEASED_CONFIRMED",
            "WELFARE_STATUS_DEPARTED_OR_EVACUATED", "WELFARE_STATUS_NOT_IN_AREA"};
  }
  if (measure == "labour_claims_ended") {
    return {"CLAIM_STATUS_RECOVERED", "CLAIM_STATUS_PARTIAL", "CLAIM_STATUS_DISMISSED",
            "CLAIM_STATUS_WITHDRAWN"};
  }
  if (measure == "actions") {
    return {"ACTION_TYPE_PHONE_CALL", "ACTION_TYPE_INTERVIEW", "ACTION_TYPE_AUTHORITY_CONTACTED",
            "ACTION_TYPE_DETENTION_VISIT", "ACTION_TYPE_DOCUMENT_ISSUED"};
  }
  if (measure == "cases_opened_by_subtype") {
    // A sample of four categories' subtypes, each category's followed by its other column.
    return {"SUBTYPE_IMMIGRATION_DETENTION", "SUBTYPE_DEPORTATION",
            "SUBTYPE_MINOR_IN_CUSTODY",      "CATEGORY_MIGRATION/SUBTYPE_OTHER",
            "SUBTYPE_CRIMINAL_DETENTION",    "CATEGORY_CRIMINAL/SUBTYPE_OTHER",
            "SUBTYPE_UNPAID_WAGES",          "SUBTYPE_LABOUR_EXPLOITATION",
            "CATEGORY_LABOUR/SUBTYPE_OTHER", "SUBTYPE_TRAFFICKING",
            "SUBTYPE_GENDER_BASED_VIOLENCE", "CATEGORY_HUMAN_RIGHTS/SUBTYPE_OTHER"};
  }
  if (measure == "case_vulnerabilities") {
    return {"VULNERABILITY_IRREGULAR_STATUS",    "VULNERABILITY_DETAINED",
            "VULNERABILITY_UNACCOMPANIED_CHILD", "VULNERABILITY_PRESUMED_TRAFFICKING_VICTIM",
            "VULNERABILITY_GBV_SURVIVOR",        "VULNERABILITY_OLDER_PERSON",
            "VULNERABILITY_INDIGENOUS",          "none"};
  }
  if (measure == "referrals_ended") {
    return {"OUTCOME_SUCCESS", "OUTCOME_CLIENT_REFUSED", "OUTCOME_NO_CAPACITY",
            "OUTCOME_NO_LONGER_NEEDED", "OUTCOME_UNREACHABLE", "OUTCOME_OTHER", "REVOKED"};
  }
  return {"CATEGORY_MIGRATION", "CATEGORY_CRIMINAL", "CATEGORY_LABOUR", "CATEGORY_HUMAN_RIGHTS",
          "CATEGORY_CIVIL_FAMILY"};
}
// The deaths columns of crisis_accounting: threshold 10 (services/stats/measures.cc).
bool IsDeathsColumn(const std::string& column) {
  return column == "WELFARE_STATUS_BELIEVED_DECEASED" ||
         column == "WELFARE_STATUS_DECEASED_CONFIRMED";
}
// Columns at threshold 10 (services/stats/measures.cc): deaths; subtypes and vulnerabilities
// about children, trafficking and gender-based violence.
bool IsSensitiveColumn(const std::string& column) {
  return IsDeathsColumn(column) || column == "SUBTYPE_MINOR_IN_CUSTODY" ||
         column == "SUBTYPE_TRAFFICKING" || column == "SUBTYPE_GENDER_BASED_VIOLENCE" ||
         column == "VULNERABILITY_UNACCOMPANIED_CHILD" ||
         column == "VULNERABILITY_PRESUMED_TRAFFICKING_VICTIM" ||
         column == "VULNERABILITY_GBV_SURVIVOR";
}
// The columns of human rights' subtypes (the sample's last three of cases_opened_by_subtype).
bool IsHumanRightsSubtype(const std::string& column) {
  return column == "SUBTYPE_TRAFFICKING" || column == "SUBTYPE_GENDER_BASED_VIOLENCE" ||
         column == "CATEGORY_HUMAN_RIGHTS/SUBTYPE_OTHER";
}
bool IsCaseMeasure(const std::string& measure) {
  return measure == "cases_opened" || measure == "cases_closed" || measure == "persons_assisted";
}

// Deterministic pseudo-counts.
int64_t Count(const std::string& seed, int scale) {
  uint32_t h = 2166136261u;
  for (unsigned char c : seed) h = (h ^ c) * 16777619u;
  return static_cast<int64_t>(h % static_cast<uint32_t>(scale));
}

// A row from true counts: cells under their threshold (the row's, or the column's when higher,
// as services/stats/disclosure.cc holds them) primary, and for each row with a primary cell
// the smallest published cell secondary (so the row total cannot reveal it).
stats::Row MakeRow(const std::string& key, const std::vector<int64_t>& counts, int64_t threshold,
                   const std::vector<bool>& published_columns,
                   const std::vector<int64_t>& column_thresholds) {
  stats::Row row;
  row.set_key(key);
  row.set_threshold(threshold);
  int64_t total = 0;
  int primaries = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    stats::Cell* c = row.add_cells();
    if (!published_columns[i]) {
      c->set_flag(stats::FLAG_NOT_PUBLISHED);
      continue;
    }
    total += counts[i];
    if (counts[i] > 0 && counts[i] < std::max(threshold, column_thresholds[i])) {
      c->set_flag(stats::FLAG_PRIMARY);
      ++primaries;
    } else {
      c->set_flag(stats::FLAG_PUBLISHED);
      c->set_value(counts[i]);
    }
  }
  if (primaries == 1) {
    int best = -1;
    for (int i = 0; i < row.cells_size(); ++i) {
      if (row.cells(i).flag() != stats::FLAG_PUBLISHED || row.cells(i).value() == 0) continue;
      if (best < 0 || row.cells(i).value() < row.cells(best).value()) best = i;
    }
    if (best >= 0) {
      row.mutable_cells(best)->set_value(0);
      row.mutable_cells(best)->set_flag(stats::FLAG_SECONDARY);
    }
  }
  if (total > 0 && total < threshold) {
    row.mutable_total()->set_flag(stats::FLAG_PRIMARY);
  } else {
    row.mutable_total()->set_flag(stats::FLAG_PUBLISHED);
    row.mutable_total()->set_value(total);
  }
  return row;
}

stats::MonthlyRelease MakeRelease(const std::string& country, const std::string& month,
                                  const std::string& measure, int scale) {
  stats::MonthlyRelease r;
  r.set_country(country);
  r.set_month(month);
  r.set_measure(measure);
  const std::vector<std::string> columns = ColumnsOf(measure);
  const int num_columns = static_cast<int>(columns.size());
  std::vector<bool> published(num_columns, true);
  const bool crisis = measure == "crisis_accounting";
  const bool subtypes = measure == "cases_opened_by_subtype";
  const bool vulnerabilities = measure == "case_vulnerabilities";
  std::vector<int64_t> thresholds;
  for (const auto& c : columns) thresholds.push_back(IsSensitiveColumn(c) ? 10 : 5);
  // Human rights is published nowhere by GT in the sample (a NOT_PUBLISHED column), nor are
  // its subtypes.
  if (country == "GT" && IsCaseMeasure(measure)) published[3] = false;
  if (country == "GT" && subtypes) {
    for (int i = 0; i < num_columns; ++i) published[i] = !IsHumanRightsSubtype(columns[i]);
  }
  for (int i = 0; i < num_columns; ++i) {
    r.add_columns(columns[i]);
    r.add_column_thresholds(thresholds[i]);
  }
  std::vector<std::string> hosts = {"US", "MX", "CA"};
  if (country == "MX") hosts = {"US", "CA", "GT"};
  const std::string seed = absl::StrCat(country, month, measure);
  std::vector<int64_t> col_totals(num_columns, 0);
  stats::Table* host = r.add_tables();
  host->set_dimension("host_country");
  std::vector<std::vector<int64_t>> host_counts;
  for (size_t h = 0; h < hosts.size(); ++h) {
    std::vector<int64_t> counts;
    for (int i = 0; i < num_columns; ++i) {
      int s = h == 0 ? scale : scale / 6;
      int64_t v = Count(absl::StrCat(seed, hosts[h], i), s);
      // Every month of every member has at least one small cell (1..4): primary.
      if (h == 1 && i == 2) v = 1 + Count(absl::StrCat(seed, "small"), 4);
      // HN acknowledges few notifications late: its total of them is always withheld.
      if (measure == "notifications" && country == "HN" && i == 1) v = h == 1 ? 2 : 0;
      // Crisis: every status at least 5 in the first crisis area (so the shares depend on the
      // deaths only); deaths few. MX has 3 deaths confirmed (withheld, threshold 10), 12
      // believed; HN 10 or more believed; GT none.
      if (crisis) {
        if (h == 0 && v < 5) v = 5;
        if (IsDeathsColumn(columns[i])) {
          const bool confirmed = columns[i] == "WELFARE_STATUS_DECEASED_CONFIRMED";
          v = 0;
          if (h == 0 && country == "MX") v = confirmed ? 3 : 12;
          if (h == 0 && country == "HN" && !confirmed) v = 10 + Count(seed, 5);
        }
      }
      // MX's presumed victims of trafficking: 6 in a month, under their threshold of 10 (the
      // column total withheld "<10" though over 5).
      if (vulnerabilities && country == "MX" &&
          columns[i] == "VULNERABILITY_PRESUMED_TRAFFICKING_VICTIM") {
        v = h == 0 ? 6 : 0;
      }
      counts.push_back(v);
      if (published[i]) col_totals[i] += v;
    }
    *host->add_rows() = MakeRow(hosts[h], counts, 5, published, thresholds);
    host_counts.push_back(counts);
  }
  // sex: split each column's total.
  stats::Table* sex = r.add_tables();
  sex->set_dimension("sex");
  std::vector<int64_t> female, male;
  for (int i = 0; i < num_columns; ++i) {
    int64_t f = col_totals[i] * (35 + Count(absl::StrCat(seed, "f", i), 20)) / 100;
    female.push_back(f);
    male.push_back(col_totals[i] - f);
  }
  if (crisis) {
    // The crisis module does not record sex: one row, "unknown".
    *sex->add_rows() = MakeRow("unknown", col_totals, 5, published, thresholds);
  } else {
    *sex->add_rows() = MakeRow("female", female, 5, published, thresholds);
    *sex->add_rows() = MakeRow("male", male, 5, published, thresholds);
  }
  // age_group: children at threshold 10.
  stats::Table* age = r.add_tables();
  age->set_dimension("age_group");
  std::vector<int64_t> child, adult;
  for (int i = 0; i < num_columns; ++i) {
    int64_t c = std::min<int64_t>(col_totals[i], Count(absl::StrCat(seed, "c", i), 30));
    child.push_back(c);
    adult.push_back(col_totals[i] - c);
  }
  *age->add_rows() = MakeRow("adult", adult, 5, published, thresholds);
  *age->add_rows() = MakeRow("child", child, 10, published, thresholds);
  int64_t grand = 0;
  for (int i = 0; i < num_columns; ++i) {
    stats::Cell* c = r.add_column_totals();
    if (!published[i]) {
      c->set_flag(stats::FLAG_NOT_PUBLISHED);
      continue;
    }
    grand += col_totals[i];
    // The new measures' column totals are held to the threshold too (the case measures of the
    // sample keep theirs published, as the existing tests expect).
    if (!IsCaseMeasure(measure) && col_totals[i] > 0 && col_totals[i] < thresholds[i]) {
      c->set_flag(stats::FLAG_PRIMARY);
      continue;
    }
    c->set_flag(stats::FLAG_PUBLISHED);
    c->set_value(col_totals[i]);
  }
  bool total_withheld = false;
  for (const auto& c : r.column_totals()) total_withheld |= c.flag() == stats::FLAG_PRIMARY;
  if ((crisis || subtypes || vulnerabilities) && total_withheld) {
    // Published, the grand total less the other columns would give the withheld one away.
    r.mutable_grand_total()->set_flag(stats::FLAG_SECONDARY);
  } else {
    r.mutable_grand_total()->set_flag(stats::FLAG_PUBLISHED);
    r.mutable_grand_total()->set_value(grand);
  }
  if (measure == "cases_closed") {
    // Median days to close: published beside a published column total of at least 5; HN's
    // last column never (as if its count were under the threshold).
    for (int i = 0; i < num_columns; ++i) {
      stats::Cell* m = r.add_column_medians();
      const auto& total = r.column_totals(i);
      if (total.flag() != stats::FLAG_PUBLISHED || total.value() < 5 ||
          (country == "HN" && i == num_columns - 1)) {
        m->set_flag(stats::FLAG_NOT_PUBLISHED);
        continue;
      }
      m->set_flag(stats::FLAG_PUBLISHED);
      m->set_value(3 + Count(absl::StrCat(seed, "median", i), 90));
    }
    r.mutable_median()->set_flag(stats::FLAG_PUBLISHED);
    r.mutable_median()->set_value(10 + Count(absl::StrCat(seed, "median"), 40));
  }
  if (measure == "labour_claims_ended") {
    // Recovered in USD by every member; in CAD by MX and GT. MX recovers in CAD through fewer
    // claims than the threshold: withheld (FLAG_PRIMARY, 0), so the regional CAD is incomplete.
    auto add = [&](const std::string& currency, bool published) {
      stats::Amount* a = r.add_amounts();
      a->set_currency(currency);
      a->set_threshold(5);
      if (!published) {
        a->mutable_total()->set_flag(stats::FLAG_PRIMARY);
        return;
      }
      a->mutable_total()->set_flag(stats::FLAG_PUBLISHED);
      // Minor units: whole dollars and some cents.
      a->mutable_total()->set_value(100 * (2000 + Count(absl::StrCat(seed, currency), 90000)) +
                                    Count(absl::StrCat(seed, currency, "c"), 100));
    };
    add("USD", true);
    if (country == "MX") add("CAD", false);
    if (country == "GT") add("CAD", true);
  }
  return r;
}

void AddTo(v1::RegionalCell* sum, const stats::Cell& cell, const std::string& country) {
  if (cell.flag() == stats::FLAG_PUBLISHED) {
    sum->set_value(sum->value() + cell.value());
  } else {
    sum->set_complete(false);
    sum->add_incomplete_members(country);
  }
}

void Incomplete(v1::RegionalCell* sum, const std::vector<std::string>& missing) {
  for (const auto& m : missing) {
    sum->set_complete(false);
    sum->add_incomplete_members(m);
  }
}

}  // namespace

FakeDashboardData FakeDashboardData::Sample() {
  FakeDashboardData d;
  d.SetFederation({"GT", "HN", "MX", "SV"});
  const std::vector<std::string> months = {"2026-05", "2026-06", "2026-07", "2026-08",
                                           "2026-09", "2026-10"};
  for (const auto& month : months) {
    for (const char* measure : {"cases_opened", "cases_closed", "persons_assisted", "notifications",
                                "referrals_ended", "crisis_accounting", "labour_claims_ended",
                                "actions", "cases_opened_by_subtype", "case_vulnerabilities"}) {
      const bool notifications = std::string(measure) == "notifications";
      // Crisis numbers are smaller: a few hundred nationals in crisis areas.
      const bool crisis = std::string(measure) == "crisis_accounting";
      d.Add(MakeRelease("MX", month, measure, notifications ? 400 : crisis ? 300 : 900));
      d.Add(MakeRelease("GT", month, measure, notifications ? 60 : 120));
      // HN has not sent October's cases yet; it receives few notifications (withheld totals).
      if (month != "2026-10" || notifications || std::string(measure) == "crisis_accounting") {
        d.Add(MakeRelease("HN", month, measure, notifications ? 12 : 80));
      }
    }
  }
  return d;
}

void FakeDashboardData::Add(const stats::MonthlyRelease& release) {
  absl::MutexLock l(&mu_);
  releases_[{release.measure(), release.month(), release.country()}] = release;
}

absl::StatusOr<v1::ListMonthsResponse> FakeDashboardData::ListMonths(
    const v1::ListMonthsRequest& request, const Caller& caller) {
  absl::MutexLock l(&mu_);
  ++calls_;
  callers_.push_back(caller.identity);
  const std::string measure = request.measure().empty() ? "cases_opened" : request.measure();
  std::set<std::string, std::greater<>> months;
  for (const auto& [key, r] : releases_) {
    if (std::get<0>(key) == measure) months.insert(std::get<1>(key));
  }
  v1::ListMonthsResponse out;
  for (const auto& m : months) out.add_months(m);
  return out;
}

absl::StatusOr<v1::RegionalRelease> FakeDashboardData::GetRegionalRelease(
    const v1::GetRegionalReleaseRequest& request, const Caller& caller) {
  absl::MutexLock l(&mu_);
  ++calls_;
  callers_.push_back(caller.identity);
  const std::string measure = request.measure().empty() ? "cases_opened" : request.measure();
  std::vector<std::string> wanted(request.members().begin(), request.members().end());
  if (wanted.empty()) wanted = federation_;
  for (const auto& m : wanted) {
    if (std::find(federation_.begin(), federation_.end(), m) == federation_.end()) {
      return absl::InvalidArgumentError(absl::StrCat(m, " is not a member of the federation"));
    }
  }
  v1::RegionalRelease out;
  out.set_month(request.month());
  out.set_measure(measure);
  std::vector<std::string> missing;
  for (const auto& m : wanted) {
    auto it = releases_.find({measure, request.month(), m});
    if (it == releases_.end()) {
      missing.push_back(m);
      out.add_missing_members(m);
      continue;
    }
    v1::MemberRelease* mr = out.add_members();
    mr->set_country(m);
    mr->set_revision(1);
    mr->mutable_receive_time()->set_seconds(1790000000);
    *mr->mutable_release() = it->second;
  }
  if (out.members().empty()) {
    return absl::NotFoundError(absl::StrCat("no member sent ", request.month()));
  }
  const auto& first = out.members(0).release();
  for (const auto& c : first.columns()) out.add_columns(c);
  auto fresh = [&](v1::RegionalCell* c) {
    c->set_complete(true);
    Incomplete(c, missing);
  };
  for (int i = 0; i < out.columns_size(); ++i) fresh(out.add_column_totals());
  fresh(out.mutable_grand_total());
  std::map<std::string, std::map<std::string, v1::RegionalRow>> tables;
  std::vector<std::string> dims;
  for (const auto& mr : out.members()) {
    const auto& r = mr.release();
    for (int i = 0; i < r.column_totals_size(); ++i) {
      AddTo(out.mutable_column_totals(i), r.column_totals(i), mr.country());
    }
    AddTo(out.mutable_grand_total(), r.grand_total(), mr.country());
    for (const auto& t : r.tables()) {
      if (std::find(dims.begin(), dims.end(), t.dimension()) == dims.end()) {
        dims.push_back(t.dimension());
      }
      for (const auto& row : t.rows()) {
        auto& rr = tables[t.dimension()][row.key()];
        if (rr.key().empty()) {
          rr.set_key(row.key());
          for (int i = 0; i < out.columns_size(); ++i) fresh(rr.add_cells());
          fresh(rr.mutable_total());
        }
        for (int i = 0; i < row.cells_size(); ++i) {
          AddTo(rr.mutable_cells(i), row.cells(i), mr.country());
        }
        AddTo(rr.mutable_total(), row.total(), mr.country());
      }
    }
  }
  for (const auto& d : dims) {
    v1::RegionalTable* t = out.add_tables();
    t->set_dimension(d);
    for (auto& [key, row] : tables[d]) *t->add_rows() = row;
  }
  return out;
}

}  // namespace enlace::secretariat::dashboard
