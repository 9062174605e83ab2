#ifndef ENLACE_COMMON_OPS_RPC_OBSERVER_H_
#define ENLACE_COMMON_OPS_RPC_OBSERVER_H_

#include <set>
#include <string>
#include <vector>

#include "common/ops/metrics.h"
#include "grpcpp/support/server_interceptor.h"

namespace enlace::ops {

// A gRPC server interceptor for every call of a server: counts it in `metrics` by method and
// status code with its latency, and logs it as one JSON line (common/log, JSON format only)
// with the trace id of its `traceparent` header. Only the status code is kept, never the
// status message or any field of the request (they can hold personal data).
class RpcObserverFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  // `methods`: the server's methods as "/package.Service/Method"; a call to any other name
  // (a client may send anything) is labelled "unknown".
  RpcObserverFactory(Metrics* metrics, std::set<std::string> methods)
      : metrics_(metrics), methods_(std::move(methods)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  Metrics* metrics_;
  const std::set<std::string> methods_;
};

// Every method of the named services ("enlace.cases.v1.CaseService"), from the generated
// descriptor pool, as "/package.Service/Method"; grpc.health.v1.Health's Check and Watch too.
std::set<std::string> MethodsOf(const std::vector<std::string>& services);

// "OK", "NOT_FOUND" ...
const char* CodeName(grpc::StatusCode code);

}  // namespace enlace::ops

#endif  // ENLACE_COMMON_OPS_RPC_OBSERVER_H_
