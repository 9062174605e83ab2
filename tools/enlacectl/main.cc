// enlacectl: the operator CLI of an Enlace node (cases, directory, federation admin, audit); see
// tools/enlacectl/README.md and docs/api.md.
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "tools/enlacectl/cli.h"
#include "tools/enlacectl/client.h"
#include "tools/enlacectl/format.h"

ABSL_FLAG(std::string, server, "",
          "Node API address host:port (default $ENLACE_SERVER, else localhost:7443).");
ABSL_FLAG(std::string, ca, "", "PEM of the CA that signed the node (default $ENLACE_CA).");
ABSL_FLAG(std::string, cert, "", "Client certificate PEM (default $ENLACE_CERT).");
ABSL_FLAG(std::string, key, "", "Client private key PEM (default $ENLACE_KEY).");
ABSL_FLAG(std::string, tls_dir, "",
          "Directory with ca.pem, <identity>.pem and <identity>.key (as enlace-devpki writes).");
ABSL_FLAG(std::string, identity, "admin", "File stem of the client certificate in --tls_dir.");
ABSL_FLAG(std::string, server_name, "",
          "TLS name to verify in the node's certificate instead of the host of --server.");
ABSL_FLAG(std::string, country, "MX", "The node's country: parents are countries/<country>.");
ABSL_FLAG(bool, json, false, "Print each response as one line of proto3 JSON.");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(10), "Deadline of every call.");

namespace {

constexpr int kUsageError = 2;

// Only the flags above are global flags; absl's own (--flagfile, ...) are not offered.
bool IsGlobalFlag(absl::string_view name) {
  for (absl::string_view f : {"server", "ca", "cert", "key", "tls_dir", "identity", "server_name",
                              "country", "json", "timeout"}) {
    if (name == f) return true;
  }
  return false;
}

// A command-line mistake, one line per problem; nothing has been sent.
int Usage(absl::string_view message) {
  for (absl::string_view line : absl::StrSplit(message, '\n')) {
    std::cerr << "enlacectl: " << line << "\n";
  }
  std::cerr << "(see `enlacectl help`)\n";
  return kUsageError;
}

}  // namespace

int main(int argc, char** argv) {
  // Flags are set one by one rather than with absl::ParseCommandLine, which exits with
  // status 1 on a bad flag; here every command-line mistake is exit code 2.
  std::vector<std::string> args(argv + 1, argv + argc);
  auto split = enlace::cli::SplitGlobalFlags(args, [](absl::string_view name) {
    if (!IsGlobalFlag(name)) return enlace::cli::FlagKind::kUnknown;
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr) return enlace::cli::FlagKind::kUnknown;
    return flag->IsOfType<bool>() ? enlace::cli::FlagKind::kBool : enlace::cli::FlagKind::kValue;
  });
  if (!split.ok()) return Usage(split.status().message());
  if (split->help) {
    std::cout << enlace::cli::HelpText();
    return 0;
  }
  for (const auto& [name, value] : split->flags) {
    std::string error;
    if (!absl::FindCommandLineFlag(name)->ParseFrom(value, &error)) {
      return Usage(absl::StrCat("--", name, "=", value, ": ", error));
    }
  }
  enlace::cli::FlagValues flags;
  flags.server = absl::GetFlag(FLAGS_server);
  flags.ca = absl::GetFlag(FLAGS_ca);
  flags.cert = absl::GetFlag(FLAGS_cert);
  flags.key = absl::GetFlag(FLAGS_key);
  flags.tls_dir = absl::GetFlag(FLAGS_tls_dir);
  flags.identity = absl::GetFlag(FLAGS_identity);
  flags.server_name = absl::GetFlag(FLAGS_server_name);
  flags.country = absl::GetFlag(FLAGS_country);
  flags.json = absl::GetFlag(FLAGS_json);
  flags.timeout = absl::GetFlag(FLAGS_timeout);
  auto options = enlace::cli::ResolveOptions(flags, [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v == nullptr ? "" : v);
  });
  if (!options.ok()) return Usage(options.status().message());

  enlace::cli::ParseContext context;
  context.country = options->country;
  context.now = absl::Now();
  auto command = enlace::cli::ParseCommand(split->words, context);
  if (!command.ok()) return Usage(command.status().message());
  if (command->rpc == enlace::cli::Rpc::kHelp) {
    std::cout << enlace::cli::HelpText();
    return 0;
  }
  if (command->rpc == enlace::cli::Rpc::kVerifyAuditFiles) {
    return enlace::cli::VerifyAuditFiles(*command, *options, std::cout, std::cerr);
  }
  auto channel = enlace::cli::Connect(*options);
  if (!channel.ok()) return Usage(channel.status().message());
  return enlace::cli::Execute(*command, *options, *channel, std::cout, std::cerr);
}
