#ifndef ENLACE_SERVICES_AUDIT_SERVICE_H_
#define ENLACE_SERVICES_AUDIT_SERVICE_H_

#include <memory>

#include "absl/status/statusor.h"
#include "common/authz/authorizer.h"
#include "common/concurrency/thread_pool.h"
#include "common/grpcutil/dispatch.h"
#include "common/crypto/signing.h"
#include "common/identity/caller.h"
#include "common/pagetoken/page_token.h"
#include "common/storage/store.h"
#include "common/txn/committer.h"
#include "enlace/audit/v1/audit_service.grpc.pb.h"

namespace enlace::audit {

// The audit log as seen by auditors (the policy table admits no other role). Reading the log
// is itself audited: who looked, with which filter, and what a verification found.
class AuditReader {
 public:
  // `node_key` verifies checkpoint signatures; null when the node has no signing key.
  // `head_file`: the signed audit head kept in the vault directory (audit_head.h); empty when
  // there is none. VerifyAuditLog then also reports a log that ends before that head.
  static absl::StatusOr<std::unique_ptr<AuditReader>> Create(storage::Store* store,
                                                             txn::Committer* committer,
                                                             const crypto::Verifier* node_key,
                                                             std::string head_file = "");

  absl::StatusOr<v1::ListAuditRecordsResponse> ListAuditRecords(
      const v1::ListAuditRecordsRequest& request, const Caller& caller);
  absl::StatusOr<v1::VerifyAuditLogResponse> VerifyAuditLog(
      const v1::VerifyAuditLogRequest& request, const Caller& caller);

 private:
  AuditReader(storage::Store* store, txn::Committer* committer, const crypto::Verifier* node_key,
              std::string head_file, std::string page_secret)
      : store_(store),
        committer_(committer),
        node_key_(node_key),
        head_file_(std::move(head_file)),
        tokens_(page_secret) {}

  storage::Store* store_;
  txn::Committer* committer_;
  const crypto::Verifier* node_key_;
  const std::string head_file_;
  PageTokenCodec tokens_;
};

#define ENLACE_AUDIT_METHODS(X)                                          \
  X(ListAuditRecords, ListAuditRecordsRequest, ListAuditRecordsResponse) \
  X(VerifyAuditLog, VerifyAuditLogRequest, VerifyAuditLogResponse)

// Thin gRPC adapter over AuditReader.
class AuditServiceImpl final : public v1::AuditService::CallbackService {
 public:
  AuditServiceImpl(AuditReader* reader, ThreadPool* pool, authz::Authorizer* authorizer)
      : reader_(reader), pool_(pool), authorizer_(authorizer) {}

  ENLACE_AUDIT_METHODS(ENLACE_DECLARE_UNARY)

 private:
  AuditReader* reader_;
  ThreadPool* pool_;
  authz::Authorizer* authorizer_;
};

}  // namespace enlace::audit

#endif  // ENLACE_SERVICES_AUDIT_SERVICE_H_
