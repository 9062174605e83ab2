// Personal data at rest: after loading sample data through the API no name or document number
// appears in plaintext anywhere in the data directory (WAL and SST files included), in the
// key vault or in the node's log (text and JSON formats); and an erased person cannot be read back, neither from the
// live store with the master key nor from a data backup taken before the erasure.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/aead.h"
#include "common/pki/pki.h"
#include "common/crypto/key_vault.h"
#include "common/sampledata/sample_data.h"
#include "common/txn/committer.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "google/protobuf/struct.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "services/cases/registry.h"
#include "services/cases/rules.h"
#include "services/node/node.h"
#include "tests/testing/test_env.h"

namespace enlace {
namespace {

namespace v1 = ::enlace::cases::v1;
namespace fs = std::filesystem;
using ::enlace::testing::ReadTree;

std::unique_ptr<grpc::ClientContext> Ctx() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
  return ctx;
}

class PrivacyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("privacy");
    auto pki = testing::TestPki::Create(dir_, "MX");
    ASSERT_TRUE(pki.ok());
    pki_ = std::make_unique<testing::TestPki>(*pki);
    config_ = testing::TestNodeConfig(dir_, "MX");
    Start();
  }
  void Start() {
    auto node = testing::NodeProcess::Start(config_, dir_);
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = *std::move(node);
    auto client = pki_->Client("spiffe://mx.enlace.example/role/supervisor/user/jefa");
    auto channel = testing::MakeChannel(node_->port(), pki_->ca(), &*client);
    persons_ = v1::PersonService::NewStub(channel);
    cases_ = v1::CaseService::NewStub(channel);
  }
  void Stop() { ASSERT_EQ(node_->Stop(SIGTERM), 0); }

  std::string dir_;
  std::unique_ptr<testing::TestPki> pki_;
  enlace::node::v1::NodeConfig config_;
  std::unique_ptr<testing::NodeProcess> node_;
  std::unique_ptr<v1::PersonService::Stub> persons_;
  std::unique_ptr<v1::CaseService::Stub> cases_;
};

TEST_F(PrivacyTest, NoNameOrDocumentInPlaintextAnywhere) {
  sampledata::SampleData sample(config_, 42);
  std::set<std::string> secrets;
  for (int i = 0; i < 150; ++i) {
    v1::CreatePersonRequest cp;
    cp.set_parent("countries/MX");
    *cp.mutable_person() = sample.NextPerson();
    v1::Person person;
    ASSERT_TRUE(persons_->CreatePerson(Ctx().get(), cp, &person).ok());
    // Whole names and document numbers: long enough never to occur by chance.
    secrets.insert(absl::StrCat(person.given_names(), " ", person.family_names()));
    secrets.insert(person.family_names());
    for (const auto& d : person.documents()) {
      secrets.insert(d.number());
      secrets.insert(cases::NormalizeDocumentNumber(d.number()));
    }
    v1::CreateCaseRequest cc;
    cc.set_parent("countries/MX");
    *cc.mutable_case_() = sample.NextCase(person.name(), person);
    v1::Case c;
    ASSERT_TRUE(cases_->CreateCase(Ctx().get(), cc, &c).ok());
    v1::AddActionRequest aa;
    aa.set_parent(c.name());
    *aa.mutable_action() = sample.NextAction(c);
    v1::Action a;
    ASSERT_TRUE(cases_->AddAction(Ctx().get(), aa, &a).ok());
    // Read it back, so reads are in the audit log and the log holds whatever a read writes.
    v1::GetPersonRequest gp;
    gp.set_name(person.name());
    ASSERT_TRUE(persons_->GetPerson(Ctx().get(), gp, &person).ok());
  }
  Stop();
  for (auto it = secrets.begin(); it != secrets.end();) {
    it = it->size() < 8 ? secrets.erase(it) : std::next(it);  // short strings collide by chance
  }
  ASSERT_GT(secrets.size(), 150u);
  const std::string data = ReadTree(config_.data_dir());
  const std::string keys = ReadTree(config_.data_dir() + ".keys");
  std::ifstream log_in(node_->log_path());
  std::stringstream log;
  log << log_in.rdbuf();
  ASSERT_GT(data.size(), 10000u);
  int leaks = 0;
  for (const auto& s : secrets) {
    if (data.find(s) != std::string::npos) ADD_FAILURE() << "data dir holds \"" << s << "\"";
    if (keys.find(s) != std::string::npos) ADD_FAILURE() << "key vault holds \"" << s << "\"";
    if (log.str().find(s) != std::string::npos) ADD_FAILURE() << "log holds \"" << s << "\"";
    leaks += data.find(s) != std::string::npos;
  }
  std::cout << "leak check: " << secrets.size() << " names and numbers, " << data.size()
            << " bytes of store files, " << leaks << " found\n";
}

