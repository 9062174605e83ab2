// Parsing of the temporary-workers commands (enlace.workers.v1.TemporaryWorkersService), amounts
// and how the tables print; the calls themselves run against a node in
// tests/integration/cli_workers_test.cc.
#include "tools/enlacectl/workers_commands.h"

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

namespace wv1 = ::enlace::workers::v1;

ParseContext Context() {
  ParseContext c;
  c.country = "MX";
  c.now = absl::FromUnixSeconds(1780000000);  // 2026-05-28T20:26:40Z
  return c;
}

// Words split at spaces; a '|' stands for a space inside one word.
absl::StatusOr<Command> Parse(const std::string& line) {
  std::vector<std::string> words;
  for (absl::string_view w : absl::StrSplit(line, ' ', absl::SkipEmpty())) {
    std::string word(w);
    std::replace(word.begin(), word.end(), '|', ' ');
    words.push_back(word);
  }
  return ParseCommand(words, Context());
}

// The message of a refused command line ("" when it parsed).
std::string ErrorOf(const std::string& line) {
  auto c = Parse(line);
  EXPECT_FALSE(c.ok()) << line;
  return c.ok() ? "" : std::string(c.status().message());
}

wv1::Money Money(const std::string& currency, int64_t minor) {
  wv1::Money m;
  m.set_currency_code(currency);
  m.set_amount_minor(minor);
  return m;
}

TEST(WorkersCommandsTest, AmountsReadAndPrintAsTyped) {
  struct Case {
    const char* text;
    const char* currency;
    int64_t minor;
    const char* printed;
  };
  for (const Case& c : std::vector<Case>{{"USD:3400.00", "USD", 340000, "USD:3400.00"},
                                         {"cad:16.55", "CAD", 1655, "CAD:16.55"},
                                         {"CAD:16.5", "CAD", 1650, "CAD:16.50"},
                                         {"MXN:15000", "MXN", 1500000, "MXN:15000.00"},
                                         {"USD:0", "USD", 0, "USD:0.00"},
                                         {"USD:0.07", "USD", 7, "USD:0.07"},
                                         {"JPY:1500", "JPY", 1500, "JPY:1500"},
                                         {" USD : 12.34 ", "USD", 1234, "USD:12.34"}}) {
    auto m = ParseMoney(c.text, "wage");
    ASSERT_TRUE(m.ok()) << c.text << ": " << m.status();
    EXPECT_EQ(m->currency_code(), c.currency) << c.text;
    EXPECT_EQ(m->amount_minor(), c.minor) << c.text;
    EXPECT_EQ(FormatMoney(*m), c.printed) << c.text;
  }
  for (const char* bad : {"3400", "USD", "USD:", "US:12", "USDX:1", "USD:-5", "USD:12.345",
                          "USD:1,200.00", "USD:.50", "USD:12.", "JPY:15.5", "USD:abc",
                          "USD:9999999999999999"}) {
    auto m = ParseMoney(bad, "claimed");
    EXPECT_FALSE(m.ok()) << bad;
    EXPECT_TRUE(absl::StrContains(m.status().message(), "claimed: ")) << m.status();
    EXPECT_TRUE(absl::StrContains(m.status().message(), "CUR:AMOUNT")) << m.status();
  }
  EXPECT_EQ(FormatMoney("", 0), "");
  EXPECT_EQ(FormatMoney("USD", -150), "USD:-1.50");
}

