#include "common/storage/store.h"

#include <signal.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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

TEST(StoreTest, ReadOverlaysShowUncommittedWritesNewestFirstOnThisThreadOnly) {
  auto store = OpenAt(TempDir());
  const ColumnFamily* things = store->cf("things");
  WriteBatch committed;
  committed.Put(things, "a", "stored");
  committed.Put(things, "b", "stored");
  ASSERT_TRUE(store->Commit(committed).ok());
  auto get = [&](absl::string_view key) {
    auto v = store->Get(things, key);
    EXPECT_TRUE(v.ok());
    return v.ok() && v->has_value() ? **v : std::string("<none>");
  };
  WriteBatch outer, inner;
  outer.Put(things, "a", "outer");
  outer.Delete(things, "b");
  {
    ScopedReadOverlay o(&outer);
    EXPECT_EQ(get("a"), "outer");
    EXPECT_EQ(get("b"), "<none>");
    // Written after the overlay was made: still seen (the index catches up lazily).
    outer.Put(things, "c", "late");
    EXPECT_EQ(get("c"), "late");
    inner.Put(things, "a", "inner");
    {
      ScopedReadOverlay i(&inner);
      EXPECT_EQ(get("a"), "inner");
      EXPECT_EQ(get("c"), "late");
    }
    EXPECT_EQ(get("a"), "outer");
    // Another thread sees only what is committed.
    std::string elsewhere;
    std::thread([&] { elsewhere = get("a"); }).join();
    EXPECT_EQ(elsewhere, "stored");
  }
  EXPECT_EQ(get("a"), "stored");
  EXPECT_EQ(get("b"), "stored");
  EXPECT_EQ(get("c"), "<none>");
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

// ---- Fault injection on the files of a crashed store ----------------------------------------
//
// A real writer process (this test binary re-executed with ENLACE_STORE_CRASH_WRITER set)
// commits kCrashWrites synced batches and is killed with SIGKILL, so its WAL is never flushed
// into SST files. The tests then damage the WAL the way a disk or a crash would.

constexpr int kCrashWrites = 200;
constexpr char kCrashWriterEnv[] = "ENLACE_STORE_CRASH_WRITER";

std::string CrashKey(int i) { return absl::StrFormat("k%05d", i); }
std::string CrashValue(int i) { return std::string(2000, static_cast<char>('a' + i % 26)); }

StoreOptions CrashStoreOptions(const std::string& dir) {
  StoreOptions o;
  o.path = dir;
  o.column_families = {"things"};
  return o;
}

// Runs before main() in the re-executed child only.
const bool kCrashWriterRan = [] {
  const char* dir = getenv(kCrashWriterEnv);
  if (dir == nullptr) return false;
  auto store = Store::Open(CrashStoreOptions(dir));
  if (!store.ok()) _exit(2);
  for (int i = 0; i < kCrashWrites; ++i) {
    WriteBatch b;
    b.Put((*store)->cf("things"), CrashKey(i), CrashValue(i));
    if (!(*store)->Commit(b).ok()) _exit(3);  // synced: acknowledged means durable
  }
  kill(getpid(), SIGKILL);
  _exit(4);
}();

void WriteThenSigkill(const std::string& dir) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    setenv(kCrashWriterEnv, dir.c_str(), 1);
    execl("/proc/self/exe", "store_test_crash_writer", static_cast<char*>(nullptr));
    _exit(5);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "writer did not reach its SIGKILL, status " << status;
}

// The live WAL: the largest *.log file of the directory.
std::string LiveWal(const std::string& dir) {
  std::string best;
  uintmax_t best_size = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".log" && e.file_size() >= best_size) {
      best = e.path().string();
      best_size = e.file_size();
    }
  }
  return best;
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteAll(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), bytes.size());
}

// One flipped byte in the middle of the WAL (bit rot, a bad sector, a stray write): RocksDB's
// default point-in-time recovery would open the store without every write after the damage.
TEST(StoreCorruptionTest, FlippedWalByteRefusesOpen) {
  const std::string dir = TempDir();
  ASSERT_NO_FATAL_FAILURE(WriteThenSigkill(dir));
  const std::string wal = LiveWal(dir);
  ASSERT_FALSE(wal.empty());
  std::string bytes = ReadAll(wal);
  ASSERT_GT(bytes.size(), 200u * 2000u);
  // The middle, away from a 32 KiB block's trailer (which the reader skips unchecked).
  size_t at = bytes.size() / 2;
  if (at % 32768 < 64 || at % 32768 > 32700) at += 1000;
  bytes[at] ^= 0x5a;
  WriteAll(wal, bytes);

  auto store = Store::Open(CrashStoreOptions(dir));
  ASSERT_FALSE(store.ok()) << "a store with a corrupt WAL opened (writes after offset " << at
                           << " silently dropped: k" << ((*store)->Get((*store)->cf("things"),
                                                            CrashKey(kCrashWrites - 1))->has_value()
                                                             ? "last present" : "last missing")
                           << ")";
  EXPECT_EQ(store.status().code(), absl::StatusCode::kDataLoss) << store.status();
  const std::string message(store.status().message());
  // Which file, what happened, what to do.
  EXPECT_NE(message.find(std::filesystem::path(wal).filename().string()), std::string::npos)
      << message;
  EXPECT_NE(message.find("corrupt"), std::string::npos) << message;
  EXPECT_NE(message.find("restore"), std::string::npos) << message;
  EXPECT_NE(message.find("docs/operations.md"), std::string::npos) << message;
  // Nothing was truncated or repaired: the damaged WAL is still there, byte for byte.
  EXPECT_EQ(ReadAll(wal), bytes);
  // And it keeps refusing.
  EXPECT_EQ(Store::Open(CrashStoreOptions(dir)).status().code(), absl::StatusCode::kDataLoss);
}

