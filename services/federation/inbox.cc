#include "services/federation/inbox.h"

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace enlace::federation {
namespace {

constexpr char kMetaCf[] = "meta";
constexpr char kQuarantineCf[] = "quarantine";
constexpr char kCountersCf[] = "counters";

std::string WatermarkKey(const std::string& sender) {
  return absl::StrCat("inbox|applied|", sender);
}

std::string RefusalKey(const std::string& sender) { return absl::StrCat("inbox|refused|", sender); }

std::string Be64(uint64_t v) {
  std::string s;
  storage::AppendBigEndian64(&s, v);
  return s;
}

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

absl::Mutex* Inbox::LinkMutex(const std::string& sender) {
  absl::MutexLock l(&links_mu_);
  auto& m = links_[sender];
  if (m == nullptr) m = std::make_unique<absl::Mutex>();
  return m.get();
}

absl::StatusOr<uint64_t> Inbox::Apply(const std::string& sender, const ManifestSnapshot::Peer& peer,
                                      const std::vector<v1::Envelope>& envelopes) {
  // One applier per link at a time, so the watermark read below stays true until commit.
  absl::MutexLock link(LinkMutex(sender));
  auto applied = AppliedSeq(sender);
  if (!applied.ok()) return applied.status();
  uint64_t watermark = *applied;
  txn::Transaction txn;
  int64_t applied_now = 0;
  std::map<std::string, EnvelopeHandler*> handlers;
  {
    absl::MutexLock l(&handlers_mu_);
    handlers = handlers_;
  }
  // Signatures are the dominant cost (~130 us each): check them for the whole batch on two
  // threads before the ordered pass, which then only applies.
  std::vector<char> signature_ok(envelopes.size());
  auto verify = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      signature_ok[i] = peer.VerifySignature(envelopes[i].body(), envelopes[i].signature());
    }
  };
  if (envelopes.size() >= 32) {
    std::thread helper(verify, 0, envelopes.size() / 2);
    verify(envelopes.size() / 2, envelopes.size());
    helper.join();
  } else {
    verify(0, envelopes.size());
  }
  for (size_t index = 0; index < envelopes.size(); ++index) {
    const v1::Envelope& env = envelopes[index];
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
    if (env.seq() != watermark + 1) {
      return absl::FailedPreconditionError(
          absl::StrCat("expected envelope ", watermark + 1, " from ", sender, ", got ", env.seq()));
    }
    // Only the authentic moves a link: an envelope that the link's sender did not sign for
    // exactly this place (its sequence number, from it, to us) is never applied and never
    // advances the watermark, or a holder of a stolen TLS key could make the genuine
    // envelopes of those numbers be dropped as duplicates. The stream ends instead; what came
    // before it in the batch is committed.
    v1::EnvelopeBody body;
    const bool parses = body.ParseFromString(env.body());
    std::string forged;
    if (!signature_ok[index]) {
      forged = absl::StrCat("signature of envelope ", env.seq(), " does not verify with ", sender,
                            "'s signing keys");
    } else if (parses &&
               (body.seq() != env.seq() || body.sender() != sender || body.receiver() != self_)) {
      forged = absl::StrCat("envelope ", env.seq(), " carries a body signed for another place (",
                            body.sender().substr(0, 8), "->", body.receiver().substr(0, 8), " seq ",
                            body.seq(), "): a replay");
    }
    if (!forged.empty()) {
      enlace::audit::v1::AuditRecord r;
      r.set_actor(sender);
      r.set_action("federation.envelope.refused");
      r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_DENIED);
      r.set_detail(forged + "; stream ended, watermark kept at " + std::to_string(watermark));
      txn.audit.push_back(std::move(r));
      v1::LinkRefusal refusal;
      refusal.set_seq(env.seq());
      refusal.set_reason(forged);
      *refusal.mutable_time() = NowProto(clock_);
      txn.batch.Put(meta_, RefusalKey(sender), refusal.SerializeAsString());
      if (watermark != *applied) txn.batch.Put(meta_, WatermarkKey(sender), Be64(watermark));
      if (applied_now > 0) {
        txn.batch.AddToCounter(counters_, absl::StrCat("inbox|count|", sender), applied_now);
      }
      if (absl::Status s = committer_->Commit(txn); !s.ok()) return s;
      return absl::UnauthenticatedError(forged + "; stream ended");
    }
    // Each check below either lets the envelope through to its handler or records why not.
    std::string reason;
    const size_t size = env.ByteSizeLong();
    if (env.body().size() > kMaxPayloadBytes + 4096) {
      reason = absl::StrCat("oversized envelope (", env.body().size(), " bytes)");
    } else if (!parses) {
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
          return s;  // storage trouble: nothing committed, the sender will resend
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
      q.set_reason(reason);
      *q.mutable_receive_time() = NowProto(clock_);
      q.set_size_bytes(static_cast<int64_t>(size));
      txn.batch.Put(quarantine_, absl::StrCat(sender, "|", Be64(env.seq())), q.SerializeAsString());
      txn.batch.AddToCounter(counters_, absl::StrCat("quarantine|", sender), 1);
    }
    watermark = env.seq();
  }
  if (watermark == *applied && txn.audit.empty()) return watermark;
  txn.batch.Put(meta_, WatermarkKey(sender), Be64(watermark));
  if (applied_now > 0) {
    txn.batch.AddToCounter(counters_, absl::StrCat("inbox|count|", sender), applied_now);
  }
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
