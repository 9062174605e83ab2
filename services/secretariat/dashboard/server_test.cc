#include "services/secretariat/dashboard/server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "services/secretariat/dashboard/fake_data.h"
#include "tests/testing/test_env.h"

namespace enlace::secretariat::dashboard {
namespace {

namespace v1 = ::enlace::secretariat::v1;
using ::google::protobuf::util::MessageDifferencer;

constexpr char kSecretariat[] = "spiffe://mx.enlace.example/role/secretariat/user/crm";
constexpr char kOfficer[] = "spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/ana";

void Write(const std::string& path, const std::string& contents) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << contents;
  ASSERT_TRUE(f.good()) << path;
}

class DashboardServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("dashboard");
    auto pki = testing::TestPki::Create(dir_, "mx");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<testing::TestPki>(*pki);
    for (auto [name, uri] : {std::pair<std::string, std::string>{"secretariat", kSecretariat},
                             {"officer", kOfficer}}) {
      auto c = pki_->Client(uri);
      ASSERT_TRUE(c.ok()) << c.status();
      Write(absl::StrCat(dir_, "/", name, ".pem"), c->cert_pem);
      Write(absl::StrCat(dir_, "/", name, ".key"), c->key_pem);
    }
    // A secretariat identity under another CA: refused in the handshake.
    auto other = testing::TestPki::Create(testing::MakeTempDir("dashboard-other"), "mx");
    ASSERT_TRUE(other.ok());
    auto c = other->Client(kSecretariat);
    ASSERT_TRUE(c.ok());
    Write(dir_ + "/foreign.pem", c->cert_pem);
    Write(dir_ + "/foreign.key", c->key_pem);

    // Assets: a small tree and a secret beside it.
    assets_ = dir_ + "/assets";
    ASSERT_EQ(mkdir(assets_.c_str(), 0755), 0);
    ASSERT_EQ(mkdir((assets_ + "/js").c_str(), 0755), 0);
    Write(assets_ + "/index.html", "<!doctype html><title>t</title>");
    Write(assets_ + "/js/app.js", "console.log(1);");
    Write(assets_ + "/style.css", "body{}");
    Write(assets_ + "/.hidden.txt", "hidden");
    Write(assets_ + "/notes.md", "not a served type");
    Write(dir_ + "/secret.txt", "SECRET");
    vendor_ = dir_ + "/node_modules";
    ASSERT_EQ(mkdir(vendor_.c_str(), 0755), 0);
    ASSERT_EQ(mkdir((vendor_ + "/uplot").c_str(), 0755), 0);
    ASSERT_EQ(mkdir((vendor_ + "/uplot/dist").c_str(), 0755), 0);
    Write(vendor_ + "/uplot/dist/uPlot.iife.min.js", "var uPlot=1;");
    Write(vendor_ + "/uplot/package.json", "{}");

    data_ = std::make_unique<FakeDashboardData>(FakeDashboardData::Sample());
    DashboardServer::Options o;
    o.cert_file = dir_ + "/node.pem";
    o.key_file = dir_ + "/node.key";
    o.client_ca_file = dir_ + "/ca.pem";
    o.assets_dir = assets_;
    o.vendor_dir = vendor_;
    auto s = DashboardServer::Start(o, data_.get());
    ASSERT_TRUE(s.ok()) << s.status();
    server_ = std::move(*s);
    ASSERT_GT(server_->port(), 0);
  }

  void TearDown() override {
    if (server_) server_->Stop();
  }

  // A client presenting `who`'s certificate ("" = none), verifying the server.
  std::unique_ptr<httplib::SSLClient> Client(const std::string& who) {
    std::unique_ptr<httplib::SSLClient> c;
    if (who.empty()) {
      c = std::make_unique<httplib::SSLClient>("127.0.0.1", server_->port());
    } else {
      c = std::make_unique<httplib::SSLClient>("127.0.0.1", server_->port(),
                                               absl::StrCat(dir_, "/", who, ".pem"),
                                               absl::StrCat(dir_, "/", who, ".key"));
    }
    c->set_ca_cert_path((dir_ + "/ca.pem").c_str());
    c->enable_server_certificate_verification(true);
    c->set_connection_timeout(5, 0);
    c->set_read_timeout(5, 0);
    return c;
  }

  httplib::Result Get(const std::string& path, const std::string& who = "secretariat") {
    return Client(who)->Get(path.c_str());
  }

  std::string dir_, assets_, vendor_;
  std::unique_ptr<testing::TestPki> pki_;
  std::unique_ptr<FakeDashboardData> data_;
  std::unique_ptr<DashboardServer> server_;
};

