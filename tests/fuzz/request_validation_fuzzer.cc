// Fuzz target: validation of client requests, the first thing every write does.
//
// The input is parsed as CreatePersonRequest, UpdatePersonRequest, CreateCaseRequest,
// UpdateCaseRequest and AddActionRequest (whichever parse), and each is run through the pure
// rules of services/cases/rules.h: ValidatePerson, ValidateCase, ValidateAction,
// ApplyPersonMask / ApplyCaseMask (onto a valid stored resource, then validated again as the
// registry does), ComputeEtag and CategoryOfSubtype. The raw bytes also go, as strings, to
// common/text (FoldForSearch, Words, IsCleanUtf8), common/identity ParseIdentity and the
// date and document-number helpers.
//
// Checked: violations become INVALID_ARGUMENT carrying exactly those field violations, each
// under the expected prefix; a mask is applied only when every path is allowed, and never
// touches name, person, etag or create_time; etags ignore the etag field; folding is
// idempotent, yields well-formed UTF-8 without stray spaces, and Words() splits it exactly;
// ParseIdentity accepts only what it can give back unchanged, and refuses with
// PERMISSION_DENIED.

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_join.h"
#include "common/identity/caller.h"
#include "common/status/errors.h"
#include "common/text/fold.h"
#include "common/time/proto_time.h"
#include "enlace/cases/v1/case_service.pb.h"
#include "enlace/cases/v1/person_service.pb.h"
#include "google/protobuf/stubs/logging.h"
#include "services/cases/rules.h"
#include "tests/fuzz/fuzz_check.h"
#include "tests/fuzz/fuzz_support.h"

