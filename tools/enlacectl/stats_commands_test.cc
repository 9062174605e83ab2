// Parsing of the statistics commands (stats release|import, regional months|release), the
// history CSV's line checks, and how releases print: a withheld cell prints as withheld, never
// as a number. The calls themselves run against a node in
// tests/integration/cli_stats_test.cc.
#include "tools/enlacectl/stats_commands.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tools/enlacectl/cli.h"
#include "tools/enlacectl/format.h"

namespace enlace::cli {
namespace {

namespace sv1 = ::enlace::stats::v1;
namespace secv1 = ::enlace::secretariat::v1;

ParseContext Context() {
  ParseContext c;
  c.country = "MX";
  c.now = absl::FromUnixSeconds(1780000000);
  return c;
}

absl::StatusOr<Command> Parse(const std::string& line) {
  std::vector<std::string> words = absl::StrSplit(line, ' ', absl::SkipEmpty());
  return ParseCommand(words, Context());
}

std::string ErrorOf(const std::string& line) {
  auto c = Parse(line);
  EXPECT_FALSE(c.ok()) << line;
  return c.ok() ? "" : std::string(c.status().message());
}

TEST(StatsCommandsTest, ReleaseAndRegionalParse) {
  auto c = Parse("stats release 2026-10");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->rpc, Rpc::kGetMonthlyRelease);
  EXPECT_EQ(c->As<sv1::GetMonthlyReleaseRequest>().month(), "2026-10");
  EXPECT_EQ(c->As<sv1::GetMonthlyReleaseRequest>().measure(), "");
  c = Parse("stats release 2026-10 measure=closed");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->As<sv1::GetMonthlyReleaseRequest>().measure(), "cases_closed");
  EXPECT_NE(ErrorOf("stats release 2026-13").find("YYYY-MM"), std::string::npos);
  EXPECT_NE(ErrorOf("stats release 2026-10 measure=people").find("measure"), std::string::npos);
  EXPECT_NE(ErrorOf("stats release").find("MONTH"), std::string::npos);

  c = Parse("stats release 2026-10 measure=labour_claims_ended");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->As<sv1::GetMonthlyReleaseRequest>().measure(), "labour_claims_ended");
  EXPECT_FALSE(Parse("stats release 2026-10 measure=people").ok());
  c = Parse("regional months measure=cases_opened");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->rpc, Rpc::kListRegionalMonths);
  EXPECT_EQ(c->As<secv1::ListMonthsRequest>().measure(), "cases_opened");
  c = Parse("regional release 2026-10 members=mx,GT");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->rpc, Rpc::kGetRegionalRelease);
  const auto& req = c->As<secv1::GetRegionalReleaseRequest>();
  EXPECT_EQ(req.month(), "2026-10");
  ASSERT_EQ(req.members_size(), 2);
  EXPECT_EQ(req.members(0), "MX");
  EXPECT_EQ(req.members(1), "GT");
  EXPECT_NE(ErrorOf("regional release 2026-10 members=Mexico").find("members"),
            std::string::npos);

  c = Parse("stats import history.csv");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->rpc, Rpc::kImportHistory);
  EXPECT_EQ(c->import.file, "history.csv");
  EXPECT_FALSE(Parse("stats import").ok());
}

TEST(StatsCommandsTest, HistoryCsvGroupsByMonthAndMeasure) {
  const std::string csv =
      "month,measure,post,host_country,category,sex,age_group,count\n"
      "# the ministry's 2025 figures\n"
      "2025-06,opened,MX-LAX,US,labour,female,adult,140\n"
      "2025-06,cases_opened,mx-lax,us,CATEGORY_MIGRATION,Female,adult,95\n"
      "\n"
      "2025-06,closed,MX-CHI,US,labour,male,adult,60\n"
      "2025-07,opened,MX-CHI,US,labour,male,child,0\n";
  auto batches = ParseHistoryCsv("h.csv", csv);
  ASSERT_TRUE(batches.ok()) << batches.status();
  ASSERT_EQ(batches->size(), 3u);
  const sv1::ImportHistoryRequest& june = (*batches)[0];
  EXPECT_EQ(june.month(), "2025-06");
  EXPECT_EQ(june.measure(), "cases_opened");
  ASSERT_EQ(june.cells_size(), 2);
  EXPECT_EQ(june.cells(0).category(), "CATEGORY_LABOUR");
  EXPECT_EQ(june.cells(0).count(), 140);
  EXPECT_EQ(june.cells(1).post(), "MX-LAX");
  EXPECT_EQ(june.cells(1).host_country(), "US");
  EXPECT_EQ(june.cells(1).sex(), "female");
  EXPECT_EQ((*batches)[1].measure(), "cases_closed");
  EXPECT_EQ((*batches)[2].month(), "2025-07");
  EXPECT_EQ((*batches)[2].cells(0).age_group(), "child");
}

