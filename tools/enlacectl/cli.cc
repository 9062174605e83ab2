#include "tools/enlacectl/cli.h"

#include <algorithm>
#include <optional>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "google/protobuf/reflection.h"

namespace enlace::cli {
namespace {

using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

// The prefix every value of an enum shares, taken from its zero value ("CATEGORY_" from
// CATEGORY_UNSPECIFIED), as buf's ENUM_VALUE_PREFIX rule guarantees.
std::string EnumPrefix(const EnumDescriptor* type) {
  const auto* zero = type->FindValueByNumber(0);
  if (zero == nullptr) return "";
  absl::string_view name = zero->name();
  if (!absl::ConsumeSuffix(&name, "UNSPECIFIED")) return "";
  return std::string(name);
}

// ---- key=value arguments

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

const std::vector<Key>& PersonKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"given_names"}, "given_names"},
      {{"family_names"}, "family_names"},
      {{"sex"}, "sex"},
      {{"birth_date"}, "birth_date"},
      {{"age_band"}, "age_band"},
      {{"nationality", "nationalities"}, "nationalities", kCountryCode},
      {{"doc", "document", "documents"}, "documents", kDocument},
      {{"language", "languages"}, "languages"},
      {{"protection", "international_protection"}, "international_protection"},
      {{"vulnerability", "vulnerabilities"}, "vulnerabilities"},
      {{"phone"}, "contact.phone"},
      {{"email"}, "contact.email"},
      {{"address"}, "contact.address"},
  };
  return *keys;
}

const std::vector<Key>& CaseKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"post"}, "post"},
      {{"host_country"}, "host_country", kCountryCode},
      {{"place"}, "place"},
      {{"category"}, "category"},
      {{"subtype"}, "subtype"},
      {{"status"}, "status"},
      {{"risk"}, "risk"},
      {{"urgent"}, "urgent"},
      {{"legal_basis"}, "legal_basis"},
      // "consent" first: it creates (or clears) the record the consent_* keys fill in.
      {{"consent"}, "consent", kConsent},
      {{"consent_giver_name"}, "consent.giver_name"},
      {{"consent_withheld"}, "consent.withheld_items"},
      {{"consent_obtain_time"}, "consent.obtain_time"},
      {{"consent_expire_time"}, "consent.expire_time"},
      {{"summary"}, "summary"},
  };
  return *keys;
}

const std::vector<Key>& ActionKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"type"}, "type"},       {{"officer"}, "officer"},
      {{"outcome"}, "outcome"}, {{"occur_time"}, "occur_time"},
      {{"note"}, "note"},       {{"post"}, "post"},
  };
  return *keys;
}

const std::vector<Key>& SearchKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"name"}, "name_query"},       {{"doc", "document"}, "document", kDocument},
      {{"birth_date"}, "birth_date"}, {{"page_size"}, "page_size"},
      {{"page_token"}, "page_token"},
  };
  return *keys;
}

const std::vector<Key>& ListCasesKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"post"}, "post"},
      {{"status"}, "status"},
      {{"category"}, "category"},
      {{"person"}, "person", kPersonName},
      {{"since"}, "open_time_start"},
      {{"until"}, "open_time_end"},
      {{"page_size"}, "page_size"},
      {{"page_token"}, "page_token"},
  };
  return *keys;
}

const std::vector<Key>& CloseKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"resolution"}, "resolution"},
      {{"note", "resolution_note"}, "resolution_note"},
      {{"etag"}, "etag"},
  };
  return *keys;
}

const std::vector<Key>& OrganisationKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"display_name"}, "display_name"},
      {{"type"}, "type"},
      {{"service", "services"}, "services"},
      {{"area", "areas"}, "areas", kCountryCode},
      {{"language", "languages"}, "languages"},
      {{"phone"}, "contact.phone"},
      {{"email"}, "contact.email"},
      {{"website"}, "contact.website"},
      {{"address"}, "contact.address"},
      {{"description"}, "description"},
  };
  return *keys;
}

const std::vector<Key>& ListOrganisationsKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"type"}, "type"},           {{"service"}, "service"},     {{"area"}, "area", kCountryCode},
      {{"query", "name"}, "query"}, {{"page_size"}, "page_size"}, {{"page_token"}, "page_token"},
  };
  return *keys;
}

const std::vector<Key>& QuarantineKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"sender"}, "sender", kCountryCode},
      {{"page_size"}, "page_size"},
  };
  return *keys;
}

const std::vector<Key>& AuditListKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"resource"}, "resource"},     {{"actor"}, "actor"},
      {{"since"}, "start_time"},      {{"until"}, "end_time"},
      {{"page_size"}, "page_size"},   {{"page_token"}, "page_token"},
  };
  return *keys;
}

// A consular notification: the person (never the local contact, which the host keeps), the
// event, where and by whom.
const std::vector<Key>& NotificationKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"national", "national_country"}, "national_country", kCountryCode},
      {{"event"}, "event"},
      {{"given_names"}, "person.given_names"},
      {{"family_names"}, "person.family_names"},
      {{"sex"}, "person.sex"},
      {{"birth_date"}, "person.birth_date"},
      {{"age_band"}, "person.age_band"},
      {{"nationality", "nationalities"}, "person.nationalities", kCountryCode},
      {{"doc", "document", "documents"}, "person.documents", kDocument},
      {{"language", "languages"}, "person.languages"},
      {{"protection", "international_protection"}, "person.international_protection"},
      {{"vulnerability", "vulnerabilities"}, "person.vulnerabilities"},
      {{"place"}, "place"},
      {{"area"}, "area", kCountryCode},
      {{"authority"}, "authority"},
      {{"event_time"}, "event_time"},
      {{"rights_informed_time"}, "rights_informed_time"},
      {{"contact", "consular_contact"}, "consular_contact"},
  };
  return *keys;
}

