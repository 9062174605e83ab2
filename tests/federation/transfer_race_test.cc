// Issue 8, item 5: a case transfer versus an update of the same case. A transfer's snapshot
// (the case and its actions, sent to the receiver) must be the case's latest version when
// the transfer lock lands; after that no change is accepted. The race, forced with sync
// points on two in-process nodes:
//
//   HN's UpdateCase (or AddAction) has read the case under the registry's case lock, checked
//   that no transfer is pending, and is parked before its commit. HN's TransferCase runs.
//   Before the fix it read the case without that lock (Transfers locked its own key set):
//   it built the snapshot from the old version and committed the transfer lock, and then the
//   update committed too. The case at HN had the change; GT received a stale case.
//
// The parked writer is released as soon as the transfer has got as far as it can on its own:
// either it has built its snapshot (before the fix) or it is waiting for the case's lock.
//
// The same race with an erasure (issue 8, item 2): a transfer had read the person for its
// snapshot and was about to commit it, sealed under a new data key and linked to the person,
// while ErasePerson ran. The erasure scanned the links before the transfer's landed, so the
// snapshot's key outlived the person until the node's next start (CompleteErasures).
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "common/testing/sync_point.h"
#include "common/time/proto_time.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "enlace/transfers/v1/transfers.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "services/cases/rules.h"
#include "tests/federation/in_process_fixture.h"

namespace enlace::testing {
namespace {

namespace tv1 = ::enlace::transfers::v1;
namespace cv1 = ::enlace::cases::v1;

constexpr char kSupervisor[] = "role/supervisor/user/jefa";

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return ctx;
}

class TransferRaceTest : public InProcessFederationFixture {
 protected:
  void SetUp() override {
    Init({"HN", "GT"});
    hn_cases_ = cv1::CaseService::NewStub(Channel("HN", kSupervisor));
    hn_transfers_ = tv1::TransferService::NewStub(Channel("HN", kSupervisor));
    gt_transfers_ = tv1::TransferService::NewStub(Channel("GT", kSupervisor));
    gt_cases_ = cv1::CaseService::NewStub(Channel("GT", kSupervisor));
  }

  // An open case at HN-TAP with one action.
  cv1::Case MakeCase() {
    auto persons = cv1::PersonService::NewStub(Channel("HN", kSupervisor));
    cv1::CreatePersonRequest cp;
    cp.set_parent("countries/HN");
    auto* p = cp.mutable_person();
    p->set_given_names("Dilcia Marisol");
    p->set_family_names("Garífuna Arzú");
    p->set_sex(cv1::SEX_FEMALE);
    p->add_nationalities("HN");
    p->set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
    cv1::Person person;
    EXPECT_TRUE(persons->CreatePerson(Ctx().get(), cp, &person).ok());
    cv1::CreateCaseRequest cc;
    cc.set_parent("countries/HN");
    auto* c = cc.mutable_case_();
    c->set_person(person.name());
    c->set_post("HN-TAP");
    c->set_host_country("MX");
    c->set_place("Tapachula, Chiapas");
    c->set_category(cv1::CATEGORY_LABOUR);
    c->set_subtype(cv1::SUBTYPE_WORK_INJURY);
    c->set_legal_basis(cv1::LEGAL_BASIS_VITAL_INTEREST);
    c->set_summary("Lesión laboral en una finca cafetalera.");
    cv1::Case out;
    EXPECT_TRUE(hn_cases_->CreateCase(Ctx().get(), cc, &out).ok());
    EXPECT_TRUE(AddAction(out.name(), "ofc-1").ok());
    return out;
  }

  grpc::Status AddAction(const std::string& case_name, const std::string& officer) {
    cv1::AddActionRequest aa;
    aa.set_parent(case_name);
    aa.mutable_action()->set_type(cv1::ACTION_TYPE_HOSPITAL_VISIT);
    aa.mutable_action()->set_officer(officer);
    *aa.mutable_action()->mutable_occur_time() = enlace::ToProtoTime(absl::Now());
    aa.mutable_action()->set_outcome(cv1::ACTION_OUTCOME_COMPLETED);
    cv1::Action a;
    return hn_cases_->AddAction(Ctx().get(), aa, &a);
  }

  grpc::Status Erase(const std::string& person) {
    auto persons = cv1::PersonService::NewStub(Channel("HN", kSupervisor));
    cv1::ErasePersonRequest e;
    e.set_name(person);
    e.set_reason("Solicitud de supresión, expediente ARCO-2026-118");
    cv1::ErasePersonResponse out;
    return persons->ErasePerson(Ctx().get(), e, &out);
  }

