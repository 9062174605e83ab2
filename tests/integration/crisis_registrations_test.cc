// The crisis module on one node: bulk import is idempotent and keeps names sealed, the
// retention clock ends a registration unless a crisis case holds it, erasing a person reaches
// their registration, officers see their own post's nationals only, merging duplicates keeps
// the counts right.
#include <map>
#include <memory>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/time/clock.h"
#include "common/time/proto_time.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "enlace/crisis/v1/crisis.grpc.pb.h"
#include "enlace/stats/v1/stats.grpc.pb.h"
#include "gtest/gtest.h"
#include "services/node/node.h"
#include "tests/testing/test_env.h"

namespace enlace {
namespace {

namespace xv1 = ::enlace::crisis::v1;
namespace cv1 = ::enlace::cases::v1;
namespace sv1 = ::enlace::stats::v1;

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return ctx;
}

bool WaitFor(const std::function<bool()>& condition) {
  for (int i = 0; i < 300; ++i) {
    if (condition()) return true;
    absl::SleepFor(absl::Milliseconds(100));
  }
  return condition();
}

class CrisisRegistrationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("crisis");
    auto pki = testing::TestPki::Create(dir_, "MX");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<testing::TestPki>(*pki);
    clock_file_ = dir_ + "/clock";
    start_ = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()));
    ASSERT_TRUE(FileClock::Write(clock_file_, start_));
    config_ = testing::TestNodeConfig(dir_, "MX");
    config_.set_testing_clock_file(clock_file_);
    auto node = node::Node::Start(config_);
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = *std::move(node);
    crisis_ = Stub("role/supervisor/user/jefa");
  }
  void TearDown() override {
    if (node_ != nullptr) EXPECT_TRUE(node_->Shutdown(absl::Seconds(5)).ok());
  }

  std::unique_ptr<xv1::CrisisService::Stub> Stub(const std::string& who) {
    auto cert = pki_->Client(absl::StrCat("spiffe://mx.enlace.example/", who));
    return xv1::CrisisService::NewStub(testing::MakeChannel(node_->api_port(), pki_->ca(), &*cert));
  }
  template <typename S>
  std::unique_ptr<typename S::Stub> Supervisor() {
    auto cert = pki_->Client("spiffe://mx.enlace.example/role/supervisor/user/jefa");
    return S::NewStub(testing::MakeChannel(node_->api_port(), pki_->ca(), &*cert));
  }

  static xv1::Registration Person(const std::string& given, const std::string& post,
                                  const std::string& doc) {
    xv1::Registration r;
    r.set_given_names(given);
    r.set_family_names("Hernández Xolotl");
    r.set_birth_date("1979-02-11");
    auto* d = r.add_documents();
    d->set_type(cv1::DOCUMENT_TYPE_PASSPORT);
    d->set_number(doc);
    d->set_issuing_country("MX");
    r.set_host_country("HN");
    r.set_area("HN-CR");
    r.set_arrival_date("2026-01-05");
    r.set_return_date("2026-02-01");
    r.set_post(post);
    r.mutable_emergency_contact()->set_name("Rosalba Xolotl");
    return r;
  }

  xv1::Registration Create(const xv1::Registration& r) {
    xv1::CreateRegistrationRequest req;
    req.set_parent("countries/MX");
    *req.mutable_registration() = r;
    xv1::Registration out;
    grpc::Status s = crisis_->CreateRegistration(Ctx().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }

  grpc::Status Get(xv1::CrisisService::Stub& stub, const std::string& name,
                   xv1::Registration* out) {
    xv1::GetRegistrationRequest req;
    req.set_name(name);
    return stub.GetRegistration(Ctx().get(), req, out);
  }

  std::string Declare() {
    xv1::DeclareCrisisRequest req;
    req.set_parent("countries/MX");
    auto* c = req.mutable_crisis();
    c->set_type(xv1::CRISIS_TYPE_FLOOD);
    c->set_title("Inundaciones en Cortés");
    c->set_host_country("HN");
    c->add_areas("HN-CR");
    c->set_phase(xv1::PHASE_ACTIVE);
    xv1::Crisis out;
    EXPECT_TRUE(crisis_->DeclareCrisis(Ctx().get(), req, &out).ok());
    return out.name();
  }

  std::vector<xv1::AccountingEntry> Worklist(xv1::CrisisService::Stub& stub,
                                             const std::string& crisis, xv1::WelfareStatus status) {
    xv1::ListWorklistRequest req;
    req.set_crisis(crisis);
    req.add_statuses(status);
    xv1::ListWorklistResponse out;
    if (!stub.ListWorklist(Ctx().get(), req, &out).ok()) return {};
    return {out.entries().begin(), out.entries().end()};
  }

  grpc::Status Note(const std::string& crisis, const std::string& subject,
                    xv1::WelfareStatus status) {
    xv1::RecordWelfareNoteRequest req;
    auto* n = req.mutable_note();
    n->set_crisis(crisis);
    n->set_subject(subject);
    n->set_status(status);
    n->set_source(xv1::NOTE_SOURCE_HOST_AUTHORITY);
    n->set_details("Hospital Mario Catarino Rivas, sala 3");
    *n->mutable_observe_time() = ToProtoTime(start_);
    xv1::AccountingEntry e;
    return crisis_->RecordWelfareNote(Ctx().get(), req, &e);
  }

  std::string dir_;
  std::string clock_file_;
  absl::Time start_;
  std::unique_ptr<testing::TestPki> pki_;
  enlace::node::v1::NodeConfig config_;
  std::unique_ptr<node::Node> node_;
  std::unique_ptr<xv1::CrisisService::Stub> crisis_;
};

