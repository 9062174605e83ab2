#ifndef ENLACE_SERVICES_BACKUP_BACKUPS_H_
#define ENLACE_SERVICES_BACKUP_BACKUPS_H_

// Online backups of a node: the data store, then the key vault, each a RocksDB backup
// (storage::Store::CreateBackup) in its own directory, paired by the vault backup's metadata.
//
// Order matters. The audit head file is read first, then the data store is backed up, then the
// vault: the head the restored node must reach is then never ahead of the restored log, and
// every data key the restored data needs is in the vault backup (keys are created before the
// data they seal is committed). A person erased between the two steps comes back without a
// key: erased for good, which is what the erasure asked for.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/crypto/key_vault.h"
#include "common/identity/caller.h"
#include "common/storage/store.h"
#include "common/txn/committer.h"
#include "enlace/backup/v1/backup.pb.h"
#include "enlace/node/v1/config.pb.h"

namespace enlace::backup {

struct BackupDirs {
  std::string dir;        // data store backups
  std::string vault_dir;  // key vault backups
  int keep = 7;
};

// NodeConfig.backup with its defaults (vault_dir = dir + ".vault", keep 7). `dir` empty: the
// node takes no backups.
BackupDirs DirsFromConfig(const enlace::node::v1::BackupConfig& config);

// The node's backups in `dirs`, oldest first: each data backup with the vault backup paired
// with it (vault_id 0 when there is none).
absl::StatusOr<std::vector<v1::Backup>> ListNodeBackups(const BackupDirs& dirs);

// What a restore writes, and from where.
struct RestoreRequest {
  BackupDirs from;
  uint32_t backup_id = 0;
  std::string data_dir;
  // Empty when the node has no vault (sealing disabled): only the data store is restored.
  std::string keys_dir;
};

// Offline restore (`enlace-node --restore_from`): verifies both backups, then writes the data
// store into data_dir, the vault into keys_dir and the audit head file there. Both directories
// must be new or empty; nothing is written when any check fails. Returns the restored backup.
absl::StatusOr<v1::Backup> RestoreNode(const RestoreRequest& request);

// BackupService's domain. Calls are serialised: one backup at a time.
class Backups {
 public:
  // `vault` null when sealing is disabled; `audit_head_file` empty without a vault.
  static absl::StatusOr<std::unique_ptr<Backups>> Create(BackupDirs dirs, storage::Store* store,
                                                         crypto::KeyVault* vault,
                                                         txn::Committer* committer,
                                                         std::string audit_head_file);

  absl::StatusOr<v1::Backup> CreateBackup(const v1::CreateBackupRequest& request,
                                          const Caller& caller);
  absl::StatusOr<v1::ListBackupsResponse> ListBackups(const v1::ListBackupsRequest& request,
                                                      const Caller& caller);
  absl::StatusOr<v1::VerifyBackupResponse> VerifyBackup(const v1::VerifyBackupRequest& request,
                                                        const Caller& caller);

 private:
  Backups(BackupDirs dirs, storage::Store* store, crypto::KeyVault* vault,
          txn::Committer* committer, std::string audit_head_file)
      : dirs_(std::move(dirs)),
        store_(store),
        vault_(vault),
        committer_(committer),
        audit_head_file_(std::move(audit_head_file)) {}
  absl::StatusOr<v1::Backup> CreateLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Audit(const Caller& caller, absl::string_view action, const absl::Status& outcome,
                     absl::string_view detail);

  const BackupDirs dirs_;
  storage::Store* const store_;
  crypto::KeyVault* const vault_;
  txn::Committer* const committer_;
  const std::string audit_head_file_;
  absl::Mutex mu_;
};

}  // namespace enlace::backup

#endif  // ENLACE_SERVICES_BACKUP_BACKUPS_H_
