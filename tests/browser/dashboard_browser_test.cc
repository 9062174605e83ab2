// The secretariat's dashboard in a real headless browser: DashboardServer on 127.0.0.1:0 with
// real TLS and a fake DashboardData (a few months of MX, GT and HN, primary and secondary
// cells; all ten measures, medians, notifications with withheld totals, crisis accounting
// with a withheld deaths count, labour recoveries in USD and CAD with MX's CAD withheld,
// subtypes with GT's human rights subtypes not published, vulnerabilities with MX's presumed
// victims of trafficking withheld; the crisis and labour releases with a `crisis` and a
// `programme` table added here), driven by tests/browser/dashboard_test.js (playwright-core,
// Debian's chromium, axe-core). The browser presents its client certificate itself, from an
// NSS database: nothing terminates TLS in between. Nothing is skipped: a missing chromium,
// node or npm package fails the test and says how to install it (bash deploy/setup.sh).
//
// Screenshots go to $TEST_UNDECLARED_OUTPUTS_DIR and, when ENLACE_SCREENSHOT_DIR is set (an
// absolute path, e.g. --test_env=ENLACE_SCREENSHOT_DIR=$PWD/docs/images), there too.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "services/secretariat/dashboard/fake_data.h"
#include "services/secretariat/dashboard/server.h"
#include "tests/testing/test_env.h"

extern char** environ;

