#include "services/federation/inbox.h"

#include <algorithm>
#include <functional>
#include <utility>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"
#include "common/text/utf8.h"
#include "services/federation/batch.h"
#include "services/federation/protocol.h"

namespace enlace::federation {
namespace {

constexpr char kMetaCf[] = "meta";
constexpr char kQuarantineCf[] = "quarantine";
constexpr char kCountersCf[] = "counters";

std::string WatermarkKey(const std::string& sender) {
  return absl::StrCat("inbox|applied|", sender);
}

std::string EvidenceKey(absl::string_view sender, uint64_t seq) {
  std::string k = absl::StrCat("inbox|evidence|", sender, "|");
  storage::AppendBigEndian64(&k, seq);
  return k;
}

std::string BatchEvidenceKey(absl::string_view sender, uint64_t seq) {
  std::string k = absl::StrCat("inbox|batch|", sender, "|");
  storage::AppendBigEndian64(&k, seq);
  return k;
}

std::string RefusalKey(const std::string& sender) { return absl::StrCat("inbox|refused|", sender); }

// Present once the link from `sender` has rejoined after a restore (Inbox::Rejoining).
std::string RejoinedKey(const std::string& sender) {
  return absl::StrCat("inbox|rejoined|", sender);
}

std::string Be64(uint64_t v) {
  std::string s;
  storage::AppendBigEndian64(&s, v);
  return s;
}

// Envelopes per commit of a long ApplyBatches call (the pipeline's step).
constexpr size_t kChunk = 512;

// The one chunk whose synced commit runs on its own thread while the next is prepared.
class InFlightCommit {
 public:
  InFlightCommit(txn::Committer* committer, const std::function<void(uint64_t)>& on_durable)
      : committer_(committer), on_durable_(on_durable) {}
  ~InFlightCommit() { Wait().IgnoreError(); }

  // What the preparing thread reads through (an empty batch when nothing is in flight).
  const storage::WriteBatch* batch() const { return &txn_.batch; }

  void Start(txn::Transaction txn, uint64_t watermark) {
    txn_ = std::move(txn);
    watermark_ = watermark;
    // The committer only reads the batch's operations (it copies them into its group); the
    // overlay's lazy index is the preparing thread's alone.
    thread_ = std::thread([this] { status_ = committer_->Commit(txn_); });
  }

  // Waits for the chunk in flight, if any; reports it durable (on_durable) or its error.
  absl::Status Wait() {
    if (!thread_.joinable()) return absl::OkStatus();
    thread_.join();
    txn_ = txn::Transaction();
    absl::Status s = std::exchange(status_, absl::OkStatus());
    if (s.ok() && on_durable_) on_durable_(watermark_);
    return s;
  }

