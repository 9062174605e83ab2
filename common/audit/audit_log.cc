#include "common/audit/audit_log.h"

#include <openssl/rand.h>

#include <algorithm>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/txn/committer.h"
#include "rocksdb/db.h"
#include "rocksdb/merge_operator.h"

namespace enlace::audit {
namespace {

using enlace::audit::v1::AuditRecord;

// Column families as txn::Committer names them.
constexpr char kAuditCf[] = "audit";
constexpr char kMetaCf[] = "meta";
constexpr char kPageSecretKey[] = "audit_page_token_secret";
constexpr char kCheckpointDomain[] = "enlace.audit.v1.checkpoint\n";
constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;
// Records one list call examines at most (see ListAuditRecords).
constexpr int kMaxScannedPerCall = 20000;

std::string Be64(uint64_t v) {
  std::string s;
  storage::AppendBigEndian64(&s, v);
  return s;
}

absl::Time RecordTime(const AuditRecord& r) {
  return absl::FromUnixSeconds(r.time().seconds()) + absl::Nanoseconds(r.time().nanos());
}

bool ResourceMatches(const AuditRecord& r, absl::string_view wanted) {
  for (const std::string& name : r.resources()) {
    if (name == wanted) return true;
    if (absl::StartsWith(name, wanted) && name.size() > wanted.size() &&
        name[wanted.size()] == '/') {
      return true;
    }
  }
  return false;
}

// Collects problems; only the first sets first_bad_seq.
class Problems {
 public:
  explicit Problems(VerifyReport* report) : report_(report) {}
  void Add(uint64_t seq, std::string what) {
    if (report_->ok) {
      report_->ok = false;
      report_->first_bad_seq = seq;
      report_->problem = what;
    }
    if (report_->problems.size() < VerifyReport::kMaxProblems) {
      report_->problems.push_back(std::move(what));
    }
  }

 private:
  VerifyReport* report_;
};

}  // namespace

std::string CheckpointMessage(uint64_t sealed_seq, absl::string_view head_hash) {
  return absl::StrCat(kCheckpointDomain, Be64(sealed_seq), head_hash);
}

namespace {

// Opening a node's files replays their WAL, which holds merge operands of the counter column
// families; without an operator the replay stops there (silently, at that point in time) and
// later audit records would not be seen. Reading the audit log never merges, so any operator
// that lets the replay through will do.
class ReplayOnlyMerge : public rocksdb::AssociativeMergeOperator {
 public:
  bool Merge(const rocksdb::Slice&, const rocksdb::Slice*, const rocksdb::Slice& value,
             std::string* new_value, rocksdb::Logger*) const override {
    new_value->assign(value.data(), value.size());
    return true;
  }
  const char* Name() const override { return "enlace.audit.ReplayOnlyMerge"; }
};

// Checks records fed in key order; used over a Store and over read-only files alike.
class ChainChecker {
 public:
  ChainChecker(const crypto::Verifier* node_key, const AuditHead* head)
      : node_key_(node_key), head_(head), problems_(&report_) {
    report_.signatures_checked = node_key != nullptr;
  }

