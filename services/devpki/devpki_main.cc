// enlace-devpki: writes a development PKI (one CA per country, a node server certificate and
// client certificates) for running nodes locally. Not for production keys.
//
//   enlace-devpki --out=/tmp/enlace-pki --countries=MX,GT
//       --clients='admin=spiffe://{cc}.enlace.example/role/supervisor/user/admin'

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/geo/geo.h"
#include "common/pki/pki.h"

ABSL_FLAG(std::string, out, "", "Directory to write the PKI into (created if missing).");
ABSL_FLAG(std::string, countries, "MX", "Comma-separated ISO 3166-1 alpha-2 codes, one CA each.");
ABSL_FLAG(std::string, clients, "admin=spiffe://{cc}.enlace.example/role/supervisor/user/admin",
          "Comma-separated name=URI client identities issued under every country's CA; "
          "{cc} in a URI becomes the lower-case country code.");
ABSL_FLAG(bool, force, false, "Regenerate every file, even those that already exist.");
ABSL_FLAG(absl::Duration, ca_validity, absl::Hours(24 * 365 * 10), "Validity of each CA.");
ABSL_FLAG(absl::Duration, cert_validity, absl::Hours(24 * 365), "Validity of each leaf.");

namespace enlace::devpki {
namespace {

namespace fs = std::filesystem;

constexpr mode_t kCertMode = 0644;
constexpr mode_t kKeyMode = 0600;

struct Client {
  std::string name;
  std::string uri;  // May hold "{cc}".
};

struct Config {
  fs::path out;
  std::vector<std::string> countries;
  std::vector<Client> clients;
  bool force = false;
  absl::Duration ca_validity;
  absl::Duration cert_validity;
};

// File names double as identities, so keep them to a safe alphabet and off the reserved names.
bool IsValidClientName(absl::string_view name) {
  if (name.empty() || name.size() > 64 || name == "ca" || name == "node") return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

absl::StatusOr<Config> ParseConfig() {
  Config config;
  const std::string out = absl::GetFlag(FLAGS_out);
  if (out.empty()) return absl::InvalidArgumentError("--out is required");
  config.out = out;
  for (absl::string_view cc :
       absl::StrSplit(absl::GetFlag(FLAGS_countries), ',', absl::SkipWhitespace())) {
    const std::string code = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(cc));
    if (!geo::IsCountryCode(code)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--countries: \"", cc, "\" is not an ISO 3166-1 alpha-2 code"));
    }
    config.countries.push_back(code);
  }
  if (config.countries.empty()) return absl::InvalidArgumentError("--countries is empty");
  for (absl::string_view entry :
       absl::StrSplit(absl::GetFlag(FLAGS_clients), ',', absl::SkipWhitespace())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(absl::StripAsciiWhitespace(entry), absl::MaxSplits('=', 1));
    Client client{std::string(kv.first), std::string(kv.second)};
    if (!IsValidClientName(client.name) || client.uri.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--clients: \"", entry,
          "\" is not name=URI with a name of [A-Za-z0-9_-] other than \"ca\" and \"node\""));
    }
    for (const Client& other : config.clients) {
      if (other.name == client.name) {
        return absl::InvalidArgumentError(absl::StrCat("--clients: duplicate name ", client.name));
      }
    }
    config.clients.push_back(std::move(client));
  }
  config.force = absl::GetFlag(FLAGS_force);
  config.ca_validity = absl::GetFlag(FLAGS_ca_validity);
  config.cert_validity = absl::GetFlag(FLAGS_cert_validity);
  return config;
}

absl::StatusOr<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path.string()));
  std::ostringstream contents;
  contents << in.rdbuf();
  if (in.bad()) return absl::DataLossError(absl::StrCat("error reading ", path.string()));
  return contents.str();
}

