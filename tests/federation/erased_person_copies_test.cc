// Attack (issue 8, item 2, "Erasure leaves copies"): after ErasePerson, the person's data
// lived on in the copies sealed under keys of their own -- the referral and transfer
// snapshot at the origin, the copies received by another member, the notification that
// opened the case -- and an erased person's cases still took new personal text. Invariant 9:
// every copy dies with the person, members that received a disclosure are told, and an erased
// person's cases refuse personal text (FAILED_PRECONDITION naming the field).
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/time/proto_time.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "enlace/notifications/v1/notifications.grpc.pb.h"
#include "enlace/referrals/v1/referrals.grpc.pb.h"
#include "enlace/transfers/v1/transfers.grpc.pb.h"
#include "services/cases/rules.h"
#include "services/node/node.h"
#include "tests/federation/federation_fixture.h"

namespace enlace::testing {
namespace {

namespace cv1 = ::enlace::cases::v1;
namespace nv1 = ::enlace::notifications::v1;
namespace rv1 = ::enlace::referrals::v1;
namespace tv1 = ::enlace::transfers::v1;
namespace fs = std::filesystem;

constexpr char kGiven[] = "Wenceslao Yahir";
constexpr char kFamily[] = "Quetzalcóatl Tepox";
constexpr char kDoc[] = "G77001122";
constexpr char kSummary[] = "Accidente en la obra; la esposa vive en Puebla.";

class ErasedPersonCopiesTest : public FederationFixture {
 protected:
  std::shared_ptr<grpc::Channel> Channel(const std::string& country,
                                         const std::string& who = "role/supervisor/user/jefa") {
    auto& m = federation_->member(country);
    auto cert = m.pki->Client(
        absl::StrCat("spiffe://", absl::AsciiStrToLower(country), ".enlace.example/", who));
    return MakeChannel(m.api_port, m.pki->ca(), &*cert);
  }
  cv1::Person MakePerson(const std::string& country) {
    auto persons = cv1::PersonService::NewStub(Channel(country));
    cv1::CreatePersonRequest cp;
    cp.set_parent(absl::StrCat("countries/", country));
    auto* p = cp.mutable_person();
    p->set_given_names(kGiven);
    p->set_family_names(kFamily);
    p->set_sex(cv1::SEX_MALE);
    p->set_birth_date("1988-02-29");
    p->add_nationalities(country);
    p->set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
    auto* d = p->add_documents();
    d->set_type(cv1::DOCUMENT_TYPE_PASSPORT);
    d->set_number(kDoc);
    d->set_issuing_country(country);
    cv1::Person person;
    grpc::Status s = persons->CreatePerson(Deadline().get(), cp, &person);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return person;
  }
  cv1::Case MakeCase(const std::string& country, const cv1::Person& person) {
    auto cases = cv1::CaseService::NewStub(Channel(country));
    cv1::CreateCaseRequest cc;
    cc.set_parent(absl::StrCat("countries/", country));
    auto* c = cc.mutable_case_();
    c->set_person(person.name());
    c->set_post(absl::StrCat(country, "-LAX"));
    c->set_host_country("US");
    c->set_place("Los Ángeles, California");
    c->set_category(cv1::CATEGORY_LABOUR);
    c->set_subtype(cv1::SUBTYPE_WORK_INJURY);
    c->set_legal_basis(cv1::LEGAL_BASIS_VITAL_INTEREST);
    c->set_summary(kSummary);
    cv1::Case out;
    grpc::Status s = cases->CreateCase(Deadline().get(), cc, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  tv1::Transfer GetTransfer(const std::string& country, const std::string& name) {
    tv1::GetTransferRequest g;
    g.set_name(name);
    tv1::Transfer t;
    tv1::TransferService::NewStub(Channel(country))->GetTransfer(Deadline().get(), g, &t);
    return t;
  }
  rv1::Referral GetReferral(const std::string& country, const std::string& name) {
    rv1::GetReferralRequest g;
    g.set_name(name);
    rv1::Referral r;
    rv1::ReferralService::NewStub(Channel(country))->GetReferral(Deadline().get(), g, &r);
    return r;
  }
  grpc::Status Erase(const std::string& country, const std::string& person) {
    cv1::ErasePersonRequest e;
    e.set_name(person);
    e.set_reason("Solicitud de supresión del titular, oficio 77/2026");
    cv1::ErasePersonResponse out;
    return cv1::PersonService::NewStub(Channel(country))->ErasePerson(Deadline().get(), e, &out);
  }
};

bool NoPersonalFields(const cv1::Person& p) {
  return p.given_names().empty() && p.family_names().empty() && p.birth_date().empty() &&
         p.documents_size() == 0;
}

TEST_F(ErasedPersonCopiesTest, ErasedPersonsReferralAndTransferCopiesAreUnreadable) {
  Init({"MX", "GT"}, {"MX", "GT"});
  StartNode("MX");
  StartNode("GT");
  const cv1::Person person = MakePerson("MX");
  const cv1::Case accepted_case = MakeCase("MX", person);
  const cv1::Case pending_case = MakeCase("MX", person);

  // A referral of the person to GT, disclosing names, birth date, document and summary.
  rv1::CreateReferralRequest cr;
  cr.set_parent("countries/MX");
  cr.mutable_referral()->set_case_(pending_case.name());
  cr.mutable_referral()->set_to_country("GT");
  cr.mutable_referral()->set_to_post("GT-TAP");
  cr.mutable_referral()->set_service(rv1::SERVICE_TYPE_LEGAL_AID);
  for (const char* f : {"given_names", "family_names", "birth_date", "documents", "summary"}) {
    cr.mutable_referral()->add_disclosed_fields(f);
  }
  rv1::Referral referral;
  {
    grpc::Status s = rv1::ReferralService::NewStub(Channel("MX"))
                         ->CreateReferral(Deadline().get(), cr, &referral);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  // Two transfers to GT: one GT accepts (the case is GT's then), one left pending.
  auto transfer = [&](const cv1::Case& c) {
    tv1::TransferCaseRequest req;
    req.set_parent("countries/MX");
    req.mutable_transfer()->set_case_(c.name());
    req.mutable_transfer()->set_to_country("GT");
    req.mutable_transfer()->set_to_post("GT-TAP");
    req.mutable_transfer()->set_reason("Asistencia mutua");
    tv1::Transfer t;
    grpc::Status s = tv1::TransferService::NewStub(Channel("MX"))
                         ->TransferCase(Deadline().get(), req, &t);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return t;
  };
  const tv1::Transfer accepted = transfer(accepted_case);
  const tv1::Transfer pending = transfer(pending_case);
  ASSERT_TRUE(WaitFor([&] {
    return GetTransfer("GT", accepted.name()).state() == tv1::STATE_PENDING &&
           GetTransfer("GT", pending.name()).state() == tv1::STATE_PENDING &&
           GetReferral("GT", referral.name()).person().given_names() == kGiven;
  }, absl::Seconds(60)));
  tv1::AcceptTransferRequest accept;
  accept.set_name(accepted.name());
  tv1::Transfer decided;
  {
    grpc::Status s = tv1::TransferService::NewStub(Channel("GT"))
                         ->AcceptTransfer(Deadline().get(), accept, &decided);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  ASSERT_TRUE(WaitFor([&] {
    return GetTransfer("MX", accepted.name()).state() == tv1::STATE_ACCEPTED;
  }, absl::Seconds(60)));
  // Before the erasure the copies are readable (the test sees what it then expects gone).
  ASSERT_EQ(GetTransfer("MX", pending.name()).person().given_names(), kGiven);
  ASSERT_EQ(GetReferral("MX", referral.name()).person().given_names(), kGiven);

  {
    grpc::Status s = Erase("MX", person.name());
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // At the origin: no copy reads back a personal field.
  for (const auto& name : {accepted.name(), pending.name()}) {
    const tv1::Transfer t = GetTransfer("MX", name);
    ASSERT_FALSE(t.name().empty());
    EXPECT_TRUE(NoPersonalFields(t.person())) << name << ": " << t.person().ShortDebugString();
    EXPECT_TRUE(t.case_snapshot().summary().empty()) << name;
    EXPECT_EQ(t.actions_size(), 0);
  }
  const rv1::Referral r_mx = GetReferral("MX", referral.name());
  ASSERT_FALSE(r_mx.name().empty());
  EXPECT_TRUE(NoPersonalFields(r_mx.person())) << r_mx.person().ShortDebugString();
  EXPECT_TRUE(r_mx.summary().empty());

  // The receiver was told: its referral copy and its un-accepted transfer copy are purged
  // (the pending transfer is declined, so the origin's case is unlocked)...
  EXPECT_TRUE(WaitFor([&] {
    const rv1::Referral r = GetReferral("GT", referral.name());
    return r.personal_data_purged() && NoPersonalFields(r.person()) && r.summary().empty();
  }, absl::Seconds(60))) << GetReferral("GT", referral.name()).ShortDebugString();
  EXPECT_TRUE(WaitFor([&] {
    const tv1::Transfer t = GetTransfer("GT", pending.name());
    return t.state() == tv1::STATE_DECLINED && NoPersonalFields(t.person()) &&
           t.case_snapshot().summary().empty() && t.actions_size() == 0;
  }, absl::Seconds(60))) << GetTransfer("GT", pending.name()).ShortDebugString();
  EXPECT_TRUE(WaitFor([&] {
    return GetTransfer("MX", pending.name()).state() == tv1::STATE_DECLINED;
  }, absl::Seconds(60)));
  // ...while the transfer it accepted is its own case now, and stays.
  const tv1::Transfer kept = GetTransfer("GT", accepted.name());
  EXPECT_EQ(kept.state(), tv1::STATE_ACCEPTED);
  EXPECT_EQ(kept.person().given_names(), kGiven);
  cv1::GetCaseRequest gc;
  gc.set_name(decided.new_case());
  cv1::Case gt_case;
  ASSERT_TRUE(cv1::CaseService::NewStub(Channel("GT"))->GetCase(Deadline().get(), gc, &gt_case)
                  .ok());
  EXPECT_FALSE(gt_case.summary().empty());
}

TEST_F(ErasedPersonCopiesTest, ErasedPersonsNotificationCopyIsUnreadable) {
  Init({"MX", "GT"}, {"MX", "GT"});
  StartNode("MX");
  StartNode("GT");
  nv1::SendNotificationRequest req;
  req.set_parent("countries/MX");
  auto* n = req.mutable_notification();
  n->set_national_country("GT");
  n->set_event(nv1::EVENT_IMMIGRATION_DETENTION);
  auto* p = n->mutable_person();
  p->set_given_names(kGiven);
  p->set_family_names(kFamily);
  p->set_sex(cv1::SEX_MALE);
  p->set_birth_date("1988");
  p->add_nationalities("GT");
  p->set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
  auto* d = p->add_documents();
  d->set_type(cv1::DOCUMENT_TYPE_NATIONAL_ID);
  d->set_number(kDoc);
  d->set_issuing_country("GT");
  n->set_place("Estación migratoria Siglo XXI, Tapachula");
  n->set_area("MX-CHP");
  n->set_authority("Instituto Nacional de Migración");
  *n->mutable_event_time() = enlace::ToProtoTime(absl::Now() - absl::Hours(3));
  n->set_consular_contact(nv1::CONSULAR_CONTACT_REQUESTED);
  nv1::Notification sent;
  {
    grpc::Status s = nv1::NotificationService::NewStub(Channel("MX"))
                         ->SendNotification(Deadline().get(), req, &sent);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  auto gt = nv1::NotificationService::NewStub(Channel("GT"));
  nv1::GetNotificationRequest g;
  g.set_name(sent.name());
  nv1::Notification received;
  ASSERT_TRUE(WaitFor([&] {
    return gt->GetNotification(Deadline().get(), g, &received).ok() && !received.case_().empty();
  }, absl::Seconds(60)));
  ASSERT_EQ(received.person().given_names(), kGiven);
  cv1::GetCaseRequest gc;
  gc.set_name(received.case_());
  cv1::Case gt_case;
  ASSERT_TRUE(cv1::CaseService::NewStub(Channel("GT"))->GetCase(Deadline().get(), gc, &gt_case)
                  .ok());
  {
    grpc::Status s = Erase("GT", gt_case.person());
    ASSERT_TRUE(s.ok()) << s.error_message();
  }
  nv1::Notification after;
  ASSERT_TRUE(gt->GetNotification(Deadline().get(), g, &after).ok());
  EXPECT_TRUE(NoPersonalFields(after.person())) << after.person().ShortDebugString();
  // Acknowledging the copy afterwards re-creates nothing.
  nv1::AcknowledgeNotificationRequest ack;
  ack.set_name(sent.name());
  ASSERT_TRUE(gt->AcknowledgeNotification(Deadline().get(), ack, &after).ok());
  ASSERT_TRUE(gt->GetNotification(Deadline().get(), g, &after).ok());
  EXPECT_TRUE(NoPersonalFields(after.person())) << after.person().ShortDebugString();
}

TEST_F(ErasedPersonCopiesTest, NoPersonalTextStoredForErasedPersonAfterUpdates) {
  Init({"MX"}, {"MX"});
  StartNode("MX");
  const cv1::Person person = MakePerson("MX");
  const cv1::Case kase = MakeCase("MX", person);
  ASSERT_TRUE(Erase("MX", person.name()).ok());
  auto cases = cv1::CaseService::NewStub(Channel("MX"));
  cv1::GetCaseRequest gc;
  gc.set_name(kase.name());
  cv1::Case current;
  ASSERT_TRUE(cases->GetCase(Deadline().get(), gc, &current).ok());
  ASSERT_TRUE(current.summary().empty());

  // Personal text is refused, naming the field...
  cv1::UpdateCaseRequest upd;
  *upd.mutable_case_() = current;
  upd.mutable_case_()->set_summary("SECRETO-RESUMEN-tras-supresion");
  upd.mutable_update_mask()->add_paths("summary");
  cv1::Case out;
  grpc::Status s = cases->UpdateCase(Deadline().get(), upd, &out);
  EXPECT_EQ(s.error_code(), grpc::FAILED_PRECONDITION) << s.error_message();
  EXPECT_NE(s.error_message().find("case.summary"), std::string::npos) << s.error_message();
  EXPECT_TRUE(out.summary().empty());
  cv1::AddActionRequest aa;
  aa.set_parent(kase.name());
  aa.mutable_action()->set_type(cv1::ACTION_TYPE_HOSPITAL_VISIT);
  aa.mutable_action()->set_officer("ofc-9");
  *aa.mutable_action()->mutable_occur_time() = enlace::ToProtoTime(absl::Now());
  aa.mutable_action()->set_outcome(cv1::ACTION_OUTCOME_COMPLETED);
  aa.mutable_action()->set_note("SECRETO-NOTA-tras-supresion");
  cv1::Action action;
  s = cases->AddAction(Deadline().get(), aa, &action);
  EXPECT_EQ(s.error_code(), grpc::FAILED_PRECONDITION) << s.error_message();
  EXPECT_NE(s.error_message().find("action.note"), std::string::npos) << s.error_message();

  // ...non-personal casework goes on.
  ASSERT_TRUE(cases->GetCase(Deadline().get(), gc, &current).ok());
  *upd.mutable_case_() = current;
  upd.mutable_case_()->set_risk(cv1::RISK_CRITICAL);
  upd.mutable_update_mask()->Clear();
  upd.mutable_update_mask()->add_paths("risk");
  s = cases->UpdateCase(Deadline().get(), upd, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  aa.mutable_action()->clear_note();
  s = cases->AddAction(Deadline().get(), aa, &action);
  ASSERT_TRUE(s.ok()) << s.error_message();
  cv1::CloseCaseRequest close;
  close.set_name(kase.name());
  close.set_resolution(cv1::RESOLUTION_RESOLVED);
  close.set_resolution_note("SECRETO-CIERRE-tras-supresion");
  s = cases->CloseCase(Deadline().get(), close, &out);
  EXPECT_EQ(s.error_code(), grpc::FAILED_PRECONDITION) << s.error_message();
  EXPECT_NE(s.error_message().find("resolution_note"), std::string::npos) << s.error_message();
  close.clear_resolution_note();
  s = cases->CloseCase(Deadline().get(), close, &out);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(out.summary().empty() && out.resolution_note().empty());
  ASSERT_EQ(StopNode("MX", SIGTERM), 0);

  // The raw store: no column family holds the text, nor does any file (WAL, SST, vault).
  const std::string data_dir = federation_->member("MX").config.data_dir();
  {
    auto options = node::NodeStoreOptions(data_dir);
    auto store = storage::Store::Open(options);
    ASSERT_TRUE(store.ok()) << store.status();
    std::vector<std::string> families = options.column_families;
    families.insert(families.end(), options.counter_families.begin(),
                    options.counter_families.end());
    for (const auto& cf : families) {
      for (auto it = (*store)->ScanPrefix((*store)->cf(cf), ""); it->Valid(); it->Next()) {
        const std::string kv = absl::StrCat(it->key(), "=", it->value());
        EXPECT_EQ(kv.find("SECRETO"), std::string::npos) << cf;
        EXPECT_EQ(kv.find(kSummary), std::string::npos) << cf;
      }
    }
  }
  const std::string tree = ReadTree(data_dir);
  EXPECT_EQ(tree.find("SECRETO"), std::string::npos);
}

}  // namespace
}  // namespace enlace::testing
