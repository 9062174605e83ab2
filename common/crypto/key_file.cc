#include "common/crypto/key_file.h"

#include <errno.h>
#include <sys/stat.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace enlace::crypto {

absl::Status CheckKeyFileIsPrivate(const std::string& path, const std::string& what) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    return absl::ErrnoToStatus(errno, absl::StrCat("cannot read the ", what, " ", path));
  }
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("the ", what, " ", path, " is not a regular file"));
  }
  if ((st.st_mode & 077) != 0) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "the %s %s is readable or writable by group or others (mode %04o); it must be "
        "readable by the node's user only: run `chmod 600 %s`",
        what, path, st.st_mode & 07777, path));
  }
  return absl::OkStatus();
}

}  // namespace enlace::crypto