TEST_F(DashboardServerTest, MonthsAsProtoJson) {
  auto r = Get("/api/months?measure=cases_closed");
  ASSERT_TRUE(r) << httplib::to_string(r.error());
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  v1::ListMonthsResponse got;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r->body, &got).ok()) << r->body;
  v1::ListMonthsRequest req;
  req.set_measure("cases_closed");
  auto want = data_->ListMonths(req, Caller{});
  ASSERT_TRUE(want.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(got, *want)) << r->body;
  EXPECT_EQ(got.months(0), "2026-10");
  // The default measure.
  auto d = Get("/api/months");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->status, 200);
}

TEST_F(DashboardServerTest, ReleaseAsProtoJsonWithMemberFilter) {
  auto r = Get("/api/release?month=2026-08&measure=cases_opened&member=mx&member=GT");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  v1::RegionalRelease got;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r->body, &got).ok());
  v1::GetRegionalReleaseRequest req;
  req.set_month("2026-08");
  req.set_measure("cases_opened");
  req.add_members("MX");
  req.add_members("GT");
  auto want = data_->GetRegionalRelease(req, Caller{});
  ASSERT_TRUE(want.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(got, *want));
  ASSERT_EQ(got.members_size(), 2);
  // Flags print by name; defaults are printed (a withheld cell shows value "0").
  EXPECT_NE(r->body.find("\"FLAG_PRIMARY\""), std::string::npos);
  EXPECT_NE(r->body.find("\"complete\":false"), std::string::npos);
  EXPECT_EQ(r->get_header_value("Cache-Control"), "no-store");
}

TEST_F(DashboardServerTest, BadParametersAre400NamingTheParameter) {
  struct Case {
    std::string path, parameter;
  } cases[] = {
      {"/api/release", "month"},
      {"/api/release?month=2026-13", "month"},
      {"/api/release?month=2026-1x", "month"},
      {"/api/release?month=26-01-01", "month"},
      {"/api/release?month=2026-08&month=2026-09", "month"},
      {"/api/release?month=2026-08&measure=deaths", "measure"},
      {"/api/release?month=2026-08&member=MEX", "member"},
      {"/api/release?month=2026-08&member=M1", "member"},
      {"/api/release?month=2026-08&country=MX", "country"},
      {"/api/months?measure=x", "measure"},
      {"/api/months?foo=1", "foo"},
  };
  for (const auto& c : cases) {
    auto r = Get(c.path);
    ASSERT_TRUE(r) << c.path;
    EXPECT_EQ(r->status, 400) << c.path << " " << r->body;
    EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << c.path;
    EXPECT_NE(r->body.find(absl::StrCat("\"parameter\":\"", c.parameter, "\"")),
              std::string::npos)
        << c.path << " " << r->body;
  }
}

// The audit names the person whose certificate asked, never "the dashboard".
TEST_F(DashboardServerTest, DataSeesTheCertificatesUser) {
  const size_t before = data_->callers().size();
  auto m = Get("/api/months?measure=notifications");
  ASSERT_TRUE(m);
  ASSERT_EQ(m->status, 200) << m->body;
  auto r = Get("/api/release?month=2026-08&measure=referrals_ended");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  const std::vector<std::string> callers = data_->callers();
  ASSERT_EQ(callers.size(), before + 2);
  EXPECT_EQ(callers[before], kSecretariat);
  EXPECT_EQ(callers[before + 1], kSecretariat);
}