TEST(WorkersCommandsTest, EmploymentCreateReadsEveryFact) {
  auto c = Parse(
      "employment create p1 programme=sawp permit=SAWP-2026-0042 employer=Norfolk|Fruit|Growers "
      "employer_id=LMIA-7712345 area=ca-on recruiter=STPS|Servicio|Nacional|de|Empleo "
      "licence=SNE-01 fees=MXN:0 start=2026-04-01 end=2026-11-15 hours=40 wage=CAD:16.55 "
      "unit=hour housing=yes deduction=housing:CAD:75.00 deduction=tax:CAD:120.40 post=mx-tor "
      "request_id=emp-1");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->rpc, Rpc::kCreateEmployment);
  const auto& req = c->As<wv1::CreateEmploymentRequest>();
  EXPECT_EQ(req.parent(), "countries/MX");
  EXPECT_EQ(req.request_id(), "emp-1");
  const wv1::Employment& e = req.employment();
  EXPECT_EQ(e.person(), "countries/MX/persons/p1");
  EXPECT_EQ(e.post(), "MX-TOR");
  EXPECT_EQ(e.programme(), wv1::PROGRAMME_CA_SAWP);
  EXPECT_EQ(e.permit_number(), "SAWP-2026-0042");
  EXPECT_EQ(e.employer().name(), "Norfolk Fruit Growers");
  EXPECT_EQ(e.employer().registry_id(), "LMIA-7712345");
  EXPECT_EQ(e.employer().worksite_area(), "CA-ON");
  EXPECT_EQ(e.recruiter().name(), "STPS Servicio Nacional de Empleo");
  EXPECT_EQ(e.recruiter().licence(), "SNE-01");
  EXPECT_EQ(e.recruiter().fees_paid().currency_code(), "MXN");
  EXPECT_EQ(e.recruiter().fees_paid().amount_minor(), 0);
  const wv1::Contract& k = e.contract();
  EXPECT_EQ(k.start_date(), "2026-04-01");
  EXPECT_EQ(k.end_date(), "2026-11-15");
  EXPECT_EQ(k.promised_hours_per_week(), 40);
  EXPECT_EQ(k.wage().currency_code(), "CAD");
  EXPECT_EQ(k.wage().amount_minor(), 1655);
  EXPECT_EQ(k.wage_unit(), wv1::WAGE_UNIT_HOUR);
  EXPECT_TRUE(k.housing_provided());
  ASSERT_EQ(k.deductions_size(), 2);
  EXPECT_EQ(k.deductions(0).type(), wv1::DEDUCTION_TYPE_HOUSING);
  EXPECT_EQ(k.deductions(0).amount().amount_minor(), 7500);
  EXPECT_EQ(k.deductions(1).type(), wv1::DEDUCTION_TYPE_TAX);
  EXPECT_EQ(k.deductions(1).amount().amount_minor(), 12040);

  // The programme by its own name or the enum's word.
  for (const auto& [word, programme] :
       std::vector<std::pair<std::string, wv1::Programme>>{
           {"h2a", wv1::PROGRAMME_US_H2A}, {"H-2A", wv1::PROGRAMME_US_H2A},
           {"h-2b", wv1::PROGRAMME_US_H2B}, {"us_h2a", wv1::PROGRAMME_US_H2A},
           {"TFWP", wv1::PROGRAMME_CA_TFWP}, {"border", wv1::PROGRAMME_MX_BORDER_WORKER_CARD},
           {"mx-border-worker-card", wv1::PROGRAMME_MX_BORDER_WORKER_CARD},
           {"other_bilateral", wv1::PROGRAMME_OTHER_BILATERAL}, {"none", wv1::PROGRAMME_NONE}}) {
    auto p = Parse("employment create countries/MX/persons/p2 programme=" + word +
                   " employer=X area=US-GA start=2026-04-01 wage=USD:15.00 unit=hour");
    ASSERT_TRUE(p.ok()) << word << ": " << p.status();
    EXPECT_EQ(p->As<wv1::CreateEmploymentRequest>().employment().programme(), programme) << word;
    EXPECT_EQ(p->As<wv1::CreateEmploymentRequest>().employment().person(),
              "countries/MX/persons/p2");
    EXPECT_FALSE(p->As<wv1::CreateEmploymentRequest>().employment().has_recruiter());
  }
}