TEST(StatsCommandsTest, HistoryCsvNamesEveryBadLine) {
  const std::string csv =
      "2025-13,opened,MX-LAX,US,labour,female,adult,140\n"      // 1: month
      "2025-06,people,MX-LAX,US,labour,female,adult,140\n"      // 2: measure
      "2025-06,opened,LAX,USA,labour,female,adult,140\n"        // 3: post, host
      "2025-06,opened,MX-LAX,US,cooking,Juana,adult,140\n"      // 4: category, sex
      "2025-06,opened,MX-LAX,US,labour,female,teen,-3\n"        // 5: age, count
      "2025-06,opened,MX-LAX,US,labour\n"                       // 6: fields
      "2025-06,opened,MX-LAX,US,labour,female,adult,7\n"        // fine
      "2025-06,opened,MX-LAX,US,labour,female,adult,8\n"        // 8: repeats 7
      "2025-06,opened,MX-LAX,US,\"labour,female,adult,8\n";     // 9: quote
  auto batches = ParseHistoryCsv("h.csv", csv);
  ASSERT_FALSE(batches.ok());
  const std::string m(batches.status().message());
  for (const char* want :
       {"h.csv:1: month", "h.csv:2: measure", "h.csv:3: post", "h.csv:3: host_country",
        "h.csv:4: category", "h.csv:4: sex", "h.csv:5: age_group", "h.csv:5: count",
        "h.csv:6: 5 fields", "h.csv:8: the same cell as line 7", "h.csv:9: "}) {
    EXPECT_NE(m.find(want), std::string::npos) << want << "\n" << m;
  }
  EXPECT_EQ(m.find("h.csv:7:"), std::string::npos) << m;
  EXPECT_FALSE(ParseHistoryCsv("e.csv", "# nothing\n\n").ok());
  EXPECT_FALSE(ParseHistoryCsv("x.csv", "month,measure,post\n2025-06,opened,MX-LAX\n").ok());
}

sv1::Cell C(int64_t value, sv1::Flag flag = sv1::FLAG_PUBLISHED) {
  sv1::Cell c;
  c.set_value(value);
  c.set_flag(flag);
  return c;
}

