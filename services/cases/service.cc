#include "services/cases/service.h"

#include "common/grpcutil/dispatch.h"

namespace enlace::cases {

#define ENLACE_DEFINE(M, Rq, Rs) \
  ENLACE_DEFINE_UNARY(PersonServiceImpl, v1::PersonService, Registry, registry_, M, Rq, Rs)
ENLACE_PERSON_METHODS(ENLACE_DEFINE)
#undef ENLACE_DEFINE
#define ENLACE_DEFINE(M, Rq, Rs) \
  ENLACE_DEFINE_UNARY(CaseServiceImpl, v1::CaseService, Registry, registry_, M, Rq, Rs)
ENLACE_CASE_METHODS(ENLACE_DEFINE)
#undef ENLACE_DEFINE

}  // namespace enlace::cases
