// enlacectl's temporary-workers commands end to end: the real binary against a real enlace-node
// child process over mTLS (as in cli_test.cc). An H-2A worker's contract at MX-CHI (Chicago;
// Illinois), an unpaid-wages claim on his labour case from intake through documented and filed
// to recovered with the amount, the filing-deadline list (a passed deadline first, negative
// days), verification by a supervisor (an officer is refused) and the employer's and
// recruiter's counts, a post's Labor Rights Week events and the listing's totals. Refused
// steps print the node's error and exit 1; a malformed amount is a usage error (exit 2).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

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
#include "gtest/gtest.h"
#include "tests/testing/command.h"
#include "tests/testing/enlacectl_test.h"
#include "tests/testing/test_env.h"

extern char** environ;

namespace enlace {
namespace {

using Identity = testing::CliIdentity;
constexpr Identity kJefa = {"jefa", "spiffe://mx.enlace.example/role/supervisor/user/jefa"};
constexpr Identity kLaboral = {"laboral",
                               "spiffe://mx.enlace.example/role/officer/post/MX-CHI/user/laboral"};

using Result = testing::CommandResult;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CliWorkersTest : public testing::EnlacectlTest {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(StartNode("cli_workers", {kJefa, kLaboral})); }

  // A Mexican farmworker in Illinois and his labour case at MX-CHI; sets person_.
  std::string LabourCase() {
    Result person =
        Run(kJefa, {"person", "create", "given_names=Juan Carlos", "family_names=Ramírez Tzompa",
                    "sex=male", "birth_date=1991-03-12", "nationality=MX", "language=es",
                    "protection=none", "request_id=worker-person"});
    EXPECT_EQ(person.code, 0) << person;
    person_ = Field(person.out, "name");
    Result opened = Run(
        kJefa, {"case", "create", "person=" + person_, "post=MX-CHI", "host_country=US",
                "place=Kankakee, Illinois", "category=labour", "subtype=unpaid_wages",
                "legal_basis=vital_interest",
                "summary=Salarios no pagados en la cosecha de maíz dulce", "request_id=case-1"});
    EXPECT_EQ(opened.code, 0) << opened;
    return Field(opened.out, "name");
  }

  std::string person_;
};

// YYYY-MM-DD, `days` from today (UTC).
std::string Day(int days) {
  return absl::FormatCivilTime(absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) + days);
}

std::string Id(const std::string& name) { return name.substr(name.rfind('/') + 1); }

// The words of the first line of `out` that contains `needle`.
std::vector<std::string> RowWith(const std::string& out, const std::string& needle) {
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    if (absl::StrContains(line, needle)) return absl::StrSplit(line, ' ', absl::SkipEmpty());
  }
  return {};
}

constexpr char kEmployer[] = "H-300-26012-123456";
constexpr char kRecruiter[] = "RECL-0042";