// The same guard over the JSON log (ops.log_format: "json"), which has a line per RPC: every
// line is one JSON object, the W3C trace id a client sent is there, and no name or document
// number is, not even from refused calls or a traceparent header made of a name.
TEST_F(PrivacyTest, NoNameOrDocumentInTheJsonLog) {
  Stop();
  config_.mutable_ops()->set_log_format("json");
  Start();
  const std::string trace = "4bf92f3577b34da6a3ce929d0e0e4736";
  auto traced = [&trace]() {
    auto ctx = Ctx();
    ctx->AddMetadata("traceparent", absl::StrCat("00-", trace, "-00f067aa0ba902b7-01"));
    return ctx;
  };
  sampledata::SampleData sample(config_, 7);
  std::set<std::string> secrets;
  for (int i = 0; i < 30; ++i) {
    v1::CreatePersonRequest cp;
    cp.set_parent("countries/MX");
    *cp.mutable_person() = sample.NextPerson();
    v1::Person person;
    ASSERT_TRUE(persons_->CreatePerson(traced().get(), cp, &person).ok());
    secrets.insert(absl::StrCat(person.given_names(), " ", person.family_names()));
    secrets.insert(person.family_names());
    for (const auto& d : person.documents()) secrets.insert(d.number());
    // Refused with the name in the request (a bad birth date): the log has the code only.
    cp.mutable_person()->set_birth_date("not-a-date");
    EXPECT_EQ(persons_->CreatePerson(Ctx().get(), cp, &person).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
    // A traceparent made of the person's document number is not a trace id: not logged.
    // (Metadata is ASCII: a name with accents cannot even be sent.)
    auto ctx = Ctx();
    const std::string doc =
        person.documents().empty() ? "G12345678" : person.documents(0).number();
    ctx->AddMetadata("traceparent", absl::StrCat("00-", doc, "-00f067aa0ba902b7-01"));
    v1::GetPersonRequest gp;
    gp.set_name(person.name());
    ASSERT_TRUE(persons_->GetPerson(ctx.get(), gp, &person).ok());
  }
  Stop();
  for (auto it = secrets.begin(); it != secrets.end();) {
    it = it->size() < 8 ? secrets.erase(it) : std::next(it);
  }
  ASSERT_GT(secrets.size(), 30u);
  std::ifstream in(node_->log_path());
  std::string line, log;
  int rpc_lines = 0, traced_lines = 0, json_lines = 0;
  bool json_started = false;
  while (std::getline(in, line)) {
    log += line + "\n";
    // The text lines of the first run come before the first JSON line.
    if (!json_started && !absl::StartsWith(line, "{")) continue;
    json_started = true;
    google::protobuf::Struct object;
    ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(line, &object).ok()) << line;
    ++json_lines;
    const auto& f = object.fields();
    if (f.count("event") && f.at("event").string_value() == "rpc") ++rpc_lines;
    if (f.count("trace_id")) {
      EXPECT_EQ(f.at("trace_id").string_value(), trace);
      ++traced_lines;
    }
  }
  EXPECT_GE(rpc_lines, 90);
  EXPECT_EQ(traced_lines, 30);
  EXPECT_GT(json_lines, rpc_lines);  // ready, draining, stopped
  for (const auto& s : secrets) {
    if (log.find(s) != std::string::npos) ADD_FAILURE() << "log holds \"" << s << "\"";
  }
}

