#include "services/cases/rules.h"

#include <openssl/sha.h>

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/geo/geo.h"
#include "common/status/macros.h"
#include "common/text/fold.h"
#include "common/time/proto_time.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"

namespace enlace::cases {
namespace {

constexpr size_t kMaxNameBytes = 200;
constexpr size_t kMaxPlaceBytes = 200;
constexpr size_t kMaxSummaryBytes = 2000;
constexpr size_t kMaxNoteBytes = 4000;
constexpr int kMaxNationalities = 5;
constexpr int kMaxDocuments = 10;
constexpr int kMaxLanguages = 10;

// Free text: well-formed UTF-8, no control characters except newlines and tabs.
bool IsCleanText(absl::string_view s) {
  std::string copy(s);
  std::replace(copy.begin(), copy.end(), '\n', ' ');
  std::replace(copy.begin(), copy.end(), '\t', ' ');
  return text::IsCleanUtf8(copy);
}

void CheckText(absl::string_view value, size_t max, bool required, const std::string& field,
               FieldViolations& v) {
  if (value.empty()) {
    if (required) v.Add(field, "required");
    return;
  }
  if (value.size() > max) {
    v.Add(field, absl::StrCat("at most ", max, " bytes"));
  } else if (!IsCleanText(value)) {
    v.Add(field, "must be UTF-8 text without control characters");
  }
}

void CheckLine(absl::string_view value, size_t max, bool required, const std::string& field,
               FieldViolations& v) {
  if (value.empty()) {
    if (required) v.Add(field, "required");
    return;
  }
  if (value.size() > max) {
    v.Add(field, absl::StrCat("at most ", max, " bytes"));
  } else if (!text::IsCleanUtf8(value)) {
    v.Add(field, "must be one line of UTF-8 text without control characters");
  }
}

// Names: one line, and nothing that displays differently from what is stored (bidi controls,
// invisible characters, combining marks without a letter).
void CheckName(absl::string_view value, const std::string& field, FieldViolations& v) {
  if (value.empty() || value.size() > kMaxNameBytes || !text::IsCleanUtf8(value)) {
    CheckLine(value, kMaxNameBytes, false, field, v);
  } else if (std::string why = text::NameTextProblem(value); !why.empty()) {
    v.Add(field, why);
  }
}

template <typename EnumIsValid>
void CheckEnum(int value, EnumIsValid is_valid, bool required, const std::string& field,
               FieldViolations& v) {
  if (value == 0) {
    if (required) v.Add(field, "required");
  } else if (!is_valid(value)) {
    v.Add(field, absl::StrCat("unknown value ", value));
  }
}

bool DaysInMonthOk(int y, int m, int d) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int max = kDays[m - 1];
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) max = 29;
  return d >= 1 && d <= max;
}

bool ParseDigits(absl::string_view s, int* out) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), absl::ascii_isdigit)) return false;
  return absl::SimpleAtoi(s, out);
}

// Parses YYYY[-MM[-DD]]; returns the number of parts (0 when malformed).
int ParseDate(absl::string_view date, int* y, int* m, int* d) {
  std::vector<absl::string_view> parts = absl::StrSplit(date, '-');
  if (parts.empty() || parts.size() > 3 || parts[0].size() != 4 || !ParseDigits(parts[0], y)) {
    return 0;
  }
  *m = 1;
  *d = 1;
  if (parts.size() >= 2 && (parts[1].size() != 2 || !ParseDigits(parts[1], m) || *m < 1 ||
                            *m > 12)) {
    return 0;
  }
  if (parts.size() == 3 &&
      (parts[2].size() != 2 || !ParseDigits(parts[2], d) || !DaysInMonthOk(*y, *m, *d))) {
    return 0;
  }
  return static_cast<int>(parts.size());
}

bool IsValidTimeField(const google::protobuf::Timestamp& t) { return IsValidProtoTime(t); }

const std::set<std::string>& WithholdableItems() {
  static const auto* items = new std::set<std::string>{
      "given_names", "family_names", "birth_date",    "documents", "contact",
      "languages",   "nationalities", "vulnerabilities", "place",  "summary"};
  return *items;
}

