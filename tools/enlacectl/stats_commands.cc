// The statistics commands (see domains.h): a node's monthly releases and the history imported
// from before it (enlace.stats.v1.StatsService), and the secretariat's regional view
// (enlace.secretariat.v1.SecretariatService, served by enlace-secretariat: --server is the
// secretariat's API).
//
//   stats release MONTH [measure=opened|closed|persons_assisted|...]  GetMonthlyRelease
//   stats import FILE                                                ImportHistory, one call per
//                                                                    (month, measure) of FILE
//   regional months [measure=opened|closed]                          ListMonths
//   regional release MONTH [measure=..] [members=MX,GT]              GetRegionalRelease
//
// Counts only: a release holds no person. A withheld cell prints as withheld (`<5`, `<10`, `x`,
// `-`), never as a number; the node sends 0 for it anyway.

#include "tools/enlacectl/stats_commands.h"

#include <algorithm>

#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/algorithm/container.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "enlace/cases/v1/case.pb.h"
#include "enlace/secretariat/v1/secretariat.grpc.pb.h"
#include "enlace/stats/v1/stats.grpc.pb.h"
#include "tools/enlacectl/args.h"
#include "tools/enlacectl/crisis_import.h"
#include "tools/enlacectl/domains.h"
#include "tools/enlacectl/format.h"
#include "tools/enlacectl/runners.h"
#include "services/stats/measures.h"

