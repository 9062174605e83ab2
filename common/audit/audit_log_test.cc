#include "common/audit/audit_log.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/audit/audit_head.h"
#include "common/audit/checkpointer.h"
#include "common/txn/committer.h"
#include "gtest/gtest.h"

namespace enlace::audit {
namespace {

using enlace::audit::v1::AuditRecord;

std::string TempDir() {
  std::string tmpl =
      std::string(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp") + "/audit_XXXXXX";
  return mkdtemp(tmpl.data());
}

std::string Key(uint64_t seq) {
  std::string s;
  storage::AppendBigEndian64(&s, seq);
  return s;
}

class AuditLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::StoreOptions o;
    o.path = dir_ = TempDir();
    // As in a node: counters change in the same batches as audit records are appended.
    o.counter_families = {"counters"};
    txn::Committer::AddColumnFamilies(o);
    auto store = storage::Store::Open(o);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto committer = txn::Committer::Create(store_.get(), "MX");
    ASSERT_TRUE(committer.ok());
    committer_ = *std::move(committer);
    auto keys = crypto::GenerateEd25519();
    ASSERT_TRUE(keys.ok());
    signer_ = *crypto::Signer::FromPem(keys->private_pem);
    verifier_ = *crypto::Verifier::FromPem(keys->public_pem);
  }

  void Append(int n,
              const std::string& actor = "spiffe://mx.enlace.example/role/supervisor/user/ana",
              const std::string& resource = "countries/MX/cases/c1") {
    for (int i = 0; i < n; ++i) {
      txn::Transaction txn;
      txn.batch.AddToCounter(store_->cf("counters"), "reads", 1);
      AuditRecord r;
      r.set_actor(actor);
      r.set_action("cases.GetCase");
      r.add_resources(resource);
      r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_OK);
      txn.audit.push_back(r);
      ASSERT_TRUE(committer_->Commit(txn).ok());
    }
  }

  std::unique_ptr<Checkpointer> NewCheckpointer(const crypto::Signer* signer) {
    CheckpointerOptions o;
    o.actor = "node/MX";
    auto c = Checkpointer::Create(store_.get(), committer_.get(), signer, o);
    EXPECT_TRUE(c.ok()) << c.status();
    return *std::move(c);
  }

  // 1..20 records, 21 checkpoint, 22..40 records, 41 checkpoint.
  void BuildSignedLog() {
    auto cp = NewCheckpointer(signer_.get());
    Append(20);
    ASSERT_EQ(*cp->CheckpointIfNeeded(), 21u);
    Append(19);
    ASSERT_TRUE(cp->Stop().ok());
    ASSERT_EQ(committer_->LastAuditSeq(), 41u);
  }

  AuditRecord Read(uint64_t seq) {
    auto v = store_->Get(store_->cf("audit"), Key(seq));
    EXPECT_TRUE(v.ok() && v->has_value());
    AuditRecord r;
    EXPECT_TRUE(r.ParseFromString(**v));
    return r;
  }
  void Write(uint64_t seq, const std::string& bytes) {
    storage::WriteBatch b;
    b.Put(store_->cf("audit"), Key(seq), bytes);
    ASSERT_TRUE(store_->Commit(b).ok());
  }
  void Remove(uint64_t seq) {
    storage::WriteBatch b;
    b.Delete(store_->cf("audit"), Key(seq));
    ASSERT_TRUE(store_->Commit(b).ok());
  }

  VerifyReport Verify(const crypto::Verifier* key) {
    auto report = VerifyAuditLog(store_.get(), key);
    EXPECT_TRUE(report.ok()) << report.status();
    return *report;
  }

  std::string dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<txn::Committer> committer_;
  std::unique_ptr<crypto::Signer> signer_;
  std::unique_ptr<crypto::Verifier> verifier_;
};

