// Fuzz target: the node's configuration and key files, which operators write by hand.
//
// The input is parsed as a text-format NodeConfig (ParseNodeConfig) and validated
// (ValidateNodeConfig); it is also parsed as a binary NodeConfig and validated. It is then
// written, mode 0600, to a file that is read back with LoadMasterKeys (common/crypto/key_vault.h), the
// master key file's parser, and (for one input in eight, by length) with LoadNodeConfig, whose
// outcome must be ParseNodeConfig's.
//
// Checked: every failure is INVALID_ARGUMENT (or, for LoadMasterKeys, INVALID_ARGUMENT only:
// the file exists and is private); a config that parses from text parses the same from the
// file; accepted master keys are 32 bytes each under positive versions.

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>

#include "common/crypto/key_vault.h"
#include "enlace/node/v1/config.pb.h"
#include "google/protobuf/stubs/logging.h"
#include "services/node/config.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_support.h"

namespace enlace::fuzz {
namespace {

std::string* g_dir = nullptr;

void Cleanup() {
  if (g_dir != nullptr) RemoveTree(*g_dir);
}

void IgnoreProtobufLog(google::protobuf::LogLevel, const char*, int, const std::string&) {}

const std::string& FilePath() {
  static const std::string* path = [] {
    google::protobuf::SetLogHandler(&IgnoreProtobufLog);
    g_dir = new std::string(MakeTempDir("enlace-config-fuzz"));
    std::atexit(&Cleanup);
    return new std::string(*g_dir + "/input");
  }();
  return *path;
}

void WritePrivateFile(const std::string& path, const std::string& bytes) {
  // A new file each time: truncating and rewriting the same file makes ext4 start writeback
  // on close (auto_da_alloc), which would make the target wait on the disk.
  unlink(path.c_str());
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  FUZZ_CHECK(fd >= 0);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    FUZZ_CHECK(n > 0);
    done += static_cast<size_t>(n);
  }
  FUZZ_CHECK(close(fd) == 0);
}

void CheckInvalidArgument(const absl::Status& s) {
  FUZZ_CHECK_MSG(s.code() == absl::StatusCode::kInvalidArgument, s.ToString());
}

void Validate(const node::v1::NodeConfig& config) {
  const absl::Status s = node::ValidateNodeConfig(config);
  if (!s.ok()) CheckInvalidArgument(s);
}

}  // namespace
}  // namespace enlace::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace enlace;
  using namespace enlace::fuzz;
  const std::string& path = FilePath();
  const std::string bytes(reinterpret_cast<const char*>(data), size);

  auto text = node::ParseNodeConfig(bytes);
  if (text.ok()) {
    Validate(*text);
  } else {
    CheckInvalidArgument(text.status());
  }
  node::v1::NodeConfig binary;
  if (binary.ParseFromString(bytes)) Validate(binary);

  WritePrivateFile(path, bytes);
  // LoadNodeConfig reads into a 1 MiB buffer, which dominates the cost under ASan: only
  // inputs whose length is a multiple of 8 take that path (a fixed choice per input).
  if (size % 8 == 0) {
    auto loaded = node::LoadNodeConfig(path);
    FUZZ_CHECK(loaded.ok() == text.ok());
    if (loaded.ok()) {
      FUZZ_CHECK(loaded->SerializeAsString() == text->SerializeAsString());
    } else {
      CheckInvalidArgument(loaded.status());
    }
  }

  auto keys = crypto::LoadMasterKeys(path);
  if (keys.ok()) {
    FUZZ_CHECK(!keys->keys.empty());
    FUZZ_CHECK(keys->current() == keys->keys.rbegin()->first);
    for (const auto& [version, key] : keys->keys) {
      FUZZ_CHECK(version > 0);
      FUZZ_CHECK(key.size() == 32);
    }
  } else {
    CheckInvalidArgument(keys.status());
  }
  return 0;
}
