#include "services/stats/disclosure.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <type_traits>
#include <utility>

namespace enlace::stats {
namespace {

constexpr int64_t kUnbounded = std::numeric_limits<int64_t>::max() / 4;

// A cell of one table's extended grid: rows [0, R) are the table's, row R is the shared
// column totals; columns [0, C) are the release's, column C the table's row totals. (R, C) is
// the grand total.
struct Ref {
  int table;
  int row;
  int col;
};

// What is protected as one grid: a release, or two nested ones (nested.h's ProtectNested)
// side by side, the fine columns [0, base) first and the coarse ones [base, columns) after
// them. A row total is of the fine columns (the coarse ones add up to the same).
struct Joint {
  Release r;
  int base = 0;
  // Fine column -> the index in r of the coarse column it nests in; empty when not nested.
  std::vector<int> group_of;
  // Fine columns that stand in for a coarse column whose fine ones are not published (the
  // fine release hides them, the coarse one publishes their sum): their cells are the coarse
  // cells, seen by nobody, so free; the coarse cells they move carry the constraints.
  std::vector<bool> stand_in;
};

// The release being protected: values, thresholds and the flags chosen so far.
class Grid {
 public:
  // `live`: the tables still published.
  Grid(const Joint& joint, std::vector<bool> live)
      : r_(joint.r),
        base_(joint.base),
        group_of_(joint.group_of),
        stand_in_(joint.stand_in),
        live_(std::move(live)) {
    const Release& r = joint.r;
    const size_t c = r.columns.size();
    column_totals_.assign(c, 0);
    for (const Table& t : r.tables) {
      std::vector<int64_t> totals;
      for (const auto& row : t.cells) {
        int64_t sum = 0;
        for (int j = 0; j < base_; ++j) sum += row[j];
        totals.push_back(sum);
      }
      row_totals_.push_back(std::move(totals));
      std::vector<Flag> flags(c, Flag::kPublished);
      for (int j = 0; j < base_; ++j) {
        if (StandIn(j)) flags[j] = Flag::kNotPublished;
      }
      cell_flags_.emplace_back(t.rows.size(), flags);
      row_flags_.emplace_back(t.rows.size(), Flag::kPublished);
    }
    // Every table covers the same population: its column sums are the column totals.
    if (!r.tables.empty()) {
      for (const auto& row : r.tables[0].cells) {
        for (size_t j = 0; j < c; ++j) column_totals_[j] += row[j];
      }
    }
    for (int j = 0; j < base_; ++j) grand_ += column_totals_[j];
    column_flags_.assign(c, Flag::kPublished);
    for (int j = 0; j < base_; ++j) {
      if (StandIn(j)) column_flags_[j] = Flag::kNotPublished;
    }
  }

  int rows(int t) const { return static_cast<int>(r_.tables[t].rows.size()); }
  // Every column, fine and coarse; cols() itself is the row totals' column.
  int cols() const { return static_cast<int>(r_.columns.size()); }
  // The fine columns: [0, base()).
  int base() const { return base_; }
  bool nested() const { return !group_of_.empty(); }
  // The coarse column a fine one nests in.
  int group(int fine) const { return group_of_[fine]; }
  bool StandIn(int col) const { return col < base_ && !stand_in_.empty() && stand_in_[col]; }
  int tables() const { return static_cast<int>(r_.tables.size()); }
  bool live(int t) const { return live_[t]; }
  // A published table, for the shared totals' cells.
  int first_live() const {
    for (int t = 0; t < tables(); ++t) {
      if (live_[t]) return t;
    }
    return -1;
  }
  bool IsShared(const Ref& x) const { return x.row == rows(x.table); }

  int64_t Value(const Ref& x) const {
    const bool total_row = IsShared(x), total_col = x.col == cols();
    if (total_row && total_col) return grand_;
    if (total_row) return column_totals_[x.col];
    if (total_col) return row_totals_[x.table][x.row];
    return r_.tables[x.table].cells[x.row][x.col];
  }
  int64_t Threshold(const Ref& x) const {
    const bool total_row = IsShared(x), total_col = x.col == cols();
    if (total_row && total_col) return r_.base_threshold;
    if (total_row) return std::max(r_.base_threshold, r_.column_thresholds[x.col]);
    if (total_col) return r_.tables[x.table].threshold;
    return std::max(r_.tables[x.table].threshold, r_.column_thresholds[x.col]);
  }
  Flag& FlagOf(const Ref& x) {
    const bool total_row = IsShared(x), total_col = x.col == cols();
    if (total_row && total_col) return grand_flag_;
    if (total_row) return column_flags_[x.col];
    if (total_col) return row_flags_[x.table][x.row];
    return cell_flags_[x.table][x.row][x.col];
  }
  Flag FlagOf(const Ref& x) const { return const_cast<Grid*>(this)->FlagOf(x); }

