#include "services/referrals/service.h"

#include "common/grpcutil/dispatch.h"

namespace enlace::referrals {

#define ENLACE_DEFINE(M, Rq, Rs) \
  ENLACE_DEFINE_UNARY(ReferralServiceImpl, v1::ReferralService, Referrals, referrals_, M, Rq, Rs)
ENLACE_REFERRAL_METHODS(ENLACE_DEFINE)
#undef ENLACE_DEFINE

}  // namespace enlace::referrals
