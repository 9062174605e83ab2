// The measures other modules count in their own commits, across two real nodes with their
// clocks moved by the test: consular notifications by when the receiving post acknowledged
// them (in the month received), and referrals by how they ended (at the referring member, once
// each, in the month they ended); both released like the case counts, after the month ends.
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/time/clock.h"
#include "common/time/proto_time.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "enlace/notifications/v1/notifications.grpc.pb.h"
#include "enlace/referrals/v1/referrals.grpc.pb.h"
#include "enlace/stats/v1/stats.grpc.pb.h"
#include "tests/federation/federation_fixture.h"

namespace enlace::testing {
namespace {

namespace cv1 = ::enlace::cases::v1;
namespace nv1 = ::enlace::notifications::v1;
namespace rv1 = ::enlace::referrals::v1;
namespace sv1 = ::enlace::stats::v1;

absl::Time Day(int y, int m, int d, int hour = 15) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone()) + absl::Hours(hour);
}

class StatsMeasuresTest : public FederationFixture {
 protected:
  void SetUp() override {
    Init({"MX", "GT"}, {"MX", "GT"});
    for (const char* c : {"MX", "GT"}) {
      clocks_[c] = absl::StrCat(dir_, "/", c, ".clock");
      ASSERT_TRUE(FileClock::Write(clocks_[c], Day(2026, 10, 6)));
      federation_->member(c).config.set_testing_clock_file(clocks_[c]);
    }
    StartNode("MX");
    StartNode("GT");
  }
  void SetClock(const std::string& country, absl::Time t) {
    ASSERT_TRUE(FileClock::Write(clocks_[country], t));
  }
  std::shared_ptr<grpc::Channel> Channel(const std::string& country, const std::string& who) {
    auto& m = federation_->member(country);
    auto cert = m.pki->Client(
        absl::StrCat("spiffe://", absl::AsciiStrToLower(country), ".enlace.example/", who));
    return MakeChannel(m.api_port, m.pki->ca(), &*cert);
  }
  sv1::MonthlyRelease Release(const std::string& country, const std::string& month,
                              const std::string& measure) {
    sv1::GetMonthlyReleaseRequest req;
    req.set_month(month);
    req.set_measure(measure);
    sv1::MonthlyRelease out;
    grpc::Status s =
        sv1::StatsService::NewStub(Channel(country, "role/supervisor/user/jefa"))
            ->GetMonthlyRelease(Deadline().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  // Column totals by column name, published ones only (-1: withheld).
  static std::map<std::string, int64_t> Totals(const sv1::MonthlyRelease& r) {
    std::map<std::string, int64_t> out;
    for (int j = 0; j < r.columns_size(); ++j) {
      out[r.columns(j)] = r.column_totals(j).flag() == sv1::FLAG_PUBLISHED
                              ? r.column_totals(j).value()
                              : -1;
    }
    return out;
  }
  std::map<std::string, std::string> clocks_;
};

TEST_F(StatsMeasuresTest, NotificationsCountByWhenTheyWereAcknowledged) {
  auto host = nv1::NotificationService::NewStub(Channel("MX", "role/supervisor/user/inm"));
  auto post = nv1::NotificationService::NewStub(
      Channel("GT", "role/officer/post/GT-TAP/user/consul"));
  std::vector<std::string> sent;
  for (int i = 0; i < 30; ++i) {
    nv1::SendNotificationRequest req;
    req.set_parent("countries/MX");
    auto* n = req.mutable_notification();
    n->set_national_country("GT");
    n->set_event(nv1::EVENT_IMMIGRATION_DETENTION);
    auto* p = n->mutable_person();
    p->set_given_names(absl::StrCat("Detenido ", i));
    p->set_family_names("Tzul Ixcoy");
    p->set_sex(cv1::SEX_MALE);
    p->set_birth_date("1996-03-04");
    p->add_nationalities("GT");
    p->set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
    n->set_place("Estación migratoria Siglo XXI, Tapachula");
    n->set_area("MX-CHP");
    n->set_authority("Instituto Nacional de Migración");
    *n->mutable_event_time() = ToProtoTime(Day(2026, 10, 6, 10));
    *n->mutable_rights_informed_time() = ToProtoTime(Day(2026, 10, 6, 11));
    n->set_consular_contact(nv1::CONSULAR_CONTACT_REQUESTED);
    nv1::Notification out;
    grpc::Status s = host->SendNotification(Deadline().get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    sent.push_back(out.name());
  }
  // Received on October 6th by GT's clock, each with its case opened.
  ASSERT_TRUE(WaitFor(
      [&] {
        nv1::ListNotificationsRequest req;
        req.set_direction(nv1::DIRECTION_INCOMING);
        req.set_page_size(100);
        nv1::ListNotificationsResponse resp;
        if (!post->ListNotifications(Deadline().get(), req, &resp).ok()) return false;
        int opened = 0;
        for (const auto& n : resp.notifications()) opened += !n.case_().empty();
        return opened == 30;
      },
      absl::Seconds(60)));
  auto ack = [&](const std::string& name) {
    nv1::AcknowledgeNotificationRequest req;
    req.set_name(name);
    nv1::Notification out;
    grpc::Status s = post->AcknowledgeNotification(Deadline().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
  };
  for (int i = 0; i < 10; ++i) ack(sent[i]);  // the same day
  SetClock("GT", Day(2026, 10, 8));
  for (int i = 10; i < 20; ++i) ack(sent[i]);  // two days later
  ack(sent[0]);                                // again: changes nothing

  SetClock("GT", Day(2026, 11, 2));
  sv1::MonthlyRelease r = Release("GT", "2026-10", "notifications");
  ASSERT_FALSE(r.withheld());
  EXPECT_EQ(r.grand_total().value(), 30);
  EXPECT_EQ(Totals(r), (std::map<std::string, int64_t>{{"acknowledged_within_24h", 10},
                                                        {"acknowledged_later", 10},
                                                        {"not_acknowledged", 10}}));
  // Rows: the receiving post and the notifying host.
  for (const auto& t : r.tables()) {
    if (t.dimension() == "post") {
      ASSERT_EQ(t.rows_size(), 1);
      EXPECT_EQ(t.rows(0).key(), "GT-TAP");
    }
    if (t.dimension() == "host_country") {
      ASSERT_EQ(t.rows_size(), 1);
      EXPECT_EQ(t.rows(0).key(), "MX");
    }
  }
  // Acknowledged in November, late: October's release moves (a new revision), the month
  // received stays the one counted.
  for (int i = 20; i < 25; ++i) ack(sent[i]);
  r = Release("GT", "2026-10", "notifications");
  EXPECT_EQ(r.grand_total().value(), 30);
  EXPECT_EQ(Totals(r), (std::map<std::string, int64_t>{{"acknowledged_within_24h", 10},
                                                        {"acknowledged_later", 15},
                                                        {"not_acknowledged", 5}}));
  // The cases the notifications opened count as cases and as persons, in October.
  EXPECT_EQ(Release("GT", "2026-10", "cases_opened").grand_total().value(), 30);
  EXPECT_EQ(Release("GT", "2026-10", "persons_assisted").grand_total().value(), 30);
  // The host counts nothing of it as its own notifications received.
  SetClock("MX", Day(2026, 11, 2));
  EXPECT_TRUE(Release("MX", "2026-10", "notifications").withheld());
}

TEST_F(StatsMeasuresTest, ReferralsCountOnceByOutcomeAtTheReferringMember) {
  auto officer = Channel("MX", "role/officer/post/MX-LAX/user/ana");
  auto persons = cv1::PersonService::NewStub(officer);
  auto cases = cv1::CaseService::NewStub(officer);
  auto mx = rv1::ReferralService::NewStub(officer);
  auto gt = rv1::ReferralService::NewStub(Channel("GT", "role/officer/post/GT-TAP/user/consul"));
  std::vector<std::string> made;
  for (int i = 0; i < 20; ++i) {
    cv1::CreatePersonRequest cp;
    cp.set_parent("countries/MX");
    auto* p = cp.mutable_person();
    p->set_given_names(absl::StrCat("Trabajadora ", i));
    p->set_family_names("Pérez");
    p->set_sex(cv1::SEX_FEMALE);
    p->set_birth_date("1991-08-02");
    p->add_nationalities("MX");
    p->set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
    cv1::Person person;
    ASSERT_TRUE(persons->CreatePerson(Deadline().get(), cp, &person).ok());
    cv1::CreateCaseRequest cc;
    cc.set_parent("countries/MX");
    auto* c = cc.mutable_case_();
    c->set_person(person.name());
    c->set_post("MX-LAX");
    c->set_host_country("US");
    c->set_place("Los Angeles, California");
    c->set_category(cv1::CATEGORY_LABOUR);
    c->set_subtype(cv1::SUBTYPE_UNPAID_WAGES);
    c->set_legal_basis(cv1::LEGAL_BASIS_CONSENT);
    auto* consent = c->mutable_consent();
    consent->set_given_by(cv1::CONSENT_GIVER_PERSON);
    consent->add_scopes(cv1::CONSENT_SCOPE_SERVICES);
    *consent->mutable_obtain_time() = ToProtoTime(Day(2026, 10, 6, 9));
    cv1::Case kase;
    grpc::Status s = cases->CreateCase(Deadline().get(), cc, &kase);
    ASSERT_TRUE(s.ok()) << s.error_message();
    rv1::CreateReferralRequest req;
    req.set_parent("countries/MX");
    auto* r = req.mutable_referral();
    r->set_case_(kase.name());
    r->set_to_country("GT");
    r->set_to_post("GT-TAP");
    r->set_service(rv1::SERVICE_TYPE_LEGAL_AID);
    r->set_purpose("Asesoría laboral");
    r->add_disclosed_fields("given_names");
    rv1::Referral out;
    s = mx->CreateReferral(Deadline().get(), req, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
    made.push_back(out.name());
  }
  auto state_at = [&](rv1::ReferralService::Stub& stub, const std::string& name) {
    rv1::GetReferralRequest g;
    g.set_name(name);
    rv1::Referral r;
    stub.GetReferral(Deadline().get(), g, &r);
    return r.state();
  };
  rv1::Referral out;
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(WaitFor([&] { return state_at(*gt, made[i]) == rv1::STATE_PENDING; },
                        absl::Seconds(30)));
    rv1::AcceptReferralRequest accept;
    accept.set_name(made[i]);
    ASSERT_TRUE(gt->AcceptReferral(Deadline().get(), accept, &out).ok());
    if (i < 10) {
      rv1::CompleteReferralRequest done;
      done.set_name(made[i]);
      done.set_outcome(rv1::OUTCOME_SUCCESS);
      ASSERT_TRUE(gt->CompleteReferral(Deadline().get(), done, &out).ok());
    } else {
      rv1::RejectReferralRequest reject;
      reject.set_name(made[i]);
      reject.set_outcome(rv1::OUTCOME_NO_CAPACITY);
      ASSERT_TRUE(gt->RejectReferral(Deadline().get(), reject, &out).ok());
    }
  }
  for (int i = 0; i < 20; ++i) {
    const rv1::State want = i < 10 ? rv1::STATE_DONE : rv1::STATE_REJECTED;
    ASSERT_TRUE(WaitFor([&] { return state_at(*mx, made[i]) == want; }, absl::Seconds(30)));
  }
  SetClock("MX", Day(2026, 11, 2));
  SetClock("GT", Day(2026, 11, 2));
  sv1::MonthlyRelease r = Release("MX", "2026-10", "referrals_ended");
  ASSERT_FALSE(r.withheld());
  EXPECT_EQ(r.grand_total().value(), 20);
  std::map<std::string, int64_t> totals = Totals(r);
  EXPECT_EQ(totals["OUTCOME_SUCCESS"], 10);
  EXPECT_EQ(totals["OUTCOME_NO_CAPACITY"], 10);
  EXPECT_EQ(totals["REVOKED"], 0);
  // Counted where the referral was made: the receiver counts none as its own.
  EXPECT_TRUE(Release("GT", "2026-10", "referrals_ended").withheld());
}

}  // namespace
}  // namespace enlace::testing