namespace enlace::cli {
namespace {

namespace sv1 = ::enlace::stats::v1;
namespace secv1 = ::enlace::secretariat::v1;

using google::protobuf::Message;
using Request = std::unique_ptr<Message>;
using StatsStub = sv1::StatsService::Stub;
using SecretariatStub = secv1::SecretariatService::Stub;

constexpr char kNoStats[] =
    "this node does not serve enlace.stats.v1.StatsService: is it an Enlace node, and recent "
    "enough?";
constexpr char kNoSecretariat[] =
    "this server does not serve enlace.secretariat.v1.SecretariatService: give --server the "
    "secretariat's API (enlace-secretariat), not a member node's";

// The threshold of the grand total (services/stats/disclosure.h: base_threshold).
constexpr int64_t kBaseThreshold = 5;

// ---------------------------------------------------------------- builders

void TakeMeasure(BuildInput& in, std::string* measure) {
  if (auto m = in.args.TakeOne({"measure"})) {
    auto parsed = ParseMeasure(*m);
    if (parsed.ok()) {
      *measure = *parsed;
    } else {
      in.args.Error(std::string(parsed.status().message()));
    }
  }
}

std::string TakeMonth(BuildInput& in) {
  std::string month = in.Name("MONTH (YYYY-MM)");
  if (!month.empty() && !IsMonth(month)) {
    in.args.Error(absl::StrCat("month: \"", month, "\" is not YYYY-MM (e.g. 2026-10)"));
  }
  return month;
}

Request GetMonthlyRelease(BuildInput& in) {
  auto req = std::make_unique<sv1::GetMonthlyReleaseRequest>();
  req->set_month(TakeMonth(in));
  TakeMeasure(in, req->mutable_measure());
  return req;
}

// `stats import FILE`: the runner reads and checks the file; nothing is read here (pure).
Request ImportHistory(BuildInput& in) {
  in.command.import.file = in.Name("FILE (a CSV: " +
                                   absl::StrJoin(HistoryCsvColumns(), ",") + ")");
  return std::make_unique<sv1::ImportHistoryRequest>();
}

Request ListMonths(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<secv1::ListMonthsRequest>();
  TakeMeasure(in, req->mutable_measure());
  return req;
}

Request GetRegionalRelease(BuildInput& in) {
  auto req = std::make_unique<secv1::GetRegionalReleaseRequest>();
  req->set_month(TakeMonth(in));
  TakeMeasure(in, req->mutable_measure());
  for (const std::string& v : in.args.Take({"members", "member"})) {
    for (absl::string_view m : absl::StrSplit(v, ',', absl::SkipWhitespace())) {
      const std::string code = Upper(absl::StripAsciiWhitespace(m));
      if (!IsCountryCode(code)) {
        in.args.Error(absl::StrCat("members: \"", code,
                                   "\" is not a member's code (ISO 3166-1 alpha-2, e.g. MX,GT)"));
        continue;
      }
      req->add_members(code);
    }
  }
  return req;
}

// ---------------------------------------------------------------- runners

std::string ReadFile(const std::string& path, bool* ok) {
  std::ifstream in(path, std::ios::binary);
  *ok = static_cast<bool>(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every line of FILE checked before anything is sent (exit 2 with `FILE:LINE: what`); then one
// ImportHistory per (month, measure). Exit 1 at the first refused call (the ones before it
// were taken; each replaces its month, so running the file again is safe).
int RunImportHistory(const Command& command, Session& s) {
  const std::string& file = command.import.file;
  bool readable = false;
  const std::string text = ReadFile(file, &readable);
  if (!readable) {
    s.err << FormatError(absl::InvalidArgumentError(absl::StrCat(file, ": cannot read it")))
          << std::flush;
    return 2;
  }
  auto batches = ParseHistoryCsv(file, text);
  if (!batches.ok()) {
    s.err << FormatError(batches.status()) << std::flush;
    return 2;
  }
  for (const sv1::ImportHistoryRequest& req : *batches) {
    auto done = Call(s, &StatsStub::ImportHistory, req, kNoStats);
    if (!done.ok()) {
      s.printer.Note(absl::StrCat(req.month(), " ", req.measure(), ": refused\n"));
      return s.printer.Error(done.status());
    }
    if (s.printer.json()) {
      if (int rc = s.printer.Json(*done); rc != 0) return rc;
    } else {
      s.printer.Text(absl::StrCat(req.month(), " ", req.measure(), ": ", done->cells(), " cell",
                                  done->cells() == 1 ? "" : "s", ", ", done->total(), " case",
                                  done->total() == 1 ? "" : "s", " imported\n"));
    }
  }
  return 0;
}

// ---------------------------------------------------------------- help

constexpr char kHelp[] =
    R"(Statistics (counts only, per calendar month; supervisors and the secretariat role read a
node's release, supervisors import; `regional` asks the secretariat: --server is its API):
  stats release    MONTH [measure=M]   an ended month's protected release (M: opened, closed,
                   persons_assisted, notifications, referrals_ended, crisis_accounting,
                   labour_claims_ended, actions, cases_opened_by_subtype,
                   case_vulnerabilities): a table
                   per dimension (host_country, post, sex, age_group) x category; a withheld
                   cell prints <5 or <10 (under its threshold), x (withheld to protect another)
                   or - (column not published this month), never a number
  stats import     FILE   a ministry's counts from before the node, CSV lines
                   month,measure,post,host_country,category,sex,age_group,count (a header line
                   of these names is allowed); every line checked first (FILE:LINE: what, exit
                   2, nothing sent), then one call per month and measure, each replacing an
                   earlier import of it
  regional months  [measure=opened|closed]   the months some member sent, newest first
  regional release MONTH [measure=opened|closed] [members=MX,GT]   each member's revision and
                   receive time, the missing members, the regional sums: ≥N marks a sum with
                   a member's part withheld or missing, named in a footnote
)";

std::string CategoryHeader(const std::string& column) {
  absl::string_view c = column;
  absl::ConsumePrefix(&c, "CATEGORY_");
  return absl::AsciiStrToUpper(c);
}

int64_t ColumnThreshold(const sv1::MonthlyRelease& r, int c) {
  return c < r.column_thresholds_size() ? std::max(r.column_thresholds(c), kBaseThreshold)
                                        : kBaseThreshold;
}

constexpr char kLegend[] =
    "legend: <N withheld, under its threshold N (5; 10 for children and sensitive categories)  "
    "x withheld to protect another cell  - column not published this month\n";

}  // namespace

absl::StatusOr<std::string> ParseMeasure(absl::string_view word) {
  const std::string lower = absl::AsciiStrToLower(absl::StripAsciiWhitespace(word));
  if (const stats::Measure* m = stats::FindMeasure(lower); m != nullptr && !lower.empty()) {
    return m->name;
  }
  absl::string_view w = lower;
  if (!absl::ConsumePrefix(&w, "cases_")) absl::ConsumePrefix(&w, "cases-");
  if (w == "opened" || w == "open") return std::string("cases_opened");
  if (w == "closed" || w == "close") return std::string("cases_closed");
  return absl::InvalidArgumentError(absl::StrCat("measure: \"", word, "\" is not opened, closed or ",
                                                 stats::MeasureNames()));
}

bool IsMonth(absl::string_view month) {
  if (month.size() != 7 || month[4] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6}) {
    if (!absl::ascii_isdigit(month[i])) return false;
  }
  int m = 0;
  if (!absl::SimpleAtoi(month.substr(5), &m)) return false;
  return m >= 1 && m <= 12;
}

