#ifndef ENLACE_SERVICES_FEDERATION_INBOX_H_
#define ENLACE_SERVICES_FEDERATION_INBOX_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/storage/store.h"
#include "common/time/clock.h"
#include "common/txn/committer.h"
#include "enlace/federation/v1/admin.pb.h"
#include "enlace/federation/v1/federation.pb.h"
#include "services/federation/manifest.h"

namespace enlace::federation {

// Applies one kind of envelope. Apply adds the effect to `txn` (and may queue envelopes);
// INVALID_ARGUMENT or FAILED_PRECONDITION means the envelope cannot be applied and goes to
// quarantine. Envelopes of one link arrive in order; several may share one transaction, so a
// handler must not depend on reading what an earlier envelope of the same batch wrote
// unless it keeps that state itself.
class EnvelopeHandler {
 public:
  virtual ~EnvelopeHandler() = default;
  virtual absl::Status Apply(const v1::EnvelopeBody& body, txn::Transaction& txn) = 0;
};

// What proves that `sender` signed an envelope this node applied (ProveEnvelope).
struct EnvelopeProof {
  uint64_t seq = 0;
  std::string body_sha256;
  // Signed in a batch: the batch's manifest (its body_sha256[index] is this envelope's) and
  // its signature; else the envelope's own signature and an empty manifest.
  std::string manifest;
  uint32_t index = 0;
  std::string signature;
};

// Proves, from what `store` holds of the link `sender` -> `self` alone and the sender's
// published keys (`peer`), that `body` is the envelope `seq` that `sender` signed: the stored
// evidence of `seq` names its batch and index (or holds its own signature), the batch's
// manifest verifies with the keys, names this link and lists SHA-256(`body`) at `seq`'s
// place, and the body names `sender`, `self` and `seq`. NOT_FOUND: nothing stored for `seq`;
// UNAUTHENTICATED: the material does not prove `body`; DATA_LOSS: the record is unreadable.
absl::StatusOr<EnvelopeProof> ProveEnvelope(const storage::Store& store,
                                            const ManifestSnapshot::Peer& peer,
                                            const std::string& self, const std::string& sender,
                                            uint64_t seq, absl::string_view body);

// The receiving side of every link: verification, duplicate suppression, quarantine, and
// the effect committed together with the link's new watermark.
class Inbox {
 public:
  static constexpr size_t kMaxPayloadBytes = 256 * 1024;

  static void AddColumnFamilies(storage::StoreOptions& options);
  // `clock` stamps quarantine records and link refusals (a FakeClock in unit tests).
  Inbox(storage::Store* store, txn::Committer* committer, std::string self,
        const Clock* clock = Clock::Real());

  void RegisterHandler(const std::string& kind, EnvelopeHandler* handler);

  absl::StatusOr<uint64_t> AppliedSeq(const std::string& sender) const;
  // Whether this node was restored from a backup (kRestoredMarkerKey) and has applied nothing
  // from `sender` since: its Welcome says `rejoining`, and the first authentic envelope
  // beyond the watermark is applied even past a gap (recorded as federation.link.rejoined).
  absl::StatusOr<bool> Rejoining(const std::string& sender) const;

  // Processes, in order, envelopes received from the authenticated peer `sender`, whose
  // manifest entry is `peer`, in ONE transaction. Envelopes at or below the watermark are
  // duplicates and are skipped; one beyond the next expected number is a protocol error
  // (FAILED_PRECONDITION, nothing applied). An envelope that is not authentic for its
  // place in the link (signature, or a signed body for another sequence number, sender or
  // receiver) is UNAUTHENTICATED: what preceded it is committed, it and what follows are
  // not, and the watermark stays below it. Returns the new watermark.
  absl::StatusOr<uint64_t> Apply(const std::string& sender, const ManifestSnapshot::Peer& peer,
                                 const std::vector<v1::Envelope>& envelopes);
  // The same for signed batches (batch.h), in ONE transaction. A batch whose signature,
  // manifest or any envelope's hash or body does not match is refused whole (its first
  // envelope beyond the watermark is the refused one): nothing of it is applied and the
  // watermark stays below it; the batches before it are committed. A batch with an empty
  // manifest carries envelopes signed one by one (what the exchange makes of a peer without
  // batches). With the applied envelopes the transaction stores their evidence:
  // ProveEnvelope below needs nothing else.
  // A long call commits in chunks of consecutive envelopes (each chunk one transaction, in
  // order; a chunk is prepared while the one before it syncs): `on_durable`, if set, hears
  // each chunk's watermark once it is durable, before the call returns. A gap or storage
  // trouble then leaves the chunks before it committed (they were authentic and in order).
  absl::StatusOr<uint64_t> ApplyBatches(const std::string& sender,
                                        const ManifestSnapshot::Peer& peer,
                                        const std::vector<v1::EnvelopeBatch>& batches,
                                        const std::function<void(uint64_t)>& on_durable = {});

  // Quarantined envelopes, newest first.
  absl::StatusOr<v1::ListQuarantineResponse> ListQuarantine(
      const v1::ListQuarantineRequest& request) const;
  absl::StatusOr<int64_t> QuarantineCount(const std::string& sender) const;
  // The last envelope from `sender` refused as unauthentic (it ended its stream), if any.
  absl::StatusOr<std::optional<v1::LinkRefusal>> LastRefusal(const std::string& sender) const;
  // Envelopes applied from `sender` (duplicates and quarantined ones excluded).
  absl::StatusOr<int64_t> AppliedCount(const std::string& sender) const;

 private:
  absl::Mutex* LinkMutex(const std::string& sender);

  storage::Store* store_;
  txn::Committer* committer_;
  const std::string self_;
  const Clock* clock_;
  const storage::ColumnFamily* meta_;
  const storage::ColumnFamily* quarantine_;
  const storage::ColumnFamily* counters_;
  absl::Mutex handlers_mu_;
  std::map<std::string, EnvelopeHandler*> handlers_ ABSL_GUARDED_BY(handlers_mu_);
  absl::Mutex links_mu_;
  std::map<std::string, std::unique_ptr<absl::Mutex>> links_ ABSL_GUARDED_BY(links_mu_);
};

}  // namespace enlace::federation

#endif  // ENLACE_SERVICES_FEDERATION_INBOX_H_
