#ifndef ENLACE_COMMON_GRPCUTIL_DISPATCH_H_
#define ENLACE_COMMON_GRPCUTIL_DISPATCH_H_

#include <memory>

#include "absl/status/statusor.h"
#include "common/authz/authorizer.h"
#include "common/concurrency/thread_pool.h"
#include "common/grpcutil/normalize.h"
#include "common/identity/caller.h"
#include "common/status/grpc_status.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/server_callback.h"

namespace enlace {

// The shape of every unary handler: on the worker pool (domain calls block on synced
// commits, which must not happen on gRPC's few callback threads), authorize the caller
// against the policy table for `rpc` ("package.Service/Method") before anything else, run
// `(object->*method)(request, caller)` with the request's text in NFC, and finish the call
// with the result mapped to a grpc::Status (field violations as details).
template <typename Object, typename Request, typename Response, typename Method>
grpc::ServerUnaryReactor* DispatchUnary(grpc::CallbackServerContext* context, ThreadPool* pool,
                                        authz::Authorizer* authorizer, const char* rpc,
                                        Object* object, const Request* request,
                                        Response* response, Method method) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  // The request, response and reactor stay valid until Finish is called.
  pool->Schedule([context, reactor, authorizer, rpc, object, request, response, method] {
    if (context->IsCancelled()) {
      reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled by the client"));
      return;
    }
    absl::StatusOr<Caller> caller = authorizer->Authorize(rpc, context->auth_context().get());
    if (!caller.ok()) {
      reactor->Finish(ToGrpcStatus(caller.status()));
      return;
    }
    // Text is compared, indexed and stored in NFC: normalised here, at the edge.
    std::unique_ptr<Request> normalized;
    auto result = (object->*method)(NfcRequest(*request, &normalized), *caller);
    if (result.ok()) *response = *std::move(result);
    // Refusals decided by the domain (scoping) are audited like the policy's own.
    if (result.status().code() == absl::StatusCode::kPermissionDenied) {
      authorizer->AuditRefusal(rpc, *caller, result.status());
    }
    reactor->Finish(ToGrpcStatus(result.status()));
  });
  return reactor;
}

}  // namespace enlace

// A module's thin adapter lists its methods once, as an X-macro of (Method, Request,
// Response) in package `v1`; these two expand it into the overrides' declarations (in the
// class) and their definitions (in the .cc), each one DispatchUnary to the domain's method of
// the same name:
//   #define ENLACE_FOO_METHODS(X) X(GetFoo, GetFooRequest, Foo) ...
//   class FooServiceImpl final : public v1::FooService::CallbackService {
//     ENLACE_FOO_METHODS(ENLACE_DECLARE_UNARY)
//     ... Foos* foos_; ThreadPool* pool_; authz::Authorizer* authorizer_;
//   };
//   #define ENLACE_DEFINE(M, Rq, Rs) ENLACE_DEFINE_UNARY(FooServiceImpl, v1::FooService, Foos, foos_, M, Rq, Rs)
//   ENLACE_FOO_METHODS(ENLACE_DEFINE)
#define ENLACE_DECLARE_UNARY(Method, Request, Response)               \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* context, \
                                   const v1::Request* request, v1::Response* response) override;

#define ENLACE_DEFINE_UNARY(Adapter, Service, Domain, domain, Method, Request, Response)       \
  grpc::ServerUnaryReactor* Adapter::Method(grpc::CallbackServerContext* context,              \
                                            const v1::Request* request, v1::Response* response) { \
    static const std::string rpc = std::string(Service::service_full_name()) + "/" #Method;  \
    return ::enlace::DispatchUnary(context, pool_, authorizer_, rpc.c_str(), domain, request,  \
                                   response, &Domain::Method);                                 \
  }

#endif  // ENLACE_COMMON_GRPCUTIL_DISPATCH_H_
