#ifndef ENLACE_SERVICES_FEDERATION_PROTOCOL_H_
#define ENLACE_SERVICES_FEDERATION_PROTOCOL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "enlace/federation/v1/federation.pb.h"

namespace enlace::federation {

// Versions of the Exchange protocol (docs/operations.md, "Upgrades across versions").
// 1: the protocol before versioning (a Hello without versions, a Welcome with the watermark
//    only). 2: the Hello names the versions and features its sender speaks, the Welcome the
//    version and features the receiver will use.
// Raise kProtocolVersion when the wire behaviour changes; raise kMinProtocolVersion only when
// no member may still run a release that speaks less (the manifest's members' releases).
inline constexpr uint32_t kProtocolVersion = 2;
inline constexpr uint32_t kMinProtocolVersion = 1;

// Features (named in the Hello, agreed in the Welcome; a peer that does not name one never
// gets it, whatever its version):
// "envelope.batch_signature": the sender may send ExchangeRequest.batch, consecutive
//   envelopes under one Ed25519 signature over their bodies' SHA-256 (BatchManifest), instead
//   of one signature per envelope. Ed25519 is most of an envelope's cost; per batch it is not.
inline constexpr char kBatchSignatureFeature[] = "envelope.batch_signature";
// "link.rejoin": a receiver restored from a backup says so in its Welcome (`rejoining`), and
//   the sender skips what it deleted once acknowledged instead of halting the link, then
//   re-sends its bootstrap (docs/operations.md, "Restoring a federated node").
inline constexpr char kRejoinFeature[] = "link.rejoin";
// Set in the store by enlace-node --restore_from (MarkRestored): the node's links rejoin.
inline constexpr char kRestoredMarkerKey[] = "sender|restored";

// The versions and optional features one side speaks.
struct ProtocolRange {
  uint32_t min = kMinProtocolVersion;
  uint32_t max = kProtocolVersion;
  std::vector<std::string> features;
};

// What this release speaks.
ProtocolRange LocalProtocol();

// The range a Hello declares. Neither field (a release before versioning): 1 to 1. A Hello
// whose minimum exceeds its maximum is INVALID_ARGUMENT.
absl::StatusOr<ProtocolRange> FromHello(const v1::Hello& hello);

// Fills the Hello's version and feature fields from `range`.
void FillHello(const ProtocolRange& range, v1::Hello* hello);

struct Agreement {
  uint32_t version = 1;
  std::vector<std::string> features;  // sorted
  bool Has(absl::string_view feature) const;
};

// The highest version both sides speak and the features both speak. No common version:
// FAILED_PRECONDITION naming both ranges and which side is too old (`peer` names the other
// side in the message).
absl::StatusOr<Agreement> Negotiate(const ProtocolRange& local, const ProtocolRange& remote,
                                    absl::string_view peer);

// The sender's check of a Welcome against the range it offered: the version the receiver
// chose (0, from a receiver before versioning, is 1) must be one the sender speaks, and the
// features a subset of those offered; else FAILED_PRECONDITION.
absl::StatusOr<Agreement> CheckWelcome(const ProtocolRange& offered, const v1::Welcome& welcome,
                                       absl::string_view peer);

}  // namespace enlace::federation

#endif  // ENLACE_SERVICES_FEDERATION_PROTOCOL_H_