TEST_F(CrisisRegistrationsTest, ImportIsIdempotentAndNamesStaySealed) {
  xv1::ImportRegistrationsRequest req;
  req.set_parent("countries/MX");
  for (int i = 0; i < 3; ++i) {
    auto* item = req.add_items();
    item->set_request_id(absl::StrCat("sre-", i));
    *item->mutable_registration() = Person(absl::StrCat("Eulogio", std::string(1, 'A' + i)),
                                           "MX-GUA", absl::StrCat("G7731009", i));
  }
  req.mutable_items(1)->mutable_registration()->set_area("GT-QC");  // not in HN
  xv1::ImportRegistrationsResponse first, again;
  ASSERT_TRUE(crisis_->ImportRegistrations(Ctx().get(), req, &first).ok());
  EXPECT_EQ(first.created(), 2);
  ASSERT_EQ(first.failures_size(), 1);
  EXPECT_EQ(first.failures(0).index(), 1);
  EXPECT_EQ(first.failures(0).field(), "registration.area");
  // Sent again (a resumed import): nothing is created twice.
  ASSERT_TRUE(crisis_->ImportRegistrations(Ctx().get(), req, &again).ok());
  EXPECT_EQ(again.created(), 0);
  EXPECT_EQ(again.already_present(), 2);
  EXPECT_EQ(again.failures_size(), 1);
  // More than 500 items is refused whole.
  xv1::ImportRegistrationsRequest big;
  big.set_parent("countries/MX");
  for (int i = 0; i < 501; ++i) big.add_items()->set_request_id(absl::StrCat("x", i));
  EXPECT_EQ(crisis_->ImportRegistrations(Ctx().get(), big, &again).error_code(),
            grpc::INVALID_ARGUMENT);
  ASSERT_TRUE(node_->Shutdown(absl::Seconds(5)).ok());
  node_.reset();
  const std::string tree = testing::ReadTree(config_.data_dir());
  for (const char* secret : {"EulogioA", "Hernández Xolotl", "G77310090", "Rosalba Xolotl"}) {
    EXPECT_EQ(tree.find(secret), std::string::npos) << secret << " stored in clear";
  }
}

TEST_F(CrisisRegistrationsTest, RetentionEndsARegistrationUnlessACaseHoldsIt) {
  const std::string crisis = Declare();
  const xv1::Registration gone = Create(Person("Abundio", "MX-GUA", "P001"));
  const xv1::Registration held = Create(Person("Bartola", "MX-GUA", "P002"));
  ASSERT_TRUE(WaitFor(
      [&] { return Worklist(*crisis_, crisis, xv1::WELFARE_STATUS_UNACCOUNTED).size() == 2; }));
  // Injured: a crisis case opens for Bartola, and holds her registration.
  ASSERT_TRUE(Note(crisis, held.name(), xv1::WELFARE_STATUS_INJURED).ok());
  std::string opened;
  ASSERT_TRUE(WaitFor([&] {
    auto injured = Worklist(*crisis_, crisis, xv1::WELFARE_STATUS_INJURED);
    if (injured.size() == 1) opened = injured[0].opened_case();
    return !opened.empty();
  }));
  auto cases = Supervisor<cv1::CaseService>();
  cv1::GetCaseRequest gc;
  gc.set_name(opened);
  cv1::Case c;
  ASSERT_TRUE(cases->GetCase(Ctx().get(), gc, &c).ok());
  EXPECT_EQ(c.category(), cv1::CATEGORY_CRISIS);
  EXPECT_EQ(c.legal_basis(), cv1::LEGAL_BASIS_VITAL_INTEREST);
  EXPECT_EQ(c.opened_from(), crisis);
  // A day before the clock runs out both are there; 18 months after the return, only the
  // one a case holds.
  xv1::Registration r;
  ASSERT_TRUE(FileClock::Write(clock_file_, FromProtoTime(gone.expire_time()) - absl::Hours(24)));
  absl::SleepFor(absl::Milliseconds(2500));  // two rounds of the worker
  EXPECT_TRUE(Get(*crisis_, gone.name(), &r).ok());
  ASSERT_TRUE(FileClock::Write(clock_file_, FromProtoTime(gone.expire_time()) + absl::Hours(1)));
  ASSERT_TRUE(
      WaitFor([&] { return Get(*crisis_, gone.name(), &r).error_code() == grpc::NOT_FOUND; }));
  ASSERT_TRUE(Get(*crisis_, held.name(), &r).ok());
  EXPECT_EQ(r.given_names(), "Bartola");
}