 private:
  txn::Committer* committer_;
  const std::function<void(uint64_t)>& on_durable_;
  txn::Transaction txn_;
  uint64_t watermark_ = 0;
  absl::Status status_;
  std::thread thread_;
};

google::protobuf::Timestamp NowProto(const Clock* clock) {
  google::protobuf::Timestamp ts;
  const absl::Time now = clock->Now();
  ts.set_seconds(absl::ToUnixSeconds(now));
  ts.set_nanos(static_cast<int32_t>(absl::ToUnixNanos(now) % 1000000000));
  return ts;
}

}  // namespace

void Inbox::AddColumnFamilies(storage::StoreOptions& options) {
  for (const char* cf : {kMetaCf, kQuarantineCf}) {
    if (std::find(options.column_families.begin(), options.column_families.end(), cf) ==
        options.column_families.end()) {
      options.column_families.push_back(cf);
    }
  }
  if (std::find(options.counter_families.begin(), options.counter_families.end(), kCountersCf) ==
      options.counter_families.end()) {
    options.counter_families.push_back(kCountersCf);
  }
}

Inbox::Inbox(storage::Store* store, txn::Committer* committer, std::string self, const Clock* clock)
    : store_(store),
      committer_(committer),
      self_(std::move(self)),
      clock_(clock),
      meta_(store->cf(kMetaCf)),
      quarantine_(store->cf(kQuarantineCf)),
      counters_(store->cf(kCountersCf)) {}

void Inbox::RegisterHandler(const std::string& kind, EnvelopeHandler* handler) {
  absl::MutexLock l(&handlers_mu_);
  handlers_[kind] = handler;
}

absl::StatusOr<uint64_t> Inbox::AppliedSeq(const std::string& sender) const {
  auto v = store_->Get(meta_, WatermarkKey(sender));
  if (!v.ok()) return v.status();
  if (!v->has_value()) return 0;
  return storage::ReadBigEndian64(**v);
}

absl::StatusOr<bool> Inbox::Rejoining(const std::string& sender) const {
  auto restored = store_->Get(meta_, kRestoredMarkerKey);
  if (!restored.ok()) return restored.status();
  if (!restored->has_value()) return false;
  auto rejoined = store_->Get(meta_, RejoinedKey(sender));
  if (!rejoined.ok()) return rejoined.status();
  return !rejoined->has_value();
}

absl::Mutex* Inbox::LinkMutex(const std::string& sender) {
  absl::MutexLock l(&links_mu_);
  auto& m = links_[sender];
  if (m == nullptr) m = std::make_unique<absl::Mutex>();
  return m.get();
}

absl::StatusOr<uint64_t> Inbox::Apply(const std::string& sender, const ManifestSnapshot::Peer& peer,
                                      const std::vector<v1::Envelope>& envelopes) {
  // Envelopes signed one by one: one batch without a manifest.
  std::vector<v1::EnvelopeBatch> batches(1);
  for (const auto& env : envelopes) *batches[0].add_envelopes() = env;
  return ApplyBatches(sender, peer, batches);
}

absl::StatusOr<uint64_t> Inbox::ApplyBatches(const std::string& sender,
                                             const ManifestSnapshot::Peer& peer,
                                             const std::vector<v1::EnvelopeBatch>& batches,
                                             const std::function<void(uint64_t)>& on_durable) {
  // One applier per link at a time, so the watermark read below stays true until commit.
  absl::MutexLock link(LinkMutex(sender));
  auto applied = AppliedSeq(sender);
  if (!applied.ok()) return applied.status();
  uint64_t watermark = *applied;
  // Restored from a backup and nothing applied from `sender` since: the one forward jump below.
  auto rejoining = Rejoining(sender);
  if (!rejoining.ok()) return rejoining.status();
  txn::Transaction txn;
  int64_t applied_now = 0;
  std::map<std::string, EnvelopeHandler*> handlers;
  {
    absl::MutexLock l(&handlers_mu_);
    handlers = handlers_;
  }
  struct Item {
    const v1::Envelope* env;
    size_t batch;
    int index;  // in its batch
  };
  std::vector<Item> items;
  for (size_t b = 0; b < batches.size(); ++b) {
    for (int i = 0; i < batches[b].envelopes_size(); ++i) {
      items.push_back(Item{&batches[b].envelopes(i), b, i});
    }
  }
  // The manifests' shape first (cheap), then per envelope on two threads: its body parsed,
  // its signature (alone) or its hash against the manifest (batch), the batch's signature
  // once (by whoever checks its first envelope). Signatures dominate; a batch has one.
  std::vector<v1::BatchManifest> manifests(batches.size());
  std::vector<std::string> batch_forged(batches.size());
  std::vector<char> batch_signed(batches.size());
  for (size_t b = 0; b < batches.size(); ++b) {
    if (batches[b].manifest().empty()) continue;
    batch_forged[b] = CheckBatchManifest(batches[b], sender, self_, &manifests[b]);
  }
  std::vector<v1::EnvelopeBody> bodies(items.size());
  std::vector<char> parses(items.size());
  std::vector<std::string> forged(items.size());
  auto check = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      const Item& it = items[i];
      const v1::Envelope& env = *it.env;
      const v1::EnvelopeBatch& batch = batches[it.batch];
      parses[i] = bodies[i].ParseFromString(env.body());
      if (batch.manifest().empty()) {
        if (!peer.VerifySignature(env.body(), env.signature())) {
          forged[i] = absl::StrCat("signature of envelope ", env.seq(),
                                   " does not verify with ", sender, "'s signing keys");
          continue;
        }
      } else {
        if (!batch_forged[it.batch].empty()) continue;
        if (it.index == 0) {
          batch_signed[it.batch] = peer.VerifySignature(batch.manifest(), batch.signature());
        }
        if (Sha256(env.body()) != manifests[it.batch].body_sha256(it.index)) {
          forged[i] = absl::StrCat("envelope ", env.seq(),
                                   " does not hash to its entry in the signed batch manifest");
          continue;
        }
      }
      const v1::EnvelopeBody& body = bodies[i];
      if (parses[i] &&
          (body.seq() != env.seq() || body.sender() != sender || body.receiver() != self_)) {
        forged[i] = absl::StrCat("envelope ", env.seq(), " carries a body signed for another place (",
                                 body.sender().substr(0, 8), "->", body.receiver().substr(0, 8),
                                 " seq ", body.seq(), "): a replay");
      }
    }
  };
  if (items.size() >= 32) {
    std::thread helper(check, 0, items.size() / 2);
    check(items.size() / 2, items.size());
    helper.join();
  } else {
    check(0, items.size());
  }
  // A batch is authentic whole or not at all: any fault refuses each of its envelopes.
  for (size_t b = 0; b < batches.size(); ++b) {
    if (batches[b].manifest().empty() || batches[b].envelopes_size() == 0) continue;
    if (batch_forged[b].empty() && !batch_signed[b]) {
      batch_forged[b] = absl::StrCat("signature of the batch from envelope ",
                                     manifests[b].first_seq(), " does not verify with ", sender,
                                     "'s signing keys");
    }
  }
  for (size_t i = 0; i < items.size(); ++i) {
    if (batches[items[i].batch].manifest().empty() || !batch_forged[items[i].batch].empty() ||
        forged[i].empty()) {
      continue;
    }
    batch_forged[items[i].batch] = forged[i];
  }
  for (size_t i = 0; i < items.size(); ++i) {
    if (!batch_forged[items[i].batch].empty()) forged[i] = batch_forged[items[i].batch];
  }
  // Where each batch's evidence is stored: under the first of its envelopes applied here.
  std::vector<uint64_t> evidence_seq(batches.size(), 0);
  // A long call commits in chunks, each chunk's synced commit running on a helper thread
  // while the next chunk is prepared: the handlers and the disk work at the same time. The
  // next chunk reads the one in flight through an overlay, as one batch reads its earlier
  // envelopes; if a commit fails, what was prepared after it is dropped uncommitted.
  InFlightCommit inflight(committer_, on_durable);
  uint64_t chunk_base = watermark;  // the watermark when the chunk being prepared began
  size_t in_chunk = 0;
  // The chunk's watermark and count join its transaction.
  auto seal = [&] {
    if (watermark != chunk_base) txn.batch.Put(meta_, WatermarkKey(sender), Be64(watermark));
    if (applied_now > 0) {
      txn.batch.AddToCounter(counters_, absl::StrCat("inbox|count|", sender), applied_now);
    }
  };
  for (size_t index = 0; index < items.size(); ++index) {
    const v1::Envelope& env = *items[index].env;
    if (env.seq() <= watermark) {
      // A replay or a resend after a lost ack: already applied, change nothing.
      enlace::audit::v1::AuditRecord r;
      r.set_actor(sender);
      r.set_action("federation.envelope.duplicate");
      r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_DUPLICATE);
      r.set_detail(absl::StrCat("seq ", env.seq(), " <= applied ", watermark));
      txn.audit.push_back(std::move(r));
      continue;
    }
    // A node restored from a backup lost what it applied after it; the sender deleted the
    // part it had acknowledged and, told `rejoining`, sends from the first it still holds.
    // That one authentic jump forward is taken (never one the local restore did not open,
    // never on an envelope that is not authentic for its place), recorded as the gap.
    const bool jump = *rejoining && env.seq() > watermark + 1 && forged[index].empty() &&
                      parses[index] != 0;
    if (env.seq() != watermark + 1 && !jump) {
      if (absl::Status s = inflight.Wait(); !s.ok()) return s;
      return absl::FailedPreconditionError(
          absl::StrCat("expected envelope ", watermark + 1, " from ", sender, ", got ", env.seq()));
    }
    if (*rejoining && forged[index].empty()) {  // a forged envelope ends nothing of it
      enlace::audit::v1::AuditRecord r;
      r.set_actor(self_);
      r.set_action("federation.link.rejoined");
      r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_OK);
      r.set_detail(
          jump ? absl::StrCat("from ", sender, " after a restore: envelopes ", watermark + 1, "..",
                              env.seq() - 1, " applied before the loss are gone from this node "
                              "and were deleted by ", sender, " once acknowledged; rejoined at ",
                              env.seq(), " (", sender, " re-sends its bootstrap)")
               : absl::StrCat("from ", sender, " after a restore: nothing lost, rejoined at ",
                              env.seq()));
      txn.audit.push_back(std::move(r));
      txn.batch.Put(meta_, RejoinedKey(sender), "");
      if (jump) watermark = env.seq() - 1;
      *rejoining = false;
    }
    // Only the authentic moves a link: an envelope that the link's sender did not sign for
    // exactly this place (its sequence number, from it, to us) is never applied and never
    // advances the watermark, or a holder of a stolen TLS key could make the genuine
    // envelopes of those numbers be dropped as duplicates. The stream ends instead; what came
    // before it in the batch is committed.
    const v1::EnvelopeBody& body = bodies[index];
    const bool body_parses = parses[index] != 0;
    if (!forged[index].empty()) {
      enlace::audit::v1::AuditRecord r;
      r.set_actor(sender);
      r.set_action("federation.envelope.refused");
      r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_DENIED);
      r.set_detail(forged[index] + "; stream ended, watermark kept at " +
                   std::to_string(watermark));
      txn.audit.push_back(std::move(r));
      v1::LinkRefusal refusal;
      refusal.set_seq(env.seq());
      // Stored text is well-formed UTF-8 whatever a peer put in what it names (a proto3
      // string that does not parse would make the record unreadable).
      refusal.set_reason(text::ValidUtf8(forged[index]));
      *refusal.mutable_time() = NowProto(clock_);
      txn.batch.Put(meta_, RefusalKey(sender), refusal.SerializeAsString());
      seal();
      if (absl::Status s = inflight.Wait(); !s.ok()) return s;
      if (absl::Status s = committer_->Commit(txn); !s.ok()) return s;
      return absl::UnauthenticatedError(forged[index] + "; stream ended");
    }
    // Each check below either lets the envelope through to its handler or records why not.
    std::string reason;
    const size_t size = env.ByteSizeLong();
    if (env.body().size() > kMaxPayloadBytes + 4096) {
      reason = absl::StrCat("oversized envelope (", env.body().size(), " bytes)");
    } else if (!body_parses) {
      reason = "body does not parse";
    } else if (body.payload().size() > kMaxPayloadBytes) {
      reason = absl::StrCat("oversized payload (", body.payload().size(), " bytes)");
    } else {
      auto h = handlers.find(body.kind());
      if (h == handlers.end()) {
        reason = absl::StrCat("unknown kind \"", body.kind().substr(0, 64), "\"");
      } else {
        // The handler writes into a scratch transaction, so a refusal leaves no trace of it.
        // It reads what the batch's earlier envelopes (and it itself) wrote, though nothing
        // is committed yet: a revision check or a step of a state machine sees their effect.
        txn::Transaction effect;
        absl::Status s;
        {
          storage::ScopedReadOverlay previous(inflight.batch());
          storage::ScopedReadOverlay earlier(&txn.batch);
          storage::ScopedReadOverlay own(&effect.batch);
          s = h->second->Apply(body, effect);
        }
        if (s.ok()) {
          txn.Absorb(std::move(effect));
          ++applied_now;
        } else if (s.code() == absl::StatusCode::kInvalidArgument ||
                   s.code() == absl::StatusCode::kFailedPrecondition ||
                   s.code() == absl::StatusCode::kPermissionDenied) {
          reason = absl::StrCat("cannot apply: ", s.message());
        } else {
          // Storage trouble: this chunk is not committed, the sender will resend it.
          if (absl::Status w = inflight.Wait(); !w.ok()) return w;
          return s;
        }
      }
    }
    enlace::audit::v1::AuditRecord r;
    r.set_actor(sender);
    r.set_action(reason.empty() ? "federation.envelope.received"
                                : "federation.envelope.quarantined");
    r.set_outcome(reason.empty() ? enlace::audit::v1::AUDIT_OUTCOME_OK
                                 : enlace::audit::v1::AUDIT_OUTCOME_QUARANTINED);
    r.set_detail(absl::StrCat("seq ", env.seq(), " kind ", body.kind().substr(0, 64),
                              reason.empty() ? "" : "; ", reason));
    txn.audit.push_back(std::move(r));
    if (!reason.empty()) {
      v1::QuarantinedEnvelope q;
      q.set_sender(sender);
      q.set_seq(env.seq());
      q.set_kind(body.kind().substr(0, 128));
      q.set_reason(text::ValidUtf8(reason));
      *q.mutable_receive_time() = NowProto(clock_);
      q.set_size_bytes(static_cast<int64_t>(size));
      txn.batch.Put(quarantine_, absl::StrCat(sender, "|", Be64(env.seq())), q.SerializeAsString());
      txn.batch.AddToCounter(counters_, absl::StrCat("quarantine|", sender), 1);
    }
    // Authentic, so it moves the link: keep what proves it (ProveEnvelope).
    const Item& item = items[index];
    const v1::EnvelopeBatch& batch = batches[item.batch];
    v1::EnvelopeEvidence evidence;
    if (batch.manifest().empty()) {
      evidence.set_signature(env.signature());
      evidence.set_body_sha256(Sha256(env.body()));
    } else {
      if (evidence_seq[item.batch] == 0) {
        evidence_seq[item.batch] = env.seq();
        v1::BatchEvidence b;
        b.set_manifest(batch.manifest());
        b.set_signature(batch.signature());
        txn.batch.Put(meta_, BatchEvidenceKey(sender, env.seq()), b.SerializeAsString());
      }
      evidence.set_batch_seq(evidence_seq[item.batch]);
      evidence.set_index(static_cast<uint32_t>(item.index));
    }
    txn.batch.Put(meta_, EvidenceKey(sender, env.seq()), evidence.SerializeAsString());
    watermark = env.seq();
    if (++in_chunk >= kChunk && index + 1 < items.size()) {
      seal();
      // Only once the chunk before is durable does this one go: commits stay in link order.
      if (absl::Status s = inflight.Wait(); !s.ok()) return s;
      inflight.Start(std::move(txn), watermark);
      txn = txn::Transaction();
      chunk_base = watermark;
      applied_now = 0;
      in_chunk = 0;
    }
  }
  if (absl::Status s = inflight.Wait(); !s.ok()) return s;
  if (watermark == chunk_base && txn.audit.empty()) return watermark;
  seal();
  if (absl::Status s = committer_->Commit(txn); !s.ok()) return s;
  return watermark;
}

