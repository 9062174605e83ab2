#include "tools/enlacectl/client.h"

#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "common/audit/audit_log.h"
#include "common/crypto/signing.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tools/enlacectl/call.h"
#include "tools/enlacectl/commands.h"
#include "tools/enlacectl/format.h"

namespace enlace::cli {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(absl::StrCat("cannot read the ", what, " ", path));
  }
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (data.size() > (1 << 20)) {
    return absl::FailedPreconditionError(absl::StrCat(path, " is too large for a PEM file"));
  }
  return data;
}

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(const GlobalOptions& options) {
  grpc::SslCredentialsOptions tls;
  if (!options.ca_file.empty()) {
    auto ca = ReadPem(options.ca_file, "CA certificate (--ca)");
    if (!ca.ok()) return ca.status();
    tls.pem_root_certs = *ca;
  }
  if (!options.cert_file.empty()) {
    auto cert = ReadPem(options.cert_file, "client certificate (--cert)");
    if (!cert.ok()) return cert.status();
    auto key = ReadPem(options.key_file, "client key (--key)");
    if (!key.ok()) return key.status();
    tls.pem_cert_chain = *cert;
    tls.pem_private_key = *key;
  }
  grpc::ChannelArguments args;
  if (!options.server_name.empty()) args.SetSslTargetNameOverride(options.server_name);
  return grpc::CreateCustomChannel(options.server, grpc::SslCredentials(tls), args);
}

int Execute(const Command& command, const GlobalOptions& options,
            const std::shared_ptr<grpc::Channel>& channel, std::ostream& out, std::ostream& err) {
  if (command.rpc == Rpc::kHelp) {
    out << HelpText();
    return 0;
  }
  if (command.rpc == Rpc::kVerifyAuditFiles) return VerifyAuditFiles(command, options, out, err);
  Printer printer(options, out, err);
  const CommandSpec* spec = FindCommand(command.rpc);
  if (spec == nullptr) {
    return printer.Error(absl::InternalError("enlacectl bug: unhandled command"));
  }
  Session session{options, channel, printer, out, err};
  return spec->run(command, session);
}

int VerifyAuditFiles(const Command& command, const GlobalOptions& options, std::ostream& out,
                     std::ostream& err) {
  Printer printer(options, out, err);
  std::unique_ptr<crypto::Verifier> key;
  if (!command.verify_key_file.empty()) {
    auto pem = ReadPem(command.verify_key_file, "key (--verify_key)");
    if (!pem.ok()) return printer.Error(pem.status());
    // The node's own (private) key file is accepted too: its public half is derived.
    auto verifier = crypto::Verifier::FromPem(*pem);
    if (!verifier.ok()) {
      auto public_pem = crypto::Ed25519PublicPem(*pem);
      if (!public_pem.ok()) {
        return printer.Error(absl::InvalidArgumentError(
            absl::StrCat(command.verify_key_file, " holds no Ed25519 key in PEM")));
      }
      verifier = crypto::Verifier::FromPem(*public_pem);
      if (!verifier.ok()) return printer.Error(verifier.status());
    }
    key = *std::move(verifier);
  }
  auto report = audit::VerifyAuditLogFiles(command.data_dir, key.get());
  if (!report.ok()) return printer.Error(report.status());
  if (printer.json()) {
    if (int rc = printer.Json(audit::ReportToProto(*report)); rc != 0) return rc;
  } else {
    printer.Text(audit::FormatReport(*report));
  }
  return report->ok ? 0 : kAuditNotClean;
}

}  // namespace enlace::cli