TEST_F(AuditLogTest, CleanChainVerifies) {
  BuildSignedLog();
  VerifyReport r = Verify(verifier_.get());
  EXPECT_TRUE(r.ok) << FormatReport(r);
  EXPECT_EQ(r.records, 41u);
  EXPECT_EQ(r.checkpoints, 2u);
  EXPECT_EQ(r.signed_checkpoints, 2u);
  EXPECT_TRUE(r.signatures_checked);
  EXPECT_EQ(r.head_seq, 41u);
  EXPECT_EQ(r.head_hash, Read(41).hash());
  EXPECT_EQ(r.unsealed_records, 0u);
  EXPECT_EQ(r.first_bad_seq, 0u);
  EXPECT_TRUE(absl::StrContains(FormatReport(r), "audit log: OK"));
  AuditRecord cp = Read(21);
  EXPECT_EQ(cp.action(), kCheckpointAction);
  EXPECT_EQ(cp.prev_hash(), Read(20).hash());
  EXPECT_TRUE(absl::StrContains(cp.detail(), "seals records 1..20"));
}

TEST_F(AuditLogTest, EmptyLogVerifies) {
  VerifyReport r = Verify(verifier_.get());
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.records, 0u);
}

TEST_F(AuditLogTest, WithoutKeySignaturesAreNotChecked) {
  BuildSignedLog();
  VerifyReport r = Verify(nullptr);
  EXPECT_TRUE(r.ok);
  EXPECT_FALSE(r.signatures_checked);
  EXPECT_EQ(r.signed_checkpoints, 0u);
  EXPECT_TRUE(absl::StrContains(FormatReport(r), "signatures not checked"));
}

TEST_F(AuditLogTest, ChangedRecordIsFound) {
  BuildSignedLog();
  AuditRecord r = Read(12);
  r.set_actor("spiffe://mx.enlace.example/role/supervisor/user/someone-else");
  Write(12, r.SerializeAsString());
  VerifyReport report = Verify(verifier_.get());
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 12u);
  EXPECT_EQ(report.problem, "record 12: hash does not match its content (changed)");
  EXPECT_EQ(report.problems.size(), 1u) << FormatReport(report);
}

TEST_F(AuditLogTest, GarbledRecordIsFound) {
  BuildSignedLog();
  Write(7, "\xff\xff\xff garbage");
  VerifyReport report = Verify(verifier_.get());
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 7u);
  EXPECT_EQ(report.problem, "record 7: cannot be parsed (changed)");
}

TEST_F(AuditLogTest, RewrittenChainIsCaughtByTheNextCheckpoint) {
  BuildSignedLog();
  // Change record 12 and recompute every later hash, as someone with the files but not the
  // node's key could: the chain holds, the checkpoint at 21 does not.
  std::string prev = Read(11).hash();
  for (uint64_t seq = 12; seq <= 41; ++seq) {
    AuditRecord r = Read(seq);
    if (seq == 12) r.set_actor("forged");
    r.set_prev_hash(prev);
    r.set_hash(txn::Committer::ChainHash(prev, r));
    prev = r.hash();
    Write(seq, r.SerializeAsString());
  }
  VerifyReport report = Verify(verifier_.get());
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 21u);
  EXPECT_EQ(report.problem, "checkpoint at 21: bad signature");
  EXPECT_TRUE(Verify(nullptr).ok);  // without the key such a rewrite is invisible
}

TEST_F(AuditLogTest, RemovedRecordIsFound) {
  BuildSignedLog();
  Remove(30);
  VerifyReport report = Verify(verifier_.get());
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 30u);
  EXPECT_EQ(report.problem, "record 30 missing (expected 30, found 31)");
  EXPECT_EQ(report.problems.size(), 1u) << FormatReport(report);
}

