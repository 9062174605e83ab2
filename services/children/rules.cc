#include "services/children/rules.h"

#include <algorithm>
#include <set>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
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

absl::Status CheckAdvance(const v1::ChildRecord& r, v1::WorkflowState to) {
  if (to == v1::WORKFLOW_STATE_RETURN_PLANNED) {
    return absl::FailedPreconditionError(
        "a return is planned with SetReturnPlan, on an approved determination");
  }
  if (to == v1::WORKFLOW_STATE_HANDED_OVER) {
    return absl::FailedPreconditionError(
        "a child is handed over when the receiving member confirms it received them");
  }
  if (r.state() == v1::WORKFLOW_STATE_RETURN_PLANNED && to == v1::WORKFLOW_STATE_SERVICES &&
      r.return_plan().handover_state() != v1::HANDOVER_STATE_DECLINED) {
    return absl::FailedPreconditionError(
        "the return stays planned until the receiving member declines the handover");
  }
  return CheckStep(r.state(), to);
}

absl::Status CheckReturnAllowed(const v1::ChildRecord& r, const enlace::cases::v1::Person& child,
                                const std::string& receiving_country) {
  if (r.state() != v1::WORKFLOW_STATE_SERVICES) {
    return absl::FailedPreconditionError(absl::StrCat(
        "a return is planned from SERVICES; the record is ", v1::WorkflowState_Name(r.state())));
  }
  const v1::Determination& d = r.determination();
  if (d.status() != v1::DETERMINATION_STATUS_APPROVED ||
      (d.decision() != v1::DECISION_RETURN_AND_REUNIFY_IN_ORIGIN &&
       d.decision() != v1::DECISION_REUNIFY_IN_HOST_OR_THIRD_COUNTRY)) {
    return absl::FailedPreconditionError(
        "a return is planned only on an approved determination to return or reunify");
  }
  if (d.decision() == v1::DECISION_RETURN_AND_REUNIFY_IN_ORIGIN &&
      std::find(child.nationalities().begin(), child.nationalities().end(),
                receiving_country) == child.nationalities().end()) {
    return absl::FailedPreconditionError(absl::StrCat(
        "the determination is a return to the country of origin; ", receiving_country,
        " is not a nationality of the child"));
  }
  return absl::OkStatus();
}

void ValidateReturnPlan(const v1::ReturnPlan& plan, absl::Time now, FieldViolations& v) {
  if (!geo::IsCountryCode(plan.receiving_country())) {
    v.Add("plan.receiving_country", "an ISO 3166-1 alpha-2 code of a member");
  }
  std::vector<absl::string_view> a = absl::StrSplit(plan.authority(), '/');
  if (a.size() != 4 || a[0] != "countries" || a[1] != plan.receiving_country() ||
      a[2] != "organisations" || a[3].empty()) {
    v.Add("plan.authority",
          "countries/{receiving_country}/organisations/{id}: the receiving authority");
  }
  if (plan.reception_point().empty()) v.Add("plan.reception_point", "required");
  CheckText(plan.reception_point(), 300, "plan.reception_point", v);
  CheckText(plan.escort(), 300, "plan.escort", v);
  if (!plan.has_handover_time() || !IsValidProtoTime(plan.handover_time()) ||
      FromProtoTime(plan.handover_time()) < now - absl::Hours(24 * 30) ||
      FromProtoTime(plan.handover_time()) > now + absl::Hours(24 * 366)) {
    v.Add("plan.handover_time", "required: within the last 30 days or the coming year");
  }
}

absl::Status CheckHandoverAnswer(v1::HandoverState from, v1::HandoverState to) {
  const bool ok = (from == v1::HANDOVER_STATE_PROPOSED &&
                   (to == v1::HANDOVER_STATE_ACCEPTED || to == v1::HANDOVER_STATE_DECLINED)) ||
                  (from == v1::HANDOVER_STATE_ACCEPTED &&
                   (to == v1::HANDOVER_STATE_RECEIVED || to == v1::HANDOVER_STATE_DECLINED));
  if (!ok) {
    return absl::FailedPreconditionError(absl::StrCat("a handover ", v1::HandoverState_Name(from),
                                                      " cannot become ",
                                                      v1::HandoverState_Name(to)));
  }
  return absl::OkStatus();
}

bool IsWellFormedOffer(const v1::Handover& h) {
  FieldViolations v;
  CheckText(h.given_names(), 200, "given_names", v);
  CheckText(h.family_names(), 200, "family_names", v);
  CheckText(h.authority(), 200, "authority", v);
  CheckText(h.reception_point(), 300, "reception_point", v);
  CheckText(h.escort(), 300, "escort", v);
  CheckText(h.note(), 2000, "note", v);
  return v.empty() && h.birth_date().size() <= 10 && geo::IsPostCode(h.from_post()) &&
         v1::Accompaniment_IsValid(h.accompaniment()) &&
         enlace::cases::v1::Sex_IsValid(h.sex()) &&
         (!h.has_handover_time() || IsValidProtoTime(h.handover_time()));
}

v1::Handover HandoverFor(const enlace::cases::v1::Person& child, const v1::ChildRecord& r,
                         const v1::ReturnPlan& plan) {
  v1::Handover h;
  h.set_to_country(plan.receiving_country());
  h.set_from_post(r.post());
  h.set_given_names(child.given_names());
  h.set_family_names(child.family_names());
  h.set_birth_date(child.birth_date());
  h.set_sex(child.sex());
  h.set_accompaniment(r.accompaniment());
  h.set_authority(plan.authority());
  h.set_reception_point(plan.reception_point());
  h.set_escort(plan.escort());
  *h.mutable_handover_time() = plan.handover_time();
  h.set_state(v1::HANDOVER_STATE_PROPOSED);
  return h;
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
