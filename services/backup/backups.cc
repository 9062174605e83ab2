#include "services/backup/backups.h"

#include <dirent.h>

#include <cstring>
#include <utility>

#include "absl/strings/str_cat.h"
#include "common/audit/audit_head.h"
#include "common/status/macros.h"
#include "common/time/proto_time.h"

namespace enlace::backup {
namespace {

// A missing directory counts as empty: a restore creates it.
absl::Status CheckNewOrEmpty(const std::string& path) {
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return absl::OkStatus();
  bool empty = true;
  while (dirent* e = readdir(dir)) {
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) empty = false;
  }
  closedir(dir);
  if (empty) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat(
      path, " is not empty: a restore writes only into a new or empty directory (move the old "
            "one aside first)"));
}

v1::Backup FromData(const storage::BackupInfo& info) {
  v1::Backup b;
  b.set_id(info.id);
  *b.mutable_create_time() = ToProtoTime(absl::FromUnixSeconds(info.unix_seconds));
  b.set_data_bytes(info.bytes);
  b.set_data_files(info.files);
  return b;
}

// Fills the vault part of `b` from a vault backup.
void AddVault(const storage::BackupInfo& info, const v1::VaultBackupMetadata& meta,
              v1::Backup* b) {
  b->set_vault_id(info.id);
  b->set_vault_bytes(info.bytes);
  b->set_audit_head_seq(meta.audit_head().seq());
}

// The vault backup paired with data backup `id`, if any.
absl::StatusOr<std::optional<std::pair<storage::BackupInfo, v1::VaultBackupMetadata>>> FindVault(
    const std::string& vault_dir, uint32_t id) {
  ENLACE_ASSIGN_OR_RETURN(auto vaults, storage::ListBackups(vault_dir));
  for (const auto& v : vaults) {
    v1::VaultBackupMetadata meta;
    if (meta.ParseFromString(v.metadata) && meta.data_backup_id() == id) {
      return std::make_optional(std::make_pair(v, meta));
    }
  }
  return std::nullopt;
}

}  // namespace

BackupDirs DirsFromConfig(const enlace::node::v1::BackupConfig& config) {
  BackupDirs dirs;
  dirs.dir = config.dir();
  dirs.vault_dir = config.vault_dir().empty() && !config.dir().empty() ? config.dir() + ".vault"
                                                                       : config.vault_dir();
  dirs.keep = config.keep() > 0 ? config.keep() : 7;
  return dirs;
}

absl::StatusOr<std::vector<v1::Backup>> ListNodeBackups(const BackupDirs& dirs) {
  ENLACE_ASSIGN_OR_RETURN(auto data, storage::ListBackups(dirs.dir));
  ENLACE_ASSIGN_OR_RETURN(auto vaults, storage::ListBackups(dirs.vault_dir));
  std::vector<v1::Backup> out;
  for (const auto& d : data) {
    v1::Backup b = FromData(d);
    for (const auto& v : vaults) {
      v1::VaultBackupMetadata meta;
      if (meta.ParseFromString(v.metadata) && meta.data_backup_id() == d.id) AddVault(v, meta, &b);
    }
    out.push_back(std::move(b));
  }
  return out;
}

absl::StatusOr<v1::Backup> RestoreNode(const RestoreRequest& request) {
  if (request.from.dir.empty() || request.data_dir.empty()) {
    return absl::InvalidArgumentError("a restore needs the backup directory and the data_dir");
  }
  ENLACE_RETURN_IF_ERROR(CheckNewOrEmpty(request.data_dir));
  if (!request.keys_dir.empty()) ENLACE_RETURN_IF_ERROR(CheckNewOrEmpty(request.keys_dir));
  ENLACE_ASSIGN_OR_RETURN(auto data, storage::ListBackups(request.from.dir));
  std::optional<v1::Backup> chosen;
  for (const auto& d : data) {
    if (d.id == request.backup_id) chosen = FromData(d);
  }
  if (!chosen) {
    return absl::NotFoundError(absl::StrCat("no backup ", request.backup_id, " in ",
                                            request.from.dir, " (enlacectl backup list)"));
  }
  std::optional<std::pair<storage::BackupInfo, v1::VaultBackupMetadata>> vault;
  if (!request.keys_dir.empty()) {
    ENLACE_ASSIGN_OR_RETURN(vault, FindVault(request.from.vault_dir, request.backup_id));
    if (!vault) {
      return absl::NotFoundError(absl::StrCat(
          "backup ", request.backup_id, " has no key vault backup in ", request.from.vault_dir,
          ": without it the restored personal data cannot be read; restore another backup"));
    }
    AddVault(vault->first, vault->second, &*chosen);
  }
  // Every file of both backups is checked before anything is written.
  ENLACE_RETURN_IF_ERROR(storage::VerifyBackup(request.from.dir, request.backup_id));
  if (vault) ENLACE_RETURN_IF_ERROR(storage::VerifyBackup(request.from.vault_dir, vault->first.id));
  ENLACE_RETURN_IF_ERROR(
      storage::RestoreBackup(request.from.dir, request.backup_id, request.data_dir));
  if (vault) {
    ENLACE_RETURN_IF_ERROR(
        storage::RestoreBackup(request.from.vault_dir, vault->first.id, request.keys_dir));
    if (vault->second.has_audit_head()) {
      const v1::AuditHeadCopy& h = vault->second.audit_head();
      audit::AuditHead head;
      head.seq = h.seq();
      head.hash = h.hash();
      head.prev_hash = h.prev_hash();
      head.signature = h.signature();
      ENLACE_RETURN_IF_ERROR(
          audit::WriteAuditHead(audit::AuditHeadPath(request.keys_dir), head));
    }
  }
  return *chosen;
}

