#ifndef ENLACE_COMMON_AUDIT_AUDIT_LOG_H_
#define ENLACE_COMMON_AUDIT_AUDIT_LOG_H_

// Reading and verifying a node's audit log: the records that txn::Committer appends, numbered
// 1, 2, 3 ... and hash-chained, in the store's "audit" column family (key: big-endian seq).
//
// A checkpoint is an ordinary record (action kCheckpointAction) whose `signature` is the
// node's Ed25519 signature over CheckpointMessage(seq - 1, prev_hash): it seals the chain head
// it follows, so rewriting any earlier record, even with every later hash recomputed, breaks
// a signature the rewriter cannot forge.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/audit/audit_head.h"
#include "common/crypto/signing.h"
#include "common/pagetoken/page_token.h"
#include "common/storage/store.h"
#include "enlace/audit/v1/audit.pb.h"
#include "enlace/audit/v1/audit_service.pb.h"

namespace enlace::audit {

inline constexpr char kCheckpointAction[] = "audit.checkpoint";

// The bytes a checkpoint signs: a domain prefix (the same key signs federation envelopes)
// followed by the sealed record's seq (big-endian) and that record's hash.
std::string CheckpointMessage(uint64_t sealed_seq, absl::string_view head_hash);

struct VerifyReport {
  bool ok = true;
  uint64_t records = 0;
  uint64_t checkpoints = 0;
  // Checkpoints whose signature was checked and holds.
  uint64_t signed_checkpoints = 0;
  // False when no node key was given: signatures were not checked.
  bool signatures_checked = false;
  // The first record found wrong (0 when ok) and what is wrong with it.
  uint64_t first_bad_seq = 0;
  std::string problem;
  // Every problem found, first one first (at most kMaxProblems).
  std::vector<std::string> problems;
  // The last record and its hash (raw SHA-256).
  uint64_t head_seq = 0;
  std::string head_hash;
  // Records after the last checkpoint.
  uint64_t unsealed_records = 0;
  // Observations that are not failures.
  std::vector<std::string> notes;

  static constexpr size_t kMaxProblems = 20;
};

// Recomputes the whole chain of `store`'s audit log (the store must hold the committer's
// column families) and checks every checkpoint's signature with `node_key` (may be null:
// then signatures are not checked, and the report says so). A non-OK status means the log
// could not be read (I/O), not that it was tampered with: that is in the report.
// With `head` (the signed head kept outside the data directory, see audit_head.h), a log
// that ends before it or differs at it is reported, naming the missing records.
absl::StatusOr<VerifyReport> VerifyAuditLog(const storage::Store* store,
                                            const crypto::Verifier* node_key,
                                            const AuditHead* head = nullptr);

// The same for a store's files (a node's data_dir), opened read-only with whatever column
// families they hold: for offline checks, e.g. of a stopped node or a backup copy.
// Files whose WAL is damaged (anything but a torn tail) are not verified: DATA_LOSS.
absl::StatusOr<VerifyReport> VerifyAuditLogFiles(const std::string& data_dir,
                                                 const crypto::Verifier* node_key,
                                                 const AuditHead* head = nullptr);

// The report as lines of text for people (enlace-node --verify_audit, enlacectl).
std::string FormatReport(const VerifyReport& report);

// The report as the AuditService returns it, and back (enlacectl prints either the same way).
enlace::audit::v1::VerifyAuditLogResponse ReportToProto(const VerifyReport& report);
VerifyReport ReportFromProto(const enlace::audit::v1::VerifyAuditLogResponse& response);

struct ListFilter {
  // A person or case name: records with a resource equal to it or under it ("name/...").
  std::string resource;
  // An actor, matched exactly.
  std::string actor;
  // [since, until) on the record's time.
  absl::Time since = absl::InfinitePast();
  absl::Time until = absl::InfiniteFuture();
};

struct ListPage {
  std::vector<enlace::audit::v1::AuditRecord> records;
  std::string next_page_token;  // empty at the end of the log
};

// Records oldest first that pass `filter`. One call examines at most a bounded number of
// records so that a selective filter cannot hold a worker for a long scan: the page may then
// be short, with a token to go on. `page_size` 0 means 100; at most 1000. Tokens are bound to
// the filter by `tokens` (INVALID_ARGUMENT on a token edited or reused with other filters).
absl::StatusOr<ListPage> ListAuditRecords(const storage::Store* store, const PageTokenCodec& tokens,
                                          const ListFilter& filter, int page_size,
                                          absl::string_view page_token);

// Loads this store's page-token secret for audit listings, making it on first use.
absl::StatusOr<std::string> LoadOrCreatePageSecret(storage::Store* store);

}  // namespace enlace::audit

#endif  // ENLACE_COMMON_AUDIT_AUDIT_LOG_H_