  grpc::Status Transfer(const std::string& case_name, tv1::Transfer* t) {
    tv1::TransferCaseRequest req;
    req.set_parent("countries/HN");
    req.mutable_transfer()->set_case_(case_name);
    req.mutable_transfer()->set_to_country("GT");
    req.mutable_transfer()->set_to_post("GT-TAP");
    req.mutable_transfer()->set_reason("Asistencia mutua: sin consulado en la ciudad");
    return hn_transfers_->TransferCase(Ctx().get(), req, t);
  }

  // Parks the writer that reaches `writer_point` (after its read, before its commit) until
  // the transfer has built its snapshot or waits for the case's lock.
  void ParkWriterAt(const std::string& writer_point) {
    auto* sp = SyncPoint::GetInstance();
    sp->SetCallBack(writer_point, [this](void*) {
      writer_parked_.Notify();
      transfer_progressed_.WaitForNotificationWithTimeout(absl::Seconds(60));
    });
    // Both are passed by the one transferring thread, one after the other.
    auto progressed = [this](void*) {
      if (!transfer_progressed_.HasBeenNotified()) transfer_progressed_.Notify();
    };
    sp->SetCallBack("Registry::LockCase:Wait", progressed);
    sp->SetCallBack("Transfers::TransferCase:BeforeCommit", progressed);
    sp->EnableProcessing();
  }

  // GT's copy of the transfer, once it has arrived.
  tv1::Transfer AtGt(const std::string& name) {
    tv1::Transfer t;
    EXPECT_TRUE(WaitFor([&] {
      tv1::GetTransferRequest g;
      g.set_name(name);
      return gt_transfers_->GetTransfer(Ctx().get(), g, &t).ok();
    }));
    return t;
  }

  // Accepts at GT; returns GT's new case.
  cv1::Case AcceptAtGt(const std::string& name) {
    tv1::AcceptTransferRequest a;
    a.set_name(name);
    tv1::Transfer t;
    grpc::Status s = gt_transfers_->AcceptTransfer(Ctx().get(), a, &t);
    EXPECT_TRUE(s.ok()) << s.error_message();
    cv1::GetCaseRequest g;
    g.set_name(t.new_case());
    cv1::Case c;
    EXPECT_TRUE(gt_cases_->GetCase(Ctx().get(), g, &c).ok());
    return c;
  }

