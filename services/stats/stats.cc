#include "services/stats/stats.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/geo/geo.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/proto_time.h"
#include "services/cases/rules.h"
#include "services/stats/measures.h"

namespace enlace::stats {
namespace {

namespace cv1 = ::enlace::cases::v1;

// The dimensions of the facts, in key order after the month: each becomes a table.
constexpr int kPost = 0, kHost = 1, kColumn = 2, kSex = 3, kAge = 4, kFirstExtra = 5;
// Days from opening to closing are counted up to this (longer: counted as this).
constexpr int64_t kMaxDays = 99999;

std::string IdOf(const std::string& name) { return name.substr(name.rfind('/') + 1); }

// The lower median of counts by value.
int64_t MedianOf(const std::map<int64_t, int64_t>& by_value, int64_t n) {
  int64_t seen = 0;
  for (const auto& [value, count] : by_value) {
    seen += count;
    if (2 * seen >= n) return value;
  }
  return 0;
}

// A month that has ended, as YYYY-MM.
bool IsEndedMonth(absl::string_view month, absl::Time now) {
  int y = 0, m = 0;
  if (month.size() != 7 || month[4] != '-' || !absl::SimpleAtoi(month.substr(0, 4), &y) ||
      !absl::SimpleAtoi(month.substr(5, 2), &m) || y < 2000 || m < 1 || m > 12) {
    return false;
  }
  return month < MonthOf(now);
}

v1::Flag ToProto(Flag f) {
  switch (f) {
    case Flag::kPublished:
      return v1::FLAG_PUBLISHED;
    case Flag::kPrimary:
      return v1::FLAG_PRIMARY;
    case Flag::kSecondary:
      return v1::FLAG_SECONDARY;
    case Flag::kNotPublished:
      return v1::FLAG_NOT_PUBLISHED;
  }
  return v1::FLAG_UNSPECIFIED;
}

v1::Cell CellOf(int64_t value, Flag flag) {
  v1::Cell c;
  c.set_value(value);
  c.set_flag(ToProto(flag));
  return c;
}

// Fine column -> the index of its coarse column in `coarse` (-1 when it has none).
std::vector<int> GroupsOf(const Measure& m, const Release& coarse) {
  std::vector<int> out;
  for (const std::string& parent : m.parent_columns) {
    auto it = std::find(coarse.columns.begin(), coarse.columns.end(), parent);
    out.push_back(it == coarse.columns.end() ? -1 : static_cast<int>(it - coarse.columns.begin()));
  }
  return out;
}

// Coarse column -> the index of its other column (OtherSubtypesOf) in `fine`, or -1.
std::vector<int> OthersOf(const Release& fine, const Release& coarse) {
  std::vector<int> out;
  for (const std::string& c : coarse.columns) {
    auto it = std::find(fine.columns.begin(), fine.columns.end(), OtherSubtypesOf(c));
    out.push_back(it == fine.columns.end() ? -1 : static_cast<int>(it - fine.columns.begin()));
  }
  return out;
}

// A nested release over the rows of the one it nests in, each coarse cell's remainder (the
// cases of a category without a counted subtype) in its group's other column. A fine row
// the coarse release lacks, or a remainder under zero (never expected: both are counted in one
// commit), is kept as it is: the two are then not well formed and withheld whole
// (IsWellFormedNested).
Release OverRowsOf(const Release& fine, const Release& coarse, const Measure& m) {
  const std::vector<int> group_of = GroupsOf(m, coarse);
  const std::vector<int> other = OthersOf(fine, coarse);
  Release out = fine;
  out.tables.clear();
  for (size_t t = 0; t < coarse.tables.size() && t < fine.tables.size(); ++t) {
    const Table& c = coarse.tables[t];
    const Table& f = fine.tables[t];
    std::map<std::string, std::vector<int64_t>> fine_rows;
    for (size_t i = 0; i < f.rows.size(); ++i) fine_rows[f.rows[i]] = f.cells[i];
    Table o{f.name, {}, {}, f.threshold};
    for (size_t i = 0; i < c.rows.size(); ++i) {
      std::vector<int64_t> cells(fine.columns.size(), 0);
      if (auto it = fine_rows.find(c.rows[i]); it != fine_rows.end()) {
        cells = it->second;
        fine_rows.erase(it);
      }
      for (size_t k = 0; k < coarse.columns.size(); ++k) {
        if (other[k] < 0) continue;
        int64_t counted = 0;
        for (size_t j = 0; j < cells.size(); ++j) {
          if (group_of[j] == static_cast<int>(k) && static_cast<int>(j) != other[k]) {
            counted += cells[j];
          }
        }
        cells[other[k]] = c.cells[i][k] - counted;
      }
      o.rows.push_back(c.rows[i]);
      o.cells.push_back(std::move(cells));
    }
    for (auto& [key, cells] : fine_rows) {
      o.rows.push_back(key);
      o.cells.push_back(std::move(cells));
    }
    out.tables.push_back(std::move(o));
  }
  return out;
}

}  // namespace

void Stats::AddColumnFamilies(storage::StoreOptions& options) {
  Tally::AddColumnFamilies(options);
}

Stats::Stats(storage::Store* store, txn::Committer* committer, std::string self,
             enlace::node::v1::StatsConfig config, const Clock* clock,
             std::function<std::vector<std::string>()> secretariats,
             std::vector<std::string> posts)
    : store_(store),
      committer_(committer),
      self_(std::move(self)),
      threshold_(std::max<int64_t>(5, config.threshold())),
      sensitive_threshold_(std::max<int64_t>({10, config.sensitive_threshold(), threshold_})),
      clock_(clock),
      tally_(store),
      facts_(tally_.facts()),
      counters_(tally_.counters()),
      secretariats_(std::move(secretariats)),
      posts_(std::move(posts)),
      // A month ends by the clock, not by a commit: polled (the pass reads a few keys).
      worker_({"stats", absl::Seconds(2)}, [this] { return PushReleases().status(); }) {}

Stats::~Stats() { worker_.Stop(); }

absl::Status Stats::OnCaseVersion(const cv1::Case* before, const cv1::Case& after,
                                  const cv1::Person* person, txn::Transaction& txn) {
  const std::string id = IdOf(after.name());
  if (before == nullptr) {
    if (person == nullptr) return absl::InternalError("a new case without its person");
    const absl::Time opened = FromProtoTime(after.create_time());
    const std::string facts =
        absl::StrJoin({after.post(), after.host_country(), cv1::Category_Name(after.category()),
                       SexOf(*person), AgeGroupOf(*person, opened)},
                      "|");
    txn.batch.Put(facts_, absl::StrCat("F|", id), facts);
    txn.batch.AddToCounter(counters_, absl::StrCat("O|", MonthOf(opened), "|", facts), 1);
    txn.batch.AddToCounter(counters_, absl::StrCat("V|O|", MonthOf(opened)), 1);
    Facts row{after.post(), after.host_country(), "", SexOf(*person), AgeGroupOf(*person, opened)};
    // By subtype, in the same commit as its category's count: cases_opened_by_subtype nests
    // in cases_opened. A subtype of another category (never accepted) is left to its
    // category's other column.
    if (after.subtype() != cv1::SUBTYPE_UNSPECIFIED &&
        cases::CategoryOfSubtype(after.subtype()) == after.category()) {
      row.column = cv1::Subtype_Name(after.subtype());
      tally_.Add(txn, *FindMeasure(kCasesBySubtype), MonthOf(opened), row);
    }
    // Once in each vulnerability the person has as the case opens ("none" without any).
    std::set<std::string> vulnerabilities;
    for (int v : person->vulnerabilities()) {
      if (v != cv1::VULNERABILITY_UNSPECIFIED && cv1::Vulnerability_IsValid(v)) {
        vulnerabilities.insert(cv1::Vulnerability_Name(static_cast<cv1::Vulnerability>(v)));
      }
    }
    if (vulnerabilities.empty()) vulnerabilities.insert(kNoVulnerability);
    for (const std::string& v : vulnerabilities) {
      row.column = v;
      tally_.Add(txn, *FindMeasure(kCaseVulnerabilities), MonthOf(opened), row);
    }
    // Persons assisted: one marker per person and month, counted at release, with the facts
    // of the person's first case that month. A marker is a Put, never a count: two cases of
    // one person opened at once leave one marker (with either's facts), never two.
    const std::string marker = absl::StrCat("M|", MonthOf(opened), "|", IdOf(after.person()));
    ENLACE_ASSIGN_OR_RETURN(auto known, store_->Get(facts_, marker));
    if (!known.has_value()) {
      txn.batch.Put(facts_, marker, facts);
      txn.batch.AddToCounter(counters_, absl::StrCat("V|P|", MonthOf(opened)), 1);
    }
    return absl::OkStatus();
  }
  if (before->status() == cv1::STATUS_CLOSED || after.status() != cv1::STATUS_CLOSED) {
    return absl::OkStatus();
  }
  ENLACE_ASSIGN_OR_RETURN(auto facts, store_->Get(facts_, absl::StrCat("F|", id)));
  // A case opened before statistics were kept: what the case itself says.
  const std::string known =
      facts.has_value() ? *facts
                        : absl::StrJoin({after.post(), after.host_country(),
                                         cv1::Category_Name(after.category()), std::string("unknown"),
                                         std::string("unknown")},
                                        "|");
  const absl::Time closed = after.has_close_time() ? FromProtoTime(after.close_time())
                                                   : FromProtoTime(after.update_time());
  txn.batch.AddToCounter(counters_, absl::StrCat("X|", MonthOf(closed), "|", known), 1);
  txn.batch.AddToCounter(counters_, absl::StrCat("V|X|", MonthOf(closed)), 1);
  // Days to close, by category: the medians of the month's cases_closed release.
  if (after.has_create_time()) {
    const int64_t days = std::clamp<int64_t>(
        absl::ToInt64Hours(closed - FromProtoTime(after.create_time())) / 24, 0, kMaxDays);
    txn.batch.AddToCounter(counters_,
                           absl::StrCat("D|", MonthOf(closed), "|",
                                        cv1::Category_Name(after.category()), "|",
                                        absl::Dec(days, absl::kZeroPad5)),
                           1);
  }
  return absl::OkStatus();
}

absl::Status Stats::OnAction(const cv1::Case& kase, const cv1::Action& action,
                             txn::Transaction& txn) {
  ENLACE_ASSIGN_OR_RETURN(auto opened,
                          store_->Get(facts_, absl::StrCat("F|", IdOf(kase.name()))));
  std::optional<Facts> facts = opened.has_value() ? Facts::Parse(*opened) : std::nullopt;
  // A case opened before statistics were kept: what the case itself says.
  if (!facts.has_value()) {
    facts = Facts{kase.post(), kase.host_country(), "", "unknown", "unknown"};
  }
  // The acting post (an action may be another post's, e.g. a visit in its jurisdiction).
  if (!action.post().empty()) facts->post = action.post();
  facts->column = cv1::ActionType_Name(action.type());
  tally_.Add(txn, *FindMeasure(kActions), MonthOf(FromProtoTime(action.create_time())), *facts);
  return absl::OkStatus();
}

absl::StatusOr<Release> Stats::BuildRelease(absl::string_view month,
                                            absl::string_view measure_name) const {
  const Measure* measure = FindMeasure(measure_name);
  if (measure == nullptr) return InvalidField("measure", MeasureNames());
  Release r;
  r.base_threshold = threshold_;
  std::map<std::string, int> column_of;
  for (const std::string& c : measure->columns) {
    column_of[c] = static_cast<int>(r.columns.size());
    r.columns.push_back(c);
    const bool sensitive = std::find(measure->sensitive_columns.begin(),
                                     measure->sensitive_columns.end(),
                                     c) != measure->sensitive_columns.end();
    r.column_thresholds.push_back(sensitive ? sensitive_threshold_ : threshold_);
  }
  // dimension -> row key -> counts by column. Counts are summed before anything is dropped:
  // a stock's -1 may be kept under other facts than its +1 (an extra dimension added between
  // them), and cancels in every table the two share.
  std::vector<std::pair<int, std::string>> dimensions = {
      {kHost, "host_country"}, {kPost, "post"}, {kSex, "sex"}, {kAge, "age_group"}};
  for (size_t e = 0; e < measure->extra_dimensions.size(); ++e) {
    dimensions.push_back({kFirstExtra + static_cast<int>(e), measure->extra_dimensions[e]});
  }
  std::vector<std::map<std::string, std::vector<int64_t>>> rows(dimensions.size());
  auto count = [&](absl::string_view facts, int64_t n) {
    std::vector<std::string> f = absl::StrSplit(facts, '|');
    auto column = f.size() >= kFirstExtra ? column_of.find(f[kColumn]) : column_of.end();
    if (column == column_of.end() || n == 0) return;  // not a cell of this release
    for (size_t d = 0; d < dimensions.size(); ++d) {
      const size_t field = dimensions[d].first;
      auto& counts = rows[d][field < f.size() ? f[field] : "unknown"];
      counts.resize(r.columns.size(), 0);
      counts[column->second] += n;
    }
  };
  const std::string code(1, measure->code);
  if (measure->name == kPersonsAssisted) {
    // One marker per person: distinct by construction.
    const std::string prefix = absl::StrCat("M|", month, "|");
    for (auto it = store_->ScanPrefix(facts_, prefix); it->Valid(); it->Next()) {
      count(it->value(), 1);
    }
  }
  if (measure->stock) {
    // What stands at the month's end: every change up to it, summed by facts.
    std::map<std::string, int64_t> standing;
    const std::string prefix = absl::StrCat(code, "|");
    for (auto it = store_->ScanPrefix(counters_, prefix); it->Valid(); it->Next()) {
      const std::string key(it->key());
      if (key.size() < prefix.size() + 8 ||
          absl::string_view(key).substr(prefix.size(), 7) > month) {
        continue;
      }
      ENLACE_ASSIGN_OR_RETURN(int64_t n, store_->GetCounter(counters_, key));
      standing[key.substr(prefix.size() + 8)] += n;
    }
    for (const auto& [facts, n] : standing) count(facts, n);
  }
  // The counters kept with the records, and the counts imported from before the node.
  for (const std::string& prefix :
       {absl::StrCat(code, "|", month, "|"), absl::StrCat("H", code, "|", month, "|")}) {
    if (measure->stock) break;
    for (auto it = store_->ScanPrefix(counters_, prefix); it->Valid(); it->Next()) {
      const std::string key(it->key());
      ENLACE_ASSIGN_OR_RETURN(int64_t n, store_->GetCounter(counters_, key));
      count(absl::string_view(key).substr(prefix.size()), n);
    }
  }
  for (size_t d = 0; d < dimensions.size(); ++d) {
    Table t;
    t.name = dimensions[d].second;
    // Whether a child: the stricter threshold for every cell of that table.
    t.threshold = dimensions[d].first == kAge ? sensitive_threshold_ : threshold_;
    for (auto& [key, counts] : rows[d]) {
      bool any = false;
      for (int64_t& c : counts) {
        c = std::max<int64_t>(c, 0);  // a move counted before its event (never expected)
        any = any || c > 0;
      }
      if (!any) continue;
      t.rows.push_back(key);
      t.cells.push_back(counts);
    }
    r.tables.push_back(std::move(t));
  }
  if (!measure->nested_in.empty()) {
    ENLACE_ASSIGN_OR_RETURN(const Release coarse, BuildRelease(month, measure->nested_in));
    return OverRowsOf(r, coarse, *measure);
  }
  return r;
}

absl::StatusOr<std::map<std::string, std::map<int64_t, int64_t>>> Stats::DaysToClose(
    absl::string_view month) const {
  std::map<std::string, std::map<int64_t, int64_t>> out;
  const std::string prefix = absl::StrCat("D|", month, "|");
  for (auto it = store_->ScanPrefix(counters_, prefix); it->Valid(); it->Next()) {
    const std::string key(it->key());
    std::vector<std::string> f = absl::StrSplit(key.substr(prefix.size()), '|');
    int64_t days = 0;
    if (f.size() != 2 || !absl::SimpleAtoi(f[1], &days)) continue;
    ENLACE_ASSIGN_OR_RETURN(int64_t n, store_->GetCounter(counters_, key));
    if (n > 0) out[f[0]][days] += n;
  }
  return out;
}

absl::StatusOr<v1::MonthlyRelease> Stats::ProtectedReleaseOf(absl::string_view month,
                                                             absl::string_view measure) const {
  ENLACE_ASSIGN_OR_RETURN(Publication p, Prepare(month, measure));
  return std::move(p.release);
}

std::string Stats::WithheldKey(absl::string_view month, absl::string_view measure) {
  const Measure* m = FindMeasure(measure);
  return absl::StrCat("W|", std::string(1, m == nullptr ? '?' : m->code), "|", month);
}

std::vector<std::string> Stats::WithheldKeys(absl::string_view month, const Measure& m) {
  std::vector<std::string> keys = {WithheldKey(month, m.name)};
  if (const Measure* linked = LinkedMeasure(m); linked != nullptr) {
    keys.push_back(WithheldKey(month, linked->name));
  }
  return keys;
}

absl::StatusOr<Stats::Publication> Stats::Prepare(absl::string_view month,
                                                  absl::string_view measure) const {
  const Measure* m = FindMeasure(measure);
  if (m == nullptr) return InvalidField("measure", MeasureNames());
  // Sticky: what any earlier publication of this month withheld stays withheld (of a linked
  // measure, what either withheld: the two are kept the same).
  Withheld earlier;
  for (const std::string& key : WithheldKeys(month, *m)) {
    ENLACE_ASSIGN_OR_RETURN(auto before, store_->Get(facts_, key));
    if (!before.has_value()) continue;
    const Withheld w = DecodeWithheld(*before);
    earlier.tables.insert(w.tables.begin(), w.tables.end());
    earlier.columns.insert(w.columns.begin(), w.columns.end());
    earlier.cells.insert(w.cells.begin(), w.cells.end());
  }
  Withheld all = earlier;
  auto withheld = [&all](const Withheld& w) {
    all.tables.insert(w.tables.begin(), w.tables.end());
    all.columns.insert(w.columns.begin(), w.columns.end());
    all.cells.insert(w.cells.begin(), w.cells.end());
  };
  Publication published;
  const Measure* linked = LinkedMeasure(*m);
  if (linked == nullptr) {
    ENLACE_ASSIGN_OR_RETURN(Release r, BuildRelease(month, measure));
    const ProtectedRelease p = Protect(r, earlier);
    withheld(WithheldOf(r, p));
    ENLACE_RETURN_IF_ERROR(Fill(r, p, month, m->name, published.release));
  } else {
    // Nested: either release less the other would give away what it withholds, so both are
    // protected as one (disclosure.h) and published together.
    const Measure* fine = m->nested_in.empty() ? linked : m;
    const Measure* coarse = m->nested_in.empty() ? m : linked;
    ENLACE_ASSIGN_OR_RETURN(Release f, BuildRelease(month, fine->name));
    ENLACE_ASSIGN_OR_RETURN(Release c, BuildRelease(month, coarse->name));
    const NestedProtection p = ProtectNested(f, c, GroupsOf(*fine, c), OthersOf(f, c), earlier);
    withheld(WithheldOf(f, p.fine));
    withheld(WithheldOf(c, p.coarse));
    v1::MonthlyRelease fine_release, coarse_release;
    ENLACE_RETURN_IF_ERROR(Fill(f, p.fine, month, fine->name, fine_release));
    ENLACE_RETURN_IF_ERROR(Fill(c, p.coarse, month, coarse->name, coarse_release));
    published.release = std::move(m == fine ? fine_release : coarse_release);
    published.linked = std::move(m == fine ? coarse_release : fine_release);
  }
  published.withheld = EncodeWithheld(all);
  return published;
}

absl::Status Stats::Fill(const Release& r, const ProtectedRelease& p, absl::string_view month,
                         absl::string_view measure, v1::MonthlyRelease& out) const {
  out.set_country(self_);
  out.set_month(std::string(month));
  out.set_measure(std::string(measure));
  out.set_withheld(p.withheld);
  if (p.withheld) return absl::OkStatus();
  for (size_t j = 0; j < r.columns.size(); ++j) {
    out.add_columns(r.columns[j]);
    out.add_column_thresholds(r.column_thresholds[j]);
    *out.add_column_totals() = CellOf(p.column_totals[j], p.column_flags[j]);
  }
  *out.mutable_grand_total() = CellOf(p.grand_total, p.grand_flag);
  const Measure* m = FindMeasure(measure);
  if (m != nullptr && m->has_medians) {
    // A median is published only beside a published count of at least its threshold, of
    // the cases it is the median of (imported history has no days: those must be enough).
    ENLACE_ASSIGN_OR_RETURN(auto days, DaysToClose(month));
    std::map<int64_t, int64_t> all;
    int64_t all_n = 0;
    for (size_t j = 0; j < r.columns.size(); ++j) {
      const auto& by_days = days[r.columns[j]];
      int64_t n = 0;
      for (const auto& [d, c] : by_days) {
        n += c;
        all[d] += c;
      }
      all_n += n;
      const bool shown = p.column_flags[j] == Flag::kPublished &&
                         p.column_totals[j] >= r.column_thresholds[j] &&
                         n >= r.column_thresholds[j];
      *out.add_column_medians() = shown ? CellOf(MedianOf(by_days, n), Flag::kPublished)
                                        : CellOf(0, Flag::kNotPublished);
    }
    const bool shown = p.grand_flag == Flag::kPublished && all_n >= threshold_;
    *out.mutable_median() =
        shown ? CellOf(MedianOf(all, all_n), Flag::kPublished) : CellOf(0, Flag::kNotPublished);
  }
  if (m != nullptr && m->has_amounts) {
    // An amount is a sum of a few claims' money: published only over enough of them.
    const std::string suffix = absl::StrCat(std::string(1, m->code), "|", month, "|");
    for (auto it = store_->ScanPrefix(counters_, absl::StrCat("$", suffix)); it->Valid();
         it->Next()) {
      const std::string key(it->key());
      const std::string currency = key.substr(1 + suffix.size());
      ENLACE_ASSIGN_OR_RETURN(int64_t amount, store_->GetCounter(counters_, key));
      ENLACE_ASSIGN_OR_RETURN(int64_t claims,
                              store_->GetCounter(counters_, absl::StrCat("#", suffix, currency)));
      if (amount <= 0 && claims <= 0) continue;
      v1::Amount* a = out.add_amounts();
      a->set_currency(currency);
      a->set_threshold(threshold_);
      *a->mutable_total() = claims >= threshold_ && amount >= 0
                                ? CellOf(amount, Flag::kPublished)
                                : CellOf(0, Flag::kPrimary);
    }
  }
  for (size_t t = 0; t < r.tables.size(); ++t) {
    v1::Table* table = out.add_tables();
    table->set_dimension(r.tables[t].name);
    table->set_withheld(p.tables[t].withheld);
    if (p.tables[t].withheld) continue;
    for (size_t i = 0; i < r.tables[t].rows.size(); ++i) {
      v1::Row* row = table->add_rows();
      row->set_key(r.tables[t].rows[i]);
      row->set_threshold(r.tables[t].threshold);
      for (size_t j = 0; j < r.columns.size(); ++j) {
        *row->add_cells() = CellOf(p.tables[t].cells[i][j], p.tables[t].cell_flags[i][j]);
      }
      *row->mutable_total() = CellOf(p.tables[t].row_totals[i], p.tables[t].row_flags[i]);
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::MonthlyRelease> Stats::GetMonthlyRelease(
    const v1::GetMonthlyReleaseRequest& request, const Caller& caller) {
  if (!IsEndedMonth(request.month(), clock_->Now())) {
    return InvalidField("month", "YYYY-MM of a month that has ended");
  }
  const Measure* m = FindMeasure(request.measure());
  if (m == nullptr) return InvalidField("measure", MeasureNames());
  const std::string& measure = m->name;
  const std::vector<std::string> withheld_keys = WithheldKeys(request.month(), *m);
  storage::ScopedKeyLocks lock(locks_, withheld_keys);
  ENLACE_ASSIGN_OR_RETURN(Publication published, Prepare(request.month(), measure));
  v1::MonthlyRelease& out = published.release;
  txn::Transaction txn;
  for (const std::string& key : withheld_keys) txn.batch.Put(facts_, key, published.withheld);
  txn.Audit(caller.identity, "stats.GetMonthlyRelease", {})
      .set_detail(absl::StrCat(measure, " ", request.month(), out.withheld() ? " withheld" : ""));
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return out;
}

absl::StatusOr<v1::ImportHistoryResponse> Stats::ImportHistory(
    const v1::ImportHistoryRequest& request, const Caller& caller) {
  if (!IsEndedMonth(request.month(), clock_->Now())) {
    return InvalidField("month", "YYYY-MM of a month that has ended");
  }
  const Measure* m = FindMeasure(request.measure());
  if (m == nullptr) return InvalidField("measure", MeasureNames());
  if (m->stock) return InvalidField("measure", "a flow: what stands now is the node's own");
  if (!m->nested_in.empty()) {
    return InvalidField("measure", absl::StrCat("imported as ", m->nested_in,
                                                " (by category): its subtype is unspecified"));
  }
  const std::string& measure = m->name;
  const std::set<std::string> columns(m->columns.begin(), m->columns.end());
  static const auto* sexes =
      new std::set<std::string>{"female", "male", "other", "undisclosed", "unknown"};
  static const auto* ages = new std::set<std::string>{"child", "adult", "unknown"};
  FieldViolations v;
  if (request.cells_size() > 100000) v.Add("cells", "at most 100000 per month");
  std::map<std::string, int64_t> cells;
  v1::ImportHistoryResponse out;
  for (int i = 0; i < request.cells_size() && i < 100000; ++i) {
    const v1::HistoryCell& c = request.cells(i);
    const std::string f = absl::StrCat("cells[", i, "].");
    if (std::find(posts_.begin(), posts_.end(), c.post()) == posts_.end()) {
      v.Add(f + "post", "a post of this node");
    }
    if (!geo::IsCountryCode(c.host_country())) v.Add(f + "host_country", "ISO 3166-1 alpha-2");
    if (!columns.count(c.category())) {
      v.Add(f + "category", absl::StrCat("a column of ", measure, ", e.g. ", m->columns[0]));
    }
    if (!sexes->count(c.sex())) v.Add(f + "sex", "female, male, other, undisclosed or unknown");
    if (!ages->count(c.age_group())) v.Add(f + "age_group", "child, adult or unknown");
    if (c.count() < 0 || c.count() > 1000000) v.Add(f + "count", "0 to 1000000");
    if (!v.empty()) continue;
    cells[absl::StrJoin({c.post(), c.host_country(), c.category(), c.sex(), c.age_group()},
                        "|")] += c.count();
    out.set_total(out.total() + c.count());
  }
  if (!v.empty()) return v.ToStatus();
  const std::string code(1, m->code);
  const std::string version_key = absl::StrCat("V|", code, "|", request.month());
  storage::ScopedKeyLocks lock(locks_, {version_key});
  // Counted here already: imported counts would count the same events twice.
  bool recorded = false;
  if (measure == kPersonsAssisted) {
    recorded = store_->ScanPrefix(facts_, absl::StrCat("M|", request.month(), "|"))->Valid();
  }
  for (auto it = store_->ScanPrefix(counters_, absl::StrCat(code, "|", request.month(), "|"));
       !recorded && it->Valid(); it->Next()) {
    ENLACE_ASSIGN_OR_RETURN(int64_t n, store_->GetCounter(counters_, it->key()));
    recorded = n != 0;
  }
  if (recorded) {
    return absl::FailedPreconditionError(absl::StrCat("this node recorded ", measure, " in ",
                                                      request.month(),
                                                      ": its counts are the node's own"));
  }
  txn::Transaction txn;
  const std::string prefix = absl::StrCat("H", code, "|", request.month(), "|");
  for (auto it = store_->ScanPrefix(counters_, prefix); it->Valid(); it->Next()) {
    txn.batch.Delete(counters_, it->key());
  }
  for (const auto& [facts, n] : cells) {
    if (n > 0) txn.batch.AddToCounter(counters_, prefix + facts, n);
  }
  txn.batch.AddToCounter(counters_, version_key, 1);
  txn.Audit(caller.identity, "stats.ImportHistory", {})
      .set_detail(absl::StrCat(measure, " ", request.month(), ": ", out.total(), " in ",
                               cells.size(), " cells"));
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  out.set_cells(static_cast<int64_t>(cells.size()));
  return out;
}

absl::StatusOr<int> Stats::PushReleases() {
  const std::vector<std::string> secretariats =
      secretariats_ ? secretariats_() : std::vector<std::string>();
  if (secretariats.empty()) return 0;
  const absl::Time now = clock_->Now();
  int pushed = 0;
  // (code, month) -> version: the changes to that month's release. A flow month moves only
  // with its own changes; a stock month with every change up to it, and a month without a
  // change of its own still stands (each ended month from the first change on is pushed).
  std::map<std::pair<char, std::string>, int64_t> versions;
  for (auto it = store_->ScanPrefix(counters_, "V|"); it->Valid(); it->Next()) {
    const std::string key(it->key());
    // "V|{code}|{YYYY-MM}"
    if (key.size() != 11 || FindMeasureByCode(key[2]) == nullptr) continue;
    ENLACE_ASSIGN_OR_RETURN(int64_t n, store_->GetCounter(counters_, key));
    versions[{key[2], key.substr(4)}] = n;
  }
  const absl::CivilMonth last_ended = absl::ToCivilMonth(now, absl::UTCTimeZone()) - 1;
  for (const Measure& m : Measures()) {
    if (!m.stock) continue;
    std::map<absl::CivilMonth, int64_t> changes;
    for (auto it = versions.lower_bound({m.code, ""});
         it != versions.end() && it->first.first == m.code; ++it) {
      absl::CivilMonth at;
      if (absl::ParseCivilTime(it->first.second, &at)) changes[at] = it->second;
    }
    if (changes.empty()) continue;
    int64_t cumulative = 0;
    auto change = changes.begin();
    for (absl::CivilMonth month = changes.begin()->first; month <= last_ended; ++month) {
      for (; change != changes.end() && change->first <= month; ++change) {
        cumulative += change->second;
      }
      versions[{m.code, absl::FormatCivilTime(month)}] = cumulative;
    }
  }
  // A nested measure and the one it nests in are protected and pushed together: each month's
  // version is the sum of both measures' changes.
  for (const Measure& m : Measures()) {
    if (m.nested_in.empty()) continue;
    const char parent = FindMeasure(m.nested_in)->code;
    for (auto& [at, version] : versions) {
      if (at.first != m.code) continue;
      auto other = versions.find({parent, at.second});
      if (other == versions.end()) continue;
      version += other->second;
      other->second = version;
    }
  }
  // What was last pushed of a measure's month to a secretariat: its version and revision.
  auto sent_of =
      [this](const std::string& sent_key) -> absl::StatusOr<std::pair<int64_t, int64_t>> {
    ENLACE_ASSIGN_OR_RETURN(auto sent, store_->Get(facts_, sent_key));
    int64_t sent_version = -1, revision = 0;
    if (sent.has_value()) {
      std::vector<std::string> parts = absl::StrSplit(*sent, ' ');
      if (parts.size() != 2 || !absl::SimpleAtoi(parts[0], &sent_version) ||
          !absl::SimpleAtoi(parts[1], &revision)) {
        sent_version = -1;
      }
    }
    return std::make_pair(sent_version, revision);
  };
  for (const auto& [at, counted] : versions) {
    // A copy: C++17 lambdas cannot capture a structured binding (clang refuses it).
    const auto version = counted;
    const std::string code(1, at.first), month = at.second;
    if (!IsEndedMonth(month, now)) continue;
    const Measure* m = FindMeasureByCode(at.first);
    const std::string& measure = m->name;
    const Measure* linked = LinkedMeasure(*m);
    // The linked release goes with this one when the month has one (cases_opened_by_subtype
    // of a month counted before subtypes were has none to push).
    if (linked != nullptr && !versions.count({linked->code, month})) linked = nullptr;
    for (const std::string& secretariat : secretariats) {
      const std::string sent_key = absl::StrCat("S|", secretariat, "|", code, "|", month);
      ENLACE_ASSIGN_OR_RETURN(auto sent, sent_of(sent_key));
      if (sent.first >= version) continue;
      // The version is read before the counts: a change in between is pushed next pass.
      const std::vector<std::string> withheld_keys = WithheldKeys(month, *m);
      storage::ScopedKeyLocks lock(locks_, withheld_keys);
      ENLACE_ASSIGN_OR_RETURN(Publication published, Prepare(month, measure));
      txn::Transaction txn;
      for (const std::string& key : withheld_keys) txn.batch.Put(facts_, key, published.withheld);
      auto push = [&](const std::string& name, const std::string& key, int64_t revision,
                      v1::MonthlyRelease release) {
        v1::ReleaseEnvelope envelope;
        envelope.set_revision(revision + 1);
        *envelope.mutable_release() = std::move(release);
        txn.batch.Put(facts_, key, absl::StrCat(version, " ", revision + 1));
        txn.envelopes.push_back({secretariat, kReleaseKind, envelope.SerializeAsString()});
        txn.Audit(self_, "stats.release_sent", {})
            .set_detail(absl::StrCat(name, " ", month, " revision ", revision + 1, " to ",
                                     secretariat));
      };
      push(measure, sent_key, sent.second, std::move(published.release));
      if (linked != nullptr && published.linked.has_value()) {
        const std::string linked_key =
            absl::StrCat("S|", secretariat, "|", std::string(1, linked->code), "|", month);
        ENLACE_ASSIGN_OR_RETURN(auto linked_sent, sent_of(linked_key));
        push(linked->name, linked_key, linked_sent.second, *std::move(published.linked));
      }
      ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
      ++pushed;
    }
  }
  return pushed;
}

}  // namespace enlace::stats