TEST(WorkersCommandsTest, EmploymentCreateRefusesWhatTheNodeWould) {
  const std::string none = ErrorOf("employment create p1");
  for (const char* needed : {"needs programme=", "needs employer=", "needs area=", "needs start=",
                             "needs wage=CUR:AMOUNT", "needs unit="}) {
    EXPECT_TRUE(absl::StrContains(none, needed)) << needed << ": " << none;
  }
  EXPECT_TRUE(absl::StrContains(
      ErrorOf("employment create p1 programme=h3 employer=X area=US-GA start=2026-04-01 "
              "wage=USD:15 unit=hour"),
      "programme: unknown value \"h3\""));
  const std::string money = ErrorOf(
      "employment create p1 programme=h2a employer=X area=US-GA start=2026-04-01 wage=15.00 "
      "unit=hour deduction=housing deduction=rent:USD:5 fees=USD:1.234 recruiter=R");
  for (const char* s : {"wage: \"15.00\" has no currency", "deduction: \"housing\" has no amount",
                        "deduction: unknown value \"rent\"", "fees: \"USD:1.234\""}) {
    EXPECT_TRUE(absl::StrContains(money, s)) << s << ": " << money;
  }
  EXPECT_TRUE(absl::StrContains(
      ErrorOf("employment create p1 programme=h2a employer=X area=US-GA start=2026-04-01 "
              "wage=USD:15 unit=hour licence=L-1"),
      "give its name too"));
  EXPECT_TRUE(absl::StrContains(ErrorOf("employment create programme=h2a"),
                                "needs exactly one PERSON"));
  EXPECT_TRUE(absl::StrContains(
      ErrorOf("employment create p1 programme=h2a employer=X area=US-GA start=2026-04-01 "
              "wage=USD:15 unit=hour colour=blue"),
      "unknown key \"colour\" for `employment create`"));
}

TEST(WorkersCommandsTest, EmploymentShowAndList) {
  for (const char* line : {"employment show e1", "employment get e1", "employments show e1",
                           "contract show e1"}) {
    auto c = Parse(line);
    ASSERT_TRUE(c.ok()) << line << ": " << c.status();
    EXPECT_EQ(c->rpc, Rpc::kGetEmployment);
    EXPECT_EQ(c->As<wv1::GetEmploymentRequest>().name(), "countries/MX/employments/e1");
  }
  auto l = Parse("employment list p1");
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(l->rpc, Rpc::kListEmployments);
  EXPECT_EQ(l->As<wv1::ListEmploymentsRequest>().person(), "countries/MX/persons/p1");
  EXPECT_TRUE(absl::StrContains(ErrorOf("employment list"), "needs exactly one PERSON"));
}

TEST(WorkersCommandsTest, ClaimCreate) {
  auto c = Parse(
      "claim create c1 type=unpaid_wages forum=labour_agency claimed=USD:3400.00 "
      "deadline=2026-12-15 employment=e1 docket=WHD-2026-1 request_id=claim-1");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->rpc, Rpc::kCreateLabourClaim);
  const auto& req = c->As<wv1::CreateLabourClaimRequest>();
  EXPECT_EQ(req.parent(), "countries/MX");
  EXPECT_EQ(req.request_id(), "claim-1");
  const wv1::LabourClaim& claim = req.claim();
  EXPECT_EQ(claim.case_(), "countries/MX/cases/c1");
  EXPECT_EQ(claim.employment(), "countries/MX/employments/e1");
  EXPECT_EQ(claim.type(), wv1::CLAIM_TYPE_UNPAID_WAGES);
  EXPECT_EQ(claim.forum(), wv1::FORUM_LABOUR_AGENCY);
  EXPECT_EQ(claim.claimed().currency_code(), "USD");
  EXPECT_EQ(claim.claimed().amount_minor(), 340000);
  EXPECT_EQ(claim.filing_deadline(), "2026-12-15");
  EXPECT_EQ(claim.docket_number(), "WHD-2026-1");
  auto bare = Parse("claims create countries/MX/cases/c2 type=housing forum=programme-liaison "
                    "claimed=CAD:0");
  ASSERT_TRUE(bare.ok()) << bare.status();
  EXPECT_TRUE(bare->As<wv1::CreateLabourClaimRequest>().claim().employment().empty());
  EXPECT_EQ(bare->As<wv1::CreateLabourClaimRequest>().claim().forum(),
            wv1::FORUM_PROGRAMME_LIAISON);

  const std::string none = ErrorOf("claim create c1");
  for (const char* needed : {"needs type=", "needs forum=", "needs claimed=CUR:AMOUNT"}) {
    EXPECT_TRUE(absl::StrContains(none, needed)) << needed << ": " << none;
  }
  EXPECT_TRUE(absl::StrContains(
      ErrorOf("claim create c1 type=stolen forum=court claimed=USD:1"), "type: unknown value"));
}