const std::vector<std::string>& HistoryCsvColumns() {
  static const auto* columns = new std::vector<std::string>{
      "month", "measure", "post", "host_country", "category", "sex", "age_group", "count"};
  return *columns;
}

absl::StatusOr<std::vector<sv1::ImportHistoryRequest>> ParseHistoryCsv(
    absl::string_view file_name, absl::string_view text) {
  static const auto* sexes =
      new std::set<std::string>{"female", "male", "other", "undisclosed", "unknown"};
  static const auto* ages = new std::set<std::string>{"child", "adult", "unknown"};
  std::vector<std::string> errors;
  std::vector<sv1::ImportHistoryRequest> out;
  std::map<std::pair<std::string, std::string>, size_t> batch_of;
  // (month, measure, post, host, category, sex, age) -> the line that gave it.
  std::map<std::vector<std::string>, int> seen;
  int number = 0;
  bool any = false;
  for (absl::string_view raw : absl::StrSplit(text, '\n')) {
    ++number;
    absl::string_view line = absl::StripAsciiWhitespace(raw);
    if (line.empty() || absl::StartsWith(line, "#")) continue;
    auto bad = [&](const std::string& what) {
      errors.push_back(absl::StrCat(file_name, ":", number, ": ", what));
    };
    auto fields = SplitCsvLine(line);
    if (!fields.ok()) {
      bad(std::string(fields.status().message()));
      continue;
    }
    std::vector<std::string> f = *fields;
    for (auto& v : f) v = std::string(absl::StripAsciiWhitespace(v));
    if (!any && !f.empty() && absl::AsciiStrToLower(f[0]) == "month") {
      std::vector<std::string> lower;
      for (const auto& v : f) lower.push_back(absl::AsciiStrToLower(v));
      if (lower != HistoryCsvColumns()) {
        bad(absl::StrCat("the header is not ", absl::StrJoin(HistoryCsvColumns(), ",")));
      }
      any = true;
      continue;
    }
    any = true;
    if (f.size() != HistoryCsvColumns().size()) {
      bad(absl::StrCat(f.size(), " fields, not ", HistoryCsvColumns().size(), " (",
                       absl::StrJoin(HistoryCsvColumns(), ","), ")"));
      continue;
    }
    const size_t before = errors.size();
    sv1::HistoryCell cell;
    const std::string& month = f[0];
    if (!IsMonth(month)) bad(absl::StrCat("month: \"", month, "\" is not YYYY-MM"));
    std::string measure;
    if (auto m = ParseMeasure(f[1]); m.ok()) {
      measure = *m;
    } else {
      bad(std::string(m.status().message()));
    }
    const std::string post = Upper(f[2]);
    if (post.size() < 4 || post[2] != '-' || !IsCountryCode(post.substr(0, 2))) {
      bad(absl::StrCat("post: \"", f[2], "\" is not a post (e.g. MX-LAX)"));
    }
    cell.set_post(post);
    const std::string host = Upper(f[3]);
    if (!IsCountryCode(host)) {
      bad(absl::StrCat("host_country: \"", f[3], "\" is not ISO 3166-1 alpha-2 (e.g. US)"));
    }
    cell.set_host_country(host);
    const stats::Measure* m = stats::FindMeasure(measure);
    const bool by_category = m == nullptr || m->columns.empty() ||
                             absl::StartsWith(m->columns[0], "CATEGORY_");
    if (!by_category) {
      // The measure's own columns (e.g. acknowledged_within_24h, OUTCOME_SUCCESS).
      auto column = std::find_if(m->columns.begin(), m->columns.end(), [&](const std::string& c) {
        return absl::EqualsIgnoreCase(c, f[4]);
      });
      if (column == m->columns.end()) {
        bad(absl::StrCat("category: \"", f[4], "\" is not a column of ", measure, " (",
                         absl::StrJoin(m->columns, ", "), ")"));
      } else {
        cell.set_category(*column);
      }
    } else if (auto c = ParseEnumValue(cases::v1::Category_descriptor(), f[4], "category");
               c.ok()) {
      cell.set_category(cases::v1::Category_descriptor()->FindValueByNumber(*c)->name());
    } else {
      bad(std::string(c.status().message()));
    }
    const std::string sex = absl::AsciiStrToLower(f[5]);
    if (sexes->count(sex) == 0) {
      bad(absl::StrCat("sex: \"", f[5], "\" is not female, male, other, undisclosed or unknown"));
    }
    cell.set_sex(sex);
    const std::string age = absl::AsciiStrToLower(f[6]);
    if (ages->count(age) == 0) {
      bad(absl::StrCat("age_group: \"", f[6], "\" is not child, adult or unknown"));
    }
    cell.set_age_group(age);
    int64_t count = 0;
    if (!absl::SimpleAtoi(f[7], &count) || count < 0) {
      bad(absl::StrCat("count: \"", f[7], "\" is not a whole number, 0 or more"));
    }
    cell.set_count(count);
    if (errors.size() != before) continue;
    std::vector<std::string> key = {month, measure, post, host, cell.category(), sex, age};
    if (auto it = seen.find(key); it != seen.end()) {
      bad(absl::StrCat("the same cell as line ", it->second,
                       " (one line per month, measure, post, host_country, category, sex and "
                       "age_group)"));
      continue;
    }
    seen[key] = number;
    auto [it, inserted] = batch_of.try_emplace({month, measure}, out.size());
    if (inserted) {
      out.emplace_back();
      out.back().set_month(month);
      out.back().set_measure(measure);
    }
    *out[it->second].add_cells() = cell;
  }
  if (errors.empty() && out.empty()) {
    errors.push_back(absl::StrCat(file_name, ": no lines to import (",
                                  absl::StrJoin(HistoryCsvColumns(), ","), ")"));
  }
  if (!errors.empty()) return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
  return out;
}