  absl::Notification writer_parked_, transfer_progressed_;
  std::unique_ptr<cv1::CaseService::Stub> hn_cases_, gt_cases_;
  std::unique_ptr<tv1::TransferService::Stub> hn_transfers_, gt_transfers_;
};

TEST_F(TransferRaceTest, UpdateBetweenSnapshotAndLockIsNotLost) {
  const cv1::Case before = MakeCase();
  const std::string updated = "Lesión laboral; la empresa niega el accidente ante el IMSS.";
  ParkWriterAt("Registry::UpdateCase:BeforeCommit");

  grpc::Status update_status;
  cv1::Case after;
  std::thread writer([&] {
    cv1::UpdateCaseRequest upd;
    *upd.mutable_case_() = before;
    upd.mutable_case_()->set_summary(updated);
    upd.mutable_update_mask()->add_paths("summary");
    update_status = hn_cases_->UpdateCase(Ctx().get(), upd, &after);
  });
  ASSERT_TRUE(writer_parked_.WaitForNotificationWithTimeout(absl::Seconds(60)));
  tv1::Transfer t;
  grpc::Status transfer_status = Transfer(before.name(), &t);
  writer.join();
  SyncPoint::GetInstance()->Reset();

  // Both were accepted, so the update came first: the snapshot must hold it.
  ASSERT_TRUE(update_status.ok()) << update_status.error_message();
  ASSERT_TRUE(transfer_status.ok()) << transfer_status.error_message();
  EXPECT_EQ(t.case_snapshot().summary(), updated) << "the transfer's snapshot is stale";
  EXPECT_EQ(t.case_snapshot().etag(), after.etag());
  const tv1::Transfer received = AtGt(t.name());
  EXPECT_EQ(received.case_snapshot().summary(), updated) << "GT received a stale case";
  EXPECT_TRUE(absl::StartsWith(AcceptAtGt(t.name()).summary(), updated));
}

TEST_F(TransferRaceTest, ActionBetweenSnapshotAndLockIsNotLost) {
  const cv1::Case c = MakeCase();  // with one action
  ParkWriterAt("Registry::AddAction:BeforeCommit");

  grpc::Status action_status;
  std::thread writer([&] { action_status = AddAction(c.name(), "ofc-2"); });
  ASSERT_TRUE(writer_parked_.WaitForNotificationWithTimeout(absl::Seconds(60)));
  tv1::Transfer t;
  grpc::Status transfer_status = Transfer(c.name(), &t);
  writer.join();
  SyncPoint::GetInstance()->Reset();

  ASSERT_TRUE(action_status.ok()) << action_status.error_message();
  ASSERT_TRUE(transfer_status.ok()) << transfer_status.error_message();
  ASSERT_EQ(t.actions_size(), 2) << "the transfer's snapshot lacks the action recorded first";
  EXPECT_EQ(t.actions(1).officer(), "ofc-2");
  EXPECT_EQ(AtGt(t.name()).actions_size(), 2) << "GT received a stale case";
}

// The transfer has read the person and holds the person's guard when the erasure arrives:
// the erasure waits for the commit, sees the snapshot's link and destroys its key at once.
TEST_F(TransferRaceTest, ErasureWhileASnapshotIsWrittenDestroysTheSnapshotAtOnce) {
  const cv1::Case c = MakeCase();
  auto* sp = SyncPoint::GetInstance();
  absl::Notification transfer_parked, erasure_arrived;
  sp->SetCallBack("Transfers::TransferCase:BeforeCommit", [&](void*) {
    transfer_parked.Notify();
    erasure_arrived.WaitForNotificationWithTimeout(absl::Seconds(60));
  });
  sp->SetCallBack("Registry::ErasePerson:WaitForGuard", [&](void*) { erasure_arrived.Notify(); });
  sp->EnableProcessing();

  tv1::Transfer t;
  grpc::Status transfer_status;
  std::thread transfer([&] { transfer_status = Transfer(c.name(), &t); });
  ASSERT_TRUE(transfer_parked.WaitForNotificationWithTimeout(absl::Seconds(60)));
  grpc::Status erase_status = Erase(c.person());
  transfer.join();
  sp->Reset();

  ASSERT_TRUE(transfer_status.ok()) << transfer_status.error_message();
  ASSERT_TRUE(erase_status.ok()) << erase_status.error_message();
  // No restart in between: the origin's snapshot is unreadable now.
  tv1::GetTransferRequest g;
  g.set_name(t.name());
  tv1::Transfer now;
  ASSERT_TRUE(hn_transfers_->GetTransfer(Ctx().get(), g, &now).ok());
  EXPECT_TRUE(now.person().given_names().empty()) << "the snapshot outlived the erasure";
  EXPECT_TRUE(now.person().family_names().empty());
  EXPECT_FALSE(NodeOf("HN").registry()->GuardPerson(c.person()).ok());
}

// The erasure holds the guard when the transfer arrives: the transfer waits and is refused,
// so no copy of the erased person is made.
TEST_F(TransferRaceTest, TransferArrivingDuringAnErasureIsRefused) {
  const cv1::Case c = MakeCase();
  auto* sp = SyncPoint::GetInstance();
  absl::Notification erasure_parked, transfer_arrived;
  sp->SetCallBack("Registry::ErasePerson:BeforeCommit", [&](void*) {
    erasure_parked.Notify();
    transfer_arrived.WaitForNotificationWithTimeout(absl::Seconds(60));
  });
  sp->SetCallBack("Registry::GuardPerson:Wait", [&](void*) { transfer_arrived.Notify(); });
  sp->EnableProcessing();

  grpc::Status erase_status;
  std::thread erasure([&] { erase_status = Erase(c.person()); });
  ASSERT_TRUE(erasure_parked.WaitForNotificationWithTimeout(absl::Seconds(60)));
  tv1::Transfer t;
  grpc::Status transfer_status = Transfer(c.name(), &t);
  erasure.join();
  sp->Reset();

  ASSERT_TRUE(erase_status.ok()) << erase_status.error_message();
  EXPECT_EQ(transfer_status.error_code(), grpc::StatusCode::FAILED_PRECONDITION)
      << transfer_status.error_message();
  tv1::ListTransfersRequest l;
  l.set_direction(tv1::DIRECTION_OUTGOING);
  tv1::ListTransfersResponse listed;
  ASSERT_TRUE(hn_transfers_->ListTransfers(Ctx().get(), l, &listed).ok());
  EXPECT_EQ(listed.transfers_size(), 0) << "a copy of an erased person was made";
}

}  // namespace
}  // namespace enlace::testing