TEST_F(PrivacyTest, ErasedPersonIsUnrecoverableEvenFromABackup) {
  v1::CreatePersonRequest cp;
  cp.set_parent("countries/MX");
  auto* p = cp.mutable_person();
  p->set_given_names("Xóchitl Itzel");
  p->set_family_names("Cuauhtémoc Ramírez");
  p->set_sex(v1::SEX_FEMALE);
  p->set_birth_date("2011-05-06");
  p->add_nationalities("MX");
  p->set_international_protection(v1::INTERNATIONAL_PROTECTION_NONE);
  auto* d = p->add_documents();
  d->set_type(v1::DOCUMENT_TYPE_PASSPORT);
  d->set_number("N98765432");
  d->set_issuing_country("MX");
  v1::Person person;
  ASSERT_TRUE(persons_->CreatePerson(Ctx().get(), cp, &person).ok());
  v1::CreateCaseRequest cc;
  cc.set_parent("countries/MX");
  auto* c = cc.mutable_case_();
  c->set_person(person.name());
  c->set_post("MX-LAX");
  c->set_host_country("US");
  c->set_place("Adelanto, California");
  c->set_category(v1::CATEGORY_MIGRATION);
  c->set_subtype(v1::SUBTYPE_MINOR_IN_CUSTODY);
  c->set_legal_basis(v1::LEGAL_BASIS_CHILD_BEST_INTEREST);
  c->set_summary("Niña no acompañada detenida; la madre vive en Oaxaca.");
  v1::Case kase;
  ASSERT_TRUE(cases_->CreateCase(Ctx().get(), cc, &kase).ok());

  // A data backup taken before the erasure (node stopped: a consistent copy).
  Stop();
  const std::string backup = dir_ + "/backup";
  fs::copy(config_.data_dir(), backup, fs::copy_options::recursive);
  const std::string person_id = person.name().substr(person.name().rfind('/') + 1);
  std::string wrapped_key;
  {
    storage::StoreOptions o;
    o.path = config_.data_dir() + ".keys";
    o.column_families = {"keys"};
    auto vault_store = storage::Store::Open(o);
    ASSERT_TRUE(vault_store.ok());
    auto v = (*vault_store)->Get((*vault_store)->cf("keys"), person_id);
    ASSERT_TRUE(v.ok() && v->has_value());
    wrapped_key = **v;
  }
  Start();

  v1::ErasePersonRequest erase;
  erase.set_name(person.name());
  v1::ErasePersonResponse erased;
  EXPECT_EQ(persons_->ErasePerson(Ctx().get(), erase, &erased).error_code(),
            grpc::INVALID_ARGUMENT);  // a reason is required
  erase.set_reason("Solicitud de supresión de la tutora, oficio 123/2026");
  ASSERT_TRUE(persons_->ErasePerson(Ctx().get(), erase, &erased).ok());
  EXPECT_EQ(erased.cases_kept(), 1);
  v1::GetPersonRequest gp;
  gp.set_name(person.name());
  v1::Person out;
  EXPECT_EQ(persons_->GetPerson(Ctx().get(), gp, &out).error_code(), grpc::NOT_FOUND);
  v1::SearchPersonsRequest sp;
  sp.set_parent("countries/MX");
  *sp.mutable_document() = *d;
  v1::SearchPersonsResponse found;
  ASSERT_TRUE(persons_->SearchPersons(Ctx().get(), sp, &found).ok());
  EXPECT_EQ(found.persons_size(), 0);
  sp.clear_document();
  sp.set_name_query("xochitl");
  ASSERT_TRUE(persons_->SearchPersons(Ctx().get(), sp, &found).ok());
  EXPECT_EQ(found.persons_size(), 0);
  // The case keeps its non-personal facts; its notes are gone with the key.
  v1::GetCaseRequest gc;
  gc.set_name(kase.name());
  v1::Case still;
  ASSERT_TRUE(cases_->GetCase(Ctx().get(), gc, &still).ok());
  EXPECT_EQ(still.category(), v1::CATEGORY_MIGRATION);
  EXPECT_EQ(still.post(), "MX-LAX");
  EXPECT_TRUE(still.summary().empty());
  Stop();

  // The wrapped data key is gone from the vault's files (WAL and SST), not just deleted.
  EXPECT_EQ(ReadTree(config_.data_dir() + ".keys").find(wrapped_key), std::string::npos);

  // The backup, opened with the current keys, holds the sealed record but cannot open it.
  auto keys = crypto::LoadMasterKeys(config_.security().master_key_file());
  ASSERT_TRUE(keys.ok());
  auto vault = crypto::KeyVault::Open(config_.data_dir() + ".keys", *keys);
  ASSERT_TRUE(vault.ok());
  auto store = storage::Store::Open(node::NodeStoreOptions(backup));
  ASSERT_TRUE(store.ok());
  auto committer = txn::Committer::Create(store->get(), "MX");
  ASSERT_TRUE(committer.ok());
  cases::Registry::Options ro;
  ro.country = "MX";
  ro.post_codes = {"MX-LAX", "MX-CHI", "MX-GUA"};
  ro.vault = vault->get();
  ro.audit_reads = false;
  auto registry = cases::Registry::Create(ro, store->get(), committer->get());
  ASSERT_TRUE(registry.ok());
  Caller supervisor = *ParseIdentity("spiffe://mx.enlace.example/role/supervisor/user/forense");
  auto from_backup = (*registry)->GetPerson(gp, supervisor);
  ASSERT_TRUE(from_backup.ok()) << from_backup.status();  // the record is there...
  EXPECT_TRUE(from_backup->given_names().empty());      // ...but sealed for good
  EXPECT_TRUE(from_backup->family_names().empty());
  EXPECT_TRUE(from_backup->birth_date().empty());
  EXPECT_EQ(from_backup->documents_size(), 0);
  auto case_from_backup = (*registry)->GetCase(gc, supervisor);
  ASSERT_TRUE(case_from_backup.ok());
  EXPECT_TRUE(case_from_backup->summary().empty());
  EXPECT_EQ(ReadTree(backup).find("Cuauhtémoc"), std::string::npos);
}

