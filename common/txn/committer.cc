#include "common/txn/committer.h"

#include <openssl/sha.h>

#include <algorithm>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/match.h"
#include "absl/strings/strip.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/aead.h"
#include "common/ids/ids.h"
#include "common/status/macros.h"
#include "common/testing/sync_point.h"
#include "common/text/utf8.h"
#include "enlace/federation/v1/federation.pb.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace enlace::txn {
namespace {

constexpr char kOutboxCf[] = "outbox";
constexpr char kAuditCf[] = "audit";
constexpr char kMetaCf[] = "meta";
constexpr char kOutboxLastPrefix[] = "outbox|last|";
constexpr size_t kMaxGroup = 512;
constexpr absl::string_view kSealedOutboxMark("\0S1", 3);

std::string Deterministic(const google::protobuf::Message& m) {
  std::string bytes;
  google::protobuf::io::StringOutputStream stream(&bytes);
  google::protobuf::io::CodedOutputStream out(&stream);
  out.SetSerializationDeterministic(true);
  m.SerializeToCodedStream(&out);
  out.Trim();
  return bytes;
}

std::string Be64(uint64_t v) {
  std::string s;
  storage::AppendBigEndian64(&s, v);
  return s;
}

google::protobuf::Timestamp Now(absl::Time t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(absl::ToUnixSeconds(t));
  ts.set_nanos(static_cast<int32_t>((absl::ToUnixNanos(t) % 1000000000 + 1000000000) % 1000000000));
  return ts;
}

// Ill-formed UTF-8 in a proto3 string serialises but never parses again: one such record
// would make the whole log unverifiable. Text may come from peers (refusal reasons).
void MakeTextValid(enlace::audit::v1::AuditRecord& r) {
  auto fix = [](std::string* s) { *s = text::ValidUtf8(*s); };
  fix(r.mutable_actor());
  fix(r.mutable_action());
  for (std::string& name : *r.mutable_resources()) fix(&name);
  fix(r.mutable_detail());
  if (r.has_disclosure()) {
    auto* d = r.mutable_disclosure();
    fix(d->mutable_recipient());
    for (std::string& f : *d->mutable_fields()) fix(&f);
    fix(d->mutable_legal_basis());
  }
}

}  // namespace

void Committer::AddColumnFamilies(storage::StoreOptions& options) {
  for (const char* cf : {kOutboxCf, kAuditCf, kMetaCf}) {
    if (std::find(options.column_families.begin(), options.column_families.end(), cf) ==
        options.column_families.end()) {
      options.column_families.push_back(cf);
    }
  }
}

std::string Committer::OutboxKey(const std::string& peer, uint64_t seq) {
  return absl::StrCat(peer, "|", Be64(seq));
}

std::string Committer::ChainHash(const std::string& prev_hash,
                                 const enlace::audit::v1::AuditRecord& record) {
  enlace::audit::v1::AuditRecord copy = record;
  copy.clear_hash();
  copy.set_prev_hash(prev_hash);
  const std::string bytes = Deterministic(copy);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return std::string(reinterpret_cast<char*>(digest), SHA256_DIGEST_LENGTH);
}

Committer::Committer(storage::Store* store, std::string self)
    : store_(store),
      self_(std::move(self)),
      outbox_(store->cf(kOutboxCf)),
      audit_(store->cf(kAuditCf)),
      meta_(store->cf(kMetaCf)) {}

absl::StatusOr<std::unique_ptr<Committer>> Committer::Create(storage::Store* store,
                                                             std::string self_country) {
  auto c = absl::WrapUnique(new Committer(store, std::move(self_country)));
  ENLACE_RETURN_IF_ERROR(c->Load());
  return c;
}

