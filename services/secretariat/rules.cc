#include "services/secretariat/rules.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/geo/geo.h"
#include "enlace/cases/v1/case.pb.h"
#include "enlace/workers/v1/workers.pb.h"
#include "services/stats/measures.h"

namespace enlace::secretariat {
namespace {

namespace sv1 = ::enlace::stats::v1;
namespace wv1 = ::enlace::workers::v1;

constexpr int64_t kMaxCount = 1000000000;

bool IsMonth(const std::string& m) {
  int y = 0, mm = 0;
  return m.size() == 7 && m[4] == '-' && absl::SimpleAtoi(m.substr(0, 4), &y) &&
         absl::SimpleAtoi(m.substr(5, 2), &mm) && y >= 2000 && mm >= 1 && mm <= 12;
}

// A cell as a protected release shows it: published values are zero or at least the
// threshold; withheld ones show nothing.
bool CellOk(const sv1::Cell& c, int64_t threshold) {
  switch (c.flag()) {
    case sv1::FLAG_PUBLISHED:
      return c.value() == 0 || (c.value() >= threshold && c.value() <= kMaxCount);
    case sv1::FLAG_PRIMARY:
    case sv1::FLAG_SECONDARY:
    case sv1::FLAG_NOT_PUBLISHED:
      return c.value() == 0;
    default:
      return false;
  }
}

// Row keys are codes of their dimension, never free text.
bool KeyOk(const std::string& dimension, const std::string& key, const std::string& sender) {
  static const auto* sexes =
      new std::set<std::string>{"female", "male", "other", "undisclosed", "unknown"};
  static const auto* ages = new std::set<std::string>{"child", "adult", "unknown"};
  if (dimension == "host_country") return geo::IsCountryCode(key);
  if (dimension == "post") return geo::IsPostCode(key) && absl::StartsWith(key, sender + "-");
  if (dimension == "sex") return sexes->count(key) > 0;
  if (dimension == "age_group") return ages->count(key) > 0;
  if (key == "unknown") {  // an event counted before its measure had this dimension
    return dimension == stats::kCrisisDimension || dimension == stats::kProgrammeDimension;
  }
  if (dimension == stats::kProgrammeDimension) {
    wv1::Programme p;
    return wv1::Programme_Parse(key, &p);
  }
  if (dimension == stats::kCrisisDimension) {
    // "{declarer}/{id}": a member's code and an id of letters, digits, '-' and '_'.
    const size_t slash = key.find('/');
    if (slash == std::string::npos || !geo::IsCountryCode(key.substr(0, slash))) return false;
    const absl::string_view id = absl::string_view(key).substr(slash + 1);
    return !id.empty() && id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
      return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
  }
  return false;
}

absl::Status Bad(absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("statistics release refused: ", what));
}

// Adds one member's part to a regional cell.
void Add(v1::RegionalCell& sum, const std::string& member, const sv1::Cell* part) {
  if (part != nullptr && part->flag() == sv1::FLAG_PUBLISHED) {
    sum.set_value(sum.value() + part->value());
    return;
  }
  if (part == nullptr) return;  // a zero the member did not need to list
  sum.set_complete(false);
  sum.add_incomplete_members(member);
}

void Incomplete(v1::RegionalCell& sum, const std::string& member) {
  sum.set_complete(false);
  sum.add_incomplete_members(member);
}

}  // namespace

