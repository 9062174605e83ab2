#ifndef ENLACE_SERVICES_BACKUP_SERVICE_H_
#define ENLACE_SERVICES_BACKUP_SERVICE_H_

#include "common/authz/authorizer.h"
#include "common/concurrency/thread_pool.h"
#include "common/grpcutil/dispatch.h"
#include "enlace/backup/v1/backup.grpc.pb.h"
#include "services/backup/backups.h"

namespace enlace::backup {

#define ENLACE_BACKUP_METHODS(X)                      \
  X(CreateBackup, CreateBackupRequest, Backup)        \
  X(ListBackups, ListBackupsRequest, ListBackupsResponse) \
  X(VerifyBackup, VerifyBackupRequest, VerifyBackupResponse)

// Thin gRPC adapter over Backups (operators only, by the proto's access options).
class BackupServiceImpl final : public v1::BackupService::CallbackService {
 public:
  BackupServiceImpl(Backups* backups, ThreadPool* pool, authz::Authorizer* authorizer)
      : backups_(backups), pool_(pool), authorizer_(authorizer) {}

  ENLACE_BACKUP_METHODS(ENLACE_DECLARE_UNARY)

 private:
  Backups* backups_;
  ThreadPool* pool_;
  authz::Authorizer* authorizer_;
};

}  // namespace enlace::backup

#endif  // ENLACE_SERVICES_BACKUP_SERVICE_H_
