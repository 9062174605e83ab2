// Temporary workers on one node over real gRPC: an H-2A worker's contract and unpaid-wages
// claim through every status step and refusal, the roles and posts that may not touch them,
// bad input, the filing-deadline warning, a post's Labor Rights Week totals, verification
// into the employer's counts, and the sealed fields absent from the store.
#include <map>
#include <memory>
#include <set>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/storage/store.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "enlace/workers/v1/workers.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/node/node.h"
#include "tests/testing/test_env.h"

namespace enlace {
namespace {

namespace wv1 = ::enlace::workers::v1;
namespace cv1 = ::enlace::cases::v1;

constexpr char kSupervisor[] = "spiffe://mx.enlace.example/role/supervisor/user/jefa";
constexpr char kOfficer[] = "spiffe://mx.enlace.example/role/officer/post/MX-CHI/user/laboral";
constexpr char kOtherPost[] = "spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/consul";
constexpr char kPermit[] = "H2A-PERMISO-7781234";
constexpr char kDocket[] = "WHD-EXPEDIENTE-2026-55501";
constexpr char kEmployer[] = "H-300-26012-123456";
constexpr char kRecruiter[] = "RECL-0042";

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return ctx;
}

wv1::Money Money(const std::string& currency, int64_t minor) {
  wv1::Money m;
  m.set_currency_code(currency);
  m.set_amount_minor(minor);
  return m;
}

std::string Day(int days_from_today) {
  return absl::FormatCivilTime(absl::ToCivilDay(absl::Now(), absl::UTCTimeZone()) +
                               days_from_today);
}

class WorkersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("workers");
    auto pki = testing::TestPki::Create(dir_, "MX");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<testing::TestPki>(*pki);
    config_ = testing::TestNodeConfig(dir_, "MX");
    auto node = node::Node::Start(config_);
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = *std::move(node);
  }
  void TearDown() override {
    if (node_ != nullptr) EXPECT_TRUE(node_->Shutdown(absl::Seconds(5)).ok());
  }

  std::shared_ptr<grpc::Channel> Channel(const std::string& who) {
    auto cert = pki_->Client(who);
    return testing::MakeChannel(node_->api_port(), pki_->ca(), &*cert);
  }
  std::unique_ptr<wv1::TemporaryWorkersService::Stub> Workers(const std::string& who) {
    return wv1::TemporaryWorkersService::NewStub(Channel(who));
  }

  // A worker with a case at MX-CHI of `category`; sets person_ and returns the case name.
  std::string CaseOf(cv1::Category category, cv1::Subtype subtype) {
    auto persons = cv1::PersonService::NewStub(Channel(kSupervisor));
    auto cases = cv1::CaseService::NewStub(Channel(kSupervisor));
    if (person_.empty()) {
      cv1::CreatePersonRequest cp;
      cp.set_parent("countries/MX");
      auto* p = cp.mutable_person();
      p->set_given_names("Juan Carlos");
      p->set_family_names("Ramírez Tzompa");
      p->set_sex(cv1::SEX_MALE);
      p->set_birth_date("1991-03-12");
      p->add_nationalities("MX");
      p->set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
      cv1::Person person;
      EXPECT_TRUE(persons->CreatePerson(Ctx().get(), cp, &person).ok());
      person_ = person.name();
    }
    cv1::CreateCaseRequest cc;
    cc.set_parent("countries/MX");
    auto* c = cc.mutable_case_();
    c->set_person(person_);
    c->set_post("MX-CHI");
    c->set_host_country("US");
    c->set_place("Kankakee, Illinois");
    c->set_category(category);
    c->set_subtype(subtype);
    c->set_legal_basis(cv1::LEGAL_BASIS_VITAL_INTEREST);
    cv1::Case out;
    grpc::Status s = cases->CreateCase(Ctx().get(), cc, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.name();
  }
  std::string LabourCase() { return CaseOf(cv1::CATEGORY_LABOUR, cv1::SUBTYPE_UNPAID_WAGES); }

  wv1::CreateEmploymentRequest Contract() {
    wv1::CreateEmploymentRequest req;
    req.set_parent("countries/MX");
    auto* e = req.mutable_employment();
    e->set_person(person_);
    e->set_programme(wv1::PROGRAMME_US_H2A);
    e->set_permit_number(kPermit);
    e->mutable_employer()->set_name("Prairie Sweet Corn LLC");
    e->mutable_employer()->set_registry_id(kEmployer);
    e->mutable_employer()->set_worksite_area("US-IL");
    e->mutable_recruiter()->set_name("Reclutamiento del Bajío");
    e->mutable_recruiter()->set_licence(kRecruiter);
    *e->mutable_recruiter()->mutable_fees_paid() = Money("MXN", 1500000);
    auto* c = e->mutable_contract();
    c->set_start_date("2026-05-01");
    c->set_end_date("2026-10-31");
    c->set_promised_hours_per_week(40);
    *c->mutable_wage() = Money("USD", 1700);
    c->set_wage_unit(wv1::WAGE_UNIT_HOUR);
    c->set_housing_provided(true);
    auto* d = c->add_deductions();
    d->set_type(wv1::DEDUCTION_TYPE_TRANSPORT);
    *d->mutable_amount() = Money("USD", 4500);
    return req;
  }

  static wv1::CreateLabourClaimRequest Claim(const std::string& kase,
                                             const std::string& employment = "",
                                             const std::string& deadline = "") {
    wv1::CreateLabourClaimRequest req;
    req.set_parent("countries/MX");
    auto* c = req.mutable_claim();
    c->set_case_(kase);
    c->set_employment(employment);
    c->set_type(wv1::CLAIM_TYPE_UNPAID_WAGES);
    c->set_forum(wv1::FORUM_LABOUR_AGENCY);
    *c->mutable_claimed() = Money("USD", 420000);
    c->set_filing_deadline(deadline);
    c->set_docket_number(kDocket);
    return req;
  }

  std::string dir_;
  std::unique_ptr<testing::TestPki> pki_;
  enlace::node::v1::NodeConfig config_;
  std::unique_ptr<node::Node> node_;
  std::string person_;
};

