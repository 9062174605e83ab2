// High availability end to end, all on loopback and all real processes (issue 14): MX runs as
// an active/standby pair of enlace-node processes on a replicated PostgreSQL (tests/ha/
// ha_cluster.sh: three etcd, two PostgreSQL under Patroni, synchronous replication); GT is an
// ordinary node federated with MX. Writers keep creating organisations on MX (each request id
// retried until acknowledged) while
//   (a) the primary database member is lost (its Patroni and PostgreSQL SIGKILLed together),
//   (b) the active enlace-node is SIGKILLed and the standby takes the lease over.
// Afterwards every acknowledged write is on MX exactly once, MX's audit chain verifies, and the
// MX -> GT link delivered every envelope exactly once (and GT -> MX resumed by itself). The
// downtime each client saw is printed, not asserted.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/synchronization/mutex.h"
#include "common/storage/store.h"
#include "common/txn/committer.h"
#include "enlace/audit/v1/audit_service.grpc.pb.h"
#include "google/protobuf/text_format.h"
#include "grpcpp/client_context.h"
#include "services/federation/inbox.h"
#include "services/node/node.h"
#include "tests/federation/federation_fixture.h"

namespace enlace::testing {
namespace {

namespace dv1 = ::enlace::directory::v1;
namespace av1 = ::enlace::audit::v1;

// Runs a shell command; its exit status (-1 when it could not run).
int Sh(const std::string& command) {
  const int rc = std::system(command.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

std::string ShOut(const std::string& command) {
  std::string out;
  FILE* f = popen(command.c_str(), "r");
  if (f == nullptr) return out;
  char buf[256];
  while (fgets(buf, sizeof(buf), f) != nullptr) out += buf;
  pclose(f);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

class FailoverTest : public FederationFixture {
 protected:
  void SetUp() override {
    // Under /tmp, not TEST_TMPDIR: PostgreSQL runs as `nobody`, who cannot reach /root.
    char tmpl[] = "/tmp/enlace-ha-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    cluster_dir_ = tmpl;
    cluster_ = RunfilePath("tests/ha/ha_cluster.sh");
    const absl::Time t0 = absl::Now();
    ASSERT_EQ(Sh(absl::StrCat("bash ", cluster_, " start ", cluster_dir_, " >",
                              cluster_dir_, "/start.out 2>&1")),
              0)
        << ShOut(absl::StrCat("cat ", cluster_dir_, "/start.out"));
    std::cout << "HA database up in " << absl::FormatDuration(absl::Now() - t0) << std::endl;
    std::ifstream env(cluster_dir_ + "/cluster.env");
    std::string line;
    while (std::getline(env, line)) {
      if (absl::StartsWith(line, "CONNINFO='")) {
        conninfo_ = line.substr(10, line.size() - 11);
      }
    }
    ASSERT_FALSE(conninfo_.empty());
  }

  void TearDown() override {
    for (auto& [holder, pid] : mx_) {
      if (pid > 0) {
        kill(pid, SIGKILL);
        waitpid(pid, nullptr, 0);
      }
    }
    FederationFixture::TearDown();
    Sh(absl::StrCat("bash ", cluster_, " stop ", cluster_dir_, " >/dev/null 2>&1"));
    if (!HasFailure()) Sh("rm -rf " + cluster_dir_);
  }

  // One process of MX's pair: MX's config on the PostgreSQL store with the lease; the same API
  // and federation addresses for both (only the lease holder binds them).
  void SpawnMx(const std::string& holder) {
    auto& m = federation_->member("MX");
    node::v1::NodeConfig config = m.config;
    config.mutable_storage()->mutable_postgres()->set_conninfo(conninfo_);
    config.mutable_ha()->set_lease_conninfo(conninfo_);
    config.mutable_ha()->set_holder(holder);
    // Longer than the database's failover (~5-8 s here), so (a) normally keeps the active.
    config.mutable_ha()->set_lease_ttl_seconds(12);
    config.mutable_ha()->set_renew_interval_seconds(2);
    config.set_port_file(PortFile(holder));
    unlink(PortFile(holder).c_str());
    std::string text;
    google::protobuf::TextFormat::PrintToString(config, &text);
    const std::string config_path = absl::StrCat(m.dir, "/", holder, ".textproto");
    { std::ofstream(config_path) << text; }
    const std::string log = absl::StrCat(m.dir, "/", holder, ".log");
    const std::string binary = RunfilePath("services/node/enlace-node");
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      execl(binary.c_str(), binary.c_str(), ("--config=" + config_path).c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    mx_[holder] = pid;
  }
  std::string PortFile(const std::string& holder) {
    return absl::StrCat(federation_->member("MX").dir, "/", holder, ".port");
  }
  // The process of the pair that holds the lease and serves ("" if none yet). Plays the
  // supervisor (systemd's Restart=on-failure, Kubernetes' restart policy): a process that
  // exited by itself -- crash-only exit 75 on a lost lease or a commit whose outcome the lost
  // database left unknown -- is started again and waits as the standby. Processes the test
  // SIGKILLs are reaped by KillMx and stay dead.
  std::string Active() {
    for (auto& [holder, pid] : mx_) {
      if (pid <= 0) continue;
      int status = 0;
      if (waitpid(pid, &status, WNOHANG) == pid) {
        std::cout << "MX " << holder << " exited ("
                  << (WIFEXITED(status) ? absl::StrCat("status ", WEXITSTATUS(status))
                                        : absl::StrCat("signal ", WTERMSIG(status)))
                  << "); the supervisor restarts it" << std::endl;
        pid = -1;
        ++restarts_;
        SpawnMx(holder);
        continue;
      }
      if (access(PortFile(holder).c_str(), F_OK) == 0) return holder;
    }
    return "";
  }
  // Both processes of the pair are running (one of them may still be waiting for the lease).
  bool PairRunning() {
    Active();
    for (const auto& [holder, pid] : mx_) {
      if (pid <= 0) return false;
    }
    return mx_.size() == 2;
  }
  void KillMx(const std::string& holder) {
    pid_t& pid = mx_.at(holder);
    ASSERT_GT(pid, 0);
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    pid = -1;
    unlink(PortFile(holder).c_str());
  }
  void MxStubs() {
    auto& m = federation_->member("MX");
    auto channel = MakeChannel(m.api_port, m.pki->ca(), &m.client);
    dir_stubs_["MX"] = dv1::DirectoryService::NewStub(channel);
    admin_stubs_["MX"] = federation::v1::FederationAdminService::NewStub(channel);
  }

  // An acknowledged create: its display name and when its successful attempt started and ended.
  struct Ack {
    std::string display_name;
    absl::Time start;
    absl::Time end;
  };
  std::vector<std::thread> StartWriters(int writers, std::atomic<bool>& stop) {
    std::vector<std::thread> threads;
    for (int t = 0; t < writers; ++t) {
      threads.emplace_back([this, t, &stop] {
        for (int i = 0; !stop; ++i) {
          dv1::CreateOrganisationRequest req;
          req.set_parent("countries/MX");
          req.set_request_id(absl::StrCat("w", t, "-", i));
          auto* o = req.mutable_organisation();
          o->set_display_name(absl::StrCat("Albergue ", t, "-", i));
          o->set_type(dv1::ORGANISATION_TYPE_CIVIL_SOCIETY);
          o->add_services(dv1::SERVICE_FOOD);
          // The same request id until acknowledged: an outcome-unknown commit is retried, and
          // the directory's request-id check makes the retry a no-op if the first one landed.
          while (!stop) {
            auto ctx = Deadline(absl::Seconds(5));
            ctx->set_wait_for_ready(true);
            dv1::Organisation org;
            const absl::Time start = absl::Now();
            if (Directory("MX").CreateOrganisation(ctx.get(), req, &org).ok()) {
              absl::MutexLock lock(&mu_);
              acks_.push_back({o->display_name(), start, absl::Now()});
              break;
            }
            ++errors_;
            absl::SleepFor(absl::Milliseconds(50));
          }
        }
      });
    }
    return threads;
  }
  size_t AckCount() {
    absl::MutexLock lock(&mu_);
    return acks_.size();
  }
  // What clients saw: the longest stretch without any acknowledgement, from `event` through the
  // next `window` acknowledgements (a few calls in flight at the loss can still be acknowledged
  // just after it; the outage is the silence that follows).
  absl::Duration Downtime(absl::Time event, size_t window) {
    absl::MutexLock lock(&mu_);
    std::vector<absl::Time> ends;
    for (const Ack& a : acks_) {
      if (a.end >= event) ends.push_back(a.end);
    }
    std::sort(ends.begin(), ends.end());
    if (ends.size() > window) ends.resize(window);
    absl::Duration longest;
    absl::Time previous = event;
    for (absl::Time t : ends) {
      longest = std::max(longest, t - previous);
      previous = t;
    }
    return longest;
  }
  // Display name -> how many organisations of MX carry it, as MX lists them.
  std::map<std::string, int> MxDisplayNames() {
    std::map<std::string, int> out;
    dv1::ListOrganisationsRequest req;
    req.set_parent("countries/MX");
    req.set_page_size(1000);
    while (true) {
      dv1::ListOrganisationsResponse resp;
      grpc::Status s = Directory("MX").ListOrganisations(Deadline().get(), req, &resp);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) return {};
      for (const auto& o : resp.organisations()) ++out[o.display_name()];
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return out;
  }
  bool Drained(const std::string& sender, const std::string& receiver, uint64_t* queued) {
    const auto status = Status(sender);
    for (const auto& p : status.peers()) {
      if (p.country() == receiver) {
        *queued = p.last_seq_queued();
        return p.last_seq_queued() > 0 && p.last_seq_acked() == p.last_seq_queued();
      }
    }
    return false;
  }
  // Waits until `more` acknowledgements after `from` (bounded so a dead system fails).
  void ExpectProgress(size_t from, size_t more, const std::string& what) {
    ASSERT_TRUE(WaitFor([&] { return AckCount() >= from + more; }, absl::Seconds(120)))
        << "writes did not resume after " << what << "; MX logs in "
        << federation_->member("MX").dir;
  }

  std::string cluster_;
  std::string cluster_dir_;
  std::string conninfo_;
  std::map<std::string, pid_t> mx_;
  int restarts_ = 0;  // processes the supervisor started again
  absl::Mutex mu_;
  std::vector<Ack> acks_ ABSL_GUARDED_BY(mu_);
  std::atomic<int> errors_{0};
};

TEST_F(FailoverTest, DatabaseAndNodeFailoverLoseAndDuplicateNothing) {
  const absl::Time test_start = absl::Now();
  Init({"MX", "GT"}, {"MX", "GT"});
  StartNode("GT");
  SpawnMx("mx-a");
  ASSERT_TRUE(WaitFor([&] { return Active() == "mx-a"; }, absl::Seconds(60)))
      << "mx-a never served; log " << federation_->member("MX").dir << "/mx-a.log";
  SpawnMx("mx-b");  // the standby: waits for the lease
  MxStubs();

  std::atomic<bool> stop{false};
  auto writers = StartWriters(4, stop);
  ExpectProgress(0, 50, "start");

  // (a) The database's primary member is lost; Patroni promotes the synchronous standby and the
  // store's multi-host conninfo follows it.
  const std::string primary = ShOut(absl::StrCat("bash ", cluster_, " primary ", cluster_dir_));
  ASSERT_FALSE(primary.empty());
  size_t before = AckCount();
  const absl::Time db_killed = absl::Now();
  ASSERT_EQ(Sh(absl::StrCat("bash ", cluster_, " kill ", cluster_dir_, " ", primary)), 0);
  ExpectProgress(before, 50, "losing the primary database");
  const absl::Duration db_downtime = Downtime(db_killed, 50);
  std::cout << "(a) database primary " << primary << " SIGKILLed: writes resumed after "
            << absl::FormatDuration(db_downtime) << ", new primary "
            << ShOut(absl::StrCat("bash ", cluster_, " primary ", cluster_dir_))
            << ", serving MX process " << Active() << std::endl;

  // The database has its new primary before the next loss, so (b) measures the node alone.
  ASSERT_TRUE(WaitFor(
      [&] {
        const std::string now = ShOut(absl::StrCat("bash ", cluster_, " primary ", cluster_dir_));
        return !now.empty() && now != primary;
      },
      absl::Seconds(60)));

  // And the active renewed its term on it (renewals failed while there was no primary), so (b)
  // measures a whole term running out, not the remainder of one.
  ASSERT_TRUE(WaitFor(
      [&] {
        return ShOut(absl::StrCat("psql \"", conninfo_, "\" -qtAc \"SELECT expires_at - now() > "
                                  "interval '10 s' FROM enlace_lease WHERE id = 'MX'\"")) == "t";
      },
      absl::Seconds(60)));

  // (b) The active node is lost; the standby takes the lease when its term runs out. If (a)
  // cost the active its lease or an in-flight commit, the supervisor restarted it and the
  // other process took over; either way a standby must be running before the loss.
  std::string active;
  ASSERT_TRUE(WaitFor([&] { return PairRunning() && !(active = Active()).empty(); },
                      absl::Seconds(60)));
  before = AckCount();
  const absl::Time node_killed = absl::Now();
  KillMx(active);
  ExpectProgress(before, 50, "losing the active node");
  const absl::Duration node_downtime = Downtime(node_killed, 50);
  const std::string successor = Active();
  std::cout << "(b) active node " << active << " SIGKILLed: writes resumed after "
            << absl::FormatDuration(node_downtime) << " on " << successor
            << " (supervisor restarts so far: " << restarts_ << ")" << std::endl;
  EXPECT_NE(successor, active);
  EXPECT_FALSE(successor.empty());
  stop = true;
  for (auto& w : writers) w.join();

  // GT -> MX resumes by itself: GT's sender reconnects to the address the new active holds.
  const std::string gt_org = CreateOrg("GT", "Casa del migrante (GT)", "gt-after-failover");
  ASSERT_FALSE(gt_org.empty());
  EXPECT_TRUE(WaitFor([&] { return ListOrgs("MX", "GT").count(gt_org) == 1; },
                      absl::Seconds(60)))
      << "GT's organisation never reached MX after the failovers";

  // Every acknowledged write is on MX exactly once.
  std::vector<Ack> acks;
  {
    absl::MutexLock lock(&mu_);
    acks = acks_;
  }
  const std::map<std::string, int> names = MxDisplayNames();
  int missing = 0, duplicated = 0;
  for (const Ack& a : acks) {
    auto it = names.find(a.display_name);
    if (it == names.end()) {
      ++missing;
    } else if (it->second != 1) {
      ++duplicated;
    }
  }
  EXPECT_EQ(missing, 0) << "acknowledged writes lost";
  EXPECT_EQ(duplicated, 0) << "acknowledged writes present more than once";
  // Writes that were never acknowledged may have landed (outcome unknown), but only once.
  for (const auto& [name, count] : names) EXPECT_EQ(count, 1) << name;

  // MX -> GT: everything queued was delivered, in full, and GT holds what MX holds.
  uint64_t queued = 0;
  ASSERT_TRUE(WaitFor([&] { return Drained("MX", "GT", &queued); }, absl::Seconds(120)))
      << "MX's link to GT did not drain";
  EXPECT_EQ(ListOrgs("GT", "MX"), ListOrgs("MX", "MX"));

  // The audit chain verifies across both processes' terms.
  {
    auto& m = federation_->member("MX");
    auto auditor = m.pki->Client("spiffe://mx.enlace.example/role/auditor/user/ha-test");
    ASSERT_TRUE(auditor.ok());
    auto stub = av1::AuditService::NewStub(MakeChannel(m.api_port, m.pki->ca(), &*auditor));
    av1::VerifyAuditLogResponse verified;
    auto ctx = Deadline(absl::Seconds(60));
    grpc::Status s = stub->VerifyAuditLog(ctx.get(), av1::VerifyAuditLogRequest(), &verified);
    ASSERT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(verified.ok()) << verified.problem();
    EXPECT_GT(verified.records(), acks.size());
    std::cout << "audit: " << verified.records() << " records verified, head "
              << verified.head_seq() << std::endl;
  }

  // GT applied each of MX's envelopes exactly once (its own store, opened with GT stopped).
  ASSERT_EQ(StopNode("GT", SIGTERM), 0);
  {
    auto store = storage::Store::Open(
        node::NodeStoreOptions(federation_->member("GT").config.data_dir()));
    ASSERT_TRUE(store.ok()) << store.status();
    auto committer = txn::Committer::Create(store->get(), "GT");
    ASSERT_TRUE(committer.ok());
    federation::Inbox inbox(store->get(), committer->get(), "GT");
    EXPECT_EQ(*inbox.AppliedSeq("MX"), queued);
    EXPECT_EQ(*inbox.AppliedCount("MX"), static_cast<int64_t>(queued))
        << "an envelope was applied twice or skipped";
    EXPECT_EQ(*inbox.QuarantineCount("MX"), 0);
  }
  std::cout << "failover test: " << acks.size() << " writes acknowledged, " << errors_.load()
            << " failed attempts retried, " << queued << " envelopes MX -> GT exactly once\n"
            << "downtime seen by clients: database primary lost "
            << absl::FormatDuration(db_downtime) << ", active node lost "
            << absl::FormatDuration(node_downtime) << " (target < 30 s); test ran "
            << absl::FormatDuration(absl::Now() - test_start) << std::endl;
}

}  // namespace
}  // namespace enlace::testing