absl::StatusOr<v1::ListQuarantineResponse> Inbox::ListQuarantine(
    const v1::ListQuarantineRequest& request) const {
  if (request.page_size() < 0) return InvalidField("page_size", "must not be negative");
  const int limit = request.page_size() == 0 ? 50 : std::min(request.page_size(), 1000);
  v1::ListQuarantineResponse out;
  const std::string prefix = request.sender().empty() ? "" : request.sender() + "|";
  for (auto it = store_->ScanPrefix(quarantine_, prefix); it->Valid(); it->Next()) {
    v1::QuarantinedEnvelope q;
    if (!q.ParseFromArray(it->value().data(), it->value().size())) continue;
    *out.add_envelopes() = q;
  }
  // Newest first (to the nanosecond: one burst shares a second), bounded. Ties, which only a
  // clock that did not move can make, go to the higher sequence number of the link.
  std::sort(out.mutable_envelopes()->begin(), out.mutable_envelopes()->end(),
            [](const auto& a, const auto& b) {
              const auto& ta = a.receive_time();
              const auto& tb = b.receive_time();
              if (ta.seconds() != tb.seconds()) return ta.seconds() > tb.seconds();
              if (ta.nanos() != tb.nanos()) return ta.nanos() > tb.nanos();
              if (a.sender() != b.sender()) return a.sender() < b.sender();
              return a.seq() > b.seq();
            });
  while (out.envelopes_size() > limit) out.mutable_envelopes()->RemoveLast();
  return out;
}

