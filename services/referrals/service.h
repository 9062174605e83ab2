#ifndef ENLACE_SERVICES_REFERRALS_SERVICE_H_
#define ENLACE_SERVICES_REFERRALS_SERVICE_H_

#include "common/authz/authorizer.h"
#include "common/concurrency/thread_pool.h"
#include "common/grpcutil/dispatch.h"
#include "enlace/referrals/v1/referrals.grpc.pb.h"
#include "services/referrals/referrals.h"

namespace enlace::referrals {

#define ENLACE_REFERRAL_METHODS(X)                              \
  X(CreateReferral, CreateReferralRequest, Referral)            \
  X(GetReferral, GetReferralRequest, Referral)                  \
  X(ListReferrals, ListReferralsRequest, ListReferralsResponse) \
  X(AcceptReferral, AcceptReferralRequest, Referral)            \
  X(RejectReferral, RejectReferralRequest, Referral)            \
  X(StartReferral, StartReferralRequest, Referral)              \
  X(CompleteReferral, CompleteReferralRequest, Referral)        \
  X(RevokeReferral, RevokeReferralRequest, Referral)

// Thin gRPC adapter over Referrals.
class ReferralServiceImpl final : public v1::ReferralService::CallbackService {
 public:
  ReferralServiceImpl(Referrals* referrals, ThreadPool* pool, authz::Authorizer* authorizer)
      : referrals_(referrals), pool_(pool), authorizer_(authorizer) {}

  ENLACE_REFERRAL_METHODS(ENLACE_DECLARE_UNARY)

 private:
  Referrals* referrals_;
  ThreadPool* pool_;
  authz::Authorizer* authorizer_;
};

}  // namespace enlace::referrals

#endif  // ENLACE_SERVICES_REFERRALS_SERVICE_H_
