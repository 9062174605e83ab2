// enlace-devpki: writes a development PKI (one CA per country, a node certificate, client
// certificates and an Ed25519 envelope-signing key pair) and, optionally, the federation
// manifest that ties the countries together, for running nodes locally. Not for production keys.
//
//   enlace-devpki --out=/tmp/enlace-pki --countries=MX,GT
//       --clients='admin=spiffe://{cc}.enlace.example/role/supervisor/user/admin'
//       --manifest=/tmp/enlace-pki/manifest.textproto
//       --federation_endpoints=MX=127.0.0.1:7501,GT=127.0.0.1:7502

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
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
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/crypto/signing.h"
#include "common/geo/geo.h"
#include "common/pki/pki.h"
#include "common/status/macros.h"
#include "enlace/federation/v1/manifest.pb.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"

ABSL_FLAG(std::string, out, "", "Directory to write the PKI into (created if missing).");
ABSL_FLAG(std::string, countries, "MX", "Comma-separated ISO 3166-1 alpha-2 codes, one CA each.");
ABSL_FLAG(std::string, clients, "admin=spiffe://{cc}.enlace.example/role/supervisor/user/admin",
          "Comma-separated name=URI client identities issued under every country's CA; "
          "{cc} in a URI becomes the lower-case country code.");
ABSL_FLAG(std::string, secretariat, "",
          "The regional secretariat's code among --countries (a user-assigned code such as XS): "
          "its manifest entry is of kind MEMBER_KIND_SECRETARIAT.");
ABSL_FLAG(std::string, revoke, "",
          "CC:name,name... : instead of writing the PKI, write <out>/<CC>/revoked.pem, the CRL "
          "of CC's CA revoking those clients' certificates (CC: alone writes an empty CRL); "
          "point ServerTls.crl_file at it.");
ABSL_FLAG(bool, force, false, "Regenerate every file, even those that already exist.");
ABSL_FLAG(absl::Duration, ca_validity, absl::Hours(24 * 365 * 10), "Validity of each CA.");
ABSL_FLAG(absl::Duration, cert_validity, absl::Hours(24 * 365), "Validity of each leaf.");
ABSL_FLAG(std::string, manifest, "",
          "When set, also write the text-format FederationManifest of --countries to this path.");
ABSL_FLAG(std::string, federation_endpoints, "",
          "Comma-separated CC=host:port federation endpoints, one per --countries entry "
          "(required with --manifest).");
ABSL_FLAG(int64_t, manifest_version, 0,
          "Version of the written manifest. 0 (default): the version already in --manifest if "
          "its members are unchanged, that version + 1 if they changed, 1 for a new file.");

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
  fs::path manifest;                                        // empty: no manifest
  std::map<std::string, std::string> federation_endpoints;  // country -> host:port
  int64_t manifest_version = 0;                             // 0: automatic
  std::string secretariat;                                  // empty: none
};

// The node identity every member's federation certificate carries (devpki's node.pem URI SAN).
std::string NodeIdentity(absl::string_view cc) {
  return absl::StrCat("spiffe://", absl::AsciiStrToLower(cc), ".enlace.example/node");
}

bool IsValidEndpoint(absl::string_view endpoint) {
  const size_t colon = endpoint.rfind(':');
  if (colon == absl::string_view::npos || colon == 0) return false;
  int port = 0;
  return absl::SimpleAtoi(endpoint.substr(colon + 1), &port) && port > 0 && port <= 65535;
}

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
  config.secretariat = absl::AsciiStrToUpper(absl::GetFlag(FLAGS_secretariat));
  if (!config.secretariat.empty() && !geo::IsUserAssignedCode(config.secretariat)) {
    return absl::InvalidArgumentError(
        "--secretariat: a user-assigned ISO 3166-1 code (AA, QM-QZ, XA-XZ, ZZ), e.g. XS");
  }
  for (absl::string_view cc :
       absl::StrSplit(absl::GetFlag(FLAGS_countries), ',', absl::SkipWhitespace())) {
    const std::string code = absl::AsciiStrToUpper(absl::StripAsciiWhitespace(cc));
    if (!geo::IsCountryCode(code) && code != config.secretariat) {
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

  config.manifest = absl::GetFlag(FLAGS_manifest);
  config.manifest_version = absl::GetFlag(FLAGS_manifest_version);
  const std::string endpoints = absl::GetFlag(FLAGS_federation_endpoints);
  if (config.manifest.empty()) {
    if (!endpoints.empty() || config.manifest_version != 0) {
      return absl::InvalidArgumentError(
          "--federation_endpoints and --manifest_version need --manifest");
    }
    return config;
  }
  if (config.manifest_version < 0) {
    return absl::InvalidArgumentError("--manifest_version must not be negative");
  }
  for (absl::string_view entry : absl::StrSplit(endpoints, ',', absl::SkipWhitespace())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(absl::StripAsciiWhitespace(entry), absl::MaxSplits('=', 1));
    const std::string cc = absl::AsciiStrToUpper(kv.first);
    if (!geo::IsMemberCode(cc) || !IsValidEndpoint(kv.second)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--federation_endpoints: \"", entry, "\" is not CC=host:port"));
    }
    if (std::find(config.countries.begin(), config.countries.end(), cc) == config.countries.end()) {
      // Most likely a typo; a manifest member needs this run's CA and signing key anyway.
      return absl::InvalidArgumentError(
          absl::StrCat("--federation_endpoints: ", cc, " is not in --countries"));
    }
    if (!config.federation_endpoints.emplace(cc, std::string(kv.second)).second) {
      return absl::InvalidArgumentError(absl::StrCat("--federation_endpoints: duplicate ", cc));
    }
  }
  for (const std::string& cc : config.countries) {
    if (config.federation_endpoints.count(cc) == 0) {
      return absl::InvalidArgumentError(
          absl::StrCat("--federation_endpoints has no endpoint for ", cc));
    }
  }
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

