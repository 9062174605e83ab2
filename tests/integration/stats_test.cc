// A node's monthly statistics over real gRPC: the counters move with the cases (opened in
// October, closed in November), a month's release adds up to what was done, every small cell
// is withheld with enough others that the totals do not give it away, the release holds no
// person, and only supervisors and the secretariat read it, for months that have ended.
#include <map>
#include <memory>
#include <string>

#include "absl/strings/str_cat.h"
#include "common/time/clock.h"
#include "common/time/proto_time.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "enlace/stats/v1/stats.grpc.pb.h"
#include "enlace/workers/v1/workers.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/node/node.h"
#include "services/secretariat/rules.h"
#include "tests/testing/test_env.h"

namespace enlace {
namespace {

namespace cv1 = ::enlace::cases::v1;
namespace sv1 = ::enlace::stats::v1;
namespace wv1 = ::enlace::workers::v1;

constexpr char kSupervisor[] = "spiffe://mx.enlace.example/role/supervisor/user/jefa";
constexpr char kSecretariat[] = "spiffe://mx.enlace.example/role/secretariat/user/crm";
constexpr char kOfficer[] = "spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/ana";

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return ctx;
}

absl::Time Day(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone()) + absl::Hours(15);
}

class StatsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("stats");
    auto pki = testing::TestPki::Create(dir_, "MX");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<testing::TestPki>(*pki);
    clock_file_ = dir_ + "/clock";
    ASSERT_TRUE(FileClock::Write(clock_file_, Day(2026, 10, 5)));
    config_ = testing::TestNodeConfig(dir_, "MX");
    config_.set_testing_clock_file(clock_file_);
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

  // A person (a child when `child`) and a case of `category` at `post`; returns the case.
  cv1::Case Open(const std::string& post, const std::string& host, cv1::Subtype subtype,
                 cv1::Sex sex, bool child,
                 const std::vector<cv1::Vulnerability>& vulnerabilities = {}) {
    auto ch = Channel(kSupervisor);
    cv1::CreatePersonRequest cp;
    cp.set_parent("countries/MX");
    auto* p = cp.mutable_person();
    p->set_given_names(absl::StrCat("Persona ", ++n_));
    p->set_family_names("Hernández Cruz");
    p->set_sex(sex);
    p->set_birth_date(child ? "2012-02-02" : "1988-06-30");
    p->add_nationalities("MX");
    p->set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
    for (cv1::Vulnerability v : vulnerabilities) p->add_vulnerabilities(v);
    cv1::Person person;
    EXPECT_TRUE(cv1::PersonService::NewStub(ch)->CreatePerson(Ctx().get(), cp, &person).ok());
    cv1::CreateCaseRequest cc;
    cc.set_parent("countries/MX");
    auto* c = cc.mutable_case_();
    c->set_person(person.name());
    c->set_post(post);
    c->set_host_country(host);
    c->set_place("Consulado");
    c->set_category(cases::CategoryOfSubtype(subtype));
    c->set_subtype(subtype);
    c->set_legal_basis(child ? cv1::LEGAL_BASIS_CHILD_BEST_INTEREST
                             : cv1::LEGAL_BASIS_VITAL_INTEREST);
    cv1::Case out;
    grpc::Status s = cv1::CaseService::NewStub(ch)->CreateCase(Ctx().get(), cc, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Release(const std::string& who, const std::string& month,
                       const std::string& measure, sv1::MonthlyRelease* out) {
    sv1::GetMonthlyReleaseRequest req;
    req.set_month(month);
    req.set_measure(measure);
    return sv1::StatsService::NewStub(Channel(who))->GetMonthlyRelease(Ctx().get(), req, out);
  }

  static const sv1::Table& TableOf(const sv1::MonthlyRelease& r, const std::string& dimension) {
    for (const auto& t : r.tables()) {
      if (t.dimension() == dimension) return t;
    }
    static const sv1::Table none;
    ADD_FAILURE() << "no table " << dimension;
    return none;
  }

  std::string dir_, clock_file_;
  std::unique_ptr<testing::TestPki> pki_;
  enlace::node::v1::NodeConfig config_;
  std::unique_ptr<node::Node> node_;
  int n_ = 0;
};

TEST_F(StatsTest, AMonthsReleaseAddsUpAndWithholdsWhatIsSmall) {
  // October at MX-LAX (US): 30 labour cases and 24 detentions; at MX-GUA (GT): 12 labour
  // cases and 3 detentions (a small cell); 2 unaccompanied children at MX-TAP.
  std::vector<cv1::Case> opened;
  auto open = [&](int n, const std::string& post, const std::string& host, cv1::Subtype st,
                  bool child = false) {
    for (int i = 0; i < n; ++i) {
      opened.push_back(Open(post, host, st, i % 2 ? cv1::SEX_MALE : cv1::SEX_FEMALE, child));
    }
  };
  open(30, "MX-LAX", "US", cv1::SUBTYPE_UNPAID_WAGES);
  open(24, "MX-LAX", "US", cv1::SUBTYPE_IMMIGRATION_DETENTION);
  open(12, "MX-GUA", "GT", cv1::SUBTYPE_UNPAID_WAGES);
  open(3, "MX-GUA", "GT", cv1::SUBTYPE_IMMIGRATION_DETENTION);
  open(2, "MX-TAP", "MX", cv1::SUBTYPE_IMMIGRATION_DETENTION, /*child=*/true);
  ASSERT_EQ(opened.size(), 71u);

  sv1::MonthlyRelease r;
  // October has not ended yet.
  EXPECT_EQ(Release(kSecretariat, "2026-10", "", &r).error_code(), grpc::INVALID_ARGUMENT);
  ASSERT_TRUE(FileClock::Write(clock_file_, Day(2026, 11, 3)));
  EXPECT_EQ(Release(kSecretariat, "2026-13", "", &r).error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(Release(kSecretariat, "2026-10", "people", &r).error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_EQ(Release(kOfficer, "2026-10", "", &r).error_code(), grpc::PERMISSION_DENIED);
  grpc::Status s = Release(kSecretariat, "2026-10", "", &r);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_FALSE(r.withheld());
  EXPECT_EQ(r.country(), "MX");
  EXPECT_EQ(r.grand_total().flag(), sv1::FLAG_PUBLISHED);
  EXPECT_EQ(r.grand_total().value(), 71);

  // By host country: the US row is published in full; GT's 3 detentions are withheld, and
  // so is at least one more cell of GT's row and of the migration column.
  const sv1::Table& host = TableOf(r, "host_country");
  ASSERT_FALSE(host.withheld());
  std::map<std::string, const sv1::Row*> rows;
  for (const auto& row : host.rows()) rows[row.key()] = &row;
  ASSERT_EQ(rows.count("US"), 1u);
  int labour = -1, migration = -1;
  for (int j = 0; j < r.columns_size(); ++j) {
    if (r.columns(j) == "CATEGORY_LABOUR") labour = j;
    if (r.columns(j) == "CATEGORY_MIGRATION") migration = j;
  }
  ASSERT_GE(labour, 0);
  ASSERT_GE(migration, 0);
  const sv1::Row& gt = *rows.at("GT");
  EXPECT_EQ(gt.cells(migration).flag(), sv1::FLAG_PRIMARY);
  EXPECT_EQ(gt.cells(migration).value(), 0);
  int withheld_in_gt_row = 0;
  for (int j = 0; j < gt.cells_size(); ++j) withheld_in_gt_row += gt.cells(j).flag() != sv1::FLAG_PUBLISHED;
  withheld_in_gt_row += gt.total().flag() != sv1::FLAG_PUBLISHED;
  EXPECT_GE(withheld_in_gt_row, 2) << "GT's 3 would be its row total minus the rest";
  // Every published number is true, and zero or at least its threshold.
  int64_t published_sum = 0;
  for (const auto& row : host.rows()) {
    for (const auto& cell : row.cells()) {
      if (cell.flag() == sv1::FLAG_PUBLISHED) {
        EXPECT_TRUE(cell.value() == 0 || cell.value() >= row.threshold()) << row.key();
        published_sum += cell.value();
      } else {
        EXPECT_EQ(cell.value(), 0) << "a withheld value shown";
      }
    }
  }
  EXPECT_LE(published_sum, 71);
  if (rows.at("US")->cells(labour).flag() == sv1::FLAG_PUBLISHED) {
    EXPECT_EQ(rows.at("US")->cells(labour).value(), 30);
  }
  // The two children: under the children's threshold of 10, never shown.
  const sv1::Table& age = TableOf(r, "age_group");
  for (const auto& row : age.rows()) {
    EXPECT_EQ(row.threshold(), 10);
    if (row.key() == "child") {
      for (const auto& cell : row.cells()) {
        EXPECT_TRUE(cell.flag() != sv1::FLAG_PUBLISHED || cell.value() == 0);
      }
      EXPECT_NE(row.total().flag(), sv1::FLAG_PUBLISHED);
    }
  }
  // Counts only: no person, no case.
  const std::string wire = r.SerializeAsString();
  for (const auto& c : opened) {
    EXPECT_EQ(wire.find(c.name()), std::string::npos);
    EXPECT_EQ(wire.find(c.person()), std::string::npos);
  }
  EXPECT_EQ(wire.find("Persona"), std::string::npos);
  EXPECT_EQ(wire.find("Hernández"), std::string::npos);

  // November: 20 of October's US labour cases close; they count in November's closures.
  auto cases = cv1::CaseService::NewStub(Channel(kSupervisor));
  for (int i = 0; i < 20; ++i) {
    cv1::CloseCaseRequest close;
    close.set_name(opened[i].name());
    close.set_etag(opened[i].etag());
    close.set_resolution(cv1::RESOLUTION_RESOLVED);
    cv1::Case closed;
    grpc::Status cs = cases->CloseCase(Ctx().get(), close, &closed);
    ASSERT_TRUE(cs.ok()) << cs.error_message();
  }
  ASSERT_TRUE(FileClock::Write(clock_file_, Day(2026, 12, 1)));
  sv1::MonthlyRelease closures;
  ASSERT_TRUE(Release(kSupervisor, "2026-11", "cases_closed", &closures).ok());
  ASSERT_FALSE(closures.withheld());
  EXPECT_EQ(closures.grand_total().value(), 20);
  sv1::MonthlyRelease november_opened;
  ASSERT_TRUE(Release(kSupervisor, "2026-11", "cases_opened", &november_opened).ok());
  EXPECT_TRUE(november_opened.withheld()) << "nothing was opened in November";
  // October's release is the same after November's work: fixed periods.
  sv1::MonthlyRelease again;
  ASSERT_TRUE(Release(kSecretariat, "2026-10", "", &again).ok());
  EXPECT_EQ(again.SerializeAsString(), r.SerializeAsString());
}

TEST_F(StatsTest, HistoryFromBeforeTheNodeIsImportedMonthByMonth) {
  auto stats = sv1::StatsService::NewStub(Channel(kSupervisor));
  sv1::ImportHistoryRequest req;
  req.set_month("2025-06");
  auto cell = [&](const std::string& post, const std::string& host, const std::string& category,
                  int64_t count) {
    auto* c = req.add_cells();
    c->set_post(post);
    c->set_host_country(host);
    c->set_category(category);
    c->set_sex("female");
    c->set_age_group("adult");
    c->set_count(count);
  };
  cell("MX-LAX", "US", "CATEGORY_LABOUR", 140);
  cell("MX-LAX", "US", "CATEGORY_MIGRATION", 95);
  cell("MX-CHI", "US", "CATEGORY_LABOUR", 60);
  cell("MX-CHI", "US", "CATEGORY_MIGRATION", 33);
  sv1::ImportHistoryResponse done;
  // Only supervisors import; every bad cell is named.
  EXPECT_EQ(sv1::StatsService::NewStub(Channel(kOfficer))
                ->ImportHistory(Ctx().get(), req, &done)
                .error_code(),
            grpc::PERMISSION_DENIED);
  sv1::ImportHistoryRequest bad = req;
  bad.mutable_cells(0)->set_post("GT-LAX");
  bad.mutable_cells(1)->set_sex("Juana");
  grpc::Status refused = stats->ImportHistory(Ctx().get(), bad, &done);
  EXPECT_EQ(refused.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_NE(refused.error_message().find("cells[0].post"), std::string::npos);
  EXPECT_NE(refused.error_message().find("cells[1].sex"), std::string::npos);
  ASSERT_TRUE(stats->ImportHistory(Ctx().get(), req, &done).ok());
  EXPECT_EQ(done.total(), 328);
  sv1::MonthlyRelease r;
  ASSERT_TRUE(Release(kSecretariat, "2025-06", "", &r).ok());
  ASSERT_FALSE(r.withheld());
  EXPECT_EQ(r.grand_total().value(), 328);
  // A second import of the month replaces the first.
  req.mutable_cells(0)->set_count(150);
  ASSERT_TRUE(stats->ImportHistory(Ctx().get(), req, &done).ok());
  ASSERT_TRUE(Release(kSecretariat, "2025-06", "", &r).ok());
  EXPECT_EQ(r.grand_total().value(), 338);
  // A month the node itself recorded cases in is its own.
  Open("MX-LAX", "US", cv1::SUBTYPE_UNPAID_WAGES, cv1::SEX_FEMALE, false);
  ASSERT_TRUE(FileClock::Write(clock_file_, Day(2026, 11, 3)));
  req.set_month("2026-10");
  EXPECT_EQ(stats->ImportHistory(Ctx().get(), req, &done).error_code(),
            grpc::FAILED_PRECONDITION);
  req.set_month("2026-11");  // not over
  EXPECT_EQ(stats->ImportHistory(Ctx().get(), req, &done).error_code(), grpc::INVALID_ARGUMENT);

  // Every measure takes history, each in its own columns.
  sv1::ImportHistoryRequest notifications;
  notifications.set_month("2025-06");
  notifications.set_measure("notifications");
  *notifications.add_cells() = req.cells(0);  // CATEGORY_LABOUR: not a notification's column
  refused = stats->ImportHistory(Ctx().get(), notifications, &done);
  EXPECT_EQ(refused.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_NE(refused.error_message().find("cells[0].category"), std::string::npos);
  notifications.mutable_cells(0)->set_category("acknowledged_within_24h");
  notifications.mutable_cells(0)->set_count(41);
  ASSERT_TRUE(stats->ImportHistory(Ctx().get(), notifications, &done).ok());
  ASSERT_TRUE(Release(kSecretariat, "2025-06", "notifications", &r).ok());
  EXPECT_EQ(r.grand_total().value(), 41);
  ASSERT_TRUE(Release(kSecretariat, "2025-06", "cases_opened", &r).ok());
  EXPECT_EQ(r.grand_total().value(), 338) << "the other measure's history is untouched";

  // A correction keeps withheld what the month's earlier publication withheld: MX-LAX's 3
  // migration cases, corrected to 30, stay withheld (as secondary), or the two releases set
  // side by side would narrow the cells withheld with it.
  auto lax_migration = [&](const sv1::MonthlyRelease& release) {
    int migration = -1;
    for (int j = 0; j < release.columns_size(); ++j) {
      if (release.columns(j) == "CATEGORY_MIGRATION") migration = j;
    }
    for (const auto& row : TableOf(release, "post").rows()) {
      if (row.key() == "MX-LAX" && migration >= 0) return row.cells(migration);
    }
    ADD_FAILURE() << "no MX-LAX row";
    return sv1::Cell();
  };
  req.set_month("2025-07");
  req.mutable_cells(1)->set_count(3);
  ASSERT_TRUE(stats->ImportHistory(Ctx().get(), req, &done).ok());
  ASSERT_TRUE(Release(kSecretariat, "2025-07", "", &r).ok());
  EXPECT_EQ(lax_migration(r).flag(), sv1::FLAG_PRIMARY);
  req.mutable_cells(1)->set_count(30);
  ASSERT_TRUE(stats->ImportHistory(Ctx().get(), req, &done).ok());
  ASSERT_TRUE(Release(kSecretariat, "2025-07", "", &r).ok());
  EXPECT_EQ(lax_migration(r).flag(), sv1::FLAG_SECONDARY);
  EXPECT_EQ(lax_migration(r).value(), 0);
}

TEST_F(StatsTest, PersonsCountOnceAndClosuresCarryTheirMedianDays) {
  // October 5th: 14 persons, one of whom has three cases (labour twice, then migration).
  std::vector<cv1::Case> labour;
  for (int i = 0; i < 13; ++i) {
    labour.push_back(Open("MX-LAX", "US", cv1::SUBTYPE_UNPAID_WAGES, cv1::SEX_FEMALE, false));
  }
  const cv1::Case first = Open("MX-LAX", "US", cv1::SUBTYPE_UNPAID_WAGES, cv1::SEX_MALE, false);
  auto ch = Channel(kSupervisor);
  auto cases = cv1::CaseService::NewStub(ch);
  for (cv1::Subtype st : {cv1::SUBTYPE_UNPAID_WAGES, cv1::SUBTYPE_IMMIGRATION_DETENTION}) {
    cv1::CreateCaseRequest cc;
    cc.set_parent("countries/MX");
    *cc.mutable_case_() = first;
    cc.mutable_case_()->clear_name();
    cc.mutable_case_()->clear_etag();
    cc.mutable_case_()->set_category(cases::CategoryOfSubtype(st));
    cc.mutable_case_()->set_subtype(st);
    cv1::Case out;
    grpc::Status s = cases->CreateCase(Ctx().get(), cc, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  // November: ten labour cases close on the 1st to the 10th (27 to 36 days after opening).
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(FileClock::Write(clock_file_, Day(2026, 11, 1 + i)));
    cv1::CloseCaseRequest close;
    close.set_name(labour[i].name());
    close.set_etag(labour[i].etag());
    close.set_resolution(cv1::RESOLUTION_RESOLVED);
    cv1::Case closed;
    grpc::Status cs = cases->CloseCase(Ctx().get(), close, &closed);
    ASSERT_TRUE(cs.ok()) << cs.error_message();
  }
  ASSERT_TRUE(FileClock::Write(clock_file_, Day(2026, 12, 2)));
  sv1::MonthlyRelease persons;
  ASSERT_TRUE(Release(kSupervisor, "2026-10", "persons_assisted", &persons).ok());
  ASSERT_FALSE(persons.withheld());
  // 16 cases of 14 persons, each counted in the category of their first case (labour).
  EXPECT_EQ(persons.grand_total().value(), 14);
  sv1::MonthlyRelease opened;
  ASSERT_TRUE(Release(kSupervisor, "2026-10", "cases_opened", &opened).ok());
  // The one migration case is a column published nowhere: totals are of the others.
  EXPECT_EQ(opened.grand_total().value(), 15);

  sv1::MonthlyRelease closed;
  ASSERT_TRUE(Release(kSupervisor, "2026-11", "cases_closed", &closed).ok());
  ASSERT_FALSE(closed.withheld());
  ASSERT_EQ(closed.column_medians_size(), closed.columns_size());
  for (int j = 0; j < closed.columns_size(); ++j) {
    if (closed.columns(j) == "CATEGORY_LABOUR") {
      EXPECT_EQ(closed.column_totals(j).value(), 10);
      EXPECT_EQ(closed.column_medians(j).flag(), sv1::FLAG_PUBLISHED);
      EXPECT_EQ(closed.column_medians(j).value(), 31) << "the lower median of 27..36 days";
    } else {
      // No closures there: no median to publish.
      EXPECT_EQ(closed.column_medians(j).flag(), sv1::FLAG_NOT_PUBLISHED);
      EXPECT_EQ(closed.column_medians(j).value(), 0);
    }
  }
  EXPECT_EQ(closed.median().flag(), sv1::FLAG_PUBLISHED);
  EXPECT_EQ(closed.median().value(), 31);
  // Actions by type, in the month recorded: five phone calls and five interviews on five of
  // October's labour cases (recorded in November, by the clock then).
  ASSERT_TRUE(FileClock::Write(clock_file_, Day(2026, 11, 20)));
  for (int i = 10; i < 13; ++i) {
    for (cv1::ActionType type : {cv1::ACTION_TYPE_PHONE_CALL, cv1::ACTION_TYPE_INTERVIEW}) {
      cv1::AddActionRequest add;
      add.set_parent(labour[i].name());
      add.mutable_action()->set_type(type);
      add.mutable_action()->set_outcome(cv1::ACTION_OUTCOME_COMPLETED);
      add.mutable_action()->set_officer("Lic. Ana Torres");
      *add.mutable_action()->mutable_occur_time() = ToProtoTime(Day(2026, 11, 19));
      cv1::Action action;
      grpc::Status s = cases->AddAction(Ctx().get(), add, &action);
      ASSERT_TRUE(s.ok()) << s.error_message();
    }
  }
  for (cv1::ActionType type : {cv1::ACTION_TYPE_PHONE_CALL, cv1::ACTION_TYPE_INTERVIEW}) {
    for (int k = 0; k < 2; ++k) {
      cv1::AddActionRequest add;
      add.set_parent(first.name());
      add.mutable_action()->set_type(type);
      add.mutable_action()->set_outcome(cv1::ACTION_OUTCOME_COMPLETED);
      add.mutable_action()->set_officer("Lic. Ana Torres");
      *add.mutable_action()->mutable_occur_time() = ToProtoTime(Day(2026, 11, 19));
      cv1::Action action;
      ASSERT_TRUE(cases->AddAction(Ctx().get(), add, &action).ok());
    }
  }
  ASSERT_TRUE(FileClock::Write(clock_file_, Day(2026, 12, 2)));
  sv1::MonthlyRelease actions;
  ASSERT_TRUE(Release(kSupervisor, "2026-11", "actions", &actions).ok());
  ASSERT_FALSE(actions.withheld());
  EXPECT_EQ(actions.grand_total().value(), 10);
  for (int j = 0; j < actions.columns_size(); ++j) {
    const bool done = actions.columns(j) == "ACTION_TYPE_PHONE_CALL" ||
                      actions.columns(j) == "ACTION_TYPE_INTERVIEW";
    EXPECT_EQ(actions.column_totals(j).value(), done ? 5 : 0) << actions.columns(j);
  }
  sv1::MonthlyRelease october_actions;
  ASSERT_TRUE(Release(kSupervisor, "2026-10", "actions", &october_actions).ok());
  EXPECT_TRUE(october_actions.withheld()) << "none were recorded in October";

  // Measures have their own names; an unknown one is refused, naming the field.
  sv1::MonthlyRelease bad;
  grpc::Status s = Release(kSupervisor, "2026-10", "persons", &bad);
  EXPECT_EQ(s.error_code(), grpc::INVALID_ARGUMENT);
  EXPECT_NE(s.error_message().find("measure"), std::string::npos);
}

TEST_F(StatsTest, LabourClaimsCountAtTheirOutcomeWithWhatTheyRecovered) {
  // October 5th: six claims on six labour cases at MX-CHI (US), each recovering $1,000.00
  // in full, and one claim partly recovered in October and made whole in November.
  auto workers = wv1::TemporaryWorkersService::NewStub(Channel(kSupervisor));
  // Every claim is about an H-2A contract of its person: the programme table's row.
  auto contract_of = [&](const cv1::Case& kase) {
    wv1::CreateEmploymentRequest req;
    req.set_parent("countries/MX");
    auto* e = req.mutable_employment();
    e->set_person(kase.person());
    e->set_post(kase.post());
    e->set_programme(wv1::PROGRAMME_US_H2A);
    e->set_permit_number("H2A-0001");
    e->mutable_employer()->set_name("Prairie Sweet Corn LLC");
    e->mutable_employer()->set_registry_id("H-300-26001-000001");
    e->mutable_employer()->set_worksite_area("US-IL");
    auto* c = e->mutable_contract();
    c->set_start_date("2026-05-01");
    c->set_end_date("2026-10-31");
    c->set_promised_hours_per_week(40);
    c->mutable_wage()->set_currency_code("USD");
    c->mutable_wage()->set_amount_minor(1700);
    c->set_wage_unit(wv1::WAGE_UNIT_HOUR);
    wv1::Employment out;
    grpc::Status s = workers->CreateEmployment(Ctx().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.name();
  };
  auto claim_on = [&](const cv1::Case& kase) {
    wv1::CreateLabourClaimRequest req;
    req.set_parent("countries/MX");
    auto* c = req.mutable_claim();
    c->set_case_(kase.name());
    c->set_employment(contract_of(kase));
    c->set_type(wv1::CLAIM_TYPE_UNPAID_WAGES);
    c->set_forum(wv1::FORUM_LABOUR_AGENCY);
    c->mutable_claimed()->set_currency_code("USD");
    c->mutable_claimed()->set_amount_minor(100000);
    wv1::LabourClaim out;
    grpc::Status s = workers->CreateLabourClaim(Ctx().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  };
  auto step = [&](wv1::LabourClaim& claim, wv1::ClaimStatus to, int64_t recovered = 0) {
    wv1::AdvanceLabourClaimRequest req;
    req.set_name(claim.name());
    req.set_etag(claim.etag());
    req.set_to(to);
    if (recovered > 0) {
      req.mutable_recovered()->set_currency_code("USD");
      req.mutable_recovered()->set_amount_minor(recovered);
    }
    grpc::Status s = workers->AdvanceLabourClaim(Ctx().get(), req, &claim);
    EXPECT_TRUE(s.ok()) << wv1::ClaimStatus_Name(to) << ": " << s.error_message();
  };
  std::vector<wv1::LabourClaim> claims;
  for (int i = 0; i < 7; ++i) {
    claims.push_back(claim_on(Open("MX-CHI", "US", cv1::SUBTYPE_UNPAID_WAGES,
                                   i % 2 ? cv1::SEX_MALE : cv1::SEX_FEMALE, false)));
    step(claims.back(), wv1::CLAIM_STATUS_DOCUMENTED);
    step(claims.back(), wv1::CLAIM_STATUS_FILED);
    step(claims.back(), wv1::CLAIM_STATUS_MEDIATION);
  }
  for (int i = 0; i < 6; ++i) step(claims[i], wv1::CLAIM_STATUS_RECOVERED, 100000);
  step(claims[6], wv1::CLAIM_STATUS_PARTIAL, 40000);
  ASSERT_TRUE(FileClock::Write(clock_file_, Day(2026, 11, 4)));
  step(claims[6], wv1::CLAIM_STATUS_RECOVERED, 100000);
  ASSERT_TRUE(FileClock::Write(clock_file_, Day(2026, 12, 2)));

  auto totals = [](const sv1::MonthlyRelease& r) {
    std::map<std::string, int64_t> out;
    for (int j = 0; j < r.columns_size(); ++j) {
      if (r.column_totals(j).value() > 0) out[r.columns(j)] = r.column_totals(j).value();
    }
    return out;
  };
  sv1::MonthlyRelease october, november;
  ASSERT_TRUE(Release(kSupervisor, "2026-10", "labour_claims_ended", &october).ok());
  ASSERT_TRUE(Release(kSupervisor, "2026-11", "labour_claims_ended", &november).ok());
  // The partial recovery made whole counts at its outcome, in November (too few to show).
  EXPECT_EQ(totals(october), (std::map<std::string, int64_t>{{"CLAIM_STATUS_RECOVERED", 6}}));
  // By programme too: the measure's own dimension, a table like the others.
  const sv1::Table& programmes = TableOf(october, "programme");
  ASSERT_EQ(programmes.rows_size(), 1);
  EXPECT_EQ(programmes.rows(0).key(), "PROGRAMME_US_H2A");
  EXPECT_EQ(programmes.rows(0).total().value(), 6);
  EXPECT_EQ(programmes.rows(0).total().flag(), sv1::FLAG_PUBLISHED);
  EXPECT_TRUE(november.withheld() || totals(november).empty());
  // October's money: seven claims recovered $6,400.00; November's $600.00 by none that
  // started recovering then (withheld: no amount is shown over fewer than five claims).
  ASSERT_EQ(october.amounts_size(), 1);
  EXPECT_EQ(october.amounts(0).currency(), "USD");
  EXPECT_EQ(october.amounts(0).total().flag(), sv1::FLAG_PUBLISHED);
  EXPECT_EQ(october.amounts(0).total().value(), 640000);
  for (const auto& a : november.amounts()) {
    EXPECT_EQ(a.total().flag(), sv1::FLAG_PRIMARY);
    EXPECT_EQ(a.total().value(), 0);
  }
}

// Issue 12's subtype and vulnerability tables. cases_opened_by_subtype nests in cases_opened
// (a category's cases are its subtypes'): the two are protected as one, so a category cell
// published beside its subtypes never leaves a single withheld subtype to be recovered by
// subtraction. case_vulnerabilities counts a case once per vulnerability of its person, so
// its totals are not the case totals. Both are published with flags, every published cell at
// least its threshold (10 for trafficking, children, gender-based violence), and both are
// what the secretariat accepts and sums.
TEST_F(StatsTest, SubtypesAndVulnerabilitiesArePublishedProtectedAndLinked) {
  using V = cv1::Vulnerability;
  // truth[host][subtype]
  std::map<std::string, std::map<std::string, int64_t>> truth;
  int64_t cases = 0, pairs = 0;
  // `every`: one case in so many has the vulnerabilities; `women`: every person a woman.
  auto open = [&](int n, const std::string& post, const std::string& host, cv1::Subtype st,
                  std::vector<V> vulnerabilities, int every = 1, bool women = false) {
    for (int i = 0; i < n; ++i) {
      const std::vector<V> held = i % every == 0 ? vulnerabilities : std::vector<V>{};
      Open(post, host, st, i % 2 && !women ? cv1::SEX_MALE : cv1::SEX_FEMALE, false, held);
      ++truth[host][cv1::Subtype_Name(st)];
      ++cases;
      pairs += held.empty() ? 1 : static_cast<int64_t>(held.size());
    }
  };
  open(20, "MX-LAX", "US", cv1::SUBTYPE_UNPAID_WAGES, {cv1::VULNERABILITY_IRREGULAR_STATUS}, 4);
  open(12, "MX-LAX", "US", cv1::SUBTYPE_WORK_INJURY,
       {cv1::VULNERABILITY_INJURED, cv1::VULNERABILITY_IRREGULAR_STATUS});
  // The few presumed victims of trafficking are women at one post: their cells, small, are
  // the same in every table (were they split, the split would bound them from below).
  open(3, "MX-LAX", "US", cv1::SUBTYPE_LABOUR_EXPLOITATION,
       {cv1::VULNERABILITY_PRESUMED_TRAFFICKING_VICTIM}, 1, true);
  open(25, "MX-LAX", "US", cv1::SUBTYPE_IMMIGRATION_DETENTION,
       {cv1::VULNERABILITY_DETAINED, cv1::VULNERABILITY_IRREGULAR_STATUS});
  open(8, "MX-LAX", "US", cv1::SUBTYPE_DEPORTATION, {});
  open(2, "MX-LAX", "US", cv1::SUBTYPE_TRAFFICKING,
       {cv1::VULNERABILITY_PRESUMED_TRAFFICKING_VICTIM, cv1::VULNERABILITY_GBV_SURVIVOR}, 1,
       true);
  // Human rights cases beside the two traffickings: were these absent, the category's cell
  // (under 5) would say more of them than their own flag (under 10), and the release would
  // hide the category's subtypes.
  open(12, "MX-LAX", "US", cv1::SUBTYPE_MISSING_PERSON, {});
  open(15, "MX-GUA", "GT", cv1::SUBTYPE_UNPAID_WAGES, {});
  // Enough labour exploitation in all (11 women) that its adults' cell is at least 10.
  open(8, "MX-GUA", "GT", cv1::SUBTYPE_LABOUR_EXPLOITATION, {}, 1, true);
  open(10, "MX-GUA", "GT", cv1::SUBTYPE_IMMIGRATION_DETENTION, {cv1::VULNERABILITY_DETAINED});
  open(4, "MX-GUA", "GT", cv1::SUBTYPE_DEPORTATION, {});
  ASSERT_EQ(cases, 119);
  ASSERT_EQ(pairs, 158);
  ASSERT_TRUE(FileClock::Write(clock_file_, Day(2026, 11, 3)));

  sv1::MonthlyRelease by_subtype, by_category, vulnerabilities;
  grpc::Status s = Release(kSecretariat, "2026-10", "cases_opened_by_subtype", &by_subtype);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(Release(kSecretariat, "2026-10", "cases_opened", &by_category).ok());
  ASSERT_TRUE(Release(kSecretariat, "2026-10", "case_vulnerabilities", &vulnerabilities).ok());
  for (const sv1::MonthlyRelease* r : {&by_subtype, &by_category, &vulnerabilities}) {
    ASSERT_FALSE(r->withheld()) << r->measure();
    // What the secretariat checks on arrival, and sums (one member: the sums are its own).
    EXPECT_TRUE(secretariat::CheckRelease(*r, "MX", "2026-11").ok()) << r->measure();
    secretariat::v1::MemberRelease member;
    member.set_country("MX");
    member.set_revision(1);
    *member.mutable_release() = *r;
    const auto regional = secretariat::RegionalView("2026-10", r->measure(), {member}, {"MX"});
    ASSERT_EQ(regional.columns_size(), r->columns_size());
    EXPECT_EQ(regional.grand_total().value(), r->grand_total().value()) << r->measure();
    // Every cell: published and zero or at least its threshold, or withheld and shown as 0.
    for (const auto& t : r->tables()) {
      for (const auto& row : t.rows()) {
        for (int j = 0; j < row.cells_size(); ++j) {
          const auto& cell = row.cells(j);
          const int64_t threshold = std::max(row.threshold(), r->column_thresholds(j));
          if (cell.flag() == sv1::FLAG_PUBLISHED) {
            EXPECT_TRUE(cell.value() == 0 || cell.value() >= threshold)
                << r->measure() << " " << t.dimension() << "/" << row.key() << "/"
                << r->columns(j) << ": " << cell.value() << " published under " << threshold;
          } else {
            EXPECT_NE(cell.flag(), sv1::FLAG_UNSPECIFIED);
            EXPECT_EQ(cell.value(), 0) << "a withheld value shown";
          }
        }
      }
    }
  }

  // By subtype: the columns are every subtype, each category's other one, thresholds 10
  // for the sensitive ones; the month's cases are the same 119.
  std::map<std::string, int> subtype_column;
  for (int j = 0; j < by_subtype.columns_size(); ++j) subtype_column[by_subtype.columns(j)] = j;
  ASSERT_EQ(subtype_column.count("SUBTYPE_TRAFFICKING"), 1u);
  ASSERT_EQ(subtype_column.count("CATEGORY_LABOUR/SUBTYPE_OTHER"), 1u);
  EXPECT_EQ(by_subtype.column_thresholds(subtype_column["SUBTYPE_TRAFFICKING"]), 10);
  EXPECT_EQ(by_subtype.column_thresholds(subtype_column["SUBTYPE_UNPAID_WAGES"]), 5);
  EXPECT_EQ(by_subtype.grand_total().value(), 119);
  const sv1::Table& host = TableOf(by_subtype, "host_country");
  ASSERT_FALSE(host.withheld());
  std::map<std::string, const sv1::Row*> host_rows;
  for (const auto& row : host.rows()) host_rows[row.key()] = &row;
  ASSERT_EQ(host_rows.size(), 2u);
  for (const auto& [key, row] : host_rows) {
    for (const auto& [column, j] : subtype_column) {
      const int64_t expected = truth[key].count(column) ? truth[key][column] : 0;
      if (row->cells(j).flag() == sv1::FLAG_PUBLISHED) {
        EXPECT_EQ(row->cells(j).value(), expected) << key << "/" << column;
      } else if (row->cells(j).flag() != sv1::FLAG_NOT_PUBLISHED) {
        EXPECT_GT(expected, 0) << key << "/" << column << ": a zero withheld";
      }

    }
  }
  // The small ones are withheld: 3 labour exploitations, 2 traffickings (under 10), 4
  // deportations in GT. Each is primary, or its category's subtypes are published nowhere
  // (the category alone is in cases_opened): a subtype under 5 is all adults, and the
  // age_group table's flag (under 10) would say less of it than its column total's (under 5).
  int primary = 0;
  for (const auto& [host_key, column] :
       std::vector<std::pair<std::string, std::string>>{{"US", "SUBTYPE_LABOUR_EXPLOITATION"},
                                                        {"US", "SUBTYPE_TRAFFICKING"},
                                                        {"GT", "SUBTYPE_DEPORTATION"}}) {
    const auto flag = host_rows[host_key]->cells(subtype_column[column]).flag();
    EXPECT_TRUE(flag == sv1::FLAG_PRIMARY || flag == sv1::FLAG_NOT_PUBLISHED) << column;
    primary += flag == sv1::FLAG_PRIMARY;
  }
  EXPECT_EQ(host_rows["US"]->cells(subtype_column["SUBTYPE_TRAFFICKING"]).flag(),
            sv1::FLAG_PRIMARY);
  EXPECT_EQ(host_rows["US"]->cells(subtype_column["SUBTYPE_LABOUR_EXPLOITATION"]).flag(),
            sv1::FLAG_PRIMARY);
  // And the rest is published where it can be: true counts by subtype (few here: with two
  // countries, each small cell takes partners in the other row).
  int published = 0;
  for (const auto& [key, row] : host_rows) {
    for (const auto& cell : row->cells()) {
      published += cell.flag() == sv1::FLAG_PUBLISHED && cell.value() > 0;
    }
  }
  EXPECT_GE(published, 2);

  // Linked: wherever the category release publishes a cell (or a column total), its
  // subtypes in the same row are all published or at least two withheld, never one alone
  // (which would be the category less the others). The row totals are the same numbers.
  std::map<std::string, std::vector<int>> group;  // category -> its subtype columns
  for (int j = 0; j < by_subtype.columns_size(); ++j) {
    const std::string& c = by_subtype.columns(j);
    const size_t slash = c.find('/');
    cv1::Subtype st;
    std::string category;
    if (slash != std::string::npos) {
      category = c.substr(0, slash);
    } else {
      ASSERT_TRUE(cv1::Subtype_Parse(c, &st)) << c;
      category = cv1::Category_Name(cases::CategoryOfSubtype(st));
    }
    group[category].push_back(j);
  }
  int groups_checked = 0, withheld_by_link = 0, hidden_groups = 0;
  auto check_group = [&](const sv1::Cell& category_cell, auto subtype_cell,
                         const std::string& category, const std::string& where) {
    int withheld = 0, not_published = 0;
    int64_t sum = 0;
    for (int j : group[category]) {
      const sv1::Cell& c = subtype_cell(j);
      if (c.flag() == sv1::FLAG_PRIMARY || c.flag() == sv1::FLAG_SECONDARY) ++withheld;
      not_published += c.flag() == sv1::FLAG_NOT_PUBLISHED;
      sum += c.value();
    }
    // A group's subtypes are published nowhere (its category alone says their sum), or those
    // published nowhere are counted in its published SUBTYPE_OTHER.
    if (not_published == static_cast<int>(group[category].size())) {
      ++hidden_groups;
      return;
    }
    if (not_published > 0) {
      const sv1::Cell& other = subtype_cell(subtype_column[category + "/SUBTYPE_OTHER"]);
      EXPECT_NE(other.flag(), sv1::FLAG_NOT_PUBLISHED) << where << " " << category;
    }
    if (category_cell.flag() != sv1::FLAG_PUBLISHED) {
      withheld_by_link += withheld > 0;
      return;
    }
    ++groups_checked;
    EXPECT_NE(withheld, 1) << where << " " << category << ": one subtype withheld alone";
    if (withheld == 0) {
      EXPECT_EQ(sum, category_cell.value()) << where << " " << category;
    }
  };
  for (int k = 0; k < by_category.columns_size(); ++k) {
    const std::string& category = by_category.columns(k);
    check_group(by_category.column_totals(k),
                [&](int j) -> const sv1::Cell& { return by_subtype.column_totals(j); }, category,
                "column totals");
  }
  for (const auto& t : by_category.tables()) {
    const sv1::Table& fine = TableOf(by_subtype, t.dimension());
    ASSERT_EQ(fine.withheld(), t.withheld()) << t.dimension();
    ASSERT_EQ(fine.rows_size(), t.rows_size()) << t.dimension();
    for (int i = 0; i < t.rows_size(); ++i) {
      const sv1::Row& row = t.rows(i);
      const sv1::Row& fine_row = fine.rows(i);
      ASSERT_EQ(fine_row.key(), row.key());
      EXPECT_EQ(fine_row.total().flag(), row.total().flag()) << t.dimension() << "/" << row.key();
      EXPECT_EQ(fine_row.total().value(), row.total().value());
      for (int k = 0; k < by_category.columns_size(); ++k) {
        check_group(row.cells(k), [&](int j) -> const sv1::Cell& { return fine_row.cells(j); },
                    by_category.columns(k), t.dimension() + "/" + row.key());
      }
    }
  }
  EXPECT_GT(groups_checked, 10);
  EXPECT_LT(hidden_groups, groups_checked);
  // The categories of the small subtypes are withheld in their rows (labour and migration in
  // GT or US at least).
  EXPECT_GT(withheld_by_link, 0);

  // By vulnerability: a case counts once per vulnerability, "none" without any; the totals
  // are 158 case-vulnerabilities, not the 119 cases.
  std::map<std::string, int> vulnerability_column;
  for (int j = 0; j < vulnerabilities.columns_size(); ++j) {
    vulnerability_column[vulnerabilities.columns(j)] = j;
  }
  ASSERT_EQ(vulnerability_column.count("none"), 1u);
  EXPECT_EQ(vulnerabilities.grand_total().flag(), sv1::FLAG_PUBLISHED);
  EXPECT_EQ(vulnerabilities.grand_total().value(), 158);
  for (const char* sensitive :
       {"VULNERABILITY_UNACCOMPANIED_CHILD", "VULNERABILITY_SEPARATED_CHILD",
        "VULNERABILITY_PRESUMED_TRAFFICKING_VICTIM", "VULNERABILITY_GBV_SURVIVOR"}) {
    EXPECT_EQ(vulnerabilities.column_thresholds(vulnerability_column.at(sensitive)), 10)
        << sensitive;
  }
  EXPECT_EQ(vulnerabilities.column_thresholds(vulnerability_column["VULNERABILITY_DETAINED"]),
            5);
  const sv1::Table& vhost = TableOf(vulnerabilities, "host_country");
  ASSERT_FALSE(vhost.withheld());
  for (const auto& row : vhost.rows()) {
    const auto& trafficking =
        row.cells(vulnerability_column["VULNERABILITY_PRESUMED_TRAFFICKING_VICTIM"]);
    const auto& gbv = row.cells(vulnerability_column["VULNERABILITY_GBV_SURVIVOR"]);
    const auto& detained = row.cells(vulnerability_column["VULNERABILITY_DETAINED"]);
    if (row.key() == "US") {
      EXPECT_EQ(trafficking.flag(), sv1::FLAG_PRIMARY);  // 5, under 10
      EXPECT_EQ(gbv.flag(), sv1::FLAG_PRIMARY);          // 2
      if (detained.flag() == sv1::FLAG_PUBLISHED) {
        EXPECT_EQ(detained.value(), 25);
      }
    }
    if (row.key() == "GT" && detained.flag() == sv1::FLAG_PUBLISHED) {
      EXPECT_EQ(detained.value(), 10);
    }
  }
  // Nothing of a person in either.
  for (const sv1::MonthlyRelease* r : {&by_subtype, &vulnerabilities}) {
    EXPECT_EQ(r->SerializeAsString().find("Persona"), std::string::npos);
  }

  // History comes as cases_opened: a subtype release is never imported.
  sv1::ImportHistoryRequest import;
  import.set_month("2026-09");
  import.set_measure("cases_opened_by_subtype");
  sv1::ImportHistoryResponse done;
  auto stats = sv1::StatsService::NewStub(Channel(kSupervisor));
  EXPECT_EQ(stats->ImportHistory(Ctx().get(), import, &done).error_code(),
            grpc::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace enlace
