// A federated node restored from a backup older than its links (docs/operations.md,
// "Restoring a federated node: rejoining its peers"), with three real nodes: MX takes a backup
// through BackupService, then replicates two more directory entries to GT and HN; MX is
// SIGKILLed, wiped and restored from the backup. What this pins down is the part built today:
// the restored node comes up clean (--check, --verify_audit) with the backup's state, its peers
// lose nothing, and each of its links HALTS naming the gap (the peer applied W of MX's
// envelopes, MX's restored outbox holds fewer) instead of sending new envelopes under sequence
// numbers the peer has already applied with other content; the peers' own view (inbound applied
// sequence) gives the operator W. Entries MX creates after the restore stay in MX's outbox, and
// a link resumed by an operator halts again while the gap remains (the rejoin floor).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "enlace/backup/v1/backup.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/federation/federation_fixture.h"

namespace enlace::testing {
namespace {

namespace bv1 = ::enlace::backup::v1;
namespace fv1 = ::enlace::federation::v1;

int RunNode(const std::vector<std::string>& args, const std::string& out_path) {
  const std::string binary = RunfilePath("services/node/enlace-node");
  std::vector<std::string> all = {binary};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    FILE* f = fopen(out_path.c_str(), "w");
    if (f != nullptr) {
      dup2(fileno(f), 1);
      dup2(fileno(f), 2);
    }
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const fv1::PeerStatus* Peer(const fv1::FederationStatus& s, const std::string& country) {
  for (const auto& p : s.peers()) {
    if (p.country() == country) return &p;
  }
  return nullptr;
}

class RestoreRejoinTest : public FederationFixture {};

TEST_F(RestoreRejoinTest, RestoredNodeHaltsItsLinksAtTheGapAndItsPeersLoseNothing) {
  const std::vector<std::string> all = {"MX", "GT", "HN"};
  Init(all, all);
  auto& mx = federation_->member("MX");
  mx.config.mutable_backup()->set_dir(mx.dir + "/backups");
  for (const auto& c : all) StartNode(c);

  const std::string first = CreateOrg("MX", "Albergue antes del respaldo");
  ASSERT_FALSE(first.empty());
  for (const std::string peer : {"GT", "HN"}) {
    ASSERT_TRUE(WaitFor([&] { return ListOrgs(peer, "MX").count(first) == 1; },
                        absl::Seconds(60)))
        << peer;
  }
  // The operator's backup; then two more entries reach both peers.
  auto channel = MakeChannel(mx.api_port, mx.pki->ca(), &mx.client);
  auto backups = bv1::BackupService::NewStub(channel);
  bv1::Backup backup;
  grpc::Status bs = backups->CreateBackup(Deadline(absl::Seconds(60)).get(), {}, &backup);
  ASSERT_TRUE(bs.ok()) << bs.error_message();
  const std::string second = CreateOrg("MX", "Albergue después 1");
  const std::string third = CreateOrg("MX", "Albergue después 2");
  ASSERT_FALSE(second.empty() || third.empty());
  for (const std::string peer : {"GT", "HN"}) {
    ASSERT_TRUE(WaitFor([&] {
      auto orgs = ListOrgs(peer, "MX");
      return orgs.count(second) == 1 && orgs.count(third) == 1;
    }, absl::Seconds(60))) << peer;
  }
  std::map<std::string, uint64_t> applied_from_mx;  // W, as each peer reports it
  for (const std::string peer : {"GT", "HN"}) {
    const fv1::FederationStatus status = Status(peer);
    const fv1::PeerStatus* p = Peer(status, "MX");
    ASSERT_NE(p, nullptr);
    applied_from_mx[peer] = p->inbound_applied_seq();
  }

  // The loss, and the restore.
  ASSERT_EQ(StopNode("MX", SIGKILL), 128 + SIGKILL);
  const std::string keys = mx.config.security().keys_dir().empty()
                               ? mx.config.data_dir() + ".keys"
                               : mx.config.security().keys_dir();
  std::filesystem::remove_all(mx.config.data_dir());
  std::filesystem::remove_all(keys);
  const std::string config_path = mx.dir + "/node.textproto";
  const std::string out = mx.dir + "/offline.out";
  ASSERT_EQ(RunNode({"--config=" + config_path, "--restore_from=" + mx.dir + "/backups",
                     absl::StrCat("--backup_id=", backup.id())},
                    out),
            0)
      << ReadAll(out);
  EXPECT_EQ(RunNode({"--config=" + config_path, "--check"}, out), 0) << ReadAll(out);
  EXPECT_EQ(RunNode({"--config=" + config_path, "--verify_audit"}, out), 0) << ReadAll(out);
  StartNode("MX");

  // Both links halt at the gap, naming it, with what each peer applied.
  for (const std::string peer : {"GT", "HN"}) {
    ASSERT_TRUE(WaitFor([&] {
      const fv1::FederationStatus status = Status("MX");
      const fv1::PeerStatus* p = Peer(status, peer);
      return p != nullptr && p->halted();
    }, absl::Seconds(60))) << peer;
    const fv1::FederationStatus status = Status("MX");
    const fv1::PeerStatus* p = Peer(status, peer);
    ASSERT_NE(p, nullptr);
    EXPECT_TRUE(absl::StrContains(
        p->last_error(), absl::StrCat("says it applied ", applied_from_mx[peer], " envelopes")))
        << p->last_error();
    EXPECT_LT(p->last_seq_queued(), applied_from_mx[peer]);
  }
  // MX has the backup's state: its first entry, not the two after.
  auto mine = ListOrgs("MX", "MX");
  EXPECT_EQ(mine.count(first), 1u);
  EXPECT_EQ(mine.count(second), 0u);
  EXPECT_EQ(mine.count(third), 0u);
  // New entries are queued, not sent, even once MX's outbox for GT has grown past what GT
  // applied: their first sequence numbers are ones GT already applied with the lost content.
  // An operator who resumes the link finds it halted again (the restore's rejoin floor).
  std::vector<std::string> after;
  for (int i = 0; i < 3; ++i) {
    after.push_back(CreateOrg("MX", absl::StrCat("Albergue después de restaurar ", i)));
    ASSERT_FALSE(after.back().empty());
  }
  {
    const fv1::FederationStatus status = Status("MX");
    const fv1::PeerStatus* gt = Peer(status, "GT");
    ASSERT_NE(gt, nullptr);
    EXPECT_TRUE(gt->halted());
    EXPECT_GT(gt->outbox_depth(), 0u);
    ASSERT_GT(gt->last_seq_queued(), applied_from_mx["GT"]);
    fv1::ResumeLinkRequest resume;
    resume.set_country("GT");
    resume.set_reason("restore drill: resumed without reconciling");
    fv1::ResumeLinkResponse resumed;
    ASSERT_TRUE(Admin("MX").ResumeLink(Deadline().get(), resume, &resumed).ok());
    EXPECT_TRUE(resumed.resumed());
    // ResumeLink returns once the halt is cleared: a halt seen from now on is a new one.
    ASSERT_TRUE(WaitFor([&] {
      const fv1::FederationStatus now = Status("MX");
      const fv1::PeerStatus* p = Peer(now, "GT");
      return p != nullptr && p->halted();
    }, absl::Seconds(60)));
    const fv1::FederationStatus now = Status("MX");
    EXPECT_TRUE(absl::StrContains(Peer(now, "GT")->last_error(), "restored from a backup"))
        << Peer(now, "GT")->last_error();
  }
  // GT never got MX's new entries under reused numbers.
  auto gt_orgs = ListOrgs("GT", "MX");
  for (const std::string& name : after) EXPECT_EQ(gt_orgs.count(name), 0u) << name;
  // The peers lose nothing of what they had.
  for (const std::string peer : {"GT", "HN"}) {
    auto orgs = ListOrgs(peer, "MX");
    EXPECT_EQ(orgs.count(first), 1u) << peer;
    EXPECT_EQ(orgs.count(second), 1u) << peer;
    EXPECT_EQ(orgs.count(third), 1u) << peer;
  }
}

}  // namespace
}  // namespace enlace::testing