namespace enlace::fuzz {
namespace {

namespace cv1 = ::enlace::cases::v1;
using cases::CaseContext;

const CaseContext& Context() {
  static const auto* ctx = new CaseContext{{"MX-LAX", "MX-GUA", "MX-TOR"}};
  return *ctx;
}

// A stored person and case, valid, as an update would find them.
const cv1::Person& StoredPerson() {
  static const cv1::Person* p = [] {
    auto* p = new cv1::Person;
    p->set_name("countries/MX/persons/01jdq2v5kx0000000000");
    p->set_given_names("José Luis");
    p->set_family_names("Pérez Hernández");
    p->set_sex(cv1::SEX_MALE);
    p->set_birth_date("1990-02-28");
    p->add_nationalities("MX");
    auto* d = p->add_documents();
    d->set_type(cv1::DOCUMENT_TYPE_PASSPORT);
    d->set_number("G1234-5678");
    d->set_issuing_country("MX");
    p->add_languages("es");
    p->set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
    *p->mutable_create_time() = enlace::ToProtoTime(FixedNow() - absl::Hours(48));
    p->set_etag(cases::ComputeEtag(*p));
    return p;
  }();
  return *p;
}

const cv1::Case& StoredCase() {
  static const cv1::Case* c = [] {
    auto* c = new cv1::Case;
    c->set_name("countries/MX/cases/01jdq2v5kx0000000001");
    c->set_person("countries/MX/persons/01jdq2v5kx0000000000");
    c->set_post("MX-LAX");
    c->set_host_country("US");
    c->set_place("Los Angeles, CA");
    c->set_category(cv1::CATEGORY_CRIMINAL);
    c->set_subtype(cv1::SUBTYPE_CRIMINAL_DETENTION);
    c->set_status(cv1::STATUS_OPEN);
    c->set_legal_basis(cv1::LEGAL_BASIS_CONSENT);
    auto* consent = c->mutable_consent();
    consent->set_given_by(cv1::CONSENT_GIVER_PERSON);
    consent->add_scopes(cv1::CONSENT_SCOPE_SERVICES);
    *consent->mutable_obtain_time() = enlace::ToProtoTime(FixedNow() - absl::Hours(1));
    *c->mutable_create_time() = enlace::ToProtoTime(FixedNow() - absl::Hours(2));
    c->set_etag(cases::ComputeEtag(*c));
    return c;
  }();
  return *c;
}

// OK exactly when there are no violations; otherwise INVALID_ARGUMENT with all of them.
void CheckViolations(const FieldViolations& v, absl::string_view prefix) {
  const absl::Status s = v.ToStatus();
  if (v.empty()) {
    FUZZ_CHECK(s.ok());
    return;
  }
  FUZZ_CHECK(s.code() == absl::StatusCode::kInvalidArgument);
  const auto carried = GetFieldViolations(s);
  FUZZ_CHECK(carried.size() == v.violations().size());
  for (const auto& f : v.violations()) {
    FUZZ_CHECK_MSG(absl::StartsWith(f.field, prefix) || f.field == "update_mask", f.field);
    FUZZ_CHECK(!f.description.empty());
  }
}

template <typename M>
void CheckEtag(const M& m) {
  M copy = m;
  copy.set_etag("W/\"something else\"");
  const std::string e = cases::ComputeEtag(m);
  FUZZ_CHECK(!e.empty());
  FUZZ_CHECK(cases::ComputeEtag(copy) == e);
}

void CheckMaskOutcome(const absl::Status& s) {
  FUZZ_CHECK_MSG(s.ok() || s.code() == absl::StatusCode::kInvalidArgument, s.ToString());
}

void FuzzPersons(const std::string& bytes) {
  cv1::CreatePersonRequest create;
  if (create.ParseFromString(bytes)) {
    FieldViolations v;
    cases::ValidatePerson(create.person(), FixedNow(), v);
    CheckViolations(v, "person.");
    CheckEtag(create.person());
  }
  cv1::UpdatePersonRequest update;
  if (update.ParseFromString(bytes)) {
    cv1::Person after = StoredPerson();
    absl::Status s = cases::ApplyPersonMask(update.update_mask(), update.person(), after);
    CheckMaskOutcome(s);
    if (!s.ok()) {
      FUZZ_CHECK(after.SerializeAsString() == StoredPerson().SerializeAsString());
      return;
    }
    FUZZ_CHECK(after.name() == StoredPerson().name());
    FUZZ_CHECK(after.etag() == StoredPerson().etag());
    FUZZ_CHECK(after.create_time().seconds() == StoredPerson().create_time().seconds());
    for (const auto& path : update.update_mask().paths()) {
      if (path == "given_names") FUZZ_CHECK(after.given_names() == update.person().given_names());
      if (path == "documents") {
        FUZZ_CHECK(after.documents_size() == update.person().documents_size());
      }
    }
    FieldViolations v;
    cases::ValidatePerson(after, FixedNow(), v);
    CheckViolations(v, "person.");
  }
}

void FuzzCases(const std::string& bytes) {
  cv1::CreateCaseRequest create;
  if (create.ParseFromString(bytes)) {
    FieldViolations v;
    cases::ValidateCase(create.case_(), Context(), FixedNow(), v);
    CheckViolations(v, "case.");
    CheckEtag(create.case_());
    const cv1::Category category = cases::CategoryOfSubtype(create.case_().subtype());
    FUZZ_CHECK(cv1::Category_IsValid(category));
  }
  cv1::UpdateCaseRequest update;
  if (update.ParseFromString(bytes)) {
    cv1::Case after = StoredCase();
    absl::Status s = cases::ApplyCaseMask(update.update_mask(), update.case_(), after);
    CheckMaskOutcome(s);
    if (!s.ok()) {
      FUZZ_CHECK(after.SerializeAsString() == StoredCase().SerializeAsString());
      return;
    }
    FUZZ_CHECK(after.name() == StoredCase().name());
    FUZZ_CHECK(after.person() == StoredCase().person());
    FUZZ_CHECK(after.etag() == StoredCase().etag());
    FUZZ_CHECK(after.create_time().seconds() == StoredCase().create_time().seconds());
    FieldViolations v;
    cases::ValidateCase(after, Context(), FixedNow(), v);
    CheckViolations(v, "case.");
  }
  cv1::AddActionRequest action;
  if (action.ParseFromString(bytes)) {
    FieldViolations v;
    cases::ValidateAction(action.action(), Context(), FixedNow(), v);
    CheckViolations(v, "action.");
  }
}

bool WellFormedUtf8(absl::string_view s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = s[i];
    const int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    uint32_t v = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
    for (int k = 1; k < len; ++k) {
      const unsigned char cc = s[i + k];
      if ((cc >> 6) != 2) return false;
      v = (v << 6) | (cc & 0x3f);
    }
    if ((len == 2 && v < 0x80) || (len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
        (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF) {
      return false;
    }
    i += len;
  }
  return true;
}

void FuzzStrings(const std::string& s) {
  // Folding for search.
  const std::string folded = text::FoldForSearch(s);
  FUZZ_CHECK(WellFormedUtf8(folded));
  FUZZ_CHECK(folded.empty() || (folded.front() != ' ' && folded.back() != ' '));
  FUZZ_CHECK(folded.find("  ") == std::string::npos);
  FUZZ_CHECK(text::FoldForSearch(folded) == folded);
  const std::vector<std::string> words = text::Words(folded);
  FUZZ_CHECK(absl::StrJoin(words, " ") == folded);
  if (text::IsCleanUtf8(s)) {
    FUZZ_CHECK(WellFormedUtf8(s));
    for (unsigned char c : s) FUZZ_CHECK(c >= 0x20 && c != 0x7f);
  }

  // Identities from certificate URIs.
  auto caller = ParseIdentity(s);
  if (caller.ok()) {
    FUZZ_CHECK(caller->identity == s);
    FUZZ_CHECK(caller->country.size() == 2);
    if (caller->role == Role::kOfficer) FUZZ_CHECK(!caller->post.empty());
    if (caller->role != Role::kNode) FUZZ_CHECK(!caller->user.empty());
    (void)RoleName(caller->role);
  } else {
    FUZZ_CHECK_MSG(caller.status().code() == absl::StatusCode::kPermissionDenied,
                   caller.status().ToString());
  }

  // Dates and document numbers.
  if (cases::IsValidPartialDate(s, FixedNow())) {
    FUZZ_CHECK(s.size() == 4 || s.size() == 7 || s.size() == 10);
  }
  if (cases::IsValidFullDate(s)) FUZZ_CHECK(s.size() == 10);
  const std::string norm = cases::NormalizeDocumentNumber(s);
  FUZZ_CHECK(cases::NormalizeDocumentNumber(norm) == norm);
  const size_t half = s.size() / 2;
  const absl::string_view a = absl::string_view(s).substr(0, half);
  const absl::string_view b = absl::string_view(s).substr(half);
  if (!a.empty() && !b.empty()) {
    FUZZ_CHECK(cases::BirthDateMatches(a, b) == cases::BirthDateMatches(b, a));
  }
}

void IgnoreProtobufLog(google::protobuf::LogLevel, const char*, int, const std::string&) {}

}  // namespace
}  // namespace enlace::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool init = [] {
    google::protobuf::SetLogHandler(&enlace::fuzz::IgnoreProtobufLog);
    return true;
  }();
  (void)init;
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  enlace::fuzz::FuzzPersons(bytes);
  enlace::fuzz::FuzzCases(bytes);
  enlace::fuzz::FuzzStrings(bytes);
  return 0;
}