// Incoming or outgoing lists of notifications and referrals.
const std::vector<Key>& InboxListKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"post"}, "post", kCountryCode},
      {{"page_size"}, "page_size"},
      {{"page_token"}, "page_token"},
  };
  return *keys;
}

const std::vector<Key>& ReferralKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"to_country"}, "to_country", kCountryCode},
      {{"to_post"}, "to_post", kCountryCode},
      {{"service"}, "service"},
      {{"fields", "disclosed_fields"}, "disclosed_fields"},
      {{"purpose"}, "purpose"},
      {{"expire_time"}, "expire_time"},
  };
  return *keys;
}

const std::vector<Key>& TransferKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"to_country"}, "to_country", kCountryCode},
      {{"to_post"}, "to_post", kCountryCode},
      {{"reason"}, "reason"},
  };
  return *keys;
}

const std::vector<Key>& ReferralOutcomeKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"outcome"}, "outcome"},
      {{"note"}, "note"},
  };
  return *keys;
}

const std::vector<Key>& PageKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"page_size"}, "page_size"},
      {{"page_token"}, "page_token"},
  };
  return *keys;
}

// The `key=value` words of one command: hands out values by key, remembers which keys the
// command knows, and collects every problem so the operator sees all of them at once.
class Args {
 public:
  Args(std::string command, std::vector<std::pair<std::string, std::string>> pairs)
      : command_(std::move(command)), pairs_(std::move(pairs)), used_(pairs_.size(), false) {}

  // Every value given under any of `names`, in order.
  std::vector<std::string> Take(const std::vector<absl::string_view>& names) {
    known_.emplace_back(names.front());
    std::vector<std::string> out;
    for (size_t i = 0; i < pairs_.size(); ++i) {
      if (std::find(names.begin(), names.end(), pairs_[i].first) != names.end()) {
        used_[i] = true;
        out.push_back(pairs_[i].second);
      }
    }
    return out;
  }

  // The value of a key that may appear once.
  std::optional<std::string> TakeOne(const std::vector<absl::string_view>& names) {
    std::vector<std::string> values = Take(names);
    if (values.empty()) return std::nullopt;
    if (values.size() > 1) Error(absl::StrCat(names.front(), ": given more than once"));
    return values.front();
  }

  void Error(std::string message) { errors_.push_back(std::move(message)); }
  bool ok() const { return errors_.empty(); }

  // OK, or INVALID_ARGUMENT listing every problem, including keys the command does not know.
  absl::Status Finish() {
    for (size_t i = 0; i < pairs_.size(); ++i) {
      if (!used_[i]) {
        Error(absl::StrCat("unknown key \"", pairs_[i].first, "\" for `", command_,
                           "`; known keys: ", absl::StrJoin(known_, ", ")));
      }
    }
    if (errors_.empty()) return absl::OkStatus();
    return absl::InvalidArgumentError(absl::StrJoin(errors_, "\n"));
  }

 private:
  std::string command_;
  std::vector<std::pair<std::string, std::string>> pairs_;
  std::vector<bool> used_;
  std::vector<std::string> known_;
  std::vector<std::string> errors_;
};

std::string Upper(absl::string_view s) { return absl::AsciiStrToUpper(s); }

google::protobuf::Timestamp ToTimestamp(absl::Time t) {
  google::protobuf::Timestamp ts;
  const int64_t micros = absl::ToUnixMicros(t);
  int64_t secs = micros / 1000000;
  int64_t rem = micros % 1000000;
  if (rem < 0) {
    rem += 1000000;
    --secs;
  }
  ts.set_seconds(secs);
  ts.set_nanos(static_cast<int32_t>(rem * 1000));
  return ts;
}

// The field `path` ("contact.phone") names under `type`, or null.
const FieldDescriptor* FieldOfPath(const google::protobuf::Descriptor* type,
                                   absl::string_view path) {
  const FieldDescriptor* field = nullptr;
  for (absl::string_view part : absl::StrSplit(path, '.')) {
    if (type == nullptr) return nullptr;
    field = type->FindFieldByName(std::string(part));
    if (field == nullptr) return nullptr;
    type = field->message_type();
  }
  return field;
}

// The message that holds the last field of `path`, creating the ones on the way.
Message* ParentOfPath(Message* message, absl::string_view path) {
  std::vector<absl::string_view> parts = absl::StrSplit(path, '.');
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    const FieldDescriptor* f = message->GetDescriptor()->FindFieldByName(std::string(parts[i]));
    message = message->GetReflection()->MutableMessage(message, f);
  }
  return message;
}

absl::Status ParseConsent(absl::string_view value, v1::Consent* consent) {
  std::vector<absl::string_view> parts = absl::StrSplit(value, absl::MaxSplits(':', 1));
  if (parts.size() != 2 || parts[0].empty() || parts[1].empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("consent: \"", value,
                     "\" is not GIVER:SCOPE[,SCOPE...] (e.g. person:services,family), "
                     "or none"));
  }
  auto giver = ParseEnumValue(v1::ConsentGiver_descriptor(), parts[0], "consent giver");
  if (!giver.ok()) return giver.status();
  consent->set_given_by(static_cast<v1::ConsentGiver>(*giver));
  for (absl::string_view s : absl::StrSplit(parts[1], ',', absl::SkipWhitespace())) {
    auto scope = ParseEnumValue(v1::ConsentScope_descriptor(), s, "consent scope");
    if (!scope.ok()) return scope.status();
    consent->add_scopes(static_cast<v1::ConsentScope>(*scope));
  }
  return absl::OkStatus();
}

