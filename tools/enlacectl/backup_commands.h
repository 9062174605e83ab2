#ifndef ENLACE_TOOLS_ENLACECTL_BACKUP_COMMANDS_H_
#define ENLACE_TOOLS_ENLACECTL_BACKUP_COMMANDS_H_

// How the backup commands print (backup_commands.cc holds the commands; see domains.h).

#include <string>

#include "enlace/backup/v1/backup.pb.h"

namespace enlace::cli {

// `backup verify`'s exit code when the backup is damaged (as `audit verify`'s).
inline constexpr int kBackupDamaged = 3;

// `backup list`: ID  CREATED  DATA_BYTES  FILES  VAULT  AUDIT_HEAD ("-": no vault backup).
std::string BackupsTable(const backup::v1::ListBackupsResponse& response);
// `backup create`: one line naming the backup, its size, its vault backup and audit head.
std::string BackupText(const backup::v1::Backup& backup);

}  // namespace enlace::cli

#endif  // ENLACE_TOOLS_ENLACECTL_BACKUP_COMMANDS_H_
