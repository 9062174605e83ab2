// Consular notifications across two real nodes: Mexico (host) notifies Guatemala of the
// detention of a Guatemalan in Chiapas; the case opens at Guatemala's post in Tapachula, Mexico
// sees when it was received and acknowledged; a refugee's notification never leaves; a
// notification sent while the receiver is down, or killed mid-flow, opens exactly one case.
#include <signal.h>

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/time/proto_time.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "enlace/notifications/v1/notifications.grpc.pb.h"
#include "services/cases/rules.h"
#include "tests/federation/federation_fixture.h"

namespace enlace::testing {
namespace {

namespace nv1 = ::enlace::notifications::v1;
namespace cv1 = ::enlace::cases::v1;

class NotificationsTest : public FederationFixture {
 protected:
  std::unique_ptr<nv1::NotificationService::Stub> Stub(const std::string& country,
                                                       const std::string& who) {
    auto& m = federation_->member(country);
    auto cert = m.pki->Client(
        absl::StrCat("spiffe://", absl::AsciiStrToLower(country), ".enlace.example/", who));
    return nv1::NotificationService::NewStub(MakeChannel(m.api_port, m.pki->ca(), &*cert));
  }

  static nv1::SendNotificationRequest Detention(const std::string& given, const std::string& doc,
                                                cv1::InternationalProtection protection) {
    nv1::SendNotificationRequest req;
    req.set_parent("countries/MX");
    auto* n = req.mutable_notification();
    n->set_national_country("GT");
    n->set_event(nv1::EVENT_IMMIGRATION_DETENTION);
    auto* p = n->mutable_person();
    p->set_given_names(given);
    p->set_family_names("Tzul Ixcoy");
    p->set_sex(cv1::SEX_MALE);
    p->set_birth_date("1996");
    p->add_nationalities("GT");
    p->add_languages("quc");
    p->set_international_protection(protection);
    auto* d = p->add_documents();
    d->set_type(cv1::DOCUMENT_TYPE_NATIONAL_ID);
    d->set_number(doc);
    d->set_issuing_country("GT");
    p->mutable_contact()->set_phone("+52 962 555 0100");  // local only: must not travel
    n->set_place("Estación migratoria Siglo XXI, Tapachula");
    n->set_area("MX-CHP");
    n->set_authority("Instituto Nacional de Migración");
    *n->mutable_event_time() = enlace::ToProtoTime(absl::Now() - absl::Hours(3));
    *n->mutable_rights_informed_time() = enlace::ToProtoTime(absl::Now() - absl::Hours(2));
    n->set_consular_contact(nv1::CONSULAR_CONTACT_REQUESTED);
    return req;
  }

  std::vector<nv1::Notification> Incoming(nv1::NotificationService::Stub& stub,
                                          const std::string& post = "") {
    nv1::ListNotificationsRequest req;
    req.set_direction(nv1::DIRECTION_INCOMING);
    req.set_post(post);
    req.set_page_size(1000);
    nv1::ListNotificationsResponse resp;
    if (!stub.ListNotifications(Deadline().get(), req, &resp).ok()) return {};
    return {resp.notifications().begin(), resp.notifications().end()};
  }

