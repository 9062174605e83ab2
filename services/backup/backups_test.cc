#include "services/backup/backups.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "common/audit/audit_head.h"
#include "common/audit/checkpointer.h"
#include "common/crypto/key_vault.h"
#include "common/storage/store.h"
#include "common/txn/committer.h"
#include "gtest/gtest.h"

namespace enlace::backup {
namespace {

std::string TempDir() {
  std::string tmpl = std::string(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp") +
                     "/backups_test_XXXXXX";
  return mkdtemp(tmpl.data());
}

crypto::MasterKeys Keys() {
  crypto::MasterKeys keys;
  keys.keys[1] = std::string(32, 'k');
  return keys;
}

storage::StoreOptions Options(const std::string& path) {
  storage::StoreOptions o;
  o.path = path;
  o.column_families = {"things"};
  txn::Committer::AddColumnFamilies(o);
  return o;
}

Caller Operator() {
  Caller c;
  c.identity = "spiffe://mx.enlace.example/role/operator/user/ops";
  c.country = "MX";
  c.role = Role::kOperator;
  return c;
}

// A node's core in a temp dir: store, committer, vault, checkpointer writing the head file.
class BackupsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = TempDir();
    store_ = *storage::Store::Open(Options(base_ + "/data"));
    committer_ = *txn::Committer::Create(store_.get(), "MX");
    vault_ = *crypto::KeyVault::Open(base_ + "/keys", Keys());
    audit::CheckpointerOptions co;
    co.actor = "node/MX";
    co.head_file = audit::AuditHeadPath(base_ + "/keys");
    checkpointer_ = *audit::Checkpointer::Create(store_.get(), committer_.get(), nullptr, co);
    dirs_.dir = base_ + "/backups";
    dirs_.vault_dir = base_ + "/backups.vault";
    dirs_.keep = 3;
    backups_ = *Backups::Create(dirs_, store_.get(), vault_.get(), committer_.get(),
                                audit::AuditHeadPath(base_ + "/keys"));
  }

  void Write(const std::string& key) {
    txn::Transaction txn;
    txn.batch.Put(store_->cf("things"), key, "v");
    enlace::audit::v1::AuditRecord r;
    r.set_actor("test");
    r.set_action("things.Put");
    txn.audit.push_back(r);
    ASSERT_TRUE(committer_->Commit(txn).ok());
  }

  std::string base_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<txn::Committer> committer_;
  std::unique_ptr<crypto::KeyVault> vault_;
  std::unique_ptr<audit::Checkpointer> checkpointer_;
  BackupDirs dirs_;
  std::unique_ptr<Backups> backups_;
};

TEST_F(BackupsTest, RestoredNodeHasTheDataTheKeysAndAHeadItsLogReaches) {
  ASSERT_TRUE(vault_->CreateDataKey("persons/p1").ok());
  Write("before");
  ASSERT_TRUE(checkpointer_->CheckpointIfNeeded().ok());
  auto backup = backups_->CreateBackup({}, Operator());
  ASSERT_TRUE(backup.ok()) << backup.status();
  EXPECT_GT(backup->vault_id(), 0u);
  EXPECT_GT(backup->audit_head_seq(), 0u);
  // After the backup: more data, a newer checkpoint (the live head moves past the backup's).
  ASSERT_TRUE(vault_->CreateDataKey("persons/p2").ok());
  Write("after");
  ASSERT_TRUE(checkpointer_->CheckpointIfNeeded().ok());

  auto list = backups_->ListBackups({}, Operator());
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->backups_size(), 1);
  EXPECT_EQ(list->backups(0).id(), backup->id());
  EXPECT_EQ(list->backups(0).vault_id(), backup->vault_id());
  v1::VerifyBackupRequest vr;
  vr.set_id(backup->id());
  auto verified = backups_->VerifyBackup(vr, Operator());
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_TRUE(verified->ok()) << verified->problem();

