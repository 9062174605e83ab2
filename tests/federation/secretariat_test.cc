// The regional secretariat (enlace-secretariat, member XS of kind SECRETARIAT) with two real
// member nodes: when October ends by the nodes' clocks, each pushes its protected release;
// the secretariat stores it and serves the regional view, sums marked complete; a correction
// (more October cases recorded late) arrives as a higher revision; nothing the members
// replicate to each other reaches it, and nothing it stores or serves names a person; its
// dashboard's JSON is the API's answer, for secretariat certificates only.
#include <signal.h>

#include <fstream>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/time/clock.h"
#include "common/time/proto_time.h"
#include "enlace/audit/v1/audit_service.grpc.pb.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "enlace/crisis/v1/crisis.grpc.pb.h"
#include "enlace/secretariat/v1/secretariat.grpc.pb.h"
#include "enlace/stats/v1/stats.grpc.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "httplib.h"
#include "services/cases/rules.h"
#include "tests/federation/federation_fixture.h"

namespace enlace::testing {
namespace {

namespace cv1 = ::enlace::cases::v1;
namespace sv1 = ::enlace::stats::v1;
namespace xv1 = ::enlace::secretariat::v1;
namespace cxv1 = ::enlace::crisis::v1;

absl::Time Day(int y, int m, int d) {
  return absl::FromCivil(absl::CivilDay(y, m, d), absl::UTCTimeZone()) + absl::Hours(15);
}

class SecretariatTest : public FederationFixture {
 protected:
  void SetUp() override {
    Init({"MX", "GT", kSecretariatCode}, {"MX", "GT", kSecretariatCode});
    for (const char* c : {"MX", "GT"}) {
      clocks_[c] = absl::StrCat(dir_, "/", c, ".clock");
      ASSERT_TRUE(FileClock::Write(clocks_[c], Day(2026, 10, 6)));
      federation_->member(c).config.set_testing_clock_file(clocks_[c]);
    }
    // The secretariat accepts only ended months by its own clock: months after the wall
    // clock's (the nodes' clocks run ahead in these tests) must have ended there too.
    clocks_[kSecretariatCode] = absl::StrCat(dir_, "/xs.clock");
    ASSERT_TRUE(FileClock::Write(clocks_[kSecretariatCode], Day(2027, 6, 1)));
    federation_->member(kSecretariatCode)
        .config.set_testing_clock_file(clocks_[kSecretariatCode]);
    // The secretariat also serves its dashboard (HTTPS, secretariat certificates only).
    dashboard_port_ = PickFreePort();
    auto* d = federation_->member(kSecretariatCode).config.mutable_dashboard();
    d->set_address(absl::StrCat("127.0.0.1:", dashboard_port_));
    d->set_assets_dir(RunfilePath("web/dashboard"));
    for (const char* c : {"MX", "GT", kSecretariatCode}) StartNode(c);
  }
  // GET `path` from the dashboard as `who` of the secretariat; {status, body}.
  std::pair<int, std::string> Dashboard(const std::string& path, const std::string& who) {
    auto& m = federation_->member(kSecretariatCode);
    auto cert = m.pki->Client(absl::StrCat("spiffe://xs.enlace.example/", who));
    if (!cert.ok()) return {0, ""};
    const std::string base = absl::StrCat(dir_, "/dash-", ++files_);
    std::ofstream(base + ".pem") << cert->cert_pem;
    std::ofstream(base + ".key") << cert->key_pem;
    std::ofstream(base + ".ca") << m.pki->ca().cert_pem;
    httplib::SSLClient client("127.0.0.1", dashboard_port_, base + ".pem", base + ".key");
    client.set_ca_cert_path((base + ".ca").c_str());
    client.enable_server_certificate_verification(true);
    client.set_connection_timeout(5, 0);
    client.set_read_timeout(10, 0);
    auto res = client.Get(path.c_str());
    if (!res) return {0, ""};
    return {res->status, res->body};
  }
  int dashboard_port_ = 0;
  int files_ = 0;
  std::shared_ptr<grpc::Channel> Channel(const std::string& country, const std::string& who) {
    auto& m = federation_->member(country);
    auto cert = m.pki->Client(
        absl::StrCat("spiffe://", absl::AsciiStrToLower(country), ".enlace.example/", who));
    return MakeChannel(m.api_port, m.pki->ca(), &*cert);
  }
  void Open(const std::string& country, int n, const std::string& post, const std::string& host,
            cv1::Subtype subtype) {
    auto ch = Channel(country, "role/supervisor/user/jefa");
    for (int i = 0; i < n; ++i) {
      cv1::CreatePersonRequest cp;
      cp.set_parent(absl::StrCat("countries/", country));
      auto* p = cp.mutable_person();
      p->set_given_names(absl::StrCat("Nombre", ++n_));
      p->set_family_names("Apellidoúnico");
      p->set_sex(i % 2 ? cv1::SEX_MALE : cv1::SEX_FEMALE);
      p->set_birth_date("1990-01-01");
      p->add_nationalities(country);
      p->set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
      cv1::Person person;
      ASSERT_TRUE(cv1::PersonService::NewStub(ch)->CreatePerson(Deadline().get(), cp, &person).ok());
      names_.push_back(person.name());
      cv1::CreateCaseRequest cc;
      cc.set_parent(absl::StrCat("countries/", country));
      auto* c = cc.mutable_case_();
      c->set_person(person.name());
      c->set_post(post);
      c->set_host_country(host);
      c->set_place("Consulado");
      c->set_category(cases::CategoryOfSubtype(subtype));
      c->set_subtype(subtype);
      c->set_legal_basis(cv1::LEGAL_BASIS_VITAL_INTEREST);
      cv1::Case out;
      grpc::Status s = cv1::CaseService::NewStub(ch)->CreateCase(Deadline().get(), cc, &out);
      ASSERT_TRUE(s.ok()) << s.error_message();
      names_.push_back(out.name());
    }
  }
  xv1::RegionalRelease Regional(const std::string& month, const std::string& measure = "") {
    xv1::GetRegionalReleaseRequest req;
    req.set_month(month);
    req.set_measure(measure);
    xv1::RegionalRelease out;
    auto stub = xv1::SecretariatService::NewStub(
        Channel(kSecretariatCode, "role/secretariat/user/crm"));
    grpc::Status s = stub->GetRegionalRelease(Deadline().get(), req, &out);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return out;
  }
  static const xv1::MemberRelease* Member(const xv1::RegionalRelease& r, const std::string& c) {
    for (const auto& m : r.members()) {
      if (m.country() == c) return &m;
    }
    return nullptr;
  }

