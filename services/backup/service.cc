#include "services/backup/service.h"

namespace enlace::backup {

#define ENLACE_DEFINE(M, Rq, Rs) \
  ENLACE_DEFINE_UNARY(BackupServiceImpl, v1::BackupService, Backups, backups_, M, Rq, Rs)
ENLACE_BACKUP_METHODS(ENLACE_DEFINE)
#undef ENLACE_DEFINE

}  // namespace enlace::backup
