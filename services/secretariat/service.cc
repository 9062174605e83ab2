#include "services/secretariat/service.h"

#include "common/grpcutil/dispatch.h"

namespace enlace::secretariat {

#define ENLACE_DEFINE(Method, Request, Response) \
  ENLACE_DEFINE_UNARY(SecretariatServiceImpl, v1::SecretariatService, Regional, regional_, Method, Request, Response)
ENLACE_SECRETARIAT_METHODS(ENLACE_DEFINE)
#undef ENLACE_DEFINE

}  // namespace enlace::secretariat