TEST_F(CliWorkersTest, ContractClaimCountsAndOutreach) {
  const std::string kase = LabourCase();
  ASSERT_TRUE(absl::StartsWith(kase, "countries/MX/cases/")) << kase;

  // The H-2A contract, by the officer of the worker's post.
  const std::vector<std::string> contract = {"employment",
                                             "create",
                                             Id(person_),
                                             "programme=H-2A",
                                             "permit=H2A-PERMISO-7781234",
                                             "employer=Prairie Sweet Corn LLC",
                                             std::string("employer_id=") + kEmployer,
                                             "area=us-il",
                                             "recruiter=Reclutamiento del Bajío",
                                             std::string("licence=") + kRecruiter,
                                             "fees=MXN:15000.00",
                                             "start=2026-05-01",
                                             "end=2026-10-31",
                                             "hours=40",
                                             "wage=USD:17.00",
                                             "unit=hour",
                                             "housing=yes",
                                             "deduction=transport:USD:45.00",
                                             "request_id=emp-1"};
  Result employed = Run(kLaboral, contract);
  ASSERT_EQ(employed.code, 0) << employed;
  const std::string employment = Field(employed.out, "name");
  ASSERT_TRUE(absl::StartsWith(employment, "countries/MX/employments/")) << employed;
  EXPECT_EQ(Field(employed.out, "person"), person_);
  EXPECT_EQ(Field(employed.out, "post"), "MX-CHI");
  EXPECT_EQ(Field(employed.out, "programme"), "us_h2a");
  EXPECT_EQ(Field(employed.out, "permit_number"), "H2A-PERMISO-7781234");
  EXPECT_EQ(Field(employed.out, "employer.worksite_area"), "US-IL");
  EXPECT_EQ(Field(employed.out, "recruiter.fees_paid"), "MXN:15000.00");
  EXPECT_EQ(Field(employed.out, "contract.wage"), "USD:17.00");
  EXPECT_EQ(Field(employed.out, "contract.wage_unit"), "hour");
  EXPECT_EQ(Field(employed.out, "contract.deductions[0].type"), "transport");
  EXPECT_EQ(Field(employed.out, "contract.deductions[0].amount"), "USD:45.00");
  // The same request_id again: the same contract.
  Result again = Run(kLaboral, contract);
  ASSERT_EQ(again.code, 0) << again;
  EXPECT_EQ(Field(again.out, "name"), employment);
  Result shown = Run(kJefa, {"employment", "show", Id(employment)});
  ASSERT_EQ(shown.code, 0) << shown;
  EXPECT_EQ(Field(shown.out, "contract.promised_hours_per_week"), "40");
  Result listed = Run(kLaboral, {"employment", "list", person_});
  ASSERT_EQ(listed.code, 0) << listed;
  EXPECT_EQ(
      RowWith(listed.out, employment),
      (std::vector<std::string>{employment, "us_h2a", "MX-CHI", kEmployer, "US-IL", "2026-05-01",
                                "2026-10-31", "USD:17.00/hour", "Prairie", "Sweet", "Corn", "LLC"}))
      << listed;
  EXPECT_FALSE(absl::StrContains(listed.out, "PERMISO")) << listed;
  // The node's validation: exit 1 with the fields named.
  std::vector<std::string> bad = contract;
  bad.back() = "request_id=emp-bad";
  bad[7] = "area=Illinois";
  Result refused_contract = Run(kLaboral, bad);
  EXPECT_EQ(refused_contract.code, 1) << refused_contract;
  EXPECT_TRUE(absl::StartsWith(refused_contract.err, "error: INVALID_ARGUMENT: "))
      << refused_contract;
  EXPECT_TRUE(absl::StrContains(refused_contract.err, "employment.employer.worksite_area"))
      << refused_contract;
  // A malformed amount never leaves the machine: a usage error.
  bad[14] = "wage=17 dollars";
  Result usage = Run(kLaboral, bad);
  EXPECT_EQ(usage.code, 2) << usage;
  EXPECT_TRUE(absl::StrContains(usage.err, "wage: \"17 dollars\" has no currency")) << usage;

  // The unpaid-wages claim, due in 10 days, and a recruitment-fees claim whose deadline passed.
  Result claimed =
      Run(kLaboral, {"claim", "create", Id(kase), "type=unpaid_wages", "forum=labour_agency",
                     "claimed=USD:3400.00", "deadline=" + Day(10), "employment=" + Id(employment),
                     "docket=WHD-EXPEDIENTE-2026-55501", "request_id=claim-1"});
  ASSERT_EQ(claimed.code, 0) << claimed;
  const std::string claim = Field(claimed.out, "name");
  ASSERT_TRUE(absl::StartsWith(claim, "countries/MX/labourClaims/")) << claimed;
  EXPECT_EQ(Field(claimed.out, "case"), kase);
  EXPECT_EQ(Field(claimed.out, "post"), "MX-CHI");
  EXPECT_EQ(Field(claimed.out, "status"), "intake");
  EXPECT_EQ(Field(claimed.out, "claimed"), "USD:3400.00");
  EXPECT_EQ(Field(claimed.out, "employer_registry_id"), kEmployer);
  EXPECT_EQ(Field(claimed.out, "recruiter_licence"), kRecruiter);
  EXPECT_EQ(Field(claimed.out, "docket_number"), "WHD-EXPEDIENTE-2026-55501");
  Result fees =
      Run(kLaboral, {"claim", "create", kase, "type=recruitment_fees", "forum=programme_liaison",
                     "claimed=MXN:15000.00", "deadline=" + Day(-3), "request_id=claim-2"});
  ASSERT_EQ(fees.code, 0) << fees;
  const std::string fees_claim = Field(fees.out, "name");

  Result deadlines = Run(kLaboral, {"claim", "deadlines", "within=30"});
  ASSERT_EQ(deadlines.code, 0) << deadlines;
  std::vector<std::string> lines = absl::StrSplit(deadlines.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u) << deadlines;
  EXPECT_TRUE(absl::StartsWith(lines[0], "DAYS_LEFT")) << deadlines;
  // Soonest first: the passed one (negative days), then the one due in 10 (9 across midnight).
  std::vector<std::string> first = absl::StrSplit(lines[1], ' ', absl::SkipEmpty());
  ASSERT_EQ(first.size(), 7u) << deadlines;
  EXPECT_TRUE(absl::StartsWith(first[0], "-")) << deadlines;
  EXPECT_EQ(first[1], Day(-3));
  EXPECT_EQ(first[2], "recruitment_fees");
  EXPECT_EQ(first[6], fees_claim);
  std::vector<std::string> second = absl::StrSplit(lines[2], ' ', absl::SkipEmpty());
  ASSERT_EQ(second.size(), 7u) << deadlines;
  EXPECT_TRUE(second[0] == "10" || second[0] == "9") << deadlines;
  EXPECT_EQ(second, (std::vector<std::string>{second[0], Day(10), "unpaid_wages", "intake",
                                              "MX-CHI", kase, claim}));

  // A step the table does not allow: the node's error, exit 1, nothing on stdout.
  Result skip = Run(kLaboral, {"claim", "advance", Id(claim), "filed"});
  EXPECT_EQ(skip.code, 1) << skip;
  EXPECT_TRUE(absl::StartsWith(skip.err, "error: FAILED_PRECONDITION: ")) << skip;
  EXPECT_TRUE(absl::StrContains(skip.err, "cannot go to CLAIM_STATUS_FILED")) << skip;
  EXPECT_TRUE(skip.out.empty()) << skip;
  Result stale = Run(kLaboral, {"claim", "advance", Id(claim), "documented", "etag=stale"});
  EXPECT_EQ(stale.code, 1) << stale;
  EXPECT_TRUE(absl::StartsWith(stale.err, "error: ABORTED: ")) << stale;

  Result documented = Run(kLaboral, {"claim", "advance", Id(claim), "documented"});
  ASSERT_EQ(documented.code, 0) << documented;
  EXPECT_EQ(Field(documented.out, "status"), "documented");
  Result filed = Run(kLaboral, {"claim", "advance", claim, "filed"});
  ASSERT_EQ(filed.code, 0) << filed;
  EXPECT_EQ(Field(filed.out, "status"), "filed");
  // Filed: its deadline is met, only the passed one is left.
  Result after = Run(kLaboral, {"claim", "deadlines"});
  ASSERT_EQ(after.code, 0) << after;
  EXPECT_FALSE(absl::StrContains(after.out, claim)) << after;
  EXPECT_TRUE(absl::StrContains(after.out, fees_claim)) << after;
  // A recovery in another currency than claimed is refused by the node.
  Result pesos =
      Run(kLaboral, {"claim", "advance", Id(claim), "recovered", "recovered=MXN:100.00"});
  EXPECT_EQ(pesos.code, 1) << pesos;
  EXPECT_TRUE(absl::StartsWith(pesos.err, "error: INVALID_ARGUMENT: ")) << pesos;
  EXPECT_TRUE(absl::StrContains(pesos.err, "recovered.currency_code")) << pesos;
  Result recovered =
      Run(kLaboral, {"claim", "advance", Id(claim), "recovered", "recovered=USD:3400.00"});
  ASSERT_EQ(recovered.code, 0) << recovered;
  EXPECT_EQ(Field(recovered.out, "status"), "recovered");
  EXPECT_EQ(Field(recovered.out, "recovered"), "USD:3400.00");
  Result final_step = Run(kLaboral, {"claim", "advance", Id(claim), "withdrawn"});
  EXPECT_EQ(final_step.code, 1) << final_step;
  EXPECT_TRUE(absl::StartsWith(final_step.err, "error: FAILED_PRECONDITION: ")) << final_step;

  // Verified by a supervisor; an officer is refused.
  Result by_officer = Run(kLaboral, {"claim", "verify", Id(claim)});
  EXPECT_EQ(by_officer.code, 1) << by_officer;
  EXPECT_TRUE(absl::StartsWith(by_officer.err, "error: PERMISSION_DENIED: ")) << by_officer;
  Result verified = Run(kJefa, {"claim", "verify", Id(claim)});
  ASSERT_EQ(verified.code, 0) << verified;
  EXPECT_EQ(Field(verified.out, "verified"), "true");
  EXPECT_EQ(Field(verified.out, "verified_by"), kJefa.uri);
  Result twice = Run(kJefa, {"claim", "verify", Id(claim)});
  EXPECT_EQ(twice.code, 1) << twice;
  EXPECT_TRUE(absl::StartsWith(twice.err, "error: FAILED_PRECONDITION: ")) << twice;
  Result show = Run(kLaboral, {"claim", "show", Id(claim)});
  ASSERT_EQ(show.code, 0) << show;
  EXPECT_EQ(Field(show.out, "verified"), "true");
  Result json = Run(kLaboral, {"--json", "claim", "show", Id(claim)});
  ASSERT_EQ(json.code, 0) << json;
  EXPECT_TRUE(absl::StrContains(json.out, "\"amountMinor\":\"340000\"")) << json;

  // The employer's and the recruiter's history: this member's verified counts, by type.
  Result employer = Run(kLaboral, {"employer", "counts", kEmployer});
  ASSERT_EQ(employer.code, 0) << employer;
  lines = absl::StrSplit(employer.out, '\n', absl::SkipEmpty());
  ASSERT_GE(lines.size(), 3u) << employer;
  EXPECT_EQ(lines[0], absl::StrCat("employer ", kEmployer, ": 1 verified claim (members: MX)"));
  EXPECT_EQ(RowWith(employer.out, "unpaid_wages"),
            (std::vector<std::string>{"unpaid_wages", "1", "1"}))
      << employer;
  Result recruiter = Run(kJefa, {"recruiter", "counts", kRecruiter});
  ASSERT_EQ(recruiter.code, 0) << recruiter;
  EXPECT_TRUE(
      absl::StartsWith(recruiter.out, absl::StrCat("recruiter ", kRecruiter, ": 1 verified claim")))
      << recruiter;
  Result nobody = Run(kLaboral, {"employer", "counts", "LMIA-0000000"});
  ASSERT_EQ(nobody.code, 0) << nobody;
  EXPECT_EQ(nobody.out, "employer LMIA-0000000: 0 verified claims\n");

  // Labor Rights Week at MX-CHI, and an event after it.
  struct Event {
    const char* date;
    const char* attendees;
    const char* cases;
  };
  for (const Event& e : {Event{"2025-08-25", "180", "4"}, Event{"2025-08-28", "75", "2"},
                         Event{"2025-09-15", "30", "0"}}) {
    Result created = Run(
        kLaboral, {"outreach", "create", "kind=labor_rights_week", std::string("date=") + e.date,
                   "area=US-IL", "partners=US DOL Wage and Hour Division,OSHA",
                   std::string("attendees=") + e.attendees, std::string("cases=") + e.cases,
                   std::string("request_id=lrw-") + e.date});
    ASSERT_EQ(created.code, 0) << created;
    EXPECT_EQ(Field(created.out, "post"), "MX-CHI");
    EXPECT_EQ(Field(created.out, "partner_agencies"), "US DOL Wage and Hour Division,OSHA");
  }
  Result too_many = Run(kLaboral, {"outreach", "create", "kind=workshop", "date=2025-08-26",
                                   "attendees=10", "cases=11"});
  EXPECT_EQ(too_many.code, 1) << too_many;
  EXPECT_TRUE(absl::StrContains(too_many.err, "event.cases_identified")) << too_many;
  Result week = Run(kJefa, {"outreach", "list", "post=MX-CHI", "from=2025-08-24", "to=2025-08-30"});
  ASSERT_EQ(week.code, 0) << week;
  lines = absl::StrSplit(week.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 4u) << week;
  EXPECT_TRUE(absl::StrContains(lines[1], "2025-08-25")) << week;
  EXPECT_TRUE(absl::StrContains(lines[2], "2025-08-28")) << week;
  EXPECT_TRUE(absl::EndsWith(lines[1], "US DOL Wage and Hour Division; OSHA")) << week;
  EXPECT_EQ(lines[3], "total: 2 events, 255 attendees, 6 cases identified");
  // A supervisor names the post.
  Result no_post = Run(kJefa, {"outreach", "list", "from=2025-08-24", "to=2025-08-30"});
  EXPECT_EQ(no_post.code, 1) << no_post;
  EXPECT_TRUE(absl::StartsWith(no_post.err, "error: INVALID_ARGUMENT: ")) << no_post;
}

}  // namespace
}  // namespace enlace
