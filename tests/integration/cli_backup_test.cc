// enlacectl's backup commands end to end: the real binary against a real enlace-node child
// process over mTLS (as cli_stats_test.cc). `backup create` twice, `backup list` shows both with
// their vault backups, `backup verify` is ok, then exit 3 once a file of the backup is damaged;
// a supervisor is refused; a bad ID is a usage error (exit 2) and sends nothing.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/pki/pki.h"
#include "gtest/gtest.h"
#include "tests/testing/command.h"
#include "tests/testing/enlacectl_test.h"
#include "tests/testing/test_env.h"

extern char** environ;

namespace enlace {
namespace {

using Identity = testing::CliIdentity;
constexpr Identity kOps = {"ops", "spiffe://mx.enlace.example/role/operator/user/ops"};
constexpr Identity kJefa = {"jefa", "spiffe://mx.enlace.example/role/supervisor/user/jefa"};

using Result = testing::CommandResult;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CliBackupTest : public testing::EnlacectlTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(
        StartNode("cli_backup", {kOps, kJefa}, [this](enlace::node::v1::NodeConfig& config) {
          config.mutable_backup()->set_dir(dir_ + "/backups");
        }));
  }
};

TEST_F(CliBackupTest, CreateListVerifyAndDamage) {
  Result empty = Run(kOps, {"backup", "list"});
  ASSERT_EQ(empty.code, 0) << empty;
  EXPECT_EQ(empty.out, "no backup\n");

  Result first = Run(kOps, {"backup", "create"});
  ASSERT_EQ(first.code, 0) << first;
  EXPECT_TRUE(absl::StartsWith(first.out, "backup 1 created ")) << first;
  EXPECT_TRUE(absl::StrContains(first.out, "key vault backup 1")) << first;
  Result second = Run(kOps, {"backup", "create"});
  ASSERT_EQ(second.code, 0) << second;

  Result list = Run(kOps, {"backup", "list"});
  ASSERT_EQ(list.code, 0) << list;
  std::vector<std::string> lines = absl::StrSplit(list.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u) << list;
  EXPECT_TRUE(absl::StartsWith(lines[0], "ID ")) << list;
  std::vector<std::string> row = absl::StrSplit(lines[2], ' ', absl::SkipEmpty());
  ASSERT_GE(row.size(), 6u) << list;
  EXPECT_EQ(row[0], "2");
  EXPECT_EQ(row[4], "2");  // its vault backup

  Result json = Run(kOps, {"--json", "backup", "list"});
  ASSERT_EQ(json.code, 0) << json;
  EXPECT_TRUE(absl::StrContains(json.out, "\"vaultId\":2")) << json;

  Result ok = Run(kOps, {"backup", "verify", "2"});
  EXPECT_EQ(ok.code, 0) << ok;
  EXPECT_EQ(ok.out, "backup 2: ok\n");

  // Only operators.
  Result refused = Run(kJefa, {"backup", "create"});
  EXPECT_EQ(refused.code, 1) << refused;
  EXPECT_TRUE(absl::StrContains(refused.err, "PERMISSION_DENIED")) << refused;

  Result usage = Run(kOps, {"backup", "verify", "two"});
  EXPECT_EQ(usage.code, 2) << usage;
  EXPECT_TRUE(absl::StrContains(usage.err, "not a backup id")) << usage;
  Result unknown = Run(kOps, {"backup", "verify", "99"});
  EXPECT_EQ(unknown.code, 1) << unknown;
  EXPECT_TRUE(absl::StrContains(unknown.err, "NOT_FOUND")) << unknown;

  // A flipped byte in the largest file of the data backups: verify says so, exit 3.
  std::string victim;
  uintmax_t largest = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir_ + "/backups")) {
    if (e.is_regular_file() && absl::StrContains(e.path().string(), "shared") &&
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
  Result damaged = Run(kOps, {"backup", "verify", "2"});
  EXPECT_EQ(damaged.code, 3) << damaged;
  EXPECT_TRUE(absl::StartsWith(damaged.out, "backup 2: DAMAGED: ")) << damaged;
}

}  // namespace
}  // namespace enlace
