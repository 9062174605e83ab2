// Employers' complaint history across real node processes: a Mexican and a Guatemalan worker
// of the same Illinois employer each win a verified claim; every member then sees both
// members' counts for that employer, a newer report replaces the older one, and a member that
// joins later receives every member's newest report. Then the
// attack: a peer (played by the test with MX's real certificate and signing key) writes
// Guatemala's counts, or sends a malformed report; both are quarantined and change nothing.
#include <signal.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/signing.h"
#include "common/pki/pki.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "enlace/federation/v1/federation.grpc.pb.h"
#include "enlace/workers/v1/workers.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "services/node/node.h"
#include "tests/federation/federation_fixture.h"

namespace enlace::testing {
namespace {

namespace wv1 = ::enlace::workers::v1;
namespace cv1 = ::enlace::cases::v1;
namespace fv1 = ::enlace::federation::v1;

constexpr char kEmployer[] = "H-300-26012-123456";

class WorkersFederationTest : public FederationFixture {
 protected:
  std::shared_ptr<grpc::Channel> Channel(const std::string& country, const std::string& who) {
    auto& m = federation_->member(country);
    auto cert = m.pki->Client(
        absl::StrCat("spiffe://", absl::AsciiStrToLower(country), ".enlace.example/", who));
    return MakeChannel(m.api_port, m.pki->ca(), &*cert);
  }
  std::unique_ptr<wv1::TemporaryWorkersService::Stub> Workers(const std::string& country) {
    return wv1::TemporaryWorkersService::NewStub(
        Channel(country, "role/supervisor/user/laboral"));
  }

  // A worker of `country` at its Chicago post with a labour case, a contract with kEmployer
  // and an unpaid-wages claim, documented and verified by a supervisor.
  void VerifiedClaim(const std::string& country) {
    const std::string parent = absl::StrCat("countries/", country);
    auto persons = cv1::PersonService::NewStub(Channel(country, "role/supervisor/user/jefa"));
    auto cases = cv1::CaseService::NewStub(Channel(country, "role/supervisor/user/jefa"));
    cv1::CreatePersonRequest cp;
    cp.set_parent(parent);
    auto* p = cp.mutable_person();
    p->set_given_names("Trabajador");
    p->set_family_names(country == "MX" ? "Ramírez" : "Tzul");
    p->set_sex(cv1::SEX_MALE);
    p->set_birth_date("1990");
    p->add_nationalities(country);
    p->set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
    cv1::Person person;
    ASSERT_TRUE(persons->CreatePerson(Deadline().get(), cp, &person).ok());
    cv1::CreateCaseRequest cc;
    cc.set_parent(parent);
    auto* c = cc.mutable_case_();
    c->set_person(person.name());
    c->set_post(absl::StrCat(country, "-CHI"));
    c->set_host_country("US");
    c->set_place("Kankakee, Illinois");
    c->set_category(cv1::CATEGORY_LABOUR);
    c->set_subtype(cv1::SUBTYPE_UNPAID_WAGES);
    c->set_legal_basis(cv1::LEGAL_BASIS_VITAL_INTEREST);
    cv1::Case kase;
    grpc::Status s = cases->CreateCase(Deadline().get(), cc, &kase);
    ASSERT_TRUE(s.ok()) << s.error_message();

    auto workers = Workers(country);
    wv1::CreateEmploymentRequest ce;
    ce.set_parent(parent);
    auto* e = ce.mutable_employment();
    e->set_person(person.name());
    e->set_post(absl::StrCat(country, "-CHI"));
    e->set_programme(wv1::PROGRAMME_US_H2A);
    e->set_permit_number("H2A-1");
    e->mutable_employer()->set_name("Prairie Sweet Corn LLC");
    e->mutable_employer()->set_registry_id(kEmployer);
    e->mutable_employer()->set_worksite_area("US-IL");
    e->mutable_contract()->set_start_date("2026-05-01");
    e->mutable_contract()->mutable_wage()->set_currency_code("USD");
    e->mutable_contract()->mutable_wage()->set_amount_minor(1700);
    e->mutable_contract()->set_wage_unit(wv1::WAGE_UNIT_HOUR);
    wv1::Employment employment;
    s = workers->CreateEmployment(Deadline().get(), ce, &employment);
    ASSERT_TRUE(s.ok()) << s.error_message();
    wv1::CreateLabourClaimRequest cl;
    cl.set_parent(parent);
    auto* claim = cl.mutable_claim();
    claim->set_case_(kase.name());
    claim->set_employment(employment.name());
    claim->set_type(wv1::CLAIM_TYPE_UNPAID_WAGES);
    claim->set_forum(wv1::FORUM_LABOUR_AGENCY);
    claim->mutable_claimed()->set_currency_code("USD");
    claim->mutable_claimed()->set_amount_minor(250000);
    wv1::LabourClaim out;
    ASSERT_TRUE(workers->CreateLabourClaim(Deadline().get(), cl, &out).ok());
    wv1::AdvanceLabourClaimRequest adv;
    adv.set_name(out.name());
    adv.set_etag(out.etag());
    adv.set_to(wv1::CLAIM_STATUS_DOCUMENTED);
    ASSERT_TRUE(workers->AdvanceLabourClaim(Deadline().get(), adv, &out).ok());
    wv1::VerifyLabourClaimRequest v;
    v.set_name(out.name());
    v.set_etag(out.etag());
    s = workers->VerifyLabourClaim(Deadline().get(), v, &out);
    ASSERT_TRUE(s.ok()) << s.error_message();
  }