TEST_F(DashboardServerTest, EveryMeasureOfTheCatalogue) {
  const std::vector<std::string> sample = {
      "cases_opened",        "cases_closed",    "persons_assisted",
      "notifications",       "referrals_ended", "crisis_accounting",
      "labour_claims_ended", "actions",         "cases_opened_by_subtype",
      "case_vulnerabilities"};
  for (const std::string& measure : sample) {
    auto r = Get(absl::StrCat("/api/release?month=2026-08&measure=", measure));
    ASSERT_TRUE(r) << measure;
    EXPECT_EQ(r->status, 200) << measure << " " << r->body;
    EXPECT_NE(r->body.find(absl::StrCat("\"measure\":\"", measure, "\"")), std::string::npos);
  }
  // The catalogue as the server names it (an unknown measure's 400 lists them all): a measure
  // added to services/stats/measures.h without a sample here fails.
  auto bad = Get("/api/months?measure=no_such_measure");
  ASSERT_TRUE(bad);
  ASSERT_EQ(bad->status, 400) << bad->body;
  const std::string one_of = "must be one of ";
  const size_t from = bad->body.find(one_of);
  ASSERT_NE(from, std::string::npos) << bad->body;
  const size_t to = bad->body.find('"', from);
  ASSERT_NE(to, std::string::npos) << bad->body;
  const std::vector<std::string> catalogue =
      absl::StrSplit(bad->body.substr(from + one_of.size(), to - from - one_of.size()), ", ");
  EXPECT_EQ(std::set<std::string>(catalogue.begin(), catalogue.end()),
            std::set<std::string>(sample.begin(), sample.end()))
      << bad->body;
}

// The subtype sample: the subtypes about children, trafficking and gender-based violence at 10
// (withheld "<10" where under it), GT's human rights subtypes published nowhere, each
// category's other column; the vulnerability sample: MX's presumed victims of trafficking
// withheld under 10 (6), so its grand total is not published either.
TEST_F(DashboardServerTest, SubtypesAndVulnerabilitiesWithWithheldCells) {
  v1::GetRegionalReleaseRequest req;
  req.set_month("2026-08");
  req.set_measure("cases_opened_by_subtype");
  auto rel = data_->GetRegionalRelease(req, Caller{});
  ASSERT_TRUE(rel.ok()) << rel.status();
  const auto has = [&](const std::string& column) {
    return std::find(rel->columns().begin(), rel->columns().end(), column) != rel->columns().end();
  };
  EXPECT_TRUE(has("SUBTYPE_UNPAID_WAGES"));
  EXPECT_TRUE(has("CATEGORY_LABOUR/SUBTYPE_OTHER"));
  int gt_not_published = 0, sensitive_primary = 0;
  for (const auto& m : rel->members()) {
    const auto& r = m.release();
    for (int i = 0; i < r.columns_size(); ++i) {
      const bool sensitive = r.columns(i) == "SUBTYPE_MINOR_IN_CUSTODY" ||
                             r.columns(i) == "SUBTYPE_TRAFFICKING" ||
                             r.columns(i) == "SUBTYPE_GENDER_BASED_VIOLENCE";
      EXPECT_EQ(r.column_thresholds(i), sensitive ? 10 : 5) << m.country() << r.columns(i);
      const bool human_rights = r.columns(i) == "SUBTYPE_TRAFFICKING" ||
                                r.columns(i) == "SUBTYPE_GENDER_BASED_VIOLENCE" ||
                                r.columns(i) == "CATEGORY_HUMAN_RIGHTS/SUBTYPE_OTHER";
      const bool not_published = r.column_totals(i).flag() == enlace::stats::v1::FLAG_NOT_PUBLISHED;
      EXPECT_EQ(not_published, m.country() == "GT" && human_rights)
          << m.country() << " " << r.columns(i);
      if (not_published) ++gt_not_published;
      for (const auto& t : r.tables()) {
        for (const auto& row : t.rows()) {
          if (sensitive && row.cells(i).flag() == enlace::stats::v1::FLAG_PRIMARY) {
            ++sensitive_primary;
          }
        }
      }
    }
  }
  EXPECT_EQ(gt_not_published, 3);
  EXPECT_GT(sensitive_primary, 0);

  req.set_measure("case_vulnerabilities");
  req.add_members("MX");
  rel = data_->GetRegionalRelease(req, Caller{});
  ASSERT_TRUE(rel.ok()) << rel.status();
  ASSERT_EQ(rel->members_size(), 1);
  const auto& mx = rel->members(0).release();
  ASSERT_EQ(mx.columns(mx.columns_size() - 1), "none");
  int withheld = 0;
  for (int i = 0; i < mx.columns_size(); ++i) {
    if (mx.columns(i) != "VULNERABILITY_PRESUMED_TRAFFICKING_VICTIM") continue;
    EXPECT_EQ(mx.column_thresholds(i), 10);
    EXPECT_EQ(mx.column_totals(i).flag(), enlace::stats::v1::FLAG_PRIMARY);
    EXPECT_EQ(mx.column_totals(i).value(), 0) << "a withheld cell carries no value";
    ++withheld;
  }
  EXPECT_EQ(withheld, 1);
  EXPECT_NE(mx.grand_total().flag(), enlace::stats::v1::FLAG_PUBLISHED)
      << "the grand total would give the withheld column away";
  auto r = Get("/api/release?month=2026-08&measure=case_vulnerabilities&member=MX");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->body.find("VULNERABILITY_PRESUMED_TRAFFICKING_VICTIM"), std::string::npos);
}

