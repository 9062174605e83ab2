#ifndef ENLACE_SERVICES_STATS_MEASURES_H_
#define ENLACE_SERVICES_STATS_MEASURES_H_

// What a monthly release counts, and how any module counts it in its own commits.
//
// A measure is a flow over one calendar month, or a stock at its end (crisis accounting). Its
// cells are rows of four dimensions every measure has (post, host country, sex, child or adult)
// and of the measure's own (the crisis, the labour programme), by its own columns (case
// categories, notification timeliness, referral outcomes). A dimension is a table of the
// release: its rows partition the measure's events, so every table has the same column totals.
// The catalogue is shared by the nodes that count and the secretariat that checks releases, so
// a new measure slots in here and nowhere else.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace enlace::stats {

struct Measure {
  std::string name;  // "cases_opened"
  char code;         // its letter in the counters' keys
  std::vector<std::string> columns;
  // Median days from opening to closing are published with it (cases_closed).
  bool has_medians = false;
  // A stock: the release of a month counts what stands at its end, the sum of every change
  // counted in it and the months before (the counters hold changes, +1 and -1).
  bool stock = false;
  // Columns under the sensitive threshold (deaths).
  std::vector<std::string> sensitive_columns = {};
  // Amounts recovered by currency are published with it (labour_claims_ended).
  bool has_amounts = false;
  // Dimensions of this measure beyond the four, in the order of Facts::extra: each row key a
  // code (never free text; see the secretariat's rules), "unknown" for an event counted
  // before the dimension was.
  std::vector<std::string> extra_dimensions = {};
  // Columns nested in another measure's (cases_opened_by_subtype in cases_opened): that
  // measure, and the column of it each column belongs to. The two are linked (a category's
  // cases are its subtypes' cases) and protected together (disclosure.h, ProtectNested).
  std::string nested_in = "";
  std::vector<std::string> parent_columns = {};
  // An event counted once per value it holds (a case in each of its person's
  // vulnerabilities): the cells are not events and do not add up to another measure's.
  bool multi_valued = false;
};

// The extra dimensions.
inline constexpr char kCrisisDimension[] = "crisis";        // "{declarer}/{id}" of the crisis
inline constexpr char kProgrammeDimension[] = "programme";  // enlace.workers.v1.Programme name

inline constexpr char kCasesOpened[] = "cases_opened";
inline constexpr char kCasesClosed[] = "cases_closed";
inline constexpr char kPersonsAssisted[] = "persons_assisted";
inline constexpr char kNotifications[] = "notifications";
inline constexpr char kReferralsEnded[] = "referrals_ended";
inline constexpr char kCrisisAccounting[] = "crisis_accounting";
inline constexpr char kLabourClaimsEnded[] = "labour_claims_ended";
inline constexpr char kActions[] = "actions";
inline constexpr char kCasesBySubtype[] = "cases_opened_by_subtype";
inline constexpr char kCaseVulnerabilities[] = "case_vulnerabilities";

// cases_opened_by_subtype: the column of a category's cases in no published subtype: counted
// without one (opened before subtypes were counted, or imported as cases_opened), or of a
// subtype not published that month (disclosure.h, ProtectNested), e.g.
// "CATEGORY_LABOUR/SUBTYPE_OTHER".
std::string OtherSubtypesOf(absl::string_view category);
// case_vulnerabilities: the column of a case whose person has none.
inline constexpr char kNoVulnerability[] = "none";

// Notification columns: by when the receiving post acknowledged it, counted in the month it
// was received. A notification moves from "not_acknowledged" when it is acknowledged.
inline constexpr char kNotAcknowledged[] = "not_acknowledged";
inline constexpr char kAcknowledgedWithin24h[] = "acknowledged_within_24h";
inline constexpr char kAcknowledgedLater[] = "acknowledged_later";

const std::vector<Measure>& Measures();
// Null when unknown. An empty name is cases_opened (the default of every request).
const Measure* FindMeasure(absl::string_view name);
const Measure* FindMeasureByCode(char code);
// "cases_opened, cases_closed, ..." for error messages.
std::string MeasureNames();
// The measure linked to `m` by nesting (the one it nests in, or the one nested in it), or
// null: the two are protected and published together.
const Measure* LinkedMeasure(const Measure& m);

// YYYY-MM (UTC) of a time.
std::string MonthOf(absl::Time t);

// The row facts of one counted event and its column.
struct Facts {
  std::string post;
  std::string host_country;
  std::string column;
  std::string sex = "unknown";
  std::string age_group = "unknown";
  // The measure's extra dimensions' row keys, in the order of Measure::extra_dimensions.
  std::vector<std::string> extra = {};

  std::string Join() const;  // "post|host|column|sex|age[|extra...]"
  // Null unless at least the five fields; a field may not hold '|'.
  static std::optional<Facts> Parse(absl::string_view joined);
};

}  // namespace enlace::stats

#endif  // ENLACE_SERVICES_STATS_MEASURES_H_
