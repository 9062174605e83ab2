#include "services/node/config.h"

#include <fstream>
#include <algorithm>
#include <set>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/geo/geo.h"
#include "common/status/errors.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/text_format.h"

namespace enlace::node {

constexpr size_t kMaxConfigBytes = 1 << 20;

absl::StatusOr<v1::NodeConfig> ParseNodeConfig(const std::string& text) {
  if (text.size() > kMaxConfigBytes) return absl::InvalidArgumentError("config larger than 1 MiB");
  v1::NodeConfig config;
  google::protobuf::TextFormat::Parser parser;
  // Collect the parser's complaint instead of letting it print to stderr.
  class Collector : public google::protobuf::io::ErrorCollector {
   public:
    void AddError(int line, int column, const std::string& message) override {
      if (error.empty()) error = absl::StrCat("line ", line + 1, ":", column + 1, ": ", message);
    }
    std::string error;
  } errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, &config)) {
    return absl::InvalidArgumentError(absl::StrCat("config does not parse: ", errors.error));
  }
  return config;
}

absl::StatusOr<v1::NodeConfig> LoadNodeConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read config file ", path));
  std::string text;
  text.resize(kMaxConfigBytes + 1);
  in.read(text.data(), text.size());
  text.resize(in.gcount());
  auto config = ParseNodeConfig(text);
  if (!config.ok()) {
    return absl::Status(config.status().code(), absl::StrCat(path, ": ", config.status().message()));
  }
  return config;
}

absl::Status ValidateNodeConfig(const v1::NodeConfig& c) {
  FieldViolations v;
  if (c.secretariat() ? !geo::IsUserAssignedCode(c.country()) : !geo::IsCountryCode(c.country())) {
    v.Add("country", c.secretariat() ? "the secretariat's user-assigned code (e.g. XS)"
                                     : "must be an ISO 3166-1 alpha-2 code");
  }
  if (c.posts_size() == 0 && !c.secretariat()) {
    v.Add("posts", "at least one consular post is required");
  }
  if (c.secretariat() && c.posts_size() > 0) v.Add("posts", "the secretariat has no posts");
  if (!c.dashboard().address().empty()) {
    if (!c.secretariat()) v.Add("dashboard", "served by the secretariat only");
    if (c.dashboard().assets_dir().empty()) v.Add("dashboard.assets_dir", "required");
  }
  if (c.secretariat() && !c.has_federation()) {
    v.Add("federation", "the secretariat receives the members' releases through it");
  }
  std::set<std::string> codes;
  for (int i = 0; i < c.posts_size(); ++i) {
    const auto& p = c.posts(i);
    const std::string f = absl::StrCat("posts[", i, "].");
    if (!geo::IsPostCode(p.code())) {
      v.Add(f + "code", "2-16 characters of A-Z, 0-9 and '-'");
    } else if (!codes.insert(p.code()).second) {
      v.Add(f + "code", absl::StrCat("duplicate post code ", p.code()));
    }
    if (p.city().empty() || p.city().size() > 100) v.Add(f + "city", "1-100 bytes");
    if (!geo::IsCountryCode(p.host_country())) {
      v.Add(f + "host_country", "must be an ISO 3166-1 alpha-2 code");
    }
    for (int j = 0; j < p.areas_size(); ++j) {
      if (!geo::IsSubdivisionCode(p.areas(j)) && !geo::IsCountryCode(p.areas(j))) {
        v.Add(absl::StrCat(f, "areas[", j, "]"), "must be an ISO 3166-2 (or 3166-1) code");
      }
    }
  }
  if (c.data_dir().empty()) v.Add("data_dir", "required");
  if (c.storage().has_postgres()) {
    if (c.storage().postgres().conninfo().empty()) {
      v.Add("storage.postgres.conninfo", "required (a libpq connection string)");
    }
    if (c.storage().postgres().idle_connections() < 0 ||
        c.storage().postgres().idle_connections() > 100) {
      v.Add("storage.postgres.idle_connections", "0-100");
    }
  }
  if (c.api_address().empty()) v.Add("api_address", "required (host:port)");
  if (c.api_tls().cert_file().empty()) v.Add("api_tls.cert_file", "required");
  if (c.api_tls().key_file().empty()) v.Add("api_tls.key_file", "required");
  if (c.api_tls().client_ca_file().empty()) v.Add("api_tls.client_ca_file", "required");
  if (c.worker_threads() < 0 || c.worker_threads() > 256) v.Add("worker_threads", "0-256");
  if (c.drain_seconds() < 0 || c.drain_seconds() > 600) v.Add("drain_seconds", "0-600");
  // Statistics may be protected more strictly than the region's rule, never less.
  const int64_t threshold = c.stats().threshold() == 0 ? 5 : c.stats().threshold();
  if (threshold < 5 || threshold > 1000) v.Add("stats.threshold", "0 (5) or 5-1000");
  if (c.stats().sensitive_threshold() != 0 &&
      (c.stats().sensitive_threshold() < std::max<int64_t>(10, threshold) ||
       c.stats().sensitive_threshold() > 1000)) {
    v.Add("stats.sensitive_threshold", "0 (10) or at least 10 and at least stats.threshold");
  }
  if (!c.ops().address().empty()) {
    const std::string& a = c.ops().address();
    const size_t colon = a.rfind(':');
    int port = -1;
    if (colon == std::string::npos || colon == 0 ||
        !absl::SimpleAtoi(a.substr(colon + 1), &port) || port < 0 || port > 65535) {
      v.Add("ops.address", "host:port (port 0-65535; 0 picks a free one)");
    }
  } else if (!c.ops().port_file().empty()) {
    v.Add("ops.port_file", "needs ops.address");
  }
  if (!c.ops().log_format().empty() && c.ops().log_format() != "text" &&
      c.ops().log_format() != "json") {
    v.Add("ops.log_format", "\"text\" (default) or \"json\"");
  }
  return v.ToStatus();
}

}  // namespace enlace::node