// The crisis board's sample: deaths columns at threshold 10, MX's confirmed deaths withheld
// (what the browser test shows as "<10").
TEST_F(DashboardServerTest, CrisisAccountingWithAWithheldDeathsCount) {
  v1::GetRegionalReleaseRequest req;
  req.set_month("2026-08");
  req.set_measure("crisis_accounting");
  req.add_members("MX");
  auto rel = data_->GetRegionalRelease(req, Caller{});
  ASSERT_TRUE(rel.ok()) << rel.status();
  const auto& mx = rel->members(0).release();
  ASSERT_EQ(mx.columns_size(), 12);
  int withheld_deaths = 0;
  for (int i = 0; i < mx.columns_size(); ++i) {
    const bool deaths = mx.columns(i) == "WELFARE_STATUS_BELIEVED_DECEASED" ||
                        mx.columns(i) == "WELFARE_STATUS_DECEASED_CONFIRMED";
    EXPECT_EQ(mx.column_thresholds(i), deaths ? 10 : 5) << mx.columns(i);
    if (deaths && mx.column_totals(i).flag() == enlace::stats::v1::FLAG_PRIMARY) ++withheld_deaths;
  }
  EXPECT_EQ(withheld_deaths, 1);
  EXPECT_NE(mx.grand_total().flag(), enlace::stats::v1::FLAG_PUBLISHED)
      << "the grand total would give the withheld deaths away";
  auto r = Get("/api/release?month=2026-08&measure=crisis_accounting&member=MX");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->body.find("WELFARE_STATUS_DECEASED_CONFIRMED"), std::string::npos);
}

// The labour recoveries' sample: USD published for every member, CAD withheld for MX (the
// browser test shows it as withheld) and published for GT; the JSON carries them.
TEST_F(DashboardServerTest, LabourClaimsWithAmountsByCurrency) {
  v1::GetRegionalReleaseRequest req;
  req.set_month("2026-08");
  req.set_measure("labour_claims_ended");
  auto rel = data_->GetRegionalRelease(req, Caller{});
  ASSERT_TRUE(rel.ok()) << rel.status();
  ASSERT_EQ(rel->columns_size(), 4);
  EXPECT_EQ(rel->columns(0), "CLAIM_STATUS_RECOVERED");
  int published_usd = 0, published_cad = 0, withheld_cad = 0;
  for (const auto& m : rel->members()) {
    for (const auto& a : m.release().amounts()) {
      EXPECT_GE(a.threshold(), 5) << m.country() << " " << a.currency();
      const bool published = a.total().flag() == enlace::stats::v1::FLAG_PUBLISHED;
      if (published) EXPECT_GT(a.total().value(), 0) << m.country() << " " << a.currency();
      if (!published) EXPECT_EQ(a.total().value(), 0) << "a withheld amount carries no value";
      if (a.currency() == "USD" && published) ++published_usd;
      if (a.currency() == "CAD") {
        (published ? published_cad : withheld_cad) += 1;
        EXPECT_EQ(published, m.country() == "GT") << m.country();
      }
    }
  }
  EXPECT_EQ(published_usd, rel->members_size());
  EXPECT_EQ(published_cad, 1);
  EXPECT_EQ(withheld_cad, 1);
  auto r = Get("/api/release?month=2026-08&measure=labour_claims_ended&member=MX");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  EXPECT_NE(r->body.find("\"currency\":\"CAD\""), std::string::npos) << r->body;
}