// kill -9 (or power loss) in the middle of writing a record leaves it incomplete at the end of
// the WAL. That record was never acknowledged (the sync had not returned): the store opens
// with every acknowledged write and without the torn one.
TEST(StoreCorruptionTest, TornWalTailStillOpens) {
  const std::string dir = TempDir();
  ASSERT_NO_FATAL_FAILURE(WriteThenSigkill(dir));
  const std::string wal = LiveWal(dir);
  ASSERT_FALSE(wal.empty());
  const auto size = std::filesystem::file_size(wal);
  std::filesystem::resize_file(wal, size - 7);

  auto store = Store::Open(CrashStoreOptions(dir));
  ASSERT_TRUE(store.ok()) << store.status();
  for (int i = 0; i < kCrashWrites - 1; ++i) {
    auto v = (*store)->Get((*store)->cf("things"), CrashKey(i));
    ASSERT_TRUE(v.ok()) << v.status();
    ASSERT_TRUE(v->has_value()) << CrashKey(i) << " lost";
    EXPECT_EQ(**v, CrashValue(i));
  }
  auto torn = (*store)->Get((*store)->cf("things"), CrashKey(kCrashWrites - 1));
  ASSERT_TRUE(torn.ok());
  EXPECT_FALSE(torn->has_value());
}

// The WAL after a plain kill -9 (no damage) replays completely.
TEST(StoreCorruptionTest, SigkilledWriterLosesNoAcknowledgedWrite) {
  const std::string dir = TempDir();
  ASSERT_NO_FATAL_FAILURE(WriteThenSigkill(dir));
  auto store = Store::Open(CrashStoreOptions(dir));
  ASSERT_TRUE(store.ok()) << store.status();
  auto v = (*store)->Get((*store)->cf("things"), CrashKey(kCrashWrites - 1));
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->has_value());
}

// A backup taken while a writer commits holds every commit acknowledged before it started,
// and only whole commits: each key of the "things" family has its index entry, and the counter
// counts exactly the keys present.
TEST(StoreBackupTest, BackupUnderWritesHoldsWholeCommitsAndEveryEarlierOne) {
  const std::string dir = TempDir();
  const std::string backups = TempDir() + "/backups";
  auto store = OpenAt(dir);
  std::atomic<int> acked{0};
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int i = 0; !stop.load(); ++i) {
      WriteBatch b;
      const std::string key = absl::StrFormat("k%08d", i);
      b.Put(store->cf("things"), key, "v");
      b.Put(store->cf("index"), "i|" + key, "");
      b.AddToCounter(store->cf("counters"), "n", 1);
      ASSERT_TRUE(store->Commit(b).ok());
      acked.store(i + 1);
    }
  });
  // Ordering, not time: the backup starts once some commits are acknowledged.
  while (acked.load() < 200) std::this_thread::yield();
  const int acked_before = acked.load();
  auto info = store->CreateBackup(backups, "meta-1", /*keep=*/0);
  stop.store(true);
  writer.join();
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->metadata, "meta-1");
  ASSERT_TRUE(VerifyBackup(backups, info->id).ok());

  const std::string restored = TempDir() + "/restored";
  ASSERT_TRUE(RestoreBackup(backups, info->id, restored).ok());
  auto copy = OpenAt(restored);
  for (int i = 0; i < acked_before; ++i) {
    auto v = copy->Get(copy->cf("things"), absl::StrFormat("k%08d", i));
    ASSERT_TRUE(v.ok() && v->has_value()) << "acknowledged write " << i << " missing";
  }
  int64_t keys = 0;
  for (auto it = copy->ScanPrefix(copy->cf("things"), "k"); it->Valid(); it->Next()) {
    ++keys;
    auto idx = copy->Get(copy->cf("index"), absl::StrCat("i|", it->key()));
    ASSERT_TRUE(idx.ok() && idx->has_value()) << "half a commit: " << it->key();
  }
  EXPECT_GE(keys, acked_before);
  EXPECT_EQ(*copy->GetCounter(copy->cf("counters"), "n"), keys);
}

