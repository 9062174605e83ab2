#ifndef ENLACE_SERVICES_FEDERATION_ADMIN_SERVICE_H_
#define ENLACE_SERVICES_FEDERATION_ADMIN_SERVICE_H_

#include "absl/status/statusor.h"
#include "common/authz/authorizer.h"
#include "common/concurrency/thread_pool.h"
#include "common/identity/caller.h"
#include "enlace/federation/v1/admin.grpc.pb.h"

namespace enlace::federation {

// What operators may see of, and do to, this node's links (FederationAdminService), one
// method per RPC. Federation (federation.h) implements it; the caller is already authorized
// against the policy table.
class FederationAdmin {
 public:
  virtual ~FederationAdmin() = default;
  virtual absl::StatusOr<v1::FederationStatus> GetFederationStatus(
      const v1::GetFederationStatusRequest& request, const Caller& caller) = 0;
  virtual absl::StatusOr<v1::ListQuarantineResponse> ListQuarantine(
      const v1::ListQuarantineRequest& request, const Caller& caller) = 0;
  // Clears the halt of the outgoing link to request.country, audited.
  virtual absl::StatusOr<v1::ResumeLinkResponse> ResumeLink(const v1::ResumeLinkRequest& request,
                                                            const Caller& caller) = 0;
};

// Thin gRPC adapter over FederationAdmin, on the API port.
class FederationAdminServiceImpl final : public v1::FederationAdminService::CallbackService {
 public:
  FederationAdminServiceImpl(FederationAdmin* admin, ThreadPool* pool,
                             authz::Authorizer* authorizer)
      : admin_(admin), pool_(pool), authorizer_(authorizer) {}
  grpc::ServerUnaryReactor* GetFederationStatus(grpc::CallbackServerContext* context,
                                                const v1::GetFederationStatusRequest* request,
                                                v1::FederationStatus* response) override;
  grpc::ServerUnaryReactor* ListQuarantine(grpc::CallbackServerContext* context,
                                           const v1::ListQuarantineRequest* request,
                                           v1::ListQuarantineResponse* response) override;
  grpc::ServerUnaryReactor* ResumeLink(grpc::CallbackServerContext* context,
                                       const v1::ResumeLinkRequest* request,
                                       v1::ResumeLinkResponse* response) override;

 private:
  FederationAdmin* admin_;
  ThreadPool* pool_;
  authz::Authorizer* authorizer_;
};

}  // namespace enlace::federation

#endif  // ENLACE_SERVICES_FEDERATION_ADMIN_SERVICE_H_