  std::map<std::string, std::string> clocks_;
  std::vector<std::string> names_;
  int n_ = 0;
};

TEST_F(SecretariatTest, EndedMonthsArePushedCorrectedAndNeverNameAPerson) {
  Open("MX", 30, "MX-LAX", "US", cv1::SUBTYPE_UNPAID_WAGES);
  Open("MX", 12, "MX-GUA", "GT", cv1::SUBTYPE_IMMIGRATION_DETENTION);
  Open("MX", 2, "MX-TAP", "MX", cv1::SUBTYPE_UNPAID_WAGES);  // small: withheld
  Open("GT", 25, "GT-LAX", "US", cv1::SUBTYPE_UNPAID_WAGES);
  // A member the secretariat is not: it learns nothing the members replicate to each other.
  ASSERT_FALSE(CreateOrg("MX", "Albergue Belén").empty());
  // October is not over: nothing is pushed.
  xv1::RegionalRelease early = Regional("2026-10");
  EXPECT_EQ(early.members_size(), 0);
  EXPECT_EQ(early.missing_members_size(), 2);

  for (const char* c : {"MX", "GT"}) ASSERT_TRUE(FileClock::Write(clocks_[c], Day(2026, 11, 2)));
  ASSERT_TRUE(WaitFor([&] { return Regional("2026-10").members_size() == 2; }, absl::Seconds(60)));
  // The secretariat's operators see its inbound links (it sends to nobody).
  {
    const auto xs = Status(kSecretariatCode);
    std::set<std::string> heard;
    for (const auto& p : xs.peers()) {
      EXPECT_FALSE(p.connected()) << p.country() << ": the secretariat sends nothing";
      if (p.inbound_applied_seq() > 0) heard.insert(p.country());
    }
    EXPECT_EQ(heard, (std::set<std::string>{"MX", "GT"}));
  }
  xv1::RegionalRelease r = Regional("2026-10");
  EXPECT_EQ(r.missing_members_size(), 0);
  EXPECT_TRUE(r.grand_total().complete());
  EXPECT_EQ(r.grand_total().value(), 44 + 25);
  // What the secretariat holds is exactly what each node publishes for the month.
  for (const char* c : {"MX", "GT"}) {
    sv1::GetMonthlyReleaseRequest req;
    req.set_month("2026-10");
    sv1::MonthlyRelease own;
    auto stats = sv1::StatsService::NewStub(Channel(c, "role/secretariat/user/crm"));
    ASSERT_TRUE(stats->GetMonthlyRelease(Deadline().get(), req, &own).ok());
    const xv1::MemberRelease* held = Member(r, c);
    ASSERT_NE(held, nullptr);
    EXPECT_EQ(held->release().SerializeAsString(), own.SerializeAsString()) << c;
    EXPECT_EQ(held->revision(), 1);
  }
  // MX's 2 cases at MX-TAP are withheld in the regional view too.
  for (const auto& t : r.tables()) {
    if (t.dimension() != "post") continue;
    for (const auto& row : t.rows()) {
      if (row.key() == "MX-TAP") {
        EXPECT_FALSE(row.total().complete());
        EXPECT_EQ(row.total().value(), 0);
      }
    }
  }

  // Six October cases recorded late at GT (its clock set back): a correction, revision 2.
  ASSERT_TRUE(FileClock::Write(clocks_["GT"], Day(2026, 10, 28)));
  Open("GT", 6, "GT-LAX", "US", cv1::SUBTYPE_UNPAID_WAGES);
  ASSERT_TRUE(FileClock::Write(clocks_["GT"], Day(2026, 11, 3)));
  ASSERT_TRUE(WaitFor(
      [&] {
        const xv1::RegionalRelease now = Regional("2026-10");
        const xv1::MemberRelease* gt = Member(now, "GT");
        return gt != nullptr && gt->revision() == 2;
      },
      absl::Seconds(60)));
  EXPECT_EQ(Regional("2026-10").grand_total().value(), 44 + 31);

  // Only secretariat identities read it; the members' nodes answer the secretariat nothing
  // else: its identity is refused by their case services.
  xv1::GetRegionalReleaseRequest req;
  req.set_month("2026-10");
  xv1::RegionalRelease out;
  auto as_operator = xv1::SecretariatService::NewStub(
      Channel(kSecretariatCode, "role/operator/user/ops"));
  EXPECT_EQ(as_operator->GetRegionalRelease(Deadline().get(), req, &out).error_code(),
            grpc::PERMISSION_DENIED);
  // Nothing was quarantined anywhere: no member sent the secretariat anything else.
  for (const char* c : {"MX", "GT", kSecretariatCode}) {
    const auto status = Status(c);
    for (const auto& peer : status.peers()) {
      EXPECT_EQ(peer.quarantined(), 0) << c << " <- " << peer.country();
    }
  }
  const xv1::RegionalRelease by_grpc = Regional("2026-10");
  const std::string served = by_grpc.SerializeAsString();
  // The dashboard's numbers are the API's: the same message, as JSON.
  const auto [status, json] = Dashboard("/api/release?month=2026-10", "role/secretariat/user/crm");
  ASSERT_EQ(status, 200) << json;
  xv1::RegionalRelease by_https;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json, &by_https).ok()) << json;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(by_https, by_grpc));
  EXPECT_EQ(Dashboard("/api/release?month=2026-10", "role/operator/user/ops").first, 403);
  // The dashboard's read is audited under the certificate's user, as a gRPC call would be.
  ASSERT_EQ(Dashboard("/api/release?month=2026-10&measure=notifications",
                      "role/secretariat/user/tablero")
                .first,
            200);
  {
    auto audit = ::enlace::audit::v1::AuditService::NewStub(
        Channel(kSecretariatCode, "role/auditor/user/auditora"));
    ::enlace::audit::v1::ListAuditRecordsRequest req;
    req.set_actor("spiffe://xs.enlace.example/role/secretariat/user/tablero");
    ::enlace::audit::v1::ListAuditRecordsResponse got;
    grpc::Status s = audit->ListAuditRecords(Deadline().get(), req, &got);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(got.records_size(), 1) << got.DebugString();
    EXPECT_EQ(got.records(0).action(), "secretariat.GetRegionalRelease");
    EXPECT_EQ(got.records(0).detail(), "notifications 2026-10");
    req.set_actor("node/XS/dashboard");  // what it named before: nobody
    got.Clear();
    s = audit->ListAuditRecords(Deadline().get(), req, &got);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(got.records_size(), 0) << got.DebugString();
  }
  const auto page = Dashboard("/", "role/secretariat/user/crm");
  EXPECT_EQ(page.first, 200);
  EXPECT_NE(page.second.find("<html"), std::string::npos);

  // Everything the secretariat stores and serves: no person, no case, no organisation.
  ASSERT_EQ(StopNode(kSecretariatCode, SIGTERM), 0);
  const std::string stored = ReadTree(federation_->member(kSecretariatCode).config.data_dir());
  ASSERT_FALSE(stored.empty());
  for (const std::string& needle :
       std::vector<std::string>{"Apellidoúnico", "Nombre1", "Albergue Belén"}) {
    EXPECT_EQ(stored.find(needle), std::string::npos) << needle << " stored at the secretariat";
    EXPECT_EQ(served.find(needle), std::string::npos) << needle << " served by the secretariat";
  }
  for (const std::string& name : names_) {
    const std::string id = name.substr(name.rfind('/') + 1);
    EXPECT_EQ(stored.find(id), std::string::npos) << name << " stored at the secretariat";
    EXPECT_EQ(served.find(id), std::string::npos) << name << " served by the secretariat";
  }
}

