#include "tools/enlacectl/cli.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/status/macros.h"
#include "tools/enlacectl/args.h"
#include "tools/enlacectl/commands.h"

namespace enlace::cli {
namespace {

using google::protobuf::EnumDescriptor;

// The prefix every value of an enum shares, taken from its zero value ("CATEGORY_" from
// CATEGORY_UNSPECIFIED), as buf's ENUM_VALUE_PREFIX rule guarantees.
std::string EnumPrefix(const EnumDescriptor* type) {
  const auto* zero = type->FindValueByNumber(0);
  if (zero == nullptr) return "";
  absl::string_view name = zero->name();
  if (!absl::ConsumeSuffix(&name, "UNSPECIFIED")) return "";
  return std::string(name);
}

}  // namespace

// ---------------------------------------------------------------- values

absl::StatusOr<int> ParseEnumValue(const EnumDescriptor* type, absl::string_view word,
                                   absl::string_view key) {
  std::string upper = Upper(absl::StripAsciiWhitespace(word));
  std::replace(upper.begin(), upper.end(), '-', '_');
  const std::string prefix = EnumPrefix(type);
  const auto* value = type->FindValueByName(prefix + upper);
  if (value == nullptr && absl::StartsWith(upper, prefix)) value = type->FindValueByName(upper);
  if (value == nullptr || value->number() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(key, ": unknown value \"", word, "\"; one of: ",
                                                   absl::StrJoin(EnumValueNames(type), ", ")));
  }
  return value->number();
}

std::string EnumValueName(const EnumDescriptor* type, int number) {
  const auto* value = type->FindValueByNumber(number);
  if (value == nullptr) return absl::StrCat(number);
  absl::string_view name = value->name();
  absl::ConsumePrefix(&name, EnumPrefix(type));
  return absl::AsciiStrToLower(name);
}

std::vector<std::string> EnumValueNames(const EnumDescriptor* type) {
  std::vector<std::string> out;
  for (int i = 0; i < type->value_count(); ++i) {
    if (type->value(i)->number() != 0) out.push_back(EnumValueName(type, type->value(i)->number()));
  }
  return out;
}

absl::StatusOr<v1::IdentityDocument> ParseDocument(absl::string_view spec) {
  std::vector<std::string> parts = absl::StrSplit(spec, ':');
  if (parts.size() < 3 || parts.size() > 4 || parts[1].empty() || parts[2].empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("doc: \"", spec,
                     "\" is not TYPE:NUMBER:COUNTRY[:EXPIRE_DATE] (e.g. passport:G1234567:MX)"));
  }
  auto type = ParseEnumValue(v1::DocumentType_descriptor(), parts[0], "doc type");
  if (!type.ok()) return type.status();
  v1::IdentityDocument d;
  d.set_type(static_cast<v1::DocumentType>(*type));
  d.set_number(parts[1]);
  d.set_issuing_country(Upper(parts[2]));
  if (parts.size() == 4) d.set_expire_date(parts[3]);
  return d;
}

std::string FormatDocument(const v1::IdentityDocument& d) {
  std::string out = absl::StrCat(EnumValueName(v1::DocumentType_descriptor(), d.type()), ":",
                                 d.number(), ":", d.issuing_country());
  if (!d.expire_date().empty()) absl::StrAppend(&out, ":", d.expire_date());
  return out;
}

absl::StatusOr<google::protobuf::Timestamp> ParseTime(absl::string_view text) {
  absl::Time t;
  std::string error;
  const std::string s(absl::StripAsciiWhitespace(text));
  if (absl::ParseTime(absl::RFC3339_full, s, &t, &error) ||
      absl::ParseTime("%Y-%m-%d", s, absl::UTCTimeZone(), &t, &error)) {
    return ToTimestamp(t);
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "\"", text, "\" is not an RFC 3339 time (2026-03-01T10:00:00Z) or a date (2026-03-01)"));
}

std::string ExpandName(absl::string_view name_or_id, absl::string_view country,
                       absl::string_view collection) {
  if (absl::StrContains(name_or_id, '/')) return std::string(name_or_id);
  return absl::StrCat("countries/", country, "/", collection, "/", name_or_id);
}

// ---------------------------------------------------------------- global flags