  // member -> (revision, unpaid-wages count) as `country` holds them for kEmployer.
  std::map<std::string, std::pair<int64_t, int64_t>> Counts(const std::string& country) {
    wv1::GetEmployerCountsRequest req;
    req.set_employer_registry_id(kEmployer);
    wv1::EmployerCounts out;
    std::map<std::string, std::pair<int64_t, int64_t>> result;
    if (!Workers(country)->GetEmployerCounts(Deadline().get(), req, &out).ok()) return result;
    for (const auto& r : out.reports()) {
      int64_t n = 0;
      for (const auto& c : r.counts()) {
        if (c.type() == wv1::CLAIM_TYPE_UNPAID_WAGES) n = c.count();
      }
      result[r.member()] = {r.revision(), n};
    }
    return result;
  }
};

TEST_F(WorkersFederationTest, VerifiedCountsReachEveryMemberWithoutTheWorker) {
  Init({"MX", "GT", "HN"}, {"MX", "GT"});
  StartNode("MX");
  StartNode("GT");
  VerifiedClaim("MX");
  VerifiedClaim("GT");
  using Want = std::map<std::string, std::pair<int64_t, int64_t>>;
  const Want both = {{"MX", {1, 1}}, {"GT", {1, 1}}};
  // Delivery is awaited by polling what each node holds, not by sleeping a guessed time.
  EXPECT_TRUE(WaitFor([&] { return Counts("GT") == both; }, absl::Seconds(30)));
  EXPECT_TRUE(WaitFor([&] { return Counts("MX") == both; }, absl::Seconds(30)));
  // A second verified claim: MX's newer report replaces its older one everywhere.
  VerifiedClaim("MX");
  const Want after = {{"MX", {2, 2}}, {"GT", {1, 1}}};
  EXPECT_TRUE(WaitFor([&] { return Counts("GT") == after; }, absl::Seconds(30)));
  wv1::GetEmployerCountsRequest req;
  req.set_employer_registry_id(kEmployer);
  wv1::EmployerCounts out;
  ASSERT_TRUE(Workers("GT")->GetEmployerCounts(Deadline().get(), req, &out).ok());
  ASSERT_EQ(out.totals_size(), 1);
  EXPECT_EQ(out.totals(0).count(), 3);
  // Honduras joins: the members it did not hear from send it their newest reports.
  ASSERT_TRUE(federation_->WriteManifest({"MX", "GT", "HN"}, 2).ok());
  StartNode("HN");
  for (const char* c : {"MX", "GT"}) Signal(c, SIGHUP);
  EXPECT_TRUE(WaitFor([&] { return Counts("HN") == after; }, absl::Seconds(30)));
  for (const char* c : {"MX", "GT", "HN"}) {
    const auto status = Status(c);
    for (const auto& p : status.peers()) EXPECT_EQ(p.quarantined(), 0) << c;
  }
}

// The test plays MX with MX's real certificate and signing key against a real GT node.
TEST_F(WorkersFederationTest, APeerCannotWriteAnotherMembersCountsNorSendJunk) {
  Init({"MX", "GT"}, {"MX", "GT"});
  StartNode("GT");
  auto& mx = federation_->member("MX");
  auto cert = node::ReadSmallFile(mx.dir + "/node.pem");
  auto key = node::ReadSmallFile(mx.dir + "/node.key");
  ASSERT_TRUE(cert.ok() && key.ok());
  auto signer = crypto::Signer::FromPem(mx.signing_private_pem);
  ASSERT_TRUE(signer.ok());
  grpc::SslCredentialsOptions o;
  o.pem_root_certs = federation_->member("GT").pki->ca().cert_pem;
  o.pem_cert_chain = *cert;
  o.pem_private_key = *key;
  auto stub = fv1::FederationService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", federation_->member("GT").federation_port),
      grpc::SslCredentials(o)));
  auto ctx = Deadline(absl::Seconds(30));
  auto stream = stub->Exchange(ctx.get());
  fv1::ExchangeRequest req;
  req.mutable_hello()->set_sender("MX");
  req.mutable_hello()->set_receiver("GT");
  ASSERT_TRUE(stream->Write(req));
  fv1::ExchangeResponse resp;
  ASSERT_TRUE(stream->Read(&resp) && resp.has_welcome());