TEST(StoreBackupTest, RetentionKeepsTheNewestAndListsOldestFirst) {
  const std::string backups = TempDir() + "/backups";
  auto store = OpenAt(TempDir());
  std::vector<uint32_t> ids;
  for (int i = 0; i < 3; ++i) {
    WriteBatch b;
    b.Put(store->cf("things"), absl::StrCat("t", i), "x");
    ASSERT_TRUE(store->Commit(b).ok());
    auto info = store->CreateBackup(backups, absl::StrCat("m", i), /*keep=*/2);
    ASSERT_TRUE(info.ok()) << info.status();
    ids.push_back(info->id);
  }
  auto list = ListBackups(backups);
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].id, ids[1]);
  EXPECT_EQ((*list)[1].id, ids[2]);
  EXPECT_EQ((*list)[1].metadata, "m2");
  EXPECT_GT((*list)[1].files, 0u);
  EXPECT_EQ(VerifyBackup(backups, ids[0]).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store->CreateBackup(backups, "", -1).status().code(),
            absl::StatusCode::kInvalidArgument);
  // A directory that was never a backup directory lists nothing.
  auto none = ListBackups(TempDir() + "/absent");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST(StoreBackupTest, DamagedFileFailsVerifyAndRestore) {
  const std::string backups = TempDir() + "/backups";
  auto store = OpenAt(TempDir());
  WriteBatch b;
  b.Put(store->cf("things"), "t", std::string(4096, 'x'));
  ASSERT_TRUE(store->Commit(b).ok());
  auto info = store->CreateBackup(backups, "", 0);
  ASSERT_TRUE(info.ok()) << info.status();
  // Flip one byte in the middle of the largest shared file (an SST), keeping its size.
  std::string victim;
  uintmax_t largest = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(backups)) {
    if (e.is_regular_file() && e.path().string().find("shared") != std::string::npos &&
        e.file_size() > largest) {
      largest = e.file_size();
      victim = e.path().string();
    }
  }
  ASSERT_FALSE(victim.empty());
  {
    std::fstream f(victim, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(largest / 2);
    char c = 0;
    f.read(&c, 1);
    c ^= 0x5a;
    f.seekp(largest / 2);
    f.write(&c, 1);
  }
  EXPECT_EQ(VerifyBackup(backups, info->id).code(), absl::StatusCode::kDataLoss);
  const std::string restored = TempDir() + "/restored";
  EXPECT_FALSE(RestoreBackup(backups, info->id, restored).ok());
}

TEST(StoreBackupTest, RestoreRefusesANonEmptyDirectoryAndLeavesItAlone) {
  const std::string backups = TempDir() + "/backups";
  auto store = OpenAt(TempDir());
  auto info = store->CreateBackup(backups, "", 0);
  ASSERT_TRUE(info.ok()) << info.status();
  const std::string target = TempDir();
  { std::ofstream(target + "/precious") << "keep me"; }
  absl::Status s = RestoreBackup(backups, info->id, target);
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << s;
  size_t entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(target)) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 1u);
  EXPECT_EQ(RestoreBackup(backups, 999, TempDir() + "/x").code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace enlace::storage

namespace enlace::storage {
namespace {

TEST(StoreStatsTest, WalSstAndFamiliesAreReportedUntilClosed) {
  auto store = OpenAt(TempDir());
  const ColumnFamily* cf = store->cf("things");
  WriteBatch b;
  for (int i = 0; i < 100; ++i) b.Put(cf, absl::StrCat("k", i), std::string(1000, 'x'));
  ASSERT_TRUE(store->Commit(b).ok());
  auto stats = store->GetStats();
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_GT(stats->wal_bytes, 100000u);  // the synced write is in the live WAL
  EXPECT_FALSE(stats->write_stopped);
  const Store::Stats::Family* a = nullptr;
  for (const auto& f : stats->families) {
    if (f.name == "things") a = &f;
  }
  ASSERT_NE(a, nullptr);
  EXPECT_GT(a->memtable_bytes, 100000u);
  EXPECT_EQ(a->sst_bytes, 0u);  // nothing flushed yet
  // Purge flushes every memtable: the data moves to SST files.
  ASSERT_TRUE(store->Purge(cf).ok());
  stats = store->GetStats();
  ASSERT_TRUE(stats.ok());
  for (const auto& f : stats->families) {
    if (f.name == "things") {
      EXPECT_GT(f.sst_bytes, 0u);
    }
  }
  ASSERT_TRUE(store->Close().ok());
  EXPECT_EQ(store->GetStats().status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace enlace::storage