std::string ReleaseCellText(const sv1::Cell& cell, int64_t threshold) {
  switch (cell.flag()) {
    case sv1::FLAG_PUBLISHED:
      return absl::StrCat(cell.value());
    case sv1::FLAG_PRIMARY:
      return absl::StrCat("<", threshold);
    case sv1::FLAG_SECONDARY:
      return "x";
    case sv1::FLAG_NOT_PUBLISHED:
      return "-";
    default:
      return "?";
  }
}

std::string MonthlyReleaseText(const sv1::MonthlyRelease& r) {
  std::string out = absl::StrCat(r.country(), " ", r.month(), " ", r.measure(), ": ");
  if (r.withheld()) {
    absl::StrAppend(&out, "withheld (too few cases, or nothing could be protected)\n");
    return out;
  }
  absl::StrAppend(&out, ReleaseCellText(r.grand_total(), kBaseThreshold), " cases\n");
  std::vector<std::string> header = {""};
  for (const std::string& c : r.columns()) header.push_back(CategoryHeader(c));
  header.push_back("TOTAL");
  std::vector<std::string> totals = {"TOTAL"};
  for (int c = 0; c < r.columns_size(); ++c) {
    totals.push_back(c < r.column_totals_size()
                         ? ReleaseCellText(r.column_totals(c), ColumnThreshold(r, c))
                         : "");
  }
  totals.push_back(ReleaseCellText(r.grand_total(), kBaseThreshold));
  for (const sv1::Table& t : r.tables()) {
    absl::StrAppend(&out, "\n");
    if (t.withheld()) {
      absl::StrAppend(&out, "by ", t.dimension(),
                      ": withheld (a small cell could not be protected in it)\n");
      continue;
    }
    header[0] = absl::AsciiStrToUpper(t.dimension());
    std::vector<std::vector<std::string>> rows;
    for (const sv1::Row& row : t.rows()) {
      std::vector<std::string> line = {row.key()};
      for (int c = 0; c < r.columns_size(); ++c) {
        line.push_back(c < row.cells_size()
                           ? ReleaseCellText(row.cells(c),
                                             std::max(row.threshold(), ColumnThreshold(r, c)))
                           : "");
      }
      line.push_back(ReleaseCellText(row.total(), std::max(row.threshold(), kBaseThreshold)));
      rows.push_back(std::move(line));
    }
    rows.push_back(totals);
    absl::StrAppend(&out, FormatTable(header, rows));
  }
  absl::StrAppend(&out, "\n", kLegend);
  return out;
}

std::string RegionalMonthsText(const secv1::ListMonthsResponse& response) {
  std::string out;
  for (const std::string& m : response.months()) absl::StrAppend(&out, m, "\n");
  if (out.empty()) out = "no month has been received\n";
  return out;
}

