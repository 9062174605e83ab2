// A federated node restored from a backup older than its links (docs/operations.md,
// "Restoring a federated node: rejoining its peers"), with three real nodes: MX takes a backup
// through BackupService, then replicates two more directory entries to GT and HN, and GT one
// to MX; MX is SIGKILLed, wiped and restored from the backup. The restored node comes up clean
// (--check, --verify_audit) with the backup's state, its peers lose nothing, and:
//  - each of MX's links HALTS naming the gap (the peer applied W of MX's envelopes, MX's
//    restored outbox holds fewer) instead of sending new envelopes under numbers the peer
//    applied with other content; entries MX creates meanwhile wait in its outbox;
//  - GT's link to MX rejoins by itself: MX's Welcome says `rejoining`, GT sends from what it
//    still holds and re-sends its directory bootstrap, so MX re-learns GT's entry it lost;
//  - the operator resumes MX's links once the gap is reviewed: MX's numbers move past W and
//    the entries created after the restore reach GT and HN exactly once; both gaps are in
//    MX's audit log (federation.link.rejoined).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "enlace/audit/v1/audit_service.grpc.pb.h"
#include "enlace/backup/v1/backup.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/federation/federation_fixture.h"

namespace enlace::testing {
namespace {

namespace av1 = ::enlace::audit::v1;
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

TEST_F(RestoreRejoinTest, RestoredNodeRejoinsItsPeersWithoutReusingANumberOrLosingTheirState) {
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
  // GT's entry after the backup reaches MX (and GT deletes it from its outbox once acked).
  const std::string gt_after = CreateOrg("GT", "Casa de acogida (GT) después del respaldo");
  ASSERT_FALSE(gt_after.empty());
  ASSERT_TRUE(WaitFor([&] { return ListOrgs("MX", "GT").count(gt_after) == 1; },
                      absl::Seconds(60)));
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
  // (GT's entry from after the backup was lost with it; it comes back below.)
  // New entries are queued, not sent, even once MX's outbox for GT has grown past what GT
  // applied: their first sequence numbers are ones GT already applied with the lost content.
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
  }
  auto gt_orgs = ListOrgs("GT", "MX");
  for (const std::string& name : after) EXPECT_EQ(gt_orgs.count(name), 0u) << name;

  // GT -> MX rejoined by itself: GT's entry from after the backup is back at MX (re-sent
  // bootstrap), and GT's link to MX is not halted.
  EXPECT_TRUE(WaitFor([&] { return ListOrgs("MX", "GT").count(gt_after) == 1; },
                      absl::Seconds(60)))
      << "GT's entry lost by the restore never came back to MX";
  {
    const fv1::FederationStatus status = Status("GT");
    const fv1::PeerStatus* mx_link = Peer(status, "MX");
    ASSERT_NE(mx_link, nullptr);
    EXPECT_FALSE(mx_link->halted()) << mx_link->last_error();
  }

  // The operator reviewed the gaps and resumes MX's links: its numbers move past W.
  for (const std::string peer : {"GT", "HN"}) {
    fv1::ResumeLinkRequest resume;
    resume.set_country(peer);
    resume.set_reason("restore drill: gap reviewed with the peer's operators");
    fv1::ResumeLinkResponse resumed;
    grpc::Status rs = Admin("MX").ResumeLink(Deadline().get(), resume, &resumed);
    ASSERT_TRUE(rs.ok()) << rs.error_message();
    EXPECT_TRUE(resumed.resumed());
  }
  for (const std::string peer : {"GT", "HN"}) {
    EXPECT_TRUE(WaitFor([&] {
      auto orgs = ListOrgs(peer, "MX");
      for (const std::string& name : after) {
        if (orgs.count(name) != 1) return false;
      }
      return true;
    }, absl::Seconds(60))) << "MX's entries from after the restore never reached " << peer;
    EXPECT_TRUE(WaitFor([&] {
      const fv1::FederationStatus status = Status("MX");
      const fv1::PeerStatus* p = Peer(status, peer);
      return p != nullptr && !p->halted() && p->last_seq_acked() == p->last_seq_queued() &&
             p->last_seq_acked() > applied_from_mx[peer];
    }, absl::Seconds(60))) << "MX's link to " << peer << " did not drain past the gap";
  }
  // The peers lose nothing of what they had, and hold MX's new entries once each.
  for (const std::string peer : {"GT", "HN"}) {
    auto orgs = ListOrgs(peer, "MX");
    EXPECT_EQ(orgs.count(first), 1u) << peer;
    EXPECT_EQ(orgs.count(second), 1u) << peer;
    EXPECT_EQ(orgs.count(third), 1u) << peer;
    EXPECT_EQ(orgs.size(), 3u + after.size()) << peer;
  }
  // Both gaps are in MX's audit log.
  {
    auto auditor = mx.pki->Client("spiffe://mx.enlace.example/role/auditor/user/restore-test");
    ASSERT_TRUE(auditor.ok());
    auto audit = av1::AuditService::NewStub(MakeChannel(mx.api_port, mx.pki->ca(), &*auditor));
    av1::ListAuditRecordsRequest req;
    req.set_page_size(1000);
    int inbound = 0, outbound = 0;
    while (true) {
      av1::ListAuditRecordsResponse got;
      grpc::Status s = audit->ListAuditRecords(Deadline().get(), req, &got);
      ASSERT_TRUE(s.ok()) << s.error_message();
      for (const auto& r : got.records()) {
        if (r.action() != "federation.link.rejoined") continue;
        if (absl::StartsWith(r.detail(), "from GT")) ++inbound;
        if (absl::StartsWith(r.detail(), "to GT") &&
            absl::StrContains(r.detail(), "gap reviewed")) {
          ++outbound;
        }
      }
      if (got.next_page_token().empty()) break;
      req.set_page_token(got.next_page_token());
    }
    EXPECT_EQ(inbound, 1);
    EXPECT_EQ(outbound, 1);
  }
}

}  // namespace
}  // namespace enlace::testing