TEST_F(AuditLogTest, FilesVerifyReadOnlyWithTheSameResult) {
  // Everything is still in the WAL (the store never flushed), merge operands included.
  BuildSignedLog();
  auto clean = VerifyAuditLogFiles(dir_, verifier_.get());
  ASSERT_TRUE(clean.ok()) << clean.status();
  EXPECT_TRUE(clean->ok);
  EXPECT_EQ(clean->records, 41u);
  EXPECT_EQ(clean->signed_checkpoints, 2u);
  Remove(30);
  ASSERT_TRUE(store_->Close().ok());
  auto bad = VerifyAuditLogFiles(dir_, verifier_.get());
  ASSERT_TRUE(bad.ok()) << bad.status();
  EXPECT_FALSE(bad->ok);
  EXPECT_EQ(bad->first_bad_seq, 30u);
  EXPECT_EQ(VerifyAuditLogFiles(dir_ + "/nothing-here", nullptr).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(AuditLogTest, RemovedFirstRecordsAreFound) {
  BuildSignedLog();
  Remove(1);
  Remove(2);
  VerifyReport report = Verify(verifier_.get());
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 1u);
  EXPECT_EQ(report.problem, "records 1..2 missing (expected 1, found 3)");
}

TEST_F(AuditLogTest, ReorderedRecordsAreFound) {
  BuildSignedLog();
  AuditRecord a = Read(10), b = Read(11);
  Write(10, b.SerializeAsString());
  Write(11, a.SerializeAsString());
  VerifyReport report = Verify(verifier_.get());
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 10u);
  EXPECT_EQ(report.problem, "record 10 out of order (found record 11 in its place)");
  ASSERT_EQ(report.problems.size(), 2u) << FormatReport(report);
  EXPECT_EQ(report.problems[1], "record 11 out of order (found record 10 in its place)");
}

TEST_F(AuditLogTest, RenumberedReorderIsFound) {
  BuildSignedLog();
  // Swapped and renumbered so that keys and seq agree: the hashes no longer do.
  AuditRecord a = Read(10), b = Read(11);
  a.set_seq(11);
  b.set_seq(10);
  Write(10, b.SerializeAsString());
  Write(11, a.SerializeAsString());
  VerifyReport report = Verify(verifier_.get());
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 10u);
  EXPECT_EQ(report.problem, "record 10: hash does not match its content (changed)");
}

TEST_F(AuditLogTest, BrokenSignatureIsFound) {
  BuildSignedLog();
  AuditRecord cp = Read(41);
  std::string sig = cp.signature();
  sig[5] ^= 1;
  cp.set_signature(sig);
  cp.set_hash(txn::Committer::ChainHash(cp.prev_hash(), cp));
  Write(41, cp.SerializeAsString());
  VerifyReport report = Verify(verifier_.get());
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 41u);
  EXPECT_EQ(report.problem, "checkpoint at 41: bad signature");
  EXPECT_EQ(report.signed_checkpoints, 1u);
}

TEST_F(AuditLogTest, AnotherKeyDoesNotVerify) {
  BuildSignedLog();
  auto other = crypto::GenerateEd25519();
  auto verifier = crypto::Verifier::FromPem(other->public_pem);
  VerifyReport report = Verify(verifier->get());
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.problem, "checkpoint at 21: bad signature");
}

TEST_F(AuditLogTest, StrippedSignatureAfterSignedOnesIsFound) {
  BuildSignedLog();
  AuditRecord cp = Read(41);
  cp.clear_signature();
  cp.set_hash(txn::Committer::ChainHash(cp.prev_hash(), cp));
  Write(41, cp.SerializeAsString());
  VerifyReport report = Verify(verifier_.get());
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.first_bad_seq, 41u);
  EXPECT_TRUE(absl::StartsWith(report.problem, "checkpoint at 41: unsigned")) << report.problem;
}

TEST_F(AuditLogTest, UnsignedCheckpointsOfAKeylessNode) {
  auto cp = NewCheckpointer(nullptr);
  Append(5);
  ASSERT_TRUE(cp->Stop().ok());
  VerifyReport r = Verify(verifier_.get());
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.checkpoints, 1u);
  EXPECT_EQ(r.signed_checkpoints, 0u);
  ASSERT_EQ(r.notes.size(), 1u);
  EXPECT_TRUE(absl::StrContains(Read(6).detail(), "unsigned"));
}

TEST_F(AuditLogTest, TailTruncationAfterTheLastCheckpointIsNotDetectable) {
  BuildSignedLog();
  Append(3);  // 42..44, not sealed yet
  EXPECT_EQ(Verify(verifier_.get()).unsealed_records, 3u);
  Remove(44);
  Remove(43);
  VerifyReport r = Verify(verifier_.get());
  // The documented limit: only someone who noted the head (44) can tell.
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.head_seq, 42u);
}

