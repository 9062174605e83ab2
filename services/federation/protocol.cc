#include "services/federation/protocol.h"

#include <algorithm>
#include <set>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace enlace::federation {
namespace {
std::string Describe(const ProtocolRange& r) {
  return r.min == r.max ? absl::StrCat("version ", r.max)
                        : absl::StrCat("versions ", r.min, " to ", r.max);
}
}  // namespace

ProtocolRange LocalProtocol() {
  ProtocolRange r;
  r.features = {kBatchSignatureFeature, kRejoinFeature};
  return r;
}

bool Agreement::Has(absl::string_view feature) const {
  return std::find(features.begin(), features.end(), feature) != features.end();
}

absl::StatusOr<ProtocolRange> FromHello(const v1::Hello& hello) {
  ProtocolRange r;
  r.max = hello.protocol_version() == 0 ? 1 : hello.protocol_version();
  r.min = hello.min_protocol_version() == 0 ? 1 : hello.min_protocol_version();
  if (r.min > r.max) {
    return absl::InvalidArgumentError(
        absl::StrCat("Hello.min_protocol_version ", r.min, " exceeds protocol_version ", r.max));
  }
  r.features.assign(hello.features().begin(), hello.features().end());
  return r;
}

void FillHello(const ProtocolRange& range, v1::Hello* hello) {
  hello->set_protocol_version(range.max);
  hello->set_min_protocol_version(range.min);
  hello->clear_features();
  for (const auto& f : range.features) hello->add_features(f);
}

absl::StatusOr<Agreement> Negotiate(const ProtocolRange& local, const ProtocolRange& remote,
                                    absl::string_view peer) {
  const uint32_t version = std::min(local.max, remote.max);
  if (version < std::max(local.min, remote.min)) {
    const bool peer_too_old = remote.max < local.min;
    return absl::FailedPreconditionError(absl::StrCat(
        peer, " speaks federation protocol ", Describe(remote), ", this node ", Describe(local),
        ": ", peer_too_old ? peer : absl::string_view("this node"),
        " must be upgraded before the link can run"));
  }
  Agreement a;
  a.version = version;
  const std::set<std::string> mine(local.features.begin(), local.features.end());
  std::set<std::string> both;
  for (const auto& f : remote.features) {
    if (mine.count(f) > 0) both.insert(f);
  }
  a.features.assign(both.begin(), both.end());
  return a;
}

absl::StatusOr<Agreement> CheckWelcome(const ProtocolRange& offered, const v1::Welcome& welcome,
                                       absl::string_view peer) {
  Agreement a;
  a.version = welcome.protocol_version() == 0 ? 1 : welcome.protocol_version();
  if (a.version < offered.min || a.version > offered.max) {
    return absl::FailedPreconditionError(
        absl::StrCat(peer, " chose federation protocol version ", a.version,
                     " but this node offered ", Describe(offered)));
  }
  const std::set<std::string> mine(offered.features.begin(), offered.features.end());
  std::set<std::string> chosen;
  for (const auto& f : welcome.features()) {
    if (mine.count(f) == 0) {
      return absl::FailedPreconditionError(
          absl::StrCat(peer, " chose the feature \"", f.substr(0, 64), "\" this node never offered"));
    }
    chosen.insert(f);
  }
  a.features.assign(chosen.begin(), chosen.end());
  return a;
}

}  // namespace enlace::federation