TEST_F(WorkersTest, ContractAndClaimThroughEveryStepAndRefusal) {
  const std::string kase = LabourCase();
  auto officer = Workers(kOfficer);
  auto sup = Workers(kSupervisor);
  auto lax = Workers(kOtherPost);

  // The contract, by the officer of the worker's post.
  wv1::Employment employment;
  ASSERT_TRUE(officer->CreateEmployment(Ctx().get(), Contract(), &employment).ok());
  EXPECT_EQ(employment.post(), "MX-CHI");
  EXPECT_EQ(employment.permit_number(), kPermit);
  // Bad input names the fields and writes nothing.
  auto bad = Contract();
  bad.mutable_employment()->mutable_contract()->mutable_wage()->set_currency_code("DLS");
  bad.mutable_employment()->mutable_employer()->set_worksite_area("Illinois");
  wv1::Employment out;
  grpc::Status s = officer->CreateEmployment(Ctx().get(), bad, &out);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("employment.contract.wage.currency_code"), std::string::npos);
  EXPECT_NE(s.error_message().find("employment.employer.worksite_area"), std::string::npos);
  // Another post's officer neither writes nor reads this worker's contract.
  EXPECT_EQ(lax->CreateEmployment(Ctx().get(), Contract(), &out).error_code(),
            grpc::PERMISSION_DENIED);
  wv1::GetEmploymentRequest ge;
  ge.set_name(employment.name());
  EXPECT_EQ(lax->GetEmployment(Ctx().get(), ge, &out).error_code(), grpc::PERMISSION_DENIED);
  for (const char* role : {"operator", "auditor", "secretariat"}) {
    const std::string who = absl::StrCat("spiffe://mx.enlace.example/role/", role, "/user/x");
    EXPECT_EQ(Workers(who)->GetEmployment(Ctx().get(), ge, &out).error_code(),
              grpc::PERMISSION_DENIED)
        << role;
  }
  wv1::ListEmploymentsRequest le;
  le.set_person(person_);
  wv1::ListEmploymentsResponse listed;
  ASSERT_TRUE(sup->ListEmployments(Ctx().get(), le, &listed).ok());
  ASSERT_EQ(listed.employments_size(), 1);
  EXPECT_EQ(listed.employments(0).name(), employment.name());

  // A claim goes on a labour case only.
  const std::string migration = CaseOf(cv1::CATEGORY_MIGRATION, cv1::SUBTYPE_DEPORTATION);
  wv1::LabourClaim claim;
  EXPECT_EQ(officer->CreateLabourClaim(Ctx().get(), Claim(migration), &claim).error_code(),
            grpc::FAILED_PRECONDITION);
  auto bad_claim = Claim(kase, employment.name(), "2026-02-30");
  *bad_claim.mutable_claim()->mutable_claimed() = Money("USD", -5);
  s = officer->CreateLabourClaim(Ctx().get(), bad_claim, &claim);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("claim.filing_deadline"), std::string::npos);
  EXPECT_NE(s.error_message().find("claim.claimed.amount_minor"), std::string::npos);
  EXPECT_EQ(lax->CreateLabourClaim(Ctx().get(), Claim(kase), &claim).error_code(),
            grpc::PERMISSION_DENIED);
  ASSERT_TRUE(
      officer->CreateLabourClaim(Ctx().get(), Claim(kase, employment.name()), &claim).ok());
  EXPECT_EQ(claim.status(), wv1::CLAIM_STATUS_INTAKE);
  EXPECT_EQ(claim.post(), "MX-CHI");
  EXPECT_EQ(claim.employer_registry_id(), kEmployer);
  EXPECT_EQ(claim.recruiter_licence(), kRecruiter);

  auto step = [&](wv1::TemporaryWorkersService::Stub& stub, wv1::ClaimStatus to,
                  const wv1::Money* recovered = nullptr) {
    wv1::AdvanceLabourClaimRequest req;
    req.set_name(claim.name());
    req.set_etag(claim.etag());
    req.set_to(to);
    if (recovered != nullptr) *req.mutable_recovered() = *recovered;
    wv1::LabourClaim o;
    grpc::Status st = stub.AdvanceLabourClaim(Ctx().get(), req, &o);
    if (st.ok()) claim = o;
    return st.error_code();
  };
  // Not filed before it is documented; a stale etag; another post.
  EXPECT_EQ(step(*officer, wv1::CLAIM_STATUS_FILED), grpc::FAILED_PRECONDITION);
  wv1::AdvanceLabourClaimRequest stale;
  stale.set_name(claim.name());
  stale.set_etag("1");
  stale.set_to(wv1::CLAIM_STATUS_DOCUMENTED);
  wv1::LabourClaim ignored;
  EXPECT_EQ(officer->AdvanceLabourClaim(Ctx().get(), stale, &ignored).error_code(),
            grpc::ABORTED);
  EXPECT_EQ(step(*lax, wv1::CLAIM_STATUS_DOCUMENTED), grpc::PERMISSION_DENIED);
  // Verification needs a documented claim, and a supervisor.
  wv1::VerifyLabourClaimRequest verify;
  verify.set_name(claim.name());
  verify.set_etag(claim.etag());
  EXPECT_EQ(sup->VerifyLabourClaim(Ctx().get(), verify, &ignored).error_code(),
            grpc::FAILED_PRECONDITION);
  EXPECT_EQ(step(*officer, wv1::CLAIM_STATUS_DOCUMENTED), grpc::OK);
  EXPECT_EQ(step(*officer, wv1::CLAIM_STATUS_FILED), grpc::OK);
  EXPECT_EQ(step(*officer, wv1::CLAIM_STATUS_DOCUMENTED), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(step(*officer, wv1::CLAIM_STATUS_MEDIATION), grpc::OK);
  // A recovery carries its amount, in the claimed currency.
  EXPECT_EQ(step(*officer, wv1::CLAIM_STATUS_PARTIAL), grpc::INVALID_ARGUMENT);
  const wv1::Money pesos = Money("MXN", 100000);
  EXPECT_EQ(step(*officer, wv1::CLAIM_STATUS_PARTIAL, &pesos), grpc::INVALID_ARGUMENT);
  const wv1::Money part = Money("USD", 150000);
  EXPECT_EQ(step(*officer, wv1::CLAIM_STATUS_PARTIAL, &part), grpc::OK);
  EXPECT_EQ(claim.recovered().amount_minor(), 150000);
  const wv1::Money less = Money("USD", 100000);
  EXPECT_EQ(step(*officer, wv1::CLAIM_STATUS_RECOVERED, &less), grpc::INVALID_ARGUMENT);
  const wv1::Money all = Money("USD", 420000);
  EXPECT_EQ(step(*sup, wv1::CLAIM_STATUS_RECOVERED, &all), grpc::OK);
  EXPECT_EQ(step(*officer, wv1::CLAIM_STATUS_WITHDRAWN), grpc::FAILED_PRECONDITION);
  EXPECT_EQ(step(*officer, wv1::CLAIM_STATUS_LITIGATION), grpc::FAILED_PRECONDITION);

  // Verified by a supervisor (an officer is refused by the policy), once.
  verify.set_etag(claim.etag());
  EXPECT_EQ(officer->VerifyLabourClaim(Ctx().get(), verify, &ignored).error_code(),
            grpc::PERMISSION_DENIED);
  ASSERT_TRUE(sup->VerifyLabourClaim(Ctx().get(), verify, &claim).ok());
  EXPECT_TRUE(claim.verified());
  EXPECT_EQ(claim.verified_by(), kSupervisor);
  verify.set_etag(claim.etag());
  EXPECT_EQ(sup->VerifyLabourClaim(Ctx().get(), verify, &ignored).error_code(),
            grpc::FAILED_PRECONDITION);
  // The employer's and the recruiter's counts: this member's, by type.
  wv1::GetEmployerCountsRequest gc;
  gc.set_employer_registry_id(kEmployer);
  wv1::EmployerCounts counts;
  ASSERT_TRUE(officer->GetEmployerCounts(Ctx().get(), gc, &counts).ok());
  ASSERT_EQ(counts.reports_size(), 1);
  EXPECT_EQ(counts.reports(0).member(), "MX");
  ASSERT_EQ(counts.totals_size(), 1);
  EXPECT_EQ(counts.totals(0).type(), wv1::CLAIM_TYPE_UNPAID_WAGES);
  EXPECT_EQ(counts.totals(0).count(), 1);
  gc.clear_employer_registry_id();
  gc.set_recruiter_licence(kRecruiter);
  ASSERT_TRUE(officer->GetEmployerCounts(Ctx().get(), gc, &counts).ok());
  ASSERT_EQ(counts.totals_size(), 1);
  EXPECT_EQ(counts.totals(0).count(), 1);
  gc.set_employer_registry_id(kEmployer);  // both: which one?
  EXPECT_EQ(officer->GetEmployerCounts(Ctx().get(), gc, &counts).error_code(),
            grpc::INVALID_ARGUMENT);

  // A second claim, withdrawn from intake, is never verified.
  wv1::LabourClaim second;
  ASSERT_TRUE(officer->CreateLabourClaim(Ctx().get(), Claim(kase, employment.name()), &second).ok());
  claim = second;
  EXPECT_EQ(step(*officer, wv1::CLAIM_STATUS_WITHDRAWN), grpc::OK);
  verify.set_name(claim.name());
  verify.set_etag(claim.etag());
  EXPECT_EQ(sup->VerifyLabourClaim(Ctx().get(), verify, &ignored).error_code(),
            grpc::FAILED_PRECONDITION);
  wv1::GetLabourClaimRequest gl;
  gl.set_name(claim.name());
  EXPECT_EQ(lax->GetLabourClaim(Ctx().get(), gl, &ignored).error_code(), grpc::PERMISSION_DENIED);
  ASSERT_TRUE(officer->GetLabourClaim(Ctx().get(), gl, &ignored).ok());
  EXPECT_EQ(ignored.docket_number(), kDocket);

  // Nothing personal in clear anywhere in the store.
  ASSERT_TRUE(node_->Shutdown(absl::Seconds(5)).ok());
  node_.reset();
  const std::string tree = testing::ReadTree(config_.data_dir());
  for (const char* secret : {kPermit, kDocket}) {
    EXPECT_EQ(tree.find(secret), std::string::npos) << secret << " stored in clear";
  }
  // The facts stay readable for scoping and statistics.
  EXPECT_NE(tree.find(kEmployer), std::string::npos);
  // The monthly statistics moved with each commit: two unpaid-wages claims opened this month,
  // one recovered and one withdrawn, USD 4,200.00 recovered.
  auto store = storage::Store::Open(node::NodeStoreOptions(config_.data_dir()));
  ASSERT_TRUE(store.ok()) << store.status();
  const storage::ColumnFamily* stats = (*store)->cf("workers_counts");
  const std::string month =
      absl::FormatCivilTime(absl::ToCivilMonth(absl::Now(), absl::UTCTimeZone()));
  auto counter = [&](const std::string& key) { return *(*store)->GetCounter(stats, key); };
  EXPECT_EQ(counter(absl::StrCat("M|", month, "|01|07")), 1);  // recovered
  EXPECT_EQ(counter(absl::StrCat("M|", month, "|01|10")), 1);  // withdrawn
  EXPECT_EQ(counter(absl::StrCat("M|", month, "|01|01")), 0);  // none left in intake
  EXPECT_EQ(counter(absl::StrCat("R|", month, "|USD")), 420000);
}

