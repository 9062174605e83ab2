#include "services/transfers/service.h"

#include "common/grpcutil/dispatch.h"

namespace enlace::transfers {

#define ENLACE_DEFINE(M, Rq, Rs) \
  ENLACE_DEFINE_UNARY(TransferServiceImpl, v1::TransferService, Transfers, transfers_, M, Rq, Rs)
ENLACE_TRANSFER_METHODS(ENLACE_DEFINE)
#undef ENLACE_DEFINE

}  // namespace enlace::transfers
