#ifndef ENLACE_SERVICES_STATS_DISCLOSURE_H_
#define ENLACE_SERVICES_STATS_DISCLOSURE_H_

// Disclosure control of a node's monthly release, before anything leaves the node: pure,
// no I/O, unit-tested in disclosure_test.cc (which attacks what it publishes).
//
// A release is a set of two-way tables that share their columns (e.g. the case categories):
// each table crosses one dimension (host country, post, sex, age group ...) with the columns,
// and publishes its cells, its row totals, and the column totals and grand total that all
// tables share. A cell under its threshold (5; 10 for children, trafficking, deaths and
// gender-based violence) is withheld: primary suppression. Enough other cells are withheld
// too (secondary suppression) that the published numbers, the flags and the thresholds tell
// nothing more about a primary cell than that it lies between 1 and its threshold minus one.
//
// The guarantee is proved, cell by cell, by a certificate: a set of withheld cells whose
// values can all move together (+d, -d around a rectangle of the table; for a shared column
// total, and for a cell of a small column all in one row, the column total against another
// with one such move in every table) keeping every published number and every total equal,
// and every moved cell inside the range its flag announces, for every value the primary cell
// could take. Such a move is another table an attacker cannot tell from the true one, so no
// attacker, however clever, learns more (disclosure_test.cc checks this by enumeration).
// When a primary cell of a table has no certificate even after suppressing what can be, that
// table is not published (the others are protected again without it); when a shared column
// total has none, that column is published nowhere and every total is of the other columns;
// when the grand total is small, or nothing is left, the whole month is withheld.
//
// Linked releases (ProtectNested): two releases of one month whose columns nest, each column
// of the fine one (a case subtype) inside one of the coarse one (its category), over the same
// tables and rows. Published side by side, a coarse cell less its published fine cells would
// give away a withheld fine cell, and a fine cell withheld alone in its group would be the
// difference. So they are protected as one grid: the coarse cells are sums of fine cells,
// every certificate moves fine cells and, with them, every coarse cell whose group they move
// (two fine cells of one group moving against each other leave it unchanged), and a move is a
// certificate only if every cell it moves, fine or coarse, is withheld and stays in its range.
// When a fine cell has no certificate, its column is published nowhere and counted instead in
// its group's other column (other_of: a category's cases in no published subtype), which is
// protected like any; when the group has none, or it is the other column that fails, the
// group is hidden from the fine release (its cells published nowhere, its coarse column still
// published: the joint keeps one free column equal to it, so the fine release's row and grand
// totals stay the coarse ones'). Either way the published fine cells of a group and its
// coarse cell never differ by a fine column alone. What the coarse release cannot
// publish alone (a table, a column, the month) it does not publish here either. An attacker
// holding both releases then learns nothing more (disclosure_test.cc attacks them together,
// and shows that protecting each alone is not enough).

#include <cstdint>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace enlace::stats {

enum class Flag {
  kPublished,
  kPrimary,    // under its threshold: the value is withheld, known to lie in [1, threshold-1]
  kSecondary,  // withheld to protect a primary cell; known to be at least its threshold
  // In a column that is published nowhere this month (its total had no certificate): the
  // release's row and grand totals are then of the published columns only (but of a nested
  // release's hidden group, whose coarse column is published: see ProtectNested).
  kNotPublished,
};

struct Table {
  std::string name;               // "host_country"
  std::vector<std::string> rows;  // "US", "MX" ...
  // cells[r][c], counts >= 0; every row has one entry per release column.
  std::vector<std::vector<int64_t>> cells;
  // The threshold of every cell of this table (10 for a table about children).
  int64_t threshold = 5;
};

struct Release {
  std::vector<std::string> columns;  // shared by every table
  // Threshold of each column (10 for sensitive categories); a cell's threshold is the larger
  // of its table's and its column's.
  std::vector<int64_t> column_thresholds;
  int64_t base_threshold = 5;  // of the grand total
  std::vector<Table> tables;
};

// What is published: each cell's value (0 when withheld) and flag, in the release's shape.
struct ProtectedTable {
  // Not published (no certificate for one of its cells): nothing below is meaningful.
  bool withheld = false;
  std::vector<std::vector<int64_t>> cells;
  std::vector<std::vector<Flag>> cell_flags;
  std::vector<int64_t> row_totals;
  std::vector<Flag> row_flags;
};
struct ProtectedRelease {
  // The whole month withheld: nothing below is meaningful.
  bool withheld = false;
  std::vector<ProtectedTable> tables;
  std::vector<int64_t> column_totals;
  std::vector<Flag> column_flags;
  int64_t grand_total = 0;
  Flag grand_flag = Flag::kPublished;
};

// Whether the release is well formed: every table has a row per name and a cell per column,
// counts are non-negative, thresholds at least 2, columns and thresholds the same length.
bool IsWellFormed(const Release& release);

// What an earlier revision of the same month withheld. It stays withheld in every later
// revision (sticky suppression): a number withheld in one revision and published in the next
// would let the two be set side by side to narrow what is still withheld.
struct Withheld {
  std::set<std::string> tables;   // tables not published
  std::set<std::string> columns;  // columns published nowhere
  // {table, row key, column}: column "" is the row's total; {"", "", column} a column total;
  // {"", "", ""} the grand total.
  std::set<std::tuple<std::string, std::string, std::string>> cells;
};

// What `p`, the protection of `r`, withholds (nothing when the month is withheld whole: it
// published nothing to compare).
Withheld WithheldOf(const Release& r, const ProtectedRelease& p);
// A line-oriented text form, for keeping it beside the counters; Decode(Encode(w)) == w.
std::string EncodeWithheld(const Withheld& w);
Withheld DecodeWithheld(const std::string& text);

// Primary and secondary suppression of a well-formed release (an ill-formed one is withheld),
// keeping withheld whatever `earlier` revisions withheld (a cell that is now zero excepted: a
// zero is never withheld).
ProtectedRelease Protect(const Release& release, const Withheld& earlier = {});

// Two releases of one month, `fine` nested in `coarse`: fine column j lies in coarse column
// group_of[j]; the same tables, rows and thresholds; every coarse cell the sum of its fine
// cells in the same row; column names distinct between the two (what is withheld is kept by
// name); every coarse column with at least one fine column.
bool IsWellFormedNested(const Release& fine, const Release& coarse,
                        const std::vector<int>& group_of);
struct NestedProtection {
  ProtectedRelease fine;
  ProtectedRelease coarse;
};
// Both protected as one (see above). other_of[k]: the fine column of coarse column k that
// counts the cases of its fine columns not published (-1: none; the vector may be short).
// `earlier`: what earlier publications of either withheld (the union of both). An ill-formed
// pair is withheld whole. A fine column counted in another is FLAG_NOT_PUBLISHED, and the
// values shown for the other column include it.
NestedProtection ProtectNested(const Release& fine, const Release& coarse,
                               const std::vector<int>& group_of, const std::vector<int>& other_of,
                               const Withheld& earlier = {});

}  // namespace enlace::stats

#endif  // ENLACE_SERVICES_STATS_DISCLOSURE_H_