TEST_F(AuditLogTest, CheckpointerSkipsWhenNothingIsNewAndResumesAfterRestart) {
  auto cp = NewCheckpointer(signer_.get());
  EXPECT_EQ(*cp->CheckpointIfNeeded(), 0u);  // empty log: nothing to seal
  Append(2);
  EXPECT_EQ(*cp->CheckpointIfNeeded(), 3u);
  EXPECT_EQ(*cp->CheckpointIfNeeded(), 3u);
  ASSERT_TRUE(cp->Stop().ok());
  EXPECT_EQ(committer_->LastAuditSeq(), 3u);
  // A new checkpointer over a log that ends sealed writes nothing at Stop.
  auto again = NewCheckpointer(signer_.get());
  ASSERT_TRUE(again->Stop().ok());
  EXPECT_EQ(committer_->LastAuditSeq(), 3u);
}

TEST_F(AuditLogTest, CheckpointerThreadSealsOnSchedule) {
  CheckpointerOptions o;
  o.actor = "node/MX";
  o.interval = absl::Milliseconds(50);
  o.poll = absl::Milliseconds(10);
  o.every_records = 1000;
  auto cp = *Checkpointer::Create(store_.get(), committer_.get(), signer_.get(), o);
  cp->Start();
  Append(3);
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (committer_->LastAuditSeq() < 4 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  absl::SleepFor(absl::Milliseconds(200));  // nothing new: no further checkpoint
  ASSERT_TRUE(cp->Stop().ok());
  EXPECT_EQ(committer_->LastAuditSeq(), 4u);
  EXPECT_EQ(Read(4).action(), kCheckpointAction);
  VerifyReport r = Verify(verifier_.get());
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.signed_checkpoints, 1u);
}