TEST(WorkersCommandsTest, ClaimAdvanceVerifyShow) {
  auto a = Parse("claim advance k1 documented");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->rpc, Rpc::kAdvanceLabourClaim);
  const auto& ar = a->As<wv1::AdvanceLabourClaimRequest>();
  EXPECT_EQ(ar.name(), "countries/MX/labourClaims/k1");
  EXPECT_EQ(ar.to(), wv1::CLAIM_STATUS_DOCUMENTED);
  EXPECT_TRUE(ar.etag().empty());  // read first by the runner
  EXPECT_FALSE(ar.has_recovered());

  auto r = Parse("claim advance countries/MX/labourClaims/k1 recovered recovered=USD:3400 etag=e7");
  ASSERT_TRUE(r.ok()) << r.status();
  const auto& rr = r->As<wv1::AdvanceLabourClaimRequest>();
  EXPECT_EQ(rr.to(), wv1::CLAIM_STATUS_RECOVERED);
  EXPECT_EQ(rr.recovered().amount_minor(), 340000);
  EXPECT_EQ(rr.etag(), "e7");
  EXPECT_EQ(Parse("claim advance k1 partial recovered=USD:1500.50")
                ->As<wv1::AdvanceLabourClaimRequest>()
                .to(),
            wv1::CLAIM_STATUS_PARTIAL);

  EXPECT_TRUE(absl::StrContains(ErrorOf("claim advance k1 recovered"),
                                "needs recovered=CUR:AMOUNT"));
  EXPECT_TRUE(absl::StrContains(ErrorOf("claim advance k1 filed recovered=USD:1"),
                                "recovered= goes with recovered or partial only"));
  EXPECT_TRUE(absl::StrContains(ErrorOf("claim advance k1 paid"), "status: unknown value \"paid\""));
  EXPECT_TRUE(absl::StrContains(ErrorOf("claim advance k1"), "needs NAME STATUS"));

  auto v = Parse("claim verify k1");
  ASSERT_TRUE(v.ok()) << v.status();
  EXPECT_EQ(v->rpc, Rpc::kVerifyLabourClaim);
  EXPECT_EQ(v->As<wv1::VerifyLabourClaimRequest>().name(), "countries/MX/labourClaims/k1");
  for (const char* line : {"claim show k1", "claim get k1", "labour-claim show k1"}) {
    auto s = Parse(line);
    ASSERT_TRUE(s.ok()) << line << ": " << s.status();
    EXPECT_EQ(s->rpc, Rpc::kGetLabourClaim);
    EXPECT_EQ(s->As<wv1::GetLabourClaimRequest>().name(), "countries/MX/labourClaims/k1");
  }
}

