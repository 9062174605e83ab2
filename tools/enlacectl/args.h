#ifndef ENLACE_TOOLS_ENLACECTL_ARGS_H_
#define ENLACE_TOOLS_ENLACECTL_ARGS_H_

// The words of one enlacectl command after its noun and verb: positional words, `key=value`
// arguments and subcommand options, and how `key=value` arguments set request fields through
// the descriptors. Internal to enlacectl (cli.cc parses with it, commands.cc declares each
// command's keys with it).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "tools/enlacectl/cli.h"

namespace enlace::cli {

// How a key's value is read beyond what the field's type says.
enum KeyFlags : unsigned {
  kPlain = 0,
  kCountryCode = 1 << 0,  // ISO 3166-1 alpha-2, upper-cased for convenience
  kDocument = 1 << 1,     // type:number:country[:expire_date]
  kConsent = 1 << 2,      // giver:scope,scope or "none"
  kPersonName = 1 << 3,   // a person id or full name
};

// A `key=value` argument a command accepts: its names (the first is the one help shows) and
// the field path it sets in the command's resource or request.
struct Key {
  std::vector<absl::string_view> names;
  absl::string_view path;
  unsigned flags = kPlain;
};

// The `key=value` words of one command: hands out values by key, remembers which keys the
// command knows, and collects every problem so the operator sees all of them at once.
class Args {
 public:
  Args(std::string command, std::vector<std::pair<std::string, std::string>> pairs)
      : command_(std::move(command)), pairs_(std::move(pairs)), used_(pairs_.size(), false) {}

  // Every value given under any of `names`, in order.
  std::vector<std::string> Take(const std::vector<absl::string_view>& names);

  // The value of a key that may appear once.
  std::optional<std::string> TakeOne(const std::vector<absl::string_view>& names);

  void Error(std::string message) { errors_.push_back(std::move(message)); }
  bool ok() const { return errors_.empty(); }

  // OK, or INVALID_ARGUMENT listing every problem, including keys the command does not know.
  absl::Status Finish();

 private:
  std::string command_;
  std::vector<std::pair<std::string, std::string>> pairs_;
  std::vector<bool> used_;
  std::vector<std::string> known_;
  std::vector<std::string> errors_;
};

// Applies the keys of `specs` found in `args` to `message`; adds the top-level field of each
// key given to `mask` (the update mask of an update command).
void ApplyKeys(Args& args, const std::vector<Key>& specs, google::protobuf::Message* message,
               const ParseContext& context, std::vector<std::string>* mask);

// consent_* keys fill in the record that consent=GIVER:SCOPES makes; alone they would send a
// consent without giver or scopes.
bool ConsentPartsWithoutConsent(const std::vector<std::pair<std::string, std::string>>& pairs);

// Fills in what the operator did not have to type: consent obtained now, unless told.
void DefaultConsentTime(v1::Case* c, const ParseContext& context);

// Subcommand options that take a value (see SplitGlobalFlags).
bool IsValueOption(absl::string_view name);

struct Words {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::vector<std::string> positional;
  bool all = false;
  bool restart = false;   // --restart (`crisis import`)
  bool incoming = false;  // --incoming (`crisis assistance`)
  // --data_dir=V, --verify_key=V (only `audit verify` takes them).
  std::vector<std::pair<std::string, std::string>> value_options;
  std::vector<std::string> options;  // other -x words (errors)
};

// The words from `from` on: --all, --restart, --incoming, value options, other options,
// key=value pairs, the rest.
Words SplitWords(const std::vector<std::string>& words, size_t from);

bool IsCountryCode(absl::string_view s);

// The contact parts among `pairs` (phone, email, website, address), in the order given.
std::vector<std::string> ContactParts(const std::vector<std::pair<std::string, std::string>>& pairs,
                                      bool with_website);

std::string Upper(absl::string_view s);

google::protobuf::Timestamp ToTimestamp(absl::Time t);

}  // namespace enlace::cli

#endif  // ENLACE_TOOLS_ENLACECTL_ARGS_H_