TEST_F(AuditLogTest, CheckpointerSealsEveryNRecords) {
  CheckpointerOptions o;
  o.actor = "node/MX";
  o.interval = absl::Hours(1);
  o.poll = absl::Milliseconds(10);
  o.every_records = 5;
  auto cp = *Checkpointer::Create(store_.get(), committer_.get(), signer_.get(), o);
  cp->Start();
  Append(5);
  const absl::Time deadline = absl::Now() + absl::Seconds(10);
  while (committer_->LastAuditSeq() < 6 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  EXPECT_EQ(Read(6).action(), kCheckpointAction);
  ASSERT_TRUE(cp->Stop().ok());
}

TEST_F(AuditLogTest, ListFiltersAndPages) {
  const std::string ana = "spiffe://mx.enlace.example/role/supervisor/user/ana";
  const std::string bob = "spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/bob";
  Append(3, ana, "countries/MX/cases/c1");
  Append(2, bob, "countries/MX/cases/c1/actions/a1");
  Append(4, bob, "countries/MX/cases/c10");
  Append(1, ana, "countries/MX/persons/p1");
  PageTokenCodec tokens(std::string(32, 'k'));

  ListFilter by_case;
  by_case.resource = "countries/MX/cases/c1";
  auto page = ListAuditRecords(store_.get(), tokens, by_case, 0, "");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->records.size(), 5u);  // its actions too, not c10
  EXPECT_TRUE(page->next_page_token.empty());

  ListFilter by_actor;
  by_actor.actor = bob;
  std::vector<uint64_t> seqs;
  std::string token;
  int calls = 0;
  do {
    auto p = ListAuditRecords(store_.get(), tokens, by_actor, 2, token);
    ASSERT_TRUE(p.ok()) << p.status();
    for (const auto& r : p->records) seqs.push_back(r.seq());
    token = p->next_page_token;
    ASSERT_LT(++calls, 10);
  } while (!token.empty());
  EXPECT_EQ(seqs, (std::vector<uint64_t>{4, 5, 6, 7, 8, 9}));

  // A token is bound to its filter.
  auto first = ListAuditRecords(store_.get(), tokens, by_actor, 2, "");
  ASSERT_FALSE(first->next_page_token.empty());
  EXPECT_EQ(
      ListAuditRecords(store_.get(), tokens, by_case, 2, first->next_page_token).status().code(),
      absl::StatusCode::kInvalidArgument);

  ListFilter by_time;
  by_time.since = absl::Now() - absl::Minutes(5);
  by_time.until = absl::Now() + absl::Minutes(5);
  EXPECT_EQ(ListAuditRecords(store_.get(), tokens, by_time, 100, "")->records.size(), 10u);
  by_time.until = by_time.since;
  EXPECT_EQ(ListAuditRecords(store_.get(), tokens, by_time, 100, "")->records.size(), 0u);
  by_time.until = by_time.since - absl::Seconds(1);
  EXPECT_EQ(ListAuditRecords(store_.get(), tokens, by_time, 100, "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ListAuditRecords(store_.get(), tokens, {}, -1, "").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(AuditLogTest, PageSecretIsKept) {
  auto a = LoadOrCreatePageSecret(store_.get());
  auto b = LoadOrCreatePageSecret(store_.get());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->size(), 32u);
  EXPECT_EQ(*a, *b);
}

// ---- The signed head kept outside the data directory --------------------------------------

std::unique_ptr<storage::Store> OpenNodeLikeStore(const std::string& dir) {
  storage::StoreOptions o;
  o.path = dir;
  o.counter_families = {"counters"};
  txn::Committer::AddColumnFamilies(o);
  auto store = storage::Store::Open(o);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

// Appends `n` records and a checkpoint whose head goes to `head_file`; closes the store.
void AppendAndCheckpoint(const std::string& dir, const std::string& head_file,
                         const crypto::Signer* signer, int n) {
  auto store = OpenNodeLikeStore(dir);
  ASSERT_NE(store, nullptr);
  auto committer = txn::Committer::Create(store.get(), "MX");
  ASSERT_TRUE(committer.ok());
  CheckpointerOptions o;
  o.actor = "node/MX";
  o.head_file = head_file;
  auto cp = Checkpointer::Create(store.get(), committer->get(), signer, o);
  ASSERT_TRUE(cp.ok());
  for (int i = 0; i < n; ++i) {
    txn::Transaction txn;
    txn.Audit("spiffe://mx.enlace.example/role/officer/user/eva", "cases.GetCase",
              {"countries/MX/cases/c1"});
    ASSERT_TRUE((*committer)->Commit(txn).ok());
  }
  ASSERT_TRUE((*cp)->Stop().ok());
  ASSERT_TRUE(store->Close().ok());
}

// An attacker (or a careless restore) puts back an older copy of the data directory: the log
// is shorter, every record and checkpoint in it verifies. The head kept in the vault directory
// shows what is missing.
TEST(AuditHeadTest, RolledBackDataDirFailsAuditVerification) {
  const std::string root = TempDir();
  const std::string data = root + "/data", old_copy = root + "/data-old", vault = root + "/keys";
  std::filesystem::create_directories(vault);
  const std::string head_file = AuditHeadPath(vault);
  auto keys = crypto::GenerateEd25519();
  ASSERT_TRUE(keys.ok());
  auto signer = *crypto::Signer::FromPem(keys->private_pem);
  auto verifier = *crypto::Verifier::FromPem(keys->public_pem);

  ASSERT_NO_FATAL_FAILURE(AppendAndCheckpoint(data, head_file, signer.get(), 10));  // 1..11
  std::filesystem::copy(data, old_copy, std::filesystem::copy_options::recursive);
  ASSERT_NO_FATAL_FAILURE(AppendAndCheckpoint(data, head_file, signer.get(), 10));  // 12..22

  auto head = ReadAuditHead(head_file);
  ASSERT_TRUE(head.ok()) << head.status();
  ASSERT_TRUE(head->has_value());
  EXPECT_EQ((*head)->seq, 22u);
  EXPECT_TRUE(verifier->Verify(CheckpointMessage(21, (*head)->prev_hash), (*head)->signature));
  EXPECT_EQ(std::filesystem::status(head_file).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);

  // The current directory reaches the head.
  auto good = VerifyAuditLogFiles(data, verifier.get(), &**head);
  ASSERT_TRUE(good.ok()) << good.status();
  EXPECT_TRUE(good->ok) << FormatReport(*good);

  // Roll the data directory back.
  std::filesystem::remove_all(data);
  std::filesystem::rename(old_copy, data);
  auto alone = VerifyAuditLogFiles(data, verifier.get());
  ASSERT_TRUE(alone.ok());
  EXPECT_TRUE(alone->ok) << "without the head, the shorter log looks fine";

  auto report = VerifyAuditLogFiles(data, verifier.get(), &**head);
  ASSERT_TRUE(report.ok()) << report.status();
  EXPECT_FALSE(report->ok);
  EXPECT_EQ(report->first_bad_seq, 12u);
  EXPECT_TRUE(absl::StrContains(report->problem, "records 12..22 missing")) << report->problem;
  EXPECT_TRUE(absl::StrContains(report->problem, head_file)) << report->problem;
  EXPECT_TRUE(absl::StrContains(FormatReport(*report), "TAMPERED"));

  // And a node refuses to start on it.
  auto store = OpenNodeLikeStore(data);
  ASSERT_NE(store, nullptr);
  auto committer = txn::Committer::Create(store.get(), "MX");
  ASSERT_TRUE(committer.ok());
  absl::Status start = CheckLogReachesHeadFile(store.get(), **committer, head_file);
  EXPECT_EQ(start.code(), absl::StatusCode::kDataLoss) << start;
  EXPECT_TRUE(absl::StrContains(start.message(), "records 12..22 missing")) << start;
  EXPECT_TRUE(absl::StrContains(start.message(), "docs/operations.md")) << start;
  // Without a head file (first start) there is nothing to compare.
  EXPECT_TRUE(CheckLogReachesHeadFile(store.get(), **committer, root + "/none").ok());
}

// A head file that was edited (to hide a rollback, or by accident) does not verify.
TEST(AuditHeadTest, EditedHeadFileIsRejected) {
  const std::string root = TempDir();
  const std::string data = root + "/data", vault = root + "/keys";
  std::filesystem::create_directories(vault);
  const std::string head_file = AuditHeadPath(vault);
  auto keys = crypto::GenerateEd25519();
  auto signer = *crypto::Signer::FromPem(keys->private_pem);
  auto verifier = *crypto::Verifier::FromPem(keys->public_pem);
  ASSERT_NO_FATAL_FAILURE(AppendAndCheckpoint(data, head_file, signer.get(), 5));
  auto head = **ReadAuditHead(head_file);
  head.seq = 3;  // claims an earlier head
  auto report = VerifyAuditLogFiles(data, verifier.get(), &head);
  ASSERT_TRUE(report.ok());
  EXPECT_FALSE(report->ok);
  EXPECT_TRUE(absl::StrContains(report->problem, "bad signature")) << report->problem;
  // A garbled file is an error, not "no head".
  { std::ofstream(head_file, std::ios::trunc) << "enlace audit head v1\nseq x\n"; }
  EXPECT_EQ(ReadAuditHead(head_file).status().code(), absl::StatusCode::kDataLoss);
}

// The reported attack: one flipped byte in the middle of the WAL. Point-in-time recovery used
// to replay up to the damage and verify the shorter log as OK; now the files refuse to open.
TEST_F(AuditLogTest, FlippedWalByteFailsAuditVerification) {
  BuildSignedLog();  // everything still in the WAL: the store never flushed
  std::string wal;
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    if (e.path().extension() == ".log" &&
        (wal.empty() || e.file_size() > std::filesystem::file_size(wal))) {
      wal = e.path().string();
    }
  }
  ASSERT_FALSE(wal.empty());
  std::string bytes;
  {
    std::ifstream in(wal, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_GT(bytes.size(), 1000u);
  bytes[bytes.size() / 2] ^= 0x5a;
  { std::ofstream(wal, std::ios::binary | std::ios::trunc).write(bytes.data(), bytes.size()); }
  auto report = VerifyAuditLogFiles(dir_, verifier_.get());
  ASSERT_FALSE(report.ok()) << "verified a damaged log: " << FormatReport(*report);
  EXPECT_EQ(report.status().code(), absl::StatusCode::kDataLoss) << report.status();
  EXPECT_TRUE(absl::StrContains(report.status().message(), "docs/operations.md"))
      << report.status();
}

}  // namespace
}  // namespace enlace::audit