  void Add(absl::string_view raw_key, absl::string_view value) {
    ++report_.records;
    if (raw_key.size() != 8) {
      problems_.Add(expected_, absl::StrCat("record ", expected_, ": malformed key (",
                                            absl::BytesToHexString(raw_key), ")"));
      check_link_ = false;
      return;
    }
    const uint64_t key = storage::ReadBigEndian64(raw_key);
    if (key != expected_) {
      // Keys come in increasing order, so key > expected: records are missing.
      problems_.Add(expected_,
                    key == expected_ + 1
                        ? absl::StrCat("record ", expected_, " missing (expected ", expected_,
                                       ", found ", key, ")")
                        : absl::StrCat("records ", expected_, "..", key - 1, " missing (expected ",
                                       expected_, ", found ", key, ")"));
      check_link_ = false;
    }
    expected_ = key + 1;
    report_.head_seq = key;
    AuditRecord r;
    if (!r.ParseFromString(std::string(value))) {
      problems_.Add(key, absl::StrCat("record ", key, ": cannot be parsed (changed)"));
      report_.head_hash.clear();
      prev_hash_.clear();
      check_link_ = false;
      return;
    }
    if (head_ != nullptr && key == head_->seq) hash_at_head_ = r.hash();
    bool record_ok = true;
    if (r.seq() != key) {
      problems_.Add(key, absl::StrCat("record ", key, " out of order (found record ", r.seq(),
                                      " in its place)"));
      record_ok = false;
    } else if (txn::Committer::ChainHash(r.prev_hash(), r) != r.hash()) {
      problems_.Add(key,
                    absl::StrCat("record ", key, ": hash does not match its content (changed)"));
      record_ok = false;
    } else if (check_link_ && r.prev_hash() != prev_hash_) {
      problems_.Add(key, key == 1 ? std::string("record 1: prev_hash is not empty (changed)")
                                  : absl::StrCat("record ", key,
                                                 ": prev_hash does not chain to record ", key - 1));
      record_ok = false;
    }
    if (r.action() == kCheckpointAction) record_ok &= CheckCheckpoint(key, r);
    // After a problem the next record's link is not checked again: one edit, removal or
    // swap is reported once, where it happened.
    check_link_ = record_ok;
    prev_hash_ = r.hash();
    report_.head_hash = r.hash();
  }

  VerifyReport Finish() {
    report_.unsealed_records = report_.head_seq - last_checkpoint_;
    if (head_ != nullptr) {
      std::vector<std::string> missing =
          CompareWithHead(*head_, report_.head_seq, hash_at_head_, node_key_);
      for (std::string& p : missing) {
        problems_.Add(std::min(report_.head_seq + 1, head_->seq), std::move(p));
      }
      if (missing.empty()) {
        report_.notes.push_back(absl::StrCat("reaches the signed head kept in ", head_->source,
                                             " (record ", head_->seq, ")"));
      }
    }
    if (node_key_ == nullptr && report_.checkpoints > 0) {
      report_.notes.push_back("checkpoint signatures not checked: no node key");
    }
    if (node_key_ != nullptr && unsigned_checkpoints_ > 0) {
      report_.notes.push_back(absl::StrCat(
          unsigned_checkpoints_, " checkpoints unsigned (written without a signing key)"));
    }
    return std::move(report_);
  }

 private:
  bool CheckCheckpoint(uint64_t key, const AuditRecord& r) {
    ++report_.checkpoints;
    last_checkpoint_ = key;
    if (r.signature().empty()) {
      ++unsigned_checkpoints_;
      if (node_key_ != nullptr && seen_signed_) {
        // A node does not lose its key: a bare checkpoint after signed ones was stripped.
        problems_.Add(key, absl::StrCat("checkpoint at ", key,
                                        ": unsigned after signed checkpoints (signature removed)"));
        return false;
      }
      return true;
    }
    if (node_key_ == nullptr) return true;
    if (!node_key_->Verify(CheckpointMessage(key - 1, r.prev_hash()), r.signature())) {
      problems_.Add(key, absl::StrCat("checkpoint at ", key, ": bad signature"));
      return false;
    }
    ++report_.signed_checkpoints;
    seen_signed_ = true;
    return true;
  }

