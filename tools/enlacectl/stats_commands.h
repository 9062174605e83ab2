#ifndef ENLACE_TOOLS_ENLACECTL_STATS_COMMANDS_H_
#define ENLACE_TOOLS_ENLACECTL_STATS_COMMANDS_H_

// How the statistics commands read history files and print releases (stats_commands.cc holds
// the commands themselves: `stats release|import` against a node's enlace.stats.v1.StatsService,
// `regional months|release` against the secretariat's enlace.secretariat.v1.SecretariatService;
// see domains.h).

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "enlace/secretariat/v1/secretariat.pb.h"
#include "enlace/stats/v1/stats.pb.h"

namespace enlace::cli {

// Any measure of services/stats/measures.h by name, and "opened", "closed" (any case) ->
// "cases_opened" / "cases_closed"; INVALID_ARGUMENT naming measure= otherwise.
absl::StatusOr<std::string> ParseMeasure(absl::string_view word);

// Whether `month` is YYYY-MM with a month from 01 to 12.
bool IsMonth(absl::string_view month);

// The columns of a history CSV, in their order (a first line with these names is a header).
const std::vector<std::string>& HistoryCsvColumns();

// A history CSV (`month,measure,post,host_country,category,sex,age_group,count`; a header line
// with these names, blank lines and lines starting with '#' are skipped), every line checked:
// one ImportHistoryRequest per (month, measure), in the order they first appear, with the
// category as the enum's full name ("labour" -> "CATEGORY_LABOUR"), measure as
// cases_opened|cases_closed, codes upper-cased. INVALID_ARGUMENT listing every bad line as
// `FILE:LINE: what` (one per line of the message) when any is wrong, or when there is none.
absl::StatusOr<std::vector<stats::v1::ImportHistoryRequest>> ParseHistoryCsv(
    absl::string_view file_name, absl::string_view text);

// How one cell prints: its value when published; withheld, never a number: `<threshold`
// (primary: under it), `x` (secondary), `-` (its column published nowhere this month).
std::string ReleaseCellText(const stats::v1::Cell& cell, int64_t threshold);

// `stats release`: a summary line (`MX 2026-10 cases_opened: 71 cases`), then for each
// dimension a table: the dimension's rows (ROW then one column per category, then TOTAL) and a
// last TOTAL row of the column totals and the grand total; a withheld table or month said in
// words; then the one-line legend of the withheld marks.
std::string MonthlyReleaseText(const stats::v1::MonthlyRelease& release);

// `regional months`: one month per line, newest first.
std::string RegionalMonthsText(const secretariat::v1::ListMonthsResponse& response);

// How one regional sum prints: its value, marked `≥` when incomplete, followed by the
// footnote `[n]` naming its incomplete members (`footnotes` collects the distinct member
// lists, numbered from 1 in the order first met).
std::string RegionalCellText(const secretariat::v1::RegionalCell& cell,
                             std::vector<std::string>* footnotes);

// `regional release`: the month's line, MEMBER REVISION RECEIVED TOTAL per member, the missing
// members, then each dimension's table of regional sums (ROW, a column per category, TOTAL;
// last row TOTAL), each incomplete sum `≥N[k]`, and the footnotes `[k] incomplete: GT, SV
// (withheld or missing parts)`.
std::string RegionalReleaseText(const secretariat::v1::RegionalRelease& release);

}  // namespace enlace::cli

#endif  // ENLACE_TOOLS_ENLACECTL_STATS_COMMANDS_H_
