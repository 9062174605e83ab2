#ifndef ENLACE_SERVICES_TRANSFERS_SERVICE_H_
#define ENLACE_SERVICES_TRANSFERS_SERVICE_H_

#include "common/authz/authorizer.h"
#include "common/concurrency/thread_pool.h"
#include "enlace/transfers/v1/transfers.grpc.pb.h"
#include "services/transfers/transfers.h"

namespace enlace::transfers {

// Thin gRPC adapter over Transfers.
class TransferServiceImpl final : public v1::TransferService::CallbackService {
 public:
  TransferServiceImpl(Transfers* transfers, ThreadPool* pool, authz::Authorizer* authorizer)
      : transfers_(transfers), pool_(pool), authorizer_(authorizer) {}

#define ENLACE_DECLARE(Method, Request, Response)                                  \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* context,           \
                                   const v1::Request* request, v1::Response* response) override;
  ENLACE_DECLARE(TransferCase, TransferCaseRequest, Transfer)
  ENLACE_DECLARE(GetTransfer, GetTransferRequest, Transfer)
  ENLACE_DECLARE(ListTransfers, ListTransfersRequest, ListTransfersResponse)
  ENLACE_DECLARE(AcceptTransfer, AcceptTransferRequest, Transfer)
  ENLACE_DECLARE(DeclineTransfer, DeclineTransferRequest, Transfer)
#undef ENLACE_DECLARE

 private:
  Transfers* transfers_;
  ThreadPool* pool_;
  authz::Authorizer* authorizer_;
};

}  // namespace enlace::transfers

#endif  // ENLACE_SERVICES_TRANSFERS_SERVICE_H_
