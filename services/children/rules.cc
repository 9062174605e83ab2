#include "services/children/rules.h"

#include <set>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/geo/geo.h"
#include "common/text/fold.h"
#include "common/time/proto_time.h"
#include "services/cases/rules.h"

namespace enlace::children {
namespace {

void CheckText(const std::string& value, size_t max, const std::string& field, FieldViolations& v) {
  if (value.size() > max || !text::IsCleanUtf8(value)) {
    v.Add(field, absl::StrCat("at most ", max, " bytes of UTF-8 text"));
  }
}

}  // namespace

absl::Status CheckStep(v1::WorkflowState from, v1::WorkflowState to) {
  using S = v1::WorkflowState;
  static const std::set<std::pair<int, int>>* steps = new std::set<std::pair<int, int>>{
      {S::WORKFLOW_STATE_NEW, S::WORKFLOW_STATE_ASSESSED},
      {S::WORKFLOW_STATE_ASSESSED, S::WORKFLOW_STATE_CASE_PLAN},
      {S::WORKFLOW_STATE_CASE_PLAN, S::WORKFLOW_STATE_SERVICES},
      {S::WORKFLOW_STATE_DETERMINATION_APPROVED, S::WORKFLOW_STATE_SERVICES},
      {S::WORKFLOW_STATE_SERVICES, S::WORKFLOW_STATE_RETURN_PLANNED},
      {S::WORKFLOW_STATE_SERVICES, S::WORKFLOW_STATE_CLOSED},
      {S::WORKFLOW_STATE_RETURN_PLANNED, S::WORKFLOW_STATE_HANDED_OVER},
      {S::WORKFLOW_STATE_RETURN_PLANNED, S::WORKFLOW_STATE_SERVICES},
      {S::WORKFLOW_STATE_HANDED_OVER, S::WORKFLOW_STATE_FOLLOW_UP},
      {S::WORKFLOW_STATE_FOLLOW_UP, S::WORKFLOW_STATE_CLOSED},
      {S::WORKFLOW_STATE_CLOSED, S::WORKFLOW_STATE_REOPENED},
      {S::WORKFLOW_STATE_REOPENED, S::WORKFLOW_STATE_ASSESSED},
  };
  if (steps->count({from, to}) == 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("a child-protection record in ", v1::WorkflowState_Name(from),
                     " cannot go to ", v1::WorkflowState_Name(to),
                     to == S::WORKFLOW_STATE_DETERMINATION_PENDING ||
                             to == S::WORKFLOW_STATE_DETERMINATION_APPROVED
                         ? " (determinations go through RequestDetermination and "
                           "DecideDetermination)"
                         : ""));
  }
  return absl::OkStatus();
}

void ValidateFacts(const v1::ChildRecord& r, absl::Time now, FieldViolations& v,
                   const std::string& p) {
  if (r.accompaniment() == 0 || !v1::Accompaniment_IsValid(r.accompaniment())) {
    v.Add(p + "accompaniment", "required");
  }
  if (r.age_basis() == 0 || !v1::AgeBasis_IsValid(r.age_basis())) {
    v.Add(p + "age_basis", "required: document, declared or assessed");
  }
  std::set<int> seen;
  for (int i = 0; i < r.concerns_size(); ++i) {
    if (r.concerns(i) == 0 || !v1::Concern_IsValid(r.concerns(i)) ||
        !seen.insert(r.concerns(i)).second) {
      v.Add(absl::StrCat(p, "concerns[", i, "]"), "unknown or repeated concern");
    }
  }
  if (r.care_size() > 50) v.Add(p + "care", "at most 50 arrangements");
  for (int i = 0; i < r.care_size() && i < 50; ++i) {
    const auto& c = r.care(i);
    const std::string cp = absl::StrCat(p, "care[", i, "].");
    if (c.type() == 0 || !v1::CareType_IsValid(c.type())) v.Add(cp + "type", "required");
    CheckText(c.caregiver(), 200, cp + "caregiver", v);
    CheckText(c.authority(), 200, cp + "authority", v);
    if (!c.start_date().empty() && !cases::IsValidFullDate(c.start_date())) {
      v.Add(cp + "start_date", "YYYY-MM-DD");
    }
  }
  CheckText(r.legal_representative(), 200, p + "legal_representative", v);
  if (r.has_views_heard()) {
    if (!IsValidProtoTime(r.views_heard().time()) ||
        FromProtoTime(r.views_heard().time()) > now + absl::Minutes(5)) {
      v.Add(p + "views_heard.time", "when the child was heard, not in the future");
    }
    if (!geo::IsLanguageCode(r.views_heard().language())) {
      v.Add(p + "views_heard.language", "an ISO 639 code in lower case");
    }
  }
  if (!v1::Assent_IsValid(r.assent())) v.Add(p + "assent", "unknown value");
  if (r.assent() == v1::ASSENT_OVERRIDDEN && r.override_reason().empty()) {
    v.Add(p + "override_reason", "required when the child's assent is overridden");
  }
  CheckText(r.override_reason(), 2000, p + "override_reason", v);
}

void ValidateAssessment(const v1::Assessment& a, absl::Time now, FieldViolations& v) {
  if (!a.has_time() || !IsValidProtoTime(a.time()) ||
      FromProtoTime(a.time()) > now + absl::Minutes(5)) {
    v.Add("assessment.time", "required, not in the future");
  }
  if (a.risk() == 0 || !v1::Risk_IsValid(a.risk())) v.Add("assessment.risk", "required");
  if (a.recommendation().empty()) v.Add("assessment.recommendation", "required");
  CheckText(a.recommendation(), 4000, "assessment.recommendation", v);
}

void ValidateDetermination(const v1::Determination& d, FieldViolations& v) {
  if (d.situation() == 0 || !v1::DeterminationSituation_IsValid(d.situation())) {
    v.Add("determination.situation", "required: one of the three situations that need one");
  }
  if (d.decision() == 0 || !v1::Decision_IsValid(d.decision())) {
    v.Add("determination.decision", "required");
  }
  if (d.reasoning().empty()) v.Add("determination.reasoning", "required: the panel's reasons");
  CheckText(d.reasoning(), 8000, "determination.reasoning", v);
}

bool IsUnder18(const enlace::cases::v1::Person& person, absl::Time now) {
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
  return person.age_band() == enlace::cases::v1::AGE_BAND_CHILD_0_11 ||
         person.age_band() == enlace::cases::v1::AGE_BAND_ADOLESCENT_12_17;
}

v1::ChildRecord Withheld(const v1::ChildRecord& r) {
  v1::ChildRecord out;
  out.set_name(r.name());
  out.set_case_(r.case_());
  out.set_post(r.post());
  out.set_state(r.state());
  out.set_etag(r.etag());
  *out.mutable_create_time() = r.create_time();
  *out.mutable_update_time() = r.update_time();
  out.set_content_withheld(true);
  return out;
}

}  // namespace enlace::children
