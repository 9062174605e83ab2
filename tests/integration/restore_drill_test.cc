// The restore drill of docs/operations.md, as an operator runs it: a real enlace-node process
// serving writers that create persons and cases over gRPC; an operator takes a backup through
// BackupService while they write; the node is SIGKILLed and its data and key vault directories
// wiped; `enlace-node --restore_from` puts the backup back; `--check` and `--verify_audit` come
// out clean; the restarted node serves every case acknowledged before the backup started, with
// its person readable (the vault came back too), and nothing half-written.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "enlace/backup/v1/backup.grpc.pb.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "tests/testing/test_env.h"

namespace enlace {
namespace {

namespace v1 = ::enlace::cases::v1;
namespace bv1 = ::enlace::backup::v1;

constexpr int kWriters = 4;

std::unique_ptr<grpc::ClientContext> Ctx(int seconds = 20) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(seconds));
  return ctx;
}

struct Offline {
  int code = -1;
  std::string out;
};

// enlace-node with `args` (an offline mode: restore, --check, --verify_audit), to completion.
Offline RunNode(const std::vector<std::string>& args, const std::string& dir) {
  const std::string binary = testing::RunfilePath("services/node/enlace-node");
  const std::string out_path = dir + "/offline.out";
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
  Offline r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::ifstream in(out_path);
  std::stringstream ss;
  ss << in.rdbuf();
  r.out = ss.str();
  return r;
}

struct Ack {
  std::string person;
  std::string given_names;
  std::string case_name;
};