absl::StatusOr<std::unique_ptr<Backups>> Backups::Create(BackupDirs dirs, storage::Store* store,
                                                         crypto::KeyVault* vault,
                                                         txn::Committer* committer,
                                                         std::string audit_head_file) {
  if (!dirs.dir.empty() && dirs.dir == dirs.vault_dir) {
    return absl::InvalidArgumentError("backup.dir and backup.vault_dir must differ");
  }
  return absl::WrapUnique(
      new Backups(std::move(dirs), store, vault, committer, std::move(audit_head_file)));
}

absl::Status Backups::Audit(const Caller& caller, absl::string_view action,
                            const absl::Status& outcome, absl::string_view detail) {
  txn::Transaction txn;
  enlace::audit::v1::AuditRecord r;
  r.set_actor(caller.identity);
  r.set_action(std::string(action));
  r.set_outcome(outcome.ok() ? enlace::audit::v1::AUDIT_OUTCOME_OK
                             : enlace::audit::v1::AUDIT_OUTCOME_REJECTED);
  r.set_detail(outcome.ok() ? std::string(detail)
                            : absl::StrCat(detail, " failed: ",
                                           outcome.message().substr(0, 300)));
  txn.audit.push_back(std::move(r));
  return committer_->Commit(txn);
}

absl::StatusOr<v1::Backup> Backups::CreateLocked() {
  // 1. The signed head as it is now: the data backup taken next holds at least that much log.
  std::optional<audit::AuditHead> head;
  if (!audit_head_file_.empty()) {
    ENLACE_ASSIGN_OR_RETURN(head, audit::ReadAuditHead(audit_head_file_));
  }
  // 2. The data store.
  ENLACE_ASSIGN_OR_RETURN(storage::BackupInfo data, store_->CreateBackup(dirs_.dir, "", dirs_.keep));
  v1::Backup out = FromData(data);
  if (vault_ == nullptr) return out;
  // 3. The vault, after the data: it holds every key the data backup's records need.
  v1::VaultBackupMetadata meta;
  meta.set_data_backup_id(data.id);
  if (head) {
    v1::AuditHeadCopy* h = meta.mutable_audit_head();
    h->set_seq(head->seq);
    h->set_hash(head->hash);
    h->set_prev_hash(head->prev_hash);
    h->set_signature(head->signature);
  }
  ENLACE_ASSIGN_OR_RETURN(storage::BackupInfo vault,
                          vault_->CreateBackup(dirs_.vault_dir, meta.SerializeAsString(),
                                               dirs_.keep));
  AddVault(vault, meta, &out);
  return out;
}

absl::StatusOr<v1::Backup> Backups::CreateBackup(const v1::CreateBackupRequest&,
                                                 const Caller& caller) {
  if (dirs_.dir.empty()) {
    return absl::FailedPreconditionError(
        "this node has no backup directory: set backup { dir: \"...\" } in its config");
  }
  absl::StatusOr<v1::Backup> backup;
  {
    absl::MutexLock lock(&mu_);
    backup = CreateLocked();
  }
  ENLACE_RETURN_IF_ERROR(Audit(
      caller, "backup.CreateBackup", backup.status(),
      backup.ok() ? absl::StrCat("backup ", backup->id(), " vault ", backup->vault_id(), " bytes ",
                                 backup->data_bytes(), " audit head ", backup->audit_head_seq())
                  : "backup"));
  return backup;
}

absl::StatusOr<v1::ListBackupsResponse> Backups::ListBackups(const v1::ListBackupsRequest&,
                                                             const Caller& caller) {
  v1::ListBackupsResponse out;
  if (dirs_.dir.empty()) return out;
  ENLACE_ASSIGN_OR_RETURN(auto list, ListNodeBackups(dirs_));
  for (auto& b : list) *out.add_backups() = std::move(b);
  return out;
}

absl::StatusOr<v1::VerifyBackupResponse> Backups::VerifyBackup(
    const v1::VerifyBackupRequest& request, const Caller& caller) {
  if (dirs_.dir.empty()) {
    return absl::FailedPreconditionError("this node has no backup directory");
  }
  v1::VerifyBackupResponse out;
  absl::Status s = storage::VerifyBackup(dirs_.dir, request.id());
  if (s.code() == absl::StatusCode::kNotFound) return s;
  if (s.ok() && vault_ != nullptr) {
    auto vault = FindVault(dirs_.vault_dir, request.id());
    if (!vault.ok()) {
      s = vault.status();
    } else if (!*vault) {
      s = absl::DataLossError(absl::StrCat("no key vault backup pairs with backup ", request.id(),
                                           " in ", dirs_.vault_dir));
    } else {
      s = storage::VerifyBackup(dirs_.vault_dir, (*vault)->first.id);
    }
  }
  out.set_ok(s.ok());
  out.set_problem(std::string(s.message()));
  ENLACE_RETURN_IF_ERROR(Audit(caller, "backup.VerifyBackup", absl::OkStatus(),
                               absl::StrCat("backup ", request.id(), s.ok() ? " ok" : " DAMAGED")));
  return out;
}

}  // namespace enlace::backup
