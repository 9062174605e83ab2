#include "services/audit/service.h"

#include "absl/strings/str_cat.h"
#include "common/audit/audit_log.h"
#include "common/grpcutil/dispatch.h"
#include "common/status/errors.h"
#include "common/status/macros.h"

namespace enlace::audit {
namespace {

using enlace::audit::v1::AuditRecord;

absl::StatusOr<absl::Time> TimeField(const google::protobuf::Timestamp& t,
                                     absl::string_view field) {
  if (t.nanos() < 0 || t.nanos() > 999999999) {
    return InvalidField(field, "nanos must be in [0, 999999999]");
  }
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

}  // namespace

absl::StatusOr<std::unique_ptr<AuditReader>> AuditReader::Create(storage::Store* store,
                                                                 txn::Committer* committer,
                                                                 const crypto::Verifier* node_key,
                                                                 std::string head_file) {
  auto secret = LoadOrCreatePageSecret(store);
  if (!secret.ok()) return secret.status();
  return absl::WrapUnique(new AuditReader(store, committer, node_key, std::move(head_file),
                                          *std::move(secret)));
}

absl::StatusOr<v1::ListAuditRecordsResponse> AuditReader::ListAuditRecords(
    const v1::ListAuditRecordsRequest& request, const Caller& caller) {
  ListFilter filter;
  filter.resource = request.resource();
  filter.actor = request.actor();
  FieldViolations violations;
  if (filter.resource.size() > 512) violations.Add("resource", "at most 512 characters");
  if (filter.actor.size() > 512) violations.Add("actor", "at most 512 characters");
  if (request.has_start_time()) {
    auto t = TimeField(request.start_time(), "start_time");
    if (t.ok())
      filter.since = *t;
    else
      violations.Add("start_time", t.status().message());
  }
  if (request.has_end_time()) {
    auto t = TimeField(request.end_time(), "end_time");
    if (t.ok())
      filter.until = *t;
    else
      violations.Add("end_time", t.status().message());
  }
  if (!violations.empty()) return violations.ToStatus();
  auto page = enlace::audit::ListAuditRecords(store_, tokens_, filter, request.page_size(),
                                              request.page_token());
  if (!page.ok()) return page.status();

  // Who read the log, and for what, is itself on record before the answer leaves.
  txn::Transaction txn;
  AuditRecord r;
  r.set_actor(caller.identity);
  r.set_action("audit.ListAuditRecords");
  if (!filter.resource.empty()) r.add_resources(filter.resource);
  r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_OK);
  r.set_detail(absl::StrCat("actor=", filter.actor, " records=", page->records.size()));
  txn.audit.push_back(std::move(r));
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));

  v1::ListAuditRecordsResponse out;
  for (auto& record : page->records) *out.add_records() = std::move(record);
  out.set_next_page_token(page->next_page_token);
  return out;
}

absl::StatusOr<v1::VerifyAuditLogResponse> AuditReader::VerifyAuditLog(
    const v1::VerifyAuditLogRequest& request, const Caller& caller) {
  // The same check as --verify_audit: the chain, its signatures, and the signed head kept
  // apart from the data (a log cut short and re-chained verifies on its own).
  std::optional<AuditHead> head;
  if (!head_file_.empty()) {
    auto read = ReadAuditHead(head_file_);
    if (!read.ok()) return read.status();
    head = *std::move(read);
  }
  auto report = enlace::audit::VerifyAuditLog(store_, node_key_, head ? &*head : nullptr);
  if (!report.ok()) return report.status();

  txn::Transaction txn;
  AuditRecord r;
  r.set_actor(caller.identity);
  r.set_action("audit.VerifyAuditLog");
  r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_OK);
  r.set_detail(report->ok ? absl::StrCat("clean through record ", report->head_seq)
                          : absl::StrCat("first bad record ", report->first_bad_seq, ": ",
                                         report->problem.substr(0, 200)));
  txn.audit.push_back(std::move(r));
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));

  return ReportToProto(*report);
}

#define ENLACE_DEFINE(M, Rq, Rs) \
  ENLACE_DEFINE_UNARY(AuditServiceImpl, v1::AuditService, AuditReader, reader_, M, Rq, Rs)
ENLACE_AUDIT_METHODS(ENLACE_DEFINE)
#undef ENLACE_DEFINE

}  // namespace enlace::audit
