#include "common/crypto/key_vault.h"

#include <sys/stat.h>

#include <cstdlib>
#include <fstream>

#include "absl/strings/escaping.h"
#include "common/crypto/aead.h"
#include "gtest/gtest.h"

namespace enlace::crypto {
namespace {

std::string TempDir() {
  std::string tmpl = std::string(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp") +
                     "/vault_XXXXXX";
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

}  // namespace
}  // namespace enlace::crypto