  uint64_t QueuedFor(const std::string& from, const std::string& to) {
    const auto status = Status(from);
    for (const auto& p : status.peers()) {
      if (p.country() == to) return p.last_seq_queued();
    }
    return 0;
  }
  // Whether, within a minute, the inbox `stub` sees holds `count` notifications, each with
  // its case opened.
  bool AllOpened(nv1::NotificationService::Stub& stub, size_t count) {
    return WaitFor(
        [&] {
          auto in = Incoming(stub);
          if (in.size() != count) return false;
          for (const auto& n : in) {
            if (n.case_().empty()) return false;
          }
          return true;
        },
        absl::Seconds(60));
  }
};

TEST_F(NotificationsTest, DetentionInChiapasReachesGuatemalasPostInTapachula) {
  Init({"MX", "GT"}, {"MX", "GT"});
  StartNode("MX");
  StartNode("GT");
  auto mx = Stub("MX", "role/supervisor/user/inm-enlace");
  auto gt = Stub("GT", "role/supervisor/user/cancilleria");
  auto gt_tap = Stub("GT", "role/officer/post/GT-TAP/user/consul");
  auto gt_lax = Stub("GT", "role/officer/post/GT-LAX/user/otro");

  nv1::Notification sent;
  ASSERT_TRUE(mx->SendNotification(Deadline().get(),
                                   Detention("Juan Ixcoy", "2534 81234 0901",
                                             cv1::INTERNATIONAL_PROTECTION_NONE),
                                   &sent)
                  .ok());
  EXPECT_EQ(sent.host_country(), "MX");
  ASSERT_TRUE(WaitFor(
      [&] {
        auto in = Incoming(*gt_tap);
        return in.size() == 1 && !in[0].case_().empty();
      },
      absl::Seconds(30)));
  const nv1::Notification received = Incoming(*gt_tap)[0];
  EXPECT_EQ(received.post(), "GT-TAP");
  EXPECT_FALSE(received.person().has_contact()) << "local contact crossed the border";
  EXPECT_TRUE(Incoming(*gt_lax).empty()) << "another post sees it";
  // The case is open at the Tapachula post.
  auto& g = federation_->member("GT");
  auto sup = g.pki->Client("spiffe://gt.enlace.example/role/supervisor/user/cancilleria");
  auto cases = cv1::CaseService::NewStub(MakeChannel(g.api_port, g.pki->ca(), &*sup));
  cv1::GetCaseRequest gc;
  gc.set_name(received.case_());
  cv1::Case c;
  ASSERT_TRUE(cases->GetCase(Deadline().get(), gc, &c).ok());
  EXPECT_EQ(c.post(), "GT-TAP");
  EXPECT_EQ(c.category(), cv1::CATEGORY_MIGRATION);
  EXPECT_EQ(c.subtype(), cv1::SUBTYPE_IMMIGRATION_DETENTION);
  EXPECT_EQ(c.host_country(), "MX");
  EXPECT_EQ(c.legal_basis(), cv1::LEGAL_BASIS_TREATY);
  EXPECT_EQ(c.opened_from(), received.name()) << "the case names the notification it came from";
  // The host sees when it was received, then acknowledged.
  nv1::GetNotificationRequest get;
  get.set_name(sent.name());
  nv1::Notification host_view;
  ASSERT_TRUE(WaitFor(
      [&] {
        return mx->GetNotification(Deadline().get(), get, &host_view).ok() &&
               host_view.has_receive_time();
      },
      absl::Seconds(30)));
  EXPECT_FALSE(host_view.has_acknowledge_time());
  nv1::AcknowledgeNotificationRequest ack;
  ack.set_name(sent.name());
  nv1::Notification acked;
  EXPECT_EQ(gt_lax->AcknowledgeNotification(Deadline().get(), ack, &acked).error_code(),
            grpc::PERMISSION_DENIED);
  EXPECT_EQ(mx->AcknowledgeNotification(Deadline().get(), ack, &acked).error_code(),
            grpc::FAILED_PRECONDITION);  // the host cannot acknowledge its own notification
  ASSERT_TRUE(gt_tap->AcknowledgeNotification(Deadline().get(), ack, &acked).ok());
  ASSERT_TRUE(WaitFor(
      [&] {
        return mx->GetNotification(Deadline().get(), get, &host_view).ok() &&
               host_view.has_acknowledge_time();
      },
      absl::Seconds(30)));
}

TEST_F(NotificationsTest, ARefugeesNotificationNeverLeavesTheHost) {
  Init({"MX", "GT"}, {"MX", "GT"});
  StartNode("MX");
  StartNode("GT");
  auto mx = Stub("MX", "role/supervisor/user/inm-enlace");
  auto gt = Stub("GT", "role/supervisor/user/cancilleria");
  const uint64_t before = QueuedFor("MX", "GT");
  for (auto protection : {cv1::INTERNATIONAL_PROTECTION_REFUGEE,
                          cv1::INTERNATIONAL_PROTECTION_ASYLUM_SEEKER,
                          cv1::INTERNATIONAL_PROTECTION_STATELESS,
                          cv1::INTERNATIONAL_PROTECTION_UNKNOWN}) {
    nv1::Notification out;
    grpc::Status s = mx->SendNotification(
        Deadline().get(), Detention("María Ixcoy", "1111 22222 0101", protection), &out);
    EXPECT_EQ(s.error_code(), grpc::FAILED_PRECONDITION) << protection;
    if (protection != cv1::INTERNATIONAL_PROTECTION_UNKNOWN) {
      EXPECT_NE(s.error_message().find("never reach the state they fled"), std::string::npos)
          << s.error_message();
    }
  }
  EXPECT_EQ(QueuedFor("MX", "GT"), before) << "an envelope was queued for the home state";
  nv1::ListNotificationsRequest out_req;
  out_req.set_direction(nv1::DIRECTION_OUTGOING);
  nv1::ListNotificationsResponse outgoing;
  ASSERT_TRUE(mx->ListNotifications(Deadline().get(), out_req, &outgoing).ok());
  EXPECT_EQ(outgoing.notifications_size(), 0);
  absl::SleepFor(absl::Seconds(1));
  EXPECT_TRUE(Incoming(*gt).empty());
}

TEST_F(NotificationsTest, ReceiverDownOrKilledMidFlowOpensExactlyOneCaseEach) {
  Init({"MX", "GT"}, {"MX", "GT"});
  StartNode("MX");
  auto mx = Stub("MX", "role/supervisor/user/inm-enlace");
  // Sent while Guatemala's node is down: queued, delivered when it returns.
  std::set<std::string> names;
  for (int i = 0; i < 10; ++i) {
    nv1::Notification out;
    ASSERT_TRUE(mx->SendNotification(
                      Deadline().get(),
                      Detention(absl::StrCat("Persona ", i), absl::StrCat("3000 1000", i, " 0101"),
                                cv1::INTERNATIONAL_PROTECTION_NONE),
                      &out)
                    .ok());
    names.insert(out.name());
  }
  StartNode("GT");
  // Killed while it is opening those cases, then more arrive.
  absl::SleepFor(absl::Milliseconds(150));
  ASSERT_EQ(StopNode("GT", SIGKILL), 128 + SIGKILL);
  for (int i = 10; i < 20; ++i) {
    nv1::Notification out;
    ASSERT_TRUE(mx->SendNotification(
                      Deadline().get(),
                      Detention(absl::StrCat("Persona ", i), absl::StrCat("3000 100", i, " 0101"),
                                cv1::INTERNATIONAL_PROTECTION_NONE),
                      &out)
                    .ok());
    names.insert(out.name());
  }
  StartNode("GT");
  auto gt = Stub("GT", "role/supervisor/user/cancilleria");
  ASSERT_TRUE(AllOpened(*gt, 20));
  std::set<std::string> cases_opened;
  for (const auto& n : Incoming(*gt)) {
    EXPECT_TRUE(names.count(n.name()));
    cases_opened.insert(n.case_());
  }
  EXPECT_EQ(cases_opened.size(), 20u);
  // And Guatemala holds exactly 20 cases: no retry made a second one.
  auto& g = federation_->member("GT");
  auto sup = g.pki->Client("spiffe://gt.enlace.example/role/supervisor/user/cancilleria");
  auto cases = cv1::CaseService::NewStub(MakeChannel(g.api_port, g.pki->ca(), &*sup));
  cv1::ListCasesRequest lc;
  lc.set_parent("countries/GT");
  lc.set_page_size(1000);
  cv1::ListCasesResponse all;
  ASSERT_TRUE(cases->ListCases(Deadline().get(), lc, &all).ok());
  EXPECT_EQ(all.cases_size(), 20);
}

// Notifications received together are opened on several lanes at once; those about one
// person (the same document) stay on one lane in order, so the person is recorded once and
// each notification still gets its own case.
TEST_F(NotificationsTest, OnePersonNotifiedThriceInOneBatchIsRecordedOnce) {
  Init({"MX", "GT"}, {"MX", "GT"});
  StartNode("MX");
  auto mx = Stub("MX", "role/supervisor/user/inm-enlace");
  // Queued while Guatemala's node is down, so they arrive and wait together.
  std::set<std::string> names;
  for (int i = 0; i < 12; ++i) {
    const bool same = i % 4 == 0;  // 0, 4, 8: one person
    nv1::Notification out;
    ASSERT_TRUE(mx->SendNotification(
                      Deadline().get(),
                      Detention(same ? "Juan Pablo" : absl::StrCat("Persona ", i),
                                same ? "2534 81234 0901" : absl::StrCat("3000 2000", i, " 0101"),
                                cv1::INTERNATIONAL_PROTECTION_NONE),
                      &out)
                    .ok());
    names.insert(out.name());
  }
  StartNode("GT");
  auto gt = Stub("GT", "role/supervisor/user/cancilleria");
  ASSERT_TRUE(AllOpened(*gt, 12));
  auto& g = federation_->member("GT");
  auto sup = g.pki->Client("spiffe://gt.enlace.example/role/supervisor/user/cancilleria");
  auto channel = MakeChannel(g.api_port, g.pki->ca(), &*sup);
  auto persons = cv1::PersonService::NewStub(channel);
  cv1::SearchPersonsRequest search;
  search.set_parent("countries/GT");
  search.mutable_document()->set_type(cv1::DOCUMENT_TYPE_NATIONAL_ID);
  search.mutable_document()->set_number("2534 81234 0901");
  search.mutable_document()->set_issuing_country("GT");
  cv1::SearchPersonsResponse found;
  ASSERT_TRUE(persons->SearchPersons(Deadline().get(), search, &found).ok());
  ASSERT_EQ(found.persons_size(), 1);
  auto cases = cv1::CaseService::NewStub(channel);
  cv1::ListCasesRequest lc;
  lc.set_parent("countries/GT");
  lc.set_page_size(1000);
  cv1::ListCasesResponse all;
  ASSERT_TRUE(cases->ListCases(Deadline().get(), lc, &all).ok());
  EXPECT_EQ(all.cases_size(), 12);
  int of_person = 0;
  for (const auto& c : all.cases()) of_person += c.person() == found.persons(0).name();
  EXPECT_EQ(of_person, 3);
}

}  // namespace
}  // namespace enlace::testing