TEST_F(WorkersTest, ErasureReachesContractsAndClaims) {
  const std::string kase = LabourCase();
  auto sup = Workers(kSupervisor);
  auto contract = Contract();
  contract.mutable_employment()->set_post("MX-CHI");
  wv1::Employment employment;
  ASSERT_TRUE(sup->CreateEmployment(Ctx().get(), contract, &employment).ok());
  wv1::LabourClaim claim;
  ASSERT_TRUE(sup->CreateLabourClaim(Ctx().get(), Claim(kase, employment.name()), &claim).ok());
  cv1::ErasePersonRequest erase;
  erase.set_name(person_);
  erase.set_reason("Solicitud de supresión del titular, oficio 77/2026");
  cv1::ErasePersonResponse erased;
  ASSERT_TRUE(cv1::PersonService::NewStub(Channel(kSupervisor))
                  ->ErasePerson(Ctx().get(), erase, &erased)
                  .ok());
  // The facts stay (statistics, the employer's history); the permit and docket are gone.
  wv1::GetEmploymentRequest ge;
  ge.set_name(employment.name());
  wv1::Employment e;
  ASSERT_TRUE(sup->GetEmployment(Ctx().get(), ge, &e).ok());
  EXPECT_TRUE(e.permit_number().empty());
  EXPECT_EQ(e.employer().registry_id(), kEmployer);
  wv1::GetLabourClaimRequest gl;
  gl.set_name(claim.name());
  wv1::LabourClaim c;
  ASSERT_TRUE(sup->GetLabourClaim(Ctx().get(), gl, &c).ok());
  EXPECT_TRUE(c.docket_number().empty());
  EXPECT_EQ(c.type(), wv1::CLAIM_TYPE_UNPAID_WAGES);
  // A later step never brings the key back.
  wv1::AdvanceLabourClaimRequest adv;
  adv.set_name(c.name());
  adv.set_etag(c.etag());
  adv.set_to(wv1::CLAIM_STATUS_WITHDRAWN);
  ASSERT_TRUE(sup->AdvanceLabourClaim(Ctx().get(), adv, &c).ok());
  ASSERT_TRUE(sup->GetLabourClaim(Ctx().get(), gl, &c).ok());
  EXPECT_TRUE(c.docket_number().empty());
  EXPECT_EQ(c.status(), wv1::CLAIM_STATUS_WITHDRAWN);
}

