// Issue 8, item 5: AcceptReferral versus RevokeReferral. The receiving node is the single
// writer of a referral's state and decides revokes; an accept that returned OK must be the
// state both sides end in. The race, forced with sync points on two in-process nodes:
//
//   GT's inbox applies MX's revoke envelope: the handler reads the referral (PENDING) and
//   stages its effect in the inbox's transaction, which commits only after the handler
//   returns. While it is parked there, GT's officer accepts: ACCEPTED is committed and
//   returned. Before the fix the inbox then committed the revoke decision taken from its
//   stale read (REVOKED over ACCEPTED), and told MX so: both sides ended REVOKED.
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/testing/sync_point.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "enlace/referrals/v1/referrals.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "services/cases/rules.h"
#include "tests/federation/in_process_fixture.h"

namespace enlace::testing {
namespace {

namespace rv1 = ::enlace::referrals::v1;
namespace cv1 = ::enlace::cases::v1;

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return ctx;
}

class ReferralRaceTest : public InProcessFederationFixture {
 protected:
  void SetUp() override {
    Init({"MX", "GT"});
    mx_ = rv1::ReferralService::NewStub(Channel("MX", "role/officer/post/MX-LAX/user/ana"));
    gt_ = rv1::ReferralService::NewStub(Channel("GT", "role/officer/post/GT-TAP/user/consul"));
  }

  // A referral MX-LAX -> GT-TAP that GT holds as PENDING.
  std::string PendingReferral() {
    auto ch = Channel("MX", "role/officer/post/MX-LAX/user/ana");
    auto persons = cv1::PersonService::NewStub(ch);
    auto cases = cv1::CaseService::NewStub(ch);
    cv1::CreatePersonRequest cp;
    cp.set_parent("countries/MX");
    auto* p = cp.mutable_person();
    p->set_given_names("Rigoberta Anaís");
    p->set_family_names("Quetzaltenango Pérez");
    p->set_sex(cv1::SEX_FEMALE);
    p->set_birth_date("1991-08-02");
    p->add_nationalities("MX");
    p->set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
    cv1::Person person;
    EXPECT_TRUE(persons->CreatePerson(Ctx().get(), cp, &person).ok());
    cv1::CreateCaseRequest cc;
    cc.set_parent("countries/MX");
    auto* c = cc.mutable_case_();
    c->set_person(person.name());
    c->set_post("MX-LAX");
    c->set_host_country("US");
    c->set_place("Los Angeles, California");
    c->set_category(cv1::CATEGORY_LABOUR);
    c->set_subtype(cv1::SUBTYPE_UNPAID_WAGES);
    c->set_legal_basis(cv1::LEGAL_BASIS_VITAL_INTEREST);
    cv1::Case made_case;
    EXPECT_TRUE(cases->CreateCase(Ctx().get(), cc, &made_case).ok());
    rv1::CreateReferralRequest req;
    req.set_parent("countries/MX");
    auto* r = req.mutable_referral();
    r->set_case_(made_case.name());
    r->set_to_country("GT");
    r->set_to_post("GT-TAP");
    r->set_service(rv1::SERVICE_TYPE_LEGAL_AID);
    r->set_purpose("Asesoría para reclamar salarios no pagados");
    r->add_disclosed_fields("given_names");
    rv1::Referral made;
    grpc::Status s = mx_->CreateReferral(Ctx().get(), req, &made);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(WaitFor([&] { return Get(*gt_, made.name()).state() == rv1::STATE_PENDING; }));
    return made.name();
  }

  rv1::Referral Get(rv1::ReferralService::Stub& stub, const std::string& name) {
    rv1::GetReferralRequest g;
    g.set_name(name);
    rv1::Referral r;
    stub.GetReferral(Ctx().get(), g, &r);
    return r;
  }

  // Until MX has applied everything GT has queued for it, `at_least` envelopes in all.
  bool MxHeardFromGt(uint64_t at_least) {
    return WaitFor([&] {
      const uint64_t queued = Peer("GT", "MX").last_seq_queued();
      return queued >= at_least && Peer("MX", "GT").inbound_applied_seq() >= queued;
    });
  }