absl::StatusOr<SplitArgs> SplitGlobalFlags(const std::vector<std::string>& args,
                                           const std::function<FlagKind(absl::string_view)>& kind) {
  SplitArgs out;
  bool flags_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (flags_ended || arg.size() < 2 || arg[0] != '-') {
      out.words.push_back(arg);
      continue;
    }
    if (arg == "--") {
      flags_ended = true;
      continue;
    }
    absl::string_view body = arg;
    if (!absl::ConsumePrefix(&body, "--")) absl::ConsumePrefix(&body, "-");
    std::string name(body.substr(0, body.find('=')));
    std::replace(name.begin(), name.end(), '-', '_');
    const bool has_value = body.find('=') != absl::string_view::npos;
    const std::string value = has_value ? std::string(body.substr(body.find('=') + 1)) : "";
    if ((name == "all" || name == "restart" || name == "incoming") && !has_value) {
      out.words.push_back(absl::StrCat("--", name));
      continue;
    }
    if (IsValueOption(name)) {
      if (!has_value && i + 1 >= args.size()) {
        return absl::InvalidArgumentError(absl::StrCat("flag --", name, " needs a value"));
      }
      out.words.push_back(absl::StrCat("--", name, "=", has_value ? value : args[++i]));
      continue;
    }
    if (name == "help" || name == "h") {
      out.help = true;
      continue;
    }
    FlagKind k = kind(name);
    if (k == FlagKind::kUnknown && !has_value && absl::StartsWith(name, "no") &&
        kind(name.substr(2)) == FlagKind::kBool) {
      out.flags.emplace_back(name.substr(2), "false");
      continue;
    }
    switch (k) {
      case FlagKind::kUnknown:
        // `--title T` for a command's field: say how fields are written.
        return absl::InvalidArgumentError(absl::StrCat(
            "unknown flag --", name, " (a command's fields are written key=value, e.g. ", name, "=",
            has_value ? value : "VALUE", ")"));
      case FlagKind::kBool:
        out.flags.emplace_back(name, has_value ? value : "true");
        break;
      case FlagKind::kValue:
        if (has_value) {
          out.flags.emplace_back(name, value);
        } else if (i + 1 < args.size()) {
          out.flags.emplace_back(name, args[++i]);
        } else {
          return absl::InvalidArgumentError(absl::StrCat("flag --", name, " needs a value"));
        }
        break;
    }
  }
  return out;
}

absl::StatusOr<GlobalOptions> ResolveOptions(
    const FlagValues& flags, const std::function<std::string(const char*)>& getenv) {
  GlobalOptions o;
  o.server = !flags.server.empty() ? flags.server : getenv("ENLACE_SERVER");
  if (o.server.empty()) o.server = kDefaultServer;
  if (flags.identity.empty() || absl::StrContains(flags.identity, '/')) {
    return absl::InvalidArgumentError("--identity must be a file stem such as \"admin\"");
  }
  auto pick = [&](const std::string& flag, const std::string& in_dir, const char* env) {
    if (!flag.empty()) return flag;
    if (!flags.tls_dir.empty()) return absl::StrCat(flags.tls_dir, "/", in_dir);
    return getenv(env);
  };
  o.ca_file = pick(flags.ca, "ca.pem", "ENLACE_CA");
  o.cert_file = pick(flags.cert, flags.identity + ".pem", "ENLACE_CERT");
  o.key_file = pick(flags.key, flags.identity + ".key", "ENLACE_KEY");
  if (o.cert_file.empty() != o.key_file.empty()) {
    return absl::InvalidArgumentError(
        "--cert and --key go together (or ENLACE_CERT and ENLACE_KEY, or --tls_dir)");
  }
  o.server_name = flags.server_name;
  o.country = Upper(flags.country);
  if (o.country.size() != 2 || !absl::ascii_isalpha(o.country[0]) ||
      !absl::ascii_isalpha(o.country[1])) {
    return absl::InvalidArgumentError(
        absl::StrCat("--country \"", flags.country, "\" is not an ISO 3166-1 alpha-2 code"));
  }
  if (flags.timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("--timeout must be positive (e.g. 10s, 1m)");
  }
  o.timeout = flags.timeout;
  o.json = flags.json;
  return o;
}

// ---------------------------------------------------------------- subcommands

absl::StatusOr<Command> ParseCommand(const std::vector<std::string>& words,
                                     const ParseContext& context) {
  Command cmd;
  if (words.empty()) {
    return absl::InvalidArgumentError(absl::StrCat("no command given; commands: ", CommandList()));
  }
  if (words[0] == "help") return cmd;
  const absl::string_view noun = CanonicalNoun(words[0]);
  if (!IsNoun(noun)) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown command \"", words[0], "\"; commands: ", CommandList()));
  }
  // A view such as `inbox` takes no verb.
  const bool has_verb = FindCommand(noun, "") == nullptr;
  if (has_verb && words.size() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("`", noun, "` needs a verb; commands: ", CommandList()));
  }
  const CommandSpec* spec = FindCommand(noun, has_verb ? words[1] : "");
  const std::string name = has_verb
                               ? absl::StrCat(noun, " ", spec != nullptr ? spec->verb : words[1])
                               : std::string(noun);
  const Words w = SplitWords(words, has_verb ? 2 : 1);
  Args args(name, w.pairs);
  for (const auto& o : w.options) {
    args.Error(absl::StrCat("unknown option ", o, " for `", name, "`"));
  }
  if (spec == nullptr || !spec->value_options) {
    for (const auto& [k, v] : w.value_options) {
      args.Error(absl::StrCat("--", k, " applies only to `audit verify`"));
    }
  }
  if (spec == nullptr) {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown command `", name, "`; commands: ", CommandList()));
  }
  if (w.all && !spec->pages) args.Error("--all applies only to list and search commands");
  if (w.restart && !spec->restart) args.Error("--restart applies only to `crisis import`");
  if (w.incoming && !spec->incoming) {
    args.Error("--incoming applies only to `crisis assistance`");
  }
  cmd.all_pages = w.all;
  cmd.import.restart = w.restart;
  cmd.rpc = spec->rpc;
  BuildInput in{name, w, args, context, cmd, absl::StrCat("countries/", context.country)};
  cmd.request = spec->build(in);
  ENLACE_RETURN_IF_ERROR(args.Finish());
  return cmd;
}

}  // namespace enlace::cli