TEST(WorkersCommandsTest, DeadlinesCountsOutreach) {
  auto d = Parse("claim deadlines");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->rpc, Rpc::kListClaimDeadlines);
  EXPECT_EQ(d->As<wv1::ListClaimDeadlinesRequest>().parent(), "countries/MX");
  EXPECT_EQ(d->As<wv1::ListClaimDeadlinesRequest>().within_days(), 30);
  auto d2 = Parse("claim deadlines within=90 post=mx-tor");
  ASSERT_TRUE(d2.ok()) << d2.status();
  EXPECT_EQ(d2->As<wv1::ListClaimDeadlinesRequest>().within_days(), 90);
  EXPECT_EQ(d2->As<wv1::ListClaimDeadlinesRequest>().post(), "MX-TOR");
  EXPECT_TRUE(absl::StrContains(ErrorOf("claim deadlines within=0"), "1-366"));
  EXPECT_TRUE(absl::StrContains(ErrorOf("claim deadlines within=soon"), "1-366"));

  auto e = Parse("employer counts LMIA-7712345");
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->rpc, Rpc::kGetEmployerCounts);
  EXPECT_EQ(e->As<wv1::GetEmployerCountsRequest>().employer_registry_id(), "LMIA-7712345");
  EXPECT_TRUE(e->As<wv1::GetEmployerCountsRequest>().recruiter_licence().empty());
  auto r = Parse("recruiter counts RECL-0042");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rpc, Rpc::kGetRecruiterCounts);
  EXPECT_EQ(r->As<wv1::GetEmployerCountsRequest>().recruiter_licence(), "RECL-0042");
  EXPECT_TRUE(absl::StrContains(ErrorOf("employer counts"), "needs exactly one REGISTRY_ID"));

  auto o = Parse(
      "outreach create post=mx-atl date=2026-08-31 kind=labor-rights-week area=us-ga "
      "partners=US|DOL|Wage|and|Hour|Division,OSHA attendees=180 cases=4 request_id=lrw-1");
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->rpc, Rpc::kCreateOutreachEvent);
  const auto& oreq = o->As<wv1::CreateOutreachEventRequest>();
  EXPECT_EQ(oreq.parent(), "countries/MX");
  EXPECT_EQ(oreq.request_id(), "lrw-1");
  const wv1::OutreachEvent& ev = oreq.event();
  EXPECT_EQ(ev.post(), "MX-ATL");
  EXPECT_EQ(ev.date(), "2026-08-31");
  EXPECT_EQ(ev.kind(), wv1::OUTREACH_KIND_LABOR_RIGHTS_WEEK);
  EXPECT_EQ(ev.area(), "US-GA");
  ASSERT_EQ(ev.partner_agencies_size(), 2);
  EXPECT_EQ(ev.partner_agencies(0), "US DOL Wage and Hour Division");
  EXPECT_EQ(ev.partner_agencies(1), "OSHA");
  EXPECT_EQ(ev.attendees(), 180);
  EXPECT_EQ(ev.cases_identified(), 4);
  // The date defaults to today (UTC).
  EXPECT_EQ(Parse("outreach create kind=workshop attendees=10 cases=0")
                ->As<wv1::CreateOutreachEventRequest>()
                .event()
                .date(),
            "2026-05-28");
  EXPECT_TRUE(absl::StrContains(ErrorOf("outreach create attendees=10"), "needs kind="));
  EXPECT_TRUE(absl::StrContains(ErrorOf("outreach create kind=workshop attendees=many"),
                                "attendees: \"many\" is not a number"));

  auto l = Parse("outreach list post=mx-atl from=2026-08-29 to=2026-09-04");
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(l->rpc, Rpc::kListOutreachEvents);
  const auto& lr = l->As<wv1::ListOutreachEventsRequest>();
  EXPECT_EQ(lr.parent(), "countries/MX");
  EXPECT_EQ(lr.post(), "MX-ATL");
  EXPECT_EQ(lr.start_date(), "2026-08-29");
  EXPECT_EQ(lr.end_date(), "2026-09-04");
  EXPECT_TRUE(absl::StrContains(ErrorOf("outreach list from=2026-08-29"), "needs from="));
}