TEST_F(DashboardServerTest, DataErrorsMapToHttpStatus) {
  auto r = Get("/api/release?month=1999-01");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << r->body;
  EXPECT_NE(r->body.find("no member sent 1999-01"), std::string::npos);
  r = Get("/api/release?month=2026-08&member=US");  // not of the fake's federation
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400) << r->body;
  r = Get("/api/nothing");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

TEST_F(DashboardServerTest, OtherRolesAre403) {
  const int before = data_->calls();
  for (const char* path : {"/api/months", "/", "/js/app.js"}) {
    auto r = Get(path, "officer");
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 403) << path;
    EXPECT_NE(r->body.find("secretariat role"), std::string::npos) << r->body;
    EXPECT_EQ(r->body.find("<!doctype"), std::string::npos);
  }
  EXPECT_EQ(data_->calls(), before);
}

TEST_F(DashboardServerTest, NoOrForeignCertificateFailsTheHandshake) {
  const int before = data_->calls();
  for (const char* who : {"", "foreign"}) {
    auto r = Get("/api/months", who);
    EXPECT_FALSE(r) << who << ": got status " << (r ? r->status : 0);
  }
  EXPECT_EQ(data_->calls(), before);
}

TEST_F(DashboardServerTest, StaticFilesWithTypesAndSecurityHeaders) {
  auto r = Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "<!doctype html><title>t</title>");
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/html; charset=utf-8");
  const std::string csp = r->get_header_value("Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff");

  r = Get("/js/app.js");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/javascript; charset=utf-8");
  r = Get("/style.css");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/css; charset=utf-8");
  r = Get("/vendor/uplot/uPlot.iife.min.js");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "var uPlot=1;");
  // Only the listed vendor files.
  r = Get("/vendor/uplot/package.json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

TEST_F(DashboardServerTest, NoTraversalNoHiddenNoUnknownTypes) {
  for (const char* path :
       {"/../secret.txt", "/js/../../secret.txt", "/%2e%2e/secret.txt", "/js/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt", "/.hidden.txt", "/notes.md", "/js", "/js/",
        "//etc/passwd", "/missing.js", "/index.html%00.js"}) {
    auto r = Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 404) << path << " " << r->body;
    EXPECT_EQ(r->body.find("SECRET"), std::string::npos) << path;
    EXPECT_EQ(r->body.find("hidden"), std::string::npos) << path;
  }
}

TEST_F(DashboardServerTest, StartRefusesBadOptions) {
  DashboardServer::Options o;
  o.cert_file = dir_ + "/node.pem";
  o.key_file = dir_ + "/node.key";
  o.client_ca_file = dir_ + "/ca.pem";
  o.assets_dir = assets_;
  o.address = "127.0.0.1";
  EXPECT_EQ(DashboardServer::Start(o, data_.get()).status().code(),
            absl::StatusCode::kInvalidArgument);
  o.address = "127.0.0.1:0";
  o.assets_dir = dir_ + "/nope";
  EXPECT_EQ(DashboardServer::Start(o, data_.get()).status().code(),
            absl::StatusCode::kInvalidArgument);
  o.assets_dir = assets_;
  o.key_file = dir_ + "/officer.key";  // does not match node.pem
  EXPECT_EQ(DashboardServer::Start(o, data_.get()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  o.key_file = dir_ + "/node.key";
  o.address = absl::StrCat("127.0.0.1:", server_->port());  // taken
  EXPECT_EQ(DashboardServer::Start(o, data_.get()).status().code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace enlace::secretariat::dashboard