// An Ed25519 envelope-signing key pair to write as <dir>/signing.key and signing.pub.
struct PendingSigningKey {
  fs::path dir;
  crypto::Ed25519KeyPair pair;
};

// What the manifest needs of a country, whether kept or new in this run.
struct CountryMaterial {
  std::string ca_pem;
  std::string signing_public_pem;
};

// Everything is issued before anything is written, so a bad --clients URI or an unreadable CA
// fails the run without leaving a half-updated directory behind.
struct Plan {
  std::vector<Pending> writes;
  std::vector<PendingSigningKey> signing_writes;
  std::vector<fs::path> kept;
  std::vector<fs::path> stale;  // Certificates signed by a CA this run replaces.
  std::map<std::string, CountryMaterial> material;
  std::string manifest_text;  // empty: the manifest is kept (or not asked for)
  int64_t manifest_version = 0;
};

// Why an existing leaf certificate no longer matches what this run would issue (empty: it
// matches): another URI SAN (a changed --clients entry), or, for a node certificate, no
// clientAuth (earlier versions issued node.pem for serverAuth only, and a node presents it as a
// client when it connects to a peer's federation port).
std::string LeafMismatch(const std::string& cert_pem, const pki::IssueOptions& options) {
  BIO* bio = BIO_new_mem_buf(cert_pem.data(), static_cast<int>(cert_pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  ERR_clear_error();
  if (cert == nullptr) return "it does not parse";
  std::vector<std::string> uris;
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI) continue;
    const ASN1_IA5STRING* uri = name->d.uniformResourceIdentifier;
    uris.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                      ASN1_STRING_length(uri));
  }
  GENERAL_NAMES_free(names);
  const bool has_eku = (X509_get_extension_flags(cert) & EXFLAG_XKUSAGE) != 0;
  const bool client_ok = !has_eku || (X509_get_extended_key_usage(cert) & XKU_SSL_CLIENT) != 0;
  X509_free(cert);
  if (uris != options.uris) {
    return absl::StrCat("its URI SAN is not ", absl::StrJoin(options.uris, ", "));
  }
  if (options.client && !client_ok) return "it does not allow client authentication";
  return "";
}

// Issues <stem>.pem/.key unless both exist and neither a new CA nor --force asks for a new one.
absl::Status PlanLeaf(const Config& config, const fs::path& dir, const std::string& stem,
                      bool ca_is_new, const pki::CertAndKey& ca, const pki::IssueOptions& options,
                      Plan& plan) {
  const fs::path cert = dir / (stem + ".pem");
  if (!ca_is_new && !config.force && Exists(cert) && Exists(dir / (stem + ".key"))) {
    absl::StatusOr<std::string> pem = ReadFile(cert);
    if (!pem.ok()) return pem.status();
    const std::string mismatch = LeafMismatch(*pem, options);
    if (mismatch.empty()) {
      plan.kept.push_back(cert);
      return absl::OkStatus();
    }
    std::cout << "note: reissuing " << cert.string() << ": " << mismatch << "\n";
  }
  absl::StatusOr<pki::CertAndKey> leaf = pki::IssueCert(ca, options);
  if (!leaf.ok()) {
    return absl::Status(leaf.status().code(),
                        absl::StrCat((dir / stem).string(), ": ", leaf.status().message()));
  }
  plan.writes.push_back(Pending{dir, stem, *std::move(leaf)});
  return absl::OkStatus();
}