// MX, October: US published, GT's 3 detentions primary, its labour cell secondary; the
// children's table (threshold 10) with a primary cell; the sensitive column not published.
sv1::MonthlyRelease Sample() {
  sv1::MonthlyRelease r;
  r.set_country("MX");
  r.set_month("2026-10");
  r.set_measure("cases_opened");
  for (const char* c : {"CATEGORY_LABOUR", "CATEGORY_MIGRATION", "CATEGORY_TRAFFICKING"}) {
    r.add_columns(c);
  }
  r.add_column_thresholds(5);
  r.add_column_thresholds(5);
  r.add_column_thresholds(10);
  sv1::Table* host = r.add_tables();
  host->set_dimension("host_country");
  sv1::Row* us = host->add_rows();
  us->set_key("US");
  us->set_threshold(5);
  *us->add_cells() = C(30);
  *us->add_cells() = C(24);
  *us->add_cells() = C(0, sv1::FLAG_NOT_PUBLISHED);
  *us->mutable_total() = C(54);
  sv1::Row* gt = host->add_rows();
  gt->set_key("GT");
  gt->set_threshold(5);
  *gt->add_cells() = C(0, sv1::FLAG_SECONDARY);
  *gt->add_cells() = C(0, sv1::FLAG_PRIMARY);
  *gt->add_cells() = C(0, sv1::FLAG_NOT_PUBLISHED);
  *gt->mutable_total() = C(15);
  sv1::Table* age = r.add_tables();
  age->set_dimension("age_group");
  sv1::Row* adult = age->add_rows();
  adult->set_key("adult");
  adult->set_threshold(10);
  *adult->add_cells() = C(0, sv1::FLAG_SECONDARY);
  *adult->add_cells() = C(0, sv1::FLAG_SECONDARY);
  *adult->add_cells() = C(0, sv1::FLAG_NOT_PUBLISHED);
  *adult->mutable_total() = C(67);
  sv1::Row* child = age->add_rows();
  child->set_key("child");
  child->set_threshold(10);
  *child->add_cells() = C(0);
  *child->add_cells() = C(0, sv1::FLAG_PRIMARY);
  *child->add_cells() = C(0, sv1::FLAG_NOT_PUBLISHED);
  *child->mutable_total() = C(0, sv1::FLAG_PRIMARY);
  sv1::Table* sex = r.add_tables();
  sex->set_dimension("sex");
  sex->set_withheld(true);
  *r.add_column_totals() = C(42);
  *r.add_column_totals() = C(27);
  *r.add_column_totals() = C(0, sv1::FLAG_NOT_PUBLISHED);
  *r.mutable_grand_total() = C(69);
  return r;
}

// The cells of the row `key` of the table whose header starts with `dimension`.
std::vector<std::string> RowOf(const std::string& text, const std::string& dimension,
                               const std::string& key) {
  bool in = false;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, dimension + " ")) in = true;
    if (in && absl::StartsWith(line, key + " ")) {
      return absl::StrSplit(line, ' ', absl::SkipEmpty());
    }
    if (line.empty()) in = false;
  }
  return {};
}

TEST(StatsCommandsTest, WithheldCellsPrintAsWithheldNeverANumber) {
  EXPECT_EQ(ReleaseCellText(C(12), 5), "12");
  EXPECT_EQ(ReleaseCellText(C(0), 5), "0");
  EXPECT_EQ(ReleaseCellText(C(3, sv1::FLAG_PRIMARY), 5), "<5");
  // A buggy node that sends the value anyway: still withheld.
  EXPECT_EQ(ReleaseCellText(C(3, sv1::FLAG_PRIMARY), 10), "<10");
  EXPECT_EQ(ReleaseCellText(C(12, sv1::FLAG_SECONDARY), 5), "x");
  EXPECT_EQ(ReleaseCellText(C(12, sv1::FLAG_NOT_PUBLISHED), 5), "-");

  const std::string text = MonthlyReleaseText(Sample());
  EXPECT_TRUE(absl::StartsWith(text, "MX 2026-10 cases_opened: 69 cases\n")) << text;
  EXPECT_EQ(RowOf(text, "HOST_COUNTRY", "HOST_COUNTRY"),
            (std::vector<std::string>{"HOST_COUNTRY", "LABOUR", "MIGRATION", "TRAFFICKING",
                                      "TOTAL"}))
      << text;
  EXPECT_EQ(RowOf(text, "HOST_COUNTRY", "US"),
            (std::vector<std::string>{"US", "30", "24", "-", "54"}));
  EXPECT_EQ(RowOf(text, "HOST_COUNTRY", "GT"),
            (std::vector<std::string>{"GT", "x", "<5", "-", "15"}));
  EXPECT_EQ(RowOf(text, "HOST_COUNTRY", "TOTAL"),
            (std::vector<std::string>{"TOTAL", "42", "27", "-", "69"}));
  // Children: the threshold of 10.
  EXPECT_EQ(RowOf(text, "AGE_GROUP", "child"),
            (std::vector<std::string>{"child", "0", "<10", "-", "<10"}));
  EXPECT_NE(text.find("by sex: withheld"), std::string::npos) << text;
  EXPECT_NE(text.find("legend: <N withheld"), std::string::npos) << text;

  // Even when a node sends a withheld cell's value, it is never printed.
  sv1::MonthlyRelease leaky = Sample();
  leaky.mutable_tables(0)->mutable_rows(1)->mutable_cells(1)->set_value(3);
  leaky.mutable_tables(0)->mutable_rows(1)->mutable_cells(0)->set_value(12);
  EXPECT_EQ(RowOf(MonthlyReleaseText(leaky), "HOST_COUNTRY", "GT"),
            (std::vector<std::string>{"GT", "x", "<5", "-", "15"}));

  sv1::MonthlyRelease withheld;
  withheld.set_country("MX");
  withheld.set_month("2026-11");
  withheld.set_measure("cases_opened");
  withheld.set_withheld(true);
  EXPECT_EQ(MonthlyReleaseText(withheld),
            "MX 2026-11 cases_opened: withheld (too few cases, or nothing could be "
            "protected)\n");
}