TEST_F(PrivacyTest, MasterKeyRotatesOnSighupAndTheOldKeyCanBeRetired) {
  v1::CreatePersonRequest cp;
  cp.set_parent("countries/MX");
  auto* p = cp.mutable_person();
  p->set_given_names("Tonatiuh");
  p->set_family_names("Mixcóatl Rivera");
  p->set_sex(v1::SEX_MALE);
  p->add_nationalities("MX");
  p->set_international_protection(v1::INTERNATIONAL_PROTECTION_NONE);
  v1::Person person;
  ASSERT_TRUE(persons_->CreatePerson(Ctx().get(), cp, &person).ok());
  const std::string key_file = config_.security().master_key_file();
  std::string v1_line;
  {
    std::ifstream in(key_file);
    std::string line;
    while (std::getline(in, line)) {
      if (absl::StartsWith(line, "1:")) v1_line = line;
    }
  }
  ASSERT_FALSE(v1_line.empty());
  auto v2 = crypto::RandomBytes(32);
  const std::string v2_line = absl::StrCat("2:", absl::Base64Escape(*v2));
  ASSERT_TRUE(pki::WriteFile(key_file, absl::StrCat(v1_line, "\n", v2_line, "\n"), 0600).ok());
  kill(node_->pid(), SIGHUP);
  // The node keeps serving while it re-wraps; the log tells when it is done.
  bool rotated = false;
  for (int i = 0; i < 100 && !rotated; ++i) {
    absl::SleepFor(absl::Milliseconds(100));
    std::ifstream log(node_->log_path());
    std::stringstream ss;
    ss << log.rdbuf();
    rotated = ss.str().find("master keys: OK") != std::string::npos;
  }
  ASSERT_TRUE(rotated);
  v1::GetPersonRequest gp;
  gp.set_name(person.name());
  v1::Person out;
  ASSERT_TRUE(persons_->GetPerson(Ctx().get(), gp, &out).ok());
  Stop();
  // Retire version 1: the node starts with version 2 only and still reads the person.
  ASSERT_TRUE(pki::WriteFile(key_file, absl::StrCat(v2_line, "\n"), 0600).ok());
  Start();
  ASSERT_TRUE(persons_->GetPerson(Ctx().get(), gp, &out).ok());
  EXPECT_EQ(out.family_names(), "Mixcóatl Rivera");
  Stop();
}

}  // namespace
}  // namespace enlace
