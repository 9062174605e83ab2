#include "tools/enlacectl/args.h"

#include <algorithm>

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

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

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

}  // namespace

std::vector<std::string> Args::Take(const std::vector<absl::string_view>& names) {
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

std::optional<std::string> Args::TakeOne(const std::vector<absl::string_view>& names) {
  std::vector<std::string> values = Take(names);
  if (values.empty()) return std::nullopt;
  if (values.size() > 1) Error(absl::StrCat(names.front(), ": given more than once"));
  return values.front();
}

absl::Status Args::Finish() {
  for (size_t i = 0; i < pairs_.size(); ++i) {
    if (!used_[i]) {
      Error(absl::StrCat("unknown key \"", pairs_[i].first, "\" for `", command_,
                         "`; known keys: ", absl::StrJoin(known_, ", ")));
    }
  }
  if (errors_.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrJoin(errors_, "\n"));
}

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

Words SplitWords(const std::vector<std::string>& words, size_t from) {
  Words w;
  for (size_t i = from; i < words.size(); ++i) {
    const std::string& word = words[i];
    if (word == "--all") {
      w.all = true;
    } else if (word == "--restart") {
      w.restart = true;
    } else if (word == "--incoming") {
      w.incoming = true;
    } else if (size_t eq = word.find('='); absl::StartsWith(word, "--") &&
                                           eq != std::string::npos &&
                                           IsValueOption(word.substr(2, eq - 2))) {
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

}  // namespace enlace::cli
