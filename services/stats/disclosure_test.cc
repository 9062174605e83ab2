// Disclosure control, attacked. The attacker knows every published number, every flag, the
// thresholds and how the tables add up (rows to row totals, columns to the shared column
// totals, everything to the grand total), and enumerates every table consistent with them.
// A primary cell is disclosed when some value in [1, threshold-1] is impossible: the attacker
// then knows more than "small". The test fails if any cell is.
#include "services/stats/disclosure.h"

#include <functional>
#include <iostream>
#include <random>

#include "gtest/gtest.h"

namespace enlace::stats {
namespace {

// One unknown or known number of the published release, and the sums that bind them.
struct Var {
  int64_t lo, hi;  // lo == hi: published
  int64_t truth;
};
struct Sum {
  std::vector<std::pair<int, int>> terms;  // (var, +1 or -1), adding up to zero
};

// Where one release's numbers are among the attacker's variables (-1: not published).
struct Part {
  std::vector<std::vector<std::vector<int>>> cells;  // [table][row][column]
  std::vector<int> columns;                          // the column totals
};

class Attacker {
 public:
  Attacker() = default;
  Attacker(const Release& full, const ProtectedRelease& published) { Add(full, published); }

  // Two releases held together, `fine` nested in `coarse` (fine column j in coarse column
  // group_of[j]): in every row of every table both publish, and in the column totals, a
  // coarse number is the sum of its fine ones. Only groups published whole are tied (a
  // weaker attacker elsewhere, which is enough for the control).
  // `absent`: fine columns counted in another (zero in the release the attacker models).
  void Link(const Part& fine, const Part& coarse, const std::vector<int>& group_of,
            const std::vector<bool>& absent = {}) {
    auto in = [&](size_t j, size_t k) {
      return group_of[j] == static_cast<int>(k) && !(j < absent.size() && absent[j]);
    };
    for (size_t k = 0; k < coarse.columns.size(); ++k) {
      bool whole = coarse.columns[k] >= 0;
      for (size_t j = 0; j < group_of.size(); ++j) {
        if (in(j, k)) whole = whole && fine.columns[j] >= 0;
      }
      if (!whole) continue;
      auto tie = [&](const std::vector<int>& f, int c) {
        Sum s;
        for (size_t j = 0; j < group_of.size(); ++j) {
          if (in(j, k)) s.terms.push_back({f[j], +1});
        }
        s.terms.push_back({c, -1});
        sums_.push_back(s);
      };
      tie(fine.columns, coarse.columns[k]);
      for (size_t t = 0; t < fine.cells.size() && t < coarse.cells.size(); ++t) {
        if (fine.cells[t].empty() || coarse.cells[t].empty()) continue;  // a table withheld
        for (size_t i = 0; i < fine.cells[t].size(); ++i) {
          tie(fine.cells[t][i], coarse.cells[t][i][k]);
        }
      }
    }
  }

