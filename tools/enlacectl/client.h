#ifndef ENLACE_TOOLS_ENLACECTL_CLIENT_H_
#define ENLACE_TOOLS_ENLACECTL_CLIENT_H_

// Sends a parsed enlacectl command to a node and prints the result.

#include <memory>
#include <ostream>

#include "absl/status/statusor.h"
#include "grpcpp/channel.h"
#include "tools/enlacectl/cli.h"

namespace enlace::cli {

// An mTLS channel to options.server. Reading the PEM files is the only work done here; the
// connection itself is made by the first call. FAILED_PRECONDITION for an unreadable file.
absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(const GlobalOptions& options);

// Runs `command` (not kHelp) over `channel`, every call with options.timeout as its deadline.
// Prints the response on `out` and a failed call's error on `err`. Returns the exit code:
// 0 on success, 1 when a call failed.
int Execute(const Command& command, const GlobalOptions& options,
            const std::shared_ptr<grpc::Channel>& channel, std::ostream& out, std::ostream& err);

// Exit code of `audit verify` when the log is not clean.
inline constexpr int kAuditNotClean = 3;

// `audit verify --data_dir=DIR`: verifies the audit log in a node's files (opened read-only),
// no call made. Prints the report (or one JSON line) on `out`, errors on `err`. Returns 0 when
// clean, kAuditNotClean when not, 1 when the files or the key cannot be read.
int VerifyAuditFiles(const Command& command, const GlobalOptions& options, std::ostream& out,
                     std::ostream& err);

}  // namespace enlace::cli

#endif  // ENLACE_TOOLS_ENLACECTL_CLIENT_H_