absl::StatusOr<std::optional<v1::LinkRefusal>> Inbox::LastRefusal(const std::string& sender) const {
  auto v = store_->Get(meta_, RefusalKey(sender));
  if (!v.ok()) return v.status();
  if (!v->has_value()) return std::optional<v1::LinkRefusal>();
  v1::LinkRefusal r;
  if (!r.ParseFromString(**v)) return absl::DataLossError("malformed link refusal record");
  return std::optional<v1::LinkRefusal>(std::move(r));
}

absl::StatusOr<int64_t> Inbox::QuarantineCount(const std::string& sender) const {
  return store_->GetCounter(counters_, absl::StrCat("quarantine|", sender));
}

absl::StatusOr<int64_t> Inbox::AppliedCount(const std::string& sender) const {
  return store_->GetCounter(counters_, absl::StrCat("inbox|count|", sender));
}

}  // namespace enlace::federation

namespace enlace::federation {

absl::StatusOr<EnvelopeProof> ProveEnvelope(const storage::Store& store,
                                            const ManifestSnapshot::Peer& peer,
                                            const std::string& self, const std::string& sender,
                                            uint64_t seq, absl::string_view body) {
  const storage::ColumnFamily* meta = store.cf(kMetaCf);
  auto stored = store.Get(meta, EvidenceKey(sender, seq));
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) {
    return absl::NotFoundError(
        absl::StrCat("no evidence of envelope ", seq, " from ", sender, " is stored"));
  }
  v1::EnvelopeEvidence evidence;
  if (!evidence.ParseFromString(**stored)) {
    return absl::DataLossError(absl::StrCat("evidence of envelope ", seq, " is unreadable"));
  }
  EnvelopeProof proof;
  proof.seq = seq;
  proof.body_sha256 = Sha256(body);
  if (evidence.proof_case() == v1::EnvelopeEvidence::kSignature) {
    if (evidence.body_sha256() != proof.body_sha256 ||
        !peer.VerifySignature(body, evidence.signature())) {
      return absl::UnauthenticatedError(
          absl::StrCat("the stored signature of envelope ", seq, " does not prove this body"));
    }
    proof.signature = evidence.signature();
  } else if (evidence.proof_case() == v1::EnvelopeEvidence::kBatchSeq) {
    auto batch_bytes = store.Get(meta, BatchEvidenceKey(sender, evidence.batch_seq()));
    if (!batch_bytes.ok()) return batch_bytes.status();
    v1::BatchEvidence batch;
    v1::BatchManifest manifest;
    if (!batch_bytes->has_value() || !batch.ParseFromString(**batch_bytes) ||
        !manifest.ParseFromString(batch.manifest())) {
      return absl::DataLossError(absl::StrCat("the batch evidence of envelope ", seq,
                                              " is missing or unreadable"));
    }
    if (!peer.VerifySignature(batch.manifest(), batch.signature())) {
      return absl::UnauthenticatedError(absl::StrCat(
          "the stored batch signature of envelope ", seq, " does not verify with ", sender,
          "'s signing keys"));
    }
    if (manifest.domain() != kBatchDomain || manifest.sender() != sender ||
        manifest.receiver() != self ||
        evidence.index() >= static_cast<uint32_t>(manifest.body_sha256_size()) ||
        manifest.first_seq() + evidence.index() != seq ||
        manifest.body_sha256(static_cast<int>(evidence.index())) != proof.body_sha256) {
      return absl::UnauthenticatedError(absl::StrCat(
          "the signed batch manifest does not list this body as envelope ", seq, " from ",
          sender, " to ", self));
    }
    proof.manifest = batch.manifest();
    proof.signature = batch.signature();
    proof.index = evidence.index();
  } else {
    return absl::DataLossError(absl::StrCat("evidence of envelope ", seq, " holds no proof"));
  }
  // The signature covers the body, which must itself name this place in the link.
  v1::EnvelopeBody parsed;
  if (!parsed.ParseFromArray(body.data(), static_cast<int>(body.size())) || parsed.seq() != seq || parsed.sender() != sender ||
      parsed.receiver() != self) {
    return absl::UnauthenticatedError(
        absl::StrCat("the body does not name envelope ", seq, " from ", sender, " to ", self));
  }
  return proof;
}

}  // namespace enlace::federation
