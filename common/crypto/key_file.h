#ifndef ENLACE_COMMON_CRYPTO_KEY_FILE_H_
#define ENLACE_COMMON_CRYPTO_KEY_FILE_H_

#include <string>

#include "absl/status/status.h"

namespace enlace::crypto {

// OK when `path` is a file that only its owner can read or write (mode 0600 or 0400).
// A private key (master key, signing key, TLS key) readable by group or others is refused
// with FAILED_PRECONDITION naming the file, its mode and the chmod to run: a node must not
// start on a key that other local accounts may already have copied.
absl::Status CheckKeyFileIsPrivate(const std::string& path, const std::string& what);

}  // namespace enlace::crypto

#endif  // ENLACE_COMMON_CRYPTO_KEY_FILE_H_