  const crypto::Verifier* node_key_;
  const AuditHead* head_;
  std::string hash_at_head_;
  VerifyReport report_;
  Problems problems_;
  uint64_t expected_ = 1;
  std::string prev_hash_;  // hash of the record before expected_, as found
  bool check_link_ = true;
  uint64_t last_checkpoint_ = 0;
  bool seen_signed_ = false;
  uint64_t unsigned_checkpoints_ = 0;
};

}  // namespace

absl::StatusOr<VerifyReport> VerifyAuditLog(const storage::Store* store,
                                            const crypto::Verifier* node_key,
                                            const AuditHead* head) {
  ChainChecker checker(node_key, head);
  auto it = store->ScanPrefix(store->cf(kAuditCf), "");
  for (; it->Valid(); it->Next()) checker.Add(it->key(), it->value());
  ENLACE_RETURN_IF_ERROR(it->status());
  return checker.Finish();
}

absl::StatusOr<VerifyReport> VerifyAuditLogFiles(const std::string& data_dir,
                                                 const crypto::Verifier* node_key,
                                                 const AuditHead* head) {
  // Read-only, with whatever column families the store has: nothing in the directory
  // changes, and no list of the node's column families is needed.
  rocksdb::DBOptions options;
  std::vector<std::string> names;
  rocksdb::Status s = rocksdb::DB::ListColumnFamilies(options, data_dir, &names);
  if (!s.ok()) {
    return absl::NotFoundError(absl::StrCat("no store at ", data_dir, ": ", s.ToString()));
  }
  if (std::find(names.begin(), names.end(), kAuditCf) == names.end()) {
    return ChainChecker(node_key, head).Finish();
  }
  rocksdb::ColumnFamilyOptions cf_options;
  cf_options.merge_operator = std::make_shared<ReplayOnlyMerge>();
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  size_t audit_index = 0;
  for (const std::string& name : names) {
    if (name == kAuditCf) audit_index = descriptors.size();
    descriptors.emplace_back(name, cf_options);
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  // As storage::Store::Open (see there): a damaged WAL fails the open instead of ending the
  // replay early, which would show a shorter log that verifies.
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kTolerateCorruptedTailRecords;
  options.paranoid_checks = true;
  s = rocksdb::DB::OpenForReadOnly(options, data_dir, descriptors, &handles, &raw);
  if (s.IsCorruption()) {
    return absl::DataLossError(absl::StrCat("cannot verify ", data_dir, ": ", s.ToString(),
                                            ". ", storage::CorruptionAdvice(data_dir)));
  }
  if (!s.ok()) {
    return absl::UnavailableError(absl::StrCat("cannot open ", data_dir, ": ", s.ToString()));
  }
  std::unique_ptr<rocksdb::DB> db(raw);
  ChainChecker checker(node_key, head);
  absl::Status status;
  {
    std::unique_ptr<rocksdb::Iterator> it(
        db->NewIterator(rocksdb::ReadOptions(), handles[audit_index]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      checker.Add(absl::string_view(it->key().data(), it->key().size()),
                  absl::string_view(it->value().data(), it->value().size()));
    }
    if (!it->status().ok()) status = absl::DataLossError(it->status().ToString());
  }
  for (auto* h : handles) db->DestroyColumnFamilyHandle(h);
  if (!status.ok()) return status;
  return checker.Finish();
}

std::string FormatReport(const VerifyReport& r) {
  std::string out = absl::StrCat("audit log: ", r.ok ? "OK" : "TAMPERED", "\n");
  absl::StrAppend(
      &out, "records: ", r.records, " (head ", r.head_seq,
      r.head_hash.empty() ? "" : absl::StrCat(", hash ", absl::BytesToHexString(r.head_hash)),
      ")\n");
  absl::StrAppend(&out, "checkpoints: ", r.checkpoints, ", ",
                  r.signatures_checked
                      ? absl::StrCat(r.signed_checkpoints, " with a valid signature")
                      : std::string("signatures not checked (no node key: checkpoints unsigned "
                                    "or key not given)"),
                  "\n");
  absl::StrAppend(&out, "unsealed: ", r.unsealed_records, " records after the last checkpoint\n");
  if (!r.ok) {
    absl::StrAppend(&out, "first bad record: ", r.first_bad_seq, "\n");
    for (const std::string& p : r.problems) absl::StrAppend(&out, "problem: ", p, "\n");
  }
  for (const std::string& n : r.notes) absl::StrAppend(&out, "note: ", n, "\n");
  return out;
}

enlace::audit::v1::VerifyAuditLogResponse ReportToProto(const VerifyReport& report) {
  enlace::audit::v1::VerifyAuditLogResponse out;
  out.set_ok(report.ok);
  out.set_records(report.records);
  out.set_checkpoints(report.checkpoints);
  out.set_signed_checkpoints(report.signed_checkpoints);
  out.set_signatures_checked(report.signatures_checked);
  out.set_first_bad_seq(report.first_bad_seq);
  out.set_problem(report.problem);
  for (const auto& p : report.problems) out.add_problems(p);
  out.set_head_seq(report.head_seq);
  out.set_head_hash(report.head_hash);
  out.set_unsealed_records(report.unsealed_records);
  for (const auto& n : report.notes) out.add_notes(n);
  return out;
}

VerifyReport ReportFromProto(const enlace::audit::v1::VerifyAuditLogResponse& response) {
  VerifyReport r;
  r.ok = response.ok();
  r.records = response.records();
  r.checkpoints = response.checkpoints();
  r.signed_checkpoints = response.signed_checkpoints();
  r.signatures_checked = response.signatures_checked();
  r.first_bad_seq = response.first_bad_seq();
  r.problem = response.problem();
  r.problems.assign(response.problems().begin(), response.problems().end());
  r.head_seq = response.head_seq();
  r.head_hash = response.head_hash();
  r.unsealed_records = response.unsealed_records();
  r.notes.assign(response.notes().begin(), response.notes().end());
  return r;
}

absl::StatusOr<ListPage> ListAuditRecords(const storage::Store* store, const PageTokenCodec& tokens,
                                          const ListFilter& filter, int page_size,
                                          absl::string_view page_token) {
  if (page_size < 0) return InvalidField("page_size", "must not be negative");
  if (page_size == 0) page_size = kDefaultPageSize;
  page_size = std::min(page_size, kMaxPageSize);
  if (filter.since > filter.until) {
    return InvalidField("start_time", "must not be after end_time");
  }
  // Lengths keep the canonical query unambiguous whatever the strings hold.
  const std::string query = absl::StrCat(
      "audit|", filter.resource.size(), ":", filter.resource, "|", filter.actor.size(), ":",
      filter.actor, "|", absl::FormatTime(filter.since), "|", absl::FormatTime(filter.until));
  uint64_t from = 1;
  if (!page_token.empty()) {
    auto position = tokens.Decode(query, page_token);
    if (!position.ok()) return position.status();
    if (position->size() != 8) return InvalidField("page_token", "malformed");
    from = storage::ReadBigEndian64(*position);
  }
  ListPage page;
  int scanned = 0;
  auto it = store->Scan(store->cf(kAuditCf), Be64(from), "");
  for (; it->Valid(); it->Next()) {
    if (it->key().size() != 8) {
      return absl::DataLossError("malformed audit record key; run audit verify");
    }
    const uint64_t key = storage::ReadBigEndian64(it->key());
    if (static_cast<int>(page.records.size()) == page_size || scanned == kMaxScannedPerCall) {
      page.next_page_token = tokens.Encode(query, Be64(key));
      break;
    }
    ++scanned;
    AuditRecord r;
    if (!r.ParseFromString(std::string(it->value()))) {
      return absl::DataLossError(
          absl::StrCat("audit record ", key, " cannot be parsed; run audit verify"));
    }
    if (!filter.actor.empty() && r.actor() != filter.actor) continue;
    if (!filter.resource.empty() && !ResourceMatches(r, filter.resource)) continue;
    const absl::Time t = RecordTime(r);
    if (t < filter.since || t >= filter.until) continue;
    page.records.push_back(std::move(r));
  }
  ENLACE_RETURN_IF_ERROR(it->status());
  return page;
}

absl::StatusOr<std::string> LoadOrCreatePageSecret(storage::Store* store) {
  const storage::ColumnFamily* meta = store->cf(kMetaCf);
  auto secret = store->Get(meta, kPageSecretKey);
  if (!secret.ok()) return secret.status();
  if (secret->has_value()) return **secret;
  std::string key(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.data()), 32) != 1) {
    return absl::InternalError("no randomness for the audit page-token secret");
  }
  storage::WriteBatch batch;
  batch.Put(meta, kPageSecretKey, key);
  ENLACE_RETURN_IF_ERROR(store->Commit(batch));
  return key;
}

}  // namespace enlace::audit
