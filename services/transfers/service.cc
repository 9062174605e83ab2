#include "services/transfers/service.h"

#include "common/grpcutil/dispatch.h"

namespace enlace::transfers {

#define ENLACE_DISPATCH(Method, Request, Response)                                          \
  grpc::ServerUnaryReactor* TransferServiceImpl::Method(grpc::CallbackServerContext* context, \
                                                        const v1::Request* request,           \
                                                        v1::Response* response) {             \
    static const std::string rpc =                                                          \
        std::string(v1::TransferService::service_full_name()) + "/" #Method;               \
    return DispatchUnary(context, pool_, authorizer_, rpc.c_str(), transfers_, request,     \
                         response, &Transfers::Method);                                     \
  }

ENLACE_DISPATCH(TransferCase, TransferCaseRequest, Transfer)
ENLACE_DISPATCH(GetTransfer, GetTransferRequest, Transfer)
ENLACE_DISPATCH(ListTransfers, ListTransfersRequest, ListTransfersResponse)
ENLACE_DISPATCH(AcceptTransfer, AcceptTransferRequest, Transfer)
ENLACE_DISPATCH(DeclineTransfer, DeclineTransferRequest, Transfer)

#undef ENLACE_DISPATCH

}  // namespace enlace::transfers
