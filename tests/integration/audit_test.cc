// The audit log end to end: a real federated node process (so it has an Ed25519 key and signs
// its checkpoints) written to through the API; the AuditService over mTLS; then, with the node
// stopped, records edited, removed, swapped or rewritten in copies of its RocksDB files, and
// `enlace-node --verify_audit` and `enlacectl audit verify --data_dir` run as child processes
// must exit 3 naming the exact record, while the untouched files verify clean.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit_head.h"
#include "common/pki/pki.h"
#include "common/status/grpc_status.h"
#include "common/storage/store.h"
#include "common/txn/committer.h"
#include "enlace/audit/v1/audit_service.grpc.pb.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "gtest/gtest.h"
#include "services/node/node.h"
#include "tests/testing/test_env.h"

namespace enlace {
namespace {

namespace cv1 = ::enlace::cases::v1;
namespace av1 = ::enlace::audit::v1;

constexpr char kSupervisor[] = "spiffe://mx.enlace.example/role/supervisor/user/ana";
constexpr char kOperator[] = "spiffe://mx.enlace.example/role/operator/user/olga";
constexpr char kAuditor[] = "spiffe://mx.enlace.example/role/auditor/user/ines";

struct Result {
  int code = -1;
  std::string out;
};

std::ostream& operator<<(std::ostream& os, const Result& r) {
  return os << "exit " << r.code << "\n" << r.out;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs a binary with `args`, stdout and stderr together.
Result RunChild(const std::string& binary, const std::vector<std::string>& args,
                const std::string& out_path) {
  std::vector<char*> argv = {const_cast<char*>(binary.c_str())};
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  Result r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = ReadAll(out_path);
  return r;
}

std::string Key(uint64_t seq) {
  std::string s;
  storage::AppendBigEndian64(&s, seq);
  return s;
}

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return ctx;
}

// Rosa, whom the tests create as the supervisor.
cv1::CreatePersonRequest RosaRequest() {
  cv1::CreatePersonRequest cp;
  cp.set_parent("countries/MX");
  auto* p = cp.mutable_person();
  p->set_given_names("Rosa");
  p->set_family_names("Martínez");
  p->set_sex(cv1::SEX_FEMALE);
  p->set_birth_date("1990-05-01");
  p->add_nationalities("MX");
  p->set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
  return cp;
}

// Her immigration detention case at MX-LAX.
cv1::CreateCaseRequest DetentionCaseRequest(const std::string& person) {
  cv1::CreateCaseRequest cc;
  cc.set_parent("countries/MX");
  auto* c = cc.mutable_case_();
  c->set_person(person);
  c->set_post("MX-LAX");
  c->set_host_country("US");
  c->set_place("Los Ángeles");
  c->set_category(cv1::CATEGORY_MIGRATION);
  c->set_subtype(cv1::SUBTYPE_IMMIGRATION_DETENTION);
  c->set_legal_basis(cv1::LEGAL_BASIS_VITAL_INTEREST);
  return cc;
}

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("audit");
    auto fed = testing::TestFederation::Create(dir_, {"MX"});
    ASSERT_TRUE(fed.ok()) << fed.status();
    fed_ = *std::move(fed);
    ASSERT_TRUE(fed_->WriteManifest({"MX"}, 1).ok());
    member_ = &fed_->member("MX");
    auto node = testing::NodeProcess::Start(member_->config, member_->dir);
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = *std::move(node);
    for (const char* uri : {kSupervisor, kOperator, kAuditor}) {
      auto client = member_->pki->Client(uri);
      ASSERT_TRUE(client.ok()) << client.status();
      channels_[uri] = testing::MakeChannel(node_->port(), member_->pki->ca(), &*client);
      if (std::string(uri) == kAuditor) {
        // As files too, for enlacectl --tls_dir.
        ASSERT_TRUE(pki::WriteFile(member_->dir + "/ines.pem", client->cert_pem, 0600).ok());
        ASSERT_TRUE(pki::WriteFile(member_->dir + "/ines.key", client->key_pem, 0600).ok());
        ASSERT_TRUE(
            pki::WriteFile(member_->dir + "/ca.pem", member_->pki->ca().cert_pem, 0644).ok());
      }
    }
  }