void ValidateConsent(const v1::Consent& c, absl::Time now, const std::string& p,
                     FieldViolations& v) {
  CheckEnum(c.given_by(), v1::ConsentGiver_IsValid, true, p + "given_by", v);
  CheckName(c.giver_name(), p + "giver_name", v);
  if (c.given_by() != v1::CONSENT_GIVER_PERSON && c.given_by() != 0 && c.giver_name().empty()) {
    v.Add(p + "giver_name", "required when consent is given by someone else than the person");
  }
  if (c.scopes_size() == 0) v.Add(p + "scopes", "at least one scope is required");
  std::set<int> seen;
  for (int i = 0; i < c.scopes_size(); ++i) {
    std::string f = absl::StrCat(p, "scopes[", i, "]");
    CheckEnum(c.scopes(i), v1::ConsentScope_IsValid, true, f, v);
    if (!seen.insert(c.scopes(i)).second) v.Add(f, "duplicate scope");
  }
  std::set<std::string> withheld;
  for (int i = 0; i < c.withheld_items_size(); ++i) {
    std::string f = absl::StrCat(p, "withheld_items[", i, "]");
    if (WithholdableItems().count(c.withheld_items(i)) == 0) {
      v.Add(f, "not a field that can be withheld");
    } else if (!withheld.insert(c.withheld_items(i)).second) {
      v.Add(f, "duplicate item");
    }
  }
  if (!c.has_obtain_time()) {
    v.Add(p + "obtain_time", "required");
  } else if (!IsValidTimeField(c.obtain_time())) {
    v.Add(p + "obtain_time", "invalid timestamp");
  } else if (FromProtoTime(c.obtain_time()) > now + absl::Minutes(5)) {
    v.Add(p + "obtain_time", "is in the future");
  }
  if (c.has_expire_time()) {
    if (!IsValidTimeField(c.expire_time())) {
      v.Add(p + "expire_time", "invalid timestamp");
    } else if (c.has_obtain_time() && IsValidTimeField(c.obtain_time()) &&
               FromProtoTime(c.expire_time()) <= FromProtoTime(c.obtain_time())) {
      v.Add(p + "expire_time", "must be after obtain_time");
    }
  }
  if (c.has_withdraw_time() && !IsValidTimeField(c.withdraw_time())) {
    v.Add(p + "withdraw_time", "invalid timestamp");
  }
}

}  // namespace

v1::Category CategoryOfSubtype(v1::Subtype s) {
  const int n = static_cast<int>(s);
  if (!v1::Subtype_IsValid(n) || n == 0) return v1::CATEGORY_UNSPECIFIED;
  switch (n / 10) {
    case 0: return v1::CATEGORY_CRIMINAL;
    case 1: return v1::CATEGORY_MIGRATION;
    case 2: return v1::CATEGORY_CIVIL_FAMILY;
    case 3: return v1::CATEGORY_LABOUR;
    case 4: return v1::CATEGORY_HUMAN_RIGHTS;
    case 5: return v1::CATEGORY_ADMINISTRATIVE;
    case 6: return v1::CATEGORY_CRISIS;
  }
  return v1::CATEGORY_UNSPECIFIED;
}

bool CaseContext::HasPost(absl::string_view code) const {
  return std::find(post_codes.begin(), post_codes.end(), code) != post_codes.end();
}

bool IsValidPartialDate(absl::string_view date, absl::Time now) {
  int y, m, d;
  int parts = ParseDate(date, &y, &m, &d);
  if (parts == 0 || y < 1900) return false;
  absl::CivilDay today = absl::ToCivilDay(now, absl::UTCTimeZone());
  absl::CivilDay start(y, m, d);
  return start <= today;
}

bool IsValidFullDate(absl::string_view date) {
  int y, m, d;
  return ParseDate(date, &y, &m, &d) == 3 && y >= 1900 && y < 2200;
}

bool BirthDateMatches(absl::string_view recorded, absl::string_view query) {
  if (recorded.empty()) return false;
  if (query.empty()) return true;
  return absl::StartsWith(recorded, query) || absl::StartsWith(query, recorded);
}