TEST_F(WorkersTest, DeadlinesWarnBeforeTheyPass) {
  const std::string kase = LabourCase();
  auto officer = Workers(kOfficer);
  auto sup = Workers(kSupervisor);
  std::map<int, std::string> by_offset;
  for (int offset : {-2, 5, 40, 3}) {
    wv1::LabourClaim c;
    ASSERT_TRUE(officer->CreateLabourClaim(Ctx().get(), Claim(kase, "", Day(offset)), &c).ok());
    by_offset[offset] = c.name();
    if (offset == 3) {
      // Once documented and filed, its deadline is met: no longer listed.
      for (auto to : {wv1::CLAIM_STATUS_DOCUMENTED, wv1::CLAIM_STATUS_FILED}) {
        wv1::AdvanceLabourClaimRequest req;
        req.set_name(c.name());
        req.set_etag(c.etag());
        req.set_to(to);
        ASSERT_TRUE(officer->AdvanceLabourClaim(Ctx().get(), req, &c).ok());
      }
    }
  }
  wv1::ListClaimDeadlinesRequest req;
  req.set_parent("countries/MX");
  req.set_within_days(30);
  wv1::ListClaimDeadlinesResponse out;
  ASSERT_TRUE(officer->ListClaimDeadlines(Ctx().get(), req, &out).ok());
  ASSERT_EQ(out.deadlines_size(), 2);
  // Soonest first: the one already passed, then the one in five days.
  EXPECT_EQ(out.deadlines(0).claim(), by_offset[-2]);
  EXPECT_LE(out.deadlines(0).days_left(), -2);
  EXPECT_EQ(out.deadlines(1).claim(), by_offset[5]);
  EXPECT_GE(out.deadlines(1).days_left(), 4);  // the test may cross midnight
  EXPECT_LE(out.deadlines(1).days_left(), 5);
  EXPECT_EQ(out.deadlines(1).type(), wv1::CLAIM_TYPE_UNPAID_WAGES);
  req.set_within_days(60);
  ASSERT_TRUE(sup->ListClaimDeadlines(Ctx().get(), req, &out).ok());
  EXPECT_EQ(out.deadlines_size(), 3);
  // Another post's officer sees none of them, and may not ask for that post.
  auto lax = Workers(kOtherPost);
  ASSERT_TRUE(lax->ListClaimDeadlines(Ctx().get(), req, &out).ok());
  EXPECT_EQ(out.deadlines_size(), 0);
  req.set_post("MX-CHI");
  EXPECT_EQ(lax->ListClaimDeadlines(Ctx().get(), req, &out).error_code(),
            grpc::PERMISSION_DENIED);
  req.set_within_days(0);
  EXPECT_EQ(sup->ListClaimDeadlines(Ctx().get(), req, &out).error_code(),
            grpc::INVALID_ARGUMENT);
}