  // `counted`: columns published nowhere whose cells the totals still count (a nested
  // release's group hidden while its coarse column is published): unknowns to the attacker.
  Part Add(const Release& full, const ProtectedRelease& published,
           const std::vector<bool>& counted = {}) {
    Part part;
    // What the attacker sees: the columns published this month, and totals of those.
    Release r = full;
    ProtectedRelease p = published;
    std::vector<size_t> shown;
    for (size_t j = 0; j < full.columns.size(); ++j) {
      if (published.column_flags[j] != Flag::kNotPublished || (j < counted.size() && counted[j])) {
        shown.push_back(j);
      }
    }
    auto keep = [&](auto& v) {
      std::decay_t<decltype(v)> out;
      for (size_t j : shown) out.push_back(v[j]);
      v = out;
    };
    keep(r.columns);
    keep(r.column_thresholds);
    keep(p.column_totals);
    keep(p.column_flags);
    for (auto& t : r.tables) {
      for (auto& row : t.cells) keep(row);
    }
    for (auto& t : p.tables) {
      for (auto& row : t.cells) keep(row);
      for (auto& row : t.cell_flags) keep(row);
    }
    for (size_t k = 0; k < shown.size(); ++k) {
      if (published.column_flags[shown[k]] == Flag::kNotPublished) continue;  // counted
      for (const auto& t : p.tables) {
        for (const auto& row : t.cell_flags) {
          EXPECT_NE(row[k], Flag::kNotPublished) << "a cell of a published column not published";
        }
      }
    }
    const int c = static_cast<int>(r.columns.size());
    const int64_t grand = p.grand_total;  // never withheld in a published month
    auto add = [&](int64_t truth, Flag f, int64_t threshold, int64_t value) {
      switch (f) {
        case Flag::kPublished:
          EXPECT_EQ(value, truth);
          vars_.push_back({truth, truth, truth});
          break;
        case Flag::kPrimary:
          EXPECT_EQ(value, 0);
          primaries_.push_back(static_cast<int>(vars_.size()));
          vars_.push_back({1, threshold - 1, truth});
          break;
        case Flag::kSecondary:
          EXPECT_EQ(value, 0);
          vars_.push_back({threshold, grand, truth});
          break;
        case Flag::kNotPublished:
          // A counted column's: anything from 0 up.
          EXPECT_EQ(value, 0);
          vars_.push_back({0, grand, truth});
          break;
      }
      return static_cast<int>(vars_.size()) - 1;
    };
    std::vector<int64_t> column_truth(c, 0);
    for (const auto& row : r.tables[0].cells) {
      for (int j = 0; j < c; ++j) column_truth[j] += row[j];
    }
    std::vector<int> column_vars;
    int64_t grand_truth = 0;
    for (int j = 0; j < c; ++j) {
      column_vars.push_back(add(column_truth[j], p.column_flags[j],
                                std::max(r.base_threshold, r.column_thresholds[j]),
                                p.column_totals[j]));
      grand_truth += column_truth[j];
    }
    const int grand_var = add(grand_truth, p.grand_flag, r.base_threshold, p.grand_total);
    part.columns.assign(full.columns.size(), -1);
    for (size_t k = 0; k < shown.size(); ++k) part.columns[shown[k]] = column_vars[k];
    part.cells.resize(r.tables.size());
    Sum columns_to_grand;
    for (int v : column_vars) columns_to_grand.terms.push_back({v, +1});
    columns_to_grand.terms.push_back({grand_var, -1});
    sums_.push_back(columns_to_grand);
    for (size_t t = 0; t < r.tables.size(); ++t) {
      const Table& table = r.tables[t];
      const ProtectedTable& pt = p.tables[t];
      if (pt.withheld) continue;  // not published: the attacker has nothing of it
      std::vector<std::vector<int>> cell_vars;
      Sum rows_to_grand;
      for (size_t i = 0; i < table.rows.size(); ++i) {
        std::vector<int> row_vars;
        int64_t row_truth = 0;
        Sum row;
        for (int j = 0; j < c; ++j) {
          const int v = add(table.cells[i][j], pt.cell_flags[i][j],
                            std::max(table.threshold, r.column_thresholds[j]), pt.cells[i][j]);
          row_vars.push_back(v);
          row.terms.push_back({v, +1});
          row_truth += table.cells[i][j];
        }
        const int total = add(row_truth, pt.row_flags[i], table.threshold, pt.row_totals[i]);
        row.terms.push_back({total, -1});
        sums_.push_back(row);
        rows_to_grand.terms.push_back({total, +1});
        cell_vars.push_back(row_vars);
      }
      rows_to_grand.terms.push_back({grand_var, -1});
      sums_.push_back(rows_to_grand);
      for (int j = 0; j < c; ++j) {
        Sum column;
        for (const auto& row_vars : cell_vars) column.terms.push_back({row_vars[j], +1});
        column.terms.push_back({column_vars[j], -1});
        sums_.push_back(column);
      }
      for (const auto& row_vars : cell_vars) {
        std::vector<int> wide(full.columns.size(), -1);
        for (size_t k = 0; k < shown.size(); ++k) wide[shown[k]] = row_vars[k];
        part.cells[t].push_back(std::move(wide));
      }
    }
    return part;
  }

  // The primary cells, by variable.
  const std::vector<int>& Primaries() const { return primaries_; }
  const Var& var(int v) const { return vars_[v]; }

  // Whether some table consistent with everything published has `v` equal to `value`.
  bool Possible(int v, int64_t value) {
    std::vector<int64_t> lo(vars_.size()), hi(vars_.size());
    for (size_t i = 0; i < vars_.size(); ++i) {
      lo[i] = vars_[i].lo;
      hi[i] = vars_[i].hi;
    }
    lo[v] = hi[v] = value;
    return Search(lo, hi);
  }

