#ifndef ENLACE_SERVICES_SECRETARIAT_SERVICE_H_
#define ENLACE_SERVICES_SECRETARIAT_SERVICE_H_

#include "common/authz/authorizer.h"
#include "common/concurrency/thread_pool.h"
#include "common/grpcutil/dispatch.h"
#include "enlace/secretariat/v1/secretariat.grpc.pb.h"
#include "services/secretariat/regional.h"

namespace enlace::secretariat {

// The service's methods: (method, request, response), for the thin adapter below.
#define ENLACE_SECRETARIAT_METHODS(X)                  \
  X(ListMonths, ListMonthsRequest, ListMonthsResponse) \
  X(GetRegionalRelease, GetRegionalReleaseRequest, RegionalRelease)

// Thin gRPC adapter over Regional.
class SecretariatServiceImpl final : public v1::SecretariatService::CallbackService {
 public:
  SecretariatServiceImpl(Regional* regional, ThreadPool* pool, authz::Authorizer* authorizer)
      : regional_(regional), pool_(pool), authorizer_(authorizer) {}

  ENLACE_SECRETARIAT_METHODS(ENLACE_DECLARE_UNARY)

 private:
  Regional* regional_;
  ThreadPool* pool_;
  authz::Authorizer* authorizer_;
};

}  // namespace enlace::secretariat

#endif  // ENLACE_SERVICES_SECRETARIAT_SERVICE_H_
