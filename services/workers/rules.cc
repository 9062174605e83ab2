#include "services/workers/rules.h"

#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/geo/geo.h"
#include "common/text/fold.h"

namespace enlace::workers {
namespace {

using S = v1::ClaimStatus;

void CheckText(const std::string& value, size_t min, size_t max, const std::string& field,
               FieldViolations& v) {
  if (value.size() < min || value.size() > max || !text::IsCleanUtf8(value)) {
    v.Add(field, absl::StrCat(min, "-", max, " bytes of UTF-8 text"));
  }
}

void CheckDate(const std::string& date, const std::string& field, bool required,
               FieldViolations& v) {
  absl::CivilDay day;
  if ((required || !date.empty()) && !ParseDate(date, &day)) v.Add(field, "YYYY-MM-DD");
}

}  // namespace

absl::Status CheckClaimStep(v1::ClaimStatus from, v1::ClaimStatus to) {
  static const std::set<std::pair<int, int>>* steps = new std::set<std::pair<int, int>>{
      {S::CLAIM_STATUS_INTAKE, S::CLAIM_STATUS_DOCUMENTED},
      {S::CLAIM_STATUS_DOCUMENTED, S::CLAIM_STATUS_FILED},
      {S::CLAIM_STATUS_DOCUMENTED, S::CLAIM_STATUS_MEDIATION},
      {S::CLAIM_STATUS_FILED, S::CLAIM_STATUS_MEDIATION},
      {S::CLAIM_STATUS_FILED, S::CLAIM_STATUS_INVESTIGATION},
      {S::CLAIM_STATUS_FILED, S::CLAIM_STATUS_LITIGATION},
      {S::CLAIM_STATUS_FILED, S::CLAIM_STATUS_RECOVERED},
      {S::CLAIM_STATUS_FILED, S::CLAIM_STATUS_PARTIAL},
      {S::CLAIM_STATUS_FILED, S::CLAIM_STATUS_DISMISSED},
      {S::CLAIM_STATUS_MEDIATION, S::CLAIM_STATUS_FILED},
      {S::CLAIM_STATUS_MEDIATION, S::CLAIM_STATUS_LITIGATION},
      {S::CLAIM_STATUS_MEDIATION, S::CLAIM_STATUS_RECOVERED},
      {S::CLAIM_STATUS_MEDIATION, S::CLAIM_STATUS_PARTIAL},
      {S::CLAIM_STATUS_MEDIATION, S::CLAIM_STATUS_DISMISSED},
      {S::CLAIM_STATUS_INVESTIGATION, S::CLAIM_STATUS_LITIGATION},
      {S::CLAIM_STATUS_INVESTIGATION, S::CLAIM_STATUS_RECOVERED},
      {S::CLAIM_STATUS_INVESTIGATION, S::CLAIM_STATUS_PARTIAL},
      {S::CLAIM_STATUS_INVESTIGATION, S::CLAIM_STATUS_DISMISSED},
      {S::CLAIM_STATUS_LITIGATION, S::CLAIM_STATUS_RECOVERED},
      {S::CLAIM_STATUS_LITIGATION, S::CLAIM_STATUS_PARTIAL},
      {S::CLAIM_STATUS_LITIGATION, S::CLAIM_STATUS_DISMISSED},
      // More paid later, or the rest pursued in court.
      {S::CLAIM_STATUS_PARTIAL, S::CLAIM_STATUS_RECOVERED},
      {S::CLAIM_STATUS_PARTIAL, S::CLAIM_STATUS_LITIGATION},
      // An appeal.
      {S::CLAIM_STATUS_DISMISSED, S::CLAIM_STATUS_LITIGATION},
  };
  // The worker may drop the claim at any point before it is final.
  const bool withdraw = to == S::CLAIM_STATUS_WITHDRAWN && from != S::CLAIM_STATUS_RECOVERED &&
                        from != S::CLAIM_STATUS_WITHDRAWN && from != S::CLAIM_STATUS_UNSPECIFIED;
  if (!withdraw && steps->count({from, to}) == 0) {
    return absl::FailedPreconditionError(absl::StrCat("a labour claim in ",
                                                      v1::ClaimStatus_Name(from),
                                                      " cannot go to ", v1::ClaimStatus_Name(to)));
  }
  return absl::OkStatus();
}

bool IsBeforeFiling(v1::ClaimStatus status) {
  return status == S::CLAIM_STATUS_INTAKE || status == S::CLAIM_STATUS_DOCUMENTED;
}

bool CarriesRecovery(v1::ClaimStatus status) {
  return status == S::CLAIM_STATUS_RECOVERED || status == S::CLAIM_STATUS_PARTIAL;
}

bool IsCurrencyCode(absl::string_view code) {
  // The members' currencies and the ones their workers meet abroad.
  static const std::set<absl::string_view>* codes = new std::set<absl::string_view>{
      "BZD", "CAD", "CRC", "DOP", "USD", "GTQ", "HNL", "MXN", "NIO", "PAB",
      "EUR", "GBP", "AUD", "NZD", "JPY", "KRW", "CLP", "COP", "PEN", "BRL"};
  return codes->count(code) > 0;
}

bool IsRegistryId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '/' &&
        c != '-') {
      return false;
    }
  }
  return true;
}

