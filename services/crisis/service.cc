#include "services/crisis/service.h"

#include "common/grpcutil/dispatch.h"

namespace enlace::crisis {

#define ENLACE_DEFINE(Method, Request, Response) \
  ENLACE_DEFINE_UNARY(CrisisServiceImpl, v1::CrisisService, Crises, crises_, Method, Request, Response)
ENLACE_CRISIS_METHODS(ENLACE_DEFINE)
#undef ENLACE_DEFINE

}  // namespace enlace::crisis
