#include "services/workers/service.h"

#include "common/grpcutil/dispatch.h"

namespace enlace::workers {

#define ENLACE_DEFINE(Method, Request, Response) \
  ENLACE_DEFINE_UNARY(TemporaryWorkersServiceImpl, v1::TemporaryWorkersService, Workers, workers_, Method, Request, Response)
ENLACE_WORKERS_METHODS(ENLACE_DEFINE)
#undef ENLACE_DEFINE

}  // namespace enlace::workers
