#ifndef ENLACE_TOOLS_ENLACECTL_COMMANDS_H_
#define ENLACE_TOOLS_ENLACECTL_COMMANDS_H_

// THE table of enlacectl's commands: for each, its noun and verb, the Rpc it parses to, the
// function that builds its request from the positional NAME and the `key=value` arguments,
// and the runner that calls the stub method and prints the answer. ParseCommand (cli.cc) and
// Execute (client.cc) only look commands up here, so adding a command is one entry in
// commands.cc (plus its Rpc value, and its line in HelpText), or in its domain's own file
// (domains.h: children_commands.cc, ...). Internal to enlacectl.

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"
#include "tools/enlacectl/args.h"
#include "tools/enlacectl/call.h"
#include "tools/enlacectl/cli.h"

namespace enlace::cli {

// What a command's builder works with.
struct BuildInput {
  std::string name;  // "case create", "inbox": for messages
  const Words& words;
  Args& args;
  const ParseContext& context;
  // The command being parsed: rpc is the entry's; builders may set contact_parts, data_dir,
  // verify_key_file, or another rpc (`audit verify --data_dir`).
  Command& command;
  std::string parent;  // countries/{country}

  // The one positional word of a command on one resource (a NAME, a direction): "" and an
  // error when there is not exactly one.
  std::string Name(absl::string_view what);
  // For commands without positional words: an error for each one given.
  void NoName();
  // The positional words of a command that takes several (`crisis note CRISIS SUBJECT
  // STATUS`), one per entry of `what`; empty strings and one error when the count differs.
  std::vector<std::string> Names(const std::vector<absl::string_view>& what);
};

using Builder = std::function<std::unique_ptr<google::protobuf::Message>(BuildInput&)>;
// Calls the node and prints; returns the exit code (0, 1 when the call failed, ...).
using Runner = std::function<int(const Command&, Session&)>;

struct CommandSpec {
  absl::string_view noun;  // "person"; plurals and other spellings in NounAliases()
  absl::string_view verb;  // "create"; "" for a view without verbs (`inbox`)
  Rpc rpc;
  Builder build;
  Runner run;
  // Pages through results: --all is accepted.
  bool pages = false;
  // Another spelling of the verb ("acknowledge" for "ack").
  absl::string_view verb_alias = "";
  // Takes --data_dir and --verify_key.
  bool value_options = false;
  // Takes --restart (`crisis import`).
  bool restart = false;
  // Takes --incoming (`crisis assistance`; the builder reads BuildInput::words.incoming).
  bool incoming = false;
};

// Every command, in the order `enlacectl help` and error messages list them: the core ones
// of commands.cc, then each domain's (domains.h).
const std::vector<CommandSpec>& Commands();

// The command `noun verb` (noun already canonical; verb may be the alias), or null.
const CommandSpec* FindCommand(absl::string_view noun, absl::string_view verb);
// The entry that parses to `rpc`, or null (kHelp, kVerifyAuditFiles).
const CommandSpec* FindCommand(Rpc rpc);
// True when some command has this (canonical) noun.
bool IsNoun(absl::string_view noun);
// The canonical noun of `word` ("cases" -> "case"), `word` itself when it is no alias.
absl::string_view CanonicalNoun(absl::string_view word);
// "person create|get|..., case ..., inbox, help": the commands for error messages.
const std::string& CommandList();

}  // namespace enlace::cli

#endif  // ENLACE_TOOLS_ENLACECTL_COMMANDS_H_