  // What an attacker knows of a withheld cell: [1, T-1] for a primary one, [T, inf) for a
  // secondary one. A published cell may become secondary only when it is at least its
  // threshold (a zero is never withheld: its flag would announce a range it is not in).
  std::optional<std::pair<int64_t, int64_t>> RangeIfWithheld(const Ref& x) const {
    if (StandIn(x.col)) return std::make_pair(int64_t{0}, kUnbounded);
    const int64_t t = Threshold(x);
    switch (FlagOf(x)) {
      case Flag::kPrimary:
        return std::make_pair(int64_t{1}, t - 1);
      case Flag::kSecondary:
        return std::make_pair(t, kUnbounded);
      case Flag::kPublished:
        if (Value(x) >= t) return std::make_pair(t, kUnbounded);
        return std::nullopt;
      case Flag::kNotPublished:
        return std::nullopt;
    }
    return std::nullopt;
  }

  void MarkPrimaries() {
    for (int t = 0; t < tables(); ++t) {
      if (!live_[t]) continue;
      for (int i = 0; i <= rows(t); ++i) {
        for (int j = 0; j <= cols(); ++j) {
          const Ref x{t, i, j};
          const int64_t v = Value(x);
          if (v > 0 && v < Threshold(x) && !StandIn(j)) FlagOf(x) = Flag::kPrimary;
        }
      }
    }
  }

  ProtectedRelease Result(bool withheld) const {
    ProtectedRelease out;
    out.withheld = withheld;
    if (withheld) return out;
    auto shown = [](int64_t v, Flag f) { return f == Flag::kPublished ? v : 0; };
    for (int t = 0; t < tables(); ++t) {
      ProtectedTable pt;
      if (!live_[t]) {
        pt.withheld = true;
        out.tables.push_back(std::move(pt));
        continue;
      }
      for (int i = 0; i < rows(t); ++i) {
        std::vector<int64_t> cells;
        for (int j = 0; j < cols(); ++j) {
          cells.push_back(shown(Value({t, i, j}), cell_flags_[t][i][j]));
        }
        pt.cells.push_back(std::move(cells));
        pt.row_totals.push_back(shown(row_totals_[t][i], row_flags_[t][i]));
      }
      pt.cell_flags = cell_flags_[t];
      pt.row_flags = row_flags_[t];
      out.tables.push_back(std::move(pt));
    }
    for (int j = 0; j < cols(); ++j) {
      out.column_totals.push_back(shown(column_totals_[j], column_flags_[j]));
    }
    out.column_flags = column_flags_;
    out.grand_total = shown(grand_, grand_flag_);
    out.grand_flag = grand_flag_;
    return out;
  }