TEST(WorkersCommandsTest, ResourcesPrintAmountsAsTyped) {
  wv1::LabourClaim c;
  c.set_name("countries/MX/labourClaims/k1");
  c.set_status(wv1::CLAIM_STATUS_PARTIAL);
  *c.mutable_claimed() = Money("USD", 340000);
  *c.mutable_recovered() = Money("USD", 150050);
  const std::string text = FormatFields(c);
  EXPECT_TRUE(absl::StrContains(text, "claimed:")) << text;
  EXPECT_TRUE(absl::StrContains(text, "USD:3400.00")) << text;
  EXPECT_TRUE(absl::StrContains(text, "USD:1500.50")) << text;
  EXPECT_TRUE(absl::StrContains(text, "partial")) << text;
  EXPECT_FALSE(absl::StrContains(text, "amount_minor")) << text;

  wv1::Employment e;
  auto* d = e.mutable_contract()->add_deductions();
  d->set_type(wv1::DEDUCTION_TYPE_HOUSING);
  *d->mutable_amount() = Money("CAD", 7500);
  *e.mutable_contract()->mutable_wage() = Money("CAD", 1655);
  const std::string et = FormatFields(e);
  EXPECT_TRUE(absl::StrContains(et, "contract.wage:")) << et;
  EXPECT_TRUE(absl::StrContains(et, "CAD:16.55")) << et;
  EXPECT_TRUE(absl::StrContains(et, "contract.deductions[0].amount:")) << et;
  EXPECT_TRUE(absl::StrContains(et, "CAD:75.00")) << et;
}