  void TearDown() override {
    if (node_ != nullptr && node_->pid() > 0) node_->Stop(SIGKILL);
  }

  absl::StatusOr<av1::ListAuditRecordsResponse> List(const char* as,
                                                     av1::ListAuditRecordsRequest req) {
    auto stub = av1::AuditService::NewStub(channels_[as]);
    av1::ListAuditRecordsResponse out;
    absl::Status s = FromGrpcStatus(stub->ListAuditRecords(Ctx().get(), req, &out));
    if (!s.ok()) return s;
    return out;
  }

  Result VerifyWithNode(const std::string& data_dir) {
    return RunChild(testing::RunfilePath("services/node/enlace-node"),
                    {"--config=" + member_->dir + "/node.textproto", "--data_dir=" + data_dir,
                     "--verify_audit"},
                    absl::StrCat(dir_, "/verify.", runs_++));
  }

  Result Enlacectl(std::vector<std::string> args) {
    return RunChild(testing::RunfilePath("tools/enlacectl/enlacectl"), args,
                    absl::StrCat(dir_, "/cli.", runs_++));
  }

  // A copy of the stopped node's data directory, to tamper with.
  std::string Copy(const std::string& tag) {
    const std::string copy = absl::StrCat(dir_, "/copy-", tag);
    const std::string cmd = absl::StrCat("cp -r '", member_->config.data_dir(), "' '", copy, "'");
    EXPECT_EQ(system(cmd.c_str()), 0);
    return copy;
  }

  // Opens a data directory the way the node does.
  static std::unique_ptr<storage::Store> Open(const std::string& data_dir) {
    auto store = storage::Store::Open(node::NodeStoreOptions(data_dir));
    EXPECT_TRUE(store.ok()) << store.status();
    return *std::move(store);
  }

  // Checks that both offline verifiers reject `data_dir` naming `seq` and `problem`.
  void ExpectTampered(const std::string& data_dir, uint64_t seq, const std::string& problem) {
    Result r = VerifyWithNode(data_dir);
    EXPECT_EQ(r.code, 3) << r;
    EXPECT_TRUE(absl::StrContains(r.out, "audit log: TAMPERED")) << r;
    EXPECT_TRUE(absl::StrContains(r.out, absl::StrCat("first bad record: ", seq, "\n"))) << r;
    EXPECT_TRUE(absl::StrContains(r.out, "problem: " + problem + "\n")) << r;
    Result c = Enlacectl({"audit", "verify", "--data_dir=" + data_dir,
                          "--verify_key=" + member_->dir + "/signing.key"});
    EXPECT_EQ(c.code, 3) << c;
    EXPECT_TRUE(absl::StrContains(c.out, absl::StrCat("first bad record: ", seq, "\n"))) << c;
  }

  std::string dir_;
  std::unique_ptr<testing::TestFederation> fed_;
  testing::TestFederation::Member* member_ = nullptr;
  std::unique_ptr<testing::NodeProcess> node_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
  int runs_ = 0;
};