bool Exists(const fs::path& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

// A certificate to write as <dir>/<stem>.pem and .key.
struct Pending {
  fs::path dir;
  std::string stem;
  pki::CertAndKey pair;
};

// Everything is issued before anything is written, so a bad --clients URI or an unreadable CA
// fails the run without leaving a half-updated directory behind.
struct Plan {
  std::vector<Pending> writes;
  std::vector<fs::path> kept;
  std::vector<fs::path> stale;  // Certificates signed by a CA this run replaces.
};

// Issues <stem>.pem/.key unless both exist and neither a new CA nor --force asks for a new one.
absl::Status PlanLeaf(const Config& config, const fs::path& dir, const std::string& stem,
                      bool ca_is_new, const pki::CertAndKey& ca, const pki::IssueOptions& options,
                      Plan& plan) {
  const fs::path cert = dir / (stem + ".pem");
  if (!ca_is_new && !config.force && Exists(cert) && Exists(dir / (stem + ".key"))) {
    plan.kept.push_back(cert);
    return absl::OkStatus();
  }
  absl::StatusOr<pki::CertAndKey> leaf = pki::IssueCert(ca, options);
  if (!leaf.ok()) {
    return absl::Status(leaf.status().code(),
                        absl::StrCat((dir / stem).string(), ": ", leaf.status().message()));
  }
  plan.writes.push_back(Pending{dir, stem, *std::move(leaf)});
  return absl::OkStatus();
}

absl::Status PlanCountry(const Config& config, const std::string& cc, Plan& plan) {
  const std::string lower = absl::AsciiStrToLower(cc);
  const fs::path dir = config.out / cc;

  // The CA: reused when both halves exist, so leaves already handed out stay valid. A new CA
  // invalidates every leaf of the country, so they are all reissued with it.
  const fs::path ca_cert = dir / "ca.pem";
  const fs::path ca_key = dir / "ca.key";
  const bool have_cert = Exists(ca_cert);
  const bool have_key = Exists(ca_key);
  if (have_cert != have_key && !config.force) {
    return absl::FailedPreconditionError(absl::StrCat(
        dir.string(), " has only one of ca.pem and ca.key; remove it or pass --force"));
  }
  pki::CertAndKey ca;
  const bool ca_is_new = config.force || !have_cert;
  if (ca_is_new) {
    absl::StatusOr<pki::CertAndKey> made =
        pki::MakeCa(absl::StrCat("Enlace dev CA ", cc), config.ca_validity);
    if (!made.ok()) return made.status();
    ca = *std::move(made);
    plan.writes.push_back(Pending{dir, "ca", ca});
  } else {
    absl::StatusOr<std::string> cert = ReadFile(ca_cert);
    if (!cert.ok()) return cert.status();
    absl::StatusOr<std::string> key = ReadFile(ca_key);
    if (!key.ok()) return key.status();
    ca = pki::CertAndKey{*std::move(cert), *std::move(key)};
    plan.kept.push_back(ca_cert);
  }

  std::vector<std::string> stems = {"ca", "node"};
  pki::IssueOptions node;
  node.common_name = absl::StrCat("enlace-node-", lower);
  node.dns_names = {"localhost"};
  node.ip_addresses = {"127.0.0.1"};
  node.uris = {absl::StrCat("spiffe://", lower, ".enlace.example/node")};
  node.server = true;
  node.validity = config.cert_validity;
  if (absl::Status s = PlanLeaf(config, dir, "node", ca_is_new, ca, node, plan); !s.ok()) {
    return s;
  }
  for (const Client& client : config.clients) {
    pki::IssueOptions options;
    options.common_name = client.name;
    options.uris = {absl::StrReplaceAll(client.uri, {{"{cc}", lower}})};
    options.client = true;
    options.validity = config.cert_validity;
    if (absl::Status s = PlanLeaf(config, dir, client.name, ca_is_new, ca, options, plan);
        !s.ok()) {
      return s;
    }
    stems.push_back(client.name);
  }

  // Leaves from earlier runs with other --clients do not chain to a new CA; say so.
  std::error_code ec;
  if (ca_is_new && fs::is_directory(dir, ec)) {
    for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
      const fs::path& path = entry.path();
      if (path.extension() != ".pem") continue;
      if (std::find(stems.begin(), stems.end(), path.stem().string()) == stems.end()) {
        plan.stale.push_back(path);
      }
    }
  }
  return absl::OkStatus();
}

// The key goes first so that a crash in between leaves a certificate-less key (reissued next
// run) rather than a certificate whose key is missing.
absl::Status Write(const Pending& pending) {
  std::error_code ec;
  fs::create_directories(pending.dir, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("creating ", pending.dir.string(), ": ", ec.message()));
  }
  const fs::path key = pending.dir / (pending.stem + ".key");
  const fs::path cert = pending.dir / (pending.stem + ".pem");
  if (absl::Status s = pki::WriteFile(key.string(), pending.pair.key_pem, kKeyMode); !s.ok()) {
    return s;
  }
  if (absl::Status s = pki::WriteFile(cert.string(), pending.pair.cert_pem, kCertMode); !s.ok()) {
    return s;
  }
  std::cout << "wrote " << cert.string() << " and " << key.string() << "\n";
  return absl::OkStatus();
}

int Run() {
  absl::StatusOr<Config> config = ParseConfig();
  if (!config.ok()) {
    std::cerr << "enlace-devpki: " << config.status().message() << "\n";
    return 2;
  }
  Plan plan;
  for (const std::string& cc : config->countries) {
    if (absl::Status s = PlanCountry(*config, cc, plan); !s.ok()) {
      std::cerr << "enlace-devpki: " << s << "\n";
      return 1;
    }
  }
  for (const fs::path& path : plan.kept) std::cout << "kept  " << path.string() << "\n";
  for (const Pending& pending : plan.writes) {
    if (absl::Status s = Write(pending); !s.ok()) {
      std::cerr << "enlace-devpki: " << s << "\n";
      return 1;
    }
  }
  for (const fs::path& path : plan.stale) {
    std::cout << "warning: " << path.string()
              << " was not reissued and does not chain to the new CA; delete it or list it in "
                 "--clients\n";
  }
  return 0;
}

}  // namespace
}  // namespace enlace::devpki

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Writes a development PKI: <out>/<CC>/ca.pem, node.pem and one .pem per --clients "
      "identity, each with its .key (0600). Existing files are kept unless --force.");
  // --help lists only flags from files named after the program; this file is devpki_main.cc.
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "devpki_main.cc");
  };
  absl::SetFlagsUsageConfig(usage);
  absl::ParseCommandLine(argc, argv);
  return enlace::devpki::Run();
}