  std::unique_ptr<rv1::ReferralService::Stub> mx_, gt_;
};

TEST_F(ReferralRaceTest, AcceptReturnedOkNeverEndsRevoked) {
  const std::string name = PendingReferral();
  auto* sp = SyncPoint::GetInstance();
  absl::Notification revoke_in_handler, accept_returned;
  // Park GT's inbox inside the revoke handler (its transaction not yet committed) until the
  // accept has returned.
  sp->SetCallBack("Referrals::Apply:Revoke", [&](void*) {
    revoke_in_handler.Notify();
    accept_returned.WaitForNotificationWithTimeout(absl::Seconds(60));
  });
  sp->EnableProcessing();

  rv1::RevokeReferralRequest revoke;
  revoke.set_name(name);
  rv1::Referral out;
  ASSERT_TRUE(mx_->RevokeReferral(Ctx().get(), revoke, &out).ok());
  ASSERT_TRUE(revoke_in_handler.WaitForNotificationWithTimeout(absl::Seconds(60)));
  const uint64_t gt_queued_before = Peer("GT", "MX").last_seq_queued();

  rv1::AcceptReferralRequest accept;
  accept.set_name(name);
  rv1::Referral accepted;
  grpc::Status s = gt_->AcceptReferral(Ctx().get(), accept, &accepted);
  accept_returned.Notify();
  sp->Reset();  // waits for the parked handler to return; the inbox then commits
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(accepted.state(), rv1::STATE_ACCEPTED);

  // GT's inbox has committed the revoke and GT has answered it (two envelopes to MX since
  // the parking: the accept's update and the revoke's decision); MX has applied both.
  ASSERT_TRUE(WaitFor([&] { return Peer("GT", "MX").last_seq_queued() >= gt_queued_before + 2; }))
      << "GT never answered the revoke";
  ASSERT_TRUE(MxHeardFromGt(gt_queued_before + 2));
  const rv1::Referral at_gt = Get(*gt_, name);
  const rv1::Referral at_mx = Get(*mx_, name);
  EXPECT_EQ(at_gt.state(), rv1::STATE_ACCEPTED) << "AcceptReferral returned OK (ACCEPTED)";
  EXPECT_EQ(at_mx.state(), rv1::STATE_ACCEPTED);
  EXPECT_FALSE(at_mx.revoke_requested());
}

TEST_F(ReferralRaceTest, AcceptAfterRevokeArrivedFailsAndBothEndRevoked) {
  const std::string name = PendingReferral();
  auto* sp = SyncPoint::GetInstance();
  absl::Notification revoke_recorded, accept_returned;
  // GT's worker finds the revoke request (so it is committed) and is parked before it
  // decides; the accept arrives in between.
  sp->SetCallBack("Referrals::DecidePendingRevokes:Found", [&](void*) {
    revoke_recorded.Notify();
    accept_returned.WaitForNotificationWithTimeout(absl::Seconds(60));
  });
  sp->EnableProcessing();
  const uint64_t gt_queued_before = Peer("GT", "MX").last_seq_queued();

  rv1::RevokeReferralRequest revoke;
  revoke.set_name(name);
  rv1::Referral out;
  ASSERT_TRUE(mx_->RevokeReferral(Ctx().get(), revoke, &out).ok());
  ASSERT_TRUE(revoke_recorded.WaitForNotificationWithTimeout(absl::Seconds(60)))
      << "the revoke request was never recorded for a decision";

  rv1::AcceptReferralRequest accept;
  accept.set_name(name);
  rv1::Referral accepted;
  grpc::Status s = gt_->AcceptReferral(Ctx().get(), accept, &accepted);
  accept_returned.Notify();
  sp->Reset();
  EXPECT_EQ(s.error_code(), grpc::FAILED_PRECONDITION) << s.error_message();

  ASSERT_TRUE(MxHeardFromGt(gt_queued_before + 1));
  EXPECT_EQ(Get(*gt_, name).state(), rv1::STATE_REVOKED);
  const rv1::Referral at_mx = Get(*mx_, name);
  EXPECT_EQ(at_mx.state(), rv1::STATE_REVOKED);
  EXPECT_FALSE(at_mx.revoke_requested());
  // One answer, from the accept's own decision: the released worker found nothing to decide.
  EXPECT_EQ(Peer("GT", "MX").last_seq_queued(), gt_queued_before + 1);
}

}  // namespace
}  // namespace enlace::testing