namespace enlace::secretariat::dashboard {
namespace {

namespace v1 = ::enlace::secretariat::v1;

std::string Env(const char* name, const std::string& fallback = "") {
  const char* v = getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

bool Exists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

void Write(const std::string& path, const std::string& contents) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << contents;
  ASSERT_TRUE(f.good()) << path;
}

std::string Read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

// Runs argv with `env` added to this process's environment, output to `log`; kills it after
// `timeout`. Returns the exit status (128 + signal when killed).
int RunTool(const std::vector<std::string>& argv, const std::vector<std::string>& env,
        const std::string& log, absl::Duration timeout) {
  std::vector<std::string> envs;
  for (char** e = environ; *e != nullptr; ++e) envs.emplace_back(*e);
  for (const auto& e : env) envs.push_back(e);
  std::vector<char*> cargv, cenv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  for (const auto& e : envs) cenv.push_back(const_cast<char*>(e.c_str()));
  cenv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);  // its own group: kill the browser too
  posix_spawnattr_setpgroup(&attr, 0);
  pid_t pid;
  int rc = posix_spawnp(&pid, cargv[0], &fa, &attr, cargv.data(), cenv.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return 127;
  const absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  while (true) {
    pid_t w = waitpid(pid, &status, WNOHANG);
    if (w == pid) break;
    if (absl::Now() > deadline) {
      kill(-pid, SIGKILL);
      waitpid(pid, &status, 0);
      Write(log + ".timeout", "killed after the timeout");
      return 128 + SIGKILL;
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

// An NSS database under home/.pki/nssdb trusting `ca_pem` for servers and holding `p12`
// (empty = no client certificate), as chromium on Linux reads it.
void MakeNssHome(const std::string& home, const std::string& ca_pem, const std::string& p12,
                 const std::string& log) {
  const std::string db = home + "/.pki/nssdb";
  ASSERT_EQ(RunTool({"mkdir", "-p", db}, {}, log, absl::Seconds(10)), 0);
  ASSERT_EQ(RunTool({"certutil", "-N", "-d", "sql:" + db, "--empty-password"}, {}, log,
                absl::Seconds(30)),
            0)
      << Read(log);
  ASSERT_EQ(RunTool({"certutil", "-A", "-d", "sql:" + db, "-n", "enlace-test-ca", "-t", "C,,", "-i",
                 ca_pem},
                {}, log, absl::Seconds(30)),
            0)
      << Read(log);
  if (!p12.empty()) {
    ASSERT_EQ(RunTool({"pk12util", "-i", p12, "-d", "sql:" + db, "-W", ""}, {}, log,
                  absl::Seconds(30)),
              0)
        << Read(log);
  }
}

// The sample's releases carry the four dimensions only, while real crisis_accounting and
// labour_claims_ended releases also carry a `crisis` and a `programme` table
// (services/stats/measures.h). Each member release of those measures gets one here: the rows of
// its host_country table (already protected: primary and secondary cells, row totals) under the
// other dimension's keys, so the page's generic dimension tables have numbers, withheld cells
// and rows that only some members have. The fake sums the regional rows as it sums the others.
void AddExtraDimensions(FakeDashboardData& data) {
  struct Extra {
    std::string measure, dimension;
    std::map<std::string, std::string> key_of_host;
  };
  const std::vector<Extra> extras = {
      {"crisis_accounting",
       "crisis",
       {{"US", "MX/huracan-2026-09"},
        {"CA", "GT/incendios-2026"},
        {"MX", "MX/sismo-2026-07"},
        {"GT", "GT/volcan-de-fuego"}}},
      {"labour_claims_ended",
       "programme",
       {{"US", "PROGRAMME_US_H2A"},
        {"CA", "PROGRAMME_CA_SAWP"},
        {"MX", "PROGRAMME_MX_BORDER_WORKER_CARD"},
        {"GT", "PROGRAMME_OTHER_BILATERAL"}}},
  };
  for (const Extra& extra : extras) {
    v1::ListMonthsRequest lm;
    lm.set_measure(extra.measure);
    auto months = data.ListMonths(lm, Caller{});
    ASSERT_TRUE(months.ok()) << months.status();
    ASSERT_FALSE(months->months().empty()) << extra.measure;
    for (const std::string& month : months->months()) {
      v1::GetRegionalReleaseRequest req;
      req.set_month(month);
      req.set_measure(extra.measure);
      auto rel = data.GetRegionalRelease(req, Caller{});
      ASSERT_TRUE(rel.ok()) << rel.status();
      for (const v1::MemberRelease& m : rel->members()) {
        enlace::stats::v1::MonthlyRelease r = m.release();
        const enlace::stats::v1::Table* host = nullptr;
        for (const auto& t : r.tables()) {
          if (t.dimension() == "host_country") host = &t;
        }
        ASSERT_NE(host, nullptr) << m.country() << " " << month;
        enlace::stats::v1::Table table = *host;
        table.set_dimension(extra.dimension);
        for (auto& row : *table.mutable_rows()) {
          auto it = extra.key_of_host.find(row.key());
          ASSERT_NE(it, extra.key_of_host.end()) << row.key();
          row.set_key(it->second);
        }
        *r.add_tables() = std::move(table);
        data.Add(r);
      }
    }
  }
}

TEST(DashboardBrowserTest, PageNumbersFlagsFiltersCsvAccessibility) {
  // What the test needs; deploy/setup.sh installs all of it.
  const std::string web_deps = Env("ENLACE_WEB_DEPS", "/usr/local/lib/enlace-web");
  const std::string modules = web_deps + "/node_modules";
  for (const std::string& need :
       {std::string("/usr/bin/chromium"), std::string("/usr/bin/node"),
        std::string("/usr/bin/certutil"), std::string("/usr/bin/pk12util"),
        modules + "/playwright-core/package.json", modules + "/axe-core/axe.min.js",
        modules + "/uplot/dist/uPlot.iife.min.js",
        modules + "/world-atlas/countries-110m.json"}) {
    ASSERT_TRUE(Exists(need)) << need
                              << " is missing: the browser test needs chromium, nodejs, "
                                 "libnss3-tools and the npm packages of web/package-lock.json; "
                                 "run `bash deploy/setup.sh` (as root)";
  }

  const std::string dir = testing::MakeTempDir("dashboard-browser");
  const std::string log = dir + "/tools.log";
  auto pki = testing::TestPki::Create(dir, "mx");
  ASSERT_TRUE(pki.ok()) << pki.status();
  struct Who {
    std::string name, uri;
  };
  for (const Who& who :
       {Who{"secretariat", "spiffe://mx.enlace.example/role/secretariat/user/crm"},
        Who{"officer", "spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/ana"}}) {
    auto c = pki->Client(who.uri);
    ASSERT_TRUE(c.ok()) << c.status();
    Write(dir + "/" + who.name + ".pem", c->cert_pem);
    Write(dir + "/" + who.name + ".key", c->key_pem);
    ASSERT_EQ(RunTool({"openssl", "pkcs12", "-export", "-in", dir + "/" + who.name + ".pem", "-inkey",
                   dir + "/" + who.name + ".key", "-name", "enlace-" + who.name, "-out",
                   dir + "/" + who.name + ".p12", "-passout", "pass:"},
                  {}, log, absl::Seconds(30)),
              0)
        << Read(log);
    MakeNssHome(dir + "/home-" + who.name, dir + "/ca.pem", dir + "/" + who.name + ".p12", log);
  }
  MakeNssHome(dir + "/home-none", dir + "/ca.pem", "", log);

  FakeDashboardData data = FakeDashboardData::Sample();
  AddExtraDimensions(data);
  if (::testing::Test::HasFatalFailure()) return;
  DashboardServer::Options o;
  o.cert_file = dir + "/node.pem";
  o.key_file = dir + "/node.key";
  o.client_ca_file = dir + "/ca.pem";
  o.assets_dir = testing::RunfilePath("web/dashboard");
  o.vendor_dir = modules;
  auto server = DashboardServer::Start(o, &data);
  ASSERT_TRUE(server.ok()) << server.status();

  std::string shots = Env("TEST_UNDECLARED_OUTPUTS_DIR", dir);
  const std::string node_log = dir + "/browser.log";
  int rc = RunTool({"/usr/bin/node", testing::RunfilePath("tests/browser/dashboard_test.js")},
               {absl::StrCat("DASHBOARD_URL=https://127.0.0.1:", (*server)->port(), "/"),
                "WEB_DEPS=" + modules, "HOME_SECRETARIAT=" + dir + "/home-secretariat",
                "HOME_OFFICER=" + dir + "/home-officer", "HOME_NONE=" + dir + "/home-none",
                "WORK_DIR=" + dir, "SCREENSHOT_DIR=" + shots},
               node_log, absl::Minutes(4));
  (*server)->Stop();
  const std::string out = Read(node_log);
  std::cout << out << std::endl;
  EXPECT_EQ(rc, 0) << "the browser checks failed (output above)";
  EXPECT_NE(out.find("browser checks passed"), std::string::npos);

  for (const char* name : {"dashboard-es.png", "dashboard-en.png", "dashboard-filtered.png",
                           "dashboard-map.png", "dashboard-crisis.png",
                           "dashboard-recoveries.png", "dashboard-dimensions.png"}) {
    const std::string shot = shots + "/" + name;
    EXPECT_TRUE(Exists(shot)) << shot;
    const std::string copy_to = Env("ENLACE_SCREENSHOT_DIR");
    if (!copy_to.empty() && Exists(shot)) Write(copy_to + "/" + name, Read(shot));
  }
}

}  // namespace
}  // namespace enlace::secretariat::dashboard