TEST(RestoreDrillTest, BackupUnderWritesThenSigkillWipeRestoreHasEveryEarlierWrite) {
  const std::string dir = testing::MakeTempDir("restore_drill");
  auto pki = testing::TestPki::Create(dir, "MX");
  ASSERT_TRUE(pki.ok()) << pki.status();
  auto writer_cert = pki->Client("spiffe://mx.enlace.example/role/supervisor/user/drill");
  auto operator_cert = pki->Client("spiffe://mx.enlace.example/role/operator/user/ops");
  ASSERT_TRUE(writer_cert.ok() && operator_cert.ok());
  auto config = testing::TestNodeConfig(dir, "MX");
  config.mutable_backup()->set_dir(dir + "/backups");
  config.mutable_backup()->set_vault_dir(dir + "/vault-backups");
  config.mutable_backup()->set_keep(2);
  auto node = testing::NodeProcess::Start(config, dir);
  ASSERT_TRUE(node.ok()) << node.status();
  const std::string config_path = dir + "/node.textproto";
  auto channel = testing::MakeChannel((*node)->port(), pki->ca(), &*writer_cert);
  auto persons = v1::PersonService::NewStub(channel);
  auto cases = v1::CaseService::NewStub(channel);
  auto ops_channel = testing::MakeChannel((*node)->port(), pki->ca(), &*operator_cert);
  auto backups = bv1::BackupService::NewStub(ops_channel);

  // A supervisor may not take backups: operators only.
  {
    auto denied = bv1::BackupService::NewStub(channel);
    bv1::Backup b;
    EXPECT_EQ(denied->CreateBackup(Ctx().get(), {}, &b).error_code(), grpc::PERMISSION_DENIED);
  }

  absl::Mutex mu;
  std::vector<Ack> acked;  // guarded by mu, in acknowledgement order
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; !stop.load(); ++i) {
        v1::CreatePersonRequest pr;
        pr.set_parent("countries/MX");
        auto* p = pr.mutable_person();
        const std::string given = absl::StrCat("Persona ", w, "-", i);
        p->set_given_names(given);
        p->set_family_names("Restaurada");
        p->set_sex(v1::SEX_FEMALE);
        p->add_nationalities("MX");
        p->set_international_protection(v1::INTERNATIONAL_PROTECTION_NONE);
        pr.set_request_id(absl::StrCat("p-", w, "-", i));
        v1::Person person;
        if (!persons->CreatePerson(Ctx().get(), pr, &person).ok()) return;  // node killed
        v1::CreateCaseRequest cr;
        cr.set_parent("countries/MX");
        auto* c = cr.mutable_case_();
        c->set_person(person.name());
        c->set_post("MX-LAX");
        c->set_host_country("US");
        c->set_place("Los Angeles");
        c->set_category(v1::CATEGORY_LABOUR);
        c->set_subtype(v1::SUBTYPE_WORK_INJURY);
        c->set_legal_basis(v1::LEGAL_BASIS_VITAL_INTEREST);
        cr.set_request_id(absl::StrCat("c-", w, "-", i));
        v1::Case created;
        if (!cases->CreateCase(Ctx().get(), cr, &created).ok()) return;
        absl::MutexLock lock(&mu);
        acked.push_back({person.name(), given, created.name()});
      }
    });
  }
  auto acked_count = [&] {
    absl::MutexLock lock(&mu);
    return acked.size();
  };
  // Ordering, not time: the backup starts once writes are acknowledged, and what was
  // acknowledged at that moment is what the restored node must hold.
  ASSERT_TRUE(testing::WaitFor([&] { return acked_count() >= 40; }, absl::Seconds(120)));
  std::vector<Ack> before;
  {
    absl::MutexLock lock(&mu);
    before = acked;
  }
  bv1::Backup backup;
  grpc::Status bs = backups->CreateBackup(Ctx(120).get(), {}, &backup);
  ASSERT_TRUE(bs.ok()) << bs.error_message();
  EXPECT_GT(backup.vault_id(), 0u);
  const size_t at_backup_end = acked_count();
  // Writers go on after the backup; the node dies under them.
  ASSERT_TRUE(
      testing::WaitFor([&] { return acked_count() >= at_backup_end + 20; }, absl::Seconds(120)));
  {
    bv1::VerifyBackupRequest vr;
    vr.set_id(backup.id());
    bv1::VerifyBackupResponse verified;
    ASSERT_TRUE(backups->VerifyBackup(Ctx().get(), vr, &verified).ok());
    EXPECT_TRUE(verified.ok()) << verified.problem();
    bv1::ListBackupsResponse list;
    ASSERT_TRUE(backups->ListBackups(Ctx().get(), {}, &list).ok());
    ASSERT_EQ(list.backups_size(), 1);
    EXPECT_EQ(list.backups(0).id(), backup.id());
  }
  EXPECT_EQ((*node)->Stop(SIGKILL), 128 + SIGKILL);
  stop.store(true);
  for (auto& t : writers) t.join();
  const size_t after = acked_count();
  ASSERT_GT(after, before.size());

  // The disaster: data and key vault gone.
  std::filesystem::remove_all(config.data_dir());
  std::filesystem::remove_all(config.data_dir() + ".keys");
  // A restore into a non-empty data dir is refused and changes nothing.
  std::filesystem::create_directories(config.data_dir());
  { std::ofstream(config.data_dir() + "/stray") << "x"; }
  Offline refused = RunNode({"--config=" + config_path, "--restore_from=" + dir + "/backups",
                         absl::StrCat("--backup_id=", backup.id())},
                        dir);
  EXPECT_EQ(refused.code, 1) << refused.out;
  EXPECT_TRUE(absl::StrContains(refused.out, "not empty")) << refused.out;
  EXPECT_FALSE(std::filesystem::exists(config.data_dir() + ".keys"));
  std::filesystem::remove_all(config.data_dir());

  Offline restored = RunNode({"--config=" + config_path, "--restore_from=" + dir + "/backups",
                          absl::StrCat("--backup_id=", backup.id())},
                         dir);
  ASSERT_EQ(restored.code, 0) << restored.out;
  Offline check = RunNode({"--config=" + config_path, "--check"}, dir);
  EXPECT_EQ(check.code, 0) << check.out;
  EXPECT_TRUE(absl::StrContains(check.out, "consistent")) << check.out;
  Offline verify = RunNode({"--config=" + config_path, "--verify_audit"}, dir);
  EXPECT_EQ(verify.code, 0) << verify.out;

  auto again = testing::NodeProcess::Start(config, dir);
  ASSERT_TRUE(again.ok()) << again.status();
  channel = testing::MakeChannel((*again)->port(), pki->ca(), &*writer_cert);
  persons = v1::PersonService::NewStub(channel);
  cases = v1::CaseService::NewStub(channel);
  for (const Ack& a : before) {
    v1::GetCaseRequest gc;
    gc.set_name(a.case_name);
    v1::Case c;
    grpc::Status s = cases->GetCase(Ctx().get(), gc, &c);
    ASSERT_TRUE(s.ok()) << a.case_name << " acknowledged before the backup, lost: "
                        << s.error_message();
    EXPECT_EQ(c.person(), a.person);
    v1::GetPersonRequest gp;
    gp.set_name(a.person);
    v1::Person p;
    s = persons->GetPerson(Ctx().get(), gp, &p);
    ASSERT_TRUE(s.ok()) << a.person << ": " << s.error_message();
    EXPECT_EQ(p.given_names(), a.given_names);  // sealed field: the vault's key came back
  }
  // Nothing half-written: every case the restored node lists has its person.
  std::vector<v1::Case> listed;
  v1::ListCasesRequest lr;
  lr.set_parent("countries/MX");
  lr.set_page_size(100);
  do {
    v1::ListCasesResponse page;
    grpc::Status s = cases->ListCases(Ctx().get(), lr, &page);
    ASSERT_TRUE(s.ok()) << s.error_message();
    listed.insert(listed.end(), page.cases().begin(), page.cases().end());
    lr.set_page_token(page.next_page_token());
  } while (!lr.page_token().empty());
  EXPECT_GE(listed.size(), before.size());
  // At most what was acknowledged by the kill, plus one in flight per writer.
  EXPECT_LE(listed.size(), after + kWriters);
  for (const v1::Case& c : listed) {
    v1::GetPersonRequest gp;
    gp.set_name(c.person());
    v1::Person p;
    EXPECT_TRUE(persons->GetPerson(Ctx().get(), gp, &p).ok()) << c.name();
  }
  EXPECT_EQ((*again)->Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace enlace