bool ParseDate(absl::string_view date, absl::CivilDay* day) {
  int y = 0, m = 0, d = 0;
  if (date.size() != 10 || date[4] != '-' || date[7] != '-' ||
      !absl::SimpleAtoi(date.substr(0, 4), &y) || !absl::SimpleAtoi(date.substr(5, 2), &m) ||
      !absl::SimpleAtoi(date.substr(8, 2), &d) || y < 1900 || y > 2200) {
    return false;
  }
  *day = absl::CivilDay(y, m, d);
  // CivilDay normalises 2026-02-30 to March: a real date reads back the same.
  return day->year() == y && day->month() == m && day->day() == d;
}

void ValidateMoney(const v1::Money& m, const std::string& field, bool positive,
                   FieldViolations& v) {
  if (!IsCurrencyCode(m.currency_code())) {
    v.Add(field + ".currency_code", "an ISO 4217 code, e.g. USD, CAD, MXN");
  }
  // A bound that no claim reaches (10^12 dollars) keeps sums far from overflow.
  if (m.amount_minor() < (positive ? 1 : 0) || m.amount_minor() > 100'000'000'000'000) {
    v.Add(field + ".amount_minor",
          positive ? "more than 0, in minor units (cents)" : "0 or more, in minor units (cents)");
  }
}

void ValidateEmployment(const v1::Employment& e, FieldViolations& v) {
  if (e.programme() == 0 || !v1::Programme_IsValid(e.programme())) {
    v.Add("employment.programme", "required (PROGRAMME_NONE when none)");
  }
  if (e.programme() != v1::PROGRAMME_NONE || !e.permit_number().empty()) {
    CheckText(e.permit_number(), 1, 64, "employment.permit_number", v);
  }
  CheckText(e.employer().name(), 1, 200, "employment.employer.name", v);
  if (!e.employer().registry_id().empty() && !IsRegistryId(e.employer().registry_id())) {
    v.Add("employment.employer.registry_id", "1-64 of A-Z a-z 0-9 . / -");
  }
  if (!geo::IsSubdivisionCode(e.employer().worksite_area())) {
    v.Add("employment.employer.worksite_area", "an ISO 3166-2 code, e.g. CA-ON");
  }
  if (e.has_recruiter()) {
    CheckText(e.recruiter().name(), 1, 200, "employment.recruiter.name", v);
    if (!e.recruiter().licence().empty() && !IsRegistryId(e.recruiter().licence())) {
      v.Add("employment.recruiter.licence", "1-64 of A-Z a-z 0-9 . / -");
    }
    if (e.recruiter().has_fees_paid()) {
      ValidateMoney(e.recruiter().fees_paid(), "employment.recruiter.fees_paid", false, v);
    }
  }
  const v1::Contract& c = e.contract();
  absl::CivilDay start, end;
  const bool has_start = ParseDate(c.start_date(), &start);
  if (!has_start) v.Add("employment.contract.start_date", "YYYY-MM-DD");
  if (!c.end_date().empty() && (!ParseDate(c.end_date(), &end) || (has_start && end < start))) {
    v.Add("employment.contract.end_date", "YYYY-MM-DD, not before start_date");
  }
  if (c.promised_hours_per_week() < 0 || c.promised_hours_per_week() > 100) {
    v.Add("employment.contract.promised_hours_per_week", "0-100");
  }
  ValidateMoney(c.wage(), "employment.contract.wage", true, v);
  if (c.wage_unit() == 0 || !v1::WageUnit_IsValid(c.wage_unit())) {
    v.Add("employment.contract.wage_unit", "required");
  }
  if (c.deductions_size() > 20) v.Add("employment.contract.deductions", "at most 20");
  for (int i = 0; i < c.deductions_size() && i < 20; ++i) {
    const std::string f = absl::StrCat("employment.contract.deductions[", i, "]");
    if (c.deductions(i).type() == 0 || !v1::DeductionType_IsValid(c.deductions(i).type())) {
      v.Add(f + ".type", "required");
    }
    ValidateMoney(c.deductions(i).amount(), f + ".amount", true, v);
  }
}

