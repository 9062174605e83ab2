// Case transfers across three real nodes: Honduras hands a case to Guatemala (mutual
// assistance), Guatemala accepts and becomes the only writer while Honduras keeps a
// read-only record; a declined transfer unlocks the case; a case can be transferred onward;
// a SIGKILL of the receiver mid-flow neither loses nor duplicates the case.
#include <signal.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/time/proto_time.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "enlace/transfers/v1/transfers.grpc.pb.h"
#include "services/cases/rules.h"
#include "tests/federation/federation_fixture.h"

namespace enlace::testing {
namespace {

namespace tv1 = ::enlace::transfers::v1;
namespace cv1 = ::enlace::cases::v1;

class TransfersTest : public FederationFixture {
 protected:
  void SetUp() override {
    Init({"HN", "GT", "MX"}, {"HN", "GT", "MX"});
    for (const char* c : {"HN", "GT", "MX"}) StartNode(c);
  }
  std::shared_ptr<grpc::Channel> Channel(const std::string& country, const std::string& who) {
    auto& m = federation_->member(country);
    auto cert = m.pki->Client(
        absl::StrCat("spiffe://", absl::AsciiStrToLower(country), ".enlace.example/", who));
    return MakeChannel(m.api_port, m.pki->ca(), &*cert);
  }
  std::string MakeCase(const std::string& country) {
    auto ch = Channel(country, "role/supervisor/user/jefa");
    auto persons = cv1::PersonService::NewStub(ch);
    auto cases = cv1::CaseService::NewStub(ch);
    cv1::CreatePersonRequest cp;
    cp.set_parent(absl::StrCat("countries/", country));
    auto* p = cp.mutable_person();
    p->set_given_names("Dilcia Marisol");
    p->set_family_names(absl::StrCat("Garífuna Arzú ", ++n_));
    p->set_sex(cv1::SEX_FEMALE);
    p->add_nationalities("HN");
    p->set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
    cv1::Person person;
    EXPECT_TRUE(persons->CreatePerson(Deadline().get(), cp, &person).ok());
    cv1::CreateCaseRequest cc;
    cc.set_parent(absl::StrCat("countries/", country));
    auto* c = cc.mutable_case_();
    c->set_person(person.name());
    c->set_post(absl::StrCat(country, "-TAP"));
    c->set_host_country("MX");
    c->set_place("Tapachula, Chiapas");
    c->set_category(cv1::CATEGORY_LABOUR);
    c->set_subtype(cv1::SUBTYPE_WORK_INJURY);
    c->set_legal_basis(cv1::LEGAL_BASIS_VITAL_INTEREST);
    c->set_summary("Lesión laboral en una finca cafetalera.");
    cv1::Case out;
    EXPECT_TRUE(cases->CreateCase(Deadline().get(), cc, &out).ok());
    cv1::AddActionRequest aa;
    aa.set_parent(out.name());
    aa.mutable_action()->set_type(cv1::ACTION_TYPE_HOSPITAL_VISIT);
    aa.mutable_action()->set_officer("ofc-9");
    *aa.mutable_action()->mutable_occur_time() = enlace::ToProtoTime(absl::Now());
    aa.mutable_action()->set_outcome(cv1::ACTION_OUTCOME_COMPLETED);
    cv1::Action a;
    EXPECT_TRUE(cases->AddAction(Deadline().get(), aa, &a).ok());
    return out.name();
  }
  tv1::Transfer Offer(const std::string& from, const std::string& case_name,
                      const std::string& to) {
    auto stub = tv1::TransferService::NewStub(Channel(from, "role/supervisor/user/jefa"));
    tv1::TransferCaseRequest req;
    req.set_parent(absl::StrCat("countries/", from));
    req.mutable_transfer()->set_case_(case_name);
    req.mutable_transfer()->set_to_country(to);
    req.mutable_transfer()->set_to_post(absl::StrCat(to, "-TAP"));
    req.mutable_transfer()->set_reason("Asistencia mutua: sin consulado en la ciudad");
    tv1::Transfer t;
    grpc::Status s = stub->TransferCase(Deadline().get(), req, &t);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return t;
  }
  tv1::Transfer Get(const std::string& country, const std::string& name) {
    auto stub = tv1::TransferService::NewStub(Channel(country, "role/supervisor/user/jefa"));
    tv1::GetTransferRequest g;
    g.set_name(name);
    tv1::Transfer t;
    stub->GetTransfer(Deadline().get(), g, &t);
    return t;
  }
  cv1::Case GetCase(const std::string& country, const std::string& name) {
    auto stub = cv1::CaseService::NewStub(Channel(country, "role/supervisor/user/jefa"));
    cv1::GetCaseRequest g;
    g.set_name(name);
    cv1::Case c;
    stub->GetCase(Deadline().get(), g, &c);
    return c;
  }
  int n_ = 0;
};

TEST_F(TransfersTest, AcceptedTransferMovesTheOnlyWriterAndCanGoOnward) {
  const std::string hn_case = MakeCase("HN");
  const tv1::Transfer t = Offer("HN", hn_case, "GT");
  ASSERT_TRUE(WaitFor([&] { return Get("GT", t.name()).state() == tv1::STATE_PENDING; },
                      absl::Seconds(30)));
  // While pending, the origin case is frozen.
  auto hn_cases = cv1::CaseService::NewStub(Channel("HN", "role/supervisor/user/jefa"));
  cv1::UpdateCaseRequest upd;
  *upd.mutable_case_() = GetCase("HN", hn_case);
  upd.mutable_case_()->set_risk(cv1::RISK_CRITICAL);
  upd.mutable_update_mask()->add_paths("risk");
  cv1::Case out;
  EXPECT_EQ(hn_cases->UpdateCase(Deadline().get(), upd, &out).error_code(),
            grpc::FAILED_PRECONDITION);
  // Only the receiver decides; an officer of another post cannot.
  auto gt_officer = tv1::TransferService::NewStub(
      Channel("GT", "role/officer/post/GT-TAP/user/consul"));
  auto gt_other = tv1::TransferService::NewStub(
      Channel("GT", "role/officer/post/GT-LAX/user/otro"));
  auto hn_stub = tv1::TransferService::NewStub(Channel("HN", "role/supervisor/user/jefa"));
  tv1::AcceptTransferRequest accept;
  accept.set_name(t.name());
  tv1::Transfer decided;
  EXPECT_EQ(hn_stub->AcceptTransfer(Deadline().get(), accept, &decided).error_code(),
            grpc::FAILED_PRECONDITION);
  EXPECT_EQ(gt_other->AcceptTransfer(Deadline().get(), accept, &decided).error_code(),
            grpc::PERMISSION_DENIED);
  {
    grpc::Status s = gt_officer->AcceptTransfer(Deadline().get(), accept, &decided);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  EXPECT_EQ(gt_officer->AcceptTransfer(Deadline().get(), accept, &decided).error_code(),
            grpc::FAILED_PRECONDITION);
  const std::string gt_case = decided.new_case();
  ASSERT_FALSE(gt_case.empty());
  const cv1::Case received = GetCase("GT", gt_case);
  EXPECT_EQ(received.post(), "GT-TAP");
  EXPECT_EQ(received.subtype(), cv1::SUBTYPE_WORK_INJURY);
  // Facts, not sentences: the new case names the transfer it came from.
  EXPECT_EQ(received.opened_from(), t.name());
  auto gt_cases = cv1::CaseService::NewStub(Channel("GT", "role/supervisor/user/jefa"));
  cv1::ListActionsRequest la;
  la.set_parent(gt_case);
  cv1::ListActionsResponse actions;
  ASSERT_TRUE(gt_cases->ListActions(Deadline().get(), la, &actions).ok());
  EXPECT_EQ(actions.actions_size(), 1);
  if (actions.actions_size() == 1) {
    EXPECT_TRUE(absl::StartsWith(actions.actions(0).copied_from(), hn_case + "/actions/"));
  }
  // The origin closes its copy as TRANSFERRED: read-only from now on.
  ASSERT_TRUE(WaitFor([&] { return GetCase("HN", hn_case).status() == cv1::STATUS_CLOSED; },
                      absl::Seconds(30)));
  EXPECT_EQ(GetCase("HN", hn_case).resolution(), cv1::RESOLUTION_TRANSFERRED);
  EXPECT_EQ(GetCase("HN", hn_case).transferred_to(), gt_case);
  EXPECT_EQ(Get("HN", t.name()).state(), tv1::STATE_ACCEPTED);
  EXPECT_EQ(Get("HN", t.name()).new_case(), gt_case);
  cv1::AddActionRequest aa;
  aa.set_parent(hn_case);
  aa.mutable_action()->set_type(cv1::ACTION_TYPE_PHONE_CALL);
  aa.mutable_action()->set_officer("ofc-1");
  *aa.mutable_action()->mutable_occur_time() = enlace::ToProtoTime(absl::Now());
  aa.mutable_action()->set_outcome(cv1::ACTION_OUTCOME_COMPLETED);
  cv1::Action a;
  EXPECT_EQ(hn_cases->AddAction(Deadline().get(), aa, &a).error_code(),
            grpc::FAILED_PRECONDITION);
  aa.set_parent(gt_case);
  EXPECT_TRUE(gt_cases->AddAction(Deadline().get(), aa, &a).ok());  // the new writer
  // Onward: Guatemala hands it to Mexico.
  const tv1::Transfer onward = Offer("GT", gt_case, "MX");
  ASSERT_TRUE(WaitFor([&] { return Get("MX", onward.name()).state() == tv1::STATE_PENDING; },
                      absl::Seconds(30)));
  auto mx = tv1::TransferService::NewStub(Channel("MX", "role/supervisor/user/jefa"));
  accept.set_name(onward.name());
  ASSERT_TRUE(mx->AcceptTransfer(Deadline().get(), accept, &decided).ok());
  ASSERT_TRUE(WaitFor([&] { return GetCase("GT", gt_case).status() == cv1::STATUS_CLOSED; },
                      absl::Seconds(30)));
  EXPECT_EQ(GetCase("MX", decided.new_case()).post(), "MX-TAP");
}

TEST_F(TransfersTest, DeclinedTransferUnlocksAndKilledReceiverNeverDuplicates) {
  const std::string hn_case = MakeCase("HN");
  const tv1::Transfer t = Offer("HN", hn_case, "GT");
  ASSERT_TRUE(WaitFor([&] { return Get("GT", t.name()).state() == tv1::STATE_PENDING; },
                      absl::Seconds(30)));
  auto gt = tv1::TransferService::NewStub(Channel("GT", "role/supervisor/user/jefa"));
  tv1::DeclineTransferRequest decline;
  decline.set_name(t.name());
  tv1::Transfer decided;
  EXPECT_EQ(gt->DeclineTransfer(Deadline().get(), decline, &decided).error_code(),
            grpc::INVALID_ARGUMENT);  // a reason is required
  decline.set_reason("Sin capacidad en Tapachula esta semana");
  ASSERT_TRUE(gt->DeclineTransfer(Deadline().get(), decline, &decided).ok());
  EXPECT_TRUE(decided.person().given_names().empty()) << "declined: no personal data kept";
  ASSERT_TRUE(WaitFor([&] { return Get("HN", t.name()).state() == tv1::STATE_DECLINED; },
                      absl::Seconds(30)));
  // Unlocked: the owner can change the case again (once the decision is settled).
  auto hn_cases = cv1::CaseService::NewStub(Channel("HN", "role/supervisor/user/jefa"));
  ASSERT_TRUE(WaitFor(
      [&] {
        cv1::UpdateCaseRequest upd;
        *upd.mutable_case_() = GetCase("HN", hn_case);
        upd.mutable_case_()->set_risk(cv1::RISK_CRITICAL);
        upd.mutable_update_mask()->add_paths("risk");
        cv1::Case out;
        return hn_cases->UpdateCase(Deadline().get(), upd, &out).ok();
      },
      absl::Seconds(30)));

  // Offered again; the receiver is killed right after accepting, and restarted.
  const tv1::Transfer again = Offer("HN", hn_case, "GT");
  ASSERT_TRUE(WaitFor([&] { return Get("GT", again.name()).state() == tv1::STATE_PENDING; },
                      absl::Seconds(30)));
  tv1::AcceptTransferRequest accept;
  accept.set_name(again.name());
  ASSERT_TRUE(gt->AcceptTransfer(Deadline().get(), accept, &decided).ok());
  ASSERT_EQ(StopNode("GT", SIGKILL), 128 + SIGKILL);
  StartNode("GT");
  ASSERT_TRUE(WaitFor([&] { return GetCase("HN", hn_case).status() == cv1::STATUS_CLOSED; },
                      absl::Seconds(60)));
  // Exactly one case at GT for it.
  auto gt_cases = cv1::CaseService::NewStub(Channel("GT", "role/supervisor/user/jefa"));
  cv1::ListCasesRequest lc;
  lc.set_parent("countries/GT");
  cv1::ListCasesResponse all;
  ASSERT_TRUE(gt_cases->ListCases(Deadline().get(), lc, &all).ok());
  EXPECT_EQ(all.cases_size(), 1);
}

}  // namespace
}  // namespace enlace::testing
