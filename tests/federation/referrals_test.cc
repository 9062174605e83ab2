// Referrals across two real nodes: every transition and every refusal, the revoke-versus-
// accept race (both sides always agree), minimum disclosure (no basis, withheld fields never
// leave, not even sealed in an outbox on disk), expiry purge, and a flow started while the
// receiver is down.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/time/proto_time.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "enlace/referrals/v1/referrals.grpc.pb.h"
#include "common/time/clock.h"
#include "services/cases/rules.h"
#include "tests/federation/federation_fixture.h"

namespace enlace::testing {
namespace {

namespace rv1 = ::enlace::referrals::v1;
namespace cv1 = ::enlace::cases::v1;

class ReferralsTest : public FederationFixture {
 protected:
  void SetUp() override {
    Init({"MX", "GT"}, {"MX", "GT"});
    StartNode("MX");
    StartNode("GT");
    mx_ = Stub("MX", "role/officer/post/MX-LAX/user/ana");
    gt_ = Stub("GT", "role/officer/post/GT-TAP/user/consul");
  }

  std::unique_ptr<rv1::ReferralService::Stub> Stub(const std::string& country,
                                                   const std::string& who) {
    auto& m = federation_->member(country);
    auto cert = m.pki->Client(
        absl::StrCat("spiffe://", absl::AsciiStrToLower(country), ".enlace.example/", who));
    return rv1::ReferralService::NewStub(MakeChannel(m.api_port, m.pki->ca(), &*cert));
  }