TEST_F(CrisisRegistrationsTest, ErasingThePersonReachesTheirRegistration) {
  auto persons = Supervisor<cv1::PersonService>();
  cv1::CreatePersonRequest cp;
  cp.set_parent("countries/MX");
  cp.mutable_person()->set_given_names("Críspulo");
  cp.mutable_person()->set_family_names("Ek");
  cp.mutable_person()->set_sex(cv1::SEX_MALE);
  cp.mutable_person()->set_birth_date("1970");
  cp.mutable_person()->add_nationalities("MX");
  cp.mutable_person()->set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
  cv1::Person person;
  ASSERT_TRUE(persons->CreatePerson(Ctx().get(), cp, &person).ok());
  xv1::Registration reg = Person("Críspulo", "MX-GUA", "P900");
  reg.set_person(person.name());
  const xv1::Registration made = Create(reg);
  cv1::ErasePersonRequest erase;
  erase.set_name(person.name());
  erase.set_reason("solicitud del titular");
  cv1::ErasePersonResponse erased;
  ASSERT_TRUE(persons->ErasePerson(Ctx().get(), erase, &erased).ok());
  xv1::Registration r;
  ASSERT_TRUE(Get(*crisis_, made.name(), &r).ok());
  EXPECT_TRUE(r.given_names().empty()) << "the registration outlived the erasure";
  EXPECT_EQ(r.documents_size(), 0);
  EXPECT_EQ(r.area(), "HN-CR");  // what is not personal stays, for the counts
}

TEST_F(CrisisRegistrationsTest, OfficersSeeTheirOwnPostsNationalsOnly) {
  const std::string crisis = Declare();
  const xv1::Registration gua = Create(Person("Doroteo", "MX-GUA", "P010"));
  const xv1::Registration tap = Create(Person("Eufrosina", "MX-TAP", "P011"));
  auto officer = Stub("role/officer/post/MX-GUA/user/consul");
  xv1::Registration r;
  EXPECT_TRUE(Get(*officer, gua.name(), &r).ok());
  EXPECT_EQ(Get(*officer, tap.name(), &r).error_code(), grpc::PERMISSION_DENIED);
  ASSERT_TRUE(WaitFor(
      [&] { return Worklist(*crisis_, crisis, xv1::WELFARE_STATUS_UNACCOUNTED).size() == 2; }));
  const auto mine = Worklist(*officer, crisis, xv1::WELFARE_STATUS_UNACCOUNTED);
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].subject(), gua.name());
  // An officer enrols at their own post only.
  xv1::CreateRegistrationRequest other;
  other.set_parent("countries/MX");
  *other.mutable_registration() = Person("Fausto", "MX-TAP", "P012");
  EXPECT_EQ(officer->CreateRegistration(Ctx().get(), other, &r).error_code(),
            grpc::PERMISSION_DENIED);
}