 private:
  // Narrows every bound by the sums until nothing changes; false when some sum cannot hold.
  bool Propagate(std::vector<int64_t>& lo, std::vector<int64_t>& hi) const {
    for (bool changed = true; changed;) {
      changed = false;
      for (const Sum& s : sums_) {
        int64_t min_sum = 0, max_sum = 0;
        for (const auto& [v, k] : s.terms) {
          min_sum += k > 0 ? lo[v] : -hi[v];
          max_sum += k > 0 ? hi[v] : -lo[v];
        }
        if (min_sum > 0 || max_sum < 0) return false;
        for (const auto& [v, k] : s.terms) {
          // The others' range, and so this term's.
          const int64_t others_min = min_sum - (k > 0 ? lo[v] : -hi[v]);
          const int64_t others_max = max_sum - (k > 0 ? hi[v] : -lo[v]);
          int64_t new_lo, new_hi;
          if (k > 0) {
            new_lo = std::max(lo[v], -others_max);
            new_hi = std::min(hi[v], -others_min);
          } else {
            new_lo = std::max(lo[v], others_min);
            new_hi = std::min(hi[v], others_max);
          }
          if (new_lo > new_hi) return false;
          if (new_lo != lo[v] || new_hi != hi[v]) {
            lo[v] = new_lo;
            hi[v] = new_hi;
            changed = true;
            min_sum = 0;
            max_sum = 0;
            for (const auto& [w, kw] : s.terms) {
              min_sum += kw > 0 ? lo[w] : -hi[w];
              max_sum += kw > 0 ? hi[w] : -lo[w];
            }
          }
        }
      }
    }
    return true;
  }
  // Exhaustive: branch on the undecided variable with the fewest values, value by value.
  bool Search(std::vector<int64_t> lo, std::vector<int64_t> hi) const {
    if (!Propagate(lo, hi)) return false;
    size_t best = lo.size();
    for (size_t v = 0; v < lo.size(); ++v) {
      if (lo[v] != hi[v] && (best == lo.size() || hi[v] - lo[v] < hi[best] - lo[best])) best = v;
    }
    if (best == lo.size()) return true;  // every variable decided, every sum holds
    for (int64_t value = lo[best]; value <= hi[best]; ++value) {
      auto l = lo, h = hi;
      l[best] = h[best] = value;
      if (Search(l, h)) return true;
    }
    return false;
  }

