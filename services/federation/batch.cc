#include "services/federation/batch.h"

#include <openssl/sha.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace enlace::federation {

std::string Sha256(absl::string_view data) {
  std::string out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const uint8_t*>(data.data()), data.size(),
         reinterpret_cast<uint8_t*>(out.data()));
  return out;
}

absl::StatusOr<v1::EnvelopeBatch> SignBatch(const crypto::Signer& signer, absl::string_view sender,
                                            absl::string_view receiver,
                                            std::vector<v1::Envelope> envelopes) {
  if (envelopes.empty()) return absl::InvalidArgumentError("an empty batch");
  v1::BatchManifest manifest;
  manifest.set_domain(kBatchDomain);
  manifest.set_sender(std::string(sender));
  manifest.set_receiver(std::string(receiver));
  manifest.set_first_seq(envelopes.front().seq());
  v1::EnvelopeBatch batch;
  batch.mutable_envelopes()->Reserve(static_cast<int>(envelopes.size()));
  for (auto& env : envelopes) {
    manifest.add_body_sha256(Sha256(env.body()));
    env.clear_signature();
    *batch.add_envelopes() = std::move(env);
  }
  batch.set_manifest(manifest.SerializeAsString());
  auto sig = signer.Sign(batch.manifest());
  if (!sig.ok()) return sig.status();
  batch.set_signature(*std::move(sig));
  return batch;
}

std::string CheckBatchManifest(const v1::EnvelopeBatch& batch, absl::string_view sender,
                               absl::string_view receiver, v1::BatchManifest* manifest) {
  if (!manifest->ParseFromString(batch.manifest())) return "batch manifest does not parse";
  if (manifest->domain() != kBatchDomain || manifest->sender() != sender ||
      manifest->receiver() != receiver) {
    // The names are the peer's bytes: escaped (never cut mid-character), as this reason goes
    // into audit records and refusals, which must be valid UTF-8.
    return absl::StrCat("batch manifest signed for another place (",
                        absl::CHexEscape(manifest->sender().substr(0, 8)), "->",
                        absl::CHexEscape(manifest->receiver().substr(0, 8)), "): a replay");
  }
  if (manifest->body_sha256_size() != batch.envelopes_size()) {
    return absl::StrCat("batch manifest lists ", manifest->body_sha256_size(),
                        " envelopes, the batch holds ", batch.envelopes_size());
  }
  for (int i = 0; i < batch.envelopes_size(); ++i) {
    const v1::Envelope& env = batch.envelopes(i);
    if (env.seq() != manifest->first_seq() + static_cast<uint64_t>(i)) {
      return absl::StrCat("envelope ", env.seq(), " is at place ", i,
                          " of a batch signed from ", manifest->first_seq());
    }
  }
  return "";
}

}  // namespace enlace::federation