void ValidateClaim(const v1::LabourClaim& c, FieldViolations& v) {
  if (c.type() == 0 || !v1::ClaimType_IsValid(c.type())) v.Add("claim.type", "required");
  if (c.forum() == 0 || !v1::Forum_IsValid(c.forum())) v.Add("claim.forum", "required");
  // Retaliation, discrimination or trafficking indicators may claim no sum at all.
  ValidateMoney(c.claimed(), "claim.claimed", false, v);
  CheckDate(c.filing_deadline(), "claim.filing_deadline", false, v);
  CheckText(c.docket_number(), 0, 100, "claim.docket_number", v);
}

void ValidateRecovery(const v1::LabourClaim& claim, v1::ClaimStatus to,
                      const v1::Money& recovered, FieldViolations& v) {
  if (!CarriesRecovery(to)) {
    if (recovered.amount_minor() != 0 || !recovered.currency_code().empty()) {
      v.Add("recovered", "only with RECOVERED or PARTIAL");
    }
    return;
  }
  ValidateMoney(recovered, "recovered", true, v);
  if (recovered.currency_code() != claim.claimed().currency_code()) {
    v.Add("recovered.currency_code", "the claimed currency");
  }
  // The total so far: what was already recovered is never taken back.
  if (recovered.amount_minor() < claim.recovered().amount_minor()) {
    v.Add("recovered.amount_minor", "the total recovered so far, not less than before");
  }
}

void ValidateOutreachEvent(const v1::OutreachEvent& e, absl::CivilDay today, FieldViolations& v) {
  absl::CivilDay day;
  if (!ParseDate(e.date(), &day) || day > today + 1) {
    v.Add("event.date", "YYYY-MM-DD, not in the future: an event is reported once held");
  }
  if (e.kind() == 0 || !v1::OutreachKind_IsValid(e.kind())) v.Add("event.kind", "required");
  if (!e.area().empty() && !geo::IsSubdivisionCode(e.area())) {
    v.Add("event.area", "an ISO 3166-2 code");
  }
  if (e.partner_agencies_size() > 30) v.Add("event.partner_agencies", "at most 30");
  for (int i = 0; i < e.partner_agencies_size() && i < 30; ++i) {
    CheckText(e.partner_agencies(i), 1, 200, absl::StrCat("event.partner_agencies[", i, "]"), v);
  }
  if (e.attendees() < 0 || e.attendees() > 1'000'000) v.Add("event.attendees", "0-1000000");
  if (e.cases_identified() < 0 || e.cases_identified() > e.attendees()) {
    v.Add("event.cases_identified", "0 to the number of attendees");
  }
}

absl::Status ValidateCountsReport(const v1::CountsReport& r, absl::string_view sender) {
  // One writer per member: a peer reports its own counts, never another member's.
  if (r.member() != sender) {
    return absl::InvalidArgumentError(
        absl::StrCat(sender, " sent counts as member \"", r.member().substr(0, 8),
                     "\": a member reports its own counts only"));
  }
  if (r.kind() == 0 || !v1::SubjectKind_IsValid(r.kind())) {
    return absl::InvalidArgumentError("counts without an employer or recruiter kind");
  }
  if (!IsRegistryId(r.subject_id())) {
    return absl::InvalidArgumentError("counts with a malformed subject id");
  }
  if (r.revision() < 1) return absl::InvalidArgumentError("counts without a revision");
  if (r.counts_size() > v1::ClaimType_MAX) {
    return absl::InvalidArgumentError("more counts than claim types");
  }
  std::set<int> seen;
  for (const auto& c : r.counts()) {
    if (c.type() == 0 || !v1::ClaimType_IsValid(c.type()) || !seen.insert(c.type()).second) {
      return absl::InvalidArgumentError("counts with an unknown or repeated claim type");
    }
    if (c.count() < 0 || c.count() > 10'000'000) {
      return absl::InvalidArgumentError("a count out of bounds");
    }
  }
  return absl::OkStatus();
}

}  // namespace enlace::workers
