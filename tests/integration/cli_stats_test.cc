// enlacectl's statistics commands end to end: the real binary against a real enlace-node child
// process over mTLS (as in cli_workers_test.cc), the node's clock a file the test moves so that
// a month can end. October's cases opened with `case create`, the clock moved to November,
// `stats release 2026-10` prints the grand total and the small cell withheld (`<5`, never its
// value), to a supervisor only; `stats import` of a ministry's CSV for an old month, then that
// month's release; a malformed CSV exits 2 naming FILE:LINE and sends nothing.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/pki/pki.h"
#include "common/time/clock.h"
#include "gtest/gtest.h"
#include "tests/testing/command.h"
#include "tests/testing/enlacectl_test.h"
#include "tests/testing/test_env.h"

extern char** environ;

namespace enlace {
namespace {

using Identity = testing::CliIdentity;
constexpr Identity kJefa = {"jefa", "spiffe://mx.enlace.example/role/supervisor/user/jefa"};
constexpr Identity kAna = {"ana", "spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/ana"};

using Result = testing::CommandResult;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// 15:00 UTC of that day.
absl::Time Day(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone()) + absl::Hours(15);
}

// The words of the row `key` of the table whose header starts with `dimension`.
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

class CliStatsTest : public testing::EnlacectlTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(
        StartNode("cli_stats", {kJefa, kAna}, [this](enlace::node::v1::NodeConfig& config) {
          // The node's clock is a file the test moves, so that a month can end.
          clock_file_ = dir_ + "/clock";
          ASSERT_TRUE(FileClock::Write(clock_file_, Day(2026, 10, 5)));
          config.set_testing_clock_file(clock_file_);
        }));
  }

  // `n` cases at `post` (host `host`), each of its own person, alternately female and male.
  void Open(int n, const std::string& post, const std::string& host, const std::string& category,
            const std::string& subtype) {
    for (int i = 0; i < n; ++i) {
      const int k = ++opened_;
      Result person = Run(kJefa, {"person", "create", absl::StrCat("given_names=Persona ", k),
                                  "family_names=Hernández Cruz", i % 2 ? "sex=male" : "sex=female",
                                  "birth_date=1988-06-30", "nationality=MX", "protection=none",
                                  absl::StrCat("request_id=p-", k)});
      ASSERT_EQ(person.code, 0) << person;
      Result opened = Run(kJefa, {"case", "create", "person=" + Field(person.out, "name"),
                                  "post=" + post, "host_country=" + host, "place=Consulado",
                                  "category=" + category, "subtype=" + subtype,
                                  "legal_basis=vital_interest", absl::StrCat("request_id=c-", k)});
      ASSERT_EQ(opened.code, 0) << opened;
    }
  }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = absl::StrCat(dir_, "/", name);
    std::ofstream(path) << text;
    return path;
  }

  std::string clock_file_;
  int opened_ = 0;
};

