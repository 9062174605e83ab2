#include "services/directory/service.h"

#include "common/grpcutil/dispatch.h"

namespace enlace::directory {

#define ENLACE_DEFINE(M, Rq, Rs) \
  ENLACE_DEFINE_UNARY(DirectoryServiceImpl, v1::DirectoryService, Directory, directory_, M, Rq, Rs)
ENLACE_DIRECTORY_METHODS(ENLACE_DEFINE)
#undef ENLACE_DEFINE

}  // namespace enlace::directory
