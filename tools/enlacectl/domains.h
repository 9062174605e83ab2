#ifndef ENLACE_TOOLS_ENLACECTL_DOMAINS_H_
#define ENLACE_TOOLS_ENLACECTL_DOMAINS_H_

// The commands of one domain beyond the core ones in commands.cc, each domain in its own file
// (children_commands.cc for enlace.children.v1, ...). Commands() is the core list followed by
// every domain's commands, in the order of Domains(); HelpText() prints each domain's help and
// values after the core ones. Adding a domain: its file defining a `const Domain& XDomain()`,
// its declaration and its line in Domains() (commands.cc), its Rpc values (cli.h), and its
// source in BUILD.bazel. Internal to enlacectl.

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/descriptor.h"
#include "tools/enlacectl/commands.h"

namespace enlace::cli {

struct Domain {
  std::vector<CommandSpec> commands;
  // Other spellings of the domain's nouns ("children" for "child").
  std::vector<std::pair<absl::string_view, absl::string_view>> noun_aliases;
  // Its section of `enlacectl help`: lines of commands, indented like the core ones.
  std::string help;
  // Its enums for the help's "Values" list: (what the key is called, the enum).
  std::vector<std::pair<std::string, const google::protobuf::EnumDescriptor*>> values;
};

// Every domain, in the order help and the command list show them.
const std::vector<const Domain*>& Domains();

// enlace.children.v1.ChildProtectionService: `child create|show|update|advance|...`
// (children_commands.cc).
const Domain& ChildrenDomain();

// enlace.workers.v1.TemporaryWorkersService: `employment`, `claim`, `employer|recruiter counts`,
// `outreach` (workers_commands.cc).
const Domain& WorkersDomain();

// enlace.stats.v1.StatsService and the secretariat's enlace.secretariat.v1.SecretariatService:
// `stats release|import`, `regional months|release` (stats_commands.cc).
const Domain& StatsDomain();

// enlace.backup.v1.BackupService: `backup create|list|verify` (backup_commands.cc).
const Domain& BackupDomain();

}  // namespace enlace::cli

#endif  // ENLACE_TOOLS_ENLACECTL_DOMAINS_H_