TEST_F(CrisisRegistrationsTest, MergingADuplicateKeepsTheCountsRight) {
  const std::string crisis = Declare();
  const xv1::Registration a = Create(Person("Gumersindo", "MX-GUA", "P020"));
  const xv1::Registration b = Create(Person("Gumersindo", "MX-GUA", "P021"));
  ASSERT_TRUE(WaitFor(
      [&] { return Worklist(*crisis_, crisis, xv1::WELFARE_STATUS_UNACCOUNTED).size() == 2; }));
  ASSERT_TRUE(Note(crisis, b.name(), xv1::WELFARE_STATUS_CONTACTED_SAFE).ok());
  xv1::MergeSubjectsRequest merge;
  merge.set_crisis(crisis);
  merge.set_keep(a.name());
  merge.set_duplicate(b.name());
  merge.set_reason("mismo pasaporte renovado");
  xv1::AccountingEntry kept;
  ASSERT_TRUE(crisis_->MergeSubjects(Ctx().get(), merge, &kept).ok());
  EXPECT_EQ(kept.status(), xv1::WELFARE_STATUS_CONTACTED_SAFE);
  EXPECT_EQ(crisis_->MergeSubjects(Ctx().get(), merge, &kept).error_code(),
            grpc::FAILED_PRECONDITION);
  xv1::GetBoardRequest gb;
  gb.set_crisis(crisis);
  xv1::Board board;
  ASSERT_TRUE(crisis_->GetBoard(Ctx().get(), gb, &board).ok());
  EXPECT_EQ(board.total(), 1);
  EXPECT_EQ(board.accounted_for(), 1);
  xv1::ListWelfareNotesRequest ln;
  ln.set_crisis(crisis);
  ln.set_subject(a.name());
  xv1::ListWelfareNotesResponse notes;
  ASSERT_TRUE(crisis_->ListWelfareNotes(Ctx().get(), ln, &notes).ok());
  ASSERT_EQ(notes.notes_size(), 1);
  EXPECT_EQ(notes.notes(0).details(), "Hospital Mario Catarino Rivas, sala 3");
}

// The secretariat's crisis board: a member's nationals by welfare status at each month's end
// (a stock: a month's release does not move when the next month's notes change the board).
TEST_F(CrisisRegistrationsTest, TheMonthlyReleaseCountsWhatStandsAtTheMonthsEnd) {
  const std::string crisis = Declare();
  std::vector<xv1::Registration> people;
  for (int i = 0; i < 20; ++i) {
    people.push_back(Create(Person(absl::StrCat("Nacional ", i), "MX-GUA", absl::StrCat("Q", i))));
  }
  ASSERT_TRUE(WaitFor(
      [&] { return Worklist(*crisis_, crisis, xv1::WELFARE_STATUS_UNACCOUNTED).size() == 20; }));
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(Note(crisis, people[i].name(), xv1::WELFARE_STATUS_CONTACTED_SAFE).ok());
  }
  const absl::CivilMonth month = absl::ToCivilMonth(start_, absl::UTCTimeZone());
  auto at = [](absl::CivilMonth m) {
    return absl::FromCivil(absl::CivilDay(m.year(), m.month(), 2), absl::UTCTimeZone());
  };
  auto release = [&](absl::CivilMonth m) {
    sv1::GetMonthlyReleaseRequest req;
    req.set_month(absl::FormatCivilTime(m).substr(0, 7));
    req.set_measure("crisis_accounting");
    sv1::MonthlyRelease out;
    grpc::Status s = Supervisor<sv1::StatsService>()->GetMonthlyRelease(Ctx().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    std::map<std::string, int64_t> totals;
    for (int j = 0; j < out.columns_size(); ++j) {
      if (out.column_totals(j).value() > 0) totals[out.columns(j)] = out.column_totals(j).value();
    }
    // The measure's own dimension: one row, this crisis, holding every national counted.
    for (const auto& t : out.tables()) {
      if (t.dimension() != "crisis") continue;
      EXPECT_EQ(t.rows_size(), 1);
      for (const auto& row : t.rows()) {
        EXPECT_EQ(row.key(), absl::StrCat("MX/", crisis.substr(crisis.rfind('/') + 1)));
        EXPECT_EQ(row.total().value(), 20);
      }
      totals["crisis table"] = 1;
    }
    return totals;
  };
  // The next month: its notes account for the other ten.
  ASSERT_TRUE(FileClock::Write(clock_file_, at(month + 1)));
  for (int i = 10; i < 20; ++i) {
    ASSERT_TRUE(Note(crisis, people[i].name(), xv1::WELFARE_STATUS_CONTACTED_SAFE).ok());
  }
  ASSERT_TRUE(FileClock::Write(clock_file_, at(month + 2)));
  EXPECT_EQ(release(month), (std::map<std::string, int64_t>{{"WELFARE_STATUS_UNACCOUNTED", 10},
                                                            {"WELFARE_STATUS_CONTACTED_SAFE", 10},
                                                            {"crisis table", 1}}));
  EXPECT_EQ(release(month + 1),
            (std::map<std::string, int64_t>{{"WELFARE_STATUS_CONTACTED_SAFE", 20},
                                            {"crisis table", 1}}));
  // What stands is the node's own: no history import of it.
  sv1::ImportHistoryRequest import;
  import.set_month(absl::FormatCivilTime(month).substr(0, 7));
  import.set_measure("crisis_accounting");
  sv1::ImportHistoryResponse done;
  EXPECT_EQ(Supervisor<sv1::StatsService>()->ImportHistory(Ctx().get(), import, &done).error_code(),
            grpc::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace enlace
