#include "common/storage/store.h"

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "common/storage/key_locks.h"
#include "gtest/gtest.h"

namespace enlace::storage {
namespace {

std::string TempDir() {
  std::string tmpl = std::string(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp") +
                     "/store_test_XXXXXX";
  return mkdtemp(tmpl.data());
}

std::unique_ptr<Store> OpenAt(const std::string& dir) {
  StoreOptions o;
  o.path = dir;
  o.column_families = {"things", "index"};
  o.counter_families = {"counters"};
  auto s = Store::Open(o);
  EXPECT_TRUE(s.ok()) << s.status();
  return std::move(*s);
}

TEST(StoreTest, BatchIsAtomicAndDurableAcrossReopen) {
  std::string dir = TempDir();
  {
    auto store = OpenAt(dir);
    WriteBatch b;
    b.Put(store->cf("things"), "t1", "one");
    b.Put(store->cf("index"), "i|one|t1", "");
    b.AddToCounter(store->cf("counters"), "n", 3);
    b.AddToCounter(store->cf("counters"), "n", -1);
    ASSERT_TRUE(store->Commit(b).ok());
    ASSERT_TRUE(store->Close().ok());
  }
  auto store = OpenAt(dir);
  auto v = store->Get(store->cf("things"), "t1");
  ASSERT_TRUE(v.ok());
  ASSERT_TRUE(v->has_value());
  EXPECT_EQ(**v, "one");
  EXPECT_EQ(*store->GetCounter(store->cf("counters"), "n"), 2);
  EXPECT_EQ(*store->GetCounter(store->cf("counters"), "absent"), 0);
  auto missing = store->Get(store->cf("things"), "nope");
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing->has_value());
}

TEST(StoreTest, ScanPrefixStaysWithinPrefix) {
  auto store = OpenAt(TempDir());
  WriteBatch b;
  for (const char* k : {"a|1", "a|2", "a|3", "b|1", "a"}) b.Put(store->cf("index"), k, k);
  ASSERT_TRUE(store->Commit(b).ok());
  std::vector<std::string> keys;
  for (auto it = store->ScanPrefix(store->cf("index"), "a|"); it->Valid(); it->Next()) {
    keys.emplace_back(it->key());
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"a|1", "a|2", "a|3"}));
  auto last = store->Last(store->cf("index"));
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->first, "b|1");
  EXPECT_FALSE(store->Last(store->cf("things"))->has_value());
  keys.clear();
  for (auto it = store->Scan(store->cf("index"), "a|2", "b"); it->Valid(); it->Next()) {
    keys.emplace_back(it->key());
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"a|2", "a|3"}));
}

TEST(StoreTest, ConcurrentCountersGroupCommit) {
  auto store = OpenAt(TempDir());
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&store] {
      for (int i = 0; i < 50; ++i) {
        WriteBatch b;
        b.AddToCounter(store->cf("counters"), "n", 1);
        ASSERT_TRUE(store->Commit(b).ok());
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(*store->GetCounter(store->cf("counters"), "n"), 400);
}

TEST(StoreTest, EncodingsKeepOrder) {
  std::string a, b;
  AppendBigEndian64(&a, 255);
  AppendBigEndian64(&b, 256);
  EXPECT_LT(a, b);
  EXPECT_EQ(ReadBigEndian64(b), 256u);
  EXPECT_EQ(PrefixSuccessor("ab"), "ac");
  EXPECT_EQ(PrefixSuccessor(std::string("a\xff", 2)), "b");
}

TEST(StoreTest, OpenFailsCleanlyOnUnwritablePath) {
  StoreOptions o;
  o.path = "/proc/enlace-cannot-exist";
  auto s = Store::Open(o);
  EXPECT_FALSE(s.ok());
}

TEST(KeyLocksTest, OverlappingKeySetsDoNotDeadlock) {
  KeyLocks locks;
  int counter = 0;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) {
        std::vector<std::string> keys = {t % 2 ? "x" : "y", t % 2 ? "y" : "x"};
        ScopedKeyLocks l(locks, keys);
        ++counter;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(counter, 4000);
}

}  // namespace
}  // namespace enlace::storage