absl::Status Committer::Load() {
  for (auto it = store_->ScanPrefix(meta_, kOutboxLastPrefix); it->Valid(); it->Next()) {
    std::string peer(it->key().substr(strlen(kOutboxLastPrefix)));
    next_seq_[peer] = storage::ReadBigEndian64(it->value());
  }
  // The last audit record gives the chain's head (one seek: the log can be millions long).
  auto last = store_->Last(audit_);
  if (!last.ok()) return last.status();
  if (last->has_value()) {
    enlace::audit::v1::AuditRecord r;
    if (!r.ParseFromString((*last)->second)) {
      return absl::DataLossError("last audit record corrupt");
    }
    audit_seq_ = r.seq();
    audit_hash_ = r.hash();
  }
  absl::MutexLock l(&mu_);
  queued_ = next_seq_;
  audit_seq_published_ = audit_seq_;
  return absl::OkStatus();
}

absl::Status Committer::Commit(Transaction& txn) {
  absl::Status s = CommitDurably(txn);
  if (!s.ok()) return s;
  // Outside every lock: a callback may take its module's lock or start another commit.
  for (auto& callback : txn.on_commit) callback();
  return s;
}

absl::Status Committer::CommitDurably(Transaction& txn) {
  Pending me{&txn};
  {
    absl::MutexLock l(&mu_);
    queue_.push_back(&me);
    // Counted only (no waits or callbacks here: mu_ is held).
    ENLACE_TEST_SYNC_POINT("Committer::Commit:Queued");
    if (!leader_active_) {
      leader_active_ = true;
      me.lead = true;
    }
  }
  // A follower sleeps on its own notification, outside mu_: the leader wakes a whole group at
  // once (each follower in parallel), instead of one mu_ hand-off after another.
  if (!me.lead) {
    me.wake.WaitForNotification();
    if (!me.lead) return me.status;
  }
  // Lead: commit everything queued so far (up to kMaxGroup), this transaction first.
  std::vector<Pending*> group;
  {
    absl::MutexLock l(&mu_);
    auto mine = std::find(queue_.begin(), queue_.end(), &me);
    group.push_back(*mine);
    queue_.erase(mine);
    const size_t n = std::min(queue_.size(), kMaxGroup - 1);
    group.insert(group.end(), queue_.begin(), queue_.begin() + n);
    queue_.erase(queue_.begin(), queue_.begin() + n);
  }
  absl::Status s = CommitGroup(group);
  Pending* next = nullptr;
  {
    absl::MutexLock l(&mu_);
    if (s.ok()) {
      queued_ = next_seq_;
      audit_seq_published_ = audit_seq_;
    }
    // Whoever queued meanwhile leads the next group; the working state passes to it here.
    if (queue_.empty()) {
      leader_active_ = false;
    } else {
      next = queue_.front();
      next->lead = true;
    }
  }
  if (next != nullptr) next->wake.Notify();
  // A follower may return (and its Pending die) as soon as it is notified: nothing of it is
  // touched after its Notify.
  for (size_t i = 1; i < group.size(); ++i) {
    group[i]->status = s;
    group[i]->wake.Notify();
  }
  return s;
}