  auto make = [&](uint64_t seq, const std::string& payload) {
    fv1::EnvelopeBody body;
    body.set_sender("MX");
    body.set_receiver("GT");
    body.set_seq(seq);
    body.set_id(absl::StrCat("test-", seq));
    body.set_kind("workers.employer_counts");
    body.set_payload(payload);
    body.mutable_create_time()->set_seconds(absl::ToUnixSeconds(absl::Now()));
    fv1::Envelope e;
    e.set_body(body.SerializeAsString());
    e.set_seq(seq);
    e.set_signature(*(*signer)->Sign(e.body()));
    return e;
  };
  auto report = [](const std::string& member, int64_t revision, int64_t count) {
    wv1::CountsReport r;
    r.set_member(member);
    r.set_kind(wv1::SUBJECT_KIND_EMPLOYER);
    r.set_subject_id(kEmployer);
    r.set_revision(revision);
    auto* c = r.add_counts();
    c->set_type(wv1::CLAIM_TYPE_RECRUITMENT_FEES);
    c->set_count(count);
    return r;
  };
  wv1::CountsReport repeated = report("MX", 5, 1);
  *repeated.add_counts() = repeated.counts(0);
  const std::vector<fv1::Envelope> envelopes = {
      // MX writing Guatemala's counts.
      make(1, report("GT", 9, 40).SerializeAsString()),
      // Not a report at all.
      make(2, std::string("\xff\xff\xff", 3)),
      // A report with one type twice.
      make(3, repeated.SerializeAsString()),
      // MX's own report, then an older copy of it that must not win.
      make(4, report("MX", 2, 7).SerializeAsString()),
      make(5, report("MX", 1, 3).SerializeAsString()),
  };
  for (const auto& e : envelopes) {
    *req.mutable_envelope() = e;
    ASSERT_TRUE(stream->Write(req));
  }
  uint64_t acked = 0;
  while (acked < 5 && stream->Read(&resp)) acked = resp.ack().applied_seq();
  EXPECT_EQ(acked, 5u);
  stream->WritesDone();
  ctx->TryCancel();
  stream->Finish();

  // Three quarantined with their reasons; GT holds MX's newest report only.
  fv1::ListQuarantineResponse q;
  ASSERT_TRUE(Admin("GT").ListQuarantine(Deadline().get(), fv1::ListQuarantineRequest(), &q).ok());
  ASSERT_EQ(q.envelopes_size(), 3);
  std::map<uint64_t, std::string> reasons;
  for (const auto& e : q.envelopes()) reasons[e.seq()] = e.reason();
  EXPECT_NE(reasons[1].find("its own counts only"), std::string::npos) << reasons[1];
  EXPECT_NE(reasons[2].find("not a CountsReport"), std::string::npos) << reasons[2];
  EXPECT_NE(reasons[3].find("repeated"), std::string::npos) << reasons[3];
  wv1::GetEmployerCountsRequest gc;
  gc.set_employer_registry_id(kEmployer);
  wv1::EmployerCounts out;
  ASSERT_TRUE(Workers("GT")->GetEmployerCounts(Deadline().get(), gc, &out).ok());
  ASSERT_EQ(out.reports_size(), 1);
  EXPECT_EQ(out.reports(0).member(), "MX");
  EXPECT_EQ(out.reports(0).revision(), 2);
  ASSERT_EQ(out.totals_size(), 1);
  EXPECT_EQ(out.totals(0).type(), wv1::CLAIM_TYPE_RECRUITMENT_FEES);
  EXPECT_EQ(out.totals(0).count(), 7);
}

}  // namespace
}  // namespace enlace::testing
