#include "services/children/service.h"

#include "common/grpcutil/dispatch.h"

namespace enlace::children {

#define ENLACE_DEFINE(Method, Request, Response) \
  ENLACE_DEFINE_UNARY(ChildProtectionServiceImpl, v1::ChildProtectionService, ChildRecords, records_, Method, Request, Response)
ENLACE_CHILDREN_METHODS(ENLACE_DEFINE)
#undef ENLACE_DEFINE

}  // namespace enlace::children