 private:
  const Release& r_;
  const int base_;
  const std::vector<int>& group_of_;
  const std::vector<bool>& stand_in_;
  const std::vector<bool> live_;
  std::vector<std::vector<int64_t>> row_totals_;
  std::vector<int64_t> column_totals_;
  int64_t grand_ = 0;
  std::vector<std::vector<std::vector<Flag>>> cell_flags_;
  std::vector<std::vector<Flag>> row_flags_;
  std::vector<Flag> column_flags_;
  Flag grand_flag_ = Flag::kPublished;
};

// A move: cells and the direction each moves in when the primary cell moves by +1.
struct Move {
  std::vector<std::pair<Ref, int>> cells;
};

// Whether, for every value in the primary cell's range, moving `m` keeps every cell in its
// announced range; and what it costs (cells to newly withhold, their total value).
struct Cost {
  int added = 0;
  int64_t value = 0;
  bool operator<(const Cost& o) const {
    return added != o.added ? added < o.added : value < o.value;
  }
};
std::optional<Cost> Check(const Grid& g, const Ref& primary, const Move& m) {
  const int64_t v = g.Value(primary);
  const int64_t lo = 1 - v, hi = g.Threshold(primary) - 1 - v;  // the primary's shifts
  Cost cost;
  for (const auto& [x, dir] : m.cells) {
    auto range = g.RangeIfWithheld(x);
    if (!range) return std::nullopt;
    const int64_t value = g.Value(x);
    for (int64_t shift : {lo, hi}) {
      const int64_t moved = value + dir * shift;
      if (moved < range->first || moved > range->second) return std::nullopt;
    }
    if (g.FlagOf(x) == Flag::kPublished) {
      ++cost.added;
      cost.value += value;
    }
  }
  return cost;
}

bool SameCell(const Grid& g, const Ref& a, const Ref& b) {
  if (a.col != b.col) return false;
  const bool shared = g.IsShared(a);
  return shared == g.IsShared(b) && (shared || (a.table == b.table && a.row == b.row));
}

// Adds to a move of fine cells the coarse cells it moves: in each row, a coarse cell moves by
// the sum of its fine cells' moves (nothing when that is zero, e.g. two subtypes of one
// category moving against each other).
void Expand(const Grid& g, Move& m) {
  if (!g.nested()) return;
  std::vector<std::pair<Ref, int>> coarse;
  for (const auto& [x, dir] : m.cells) {
    if (x.col >= g.base()) continue;  // a coarse cell or a row total
    const Ref y{x.table, x.row, g.group(x.col)};
    auto it = std::find_if(coarse.begin(), coarse.end(),
                           [&](const auto& e) { return SameCell(g, e.first, y); });
    if (it == coarse.end()) {
      coarse.push_back({y, dir});
    } else {
      it->second += dir;
    }
  }
  for (const auto& e : coarse) {
    if (e.second != 0) m.cells.push_back(e);
  }
}

// The direction of `x` in `m` (0 when it does not move).
int DirectionOf(const Grid& g, const Move& m, const Ref& x) {
  for (const auto& [y, dir] : m.cells) {
    if (SameCell(g, x, y)) return dir;
  }
  return 0;
}

// The cheapest certificate of a primary cell of a table's own rows (a cell or a row total):
// the rectangle (i,a) (i,l) (k,a) (k,l) of a fine column a and another fine column or the row
// totals' column l, with the coarse cells it moves. In the grid, fine cells sum along rows to
// the row total: a corner in the total column moves with the opposite sign of the
// rectangle's. The rectangles tried are those that move the primary cell.
std::optional<std::pair<Cost, Move>> RowCertificate(const Grid& g, const Ref& p) {
  std::optional<std::pair<Cost, Move>> best;
  const int c = g.cols(), base = g.base();
  std::vector<std::pair<int, int>> pairs;
  if (p.col == c) {
    for (int a = 0; a < base; ++a) pairs.push_back({a, c});
  } else if (p.col < base) {
    for (int l = 0; l <= c; ++l) {
      if (l != p.col && (l < base || l == c)) pairs.push_back({p.col, l});
    }
  } else {  // a coarse cell: one of its fine cells, against one of another coarse cell's
    for (int a = 0; a < base; ++a) {
      if (g.group(a) != p.col) continue;
      for (int l = 0; l <= c; ++l) {
        if (l == c || (l < base && g.group(l) != p.col)) pairs.push_back({a, l});
      }
    }
  }
  for (int k = 0; k < g.rows(p.table); ++k) {
    if (k == p.row) continue;
    for (const auto& [a, l] : pairs) {
      Move m;
      m.cells.push_back({Ref{p.table, p.row, a}, +1});
      m.cells.push_back({Ref{p.table, p.row, l}, l == c ? +1 : -1});
      m.cells.push_back({Ref{p.table, k, a}, -1});
      m.cells.push_back({Ref{p.table, k, l}, l == c ? -1 : +1});
      Expand(g, m);
      // Directions relative to the primary's own move (+1).
      const int self = DirectionOf(g, m, p);
      if (self == 0) continue;
      for (auto& cell : m.cells) cell.second *= self;
      auto cost = Check(g, p, m);
      if (cost && (!best || *cost < best->first)) best.emplace(*cost, std::move(m));
    }
  }
  return best;
}

// The certificate of a shared column total: a fine column total a moves with it and another
// one, b, against it (the grand total unchanged), and in every table one row moves cell a
// with it and cell b against it (row totals unchanged); with the coarse cells that moves.
// The same move certifies a primary cell of a table when its row is the one that moves in its
// table (`through`): a small column all in one row has no rectangle (the other rows' zeros
// cannot move) but moves with its column total.
std::optional<std::pair<Cost, Move>> ColumnCertificate(const Grid& g, const Ref& p,
                                                       bool through = false) {
  std::optional<std::pair<Cost, Move>> best;
  const int j = p.col, base = g.base();
  const int shared_table = through ? g.first_live() : p.table;
  std::vector<std::pair<int, int>> pairs;
  for (int a = 0; a < base; ++a) {
    if (j < base ? a != j : g.group(a) != j) continue;
    for (int b = 0; b < base; ++b) {
      if (b != a && (j < base || g.group(b) != j)) pairs.push_back({a, b});
    }
  }
  for (const auto& [a, b] : pairs) {
    Move m;
    m.cells.push_back({Ref{shared_table, g.rows(shared_table), a}, +1});
    m.cells.push_back({Ref{shared_table, g.rows(shared_table), b}, -1});
    Expand(g, m);
    bool ok = (through || DirectionOf(g, m, p) == 1) && Check(g, p, m).has_value();
    for (int t = 0; ok && t < g.tables(); ++t) {
      if (!g.live(t)) continue;
      std::optional<std::pair<Cost, Move>> row_best;
      for (int k = 0; k < g.rows(t); ++k) {
        if (through && t == p.table && k != p.row) continue;
        Move pair;
        pair.cells.push_back({Ref{t, k, a}, +1});
        pair.cells.push_back({Ref{t, k, b}, -1});
        Expand(g, pair);
        auto cost = Check(g, p, pair);
        if (cost && (!row_best || *cost < row_best->first)) row_best.emplace(*cost, pair);
      }
      if (!row_best) {
        ok = false;
      } else {
        for (auto& cell : row_best->second.cells) m.cells.push_back(cell);
      }
    }
    if (!ok || DirectionOf(g, m, p) != 1) continue;
    auto cost = Check(g, p, m);
    if (cost && (!best || *cost < best->first)) best.emplace(*cost, std::move(m));
  }
  return best;
}

}  // namespace

bool IsWellFormed(const Release& release) {
  if (release.column_thresholds.size() != release.columns.size() || release.tables.empty() ||
      release.columns.empty() || release.base_threshold < 2) {
    return false;
  }
  for (int64_t t : release.column_thresholds) {
    if (t < 2) return false;
  }
  int64_t first_sum = -1;
  std::vector<int64_t> first_columns;
  for (const Table& t : release.tables) {
    if (t.threshold < 2 || t.rows.empty() || t.cells.size() != t.rows.size()) return false;
    std::vector<int64_t> columns(release.columns.size(), 0);
    for (const auto& row : t.cells) {
      if (row.size() != release.columns.size()) return false;
      for (size_t j = 0; j < row.size(); ++j) {
        if (row[j] < 0 || row[j] > kUnbounded / 1024) return false;
        columns[j] += row[j];
      }
    }
    // Every table is a view of the same population.
    if (first_sum < 0) {
      first_columns = columns;
      first_sum = 0;
    } else if (columns != first_columns) {
      return false;
    }
  }
  return true;
}

namespace {

// How one attempt ended: every primary cell certified, or what has to go first.
struct Outcome {
  enum Kind {
    kCertified,
    kDropTable,
    kDropColumn,
    kHideGroup,
    kMergeColumn,
    kWithholdMonth
  } kind = kCertified;
  // The table or the column (of the attempt's release); of kHideGroup, the coarse column
  // whose fine ones the fine release should hide, or -1 for every coarse column; of
  // kMergeColumn, the fine column that failed.
  int index = 0;
};

Outcome TryProtect(Grid& g, const Release& r, const Withheld& earlier) {
  g.MarkPrimaries();
  // Sticky: what an earlier revision withheld is withheld again (as secondary when it is now
  // at least its threshold; a primary one is marked already), before any certificate.
  if (!earlier.cells.empty()) {
    for (int t = 0; t < g.tables(); ++t) {
      if (!g.live(t)) continue;
      for (int i = 0; i <= g.rows(t); ++i) {
        for (int j = 0; j <= g.cols(); ++j) {
          const Ref x{t, i, j};
          const bool shared = g.IsShared(x);
          const std::string table = shared ? "" : r.tables[t].name;
          const std::string row = shared ? "" : r.tables[t].rows[i];
          const std::string column = j == g.cols() ? "" : r.columns[j];
          if (!earlier.cells.count({table, row, column})) continue;
          if (g.FlagOf(x) == Flag::kPublished && g.Value(x) >= g.Threshold(x)) {
            g.FlagOf(x) = Flag::kSecondary;
          }
        }
      }
    }
  }
  const int c = g.cols();
  const int any = g.first_live();
  // A month whose grand total is itself small is not published at all.
  if (g.FlagOf(Ref{any, g.rows(any), c}) == Flag::kPrimary) return {Outcome::kWithholdMonth};
  std::vector<Ref> primaries;
  for (int j = 0; j < c; ++j) {
    const Ref shared{any, g.rows(any), j};
    if (g.FlagOf(shared) == Flag::kPrimary) primaries.push_back(shared);
  }
  for (int t = 0; t < g.tables(); ++t) {
    if (!g.live(t)) continue;
    for (int i = 0; i < g.rows(t); ++i) {
      for (int j = 0; j <= c; ++j) {
        if (g.FlagOf(Ref{t, i, j}) == Flag::kPrimary) primaries.push_back(Ref{t, i, j});
      }
    }
  }
  // Each primary cell gets its cheapest certificate; what a certificate withholds stays
  // withheld, so earlier certificates stay valid as later ones are added.
  for (const Ref& p : primaries) {
    const bool shared = g.IsShared(p);
    auto cert = shared ? ColumnCertificate(g, p) : RowCertificate(g, p);
    if (!cert && !shared && p.col < c) cert = ColumnCertificate(g, p, /*through=*/true);
    if (!cert) {
      if (g.nested()) {
        // Nested, what the fine release adds goes first: the fine cells of a group (a
        // category's subtypes) are hidden before the coarse release loses a table or a column.
        if (p.col < g.base()) return Outcome{Outcome::kMergeColumn, p.col};
        bool hidden = true, all_hidden = true;
        for (int j = 0; j < g.base(); ++j) {
          if (g.StandIn(j)) continue;
          all_hidden = false;
          if (g.group(j) == p.col) hidden = false;
        }
        if (p.col < c && !hidden) return Outcome{Outcome::kHideGroup, p.col};
        if (!all_hidden) return Outcome{Outcome::kHideGroup, -1};
      }
      return shared ? Outcome{Outcome::kDropColumn, p.col} : Outcome{Outcome::kDropTable, p.table};
    }
    for (const auto& [x, dir] : cert->second.cells) {
      if (g.FlagOf(x) == Flag::kPublished) g.FlagOf(x) = Flag::kSecondary;
    }
  }
  return {};
}

// The joint of a release (and of the coarser one it nests in, when `coarse` is not null) on
// the columns still published (its totals are of those only); `fine_index` and
// `coarse_index` get each original column's index in it, or -1.
Joint Restrict(const Release& fine, const Release* coarse, const std::vector<int>& group_of,
               const std::vector<bool>& fine_kept, const std::vector<bool>& coarse_kept,
               const std::vector<bool>& hidden, const std::vector<int>& merged_into,
               std::vector<int>& fine_index, std::vector<int>& coarse_index) {
  Joint out;
  out.r.base_threshold = fine.base_threshold;
  fine_index.assign(fine.columns.size(), -1);
  coarse_index.assign(coarse == nullptr ? 0 : coarse->columns.size(), -1);
  for (size_t j = 0; j < fine.columns.size(); ++j) {
    if (!fine_kept[j]) continue;
    fine_index[j] = static_cast<int>(out.r.columns.size());
    out.r.columns.push_back(fine.columns[j]);
    out.r.column_thresholds.push_back(fine.column_thresholds[j]);
  }
  // A stand-in for each coarse column published with its fine ones hidden (a name no
  // publication has: nothing of it is kept as withheld).
  std::vector<int> stand_ins;
  for (size_t k = 0; k < coarse_kept.size(); ++k) {
    if (!coarse_kept[k] || !hidden[k]) continue;
    stand_ins.push_back(static_cast<int>(k));
    out.r.columns.push_back("\x01" + coarse->columns[k]);
    out.r.column_thresholds.push_back(coarse->column_thresholds[k]);
  }
  out.base = static_cast<int>(out.r.columns.size());
  out.stand_in.assign(out.base, false);
  for (size_t n = 0; n < stand_ins.size(); ++n) out.stand_in[out.base - 1 - n] = true;
  for (size_t k = 0; k < coarse_index.size(); ++k) {
    if (!coarse_kept[k]) continue;
    coarse_index[k] = static_cast<int>(out.r.columns.size());
    out.r.columns.push_back(coarse->columns[k]);
    out.r.column_thresholds.push_back(coarse->column_thresholds[k]);
  }
  if (coarse != nullptr) {
    for (size_t j = 0; j < fine.columns.size(); ++j) {
      if (fine_kept[j]) out.group_of.push_back(coarse_index[group_of[j]]);
    }
    for (int k : stand_ins) out.group_of.push_back(coarse_index[k]);
  }
  for (size_t t = 0; t < fine.tables.size(); ++t) {
    const Table& f = fine.tables[t];
    Table kept{f.name, f.rows, {}, f.threshold};
    for (size_t i = 0; i < f.cells.size(); ++i) {
      std::vector<int64_t> cells;
      for (size_t j = 0; j < fine.columns.size(); ++j) {
        if (!fine_kept[j]) continue;
        int64_t v = f.cells[i][j];
        for (size_t m = 0; m < merged_into.size(); ++m) {
          if (merged_into[m] == static_cast<int>(j)) v += f.cells[i][m];
        }
        cells.push_back(v);
      }
      for (int k : stand_ins) cells.push_back(coarse->tables[t].cells[i][k]);
      for (size_t k = 0; k < coarse_index.size(); ++k) {
        if (coarse_kept[k]) cells.push_back(coarse->tables[t].cells[i][k]);
      }
      kept.cells.push_back(std::move(cells));
    }
    out.r.tables.push_back(std::move(kept));
  }
  return out;
}

// The part of a joint result that is one release: its columns at `index` (-1: published
// nowhere), the tables' row totals and the grand total shared.
ProtectedRelease Pick(const ProtectedRelease& p, const std::vector<int>& index) {
  ProtectedRelease out;
  auto pick = [&](const auto& joint, auto fill) {
    std::vector<std::decay_t<decltype(joint[0])>> picked(index.size(), fill);
    for (size_t k = 0; k < index.size(); ++k) {
      if (index[k] >= 0) picked[k] = joint[index[k]];
    }
    return picked;
  };
  for (const ProtectedTable& t : p.tables) {
    ProtectedTable pt = t;
    for (auto& row : pt.cells) row = pick(row, int64_t{0});
    for (auto& row : pt.cell_flags) row = pick(row, Flag::kNotPublished);
    out.tables.push_back(std::move(pt));
  }
  out.column_totals = pick(p.column_totals, int64_t{0});
  out.column_flags = pick(p.column_flags, Flag::kNotPublished);
  out.grand_total = p.grand_total;
  out.grand_flag = p.grand_flag;
  return out;
}

// Protect and ProtectNested: a release alone (`coarse` null), or nested in a coarser one.
NestedProtection ProtectJoint(const Release& fine, const Release* coarse,
                              const std::vector<int>& group_of, const std::vector<int>& other_of,
                              const Withheld& earlier) {
  NestedProtection withheld;
  withheld.fine.withheld = true;
  withheld.coarse.withheld = true;
  std::vector<bool> live(fine.tables.size(), true);
  for (size_t t = 0; t < fine.tables.size(); ++t) {
    live[t] = !earlier.tables.count(fine.tables[t].name);
  }
  auto none_live = [&] { return std::none_of(live.begin(), live.end(), [](bool b) { return b; }); };
  if (none_live()) return withheld;
  std::vector<bool> fine_kept(fine.columns.size()), coarse_kept, hidden;
  for (size_t j = 0; j < fine.columns.size(); ++j) {
    fine_kept[j] = !earlier.columns.count(fine.columns[j]);
  }
  // Nested, a coarse column's fine ones are published together or not at all: the coarse
  // cells less the published fine ones would be the fine cells of a column published nowhere.
  // Hidden, they stand in the joint as one column equal to the coarse one; dropped, the coarse
  // column goes with them.
  auto hide = [&](int k) {
    hidden[k] = true;
    for (size_t j = 0; j < fine.columns.size(); ++j) {
      if (group_of[j] == k) fine_kept[j] = false;
    }
  };
  auto drop = [&](int k) {
    hide(k);
    coarse_kept[k] = false;
  };
  // A fine column that cannot be published is counted in its group's other column, when the
  // group has one still published; otherwise the group is hidden.
  std::vector<int> merged_into(coarse == nullptr ? 0 : fine.columns.size(), -1);
  // When the other column itself fails, the group's smallest published column joins it (a
  // larger other column is easier to protect); with none left, the group is hidden.
  auto merge = [&](int j) {
    const int k = group_of[j];
    const int other = k < static_cast<int>(other_of.size()) ? other_of[k] : -1;
    if (other < 0 || !fine_kept[other] || hidden[k]) {
      hide(k);
      return;
    }
    if (j == other) {
      int64_t smallest = -1;
      for (size_t m = 0; m < fine.columns.size(); ++m) {
        if (group_of[m] != k || !fine_kept[m] || static_cast<int>(m) == other) continue;
        int64_t total = 0;
        for (const auto& row : fine.tables[0].cells) total += row[m];
        if (smallest < 0 || total < smallest) {
          smallest = total;
          j = static_cast<int>(m);
        }
      }
      if (j == other) {
        hide(k);
        return;
      }
    }
    fine_kept[j] = false;
    merged_into[j] = other;
  };
  if (coarse != nullptr) {
    coarse_kept.assign(coarse->columns.size(), true);
    hidden.assign(coarse->columns.size(), false);
    for (size_t k = 0; k < coarse->columns.size(); ++k) {
      if (earlier.columns.count(coarse->columns[k])) drop(static_cast<int>(k));
    }
    for (size_t j = 0; j < fine.columns.size(); ++j) {
      const int k = group_of[j];
      if (!fine_kept[j] && k < static_cast<int>(other_of.size()) && other_of[k] == j) hide(k);
    }
    for (size_t j = 0; j < fine.columns.size(); ++j) {
      if (!fine_kept[j] && !hidden[group_of[j]]) merge(static_cast<int>(j));
    }
    // What the coarse release cannot publish even alone (a table, a column, the month) it
    // does not publish here either: the joint's failures are then the fine release's to pay.
    const ProtectedRelease alone = ProtectJoint(*coarse, nullptr, {}, {}, earlier).fine;
    if (alone.withheld) return withheld;
    for (size_t t = 0; t < live.size(); ++t) {
      if (alone.tables[t].withheld) live[t] = false;
    }
    for (size_t k = 0; k < coarse->columns.size(); ++k) {
      if (alone.column_flags[k] == Flag::kNotPublished) drop(static_cast<int>(k));
    }
    if (none_live()) return withheld;
  }
  for (;;) {
    std::vector<int> fine_index, coarse_index;
    const Joint joint = Restrict(fine, coarse, group_of, fine_kept, coarse_kept, hidden,
                                 merged_into, fine_index, coarse_index);
    if (joint.base == 0) return withheld;
    Grid g(joint, live);
    const Outcome o = TryProtect(g, joint.r, earlier);
    // The original coarse column at the joint's index `col`.
    auto coarse_at = [&](int col) {
      for (size_t k = 0; k < coarse_index.size(); ++k) {
        if (coarse_index[k] == col) return static_cast<int>(k);
      }
      return -1;
    };
    switch (o.kind) {
      case Outcome::kCertified: {
        const ProtectedRelease p = g.Result(/*withheld=*/false);
        NestedProtection out;
        out.fine = Pick(p, fine_index);
        if (coarse != nullptr) out.coarse = Pick(p, coarse_index);
        return out;
      }
      case Outcome::kWithholdMonth:
        return withheld;
      case Outcome::kDropTable:
        // That table is not published; the others are protected again without it.
        live[o.index] = false;
        if (none_live()) return withheld;
        break;
      case Outcome::kMergeColumn:
        for (size_t j = 0; j < fine_index.size(); ++j) {
          if (fine_index[j] == o.index) merge(static_cast<int>(j));
        }
        break;
      case Outcome::kHideGroup:
        for (size_t k = 0; k < hidden.size(); ++k) {
          if (o.index < 0 || coarse_at(o.index) == static_cast<int>(k)) hide(static_cast<int>(k));
        }
        break;
      case Outcome::kDropColumn:
        // That column (nested: a coarse one, with its fine ones) is published nowhere; totals
        // are then of the other columns.
        for (size_t j = 0; j < fine_index.size(); ++j) {
          if (fine_index[j] == o.index) fine_kept[j] = false;
        }
        if (const int k = coarse_at(o.index); k >= 0) drop(k);
        break;
    }
  }
}

}  // namespace

Withheld WithheldOf(const Release& r, const ProtectedRelease& p) {
  Withheld w;
  // A month withheld whole published nothing a later revision could be compared with.
  if (p.withheld) return w;
  auto hidden = [](Flag f) { return f == Flag::kPrimary || f == Flag::kSecondary; };
  for (size_t j = 0; j < r.columns.size() && j < p.column_flags.size(); ++j) {
    if (p.column_flags[j] == Flag::kNotPublished) w.columns.insert(r.columns[j]);
    if (hidden(p.column_flags[j])) w.cells.insert({"", "", r.columns[j]});
  }
  if (hidden(p.grand_flag)) w.cells.insert({"", "", ""});
  for (size_t t = 0; t < r.tables.size() && t < p.tables.size(); ++t) {
    const Table& table = r.tables[t];
    const ProtectedTable& pt = p.tables[t];
    if (pt.withheld) {
      w.tables.insert(table.name);
      continue;
    }
    for (size_t i = 0; i < table.rows.size() && i < pt.cell_flags.size(); ++i) {
      for (size_t j = 0; j < r.columns.size() && j < pt.cell_flags[i].size(); ++j) {
        if (hidden(pt.cell_flags[i][j])) w.cells.insert({table.name, table.rows[i], r.columns[j]});
      }
      if (hidden(pt.row_flags[i])) w.cells.insert({table.name, table.rows[i], ""});
    }
  }
  return w;
}

std::string EncodeWithheld(const Withheld& w) {
  std::string out;
  for (const auto& t : w.tables) out += "T\t" + t + "\n";
  for (const auto& c : w.columns) out += "C\t" + c + "\n";
  for (const auto& [t, r, c] : w.cells) out += "X\t" + t + "\t" + r + "\t" + c + "\n";
  return out;
}

Withheld DecodeWithheld(const std::string& text) {
  Withheld w;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::vector<std::string> f;
    size_t from = start;
    for (;;) {
      const size_t tab = text.find('\t', from);
      if (tab == std::string::npos || tab > end) {
        f.push_back(text.substr(from, end - from));
        break;
      }
      f.push_back(text.substr(from, tab - from));
      from = tab + 1;
    }
    if (f.size() == 2 && f[0] == "T") w.tables.insert(f[1]);
    if (f.size() == 2 && f[0] == "C") w.columns.insert(f[1]);
    if (f.size() == 4 && f[0] == "X") w.cells.insert({f[1], f[2], f[3]});
    start = end + 1;
  }
  return w;
}