TEST_F(CliStatsTest, AnEndedMonthsReleaseWithItsSmallCellWithheld) {
  // October: at MX-LAX (US) 10 labour cases and 8 detentions; at MX-GUA (GT) 8 labour cases
  // and 2 detentions, a cell under 5.
  Open(10, "MX-LAX", "US", "labour", "unpaid_wages");
  Open(8, "MX-LAX", "US", "migration", "immigration_detention");
  Open(8, "MX-GUA", "GT", "labour", "unpaid_wages");
  Open(2, "MX-GUA", "GT", "migration", "immigration_detention");
  ASSERT_FALSE(HasFailure());

  // October has not ended: the node refuses (exit 1); a malformed month is a usage error.
  Result early = Run(kJefa, {"stats", "release", "2026-10"});
  EXPECT_EQ(early.code, 1) << early;
  EXPECT_TRUE(absl::StrContains(early.err, "INVALID_ARGUMENT")) << early;
  Result malformed = Run(kJefa, {"stats", "release", "2026-13"});
  EXPECT_EQ(malformed.code, 2) << malformed;

  ASSERT_TRUE(FileClock::Write(clock_file_, Day(2026, 11, 3)));
  Result r = Run(kJefa, {"stats", "release", "2026-10"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_TRUE(absl::StartsWith(r.out, "MX 2026-10 cases_opened: 28 cases\n")) << r;
  EXPECT_TRUE(absl::StrContains(r.out, "legend: <N withheld")) << r;
  const std::vector<std::string> header = RowOf(r.out, "HOST_COUNTRY", "HOST_COUNTRY");
  ASSERT_FALSE(header.empty()) << r;
  EXPECT_EQ(header.back(), "TOTAL");
  const auto column = [&](const std::string& name) {
    return std::find(header.begin(), header.end(), name) - header.begin();
  };
  const size_t migration = column("MIGRATION");
  ASSERT_LT(migration, header.size()) << r;
  const std::vector<std::string> gt = RowOf(r.out, "HOST_COUNTRY", "GT");
  ASSERT_EQ(gt.size(), header.size()) << r;
  EXPECT_EQ(gt[migration], "<5") << r;
  // GT's row: its 2 never shows, nor anything that would give it away.
  int withheld = 0;
  for (size_t i = 1; i < gt.size(); ++i) {
    EXPECT_NE(gt[i], "2") << r;
    withheld += gt[i] == "<5" || gt[i] == "x";
  }
  EXPECT_GE(withheld, 2) << r;
  const std::vector<std::string> total = RowOf(r.out, "HOST_COUNTRY", "TOTAL");
  ASSERT_FALSE(total.empty()) << r;
  EXPECT_EQ(total.back(), "28") << r;
  // The post table holds the same cell.
  const std::vector<std::string> gua = RowOf(r.out, "POST", "MX-GUA");
  ASSERT_FALSE(gua.empty()) << r;
  EXPECT_EQ(gua[migration], "<5") << r;

  // --json: the message itself, the small cell flagged primary and its value absent.
  Result json = Run(kJefa, {"--json", "stats", "release", "2026-10", "measure=opened"});
  ASSERT_EQ(json.code, 0) << json;
  EXPECT_TRUE(absl::StrContains(json.out, "FLAG_PRIMARY")) << json;
  EXPECT_TRUE(absl::StrContains(json.out, "\"grandTotal\":{\"value\":\"28\"")) << json;

  // Nothing closed in October: too few to publish.
  Result closed = Run(kJefa, {"stats", "release", "2026-10", "measure=closed"});
  ASSERT_EQ(closed.code, 0) << closed;
  EXPECT_TRUE(absl::StrContains(closed.out, "MX 2026-10 cases_closed: withheld")) << closed;

  // An officer may not read it.
  Result officer = Run(kAna, {"stats", "release", "2026-10"});
  EXPECT_EQ(officer.code, 1) << officer;
  EXPECT_TRUE(absl::StrContains(officer.err, "PERMISSION_DENIED")) << officer;

  // `regional` asks the secretariat: a member node does not serve it, and says so.
  Result regional = Run(kJefa, {"regional", "months"});
  EXPECT_EQ(regional.code, 1) << regional;
  EXPECT_TRUE(absl::StrContains(regional.err, "secretariat's API")) << regional;
  EXPECT_EQ(Run(kJefa, {"regional", "release", "2026-10", "members=Mexico"}).code, 2);
}

TEST_F(CliStatsTest, HistoryImportedFromACsvThenReleased) {
  ASSERT_TRUE(FileClock::Write(clock_file_, Day(2026, 11, 3)));
  const std::string csv = Write("history.csv",
                                "month,measure,post,host_country,category,sex,age_group,count\n"
                                "2025-06,opened,MX-LAX,US,labour,female,adult,140\n"
                                "2025-06,opened,MX-LAX,US,migration,female,adult,95\n"
                                "2025-06,opened,MX-CHI,US,labour,female,adult,60\n"
                                "2025-06,opened,MX-CHI,US,migration,female,adult,33\n");
  Result imported = Run(kJefa, {"stats", "import", csv});
  ASSERT_EQ(imported.code, 0) << imported;
  EXPECT_EQ(imported.out, "2025-06 cases_opened: 4 cells, 328 cases imported\n") << imported;
  Result r = Run(kJefa, {"stats", "release", "2025-06"});
  ASSERT_EQ(r.code, 0) << r;
  EXPECT_TRUE(absl::StartsWith(r.out, "MX 2025-06 cases_opened: 328 cases\n")) << r;
  EXPECT_EQ(RowOf(r.out, "POST", "TOTAL").back(), "328") << r;

  // A malformed file: every bad line named, exit 2, nothing sent (July stays empty, even its
  // good line).
  const std::string bad = Write("bad.csv",
                                "2025-07,opened,MX-LAX,US,labour,female,adult,140\n"
                                "2025-07,opened,MX-LAX,US,labour,Juana,adult,12\n"
                                "2025-07,opened,MX-LAX,US,labour,male,adult,doce\n");
  Result refused = Run(kJefa, {"stats", "import", bad});
  EXPECT_EQ(refused.code, 2) << refused;
  EXPECT_TRUE(absl::StrContains(refused.err, bad + ":2: sex")) << refused;
  EXPECT_TRUE(absl::StrContains(refused.err, bad + ":3: count")) << refused;
  EXPECT_EQ(refused.out, "") << refused;
  Result july = Run(kJefa, {"stats", "release", "2025-07"});
  ASSERT_EQ(july.code, 0) << july;
  EXPECT_TRUE(absl::StrContains(july.out, "MX 2025-07 cases_opened: withheld")) << july;
  // A file that is not there is a usage error too.
  EXPECT_EQ(Run(kJefa, {"stats", "import", dir_ + "/none.csv"}).code, 2);
  // A post that is not this node's: the node refuses, exit 1.
  const std::string other = Write("other.csv", "2025-08,opened,GT-LAX,US,labour,female,adult,9\n");
  Result wrong = Run(kJefa, {"stats", "import", other});
  EXPECT_EQ(wrong.code, 1) << wrong;
  EXPECT_TRUE(absl::StrContains(wrong.err, "INVALID_ARGUMENT")) << wrong;
  // Officers do not import.
  EXPECT_EQ(Run(kAna, {"stats", "import", csv}).code, 1);
}

}  // namespace
}  // namespace enlace