secv1::RegionalCell R(int64_t value, std::vector<std::string> incomplete = {}) {
  secv1::RegionalCell c;
  c.set_value(value);
  c.set_complete(incomplete.empty());
  for (auto& m : incomplete) c.add_incomplete_members(m);
  return c;
}

TEST(StatsCommandsTest, RegionalSumsMarkIncompleteOnesAndNameTheMembers) {
  secv1::RegionalRelease r;
  r.set_month("2026-10");
  r.set_measure("cases_opened");
  secv1::MemberRelease* mx = r.add_members();
  mx->set_country("MX");
  mx->set_revision(2);
  mx->mutable_receive_time()->set_seconds(1793491200);  // 2026-11-01T00:00:00Z
  *mx->mutable_release() = Sample();
  r.add_missing_members("SV");
  r.add_columns("CATEGORY_LABOUR");
  r.add_columns("CATEGORY_MIGRATION");
  secv1::RegionalTable* host = r.add_tables();
  host->set_dimension("host_country");
  secv1::RegionalRow* us = host->add_rows();
  us->set_key("US");
  *us->add_cells() = R(30);
  *us->add_cells() = R(24, {"SV"});
  *us->mutable_total() = R(54, {"SV"});
  secv1::RegionalRow* gt = host->add_rows();
  gt->set_key("GT");
  *gt->add_cells() = R(0, {"MX", "SV"});
  *gt->add_cells() = R(0, {"MX", "SV"});
  *gt->mutable_total() = R(15, {"SV"});
  *r.add_column_totals() = R(42, {"SV"});
  *r.add_column_totals() = R(27, {"SV"});
  *r.mutable_grand_total() = R(69, {"SV"});

  const std::string text = RegionalReleaseText(r);
  EXPECT_TRUE(absl::StartsWith(text, "regional 2026-10 cases_opened: 1 member sent it; "
                                     "missing: SV\n"))
      << text;
  EXPECT_EQ(RowOf(text, "MEMBER", "MX"),
            (std::vector<std::string>{"MX", "2", "2026-11-01T00:00:00Z", "69"}))
      << text;
  EXPECT_EQ(RowOf(text, "MEMBER", "SV"), (std::vector<std::string>{"SV", "missing", "-", "-"}));
  EXPECT_EQ(RowOf(text, "HOST_COUNTRY", "US"),
            (std::vector<std::string>{"US", "30", "≥24[1]", "≥54[1]"}))
      << text;
  EXPECT_EQ(RowOf(text, "HOST_COUNTRY", "GT"),
            (std::vector<std::string>{"GT", "≥0[2]", "≥0[2]", "≥15[1]"}));
  EXPECT_NE(text.find("[1] incomplete: SV\n"), std::string::npos) << text;
  EXPECT_NE(text.find("[2] incomplete: MX, SV\n"), std::string::npos) << text;

  secv1::ListMonthsResponse months;
  months.add_months("2026-10");
  months.add_months("2026-09");
  EXPECT_EQ(RegionalMonthsText(months), "2026-10\n2026-09\n");
}

TEST(StatsCommandsTest, HelpListsTheCommands) {
  const std::string h = HelpText();
  for (const char* want : {"stats release", "stats import", "regional months", "regional release"}) {
    EXPECT_NE(h.find(want), std::string::npos) << want;
  }
}

}  // namespace
}  // namespace enlace::cli