// Sets one scalar (or one element of a repeated field) from its text.
absl::Status SetValue(Message* message, const FieldDescriptor* field, absl::string_view key,
                      std::string value, const Key& spec, const ParseContext& context) {
  const auto* reflection = message->GetReflection();
  const bool repeated = field->is_repeated();
  if (spec.flags & kCountryCode) value = Upper(value);
  if (spec.flags & kPersonName) value = ExpandName(value, context.country, "persons");
  if (spec.flags & kDocument) {
    auto doc = ParseDocument(value);
    if (!doc.ok()) return doc.status();
    Message* target = repeated ? reflection->AddMessage(message, field)
                               : reflection->MutableMessage(message, field);
    target->CopyFrom(*doc);
    return absl::OkStatus();
  }
  switch (field->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      if (repeated) {
        reflection->AddString(message, field, value);
      } else {
        reflection->SetString(message, field, value);
      }
      return absl::OkStatus();
    case FieldDescriptor::CPPTYPE_ENUM: {
      int number = 0;
      if (!value.empty() || repeated) {
        auto parsed = ParseEnumValue(field->enum_type(), value, key);
        if (!parsed.ok()) return parsed.status();
        number = *parsed;
      }
      if (repeated) {
        reflection->AddEnumValue(message, field, number);
      } else {
        reflection->SetEnumValue(message, field, number);
      }
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      bool b = false;
      if (!value.empty() && !absl::SimpleAtob(value, &b)) {
        return absl::InvalidArgumentError(
            absl::StrCat(key, ": \"", value, "\" is not true/false (or yes/no)"));
      }
      reflection->SetBool(message, field, b);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_INT32: {
      int32_t n = 0;
      if (!value.empty() && !absl::SimpleAtoi(value, &n)) {
        return absl::InvalidArgumentError(absl::StrCat(key, ": \"", value, "\" is not a number"));
      }
      reflection->SetInt32(message, field, n);
      return absl::OkStatus();
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (field->message_type()->full_name() == "google.protobuf.Timestamp") {
        if (value.empty()) {
          reflection->ClearField(message, field);
          return absl::OkStatus();
        }
        auto t = ParseTime(value);
        if (!t.ok())
          return absl::InvalidArgumentError(absl::StrCat(key, ": ", t.status().message()));
        reflection->MutableMessage(message, field)->CopyFrom(*t);
        return absl::OkStatus();
      }
      break;
    default:
      break;
  }
  return absl::InternalError(absl::StrCat("enlacectl bug: cannot set ", field->full_name()));
}

// Applies the keys of `specs` found in `args` to `message`; adds the top-level field of each
// key given to `mask` (the update mask of an update command).
void ApplyKeys(Args& args, const std::vector<Key>& specs, Message* message,
               const ParseContext& context, std::vector<std::string>* mask) {
  for (const Key& spec : specs) {
    const FieldDescriptor* field = FieldOfPath(message->GetDescriptor(), spec.path);
    if (field == nullptr) {
      args.Error(absl::StrCat("enlacectl bug: no field ", spec.path, " in ",
                              message->GetDescriptor()->full_name()));
      continue;
    }
    std::vector<std::string> values;
    if (field->is_repeated()) {
      values = args.Take(spec.names);
    } else if (auto one = args.TakeOne(spec.names)) {
      values.push_back(*one);
    }
    if (values.empty()) continue;
    const absl::string_view key = spec.names.front();
    Message* target = ParentOfPath(message, spec.path);
    if (mask != nullptr) {
      std::string top(spec.path.substr(0, spec.path.find('.')));
      if (std::find(mask->begin(), mask->end(), top) == mask->end()) mask->push_back(top);
    }
    if (spec.flags & kConsent) {
      // "consent=none" (or empty) clears the record; otherwise it is built afresh.
      auto* reflection = target->GetReflection();
      reflection->ClearField(target, field);
      if (values.front() == "none" || values.front().empty()) continue;
      absl::Status s = ParseConsent(
          values.front(), static_cast<v1::Consent*>(reflection->MutableMessage(target, field)));
      if (!s.ok()) args.Error(std::string(s.message()));
      continue;
    }
    if (field->is_repeated()) {
      // key=a,b and key=a key=b both add; an empty value clears the list (in updates).
      target->GetReflection()->ClearField(target, field);
      for (const std::string& v : values) {
        for (absl::string_view item : absl::StrSplit(v, ',', absl::SkipWhitespace())) {
          absl::Status s = SetValue(target, field, key,
                                    std::string(absl::StripAsciiWhitespace(item)), spec, context);
          if (!s.ok()) args.Error(std::string(s.message()));
        }
      }
      continue;
    }
    absl::Status s = SetValue(target, field, key, values.front(), spec, context);
    if (!s.ok()) args.Error(std::string(s.message()));
  }
}

// consent_* keys fill in the record that consent=GIVER:SCOPES makes; alone they would send a
// consent without giver or scopes.
bool ConsentPartsWithoutConsent(const std::vector<std::pair<std::string, std::string>>& pairs) {
  bool consent = false;
  bool parts = false;
  for (const auto& [k, v] : pairs) {
    consent |= k == "consent" && v != "none" && !v.empty();
    parts |= absl::StartsWith(k, "consent_");
  }
  return parts && !consent;
}

// Fills in what the operator did not have to type: consent obtained now, unless told.
void DefaultConsentTime(v1::Case* c, const ParseContext& context) {
  if (c->has_consent() && c->consent().given_by() != 0 && !c->consent().has_obtain_time()) {
    *c->mutable_consent()->mutable_obtain_time() = ToTimestamp(context.now);
  }
}

// Subcommand options that take a value (see SplitGlobalFlags).
bool IsValueOption(absl::string_view name) { return name == "data_dir" || name == "verify_key"; }

struct Words {
  std::vector<std::pair<std::string, std::string>> pairs;
  std::vector<std::string> positional;
  bool all = false;
  // --data_dir=V, --verify_key=V (only `audit verify` takes them).
  std::vector<std::pair<std::string, std::string>> value_options;
  std::vector<std::string> options;  // other -x words (errors)
};

Words SplitWords(const std::vector<std::string>& words, size_t from) {
  Words w;
  for (size_t i = from; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word == "--all") {
      w.all = true;
    } else if (size_t eq = word.find('='); absl::StartsWith(word, "--") &&
               eq != std::string::npos && IsValueOption(word.substr(2, eq - 2))) {
      w.value_options.emplace_back(word.substr(2, eq - 2), word.substr(eq + 1));
    } else if (absl::StartsWith(word, "-")) {
      w.options.push_back(word);
    } else if (size_t eq = word.find('='); eq != std::string::npos && eq > 0) {
      w.pairs.emplace_back(word.substr(0, eq), word.substr(eq + 1));
    } else {
      w.positional.push_back(word);
    }
  }
  return w;
}

constexpr char kVerbs[] =
    "person create|get|update|search|erase|grant, case create|get|list|update|close, "
    "action add|list, org create|get|update|delete|list, federation status|quarantine|resume, "
    "audit list|verify, "
    "notification send|get|list|ack, referral create|get|list|accept|reject|start|complete|revoke, "
    "transfer create|get|list|accept|decline, inbox, help";

bool IsCountryCode(absl::string_view s) {
  return s.size() == 2 && absl::ascii_isupper(s[0]) && absl::ascii_isupper(s[1]);
}

// The contact parts among `pairs` (phone, email, website, address), in the order given.
std::vector<std::string> ContactParts(const std::vector<std::pair<std::string, std::string>>& pairs,
                                      bool with_website) {
  std::vector<std::string> parts;
  for (const auto& [k, v] : pairs) {
    if ((k == "phone" || k == "email" || k == "address" || (with_website && k == "website")) &&
        std::find(parts.begin(), parts.end(), k) == parts.end()) {
      parts.push_back(k);
    }
  }
  return parts;
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
    if (name == "all" && !has_value) {
      out.words.push_back("--all");
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
        return absl::InvalidArgumentError(absl::StrCat("unknown flag --", name));
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
    return absl::InvalidArgumentError(absl::StrCat("no command given; commands: ", kVerbs));
  }
  std::string resource = words[0];
  if (resource == "help") return cmd;
  // Plural resource names read the same ("cases list").
  if (resource == "persons") resource = "person";
  if (resource == "cases") resource = "case";
  if (resource == "actions") resource = "action";
  for (const char* alias :
       {"orgs", "organisation", "organisations", "organization", "organizations"}) {
    if (resource == alias) resource = "org";
  }
  if (resource == "notifications") resource = "notification";
  if (resource == "referrals") resource = "referral";
  if (resource == "transfers") resource = "transfer";
  if (resource != "person" && resource != "case" && resource != "action" && resource != "org" &&
      resource != "federation" && resource != "audit" && resource != "notification" &&
      resource != "referral" && resource != "transfer" && resource != "inbox") {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown command \"", words[0], "\"; commands: ", kVerbs));
  }
  // `inbox` is a view, not a resource: it takes no verb.
  const bool has_verb = resource != "inbox";
  if (has_verb && words.size() < 2) {
    return absl::InvalidArgumentError(
        absl::StrCat("`", resource, "` needs a verb; commands: ", kVerbs));
  }
  std::string verb = has_verb ? words[1] : "";
  if (resource == "notification" && verb == "acknowledge") verb = "ack";
  const std::string name = has_verb ? absl::StrCat(resource, " ", verb) : resource;
  Words w = SplitWords(words, has_verb ? 2 : 1);
  Args args(name, w.pairs);
  for (const auto& o : w.options)
    args.Error(absl::StrCat("unknown option ", o, " for `", name, "`"));
  if (name != "audit verify") {
    for (const auto& [k, v] : w.value_options) {
      args.Error(absl::StrCat("--", k, " applies only to `audit verify`"));
    }
  }

  // Exactly one positional NAME for commands on one resource, none for the others.
  auto positional = [&](bool wanted, absl::string_view what) -> std::string {
    if (!wanted) {
      for (const auto& p : w.positional) {
        args.Error(absl::StrCat("unexpected argument \"", p, "\" for `", name,
                                "` (fields are key=value)"));
      }
      return "";
    }
    if (w.positional.size() != 1) {
      args.Error(absl::StrCat("`", name, "` needs exactly one ", what,
                              " before its key=value "
                              "arguments"));
      return "";
    }
    return w.positional[0];
  };
  const bool pages =
      (resource == "person" && verb == "search") || (resource == "case" && verb == "list") ||
      (resource == "action" && verb == "list") || (resource == "org" && verb == "list") ||
      (resource == "audit" && verb == "list") || (resource == "notification" && verb == "list") ||
      (resource == "referral" && verb == "list") || (resource == "transfer" && verb == "list") ||
      resource == "inbox";
  if (w.all && !pages) args.Error(absl::StrCat("--all applies only to list and search commands"));
  cmd.all_pages = w.all;
  const std::string parent = absl::StrCat("countries/", context.country);

  if (resource == "person" && verb == "create") {
    positional(false, "");
    auto req = std::make_unique<v1::CreatePersonRequest>();
    req->set_parent(parent);
    ApplyKeys(args, PersonKeys(), req->mutable_person(), context, nullptr);
    if (auto id = args.TakeOne({"request_id"})) req->set_request_id(*id);
    cmd.rpc = Rpc::kCreatePerson;
    cmd.request = std::move(req);
  } else if (resource == "person" && verb == "get") {
    auto req = std::make_unique<v1::GetPersonRequest>();
    req->set_name(ExpandName(positional(true, "person NAME"), context.country, "persons"));
    cmd.rpc = Rpc::kGetPerson;
    cmd.request = std::move(req);
  } else if (resource == "person" && verb == "update") {
    auto req = std::make_unique<v1::UpdatePersonRequest>();
    req->mutable_person()->set_name(
        ExpandName(positional(true, "person NAME"), context.country, "persons"));
    if (auto etag = args.TakeOne({"etag"})) req->mutable_person()->set_etag(*etag);
    std::vector<std::string> mask;
    ApplyKeys(args, PersonKeys(), req->mutable_person(), context, &mask);
    for (const auto& p : mask) req->mutable_update_mask()->add_paths(p);
    if (mask.empty() && args.ok())
      args.Error("`person update` needs at least one field=value to change");
    // Look at the words, not the values: a part set to "" is cleared, so it is given too.
    cmd.contact_parts = ContactParts(w.pairs, /*with_website=*/false);
    cmd.rpc = Rpc::kUpdatePerson;
    cmd.request = std::move(req);
  } else if (resource == "person" && verb == "search") {
    positional(false, "");
    auto req = std::make_unique<v1::SearchPersonsRequest>();
    req->set_parent(parent);
    ApplyKeys(args, SearchKeys(), req.get(), context, nullptr);
    if (args.ok() && req->has_document() == !req->name_query().empty()) {
      args.Error("`person search` needs exactly one of name=\"WORDS\" or doc=TYPE:NUMBER:COUNTRY");
    }
    cmd.rpc = Rpc::kSearchPersons;
    cmd.request = std::move(req);
  } else if (resource == "person" && verb == "erase") {
    auto req = std::make_unique<v1::ErasePersonRequest>();
    req->set_name(ExpandName(positional(true, "person NAME"), context.country, "persons"));
    if (auto reason = args.TakeOne({"reason"})) req->set_reason(*reason);
    if (req->reason().empty() && args.ok()) {
      args.Error("`person erase` needs reason=\"..\" (legal ground, request reference): it is "
                 "recorded in the audit log");
    }
    cmd.rpc = Rpc::kErasePerson;
    cmd.request = std::move(req);
  } else if (resource == "person" && verb == "grant") {
    auto req = std::make_unique<v1::GrantPersonAccessRequest>();
    req->set_name(ExpandName(positional(true, "person NAME"), context.country, "persons"));
    if (auto post = args.TakeOne({"post"})) req->set_post(*post);
    if (auto reason = args.TakeOne({"reason"})) req->set_reason(*reason);
    if ((req->post().empty() || req->reason().empty()) && args.ok()) {
      args.Error("`person grant` needs post=POST and reason=\"..\": the grant is audited");
    }
    cmd.rpc = Rpc::kGrantPersonAccess;
    cmd.request = std::move(req);
  } else if (resource == "case" && verb == "create") {
    positional(false, "");
    auto req = std::make_unique<v1::CreateCaseRequest>();
    req->set_parent(parent);
    if (auto person = args.TakeOne({"person"})) {
      req->mutable_case_()->set_person(ExpandName(*person, context.country, "persons"));
    }
    // The person at the counter (needed when the officer's post does not reach them yet).
    if (auto shown = args.TakeOne({"presented_doc"})) {
      auto doc = ParseDocument(*shown);
      if (doc.ok()) {
        *req->mutable_presented_identity()->mutable_document() = *doc;
      } else {
        args.Error(absl::StrCat("presented_", doc.status().message()));
      }
    }
    if (auto v = args.TakeOne({"presented_given_names"})) {
      req->mutable_presented_identity()->set_given_names(*v);
    }
    if (auto v = args.TakeOne({"presented_family_names"})) {
      req->mutable_presented_identity()->set_family_names(*v);
    }
    if (auto v = args.TakeOne({"presented_birth_date"})) {
      req->mutable_presented_identity()->set_birth_date(*v);
    }
    ApplyKeys(args, CaseKeys(), req->mutable_case_(), context, nullptr);
    if (auto id = args.TakeOne({"request_id"})) req->set_request_id(*id);
    if (ConsentPartsWithoutConsent(w.pairs)) {
      args.Error("consent_* keys need consent=GIVER:SCOPES as well");
    }
    DefaultConsentTime(req->mutable_case_(), context);
    cmd.rpc = Rpc::kCreateCase;
    cmd.request = std::move(req);
  } else if (resource == "case" && verb == "get") {
    auto req = std::make_unique<v1::GetCaseRequest>();
    req->set_name(ExpandName(positional(true, "case NAME"), context.country, "cases"));
    cmd.rpc = Rpc::kGetCase;
    cmd.request = std::move(req);
  } else if (resource == "case" && verb == "list") {
    positional(false, "");
    auto req = std::make_unique<v1::ListCasesRequest>();
    req->set_parent(parent);
    ApplyKeys(args, ListCasesKeys(), req.get(), context, nullptr);
    cmd.rpc = Rpc::kListCases;
    cmd.request = std::move(req);
  } else if (resource == "case" && verb == "update") {
    auto req = std::make_unique<v1::UpdateCaseRequest>();
    req->mutable_case_()->set_name(
        ExpandName(positional(true, "case NAME"), context.country, "cases"));
    if (auto etag = args.TakeOne({"etag"})) req->mutable_case_()->set_etag(*etag);
    std::vector<std::string> mask;
    ApplyKeys(args, CaseKeys(), req->mutable_case_(), context, &mask);
    for (const auto& p : mask) req->mutable_update_mask()->add_paths(p);
    if (mask.empty() && args.ok())
      args.Error("`case update` needs at least one field=value to change");
    if (ConsentPartsWithoutConsent(w.pairs)) {
      args.Error(
          "consent_* keys need consent=GIVER:SCOPES as well (they replace the whole "
          "consent record)");
    }
    DefaultConsentTime(req->mutable_case_(), context);
    cmd.rpc = Rpc::kUpdateCase;
    cmd.request = std::move(req);
  } else if (resource == "case" && verb == "close") {
    auto req = std::make_unique<v1::CloseCaseRequest>();
    req->set_name(ExpandName(positional(true, "case NAME"), context.country, "cases"));
    ApplyKeys(args, CloseKeys(), req.get(), context, nullptr);
    cmd.rpc = Rpc::kCloseCase;
    cmd.request = std::move(req);
  } else if (resource == "action" && verb == "add") {
    auto req = std::make_unique<v1::AddActionRequest>();
    req->set_parent(ExpandName(positional(true, "CASE"), context.country, "cases"));
    ApplyKeys(args, ActionKeys(), req->mutable_action(), context, nullptr);
    if (auto id = args.TakeOne({"request_id"})) req->set_request_id(*id);
    if (!req->action().has_occur_time()) {
      *req->mutable_action()->mutable_occur_time() = ToTimestamp(context.now);
    }
    cmd.rpc = Rpc::kAddAction;
    cmd.request = std::move(req);
  } else if (resource == "action" && verb == "list") {
    auto req = std::make_unique<v1::ListActionsRequest>();
    req->set_parent(ExpandName(positional(true, "CASE"), context.country, "cases"));
    ApplyKeys(args, PageKeys(), req.get(), context, nullptr);
    cmd.rpc = Rpc::kListActions;
    cmd.request = std::move(req);
  } else if (resource == "org" && verb == "create") {
    positional(false, "");
    auto req = std::make_unique<dv1::CreateOrganisationRequest>();
    req->set_parent(parent);
    ApplyKeys(args, OrganisationKeys(), req->mutable_organisation(), context, nullptr);
    if (auto id = args.TakeOne({"request_id"})) req->set_request_id(*id);
    cmd.rpc = Rpc::kCreateOrganisation;
    cmd.request = std::move(req);
  } else if (resource == "org" && verb == "get") {
    auto req = std::make_unique<dv1::GetOrganisationRequest>();
    req->set_name(
        ExpandName(positional(true, "organisation NAME"), context.country, "organisations"));
    cmd.rpc = Rpc::kGetOrganisation;
    cmd.request = std::move(req);
  } else if (resource == "org" && verb == "update") {
    auto req = std::make_unique<dv1::UpdateOrganisationRequest>();
    req->mutable_organisation()->set_name(
        ExpandName(positional(true, "organisation NAME"), context.country, "organisations"));
    if (auto etag = args.TakeOne({"etag"})) req->mutable_organisation()->set_etag(*etag);
    std::vector<std::string> mask;
    ApplyKeys(args, OrganisationKeys(), req->mutable_organisation(), context, &mask);
    for (const auto& p : mask) req->mutable_update_mask()->add_paths(p);
    if (mask.empty() && args.ok())
      args.Error("`org update` needs at least one field=value to change");
    cmd.contact_parts = ContactParts(w.pairs, /*with_website=*/true);
    // The node merges the contact it receives into the stored one, so an empty part would
    // leave the old value in place: refuse it rather than report a change that did not happen.
    for (const auto& [k, v] : w.pairs) {
      if (v.empty() && std::find(cmd.contact_parts.begin(), cmd.contact_parts.end(), k) !=
                           cmd.contact_parts.end()) {
        args.Error(absl::StrCat(k,
                                ": an organisation's contact parts cannot be cleared (the node "
                                "keeps the stored value); give a new value"));
      }
    }
    cmd.rpc = Rpc::kUpdateOrganisation;
    cmd.request = std::move(req);
  } else if (resource == "org" && verb == "delete") {
    auto req = std::make_unique<dv1::DeleteOrganisationRequest>();
    req->set_name(
        ExpandName(positional(true, "organisation NAME"), context.country, "organisations"));
    if (auto etag = args.TakeOne({"etag"})) req->set_etag(*etag);
    if (req->etag().empty() && args.ok()) {
      args.Error("`org delete` needs etag=ETAG (from `org get`)");
    }
    cmd.rpc = Rpc::kDeleteOrganisation;
    cmd.request = std::move(req);
  } else if (resource == "org" && verb == "list") {
    positional(false, "");
    auto req = std::make_unique<dv1::ListOrganisationsRequest>();
    // Every member's entries unless country= narrows them: --country is the node's country,
    // not a filter.
    if (auto country = args.TakeOne({"country"})) {
      const std::string cc = Upper(*country);
      if (!IsCountryCode(cc)) {
        args.Error(absl::StrCat("country: \"", *country,
                                "\" is not an ISO 3166-1 alpha-2 code (e.g. GT)"));
      } else {
        req->set_parent(absl::StrCat("countries/", cc));
      }
    }
    ApplyKeys(args, ListOrganisationsKeys(), req.get(), context, nullptr);
    cmd.rpc = Rpc::kListOrganisations;
    cmd.request = std::move(req);
  } else if (resource == "federation" && verb == "status") {
    positional(false, "");
    cmd.rpc = Rpc::kGetFederationStatus;
    cmd.request = std::make_unique<fv1::GetFederationStatusRequest>();
  } else if (resource == "federation" && verb == "quarantine") {
    positional(false, "");
    auto req = std::make_unique<fv1::ListQuarantineRequest>();
    ApplyKeys(args, QuarantineKeys(), req.get(), context, nullptr);
    cmd.rpc = Rpc::kListQuarantine;
    cmd.request = std::move(req);
  } else if (resource == "federation" && verb == "resume") {
    auto req = std::make_unique<fv1::ResumeLinkRequest>();
    req->set_country(positional(true, "peer COUNTRY"));
    if (auto reason = args.TakeOne({"reason"})) req->set_reason(*reason);
    if (req->reason().empty() && args.ok()) {
      args.Error("`federation resume` needs reason=\"..\": why the link may go on (audited)");
    }
    cmd.rpc = Rpc::kResumeLink;
    cmd.request = std::move(req);
  } else if (resource == "audit" && verb == "list") {
    positional(false, "");
    auto req = std::make_unique<av1::ListAuditRecordsRequest>();
    // person=ID and case=ID are shorthands for resource=<full name>.
    auto person = args.TakeOne({"person"});
    auto case_name = args.TakeOne({"case"});
    ApplyKeys(args, AuditListKeys(), req.get(), context, nullptr);
    if (int(person.has_value()) + int(case_name.has_value()) + int(!req->resource().empty()) > 1) {
      args.Error("`audit list` takes one of resource=NAME, person=ID or case=ID");
    } else if (person) {
      req->set_resource(ExpandName(*person, context.country, "persons"));
    } else if (case_name) {
      req->set_resource(ExpandName(*case_name, context.country, "cases"));
    }
    cmd.rpc = Rpc::kListAuditRecords;
    cmd.request = std::move(req);
  } else if (resource == "audit" && verb == "verify") {
    positional(false, "");
    cmd.rpc = Rpc::kVerifyAuditLog;
    cmd.request = std::make_unique<av1::VerifyAuditLogRequest>();
    for (const auto& [k, v] : w.value_options) {
      std::string& target = k == "data_dir" ? cmd.data_dir : cmd.verify_key_file;
      if (!target.empty()) args.Error(absl::StrCat("--", k, ": given more than once"));
      if (v.empty()) args.Error(absl::StrCat("--", k, " needs a value"));
      target = v;
    }
    if (!cmd.data_dir.empty()) {
      cmd.rpc = Rpc::kVerifyAuditFiles;
    } else if (!cmd.verify_key_file.empty()) {
      args.Error("--verify_key goes with --data_dir (the node checks signatures itself)");
    }
  } else if (resource == "notification" && verb == "send") {
    positional(false, "");
    auto req = std::make_unique<nv1::SendNotificationRequest>();
    req->set_parent(parent);
    auto* n = req->mutable_notification();
    ApplyKeys(args, NotificationKeys(), n, context, nullptr);
    if (auto id = args.TakeOne({"request_id"})) req->set_request_id(*id);
    // The receiving member is the person's nationality: either says the other.
    if (n->national_country().empty() && n->person().nationalities_size() == 1) {
      n->set_national_country(n->person().nationalities(0));
    } else if (!n->national_country().empty() && n->person().nationalities_size() == 0) {
      n->mutable_person()->add_nationalities(n->national_country());
    }
    if (n->national_country().empty() && args.ok()) {
      args.Error("`notification send` needs national=CC (the person's country, which receives it)");
    }
    cmd.rpc = Rpc::kSendNotification;
    cmd.request = std::move(req);
  } else if (resource == "notification" && verb == "get") {
    auto req = std::make_unique<nv1::GetNotificationRequest>();
    req->set_name(
        ExpandName(positional(true, "notification NAME"), context.country, "notifications"));
    cmd.rpc = Rpc::kGetNotification;
    cmd.request = std::move(req);
  } else if (resource == "notification" && verb == "ack") {
    auto req = std::make_unique<nv1::AcknowledgeNotificationRequest>();
    req->set_name(
        ExpandName(positional(true, "notification NAME"), context.country, "notifications"));
    cmd.rpc = Rpc::kAcknowledgeNotification;
    cmd.request = std::move(req);
  } else if (resource == "notification" && verb == "list") {
    auto req = std::make_unique<nv1::ListNotificationsRequest>();
    const std::string direction = positional(true, "direction (incoming or outgoing)");
    if (!direction.empty()) {
      auto d = ParseEnumValue(nv1::Direction_descriptor(), direction, "direction");
      if (!d.ok()) {
        args.Error(std::string(d.status().message()));
      } else {
        req->set_direction(static_cast<nv1::Direction>(*d));
      }
    }
    ApplyKeys(args, InboxListKeys(), req.get(), context, nullptr);
    cmd.rpc = Rpc::kListNotifications;
    cmd.request = std::move(req);
  } else if (resource == "referral" && verb == "create") {
    positional(false, "");
    auto req = std::make_unique<rv1::CreateReferralRequest>();
    req->set_parent(parent);
    auto* r = req->mutable_referral();
    if (auto c = args.TakeOne({"case"})) r->set_case_(ExpandName(*c, context.country, "cases"));
    if (auto org = args.TakeOne({"to_org", "to_organisation"})) {
      r->set_to_organisation(ExpandName(*org, context.country, "organisations"));
    }
    ApplyKeys(args, ReferralKeys(), r, context, nullptr);
    if (auto id = args.TakeOne({"request_id"})) req->set_request_id(*id);
    if (args.ok()) {
      if (r->case_().empty()) args.Error("`referral create` needs case=NAME");
      const bool to_member = !r->to_country().empty() || !r->to_post().empty();
      if (to_member == !r->to_organisation().empty()) {
        args.Error("`referral create` needs to_country=CC to_post=POST (another member's post) "
                   "or to_org=NAME (an organisation of the directory), not both");
      } else if (to_member && r->to_country().empty() && r->to_post().size() > 2 &&
                 r->to_post()[2] == '-') {
        r->set_to_country(r->to_post().substr(0, 2));  // GT-TAP is Guatemala's
      }
      if (r->service() == 0) args.Error("`referral create` needs service=SERVICE");
    }
    cmd.rpc = Rpc::kCreateReferral;
    cmd.request = std::move(req);
  } else if (resource == "referral" &&
             (verb == "get" || verb == "accept" || verb == "start" || verb == "revoke")) {
    const std::string referral =
        ExpandName(positional(true, "referral NAME"), context.country, "referrals");
    std::unique_ptr<google::protobuf::Message> req;
    if (verb == "get") {
      auto r = std::make_unique<rv1::GetReferralRequest>();
      r->set_name(referral);
      req = std::move(r);
      cmd.rpc = Rpc::kGetReferral;
    } else if (verb == "accept") {
      auto r = std::make_unique<rv1::AcceptReferralRequest>();
      r->set_name(referral);
      req = std::move(r);
      cmd.rpc = Rpc::kAcceptReferral;
    } else if (verb == "start") {
      auto r = std::make_unique<rv1::StartReferralRequest>();
      r->set_name(referral);
      req = std::move(r);
      cmd.rpc = Rpc::kStartReferral;
    } else {
      auto r = std::make_unique<rv1::RevokeReferralRequest>();
      r->set_name(referral);
      req = std::move(r);
      cmd.rpc = Rpc::kRevokeReferral;
    }
    cmd.request = std::move(req);
  } else if (resource == "referral" && (verb == "reject" || verb == "complete")) {
    const std::string referral =
        ExpandName(positional(true, "referral NAME"), context.country, "referrals");
    if (verb == "reject") {
      auto req = std::make_unique<rv1::RejectReferralRequest>();
      req->set_name(referral);
      ApplyKeys(args, ReferralOutcomeKeys(), req.get(), context, nullptr);
      if (args.ok() && req->outcome() == 0) {
        args.Error("`referral reject` needs outcome=REASON (e.g. no_capacity)");
      } else if (req->outcome() == rv1::OUTCOME_SUCCESS) {
        args.Error("outcome: a rejection's outcome says why (not success)");
      }
      cmd.rpc = Rpc::kRejectReferral;
      cmd.request = std::move(req);
    } else {
      auto req = std::make_unique<rv1::CompleteReferralRequest>();
      req->set_name(referral);
      ApplyKeys(args, ReferralOutcomeKeys(), req.get(), context, nullptr);
      if (args.ok() && req->outcome() == 0) {
        args.Error("`referral complete` needs outcome=success (or why it failed)");
      }
      cmd.rpc = Rpc::kCompleteReferral;
      cmd.request = std::move(req);
    }
  } else if (resource == "referral" && verb == "list") {
    auto req = std::make_unique<rv1::ListReferralsRequest>();
    const std::string direction = positional(true, "direction (incoming or outgoing)");
    if (!direction.empty()) {
      auto d = ParseEnumValue(rv1::Direction_descriptor(), direction, "direction");
      if (!d.ok()) {
        args.Error(std::string(d.status().message()));
      } else {
        req->set_direction(static_cast<rv1::Direction>(*d));
      }
    }
    ApplyKeys(args, InboxListKeys(), req.get(), context, nullptr);
    cmd.rpc = Rpc::kListReferrals;
    cmd.request = std::move(req);
  } else if (resource == "transfer" && verb == "create") {
    positional(false, "");
    auto req = std::make_unique<tv1::TransferCaseRequest>();
    req->set_parent(parent);
    auto* t = req->mutable_transfer();
    if (auto c = args.TakeOne({"case"})) t->set_case_(ExpandName(*c, context.country, "cases"));
    ApplyKeys(args, TransferKeys(), t, context, nullptr);
    if (auto id = args.TakeOne({"request_id"})) req->set_request_id(*id);
    if (args.ok()) {
      if (t->case_().empty()) args.Error("`transfer create` needs case=NAME");
      if (t->to_post().empty()) {
        args.Error("`transfer create` needs to_post=POST (the receiving member's post)");
      } else if (t->to_country().empty() && t->to_post().size() > 2 && t->to_post()[2] == '-') {
        t->set_to_country(t->to_post().substr(0, 2));
      }
      if (t->reason().empty()) args.Error("`transfer create` needs reason=\"..\"");
    }
    cmd.rpc = Rpc::kTransferCase;
    cmd.request = std::move(req);
  } else if (resource == "transfer" && (verb == "get" || verb == "accept")) {
    const std::string transfer =
        ExpandName(positional(true, "transfer NAME"), context.country, "transfers");
    if (verb == "get") {
      auto req = std::make_unique<tv1::GetTransferRequest>();
      req->set_name(transfer);
      cmd.rpc = Rpc::kGetTransfer;
      cmd.request = std::move(req);
    } else {
      auto req = std::make_unique<tv1::AcceptTransferRequest>();
      req->set_name(transfer);
      cmd.rpc = Rpc::kAcceptTransfer;
      cmd.request = std::move(req);
    }
  } else if (resource == "transfer" && verb == "decline") {
    auto req = std::make_unique<tv1::DeclineTransferRequest>();
    req->set_name(ExpandName(positional(true, "transfer NAME"), context.country, "transfers"));
    if (auto reason = args.TakeOne({"reason"})) req->set_reason(*reason);
    if (req->reason().empty() && args.ok()) {
      args.Error("`transfer decline` needs reason=\"..\" (the origin reads it)");
    }
    cmd.rpc = Rpc::kDeclineTransfer;
    cmd.request = std::move(req);
  } else if (resource == "transfer" && verb == "list") {
    auto req = std::make_unique<tv1::ListTransfersRequest>();
    const std::string direction = positional(true, "direction (incoming or outgoing)");
    if (!direction.empty()) {
      auto d = ParseEnumValue(tv1::Direction_descriptor(), direction, "direction");
      if (!d.ok()) {
        args.Error(std::string(d.status().message()));
      } else {
        req->set_direction(static_cast<tv1::Direction>(*d));
      }
    }
    ApplyKeys(args, InboxListKeys(), req.get(), context, nullptr);
    cmd.rpc = Rpc::kListTransfers;
    cmd.request = std::move(req);
  } else if (resource == "inbox") {
    positional(false, "");
    auto req = std::make_unique<nv1::ListNotificationsRequest>();
    req->set_direction(nv1::DIRECTION_INCOMING);
    if (auto post = args.TakeOne({"post"})) req->set_post(Upper(*post));
    cmd.rpc = Rpc::kInbox;
    cmd.request = std::move(req);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("unknown command `", name, "`; commands: ", kVerbs));
  }
  if (absl::Status s = args.Finish(); !s.ok()) return s;
  return cmd;
}

}  // namespace enlace::cli
