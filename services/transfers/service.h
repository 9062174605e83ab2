#ifndef ENLACE_SERVICES_TRANSFERS_SERVICE_H_
#define ENLACE_SERVICES_TRANSFERS_SERVICE_H_

#include "common/authz/authorizer.h"
#include "common/concurrency/thread_pool.h"
#include "common/grpcutil/dispatch.h"
#include "enlace/transfers/v1/transfers.grpc.pb.h"
#include "services/transfers/transfers.h"

namespace enlace::transfers {

#define ENLACE_TRANSFER_METHODS(X)                              \
  X(TransferCase, TransferCaseRequest, Transfer)                \
  X(GetTransfer, GetTransferRequest, Transfer)                  \
  X(ListTransfers, ListTransfersRequest, ListTransfersResponse) \
  X(AcceptTransfer, AcceptTransferRequest, Transfer)            \
  X(DeclineTransfer, DeclineTransferRequest, Transfer)

// Thin gRPC adapter over Transfers.
class TransferServiceImpl final : public v1::TransferService::CallbackService {
 public:
  TransferServiceImpl(Transfers* transfers, ThreadPool* pool, authz::Authorizer* authorizer)
      : transfers_(transfers), pool_(pool), authorizer_(authorizer) {}

  ENLACE_TRANSFER_METHODS(ENLACE_DECLARE_UNARY)

 private:
  Transfers* transfers_;
  ThreadPool* pool_;
  authz::Authorizer* authorizer_;
};

}  // namespace enlace::transfers

#endif  // ENLACE_SERVICES_TRANSFERS_SERVICE_H_