absl::Status Committer::CommitGroup(const std::vector<Pending*>& group) {
  ENLACE_TEST_SYNC_POINT("Committer::CommitGroup:Start");
  if (outcome_unknown_) {
    return absl::UnavailableError(
        "a commit's outcome is unknown; restart the node to reload its counters from the store");
  }
  const absl::Time now = absl::Now();
  // Every exit that does not commit gives back the numbers this group took: outbox sequences
  // and the audit chain head. A number consumed without a write would be a hole that the
  // per-peer sender must treat as data loss, and a chain that links to an unwritten record.
  auto rollback = absl::MakeCleanup(
      [this, saved_seq = next_seq_, saved_audit_seq = audit_seq_, saved_hash = audit_hash_] {
        next_seq_ = saved_seq;
        audit_seq_ = saved_audit_seq;
        audit_hash_ = saved_hash;
      });
  storage::WriteBatch combined;
  std::map<std::string, uint64_t> touched;
  for (Pending* p : group) {
    Transaction& t = *p->txn;
    combined.Append(t.batch);
    for (const OutgoingEnvelope& e : t.envelopes) {
      const uint64_t seq = ++next_seq_[e.receiver];
      touched[e.receiver] = seq;
      enlace::federation::v1::EnvelopeBody body;
      body.set_sender(self_);
      body.set_receiver(e.receiver);
      body.set_seq(seq);
      body.set_id(ids::NewId(now));
      body.set_kind(e.kind);
      body.set_payload(e.payload);
      *body.mutable_create_time() = Now(now);
      const std::string key = OutboxKey(e.receiver, seq);
      if (outbox_key_.empty()) {
        combined.Put(outbox_, key, Deterministic(body));
      } else {
        absl::StatusOr<std::string> sealed = crypto::Seal(outbox_key_, Deterministic(body), key);
        ENLACE_TEST_SYNC_POINT_CALLBACK("Committer::CommitGroup:Sealed", &sealed);
        if (!sealed.ok()) return sealed.status();
        combined.Put(outbox_, key, absl::StrCat(kSealedOutboxMark, *sealed));
      }
    }
    for (auto& record : t.audit) {
      MakeTextValid(record);
      record.set_seq(++audit_seq_);
      if (!record.has_time()) *record.mutable_time() = Now(now);
      record.set_prev_hash(audit_hash_);
      if (t.seal_audit) t.seal_audit(record);
      record.set_hash(ChainHash(audit_hash_, record));
      audit_hash_ = record.hash();
      combined.Put(audit_, Be64(record.seq()), Deterministic(record));
    }
  }
  for (const auto& [peer, seq] : touched) {
    combined.Put(meta_, absl::StrCat(kOutboxLastPrefix, peer), Be64(seq));
  }
  const absl::Time write_start = absl::Now();
  absl::Status s = combined.empty() ? absl::OkStatus() : store_->Commit(combined);
  ENLACE_TEST_SYNC_POINT_CALLBACK("Committer::CommitGroup:Written", &s);
  if (observer_ && s.ok() && !combined.empty()) {
    observer_(static_cast<int>(group.size()), absl::Now() - write_start);
  }
  if (absl::IsUnknown(s)) {
    // The batch may be durable: giving its numbers back would make the next group overwrite
    // committed outbox entries and audit records. Stop instead; a restart reloads the counters.
    std::move(rollback).Cancel();
    outcome_unknown_ = true;
    if (on_outcome_unknown_) on_outcome_unknown_(s);
    return s;
  }
  if (s.ok()) std::move(rollback).Cancel();
  return s;
}

absl::StatusOr<std::string> Committer::OpenOutboxEntry(absl::string_view stored,
                                                       absl::string_view key) const {
  // Entries written without a key (offline tools, sealing disabled) are plain bodies, which
  // never start with a zero byte.
  if (!absl::ConsumePrefix(&stored, kSealedOutboxMark)) return std::string(stored);
  if (outbox_key_.empty()) return absl::FailedPreconditionError("sealed outbox, no key");
  return crypto::Open(outbox_key_, stored, key);
}

uint64_t Committer::LastQueued(const std::string& peer) const {
  absl::MutexLock l(&mu_);
  auto it = queued_.find(peer);
  return it == queued_.end() ? 0 : it->second;
}

uint64_t Committer::WaitForQueued(const std::string& peer, uint64_t seq,
                                  absl::Duration timeout) const {
  absl::MutexLock l(&mu_);
  auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    auto it = queued_.find(peer);
    return it != queued_.end() && it->second > seq;
  };
  const absl::Time deadline = absl::Now() + timeout;
  mu_.AwaitWithDeadline(absl::Condition(&ready), deadline);
  auto it = queued_.find(peer);
  return it == queued_.end() ? 0 : it->second;
}

uint64_t Committer::LastAuditSeq() const {
  absl::MutexLock l(&mu_);
  return audit_seq_published_;
}

}  // namespace enlace::txn