absl::Status CheckRelease(const sv1::MonthlyRelease& r, const std::string& sender,
                          const std::string& current_month) {
  if (r.country() != sender) return Bad("a member publishes only its own release");
  if (!IsMonth(r.month()) || r.month() >= current_month) return Bad("month: an ended YYYY-MM");
  const stats::Measure* measure = stats::FindMeasure(r.measure());
  if (measure == nullptr || r.measure().empty()) return Bad("measure");
  if (r.withheld()) {
    if (r.columns_size() > 0 || r.tables_size() > 0 || r.column_totals_size() > 0 ||
        r.column_medians_size() > 0 || r.has_median() || r.amounts_size() > 0) {
      return Bad("a withheld month carries no numbers");
    }
    return absl::OkStatus();
  }
  const int columns = r.columns_size();
  if (columns == 0 || r.column_thresholds_size() != columns || r.column_totals_size() != columns) {
    return Bad("columns, their thresholds and totals");
  }
  const std::set<std::string> known(measure->columns.begin(), measure->columns.end());
  std::set<std::string> seen;
  for (int j = 0; j < columns; ++j) {
    if (!known.count(r.columns(j)) || !seen.insert(r.columns(j)).second) {
      return Bad("columns: the measure's own, once each");
    }
    const bool sensitive =
        std::find(measure->sensitive_columns.begin(), measure->sensitive_columns.end(),
                  r.columns(j)) != measure->sensitive_columns.end();
    if (r.column_thresholds(j) < (sensitive ? 10 : 5)) {
      return Bad("column thresholds: at least 5, 10 for deaths");
    }
    if (!CellOk(r.column_totals(j), r.column_thresholds(j))) return Bad("a column total");
  }
  if (!CellOk(r.grand_total(), 5)) return Bad("the grand total");
  // Amounts: a currency code each, once; a published one says how many claims it needed.
  if (!measure->has_amounts && r.amounts_size() > 0) return Bad("amounts of this measure");
  std::set<std::string> currencies;
  for (const auto& a : r.amounts()) {
    const std::string& c = a.currency();
    if (c.size() != 3 || !absl::ascii_isupper(c[0]) || !absl::ascii_isupper(c[1]) ||
        !absl::ascii_isupper(c[2]) || !currencies.insert(c).second) {
      return Bad("amounts: an ISO 4217 code each, once");
    }
    if (a.threshold() < 5) return Bad("amounts: a threshold of at least 5 claims");
    const bool published = a.total().flag() == sv1::FLAG_PUBLISHED;
    if ((published && (a.total().value() < 0 || a.total().value() > 1000000000000000)) ||
        (!published && (a.total().value() != 0 || a.total().flag() != sv1::FLAG_PRIMARY))) {
      return Bad("amounts: a withheld amount's value, or one out of range");
    }
  }
  // A median says something about a group only when the group's count is published and at
  // least its threshold.
  if (!measure->has_medians) {
    if (r.column_medians_size() > 0 || r.has_median()) return Bad("medians of this measure");
  } else {
    if (r.column_medians_size() != 0 && r.column_medians_size() != columns) {
      return Bad("a median per column");
    }
    auto median_ok = [](const sv1::Cell& median, const sv1::Cell& count, int64_t threshold) {
      if (median.flag() != sv1::FLAG_PUBLISHED) {
        return median.value() == 0 && median.flag() == sv1::FLAG_NOT_PUBLISHED;
      }
      return median.value() >= 0 && median.value() <= 99999 &&
             count.flag() == sv1::FLAG_PUBLISHED && count.value() >= threshold;
    };
    for (int j = 0; j < r.column_medians_size(); ++j) {
      if (!median_ok(r.column_medians(j), r.column_totals(j), r.column_thresholds(j))) {
        return Bad("a median of a column whose count is not published");
      }
    }
    if (r.has_median() && !median_ok(r.median(), r.grand_total(), 5)) {
      return Bad("a median of a total that is not published");
    }
  }
  std::set<std::string> dimensions;
  for (const auto& t : r.tables()) {
    if (!dimensions.insert(t.dimension()).second) return Bad("a dimension twice");
    static const auto* common =
        new std::set<std::string>{"host_country", "post", "sex", "age_group"};
    if (common->count(t.dimension()) == 0 &&
        std::find(measure->extra_dimensions.begin(), measure->extra_dimensions.end(),
                  t.dimension()) == measure->extra_dimensions.end()) {
      return Bad(absl::StrCat("a dimension ", t.dimension().substr(0, 32), " of another measure"));
    }
    if (t.withheld()) {
      if (t.rows_size() > 0) return Bad("a withheld table carries no rows");
      continue;
    }
    if (t.rows_size() > 5000) return Bad("too many rows");
    std::set<std::string> keys;
    for (const auto& row : t.rows()) {
      if (!KeyOk(t.dimension(), row.key(), sender) || !keys.insert(row.key()).second) {
        return Bad(
            absl::StrCat("a row of ", t.dimension().substr(0, 32), " that is not a code of it"));
      }
      const int64_t minimum = t.dimension() == "age_group" ? 10 : 5;
      if (row.threshold() < minimum) return Bad("a row threshold under the region's rule");
      if (row.cells_size() != columns) return Bad("a row without a cell per column");
      for (int j = 0; j < columns; ++j) {
        if (!CellOk(row.cells(j), std::max(row.threshold(), r.column_thresholds(j)))) {
          return Bad(absl::StrCat("a small cell of ", t.dimension().substr(0, 32), " published"));
        }
      }
      if (!CellOk(row.total(), row.threshold())) return Bad("a row total");
    }
  }
  return absl::OkStatus();
}

