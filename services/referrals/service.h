#ifndef ENLACE_SERVICES_REFERRALS_SERVICE_H_
#define ENLACE_SERVICES_REFERRALS_SERVICE_H_

#include "common/authz/authorizer.h"
#include "common/concurrency/thread_pool.h"
#include "enlace/referrals/v1/referrals.grpc.pb.h"
#include "services/referrals/referrals.h"

namespace enlace::referrals {

// Thin gRPC adapter over Referrals.
class ReferralServiceImpl final : public v1::ReferralService::CallbackService {
 public:
  ReferralServiceImpl(Referrals* referrals, ThreadPool* pool, authz::Authorizer* authorizer)
      : referrals_(referrals), pool_(pool), authorizer_(authorizer) {}

#define ENLACE_DECLARE(Method, Request, Response)                                  \
  grpc::ServerUnaryReactor* Method(grpc::CallbackServerContext* context,           \
                                   const v1::Request* request, v1::Response* response) override;
  ENLACE_DECLARE(CreateReferral, CreateReferralRequest, Referral)
  ENLACE_DECLARE(GetReferral, GetReferralRequest, Referral)
  ENLACE_DECLARE(ListReferrals, ListReferralsRequest, ListReferralsResponse)
  ENLACE_DECLARE(AcceptReferral, AcceptReferralRequest, Referral)
  ENLACE_DECLARE(RejectReferral, RejectReferralRequest, Referral)
  ENLACE_DECLARE(StartReferral, StartReferralRequest, Referral)
  ENLACE_DECLARE(CompleteReferral, CompleteReferralRequest, Referral)
  ENLACE_DECLARE(RevokeReferral, RevokeReferralRequest, Referral)
#undef ENLACE_DECLARE

 private:
  Referrals* referrals_;
  ThreadPool* pool_;
  authz::Authorizer* authorizer_;
};

}  // namespace enlace::referrals

#endif  // ENLACE_SERVICES_REFERRALS_SERVICE_H_