std::string NormalizeDocumentNumber(absl::string_view number) {
  std::string out;
  for (char c : number) {
    if (c == ' ' || c == '-' || c == '.') continue;
    out.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

void ValidatePerson(const v1::Person& p, absl::Time now, FieldViolations& v,
                    absl::string_view prefix) {
  const std::string pre(prefix);
  CheckName(p.given_names(), pre + "given_names", v);
  CheckName(p.family_names(), pre + "family_names", v);
  if (text::FoldForSearch(p.given_names()).empty() &&
      text::FoldForSearch(p.family_names()).empty()) {
    v.Add(pre + "given_names", "given_names or family_names must contain a name");
  }
  CheckEnum(p.sex(), v1::Sex_IsValid, true, pre + "sex", v);
  if (!p.birth_date().empty() && !IsValidPartialDate(p.birth_date(), now)) {
    v.Add(pre + "birth_date", "must be YYYY, YYYY-MM or YYYY-MM-DD, from 1900 to today");
  }
  CheckEnum(p.age_band(), v1::AgeBand_IsValid, false, pre + "age_band", v);
  if (p.nationalities_size() == 0) {
    v.Add(pre + "nationalities", "at least one nationality is required");
  } else if (p.nationalities_size() > kMaxNationalities) {
    v.Add(pre + "nationalities", absl::StrCat("at most ", kMaxNationalities));
  }
  std::set<std::string> nat;
  for (int i = 0; i < p.nationalities_size() && i < kMaxNationalities; ++i) {
    std::string f = absl::StrCat(pre, "nationalities[", i, "]");
    if (!geo::IsCountryCode(p.nationalities(i))) {
      v.Add(f, "must be an ISO 3166-1 alpha-2 code in upper case");
    } else if (!nat.insert(p.nationalities(i)).second) {
      v.Add(f, "duplicate nationality");
    }
  }
  if (p.documents_size() > kMaxDocuments) {
    v.Add(pre + "documents", absl::StrCat("at most ", kMaxDocuments));
  }
  std::set<std::string> docs;
  for (int i = 0; i < p.documents_size() && i < kMaxDocuments; ++i) {
    const auto& d = p.documents(i);
    std::string f = absl::StrCat(pre, "documents[", i, "].");
    CheckEnum(d.type(), v1::DocumentType_IsValid, true, f + "type", v);
    std::string norm = NormalizeDocumentNumber(d.number());
    if (d.number().empty()) {
      v.Add(f + "number", "required");
    } else if (std::string why = text::NameTextProblem(d.number()); !why.empty()) {
      v.Add(f + "number", why);
    } else if (d.number().size() > 40 || norm.empty() ||
               !std::all_of(norm.begin(), norm.end(), absl::ascii_isalnum)) {
      v.Add(f + "number", "1-40 letters and digits (spaces, '-' and '.' ignored)");
    }
    if (!geo::IsCountryCode(d.issuing_country())) {
      v.Add(f + "issuing_country", "must be an ISO 3166-1 alpha-2 code in upper case");
    }
    if (!d.expire_date().empty() && !IsValidFullDate(d.expire_date())) {
      v.Add(f + "expire_date", "must be YYYY-MM-DD");
    }
    if (!docs.insert(absl::StrCat(d.type(), "|", d.issuing_country(), "|", norm)).second) {
      v.Add(f + "number", "duplicate document");
    }
  }
  if (p.languages_size() > kMaxLanguages) {
    v.Add(pre + "languages", absl::StrCat("at most ", kMaxLanguages));
  }
  for (int i = 0; i < p.languages_size() && i < kMaxLanguages; ++i) {
    if (!geo::IsLanguageCode(p.languages(i))) {
      v.Add(absl::StrCat(pre, "languages[", i, "]"),
            "must be an ISO 639-1 or 639-3 code in lower case");
    }
  }
  CheckEnum(p.international_protection(), v1::InternationalProtection_IsValid, true,
            pre + "international_protection", v);
  std::set<int> vul;
  for (int i = 0; i < p.vulnerabilities_size(); ++i) {
    std::string f = absl::StrCat(pre, "vulnerabilities[", i, "]");
    CheckEnum(p.vulnerabilities(i), v1::Vulnerability_IsValid, true, f, v);
    if (!vul.insert(p.vulnerabilities(i)).second) v.Add(f, "duplicate vulnerability");
  }
  const auto& c = p.contact();
  if (!c.phone().empty() &&
      (c.phone().size() > 40 ||
       !std::all_of(c.phone().begin(), c.phone().end(), [](char ch) {
         return absl::ascii_isdigit(ch) || ch == '+' || ch == ' ' || ch == '-' || ch == '(' ||
                ch == ')';
       }))) {
    v.Add(pre + "contact.phone", "at most 40 digits, spaces and + - ( )");
  }
  if (!c.email().empty() && (c.email().size() > 254 || c.email().find('@') == std::string::npos ||
                             !text::IsCleanUtf8(c.email()))) {
    v.Add(pre + "contact.email", "must be an e-mail address");
  }
  CheckText(c.address(), 500, false, pre + "contact.address", v);
}

void ValidateCase(const v1::Case& c, const CaseContext& ctx, absl::Time now,
                  FieldViolations& v, absl::string_view prefix) {
  const std::string pre(prefix);
  if (c.post().empty()) {
    v.Add(pre + "post", "required");
  } else if (!ctx.HasPost(c.post())) {
    v.Add(pre + "post", absl::StrCat("unknown consular post \"", c.post().substr(0, 32), "\""));
  }
  if (!geo::IsCountryCode(c.host_country())) {
    v.Add(pre + "host_country", "must be an ISO 3166-1 alpha-2 code in upper case");
  }
  CheckLine(c.place(), kMaxPlaceBytes, true, pre + "place", v);
  CheckEnum(c.category(), v1::Category_IsValid, true, pre + "category", v);
  CheckEnum(c.subtype(), v1::Subtype_IsValid, true, pre + "subtype", v);
  if (c.category() != 0 && v1::Category_IsValid(c.category()) && c.subtype() != 0 &&
      v1::Subtype_IsValid(c.subtype()) && CategoryOfSubtype(c.subtype()) != c.category()) {
    v.Add(pre + "subtype", absl::StrCat(v1::Subtype_Name(c.subtype()), " does not belong to ",
                                        v1::Category_Name(c.category())));
  }
  CheckEnum(c.status(), v1::Status_IsValid, false, pre + "status", v);
  if (c.status() == v1::STATUS_CLOSED) {
    v.Add(pre + "status", "a case is closed only through CloseCase");
  }
  CheckEnum(c.risk(), v1::Risk_IsValid, false, pre + "risk", v);
  CheckEnum(c.legal_basis(), v1::LegalBasis_IsValid, true, pre + "legal_basis", v);
  if (c.legal_basis() == v1::LEGAL_BASIS_CONSENT && !c.has_consent()) {
    v.Add(pre + "consent", "required when legal_basis is CONSENT");
  }
  if (c.has_consent()) ValidateConsent(c.consent(), now, pre + "consent.", v);
  CheckText(c.summary(), kMaxSummaryBytes, false, pre + "summary", v);
}

void ValidateAction(const v1::Action& a, const CaseContext& ctx, absl::Time now,
                    FieldViolations& v, absl::string_view prefix) {
  const std::string pre(prefix);
  CheckEnum(a.type(), v1::ActionType_IsValid, true, pre + "type", v);
  if (!a.post().empty() && !ctx.HasPost(a.post())) {
    v.Add(pre + "post", absl::StrCat("unknown consular post \"", a.post().substr(0, 32), "\""));
  }
  CheckLine(a.officer(), 64, true, pre + "officer", v);
  if (!a.has_occur_time()) {
    v.Add(pre + "occur_time", "required");
  } else if (!IsValidProtoTime(a.occur_time())) {
    v.Add(pre + "occur_time", "invalid timestamp");
  } else if (FromProtoTime(a.occur_time()) > now + absl::Minutes(5)) {
    v.Add(pre + "occur_time", "is in the future");
  } else if (FromProtoTime(a.occur_time()) < absl::FromCivil(absl::CivilDay(1970, 1, 1),
                                                             absl::UTCTimeZone())) {
    v.Add(pre + "occur_time", "is before 1970");
  }
  CheckEnum(a.outcome(), v1::ActionOutcome_IsValid, true, pre + "outcome", v);
  CheckText(a.note(), kMaxNoteBytes, false, pre + "note", v);
}

absl::StatusOr<int> EffectivePageSize(int requested) {
  if (requested < 0) return InvalidField("page_size", "must not be negative");
  if (requested == 0) return kDefaultPageSize;
  return std::min(requested, kMaxPageSize);
}

namespace {

absl::Status CheckMask(const google::protobuf::FieldMask& mask,
                       const std::set<std::string>& allowed) {
  if (mask.paths_size() == 0) {
    return InvalidField("update_mask", "required: name the fields to change");
  }
  FieldViolations v;
  for (const auto& path : mask.paths()) {
    if (allowed.count(path) == 0) {
      v.Add("update_mask", absl::StrCat("field \"", path.substr(0, 64), "\" cannot be updated"));
    }
  }
  return v.ToStatus();
}

}  // namespace

absl::Status ApplyPersonMask(const google::protobuf::FieldMask& mask, const v1::Person& from,
                             v1::Person& to) {
  static const auto* allowed = new std::set<std::string>{
      "given_names", "family_names", "sex", "birth_date", "age_band", "nationalities",
      "documents", "languages", "international_protection", "vulnerabilities", "contact"};
  ENLACE_RETURN_IF_ERROR(CheckMask(mask, *allowed));
  for (const auto& path : mask.paths()) {
    if (path == "given_names") to.set_given_names(from.given_names());
    if (path == "family_names") to.set_family_names(from.family_names());
    if (path == "sex") to.set_sex(from.sex());
    if (path == "birth_date") to.set_birth_date(from.birth_date());
    if (path == "age_band") to.set_age_band(from.age_band());
    if (path == "nationalities") *to.mutable_nationalities() = from.nationalities();
    if (path == "documents") *to.mutable_documents() = from.documents();
    if (path == "languages") *to.mutable_languages() = from.languages();
    if (path == "international_protection") {
      to.set_international_protection(from.international_protection());
    }
    if (path == "vulnerabilities") *to.mutable_vulnerabilities() = from.vulnerabilities();
    if (path == "contact") *to.mutable_contact() = from.contact();
  }
  return absl::OkStatus();
}

absl::Status ApplyCaseMask(const google::protobuf::FieldMask& mask, const v1::Case& from,
                           v1::Case& to) {
  static const auto* allowed = new std::set<std::string>{
      "post", "host_country", "place", "category", "subtype", "status",
      "risk", "urgent",       "legal_basis", "consent", "summary"};
  ENLACE_RETURN_IF_ERROR(CheckMask(mask, *allowed));
  for (const auto& path : mask.paths()) {
    if (path == "post") to.set_post(from.post());
    if (path == "host_country") to.set_host_country(from.host_country());
    if (path == "place") to.set_place(from.place());
    if (path == "category") to.set_category(from.category());
    if (path == "subtype") to.set_subtype(from.subtype());
    if (path == "status") to.set_status(from.status());
    if (path == "risk") to.set_risk(from.risk());
    if (path == "urgent") to.set_urgent(from.urgent());
    if (path == "legal_basis") to.set_legal_basis(from.legal_basis());
    if (path == "consent") {
      if (from.has_consent()) {
        *to.mutable_consent() = from.consent();
      } else {
        to.clear_consent();
      }
    }
    if (path == "summary") to.set_summary(from.summary());
  }
  return absl::OkStatus();
}

std::string ComputeEtag(const google::protobuf::Message& resource) {
  std::unique_ptr<google::protobuf::Message> copy(resource.New());
  copy->CopyFrom(resource);
  const auto* field = copy->GetDescriptor()->FindFieldByName("etag");
  if (field != nullptr) copy->GetReflection()->ClearField(copy.get(), field);
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream stream(&bytes);
    google::protobuf::io::CodedOutputStream out(&stream);
    out.SetSerializationDeterministic(true);
    copy->SerializeToCodedStream(&out);
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<char*>(digest), 10));
}

bool IsUnder18(const v1::Person& person, absl::Time now) {
  int year = 0, month = 0, day = 0;
  const std::string& b = person.birth_date();
  if (b.size() >= 4 && absl::SimpleAtoi(b.substr(0, 4), &year)) {
    if (b.size() >= 7) (void)absl::SimpleAtoi(b.substr(5, 2), &month);
    if (b.size() >= 10) (void)absl::SimpleAtoi(b.substr(8, 2), &day);
    // Presumption of minority: a partial date counts from its latest possible day, so a person
    // who may still be a child is treated as one.
    absl::CivilDay born;
    if (month == 0) {
      born = absl::CivilDay(year, 12, 31);
    } else if (day == 0) {
      born = absl::CivilDay(absl::CivilMonth(year, month) + 1) - 1;
    } else {
      born = absl::CivilDay(year, month, day);
    }
    const absl::CivilDay eighteen(born.year() + 18, born.month(), born.day());
    return absl::ToCivilDay(now, absl::UTCTimeZone()) < eighteen;
  }
  return person.age_band() == v1::AGE_BAND_CHILD_0_11 ||
         person.age_band() == v1::AGE_BAND_ADOLESCENT_12_17;
}

}  // namespace enlace::cases
