#include "common/crypto/key_vault.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "absl/strings/escaping.h"
#include "absl/synchronization/notification.h"
#include "common/crypto/aead.h"
#include "common/testing/sync_point.h"
#include "gtest/gtest.h"

namespace enlace::crypto {
namespace {

std::string TempDir() {
  std::string tmpl =
      std::string(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp") + "/vault_XXXXXX";
  return mkdtemp(tmpl.data());
}

MasterKeys Keys(int version) {
  MasterKeys k;
  k.keys[version] = *RandomBytes(32);
  return k;
}

TEST(AeadTest, SealOpenAndTamper) {
  std::string key = *RandomBytes(32);
  auto sealed = Seal(key, "José Pérez", "person-1");
  ASSERT_TRUE(sealed.ok());
  EXPECT_EQ(sealed->find("José"), std::string::npos);
  EXPECT_EQ(*Open(key, *sealed, "person-1"), "José Pérez");
  EXPECT_FALSE(Open(key, *sealed, "person-2").ok());
  std::string bad = *sealed;
  bad[15] ^= 1;
  EXPECT_EQ(Open(key, bad, "person-1").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_FALSE(Open(*RandomBytes(32), *sealed, "person-1").ok());
}

TEST(KeyVaultTest, KeysSurviveReopenRotateAndDestroy) {
  const std::string dir = TempDir();
  MasterKeys v1 = Keys(1);
  std::string dek, index_key;
  {
    auto vault = KeyVault::Open(dir, v1);
    ASSERT_TRUE(vault.ok()) << vault.status();
    dek = *(*vault)->CreateDataKey("p1");
    index_key = (*vault)->index_key();
  }
  {
    auto vault = KeyVault::Open(dir, v1);
    ASSERT_TRUE(vault.ok());
    EXPECT_EQ(*(*vault)->DataKey("p1"), dek);
    EXPECT_EQ((*vault)->index_key(), index_key);
    // Rotation: add version 2, re-wrap everything, then version 1 is no longer needed.
    MasterKeys both = v1;
    both.keys[2] = *RandomBytes(32);
    ASSERT_TRUE((*vault)->Rotate(both).ok());
    MasterKeys only2;
    only2.keys[2] = both.keys[2];
    ASSERT_TRUE((*vault)->Rotate(only2).ok());
    EXPECT_EQ((*vault)->wrapped_with_current(), 2);  // p1 and the index key
    v1 = only2;
  }
  auto vault = KeyVault::Open(dir, v1);
  ASSERT_TRUE(vault.ok()) << vault.status();
  EXPECT_EQ(*(*vault)->DataKey("p1"), dek);
  ASSERT_TRUE((*vault)->DestroyDataKey("p1").ok());
  EXPECT_EQ((*vault)->DataKey("p1").status().code(), absl::StatusCode::kNotFound);
  // A wrong master key cannot open the vault.
  EXPECT_FALSE(KeyVault::Open(TempDir(), MasterKeys()).ok());
}

TEST(KeyVaultTest, LoadMasterKeysChecksPermissionsAndFormat) {
  const std::string path = TempDir() + "/master.key";
  {
    std::ofstream out(path);
    out << *NewMasterKeyFile();
  }
  chmod(path.c_str(), 0644);
  EXPECT_EQ(LoadMasterKeys(path).status().code(), absl::StatusCode::kPermissionDenied);
  chmod(path.c_str(), 0600);
  auto keys = LoadMasterKeys(path);
  ASSERT_TRUE(keys.ok()) << keys.status();
  EXPECT_EQ(keys->current(), 1);
  {
    std::ofstream out(path);
    out << "1:tooshort\n";
  }
  EXPECT_FALSE(LoadMasterKeys(path).ok());
}

// Attack on erasure: a reader (a background worker opening a record) read the wrapped key
// from the store just before an erasure destroyed it, and filled the cache after the
// destruction had emptied it. The key then lived on in memory, and every later read of the
// erased person's copy succeeded until the node restarted. Forced with a sync point.
TEST(KeyVaultTest, AReadRacingTheDestructionDoesNotBringTheKeyBack) {
  const std::string dir = TempDir();
  const MasterKeys keys = Keys(1);
  {
    auto vault = KeyVault::Open(dir, keys);
    ASSERT_TRUE(vault.ok()) << vault.status();
    ASSERT_TRUE((*vault)->CreateDataKey("transfer:MX:t1").ok());
  }
  auto vault = KeyVault::Open(dir, keys);  // a cold cache
  ASSERT_TRUE(vault.ok()) << vault.status();
  absl::Notification read_store, destroyed;
  auto* sp = enlace::SyncPoint::GetInstance();
  sp->SetCallBack("KeyVault::DataKey:AfterStoreRead", [&](void*) {
    if (read_store.HasBeenNotified()) return;  // only the racing reader parks
    read_store.Notify();
    destroyed.WaitForNotification();
  });
  sp->EnableProcessing();
  absl::StatusOr<std::string> raced;
  std::thread reader([&] { raced = (*vault)->DataKey("transfer:MX:t1"); });
  read_store.WaitForNotification();
  ASSERT_TRUE((*vault)->DestroyDataKey("transfer:MX:t1").ok());
  destroyed.Notify();
  reader.join();
  sp->Reset();
  EXPECT_TRUE(raced.ok()) << "the reader read before the destruction";
  auto after = (*vault)->DataKey("transfer:MX:t1");
  EXPECT_EQ(after.status().code(), absl::StatusCode::kNotFound)
      << "the destroyed key came back through the cache";
  EXPECT_FALSE((*vault)->HasDataKey("transfer:MX:t1"));
}

}  // namespace
}  // namespace enlace::crypto