// The envelope-signing key pair: kept when both halves exist and belong together, since its
// public half is published in the manifest; otherwise (or with --force) a new pair.
absl::Status PlanSigningKey(const Config& config, const fs::path& dir, Plan& plan,
                            std::string& public_pem) {
  const fs::path key = dir / "signing.key";
  const fs::path pub = dir / "signing.pub";
  if (!config.force && Exists(key) && Exists(pub)) {
    absl::StatusOr<std::string> key_pem = ReadFile(key);
    if (!key_pem.ok()) return key_pem.status();
    absl::StatusOr<std::string> pub_pem = ReadFile(pub);
    if (!pub_pem.ok()) return pub_pem.status();
    auto signer = crypto::Signer::FromPem(*key_pem);
    auto verifier = crypto::Verifier::FromPem(*pub_pem);
    absl::StatusOr<std::string> signature =
        signer.ok() ? (*signer)->Sign("enlace-devpki key pair check") : signer.status();
    if (!verifier.ok() || !signature.ok() ||
        !(*verifier)->Verify("enlace-devpki key pair check", *signature)) {
      return absl::FailedPreconditionError(
          absl::StrCat(key.string(), " and ", pub.string(),
                       " are not a matching Ed25519 key pair; remove both or pass --force"));
    }
    plan.kept.push_back(key);
    public_pem = *std::move(pub_pem);
    return absl::OkStatus();
  }
  // A key without its public half was never published (the crash-safe write order puts the
  // key first), so replacing it breaks nothing.
  absl::StatusOr<crypto::Ed25519KeyPair> pair = crypto::GenerateEd25519();
  if (!pair.ok()) return pair.status();
  public_pem = pair->public_pem;
  plan.signing_writes.push_back(PendingSigningKey{dir, *std::move(pair)});
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
  node.uris = {NodeIdentity(cc)};
  node.server = true;
  // The same certificate is presented to peers when this node connects to their federation
  // port (FederationConfig.cert_file defaults to api_tls's).
  node.client = true;
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

  std::string signing_public_pem;
  ENLACE_RETURN_IF_ERROR(PlanSigningKey(config, dir, plan, signing_public_pem));
  plan.material[cc] = CountryMaterial{ca.cert_pem, std::move(signing_public_pem)};

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

// Decides the manifest's content and version. Rewritten only when its text changes, so a
// re-run does not make every node reload it.
absl::Status PlanManifest(const Config& config, Plan& plan) {
  if (config.manifest.empty()) return absl::OkStatus();
  enlace::federation::v1::FederationManifest manifest;
  for (const std::string& cc : config.countries) {
    const CountryMaterial& m = plan.material.at(cc);
    enlace::federation::v1::Member* member = manifest.add_members();
    member->set_country(cc);
    member->set_federation_endpoint(config.federation_endpoints.at(cc));
    member->set_node_identity(NodeIdentity(cc));
    member->set_signing_public_key_pem(m.signing_public_pem);
    member->set_tls_ca_pem(m.ca_pem);
    if (cc == config.secretariat) {
      member->set_kind(enlace::federation::v1::MEMBER_KIND_SECRETARIAT);
    }
  }

  std::string previous_text;
  int64_t previous_version = 0;
  bool members_changed = true;
  if (Exists(config.manifest)) {
    absl::StatusOr<std::string> text = ReadFile(config.manifest);
    if (!text.ok()) return text.status();
    previous_text = *std::move(text);
    enlace::federation::v1::FederationManifest previous;
    if (!google::protobuf::TextFormat::ParseFromString(previous_text, &previous)) {
      return absl::FailedPreconditionError(absl::StrCat(
          config.manifest.string(), " is not a text-format FederationManifest; remove it"));
    }
    previous_version = previous.version();
    previous.clear_version();
    members_changed = !google::protobuf::util::MessageDifferencer::Equals(previous, manifest);
  }
  int64_t version = config.manifest_version;
  if (version == 0) {
    version = previous_version == 0 ? 1 : previous_version + (members_changed ? 1 : 0);
  } else if (version < previous_version) {
    std::cout << "warning: --manifest_version=" << version << " is older than version "
              << previous_version << " in " << config.manifest.string()
              << "; nodes running that version will refuse this manifest\n";
  }
  manifest.set_version(version);
  plan.manifest_version = version;

  std::string body;
  if (!google::protobuf::TextFormat::PrintToString(manifest, &body)) {
    return absl::InternalError("cannot print the manifest");
  }
  std::string text = absl::StrCat(
      "# proto-file: protos/enlace/federation/v1/manifest.proto\n"
      "# proto-message: enlace.federation.v1.FederationManifest\n"
      "#\n"
      "# Development federation written by enlace-devpki from its PKI; identical on every node.\n",
      body);
  if (text == previous_text) {
    plan.kept.push_back(config.manifest);
  } else {
    plan.manifest_text = std::move(text);
  }
  return absl::OkStatus();
}

absl::Status WriteSigningKey(const PendingSigningKey& pending) {
  std::error_code ec;
  fs::create_directories(pending.dir, ec);
  if (ec) {
    return absl::InternalError(absl::StrCat("creating ", pending.dir.string(), ": ", ec.message()));
  }
  // Key first, as for certificates: a crash in between leaves a key whose public half was
  // never published, and the next run replaces it.
  const fs::path key = pending.dir / "signing.key";
  const fs::path pub = pending.dir / "signing.pub";
  if (absl::Status s = pki::WriteFile(key.string(), pending.pair.private_pem, kKeyMode); !s.ok()) {
    return s;
  }
  if (absl::Status s = pki::WriteFile(pub.string(), pending.pair.public_pem, kCertMode); !s.ok()) {
    return s;
  }
  std::cout << "wrote " << pub.string() << " and " << key.string() << "\n";
  return absl::OkStatus();
}

// --revoke: the country's CA revokes its named clients' certificates.
int Revoke(const std::string& spec) {
  const fs::path out = absl::GetFlag(FLAGS_out);
  const size_t colon = spec.find(':');
  if (out.empty() || colon != 2) {
    std::cerr << "enlace-devpki: --revoke=CC:name,... needs --out and a country code\n";
    return 2;
  }
  const fs::path dir = out / spec.substr(0, 2);
  auto ca_cert = ReadFile(dir / "ca.pem");
  auto ca_key = ReadFile(dir / "ca.key");
  if (!ca_cert.ok() || !ca_key.ok()) {
    std::cerr << "enlace-devpki: no CA in " << dir.string() << "\n";
    return 1;
  }
  std::vector<std::string> revoked;
  for (absl::string_view name : absl::StrSplit(spec.substr(3), ',', absl::SkipEmpty())) {
    auto pem = ReadFile(dir / absl::StrCat(name, ".pem"));
    if (!pem.ok()) {
      std::cerr << "enlace-devpki: " << pem.status().message() << "\n";
      return 1;
    }
    revoked.push_back(*pem);
  }
  auto crl = pki::MakeCrl({*ca_cert, *ca_key}, revoked);
  if (!crl.ok()) {
    std::cerr << "enlace-devpki: " << crl.status() << "\n";
    return 1;
  }
  const fs::path path = dir / "revoked.pem";
  if (absl::Status s = pki::WriteFile(path.string(), *crl, kCertMode); !s.ok()) {
    std::cerr << "enlace-devpki: " << s << "\n";
    return 1;
  }
  std::cout << "wrote " << path.string() << " (" << revoked.size() << " revoked)\n";
  return 0;
}

int Run() {
  if (const std::string spec = absl::GetFlag(FLAGS_revoke); !spec.empty()) return Revoke(spec);
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
  if (absl::Status s = PlanManifest(*config, plan); !s.ok()) {
    std::cerr << "enlace-devpki: " << s << "\n";
    return 1;
  }
  for (const fs::path& path : plan.kept) std::cout << "kept  " << path.string() << "\n";
  for (const Pending& pending : plan.writes) {
    if (absl::Status s = Write(pending); !s.ok()) {
      std::cerr << "enlace-devpki: " << s << "\n";
      return 1;
    }
  }
  for (const PendingSigningKey& pending : plan.signing_writes) {
    if (absl::Status s = WriteSigningKey(pending); !s.ok()) {
      std::cerr << "enlace-devpki: " << s << "\n";
      return 1;
    }
  }
  // Last: the manifest publishes what was just written.
  if (!plan.manifest_text.empty()) {
    std::error_code ec;
    if (config->manifest.has_parent_path())
      fs::create_directories(config->manifest.parent_path(), ec);
    if (absl::Status s = pki::WriteFile(config->manifest.string(), plan.manifest_text, kCertMode);
        !s.ok()) {
      std::cerr << "enlace-devpki: " << s << "\n";
      return 1;
    }
    std::cout << "wrote " << config->manifest.string() << " (version " << plan.manifest_version
              << ", " << config->countries.size() << " members)\n";
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
      "identity, each with its .key (0600), and signing.key/signing.pub (Ed25519 envelope "
      "signing); with --manifest, the federation manifest of --countries. Existing files are "
      "kept unless --force.");
  // --help lists only flags from files named after the program; this file is devpki_main.cc.
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::EndsWith(file, "devpki_main.cc");
  };
  absl::SetFlagsUsageConfig(usage);
  absl::ParseCommandLine(argc, argv);
  return enlace::devpki::Run();
}
