#include "services/referrals/service.h"

#include "common/grpcutil/dispatch.h"

namespace enlace::referrals {

#define ENLACE_DISPATCH(Method, Request, Response)                                          \
  grpc::ServerUnaryReactor* ReferralServiceImpl::Method(grpc::CallbackServerContext* context, \
                                                        const v1::Request* request,           \
                                                        v1::Response* response) {             \
    static const std::string rpc =                                                          \
        std::string(v1::ReferralService::service_full_name()) + "/" #Method;               \
    return DispatchUnary(context, pool_, authorizer_, rpc.c_str(), referrals_, request,     \
                         response, &Referrals::Method);                                     \
  }

ENLACE_DISPATCH(CreateReferral, CreateReferralRequest, Referral)
ENLACE_DISPATCH(GetReferral, GetReferralRequest, Referral)
ENLACE_DISPATCH(ListReferrals, ListReferralsRequest, ListReferralsResponse)
ENLACE_DISPATCH(AcceptReferral, AcceptReferralRequest, Referral)
ENLACE_DISPATCH(RejectReferral, RejectReferralRequest, Referral)
ENLACE_DISPATCH(StartReferral, StartReferralRequest, Referral)
ENLACE_DISPATCH(CompleteReferral, CompleteReferralRequest, Referral)
ENLACE_DISPATCH(RevokeReferral, RevokeReferralRequest, Referral)

#undef ENLACE_DISPATCH

}  // namespace enlace::referrals