// A stock (nationals in crises at each month's end) stands in the months after its last change:
// each ended month is pushed, the one without a change of its own too; a closed crisis leaves it.
TEST_F(SecretariatTest, ACrisisStockIsPushedForEveryMonthItStands) {
  auto crisis = cxv1::CrisisService::NewStub(Channel("MX", "role/supervisor/user/jefa"));
  cxv1::DeclareCrisisRequest declare;
  declare.set_parent("countries/MX");
  auto* c = declare.mutable_crisis();
  c->set_type(cxv1::CRISIS_TYPE_FLOOD);
  c->set_title("Inundaciones en Cortés");
  c->set_host_country("HN");
  c->add_areas("HN-CR");
  c->set_phase(cxv1::PHASE_ACTIVE);
  cxv1::Crisis declared;
  ASSERT_TRUE(crisis->DeclareCrisis(Deadline().get(), declare, &declared).ok());
  std::vector<std::string> subjects;
  for (int i = 0; i < 12; ++i) {
    cxv1::CreateRegistrationRequest req;
    req.set_parent("countries/MX");
    auto* r = req.mutable_registration();
    r->set_given_names(absl::StrCat("Viajera ", i));
    r->set_family_names("Xolotl");
    r->set_birth_date("1979-02-11");
    auto* d = r->add_documents();
    d->set_type(cv1::DOCUMENT_TYPE_PASSPORT);
    d->set_number(absl::StrCat("G", 100 + i));
    d->set_issuing_country("MX");
    r->set_host_country("HN");
    r->set_area("HN-CR");
    r->set_arrival_date("2026-10-01");
    r->set_return_date("2026-10-30");
    r->set_post("MX-GUA");
    cxv1::Registration out;
    grpc::Status st = crisis->CreateRegistration(Deadline().get(), req, &out);
    ASSERT_TRUE(st.ok()) << st.error_message();
    subjects.push_back(out.name());
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        cxv1::ListWorklistRequest req;
        req.set_crisis(declared.name());
        req.add_statuses(cxv1::WELFARE_STATUS_UNACCOUNTED);
        cxv1::ListWorklistResponse out;
        return crisis->ListWorklist(Deadline().get(), req, &out).ok() && out.entries_size() == 12;
      },
      absl::Seconds(60)));
  // November passes with no change; December's clock: October and November both stand.
  for (const char* country : {"MX", "GT"}) {
    ASSERT_TRUE(FileClock::Write(clocks_[country], Day(2026, 12, 2)));
  }
  auto mx_total = [&](const std::string& month) -> int64_t {
    const xv1::RegionalRelease regional = Regional(month, "crisis_accounting");
    for (const auto& m : regional.members()) {
      if (m.country() == "MX") return m.release().grand_total().value();
    }
    return -1;
  };
  ASSERT_TRUE(WaitFor([&] { return mx_total("2026-11") == 12; }, absl::Seconds(60)));
  EXPECT_EQ(mx_total("2026-10"), 12);
  // Closed in December: January's stock is empty, November's stays.
  cxv1::UpdateCrisisRequest close;
  *close.mutable_crisis() = declared;
  {
    cxv1::GetCrisisRequest get;
    get.set_name(declared.name());
    ASSERT_TRUE(crisis->GetCrisis(Deadline().get(), get, close.mutable_crisis()).ok());
  }
  close.mutable_crisis()->set_phase(cxv1::PHASE_CLOSED);
  close.mutable_update_mask()->add_paths("phase");
  cxv1::Crisis closed;
  grpc::Status st = crisis->UpdateCrisis(Deadline().get(), close, &closed);
  ASSERT_TRUE(st.ok()) << st.error_message();
  for (const char* country : {"MX", "GT"}) {
    ASSERT_TRUE(FileClock::Write(clocks_[country], Day(2027, 1, 3)));
  }
  ASSERT_TRUE(WaitFor([&] { return mx_total("2026-12") == 0; }, absl::Seconds(60)));
  EXPECT_EQ(mx_total("2026-11"), 12);
}

}  // namespace
}  // namespace enlace::testing