TEST_F(AuditTest, AuditorsReadTheLogAndTamperingIsFoundWhereItHappened) {
  // Personal data written and read by a supervisor; a call refused to an operator.
  auto persons = cv1::PersonService::NewStub(channels_[kSupervisor]);
  auto cases = cv1::CaseService::NewStub(channels_[kSupervisor]);
  cv1::Person person;
  ASSERT_TRUE(persons->CreatePerson(Ctx().get(), RosaRequest(), &person).ok());
  cv1::CreateCaseRequest cc = DetentionCaseRequest(person.name());
  cc.mutable_case_()->set_risk(cv1::RISK_HIGH);
  cc.mutable_case_()->set_summary("Detenida; solicita visita consular.");
  cv1::Case kase;
  ASSERT_TRUE(cases->CreateCase(Ctx().get(), cc, &kase).ok());
  cv1::GetCaseRequest get;
  get.set_name(kase.name());
  cv1::Case got;
  ASSERT_TRUE(cases->GetCase(Ctx().get(), get, &got).ok());
  auto operator_cases = cv1::CaseService::NewStub(channels_[kOperator]);
  EXPECT_EQ(operator_cases->GetCase(Ctx().get(), get, &got).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // (a) The auditor lists by case and by actor.
  av1::ListAuditRecordsRequest by_case;
  by_case.set_resource(kase.name());
  auto case_records = List(kAuditor, by_case);
  ASSERT_TRUE(case_records.ok()) << case_records.status();
  ASSERT_EQ(case_records->records_size(), 2) << case_records->DebugString();
  EXPECT_EQ(case_records->records(0).action(), "cases.CreateCase");
  EXPECT_EQ(case_records->records(1).action(), "cases.GetCase");
  for (const auto& r : case_records->records()) {
    EXPECT_EQ(r.actor(), kSupervisor);
    EXPECT_EQ(r.outcome(), av1::AUDIT_OUTCOME_OK);
  }
  const uint64_t create_case_seq = case_records->records(0).seq();
  const uint64_t get_case_seq = case_records->records(1).seq();
  av1::ListAuditRecordsRequest by_person;
  by_person.set_resource(person.name());
  auto person_records = List(kAuditor, by_person);
  ASSERT_TRUE(person_records.ok());
  // CreatePerson; the grant of the case's post to the person (issue 8: every grant is
  // audited, with its basis); CreateCase.
  ASSERT_EQ(person_records->records_size(), 3) << person_records->DebugString();
  const uint64_t create_person_seq = person_records->records(0).seq();
  EXPECT_EQ(person_records->records(0).action(), "cases.CreatePerson");
  EXPECT_EQ(person_records->records(1).action(), "cases.GrantPersonAccess");
  EXPECT_EQ(person_records->records(2).action(), "cases.CreateCase");

  av1::ListAuditRecordsRequest by_operator;
  by_operator.set_actor(kOperator);
  auto operator_records = List(kAuditor, by_operator);
  ASSERT_TRUE(operator_records.ok());
  ASSERT_EQ(operator_records->records_size(), 1);
  EXPECT_EQ(operator_records->records(0).action(), "enlace.cases.v1.CaseService/GetCase");
  EXPECT_EQ(operator_records->records(0).outcome(), av1::AUDIT_OUTCOME_DENIED);

  // A supervisor may not read the audit log, and the attempt is on record.
  auto refused = List(kSupervisor, by_case);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied) << refused.status();
  av1::ListAuditRecordsRequest by_supervisor;
  by_supervisor.set_actor(kSupervisor);
  auto supervisor_records = List(kAuditor, by_supervisor);
  ASSERT_TRUE(supervisor_records.ok());
  const auto& last = supervisor_records->records(supervisor_records->records_size() - 1);
  EXPECT_EQ(last.action(), "enlace.audit.v1.AuditService/ListAuditRecords");
  EXPECT_EQ(last.outcome(), av1::AUDIT_OUTCOME_DENIED);
  // The auditor's own reads are on record too.
  av1::ListAuditRecordsRequest by_auditor;
  by_auditor.set_actor(kAuditor);
  auto auditor_records = List(kAuditor, by_auditor);
  ASSERT_TRUE(auditor_records.ok());
  EXPECT_GE(auditor_records->records_size(), 4);
  EXPECT_EQ(auditor_records->records(0).action(), "audit.ListAuditRecords");

  auto stub = av1::AuditService::NewStub(channels_[kAuditor]);
  av1::VerifyAuditLogResponse verified;
  ASSERT_TRUE(stub->VerifyAuditLog(Ctx().get(), av1::VerifyAuditLogRequest(), &verified).ok());
  EXPECT_TRUE(verified.ok()) << verified.DebugString();
  EXPECT_TRUE(verified.signatures_checked());
  EXPECT_GT(verified.records(), 8u);

  // enlacectl over the API, as the auditor.
  const std::vector<std::string> global = {absl::StrCat("--server=localhost:", node_->port()),
                                           "--tls_dir=" + member_->dir, "--identity=ines"};
  auto with = [&](std::vector<std::string> args) {
    args.insert(args.begin(), global.begin(), global.end());
    return args;
  };
  Result listed = Enlacectl(with({"audit", "list", "case=" + kase.name()}));
  EXPECT_EQ(listed.code, 0) << listed;
  EXPECT_TRUE(absl::StrContains(listed.out, "cases.CreateCase")) << listed;
  EXPECT_TRUE(absl::StrContains(listed.out, "cases.GetCase")) << listed;
  Result online = Enlacectl(with({"audit", "verify"}));
  EXPECT_EQ(online.code, 0) << online;
  EXPECT_TRUE(absl::StrContains(online.out, "audit log: OK")) << online;

  // The RPC checks the signed head kept in the vault directory too, as --verify_audit does:
  // a head beyond the log (records cut from the end under the running node) is reported.
  {
    const std::string head_file = audit::AuditHeadPath(node::KeysDir(member_->config));
    auto head = audit::ReadAuditHead(head_file);  // none until the first checkpoint
    ASSERT_TRUE(head.ok()) << head.status();
    audit::AuditHead ahead;
    if (head->has_value()) ahead = **head;
    ahead.seq = verified.records() + 1000;
    ahead.hash = std::string(32, 'h');
    ASSERT_TRUE(audit::WriteAuditHead(head_file, ahead).ok());
    av1::VerifyAuditLogResponse cut;
    ASSERT_TRUE(stub->VerifyAuditLog(Ctx().get(), av1::VerifyAuditLogRequest(), &cut).ok());
    EXPECT_FALSE(cut.ok()) << "a log that ends before its signed head passed the RPC's check";
    if (head->has_value()) {
      ASSERT_TRUE(audit::WriteAuditHead(head_file, **head).ok());
    } else {
      ASSERT_EQ(std::remove(head_file.c_str()), 0);
    }
  }

  // (b) A clean stop seals the log with a signed checkpoint.
  ASSERT_EQ(node_->Stop(SIGTERM), 0) << ReadAll(node_->log_path());
  Result clean = VerifyWithNode(member_->config.data_dir());
  EXPECT_EQ(clean.code, 0) << clean;
  EXPECT_TRUE(absl::StrContains(clean.out, "audit log: OK")) << clean;
  EXPECT_TRUE(absl::StrContains(clean.out, "1 with a valid signature")) << clean;
  EXPECT_TRUE(absl::StrContains(clean.out, "unsealed: 0 records")) << clean;
  Result clean_cli = Enlacectl({"audit", "verify", "--data_dir=" + member_->config.data_dir(),
                                "--verify_key=" + member_->dir + "/signing.key"});
  EXPECT_EQ(clean_cli.code, 0) << clean_cli;

  uint64_t head = 0, checkpoint = 0;
  {
    auto store = Open(Copy("scan"));
    for (auto it = store->ScanPrefix(store->cf("audit"), ""); it->Valid(); it->Next()) {
      av1::AuditRecord r;
      ASSERT_TRUE(r.ParseFromString(std::string(it->value())));
      head = r.seq();
      if (r.action() == "audit.checkpoint" && checkpoint == 0) checkpoint = r.seq();
    }
  }
  ASSERT_GT(checkpoint, get_case_seq);

  {
    // A record's bytes edited in place: the supervisor's GetCase now names someone else.
    const std::string copy = Copy("edit");
    auto store = Open(copy);
    auto value = store->Get(store->cf("audit"), Key(get_case_seq));
    ASSERT_TRUE(value.ok() && value->has_value());
    std::string bytes = **value;
    const size_t at = bytes.find("user/ana");
    ASSERT_NE(at, std::string::npos);
    bytes.replace(at, 8, "user/eve");
    storage::WriteBatch batch;
    batch.Put(store->cf("audit"), Key(get_case_seq), bytes);
    ASSERT_TRUE(store->Commit(batch).ok());
    store.reset();
    ExpectTampered(
        copy, get_case_seq,
        absl::StrCat("record ", get_case_seq, ": hash does not match its content (changed)"));
  }
  {
    // A record removed.
    const std::string copy = Copy("delete");
    auto store = Open(copy);
    storage::WriteBatch batch;
    batch.Delete(store->cf("audit"), Key(create_case_seq));
    ASSERT_TRUE(store->Commit(batch).ok());
    store.reset();
    ExpectTampered(copy, create_case_seq,
                   absl::StrCat("record ", create_case_seq, " missing (expected ", create_case_seq,
                                ", found ", create_case_seq + 1, ")"));
  }
  {
    // Two records swapped.
    const std::string copy = Copy("swap");
    auto store = Open(copy);
    auto a = store->Get(store->cf("audit"), Key(create_person_seq));
    auto b = store->Get(store->cf("audit"), Key(create_person_seq + 1));
    ASSERT_TRUE(a.ok() && a->has_value() && b.ok() && b->has_value());
    storage::WriteBatch batch;
    batch.Put(store->cf("audit"), Key(create_person_seq), **b);
    batch.Put(store->cf("audit"), Key(create_person_seq + 1), **a);
    ASSERT_TRUE(store->Commit(batch).ok());
    store.reset();
    ExpectTampered(copy, create_person_seq,
                   absl::StrCat("record ", create_person_seq, " out of order (found record ",
                                create_person_seq + 1, " in its place)"));
  }
  {
    // A record changed and every later hash recomputed, as anyone with the files but not the
    // node's key could: the chain holds, the signed checkpoint does not.
    const std::string copy = Copy("rewrite");
    auto store = Open(copy);
    std::string prev;
    storage::WriteBatch batch;
    for (uint64_t seq = 1; seq <= head; ++seq) {
      auto v = store->Get(store->cf("audit"), Key(seq));
      ASSERT_TRUE(v.ok() && v->has_value());
      av1::AuditRecord r;
      ASSERT_TRUE(r.ParseFromString(**v));
      if (seq >= get_case_seq) {
        if (seq == get_case_seq) r.set_actor("spiffe://mx.enlace.example/role/supervisor/user/eve");
        r.set_prev_hash(prev);
        r.set_hash(txn::Committer::ChainHash(prev, r));
        batch.Put(store->cf("audit"), Key(seq), r.SerializeAsString());
      }
      prev = r.hash();
    }
    ASSERT_TRUE(store->Commit(batch).ok());
    store.reset();
    ExpectTampered(copy, checkpoint, absl::StrCat("checkpoint at ", checkpoint, ": bad signature"));
  }
  // The original files were never touched.
  EXPECT_EQ(VerifyWithNode(member_->config.data_dir()).code, 0);
}