  std::vector<Var> vars_;
  std::vector<Sum> sums_;
  std::vector<int> primaries_;
};

// Counts of one month: many small cells, some zeros, some large ones.
Release RandomRelease(std::mt19937& rng, bool sensitive_column) {
  Release r;
  r.columns = {"legal", "labour", "trafficking"};
  r.column_thresholds = {5, 5, sensitive_column ? 10 : 5};
  std::uniform_int_distribution<int> kind(0, 9), small(1, 4), large(5, 25);
  auto draw = [&] {
    const int k = kind(rng);
    return k < 2 ? 0 : (k < 6 ? small(rng) : large(rng));
  };
  Table host{"host_country", {"US", "MX", "CA"}, {}, 5};
  for (int i = 0; i < 3; ++i) host.cells.push_back({draw(), draw(), draw()});
  // The second table splits the same cases by sex: each column's cases divided between two
  // rows.
  Table sex{"sex", {"female", "male"}, {}, 5};
  sex.cells.assign(2, std::vector<int64_t>(3, 0));
  for (int j = 0; j < 3; ++j) {
    int64_t column = 0;
    for (int i = 0; i < 3; ++i) column += host.cells[i][j];
    std::uniform_int_distribution<int64_t> split(0, column);
    sex.cells[0][j] = split(rng);
    sex.cells[1][j] = column - sex.cells[0][j];
  }
  r.tables = {host, sex};
  return r;
}

TEST(DisclosureTest, NoWithheldCellCanBeNarrowedByAnyAttacker) {
  std::mt19937 rng(20261130);
  int published_months = 0, primaries_checked = 0, secondaries = 0, withheld_tables = 0,
      dropped_columns = 0;
  for (int round = 0; round < 150; ++round) {
    const Release r = RandomRelease(rng, round % 3 == 0);
    const ProtectedRelease p = Protect(r);
    if (p.withheld) continue;
    ++published_months;
    for (Flag f : p.column_flags) dropped_columns += f == Flag::kNotPublished;
    for (const auto& t : p.tables) {
      withheld_tables += t.withheld;
      for (const auto& row : t.cell_flags) {
        for (Flag f : row) secondaries += f == Flag::kSecondary;
      }
    }
    Attacker attacker(r, p);
    for (int v : attacker.Primaries()) {
      ++primaries_checked;
      for (int64_t value = attacker.var(v).lo; value <= attacker.var(v).hi; ++value) {
        EXPECT_TRUE(attacker.Possible(v, value))
            << "round " << round << ": a withheld cell (truly " << attacker.var(v).truth
            << ") cannot be " << value << ": the attacker narrowed it";
      }
    }
  }
  // The attack ran on real material.
  std::cout << published_months << " of 150 months published, " << withheld_tables
            << " tables withheld, " << dropped_columns << " columns withheld, " << primaries_checked << " primary cells attacked, "
            << secondaries << " secondary cells\n";
  EXPECT_GT(published_months, 100);
  EXPECT_GT(primaries_checked, 200);
  EXPECT_GT(secondaries, 50);
}

// A correction (a later revision of the month, with cases recorded late) withholds again
// whatever the earlier revision withheld, and is itself as safe as any release.
TEST(DisclosureTest, ARevisionKeepsWithheldWhatTheEarlierOneWithheld) {
  std::mt19937 rng(20261201);
  int revisions = 0, kept = 0;
  for (int round = 0; round < 100; ++round) {
    const Release first = RandomRelease(rng, round % 3 == 0);
    const ProtectedRelease p1 = Protect(first);
    if (p1.withheld) continue;
    // Late cases: a few more in some cells of the host table, split into the sex table.
    Release second = first;
    std::uniform_int_distribution<int> cell(0, 2), more(1, 6);
    for (int k = 0; k < 3; ++k) {
      const int i = cell(rng), j = cell(rng), n = more(rng);
      second.tables[0].cells[i][j] += n;
      second.tables[1].cells[k % 2][j] += n;
    }
    const Withheld earlier = WithheldOf(first, p1);
    EXPECT_EQ(DecodeWithheld(EncodeWithheld(earlier)).cells, earlier.cells);
    const ProtectedRelease p2 = Protect(second, earlier);
    if (p2.withheld) continue;
    ++revisions;
    const Withheld now = WithheldOf(second, p2);
    for (const auto& t : earlier.tables) EXPECT_TRUE(now.tables.count(t)) << "round " << round;
    for (const auto& c : earlier.columns) EXPECT_TRUE(now.columns.count(c)) << "round " << round;
    for (const auto& x : earlier.cells) {
      const auto& [table, row, column] = x;
      if (now.tables.count(table) || now.columns.count(column)) continue;
      ++kept;
      EXPECT_TRUE(now.cells.count(x))
          << "round " << round << ": " << table << "/" << row << "/" << column
          << " withheld in the first revision, published in the second";
    }
    Attacker attacker(second, p2);
    for (int v : attacker.Primaries()) {
      for (int64_t value = attacker.var(v).lo; value <= attacker.var(v).hi; ++value) {
        EXPECT_TRUE(attacker.Possible(v, value)) << "round " << round;
      }
    }
  }
  EXPECT_GT(revisions, 50);
  EXPECT_GT(kept, 100);
}

// Without its secondary cells, the same releases give primary cells away: the attacker above
// is strong enough to catch a weaker rule.
TEST(DisclosureTest, PrimarySuppressionAloneIsCaughtByTheAttacker) {
  std::mt19937 rng(7);
  int narrowed = 0;
  for (int round = 0; round < 60; ++round) {
    const Release r = RandomRelease(rng, false);
    ProtectedRelease p = Protect(r);
    if (p.withheld) continue;
    // Publish every secondary cell again.
    for (size_t t = 0; t < p.tables.size(); ++t) {
      if (p.tables[t].withheld) continue;
      for (size_t i = 0; i < p.tables[t].cells.size(); ++i) {
        for (size_t j = 0; j < p.tables[t].cells[i].size(); ++j) {
          if (p.tables[t].cell_flags[i][j] == Flag::kSecondary) {
            p.tables[t].cell_flags[i][j] = Flag::kPublished;
            p.tables[t].cells[i][j] = r.tables[t].cells[i][j];
          }
        }
        if (p.tables[t].row_flags[i] == Flag::kSecondary) {
          int64_t sum = 0;
          for (size_t j = 0; j < r.columns.size(); ++j) {
            if (p.column_flags[j] != Flag::kNotPublished) sum += r.tables[t].cells[i][j];
          }
          p.tables[t].row_flags[i] = Flag::kPublished;
          p.tables[t].row_totals[i] = sum;
        }
      }
    }
    for (size_t j = 0; j < p.column_flags.size(); ++j) {
      if (p.column_flags[j] == Flag::kSecondary) {
        int64_t sum = 0;
        for (const auto& row : r.tables[0].cells) sum += row[j];
        p.column_flags[j] = Flag::kPublished;
        p.column_totals[j] = sum;
      }
    }
    Attacker attacker(r, p);
    for (int v : attacker.Primaries()) {
      bool pinned = false;
      for (int64_t value = attacker.var(v).lo; value <= attacker.var(v).hi; ++value) {
        pinned |= !attacker.Possible(v, value);
      }
      narrowed += pinned;
    }
  }
  EXPECT_GT(narrowed, 10);
}

TEST(DisclosureTest, EveryPublishedCellIsZeroOrAtLeastItsThreshold) {
  std::mt19937 rng(11);
  for (int round = 0; round < 100; ++round) {
    const Release r = RandomRelease(rng, true);
    const ProtectedRelease p = Protect(r);
    if (p.withheld) continue;
    for (size_t t = 0; t < p.tables.size(); ++t) {
      EXPECT_TRUE(!p.tables[t].withheld || p.tables[t].cells.empty());
      for (size_t i = 0; i < p.tables[t].cells.size(); ++i) {
        for (size_t j = 0; j < p.tables[t].cells[i].size(); ++j) {
          const int64_t v = r.tables[t].cells[i][j];
          const int64_t threshold = std::max(r.tables[t].threshold, r.column_thresholds[j]);
          if (p.tables[t].cell_flags[i][j] == Flag::kPublished) {
            EXPECT_TRUE(v == 0 || v >= threshold) << v << " published under " << threshold;
            EXPECT_EQ(p.tables[t].cells[i][j], v);
          } else if (p.tables[t].cell_flags[i][j] != Flag::kNotPublished) {
            EXPECT_EQ(p.tables[t].cells[i][j], 0) << "a withheld value shown";
            EXPECT_EQ(p.tables[t].cell_flags[i][j] == Flag::kPrimary, v > 0 && v < threshold);
          }
        }
      }
    }
    for (size_t j = 0; j < p.column_flags.size(); ++j) {
      if (p.column_flags[j] == Flag::kPublished) {
        EXPECT_TRUE(p.column_totals[j] == 0 ||
                    p.column_totals[j] >= std::max(r.base_threshold, r.column_thresholds[j]));
      }
    }
  }
}

TEST(DisclosureTest, ASmallRowTotalIsProtectedLikeACell) {
  Release r;
  r.columns = {"legal", "labour"};
  r.column_thresholds = {5, 5};
  // MX's only case this month: its row total is 1, and so is its cell.
  r.tables = {Table{"host_country", {"US", "MX", "CA"}, {{40, 30}, {1, 0}, {20, 25}}, 5}};
  const ProtectedRelease p = Protect(r);
  ASSERT_FALSE(p.withheld);
  EXPECT_EQ(p.tables[0].cell_flags[1][0], Flag::kPrimary);
  EXPECT_EQ(p.tables[0].row_flags[1], Flag::kPrimary);
  EXPECT_EQ(p.tables[0].cell_flags[1][1], Flag::kPublished);  // a zero stays a zero
  int secondary = 0;
  for (const auto& row : p.tables[0].cell_flags) {
    for (Flag f : row) secondary += f == Flag::kSecondary;
  }
  for (Flag f : p.tables[0].row_flags) secondary += f == Flag::kSecondary;
  EXPECT_GE(secondary, 2);
  Attacker attacker(r, p);
  for (int v : attacker.Primaries()) {
    for (int64_t value = 1; value <= 4; ++value) EXPECT_TRUE(attacker.Possible(v, value));
  }
}

TEST(DisclosureTest, ChildrensCellsUseTheirOwnThreshold) {
  Release r;
  r.columns = {"legal", "labour"};
  r.column_thresholds = {5, 5};
  r.tables = {Table{"unaccompanied_children", {"GT", "HN", "SV"}, {{7, 30}, {40, 12}, {25, 33}},
                    10}};
  const ProtectedRelease p = Protect(r);
  ASSERT_FALSE(p.withheld);
  EXPECT_EQ(p.tables[0].cell_flags[0][0], Flag::kPrimary);  // 7 < 10
  EXPECT_EQ(p.tables[0].cells[0][0], 0);
}

TEST(DisclosureTest, ATinyMonthOrAMalformedReleaseIsWithheldWhole) {
  Release tiny;
  tiny.columns = {"legal"};
  tiny.column_thresholds = {5};
  tiny.tables = {Table{"host_country", {"US"}, {{3}}, 5}};
  EXPECT_TRUE(Protect(tiny).withheld);
  Release ragged = tiny;
  ragged.tables[0].cells = {{30, 2}};
  EXPECT_FALSE(IsWellFormed(ragged));
  EXPECT_TRUE(Protect(ragged).withheld);
  Release negative = tiny;
  negative.tables[0].cells = {{-30}};
  EXPECT_TRUE(Protect(negative).withheld);
  // Two tables that do not add up to the same columns are not views of one month.
  Release inconsistent;
  inconsistent.columns = {"legal"};
  inconsistent.column_thresholds = {5};
  inconsistent.tables = {Table{"a", {"x"}, {{30}}, 5}, Table{"b", {"y"}, {{31}}, 5}};
  EXPECT_TRUE(Protect(inconsistent).withheld);
}

// A small column all in one row of every table (two traffickings, both women in the US) has
// no rectangle: the other rows' zeros cannot move. It moves with its column total instead,
// against a large column; without that certificate every table would go and the month with
// them.
TEST(DisclosureTest, ASmallColumnInOneRowMovesWithItsTotal) {
  Release r;
  r.columns = {"legal", "labour", "trafficking"};
  r.column_thresholds = {5, 5, 10};
  r.tables = {Table{"host_country", {"US", "MX", "CA"}, {{40, 30, 2}, {12, 20, 0}, {25, 9, 0}},
                    5},
              Table{"sex", {"female", "male"}, {{40, 29, 2}, {37, 30, 0}}, 5}};
  const ProtectedRelease p = Protect(r);
  ASSERT_FALSE(p.withheld);
  EXPECT_FALSE(p.tables[0].withheld);
  EXPECT_FALSE(p.tables[1].withheld);
  EXPECT_EQ(p.tables[0].cell_flags[0][2], Flag::kPrimary);
  EXPECT_EQ(p.tables[1].cell_flags[0][2], Flag::kPrimary);
  EXPECT_EQ(p.column_flags[2], Flag::kPrimary);
  Attacker attacker(r, p);
  ASSERT_EQ(attacker.Primaries().size(), 3u);
  for (int v : attacker.Primaries()) {
    for (int64_t value = 1; value <= 9; ++value) EXPECT_TRUE(attacker.Possible(v, value));
  }
}

// Cases of one month by subtype (fine) and by category (coarse): subtypes a1, a2 of category
// A with its other column oA (A's cases in no published subtype), b1, b2 of B (no other
// column), c1 (sensitive: threshold 10 when `sensitive`) alone in C. Many small cells.
constexpr int kFine = 6;
struct NestedPair {
  Release fine, coarse;
  std::vector<int> group_of = {0, 0, 0, 1, 1, 2};
  std::vector<int> other_of = {2, -1, -1};
};
NestedPair RandomNested(std::mt19937& rng, bool sensitive) {
  NestedPair n;
  n.fine.columns = {"a1", "a2", "oA", "b1", "b2", "c1"};
  n.fine.column_thresholds = {5, 5, 5, 5, 5, sensitive ? 10 : 5};
  n.coarse.columns = {"A", "B", "C"};
  n.coarse.column_thresholds = {5, 5, sensitive ? 10 : 5};
  std::uniform_int_distribution<int> kind(0, 9), small(1, 4), large(5, 25);
  auto draw = [&] {
    const int k = kind(rng);
    return k < 2 ? 0 : (k < 5 ? small(rng) : large(rng));
  };
  Table host{"host_country", {"US", "MX", "CA"}, {}, 5};
  for (int i = 0; i < 3; ++i) {
    host.cells.push_back({draw(), draw(), draw() / 3, draw(), draw(), draw()});
  }
  Table sex{"sex", {"female", "male"}, {}, 5};
  sex.cells.assign(2, std::vector<int64_t>(kFine, 0));
  for (int j = 0; j < kFine; ++j) {
    int64_t column = 0;
    for (int i = 0; i < 3; ++i) column += host.cells[i][j];
    std::uniform_int_distribution<int64_t> split(0, column);
    sex.cells[0][j] = split(rng);
    sex.cells[1][j] = column - sex.cells[0][j];
  }
  n.fine.tables = {host, sex};
  n.coarse = Release{n.coarse.columns, n.coarse.column_thresholds, 5, {}};
  for (const Table& t : n.fine.tables) {
    Table c{t.name, t.rows, {}, t.threshold};
    for (const auto& row : t.cells) {
      std::vector<int64_t> sums(3, 0);
      for (int j = 0; j < kFine; ++j) sums[n.group_of[j]] += row[j];
      c.cells.push_back(sums);
    }
    n.coarse.tables.push_back(c);
  }
  return n;
}

// How many primary cells of either release an attacker holding both narrows. `nested`: the
// two were protected together (ProtectNested), whose fine totals count the fine columns of a
// group it hid (published nowhere, their coarse column published).
int Narrowed(const NestedPair& n, const ProtectedRelease& fine, const ProtectedRelease& coarse,
             int* attacked, const std::string& round, bool nested = true) {
  Attacker attacker;
  // Nested: a fine column published nowhere beside its published other column is counted in
  // it (the truth of what the other column shows); beside a published coarse column only, it
  // is in the totals.
  Release effective = n.fine;
  std::vector<bool> counted(n.group_of.size(), false), merged(n.group_of.size(), false);
  for (size_t j = 0; nested && j < counted.size(); ++j) {
    const int k = n.group_of[j];
    const int other = n.other_of[k];
    if (fine.column_flags[j] != Flag::kNotPublished) continue;
    if (other >= 0 && other != static_cast<int>(j) &&
        fine.column_flags[other] != Flag::kNotPublished) {
      for (auto& t : effective.tables) {
        for (auto& row : t.cells) {
          row[other] += row[j];
          row[j] = 0;
        }
      }
      merged[j] = true;
      continue;
    }
    counted[j] = coarse.column_flags[k] != Flag::kNotPublished;
  }
  const Part f = attacker.Add(effective, fine, counted);
  const Part c = attacker.Add(n.coarse, coarse);
  attacker.Link(f, c, n.group_of, merged);
  int narrowed = 0;
  for (int v : attacker.Primaries()) {
    ++*attacked;
    bool pinned = false;
    for (int64_t value = attacker.var(v).lo; value <= attacker.var(v).hi; ++value) {
      if (!attacker.Possible(v, value)) {
        pinned = true;
        if (!round.empty()) {
          ADD_FAILURE() << round << ": a withheld cell (truly " << attacker.var(v).truth
                        << ") cannot be " << value << " given both releases";
        }
      }
    }
    narrowed += pinned;
  }
  return narrowed;
}

TEST(DisclosureTest, LinkedReleasesHeldTogetherNarrowNoWithheldCell) {
  std::mt19937 rng(20261201);
  int published = 0, attacked = 0, secondaries = 0;
  for (int round = 0; round < 120; ++round) {
    const NestedPair n = RandomNested(rng, round % 3 == 0);
    const NestedProtection p = ProtectNested(n.fine, n.coarse, n.group_of, n.other_of);
    ASSERT_EQ(p.fine.withheld, p.coarse.withheld);
    if (p.fine.withheld) continue;
    ++published;
    for (const auto& t : p.coarse.tables) {
      for (const auto& row : t.cell_flags) {
        for (Flag f : row) secondaries += f == Flag::kSecondary;
      }
    }
    Narrowed(n, p.fine, p.coarse, &attacked, "round " + std::to_string(round));
  }
  std::cout << published << " of 120 linked months published, " << attacked
            << " primary cells attacked with both releases, " << secondaries
            << " secondary category cells\n";
  EXPECT_GT(published, 80);
  EXPECT_GT(attacked, 300);
  EXPECT_GT(secondaries, 50);
}

// The control: each release protected alone is sound alone, and yet the attacker holding both
// narrows withheld cells (a subtype cell is its category's cell less its published siblings).
TEST(DisclosureTest, LinkedReleasesProtectedApartAreAttacked) {
  std::mt19937 rng(20261201);
  int attacked = 0, narrowed = 0;
  for (int round = 0; round < 60; ++round) {
    const NestedPair n = RandomNested(rng, round % 3 == 0);
    const ProtectedRelease fine = Protect(n.fine), coarse = Protect(n.coarse);
    if (fine.withheld || coarse.withheld) continue;
    narrowed += Narrowed(n, fine, coarse, &attacked, "", /*nested=*/false);
  }
  std::cout << narrowed << " of " << attacked << " primary cells narrowed with both releases\n";
  EXPECT_GT(narrowed, 20);
}

TEST(DisclosureTest, LinkedReleasesPublishGroupsWholeAndCellsAtTheirThresholds) {
  std::mt19937 rng(5);
  int dropped = 0, hidden = 0, merged = 0;
  for (int round = 0; round < 100; ++round) {
    const NestedPair n = RandomNested(rng, true);
    const NestedProtection p = ProtectNested(n.fine, n.coarse, n.group_of, n.other_of);
    if (p.fine.withheld) continue;
    EXPECT_EQ(p.fine.grand_total, p.coarse.grand_total);
    // A group's fine columns are all published or none, and only with their coarse one.
    for (int k = 0; k < 3; ++k) {
      int members = 0, shown = 0;
      for (size_t j = 0; j < n.group_of.size(); ++j) {
        if (n.group_of[j] != k) continue;
        ++members;
        shown += p.fine.column_flags[j] != Flag::kNotPublished;
      }
      // Or some counted in the group's other column, published.
      const int other = n.other_of[k];
      const bool other_shown = other >= 0 && p.fine.column_flags[other] != Flag::kNotPublished;
      merged += other_shown ? members - shown : 0;
      EXPECT_TRUE(shown == 0 || shown == members || other_shown)
          << "round " << round << " group " << k;
      const bool coarse_shown = p.coarse.column_flags[k] != Flag::kNotPublished;
      if (shown > 0) EXPECT_TRUE(coarse_shown) << "round " << round << " group " << k;
      hidden += shown == 0 && coarse_shown;
      dropped += !coarse_shown;
    }
    for (const auto* pair : {&n.fine, &n.coarse}) {
      const ProtectedRelease& pr = pair == &n.fine ? p.fine : p.coarse;
      for (size_t t = 0; t < pr.tables.size(); ++t) {
        EXPECT_EQ(pr.tables[t].withheld, p.fine.tables[t].withheld);
        for (size_t i = 0; i < pr.tables[t].cells.size(); ++i) {
          EXPECT_EQ(pr.tables[t].row_flags[i], p.fine.tables[t].row_flags[i]);
          for (size_t j = 0; j < pr.tables[t].cells[i].size(); ++j) {
            const int64_t v = pair->tables[t].cells[i][j];
            const int64_t threshold =
                std::max(pair->tables[t].threshold, pair->column_thresholds[j]);
            if (pr.tables[t].cell_flags[i][j] == Flag::kPublished) {
              const int64_t shown = pr.tables[t].cells[i][j];
              EXPECT_TRUE(shown == 0 || shown >= threshold)
                  << shown << " published under " << threshold;
              // An other column shows its own cases and those counted in it.
              const bool other = pair == &n.fine && j == 2;
              if (other) {
                EXPECT_GE(shown, v);
              } else {
                EXPECT_EQ(shown, v);
              }
            } else {
              EXPECT_EQ(pr.tables[t].cells[i][j], 0);
            }
          }
        }
      }
    }
  }
  std::cout << merged << " fine columns counted in their other column, " << hidden
            << " groups hidden in the fine release only, " << dropped << " published nowhere\n";
}

TEST(DisclosureTest, ARevisionOfLinkedReleasesKeepsWithheldWhatEitherWithheld) {
  std::mt19937 rng(99);
  int kept = 0;
  for (int round = 0; round < 60; ++round) {
    const NestedPair first = RandomNested(rng, false);
    const NestedProtection p1 =
        ProtectNested(first.fine, first.coarse, first.group_of, first.other_of);
    if (p1.fine.withheld) continue;
    Withheld earlier = WithheldOf(first.fine, p1.fine);
    const Withheld coarse = WithheldOf(first.coarse, p1.coarse);
    earlier.cells.insert(coarse.cells.begin(), coarse.cells.end());
    earlier.columns.insert(coarse.columns.begin(), coarse.columns.end());
    earlier.tables.insert(coarse.tables.begin(), coarse.tables.end());
    // A late case in a1 of US, a woman: its cells move in both releases.
    NestedPair second = first;
    for (Release* r : {&second.fine, &second.coarse}) {
      r->tables[0].cells[0][0] += 1;
      r->tables[1].cells[0][0] += 1;
    }
    const NestedProtection p2 =
        ProtectNested(second.fine, second.coarse, second.group_of, second.other_of, earlier);
    if (p2.fine.withheld) continue;
    Withheld now = WithheldOf(second.fine, p2.fine);
    const Withheld now_coarse = WithheldOf(second.coarse, p2.coarse);
    now.cells.insert(now_coarse.cells.begin(), now_coarse.cells.end());
    now.columns.insert(now_coarse.columns.begin(), now_coarse.columns.end());
    now.tables.insert(now_coarse.tables.begin(), now_coarse.tables.end());
    for (const auto& x : earlier.cells) {
      const auto& [table, row, column] = x;
      if (now.tables.count(table) || now.columns.count(column)) continue;
      ++kept;
      EXPECT_TRUE(now.cells.count(x)) << "round " << round << ": " << table << "/" << row << "/"
                                      << column << " published in the revision";
    }
    int attacked = 0;
    Narrowed(second, p2.fine, p2.coarse, &attacked, "revision of round " + std::to_string(round));
  }
  EXPECT_GT(kept, 100);
}

TEST(DisclosureTest, LinkedReleasesThatDoNotAddUpAreWithheld) {
  std::mt19937 rng(3);
  NestedPair n = RandomNested(rng, false);
  EXPECT_TRUE(IsWellFormedNested(n.fine, n.coarse, n.group_of));
  n.coarse.tables[0].cells[0][0] += 1;
  EXPECT_FALSE(IsWellFormedNested(n.fine, n.coarse, n.group_of));
  EXPECT_TRUE(ProtectNested(n.fine, n.coarse, n.group_of, n.other_of).fine.withheld);
  NestedPair same_names = RandomNested(rng, false);
  same_names.coarse.columns[0] = "a1";
  EXPECT_FALSE(IsWellFormedNested(same_names.fine, same_names.coarse, same_names.group_of));
}

}  // namespace
}  // namespace enlace::stats