TEST(WorkersCommandsTest, Tables) {
  wv1::ListEmploymentsResponse list;
  wv1::Employment* e = list.add_employments();
  e->set_name("countries/MX/employments/e1");
  e->set_programme(wv1::PROGRAMME_US_H2A);
  e->set_post("MX-ATL");
  e->set_permit_number("H2A-SECRET-1");
  e->mutable_employer()->set_name("Vidalia Onion Farms LLC");
  e->mutable_employer()->set_registry_id("H-300-26012-123456");
  e->mutable_employer()->set_worksite_area("US-GA");
  e->mutable_contract()->set_start_date("2026-04-01");
  *e->mutable_contract()->mutable_wage() = Money("USD", 1527);
  e->mutable_contract()->set_wage_unit(wv1::WAGE_UNIT_HOUR);
  const std::string et = EmploymentsTable(list);
  const std::vector<std::string> lines = absl::StrSplit(et, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << et;
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(lines[0], ' ', absl::SkipEmpty())),
            (std::vector<std::string>{"NAME", "PROGRAMME", "POST", "EMPLOYER_ID", "AREA", "START",
                                      "END", "WAGE", "EMPLOYER"}));
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(lines[1], ' ', absl::SkipEmpty())),
            (std::vector<std::string>{"countries/MX/employments/e1", "us_h2a", "MX-ATL",
                                      "H-300-26012-123456", "US-GA", "2026-04-01", "-",
                                      "USD:15.27/hour", "Vidalia", "Onion", "Farms", "LLC"}));
  EXPECT_FALSE(absl::StrContains(et, "SECRET")) << et;

  wv1::ListClaimDeadlinesResponse deadlines;
  for (int days : {-2, 5}) {
    wv1::ClaimDeadline* d = deadlines.add_deadlines();
    d->set_claim("countries/MX/labourClaims/k" + std::to_string(days + 10));
    d->set_case_("countries/MX/cases/c1");
    d->set_post("MX-TOR");
    d->set_type(wv1::CLAIM_TYPE_HOUSING);
    d->set_status(wv1::CLAIM_STATUS_INTAKE);
    d->set_filing_deadline(days < 0 ? "2026-05-26" : "2026-06-02");
    d->set_days_left(days);
  }
  const std::string dt = ClaimDeadlinesTable(deadlines);
  const std::vector<std::string> dl = absl::StrSplit(dt, '\n', absl::SkipEmpty());
  ASSERT_EQ(dl.size(), 3u) << dt;
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(dl[1], ' ', absl::SkipEmpty())),
            (std::vector<std::string>{"-2", "2026-05-26", "housing", "intake", "MX-TOR",
                                      "countries/MX/cases/c1", "countries/MX/labourClaims/k8"}));

  wv1::EmployerCounts counts;
  counts.set_kind(wv1::SUBJECT_KIND_EMPLOYER);
  counts.set_subject_id("LMIA-7712345");
  auto* mx = counts.add_reports();
  mx->set_member("MX");
  mx->set_revision(3);
  auto* mxc = mx->add_counts();
  mxc->set_type(wv1::CLAIM_TYPE_UNPAID_WAGES);
  mxc->set_count(2);
  auto* gt = counts.add_reports();
  gt->set_member("GT");
  gt->set_revision(1);
  auto* gtc = gt->add_counts();
  gtc->set_type(wv1::CLAIM_TYPE_HOUSING);
  gtc->set_count(1);
  auto* t1 = counts.add_totals();
  t1->set_type(wv1::CLAIM_TYPE_UNPAID_WAGES);
  t1->set_count(2);
  auto* t2 = counts.add_totals();
  t2->set_type(wv1::CLAIM_TYPE_HOUSING);
  t2->set_count(1);
  const std::string ct = EmployerCountsText(counts);
  const std::vector<std::string> cl = absl::StrSplit(ct, '\n', absl::SkipEmpty());
  ASSERT_GE(cl.size(), 4u) << ct;
  EXPECT_EQ(cl[0], "employer LMIA-7712345: 3 verified claims (members: MX, GT)");
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(cl[1], ' ', absl::SkipEmpty())),
            (std::vector<std::string>{"TYPE", "TOTAL", "MX", "GT"}));
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(cl[2], ' ', absl::SkipEmpty())),
            (std::vector<std::string>{"unpaid_wages", "2", "2", "-"}));
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(cl[3], ' ', absl::SkipEmpty())),
            (std::vector<std::string>{"housing", "1", "-", "1"}));
  EXPECT_TRUE(absl::StrContains(ct, "MEMBER")) << ct;
  wv1::EmployerCounts empty;
  empty.set_kind(wv1::SUBJECT_KIND_RECRUITER);
  empty.set_subject_id("RECL-1");
  EXPECT_EQ(EmployerCountsText(empty), "recruiter RECL-1: 0 verified claims\n");

  wv1::ListOutreachEventsResponse events;
  wv1::OutreachEvent* ev = events.add_events();
  ev->set_name("countries/MX/outreachEvents/o1");
  ev->set_date("2026-08-31");
  ev->set_kind(wv1::OUTREACH_KIND_LABOR_RIGHTS_WEEK);
  ev->set_post("MX-ATL");
  ev->set_area("US-GA");
  ev->add_partner_agencies("US DOL Wage and Hour Division");
  ev->add_partner_agencies("OSHA");
  ev->set_attendees(180);
  ev->set_cases_identified(4);
  events.set_event_count(1);
  events.set_attendees(180);
  events.set_cases_identified(4);
  const std::string ot = OutreachEventsText(events);
  const std::vector<std::string> ol = absl::StrSplit(ot, '\n', absl::SkipEmpty());
  ASSERT_EQ(ol.size(), 3u) << ot;
  EXPECT_TRUE(absl::EndsWith(ol[1], "US DOL Wage and Hour Division; OSHA")) << ot;
  EXPECT_EQ(ol[2], "total: 1 event, 180 attendees, 4 cases identified");
}

TEST(WorkersCommandsTest, HelpListsTheCommandsAndValues) {
  const std::string h = HelpText();
  for (const char* s :
       {"employment create", "employment show", "employment list", "claim create", "claim show",
        "claim advance", "claim verify", "claim deadlines", "employer counts", "recruiter counts",
        "outreach create", "outreach list", "programme: us_h2a, us_h2b, ca_sawp",
        "claim type: unpaid_wages, recruitment_fees", "claim status: intake, documented, filed",
        "forum: labour_agency", "outreach kind: labor_rights_week", "wage unit: hour, day"}) {
    EXPECT_TRUE(absl::StrContains(h, s)) << s;
  }
  EXPECT_LT(h.find("outreach list"), h.find("\n  help\n"));
}

}  // namespace
}  // namespace enlace::cli