TEST_F(WorkersTest, LaborRightsWeekTotals) {
  auto officer = Workers(kOfficer);
  auto sup = Workers(kSupervisor);
  auto event = [](const std::string& date, int attendees, int cases,
                  const std::string& request_id = "") {
    wv1::CreateOutreachEventRequest req;
    req.set_parent("countries/MX");
    req.set_request_id(request_id);
    auto* e = req.mutable_event();
    e->set_date(date);
    e->set_kind(wv1::OUTREACH_KIND_LABOR_RIGHTS_WEEK);
    e->set_area("US-IL");
    e->add_partner_agencies("US DOL Wage and Hour Division");
    e->add_partner_agencies("OSHA");
    e->set_attendees(attendees);
    e->set_cases_identified(cases);
    return req;
  };
  wv1::OutreachEvent first, again;
  ASSERT_TRUE(
      officer->CreateOutreachEvent(Ctx().get(), event("2026-08-31", 180, 4, "lrw-1"), &first)
          .ok());
  EXPECT_EQ(first.post(), "MX-CHI");
  // The same request twice is one event.
  ASSERT_TRUE(
      officer->CreateOutreachEvent(Ctx().get(), event("2026-08-31", 180, 4, "lrw-1"), &again)
          .ok());
  EXPECT_EQ(again.name(), first.name());
  ASSERT_TRUE(officer->CreateOutreachEvent(Ctx().get(), event("2026-09-02", 75, 2), &again).ok());
  ASSERT_TRUE(officer->CreateOutreachEvent(Ctx().get(), event("2026-09-20", 30, 0), &again).ok());
  // Bad input; an officer reports for its own post only.
  EXPECT_EQ(officer->CreateOutreachEvent(Ctx().get(), event("2026-09-03", 10, 11), &again)
                .error_code(),
            grpc::INVALID_ARGUMENT);
  auto elsewhere = event("2026-09-03", 10, 1);
  elsewhere.mutable_event()->set_post("MX-LAX");
  EXPECT_EQ(officer->CreateOutreachEvent(Ctx().get(), elsewhere, &again).error_code(),
            grpc::PERMISSION_DENIED);
  // The week, 29 August to 4 September.
  wv1::ListOutreachEventsRequest list;
  list.set_parent("countries/MX");
  list.set_start_date("2026-08-29");
  list.set_end_date("2026-09-04");
  wv1::ListOutreachEventsResponse week;
  ASSERT_TRUE(officer->ListOutreachEvents(Ctx().get(), list, &week).ok());
  EXPECT_EQ(week.event_count(), 2);
  EXPECT_EQ(week.attendees(), 255);
  EXPECT_EQ(week.cases_identified(), 6);
  // A supervisor names the post; another post's officer may not.
  EXPECT_EQ(sup->ListOutreachEvents(Ctx().get(), list, &week).error_code(),
            grpc::INVALID_ARGUMENT);
  list.set_post("MX-CHI");
  ASSERT_TRUE(sup->ListOutreachEvents(Ctx().get(), list, &week).ok());
  EXPECT_EQ(week.event_count(), 2);
  EXPECT_EQ(Workers(kOtherPost)->ListOutreachEvents(Ctx().get(), list, &week).error_code(),
            grpc::PERMISSION_DENIED);
  list.set_end_date("2026-08-01");
  EXPECT_EQ(sup->ListOutreachEvents(Ctx().get(), list, &week).error_code(),
            grpc::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace enlace