ProtectedRelease Protect(const Release& release, const Withheld& earlier) {
  if (!IsWellFormed(release)) {
    ProtectedRelease withheld;
    withheld.withheld = true;
    return withheld;
  }
  return ProtectJoint(release, nullptr, {}, {}, earlier).fine;
}

bool IsWellFormedNested(const Release& fine, const Release& coarse,
                        const std::vector<int>& group_of) {
  if (!IsWellFormed(fine) || !IsWellFormed(coarse) || group_of.size() != fine.columns.size() ||
      fine.base_threshold != coarse.base_threshold || fine.tables.size() != coarse.tables.size()) {
    return false;
  }
  // Withheld cells are remembered by column name: the two releases' must differ.
  std::set<std::string> names(fine.columns.begin(), fine.columns.end());
  for (const std::string& c : coarse.columns) {
    if (!names.insert(c).second) return false;
  }
  std::vector<bool> has_fine(coarse.columns.size(), false);
  for (int k : group_of) {
    if (k < 0 || k >= static_cast<int>(coarse.columns.size())) return false;
    has_fine[k] = true;
  }
  if (std::find(has_fine.begin(), has_fine.end(), false) != has_fine.end()) return false;
  for (size_t t = 0; t < fine.tables.size(); ++t) {
    const Table& f = fine.tables[t];
    const Table& c = coarse.tables[t];
    if (f.name != c.name || f.rows != c.rows || f.threshold != c.threshold) return false;
    for (size_t i = 0; i < f.cells.size(); ++i) {
      std::vector<int64_t> sums(coarse.columns.size(), 0);
      for (size_t j = 0; j < f.cells[i].size(); ++j) sums[group_of[j]] += f.cells[i][j];
      if (sums != c.cells[i]) return false;
    }
  }
  return true;
}

NestedProtection ProtectNested(const Release& fine, const Release& coarse,
                               const std::vector<int>& group_of, const std::vector<int>& other_of,
                               const Withheld& earlier) {
  if (!IsWellFormedNested(fine, coarse, group_of)) {
    NestedProtection withheld;
    withheld.fine.withheld = true;
    withheld.coarse.withheld = true;
    return withheld;
  }
  for (size_t k = 0; k < other_of.size(); ++k) {
    if (other_of[k] >= static_cast<int>(fine.columns.size()) ||
        (other_of[k] >= 0 && group_of[other_of[k]] != static_cast<int>(k))) {
      NestedProtection withheld;
      withheld.fine.withheld = true;
      withheld.coarse.withheld = true;
      return withheld;
    }
  }
  return ProtectJoint(fine, &coarse, group_of, other_of, earlier);
}

}  // namespace enlace::stats
