#include "common/authz/authorizer.h"

#include <cstdlib>
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "common/storage/store.h"
#include "common/txn/committer.h"
#include "enlace/cases/v1/person_service.pb.h"
#include "gtest/gtest.h"

namespace enlace::authz {
namespace {

// The policy is read from the access options of the linked protos: link PersonService's.
const bool kLinked = enlace::cases::v1::CreatePersonRequest::descriptor() != nullptr;

constexpr char kCreatePerson[] = "enlace.cases.v1.PersonService/CreatePerson";
constexpr char kAuditor[] = "spiffe://mx.enlace.example/role/auditor/user/eve";
constexpr char kSupervisor[] = "spiffe://mx.enlace.example/role/supervisor/user/ana";

// A clock the test moves by hand.
struct FakeClock {
  absl::Time now = absl::FromUnixSeconds(1700000000);
};

class AuthorizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kLinked);
    std::string tmpl =
        std::string(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp") + "/authorizer_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    storage::StoreOptions o;
    o.path = tmpl;
    txn::Committer::AddColumnFamilies(o);
    auto store = storage::Store::Open(o);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto committer = txn::Committer::Create(store_.get(), "MX");
    ASSERT_TRUE(committer.ok()) << committer.status();
    committer_ = *std::move(committer);
  }

  std::unique_ptr<Authorizer> Make(double rate, double burst, int audited_per_window) {
    AuthorizerOptions o;
    o.country = "MX";
    o.rate_per_second = rate;
    o.burst = burst;
    o.audited_denials_per_window = audited_per_window;
    o.denial_window = absl::Minutes(1);
    o.clock = [this] { return clock_.now; };
    return std::make_unique<Authorizer>(o, committer_.get());
  }

  std::vector<enlace::audit::v1::AuditRecord> AuditLog() {
    std::vector<enlace::audit::v1::AuditRecord> out;
    auto it = store_->ScanPrefix(committer_->audit_cf(), "");
    for (; it->Valid(); it->Next()) {
      enlace::audit::v1::AuditRecord r;
      EXPECT_TRUE(r.ParseFromString(std::string(it->value())));
      out.push_back(r);
    }
    return out;
  }

  FakeClock clock_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<txn::Committer> committer_;
};

Caller Parsed(const char* uri) {
  auto c = ParseIdentity(uri);
  EXPECT_TRUE(c.ok()) << uri;
  return *c;
}

// Attack: 4,506 denied calls in 5 s, each a synced audit write, none ever rate-limited.
TEST_F(AuthorizerTest, DenialFloodIsRateLimitedAndAuditBounded) {
  auto a = Make(/*rate=*/10, /*burst=*/20, /*audited_per_window=*/5);
  // An auditor may not create persons: every call is a denial. 1,000 calls within one second.
  int denied = 0, exhausted = 0;
  for (int i = 0; i < 1000; ++i) {
    auto r = a->Authorize(kCreatePerson, Parsed(kAuditor));
    ASSERT_FALSE(r.ok());
    if (r.status().code() == absl::StatusCode::kPermissionDenied) ++denied;
    if (r.status().code() == absl::StatusCode::kResourceExhausted) ++exhausted;
    clock_.now += absl::Milliseconds(1);
  }
  // Denials took tokens: only the burst plus one second's refill were even considered.
  EXPECT_LE(denied, 20 + 10 + 1);
  EXPECT_GE(exhausted, 1000 - 31);
  EXPECT_EQ(a->rate_limited(), exhausted);  // the ops port's enlace_rate_limited_total
  // The flood did not grow the log: the first 5 denials one by one, the rest counted.
  EXPECT_EQ(AuditLog().size(), 5u);
  // The window ends; the next call (by anyone) writes one summary counting the rest.
  clock_.now += absl::Minutes(2);
  ASSERT_TRUE(a->Authorize(kCreatePerson, Parsed(kSupervisor)).ok());
  auto log = AuditLog();
  ASSERT_EQ(log.size(), 6u);
  EXPECT_EQ(log.back().actor(), kAuditor);
  EXPECT_EQ(log.back().action(), "authz.denials_suppressed");
  EXPECT_EQ(log.back().outcome(), enlace::audit::v1::AUDIT_OUTCOME_DENIED);
  EXPECT_TRUE(absl::StartsWith(log.back().detail(), "995 further denied calls"))
      << log.back().detail();
  // Another identity is neither throttled nor unaudited by the first one's flood.
  auto other =
      a->Authorize(kCreatePerson, Parsed("spiffe://mx.enlace.example/role/auditor/user/bob"));
  EXPECT_EQ(other.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(AuditLog().size(), 7u);
}

TEST_F(AuthorizerTest, SuppressedDenialsAreSummarisedOnFlush) {
  auto a = Make(/*rate=*/1000, /*burst=*/1000, /*audited_per_window=*/2);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(a->Authorize(kCreatePerson, Parsed(kAuditor)).status().code(),
              absl::StatusCode::kPermissionDenied);
  }
  EXPECT_EQ(AuditLog().size(), 2u);
  a->FlushDenialSummaries(/*all=*/true);
  auto log = AuditLog();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_TRUE(absl::StartsWith(log.back().detail(), "8 further denied calls"));
  // Nothing left to summarise.
  a->FlushDenialSummaries(/*all=*/true);
  EXPECT_EQ(AuditLog().size(), 3u);
}

TEST_F(AuthorizerTest, AllowedCallsStillLimitedAndRefilled) {
  auto a = Make(/*rate=*/10, /*burst=*/3, /*audited_per_window=*/20);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(a->Authorize(kCreatePerson, Parsed(kSupervisor)).ok());
  EXPECT_EQ(a->Authorize(kCreatePerson, Parsed(kSupervisor)).status().code(),
            absl::StatusCode::kResourceExhausted);
  clock_.now += absl::Milliseconds(100);  // one token back
  EXPECT_TRUE(a->Authorize(kCreatePerson, Parsed(kSupervisor)).ok());
}

}  // namespace
}  // namespace enlace::authz
