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

// The release being protected: values, thresholds and the flags chosen so far.
class Grid {
 public:
  // `live`: the tables still published.
  Grid(const Release& r, std::vector<bool> live) : r_(r), live_(std::move(live)) {
    const size_t c = r.columns.size();
    column_totals_.assign(c, 0);
    for (const Table& t : r.tables) {
      std::vector<int64_t> totals;
      for (const auto& row : t.cells) {
        int64_t sum = 0;
        for (size_t j = 0; j < c; ++j) sum += row[j];
        totals.push_back(sum);
      }
      row_totals_.push_back(std::move(totals));
      cell_flags_.emplace_back(t.rows.size(), std::vector<Flag>(c, Flag::kPublished));
      row_flags_.emplace_back(t.rows.size(), Flag::kPublished);
    }
    // Every table covers the same population: its column sums are the column totals.
    if (!r.tables.empty()) {
      for (const auto& row : r.tables[0].cells) {
        for (size_t j = 0; j < c; ++j) column_totals_[j] += row[j];
      }
    }
    for (int64_t v : column_totals_) grand_ += v;
    column_flags_.assign(c, Flag::kPublished);
  }

  int rows(int t) const { return static_cast<int>(r_.tables[t].rows.size()); }
  int cols() const { return static_cast<int>(r_.columns.size()); }
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
          if (v > 0 && v < Threshold(x)) FlagOf(x) = Flag::kPrimary;
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

// The cheapest certificate of a primary cell of a table's own rows (a cell or a row total):
// the rectangle (i,p) (i,l) (k,p) (k,l). In the grid, interior cells sum along rows to the
// row total: a corner in the total column moves with the opposite sign of the rectangle's.
std::optional<std::pair<Cost, Move>> RowCertificate(const Grid& g, const Ref& p) {
  std::optional<std::pair<Cost, Move>> best;
  const int c = g.cols();
  auto coef = [&](int rect_sign, int col) { return col == c ? -rect_sign : rect_sign; };
  const int self = coef(+1, p.col);
  for (int k = 0; k < g.rows(p.table); ++k) {
    if (k == p.row) continue;
    for (int l = 0; l <= c; ++l) {
      if (l == p.col) continue;
      Move m;
      // Directions relative to the primary's own move (+1).
      m.cells.push_back({Ref{p.table, p.row, l}, coef(-1, l) * self});
      m.cells.push_back({Ref{p.table, k, p.col}, coef(-1, p.col) * self});
      m.cells.push_back({Ref{p.table, k, l}, coef(+1, l) * self});
      auto cost = Check(g, p, m);
      if (cost && (!best || *cost < best->first)) best.emplace(*cost, std::move(m));
    }
  }
  return best;
}

// The certificate of a shared column total j: it moves against another column total l, and
// in every table one row moves cell j with it and cell l against it (row totals unchanged).
std::optional<std::pair<Cost, Move>> ColumnCertificate(const Grid& g, const Ref& p) {
  std::optional<std::pair<Cost, Move>> best;
  const int j = p.col;
  for (int l = 0; l < g.cols(); ++l) {
    if (l == j) continue;
    Move m;
    m.cells.push_back({Ref{p.table, g.rows(p.table), l}, -1});
    bool ok = Check(g, p, m).has_value();
    for (int t = 0; ok && t < g.tables(); ++t) {
      if (!g.live(t)) continue;
      std::optional<std::pair<Cost, Move>> row_best;
      for (int k = 0; k < g.rows(t); ++k) {
        Move pair;
        pair.cells.push_back({Ref{t, k, j}, +1});
        pair.cells.push_back({Ref{t, k, l}, -1});
        auto cost = Check(g, p, pair);
        if (cost && (!row_best || *cost < row_best->first)) row_best.emplace(*cost, pair);
      }
      if (!row_best) {
        ok = false;
      } else {
        for (auto& cell : row_best->second.cells) m.cells.push_back(cell);
      }
    }
    if (!ok) continue;
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
  enum Kind { kCertified, kDropTable, kDropColumn, kWithholdMonth } kind = kCertified;
  int index = 0;  // the table or the column (of the attempt's release)
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
    if (!cert) {
      return shared ? Outcome{Outcome::kDropColumn, p.col} : Outcome{Outcome::kDropTable, p.table};
    }
    for (const auto& [x, dir] : cert->second.cells) {
      if (g.FlagOf(x) == Flag::kPublished) g.FlagOf(x) = Flag::kSecondary;
    }
  }
  return {};
}

// The release restricted to the columns still published (its totals are of those only).
Release Restrict(const Release& r, const std::vector<int>& columns) {
  Release out;
  out.base_threshold = r.base_threshold;
  for (int j : columns) {
    out.columns.push_back(r.columns[j]);
    out.column_thresholds.push_back(r.column_thresholds[j]);
  }
  for (const Table& t : r.tables) {
    Table kept{t.name, t.rows, {}, t.threshold};
    for (const auto& row : t.cells) {
      std::vector<int64_t> cells;
      for (int j : columns) cells.push_back(row[j]);
      kept.cells.push_back(std::move(cells));
    }
    out.tables.push_back(std::move(kept));
  }
  return out;
}

// A result on restricted columns, back in the release's shape.
ProtectedRelease Widen(ProtectedRelease p, const std::vector<int>& columns, int width) {
  auto widen = [&](const auto& narrow, auto fill) {
    std::vector<std::decay_t<decltype(narrow[0])>> wide(width, fill);
    for (size_t k = 0; k < columns.size(); ++k) wide[columns[k]] = narrow[k];
    return wide;
  };
  for (ProtectedTable& t : p.tables) {
    for (auto& row : t.cells) row = widen(row, int64_t{0});
    for (auto& row : t.cell_flags) row = widen(row, Flag::kNotPublished);
  }
  p.column_totals = widen(p.column_totals, int64_t{0});
  p.column_flags = widen(p.column_flags, Flag::kNotPublished);
  return p;
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
  ProtectedRelease withheld;
  withheld.withheld = true;
  if (!IsWellFormed(release)) return withheld;
  std::vector<bool> live(release.tables.size(), true);
  for (size_t t = 0; t < release.tables.size(); ++t) {
    live[t] = !earlier.tables.count(release.tables[t].name);
  }
  if (std::none_of(live.begin(), live.end(), [](bool b) { return b; })) return withheld;
  std::vector<int> columns;
  for (size_t j = 0; j < release.columns.size(); ++j) {
    if (!earlier.columns.count(release.columns[j])) columns.push_back(static_cast<int>(j));
  }
  if (columns.empty()) return withheld;
  for (;;) {
    const Release restricted = Restrict(release, columns);
    Grid g(restricted, live);
    const Outcome o = TryProtect(g, restricted, earlier);
    switch (o.kind) {
      case Outcome::kCertified:
        return Widen(g.Result(/*withheld=*/false), columns,
                     static_cast<int>(release.columns.size()));
      case Outcome::kWithholdMonth:
        return withheld;
      case Outcome::kDropTable:
        // That table is not published; the others are protected again without it.
        live[o.index] = false;
        if (std::none_of(live.begin(), live.end(), [](bool b) { return b; })) return withheld;
        break;
      case Outcome::kDropColumn:
        // That column is published nowhere; totals are then of the other columns.
        columns.erase(columns.begin() + o.index);
        if (columns.empty()) return withheld;
        break;
    }
  }
}

}  // namespace enlace::stats
