#ifndef ENLACE_SERVICES_FEDERATION_BATCH_H_
#define ENLACE_SERVICES_FEDERATION_BATCH_H_

#include <cstddef>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/crypto/signing.h"
#include "enlace/federation/v1/federation.pb.h"

namespace enlace::federation {

// Signed batches of envelopes (feature "envelope.batch_signature", protocol.h): one Ed25519
// signature over a BatchManifest that lists the SHA-256 of each envelope's body, in order,
// with the link (sender, receiver) and the first sequence number.

inline constexpr char kBatchDomain[] = "enlace.federation.batch.v1";
// A batch stays well under the federation port's message limit (federation.cc: the largest
// payload plus 64 KiB): at most this many envelopes and, unless it holds a single envelope,
// at most this many bytes of bodies.
inline constexpr size_t kMaxBatchEnvelopes = 128;
inline constexpr size_t kMaxBatchBodyBytes = 192 * 1024;

// SHA-256 of `data` (32 bytes).
std::string Sha256(absl::string_view data);

// Builds the manifest of `envelopes` (consecutive, `seq` and `body` set, from `sender` to
// `receiver`) and signs it. The envelopes are moved into the batch without their own
// signatures.
absl::StatusOr<v1::EnvelopeBatch> SignBatch(const crypto::Signer& signer, absl::string_view sender,
                                            absl::string_view receiver,
                                            std::vector<v1::Envelope> envelopes);

// Checks a batch's manifest against its envelopes, but not its signature nor the bodies'
// hashes (the caller compares Sha256(body) with body_sha256(i)): the manifest parses, names
// this domain, `sender` and `receiver`, lists one hash per envelope, and the envelopes are
// first_seq, first_seq + 1, ... The reason when not, else "". `manifest` receives it parsed.
std::string CheckBatchManifest(const v1::EnvelopeBatch& batch, absl::string_view sender,
                               absl::string_view receiver, v1::BatchManifest* manifest);

}  // namespace enlace::federation

#endif  // ENLACE_SERVICES_FEDERATION_BATCH_H_