// A read is answered only once its audit record is in the store: reads from 8 concurrent
// callers (so records go through shared group commits), the node SIGKILLed right after the
// last answer, and every answered read's record is found, chained, in the files it left.
// (SIGKILL keeps what the node wrote but had not synced; an answer sent before its record was
// written, e.g. audited later by a background flush, fails here.)
TEST_F(AuditTest, EveryAnsweredReadHasItsRecordAfterSigkill) {
  auto persons = cv1::PersonService::NewStub(channels_[kSupervisor]);
  auto cases = cv1::CaseService::NewStub(channels_[kSupervisor]);
  cv1::Person person;
  ASSERT_TRUE(persons->CreatePerson(Ctx().get(), RosaRequest(), &person).ok());
  const cv1::CreateCaseRequest cc = DetentionCaseRequest(person.name());
  cv1::Case kase;
  ASSERT_TRUE(cases->CreateCase(Ctx().get(), cc, &kase).ok());

  constexpr int kCallers = 8;
  constexpr int kReads = 25;
  std::atomic<int> answered{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < kCallers; ++t) {
    callers.emplace_back([&] {
      cv1::GetCaseRequest get;
      get.set_name(kase.name());
      for (int i = 0; i < kReads; ++i) {
        cv1::Case got;
        if (cases->GetCase(Ctx().get(), get, &got).ok()) ++answered;
      }
    });
  }
  for (auto& t : callers) t.join();
  node_->Stop(SIGKILL);
  ASSERT_EQ(answered.load(), kCallers * kReads);

  auto store = Open(member_->config.data_dir());
  int reads = 0;
  uint64_t seq = 0;
  std::string prev;
  for (auto it = store->ScanPrefix(store->cf("audit"), ""); it->Valid(); it->Next()) {
    av1::AuditRecord r;
    ASSERT_TRUE(r.ParseFromArray(it->value().data(), it->value().size()));
    EXPECT_EQ(r.seq(), ++seq);
    EXPECT_EQ(r.prev_hash(), prev);
    EXPECT_EQ(txn::Committer::ChainHash(prev, r), r.hash());
    prev = r.hash();
    if (r.action() == "cases.GetCase" && r.resources_size() == 1 &&
        r.resources(0) == kase.name()) {
      ++reads;
    }
  }
  EXPECT_EQ(reads, kCallers * kReads);
}

}  // namespace
}  // namespace enlace