  RestoreRequest rr;
  rr.from = dirs_;
  rr.backup_id = backup->id();
  rr.data_dir = base_ + "/restored";
  rr.keys_dir = base_ + "/restored.keys";
  auto restored = RestoreNode(rr);
  ASSERT_TRUE(restored.ok()) << restored.status();
  auto store = *storage::Store::Open(Options(rr.data_dir));
  auto committer = *txn::Committer::Create(store.get(), "MX");
  EXPECT_TRUE(audit::CheckLogReachesHeadFile(store.get(), *committer,
                                             audit::AuditHeadPath(rr.keys_dir))
                  .ok());
  EXPECT_TRUE((*store->Get(store->cf("things"), "before")).has_value());
  EXPECT_FALSE((*store->Get(store->cf("things"), "after")).has_value());
  // The operator's backup is itself on record.
  bool audited = false;
  for (auto it = store_->ScanPrefix(store_->cf("audit"), ""); it->Valid(); it->Next()) {
    audited |= it->value().find("backup.CreateBackup") != absl::string_view::npos;
  }
  EXPECT_TRUE(audited);
  auto vault = *crypto::KeyVault::Open(rr.keys_dir, Keys());
  EXPECT_TRUE(vault->HasDataKey("persons/p1"));
  EXPECT_FALSE(vault->HasDataKey("persons/p2"));
}

TEST_F(BackupsTest, RestoreIntoANonEmptyDirectoryOrOfAnUnknownIdWritesNothing) {
  auto backup = backups_->CreateBackup({}, Operator());
  ASSERT_TRUE(backup.ok()) << backup.status();
  RestoreRequest rr;
  rr.from = dirs_;
  rr.backup_id = backup->id();
  rr.data_dir = base_ + "/restored";
  rr.keys_dir = base_ + "/restored.keys";
  std::filesystem::create_directories(rr.keys_dir);
  { std::ofstream(rr.keys_dir + "/old") << "x"; }
  EXPECT_EQ(RestoreNode(rr).status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(std::filesystem::exists(rr.data_dir));
  rr.keys_dir = base_ + "/other.keys";
  rr.backup_id = 999;
  EXPECT_EQ(RestoreNode(rr).status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(rr.data_dir));
  EXPECT_FALSE(std::filesystem::exists(rr.keys_dir));
}

TEST_F(BackupsTest, RetentionAndAMissingVaultBackup) {
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(backups_->CreateBackup({}, Operator()).ok());
  auto list = backups_->ListBackups({}, Operator());
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->backups_size(), 3);
  // A data backup without its vault half is reported and cannot be restored.
  std::filesystem::remove_all(dirs_.vault_dir);
  v1::VerifyBackupRequest vr;
  vr.set_id(list->backups(2).id());
  auto verified = backups_->VerifyBackup(vr, Operator());
  ASSERT_TRUE(verified.ok()) << verified.status();
  EXPECT_FALSE(verified->ok());
  RestoreRequest rr;
  rr.from = dirs_;
  rr.backup_id = list->backups(2).id();
  rr.data_dir = base_ + "/restored";
  rr.keys_dir = base_ + "/restored.keys";
  EXPECT_EQ(RestoreNode(rr).status().code(), absl::StatusCode::kNotFound);
  EXPECT_FALSE(std::filesystem::exists(rr.data_dir));
}

TEST(BackupsConfigTest, NoDirectoryMeansNoBackups) {
  const std::string base = TempDir();
  auto store = *storage::Store::Open(Options(base + "/data"));
  auto committer = *txn::Committer::Create(store.get(), "MX");
  auto backups = *Backups::Create(DirsFromConfig({}), store.get(), nullptr, committer.get(), "");
  EXPECT_EQ(backups->CreateBackup({}, Operator()).status().code(),
            absl::StatusCode::kFailedPrecondition);
  enlace::node::v1::BackupConfig c;
  c.set_dir("/b");
  EXPECT_EQ(DirsFromConfig(c).vault_dir, "/b.vault");
  EXPECT_EQ(DirsFromConfig(c).keep, 7);
  c.set_vault_dir("/b");
  EXPECT_FALSE(Backups::Create(DirsFromConfig(c), store.get(), nullptr, committer.get(), "").ok());
}

}  // namespace
}  // namespace enlace::backup