v1::RegionalRelease RegionalView(const std::string& month, const std::string& measure,
                                 const std::vector<v1::MemberRelease>& members,
                                 const std::vector<std::string>& expected) {
  v1::RegionalRelease out;
  out.set_month(month);
  out.set_measure(measure);
  std::set<std::string> present;
  for (const auto& m : members) {
    *out.add_members() = m;
    present.insert(m.country());
  }
  for (const auto& e : expected) {
    if (!present.count(e)) out.add_missing_members(e);
  }
  // Columns in the order members send them (every node sends the same categories).
  std::map<std::string, int> column;
  for (const auto& m : members) {
    for (const auto& c : m.release().columns()) {
      if (column.emplace(c, out.columns_size()).second) out.add_columns(c);
    }
  }
  auto fresh = [&] {
    v1::RegionalCell c;
    c.set_complete(true);
    for (const auto& missing : out.missing_members()) Incomplete(c, missing);
    return c;
  };
  for (int j = 0; j < out.columns_size(); ++j) *out.add_column_totals() = fresh();
  *out.mutable_grand_total() = fresh();
  // dimension -> row key -> row
  std::map<std::string, std::map<std::string, v1::RegionalRow>> tables;
  auto row_of = [&](const std::string& dimension, const std::string& key) -> v1::RegionalRow& {
    auto [it, added] = tables[dimension].try_emplace(key);
    if (added) {
      it->second.set_key(key);
      for (int j = 0; j < out.columns_size(); ++j) *it->second.add_cells() = fresh();
      *it->second.mutable_total() = fresh();
    }
    return it->second;
  };
  std::vector<std::string> dimensions = {"host_country", "post", "sex", "age_group"};
  if (const stats::Measure* m = stats::FindMeasure(measure); m != nullptr) {
    dimensions.insert(dimensions.end(), m->extra_dimensions.begin(), m->extra_dimensions.end());
  }
  // Rows first, so that a member's withheld part marks every row it could be in.
  for (const auto& m : members) {
    for (const auto& t : m.release().tables()) {
      for (const auto& row : t.rows()) row_of(t.dimension(), row.key());
    }
  }
  for (const auto& m : members) {
    const auto& r = m.release();
    const std::string& who = m.country();
    if (r.withheld()) {
      for (auto& c : *out.mutable_column_totals()) Incomplete(c, who);
      Incomplete(*out.mutable_grand_total(), who);
      for (auto& [d, rows] : tables) {
        for (auto& [k, row] : rows) {
          for (auto& c : *row.mutable_cells()) Incomplete(c, who);
          Incomplete(*row.mutable_total(), who);
        }
      }
      continue;
    }
    for (int j = 0; j < r.columns_size(); ++j) {
      Add(*out.mutable_column_totals(column.at(r.columns(j))), who, &r.column_totals(j));
    }
    Add(*out.mutable_grand_total(), who, &r.grand_total());
    for (const std::string& d : dimensions) {
      const sv1::Table* table = nullptr;
      for (const auto& t : r.tables()) {
        if (t.dimension() == d) table = &t;
      }
      for (auto& [key, row] : tables[d]) {
        const sv1::Row* mine = nullptr;
        if (table != nullptr) {
          for (const auto& candidate : table->rows()) {
            if (candidate.key() == key) mine = &candidate;
          }
        }
        if (table == nullptr || table->withheld()) {
          for (auto& c : *row.mutable_cells()) Incomplete(c, who);
          Incomplete(*row.mutable_total(), who);
          continue;
        }
        if (mine == nullptr) continue;  // none of this member's cases: zero
        for (int j = 0; j < r.columns_size(); ++j) {
          Add(*row.mutable_cells(column.at(r.columns(j))), who, &mine->cells(j));
        }
        Add(*row.mutable_total(), who, &mine->total());
      }
    }
  }
  for (const std::string& d : dimensions) {
    if (tables[d].empty()) continue;
    v1::RegionalTable* t = out.add_tables();
    t->set_dimension(d);
    for (auto& [key, row] : tables[d]) *t->add_rows() = std::move(row);
  }
  return out;
}

}  // namespace enlace::secretariat
