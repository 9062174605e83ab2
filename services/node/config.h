#ifndef ENLACE_SERVICES_NODE_CONFIG_H_
#define ENLACE_SERVICES_NODE_CONFIG_H_

#include <string>

#include "absl/status/statusor.h"
#include "enlace/node/v1/config.pb.h"

namespace enlace::node {

// Parses a text-format NodeConfig (an untrusted file: size-bounded, fully validated).
absl::StatusOr<enlace::node::v1::NodeConfig> ParseNodeConfig(const std::string& text);
absl::StatusOr<enlace::node::v1::NodeConfig> LoadNodeConfig(const std::string& path);

// INVALID_ARGUMENT naming every problem: country, posts (unique, well-formed codes, known
// host countries, ISO 3166-2 areas), data_dir, api_address and TLS files.
absl::Status ValidateNodeConfig(const enlace::node::v1::NodeConfig& config);

}  // namespace enlace::node

#endif  // ENLACE_SERVICES_NODE_CONFIG_H_