  // A case at MX-LAX whose person consented to `scopes`, withholding documents.
  std::string MakeCase(std::vector<cv1::ConsentScope> scopes, bool withdrawn = false) {
    auto& m = federation_->member("MX");
    auto cert = m.pki->Client("spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/ana");
    auto ch = MakeChannel(m.api_port, m.pki->ca(), &*cert);
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
    auto* d = p->add_documents();
    d->set_type(cv1::DOCUMENT_TYPE_PASSPORT);
    d->set_number(absl::StrCat("WITHHELD", ++counter_, "X"));
    d->set_issuing_country("MX");
    cv1::Person person;
    EXPECT_TRUE(persons->CreatePerson(Deadline().get(), cp, &person).ok());
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
    for (auto s : scopes) consent->add_scopes(s);
    consent->add_withheld_items("documents");
    *consent->mutable_obtain_time() = enlace::ToProtoTime(absl::Now() - absl::Hours(1));
    if (withdrawn) {
      *consent->mutable_withdraw_time() = enlace::ToProtoTime(absl::Now() - absl::Minutes(1));
    }
    cv1::Case out;
    grpc::Status s = cases->CreateCase(Deadline().get(), cc, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out.name();
  }

  rv1::CreateReferralRequest Referral(const std::string& case_name,
                                      std::vector<std::string> fields = {
                                          "given_names", "family_names", "birth_date"}) {
    rv1::CreateReferralRequest req;
    req.set_parent("countries/MX");
    auto* r = req.mutable_referral();
    r->set_case_(case_name);
    r->set_to_country("GT");
    r->set_to_post("GT-TAP");
    r->set_service(rv1::SERVICE_TYPE_LEGAL_AID);
    r->set_purpose("Asesoría para reclamar salarios no pagados");
    for (auto& f : fields) r->add_disclosed_fields(f);
    return req;
  }

  rv1::Referral Get(rv1::ReferralService::Stub& stub, const std::string& name) {
    rv1::GetReferralRequest g;
    g.set_name(name);
    rv1::Referral r;
    stub.GetReferral(Deadline().get(), g, &r);
    return r;
  }

  bool Reaches(rv1::ReferralService::Stub& stub, const std::string& name, rv1::State state) {
    return WaitFor([&] { return Get(stub, name).state() == state; }, absl::Seconds(30));
  }

  int counter_ = 0;
  std::unique_ptr<rv1::ReferralService::Stub> mx_, gt_;
};

TEST_F(ReferralsTest, LifecycleAndEveryInvalidTransition) {
  rv1::Referral made;
  ASSERT_TRUE(mx_->CreateReferral(Deadline().get(), Referral(MakeCase({cv1::CONSENT_SCOPE_SERVICES})),
                                  &made)
                  .ok());
  EXPECT_EQ(made.state(), rv1::STATE_PENDING);
  ASSERT_TRUE(Reaches(*gt_, made.name(), rv1::STATE_PENDING));
  const rv1::Referral received = Get(*gt_, made.name());
  EXPECT_EQ(received.person().given_names(), "Rigoberta Anaís");
  EXPECT_EQ(received.person().documents_size(), 0);
  EXPECT_TRUE(received.case_().empty());
  // The inbox of GT-TAP lists it; another post's officer sees nothing.
  rv1::ListReferralsRequest inbox;
  inbox.set_direction(rv1::DIRECTION_INCOMING);
  rv1::ListReferralsResponse list;
  ASSERT_TRUE(gt_->ListReferrals(Deadline().get(), inbox, &list).ok());
  EXPECT_EQ(list.referrals_size(), 1);
  auto gt_lax = Stub("GT", "role/officer/post/GT-LAX/user/otro");
  ASSERT_TRUE(gt_lax->ListReferrals(Deadline().get(), inbox, &list).ok());
  EXPECT_EQ(list.referrals_size(), 0);

  rv1::Referral out;
  rv1::AcceptReferralRequest accept;
  accept.set_name(made.name());
  rv1::StartReferralRequest start;
  start.set_name(made.name());
  rv1::CompleteReferralRequest complete;
  complete.set_name(made.name());
  complete.set_outcome(rv1::OUTCOME_SUCCESS);
  rv1::RevokeReferralRequest revoke;
  revoke.set_name(made.name());
  // Asked of the side that does not own the step: refused there.
  EXPECT_EQ(mx_->AcceptReferral(Deadline().get(), accept, &out).error_code(),
            grpc::FAILED_PRECONDITION);
  EXPECT_EQ(gt_->RevokeReferral(Deadline().get(), revoke, &out).error_code(),
            grpc::FAILED_PRECONDITION);
  // Out of order.
  EXPECT_EQ(gt_->StartReferral(Deadline().get(), start, &out).error_code(),
            grpc::FAILED_PRECONDITION);
  EXPECT_EQ(gt_->CompleteReferral(Deadline().get(), complete, &out).error_code(),
            grpc::FAILED_PRECONDITION);
  ASSERT_TRUE(gt_->AcceptReferral(Deadline().get(), accept, &out).ok());
  EXPECT_EQ(gt_->AcceptReferral(Deadline().get(), accept, &out).error_code(),
            grpc::FAILED_PRECONDITION);
  ASSERT_TRUE(Reaches(*mx_, made.name(), rv1::STATE_ACCEPTED));
  EXPECT_EQ(mx_->RevokeReferral(Deadline().get(), revoke, &out).error_code(),
            grpc::FAILED_PRECONDITION);  // only while pending
  ASSERT_TRUE(gt_->StartReferral(Deadline().get(), start, &out).ok());
  complete.set_outcome(rv1::OUTCOME_UNSPECIFIED);
  EXPECT_EQ(gt_->CompleteReferral(Deadline().get(), complete, &out).error_code(),
            grpc::INVALID_ARGUMENT);
  complete.set_outcome(rv1::OUTCOME_SUCCESS);
  ASSERT_TRUE(gt_->CompleteReferral(Deadline().get(), complete, &out).ok());
  ASSERT_TRUE(Reaches(*mx_, made.name(), rv1::STATE_DONE));
  EXPECT_EQ(Get(*mx_, made.name()).outcome(), rv1::OUTCOME_SUCCESS);
  rv1::RejectReferralRequest reject;
  reject.set_name(made.name());
  reject.set_outcome(rv1::OUTCOME_NO_CAPACITY);
  EXPECT_EQ(gt_->RejectReferral(Deadline().get(), reject, &out).error_code(),
            grpc::FAILED_PRECONDITION);
}

TEST_F(ReferralsTest, RevokeVersusAcceptAlwaysAgree) {
  int revoked = 0, accepted = 0;
  for (int round = 0; round < 12; ++round) {
    rv1::Referral made;
    ASSERT_TRUE(mx_->CreateReferral(Deadline().get(),
                                    Referral(MakeCase({cv1::CONSENT_SCOPE_SERVICES})), &made)
                    .ok());
    ASSERT_TRUE(Reaches(*gt_, made.name(), rv1::STATE_PENDING));
    std::thread t1([&] {
      rv1::RevokeReferralRequest r;
      r.set_name(made.name());
      rv1::Referral out;
      mx_->RevokeReferral(Deadline().get(), r, &out);
    });
    std::thread t2([&] {
      rv1::AcceptReferralRequest a;
      a.set_name(made.name());
      rv1::Referral out;
      gt_->AcceptReferral(Deadline().get(), a, &out);
    });
    t1.join();
    t2.join();
    // Wait until MX has heard the final word, then compare.
    ASSERT_TRUE(WaitFor(
        [&] {
          auto m = Get(*mx_, made.name());
          auto g = Get(*gt_, made.name());
          return !m.revoke_requested() && m.state() == g.state() &&
                 m.state() != rv1::STATE_PENDING;
        },
        absl::Seconds(30)))
        << "round " << round << ": MX " << Get(*mx_, made.name()).state() << " GT "
        << Get(*gt_, made.name()).state();
    const auto final_state = Get(*gt_, made.name()).state();
    ASSERT_TRUE(final_state == rv1::STATE_REVOKED || final_state == rv1::STATE_ACCEPTED);
    (final_state == rv1::STATE_REVOKED ? revoked : accepted)++;
  }
  std::cout << "revoke/accept race: " << revoked << " revoked, " << accepted << " accepted\n";
}

TEST_F(ReferralsTest, MinimumDisclosureAndExpiry) {
  rv1::Referral out;
  // No legal basis: the consent does not cover services, or was withdrawn.
  EXPECT_EQ(mx_->CreateReferral(Deadline().get(), Referral(MakeCase({cv1::CONSENT_SCOPE_FAMILY})),
                                &out)
                .error_code(),
            grpc::FAILED_PRECONDITION);
  EXPECT_EQ(mx_->CreateReferral(Deadline().get(),
                                Referral(MakeCase({cv1::CONSENT_SCOPE_SERVICES}), {}), &out)
                .error_code(),
            grpc::OK);
  EXPECT_EQ(mx_->CreateReferral(Deadline().get(),
                                Referral(MakeCase({cv1::CONSENT_SCOPE_SERVICES}, true)), &out)
                .error_code(),
            grpc::FAILED_PRECONDITION);
  // Withheld items and the contact never leave.
  const std::string with_doc = MakeCase({cv1::CONSENT_SCOPE_SERVICES});
  EXPECT_EQ(mx_->CreateReferral(Deadline().get(), Referral(with_doc, {"given_names", "documents"}),
                                &out)
                .error_code(),
            grpc::INVALID_ARGUMENT);
  EXPECT_EQ(mx_->CreateReferral(Deadline().get(), Referral(with_doc, {"contact"}), &out)
                .error_code(),
            grpc::INVALID_ARGUMENT);

  // Sent while GT is down: it waits (sealed) in MX's outbox, and is delivered later. GT runs
  // on a clock that this test moves (NodeConfig.testing_clock_file): the expiry falls due on
  // GT only when the test says so, however long GT takes to start on a busy machine.
  ASSERT_EQ(StopNode("GT", SIGTERM), 0);
  const std::string gt_clock = dir_ + "/gt_clock";
  const absl::Time gt_start = absl::Now();
  ASSERT_TRUE(FileClock::Write(gt_clock, gt_start));
  federation_->member("GT").config.set_testing_clock_file(gt_clock);
  const absl::Time expiry = gt_start + absl::Hours(1);  // MX checks it against its wall clock
  auto req = Referral(with_doc);
  *req.mutable_referral()->mutable_expire_time() = enlace::ToProtoTime(expiry);
  rv1::Referral made;
  ASSERT_TRUE(mx_->CreateReferral(Deadline().get(), req, &made).ok());
  StartNode("GT");
  ASSERT_TRUE(Reaches(*gt_, made.name(), rv1::STATE_PENDING));
  EXPECT_EQ(Get(*gt_, made.name()).person().given_names(), "Rigoberta Anaís");
  EXPECT_FALSE(Get(*gt_, made.name()).personal_data_purged());
  // One second before the expiry (on GT's clock) nothing is purged; GT's purge runs every
  // second, so two of its rounds pass before the clock moves on.
  ASSERT_TRUE(FileClock::Write(gt_clock, expiry - absl::Seconds(1)));
  absl::SleepFor(absl::Milliseconds(2500));
  EXPECT_FALSE(Get(*gt_, made.name()).personal_data_purged());
  EXPECT_EQ(Get(*gt_, made.name()).person().given_names(), "Rigoberta Anaís");
  // After the expiry the receiver's copy of the personal data is gone.
  ASSERT_TRUE(FileClock::Write(gt_clock, expiry + absl::Seconds(1)));
  ASSERT_TRUE(WaitFor([&] { return Get(*gt_, made.name()).personal_data_purged(); },
                      absl::Seconds(30)));
  EXPECT_TRUE(Get(*gt_, made.name()).person().given_names().empty());
  ASSERT_EQ(StopNode("GT", SIGTERM), 0);
  ASSERT_EQ(StopNode("MX", SIGTERM), 0);
  // Neither store, nor MX's outbox, ever held the withheld document number or, in clear,
  // the disclosed name.
  for (const char* c : {"MX", "GT"}) {
    const std::string files = ReadTree(federation_->member(c).config.data_dir());
    EXPECT_EQ(files.find("WITHHELD"), std::string::npos) << c;
    EXPECT_EQ(files.find("Quetzaltenango"), std::string::npos) << c;
  }
}

}  // namespace
}  // namespace enlace::testing
