#ifndef ENLACE_TOOLS_ENLACECTL_WORKERS_COMMANDS_H_
#define ENLACE_TOOLS_ENLACECTL_WORKERS_COMMANDS_H_

// How the temporary-workers commands read and print amounts and their tables
// (workers_commands.cc holds the commands themselves; see domains.h).

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "enlace/workers/v1/workers.pb.h"

namespace enlace::cli {

// Digits after the decimal point of an ISO 4217 currency: 0 for JPY, KRW and CLP, else 2.
int CurrencyDigits(absl::string_view currency_code);

// "USD:3400.00", "cad:16.55", "MXN:15000" (no decimals: whole units), "JPY:1500" ->
// Money{currency_code (upper case), amount_minor}. More decimals than the currency has, a sign,
// an empty amount or a currency that is not three letters: INVALID_ARGUMENT naming `key`.
absl::StatusOr<workers::v1::Money> ParseMoney(absl::string_view text, absl::string_view key);

// "USD:3400.00", "JPY:1500": as ParseMoney reads it. Empty for an unset amount (no currency).
std::string FormatMoney(absl::string_view currency_code, int64_t amount_minor);
std::string FormatMoney(const workers::v1::Money& money);

// `employment list`: NAME  PROGRAMME  POST  EMPLOYER_ID  AREA  START  END  WAGE  EMPLOYER
// (the wage as CUR:AMT/unit; the employer's name last, as it holds spaces). No permit number.
std::string EmploymentsTable(const workers::v1::ListEmploymentsResponse& response);

// `claim deadlines`: DAYS_LEFT  DEADLINE  TYPE  STATUS  POST  CASE  CLAIM, soonest first as the
// node sends them (negative days once passed).
std::string ClaimDeadlinesTable(const workers::v1::ListClaimDeadlinesResponse& response);

// `employer counts` / `recruiter counts`: a line `employer ID: N verified claims (members: MX,
// US)`, then TYPE  TOTAL and a column per reporting member ("-": none of that type), then
// MEMBER  REVISION  AS_OF.
std::string EmployerCountsText(const workers::v1::EmployerCounts& counts);

// `outreach list`: NAME  DATE  KIND  POST  AREA  ATTENDEES  CASES  PARTNERS (partners joined by
// "; ", last as they hold spaces), then `total: N events, N attendees, N cases identified`.
std::string OutreachEventsText(const workers::v1::ListOutreachEventsResponse& response);

}  // namespace enlace::cli

#endif  // ENLACE_TOOLS_ENLACECTL_WORKERS_COMMANDS_H_
