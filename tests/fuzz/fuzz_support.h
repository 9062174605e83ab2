#ifndef ENLACE_TESTS_FUZZ_FUZZ_SUPPORT_H_
#define ENLACE_TESTS_FUZZ_FUZZ_SUPPORT_H_

// Small helpers shared by the fuzz targets (header-only, so run_libfuzzer.sh needs no extra
// source file).

#include <stdlib.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "absl/time/time.h"

namespace enlace::fuzz {

// A fresh private directory under $TEST_TMPDIR (Bazel), else $TMPDIR, else /tmp. The caller
// removes it (RemoveTree) at exit.
inline std::string MakeTempDir(const std::string& name) {
  const char* base = std::getenv("TEST_TMPDIR");
  if (base == nullptr || *base == '\0') base = std::getenv("TMPDIR");
  if (base == nullptr || *base == '\0') base = "/tmp";
  std::string templ = std::string(base) + "/" + name + "-XXXXXX";
  if (mkdtemp(templ.data()) == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  return templ;
}

inline void RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

// A fixed "now", so validation outcomes depend on the input only (2026-11-29T12:00:00Z).
inline absl::Time FixedNow() { return absl::FromUnixSeconds(1795953600); }

}  // namespace enlace::fuzz

#endif  // ENLACE_TESTS_FUZZ_FUZZ_SUPPORT_H_
