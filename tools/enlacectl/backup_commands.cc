// The backup commands (see domains.h): enlace.backup.v1.BackupService, operators only.
//
//   backup create          CreateBackup (the data store, then the key vault; can take minutes
//                          on a large store: raise --timeout)
//   backup list            ListBackups
//   backup verify ID       VerifyBackup (every file's checksum); exit 3 when damaged
//
// Restoring is offline, on the node's host: enlace-node --config FILE --restore_from=DIR
// --backup_id=ID (docs/operations.md, "Restore").

#include "tools/enlacectl/backup_commands.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "enlace/backup/v1/backup.grpc.pb.h"
#include "tools/enlacectl/client.h"
#include "tools/enlacectl/domains.h"
#include "tools/enlacectl/format.h"
#include "tools/enlacectl/runners.h"

namespace enlace::cli {
namespace {

namespace bv1 = ::enlace::backup::v1;
using Request = std::unique_ptr<google::protobuf::Message>;
using BackupStub = bv1::BackupService::Stub;

constexpr char kNoBackup[] =
    "this node does not serve enlace.backup.v1.BackupService: is it an Enlace node, and recent "
    "enough?";

constexpr char kHelp[] =
    R"(Backups (operators; restoring is offline: enlace-node --restore_from=DIR --backup_id=ID):
  backup create    take a backup now (the data store, then the key vault); the oldest beyond
                   the node's backup.keep are deleted. Large stores take minutes: --timeout=10m
  backup list      the backups kept, oldest first
  backup verify    ID   re-read every file of backup ID against its checksum; exit 3 if damaged
)";

Request CreateBackup(BuildInput& in) {
  in.NoName();
  return std::make_unique<bv1::CreateBackupRequest>();
}

Request ListBackups(BuildInput& in) {
  in.NoName();
  return std::make_unique<bv1::ListBackupsRequest>();
}

Request VerifyBackup(BuildInput& in) {
  auto req = std::make_unique<bv1::VerifyBackupRequest>();
  const std::string id = in.Name("ID (a number from `backup list`)");
  uint32_t n = 0;
  if (!id.empty()) {
    if (!absl::SimpleAtoi(id, &n) || n == 0) {
      in.args.Error(absl::StrCat("ID: \"", id, "\" is not a backup id (a number from `backup list`)"));
    }
  }
  req->set_id(n);
  return req;
}

int RunVerifyBackup(const Command& command, Session& s) {
  const auto& req = command.As<bv1::VerifyBackupRequest>();
  auto report = Call(s, &BackupStub::VerifyBackup, req, kNoBackup);
  if (!report.ok()) return s.printer.Error(report.status());
  if (s.printer.json()) {
    if (int rc = s.printer.Json(*report); rc != 0) return rc;
  } else {
    s.printer.Text(report->ok() ? absl::StrCat("backup ", req.id(), ": ok\n")
                                : absl::StrCat("backup ", req.id(), ": DAMAGED: ",
                                               report->problem(), "\n"));
  }
  return report->ok() ? 0 : kBackupDamaged;
}

}  // namespace

std::string BackupsTable(const bv1::ListBackupsResponse& response) {
  if (response.backups().empty()) return "no backup\n";
  std::vector<std::vector<std::string>> rows;
  for (const bv1::Backup& b : response.backups()) {
    rows.push_back({absl::StrCat(b.id()), FormatTime(b.create_time()), absl::StrCat(b.data_bytes()),
                    absl::StrCat(b.data_files()), b.vault_id() ? absl::StrCat(b.vault_id()) : "-",
                    absl::StrCat(b.audit_head_seq())});
  }
  return FormatTable({"ID", "CREATED", "DATA_BYTES", "FILES", "VAULT", "AUDIT_HEAD"}, rows);
}

std::string BackupText(const bv1::Backup& b) {
  return absl::StrCat("backup ", b.id(), " created ", FormatTime(b.create_time()), ": ",
                      b.data_bytes(), " bytes in ", b.data_files(), " files; key vault backup ",
                      b.vault_id() ? absl::StrCat(b.vault_id()) : "none", "; audit head ",
                      b.audit_head_seq(), "\n");
}

const Domain& BackupDomain() {
  static const auto* domain = new Domain{
      {
          {"backup", "create", Rpc::kCreateBackup, CreateBackup,
           Show(&BackupStub::CreateBackup, kNoBackup, TextOf(BackupText))},
          {"backup", "list", Rpc::kListBackups, ListBackups,
           Show(&BackupStub::ListBackups, kNoBackup, TextOf(BackupsTable))},
          {"backup", "verify", Rpc::kVerifyBackup, VerifyBackup, RunVerifyBackup},
      },
      {{"backups", "backup"}},
      kHelp,
      {},
  };
  return *domain;
}

}  // namespace enlace::cli