std::string RegionalCellText(const secv1::RegionalCell& cell,
                             std::vector<std::string>* footnotes) {
  if (cell.complete()) return absl::StrCat(cell.value());
  std::string text = absl::StrCat("≥", cell.value());
  if (cell.incomplete_members_size() > 0) {
    const std::string members = absl::StrJoin(cell.incomplete_members(), ", ");
    auto it = absl::c_find(*footnotes, members);
    const size_t n = it - footnotes->begin() + 1;
    if (it == footnotes->end()) footnotes->push_back(members);
    absl::StrAppend(&text, "[", n, "]");
  }
  return text;
}

std::string RegionalReleaseText(const secv1::RegionalRelease& r) {
  std::string out = absl::StrCat("regional ", r.month(), " ", r.measure(), ": ",
                                 r.members_size(), " member", r.members_size() == 1 ? "" : "s",
                                 " sent it");
  if (r.missing_members_size() > 0) {
    absl::StrAppend(&out, "; missing: ", absl::StrJoin(r.missing_members(), ", "));
  }
  absl::StrAppend(&out, "\n\n");
  std::vector<std::vector<std::string>> members;
  for (const secv1::MemberRelease& m : r.members()) {
    const sv1::MonthlyRelease& rel = m.release();
    members.push_back({m.country(), absl::StrCat(m.revision()),
                       m.has_receive_time() ? FormatTime(m.receive_time()) : "",
                       rel.withheld() ? "withheld"
                                      : ReleaseCellText(rel.grand_total(), kBaseThreshold)});
  }
  for (const std::string& m : r.missing_members()) {
    members.push_back({m, "missing", "", ""});
  }
  absl::StrAppend(&out, FormatTable({"MEMBER", "REVISION", "RECEIVED", "TOTAL"}, members));
  std::vector<std::string> footnotes;
  std::vector<std::string> header = {""};
  for (const std::string& c : r.columns()) header.push_back(CategoryHeader(c));
  header.push_back("TOTAL");
  std::vector<std::string> totals = {"TOTAL"};
  for (int c = 0; c < r.columns_size(); ++c) {
    totals.push_back(c < r.column_totals_size() ? RegionalCellText(r.column_totals(c), &footnotes)
                                                : "");
  }
  totals.push_back(RegionalCellText(r.grand_total(), &footnotes));
  for (const secv1::RegionalTable& t : r.tables()) {
    header[0] = absl::AsciiStrToUpper(t.dimension());
    std::vector<std::vector<std::string>> rows;
    for (const secv1::RegionalRow& row : t.rows()) {
      std::vector<std::string> line = {row.key()};
      for (int c = 0; c < r.columns_size(); ++c) {
        line.push_back(c < row.cells_size() ? RegionalCellText(row.cells(c), &footnotes) : "");
      }
      line.push_back(RegionalCellText(row.total(), &footnotes));
      rows.push_back(std::move(line));
    }
    rows.push_back(totals);
    absl::StrAppend(&out, "\n", FormatTable(header, rows));
  }
  absl::StrAppend(&out, "\n≥N: at least N, a member's part withheld or missing");
  if (footnotes.empty()) {
    absl::StrAppend(&out, " (none: every sum is complete)\n");
  } else {
    absl::StrAppend(&out, ":\n");
    for (size_t i = 0; i < footnotes.size(); ++i) {
      absl::StrAppend(&out, "[", i + 1, "] incomplete: ", footnotes[i], "\n");
    }
  }
  return out;
}

const Domain& StatsDomain() {
  static const auto* domain = new Domain{
      {
          {"stats", "release", Rpc::kGetMonthlyRelease, GetMonthlyRelease,
           Show(&StatsStub::GetMonthlyRelease, kNoStats, TextOf(MonthlyReleaseText))},
          {"stats", "import", Rpc::kImportHistory, ImportHistory, RunImportHistory},
          {"regional", "months", Rpc::kListRegionalMonths, ListMonths,
           Show(&SecretariatStub::ListMonths, kNoSecretariat, TextOf(RegionalMonthsText))},
          {"regional", "release", Rpc::kGetRegionalRelease, GetRegionalRelease,
           Show(&SecretariatStub::GetRegionalRelease, kNoSecretariat,
                TextOf(RegionalReleaseText))},
      },
      {{"statistics", "stats"}, {"stat", "stats"}, {"secretariat", "regional"},
       {"region", "regional"}},
      kHelp,
      {},
  };
  return *domain;
}

}  // namespace enlace::cli
