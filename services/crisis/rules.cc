#include "services/crisis/rules.h"

#include <algorithm>
#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "common/geo/geo.h"
#include "common/text/fold.h"
#include "common/time/proto_time.h"
#include "services/cases/rules.h"

namespace enlace::crisis {
namespace {

void CheckLine(const std::string& value, size_t max, bool required, const std::string& field,
               FieldViolations& v) {
  if (value.empty()) {
    if (required) v.Add(field, "required");
  } else if (value.size() > max || !text::IsCleanUtf8(value)) {
    v.Add(field, absl::StrCat("at most ", max, " bytes of UTF-8 text"));
  }
}

bool InHostCountry(const std::string& area, const std::string& host) {
  return geo::IsSubdivisionCode(area) && absl::StartsWith(area, host + "-");
}

bool CoversArea(const v1::Crisis& crisis, const std::string& area) {
  return std::find(crisis.areas().begin(), crisis.areas().end(), area) != crisis.areas().end();
}

}  // namespace

void ValidateCrisis(const v1::Crisis& c, FieldViolations& v, const std::string& p) {
  if (c.type() == v1::CRISIS_TYPE_UNSPECIFIED || !v1::CrisisType_IsValid(c.type())) {
    v.Add(p + "type", "required: one of the crisis types");
  }
  CheckLine(c.title(), 200, true, p + "title", v);
  if (!geo::IsCountryCode(c.host_country())) {
    v.Add(p + "host_country", "must be an ISO 3166-1 alpha-2 code");
  }
  if (c.areas_size() == 0 || c.areas_size() > 100) v.Add(p + "areas", "1 to 100 areas");
  std::set<std::string> areas;
  for (int i = 0; i < c.areas_size() && i < 100; ++i) {
    if (!InHostCountry(c.areas(i), c.host_country()) || !areas.insert(c.areas(i)).second) {
      v.Add(absl::StrCat(p, "areas[", i, "]"),
            "must be an ISO 3166-2 subdivision of host_country, listed once");
    }
  }
  if (c.phase() == v1::PHASE_UNSPECIFIED || !v1::Phase_IsValid(c.phase())) {
    v.Add(p + "phase", "required: monitoring, active, recovery or closed");
  }
  if (!c.lead_member().empty() && !geo::IsCountryCode(c.lead_member())) {
    v.Add(p + "lead_member", "must be an ISO 3166-1 alpha-2 code");
  }
  for (int i = 0; i < c.focal_posts_size(); ++i) {
    const v1::FocalPost& f = c.focal_posts(i);
    const std::string fp = absl::StrCat(p, "focal_posts[", i, "].");
    if (!areas.count(f.area())) v.Add(fp + "area", "must be one of the crisis's areas");
    if (!geo::IsCountryCode(f.member())) v.Add(fp + "member", "must be an ISO 3166-1 code");
    if (!geo::IsPostCode(f.post())) v.Add(fp + "post", "must be a post code");
  }
  CheckLine(c.hotline(), 40, false, p + "hotline", v);
  CheckLine(c.advisory(), 4000, false, p + "advisory", v);
  for (int i = 0; i < c.measures_size(); ++i) {
    const std::string mp = absl::StrCat(p, "measures[", i, "].");
    if (!geo::IsCountryCode(c.measures(i).member())) {
      v.Add(mp + "member", "must be an ISO 3166-1 code");
    }
    CheckLine(c.measures(i).description(), 500, true, mp + "description", v);
  }
}

absl::Status CheckPhaseChange(v1::Phase from, v1::Phase to) {
  if (to < from) {
    return absl::FailedPreconditionError(
        absl::StrCat("a crisis's phase only moves forward: ", v1::Phase_Name(from),
                     " cannot become ", v1::Phase_Name(to)));
  }
  return absl::OkStatus();
}

void ValidateRegistration(const v1::Registration& r, FieldViolations& v, const std::string& p) {
  CheckLine(r.given_names(), 200, true, p + "given_names", v);
  CheckLine(r.family_names(), 200, true, p + "family_names", v);
  if (!r.birth_date().empty() &&
      !cases::IsValidPartialDate(r.birth_date(), absl::Now() + absl::Hours(24))) {
    v.Add(p + "birth_date", "must be YYYY, YYYY-MM or YYYY-MM-DD, not in the future");
  }
  if (r.documents_size() > 10) v.Add(p + "documents", "at most 10");
  for (int i = 0; i < r.documents_size() && i < 10; ++i) {
    CheckLine(r.documents(i).number(), 40, true, absl::StrCat(p, "documents[", i, "].number"), v);
    if (!geo::IsCountryCode(r.documents(i).issuing_country())) {
      v.Add(absl::StrCat(p, "documents[", i, "].issuing_country"), "must be an ISO 3166-1 code");
    }
  }
  CheckLine(r.phone(), 40, false, p + "phone", v);
  CheckLine(r.email(), 254, false, p + "email", v);
  CheckLine(r.address(), 500, false, p + "address", v);
  if (r.co_travellers_size() > 20) v.Add(p + "co_travellers", "at most 20");
  for (int i = 0; i < r.co_travellers_size() && i < 20; ++i) {
    CheckLine(r.co_travellers(i), 200, true, absl::StrCat(p, "co_travellers[", i, "]"), v);
  }
  CheckLine(r.emergency_contact().name(), 200, false, p + "emergency_contact.name", v);
  CheckLine(r.emergency_contact().relation(), 100, false, p + "emergency_contact.relation", v);
  CheckLine(r.emergency_contact().phone(), 40, false, p + "emergency_contact.phone", v);
  if (!geo::IsCountryCode(r.host_country())) {
    v.Add(p + "host_country", "must be an ISO 3166-1 alpha-2 code");
  } else if (!InHostCountry(r.area(), r.host_country())) {
    v.Add(p + "area", "must be an ISO 3166-2 subdivision of host_country");
  }
  if (!r.arrival_date().empty() && !cases::IsValidFullDate(r.arrival_date())) {
    v.Add(p + "arrival_date", "must be YYYY-MM-DD");
  }
  if (!r.return_date().empty()) {
    if (!cases::IsValidFullDate(r.return_date())) {
      v.Add(p + "return_date", "must be YYYY-MM-DD");
    } else if (!r.arrival_date().empty() && r.return_date() < r.arrival_date()) {
      v.Add(p + "return_date", "must not be before arrival_date");
    }
  }
  if (!r.person().empty() && !absl::StartsWith(r.person(), "countries/")) {
    v.Add(p + "person", "must be a person's name, countries/{cc}/persons/{id}");
  }
}

absl::Time ExpireTime(const v1::Registration& r, absl::Time created) {
  absl::Time from = created;
  absl::Time ret;
  std::string err;
  if (!r.return_date().empty() && absl::ParseTime("%Y-%m-%d", r.return_date(), &ret, &err)) {
    from = std::max(from, ret);
  }
  return from + kRetention;
}

int Confidence(v1::WelfareStatus s) {
  switch (s) {
    case v1::WELFARE_STATUS_UNSPECIFIED:
    case v1::WELFARE_STATUS_UNACCOUNTED:
      return 0;
    case v1::WELFARE_STATUS_INQUIRY_OPEN:
      return 1;
    case v1::WELFARE_STATUS_BELIEVED_SAFE:
    case v1::WELFARE_STATUS_BELIEVED_MISSING:
    case v1::WELFARE_STATUS_BELIEVED_DECEASED:
      return 2;
    default:
      return 3;
  }
}

bool IsConfirmed(v1::WelfareStatus s) { return Confidence(s) == 3; }

bool NeedsFollowUp(v1::WelfareStatus s) {
  return s == v1::WELFARE_STATUS_NEEDS_ASSISTANCE || s == v1::WELFARE_STATUS_INJURED ||
         s == v1::WELFARE_STATUS_DETAINED;
}

bool IsAccountedFor(v1::WelfareStatus s) { return Confidence(s) >= 2; }

int Risk(bool child, bool older_person, bool medical_needs, v1::WelfareStatus status) {
  if (child) return 0;
  if (older_person) return 1;
  if (status == v1::WELFARE_STATUS_DETAINED) return 2;
  if (medical_needs || status == v1::WELFARE_STATUS_INJURED) return 3;
  return 9;
}

absl::Status RollUp(const v1::WelfareNote& note, v1::AccountingEntry& entry) {
  const v1::WelfareStatus to = note.status();
  if (Confidence(to) == 0) {
    return InvalidField("note.status",
                        "every subject starts unaccounted; a note says what was learnt");
  }
  if (entry.status() == v1::WELFARE_STATUS_DECEASED_CONFIRMED &&
      to != v1::WELFARE_STATUS_DECEASED_CONFIRMED) {
    return absl::FailedPreconditionError(
        absl::StrCat(entry.subject(), "'s death was confirmed; a ", StatusKey(to),
                     " note cannot follow. If the confirmation was wrong, a supervisor "
                     "merges or corrects the subject"));
  }
  entry.set_notes(entry.notes() + 1);
  if (!note.last_known_area().empty()) entry.set_area(note.last_known_area());
  const int have = Confidence(entry.status());
  const int want = Confidence(to);
  const absl::Time at = FromProtoTime(note.observe_time());
  const absl::Time since =
      entry.has_status_time() ? FromProtoTime(entry.status_time()) : absl::InfinitePast();
  if (want > have || (want == have && at >= since)) {
    entry.set_status(to);
    entry.set_confirmed(IsConfirmed(to));
    *entry.mutable_status_time() = note.observe_time();
  }
  return absl::OkStatus();
}

void ValidateNote(const v1::WelfareNote& n, const v1::Crisis& crisis, absl::Time now,
                  FieldViolations& v) {
  if (n.status() == v1::WELFARE_STATUS_UNSPECIFIED || !v1::WelfareStatus_IsValid(n.status())) {
    v.Add("note.status", "required: one of the welfare statuses");
  } else if (Confidence(n.status()) == 0) {
    v.Add("note.status", "every subject starts unaccounted; a note says what was learnt");
  }
  if (n.source() == v1::NOTE_SOURCE_UNSPECIFIED || !v1::NoteSource_IsValid(n.source()) ||
      n.source() == v1::NOTE_SOURCE_ANOTHER_MEMBER) {
    v.Add("note.source",
          "required: registry, family inquiry, case, host authority or shelter "
          "list (another member's notes arrive as sightings)");
  }
  if (!n.has_observe_time() || !IsValidProtoTime(n.observe_time())) {
    v.Add("note.observe_time", "required: when it was observed");
  } else {
    const absl::Time at = FromProtoTime(n.observe_time());
    if (at > now + absl::Minutes(5)) v.Add("note.observe_time", "must not be in the future");
    if (crisis.has_create_time() && at < FromProtoTime(crisis.create_time()) - absl::Hours(72)) {
      v.Add("note.observe_time", "more than 72 hours before the crisis was declared");
    }
  }
  if (!n.last_known_area().empty() && !CoversArea(crisis, n.last_known_area())) {
    v.Add("note.last_known_area", "must be one of the crisis's areas");
  }
  CheckLine(n.details(), 2000, false, "note.details", v);
}

void ValidateSighting(const v1::Sighting& s, const v1::Crisis& crisis, absl::Time now,
                      const std::string& sender, FieldViolations& v) {
  if (!geo::IsCountryCode(s.nationality())) {
    v.Add("sighting.nationality", "must be an ISO 3166-1 alpha-2 code");
  } else if (s.nationality() == sender) {
    v.Add("sighting.nationality",
          "the person is this member's own national: record a welfare note instead");
  }
  CheckLine(s.given_names(), 200, true, "sighting.given_names", v);
  CheckLine(s.family_names(), 200, true, "sighting.family_names", v);
  if (s.birth_year() != 0 &&
      (s.birth_year() < 1900 ||
       s.birth_year() > absl::ToCivilYear(now, absl::UTCTimeZone()).year())) {
    v.Add("sighting.birth_year", "must be a year between 1900 and now");
  }
  if (!s.document().number().empty()) {
    CheckLine(s.document().number(), 40, true, "sighting.document.number", v);
  }
  if (!CoversArea(crisis, s.area())) v.Add("sighting.area", "must be one of the crisis's areas");
  if (s.status() == v1::WELFARE_STATUS_UNSPECIFIED || !v1::WelfareStatus_IsValid(s.status()) ||
      Confidence(s.status()) == 0) {
    v.Add("sighting.status", "required: what the post learnt (not unaccounted)");
  }
  CheckLine(s.needs(), 200, false, "sighting.needs", v);
  if (!s.has_observe_time() || !IsValidProtoTime(s.observe_time())) {
    v.Add("sighting.observe_time", "required: when the person was seen");
  } else if (FromProtoTime(s.observe_time()) > now + absl::Minutes(5)) {
    v.Add("sighting.observe_time", "must not be in the future");
  }
  if (!s.post().empty() && !geo::IsPostCode(s.post())) v.Add("sighting.post", "a post code");
}

std::vector<v1::Cell> PublishedCells(const std::string& member,
                                     const std::map<v1::WelfareStatus, int64_t>& counts) {
  std::vector<v1::Cell> cells;
  for (const auto& [status, count] : counts) {
    if (count <= 0) continue;
    v1::Cell& c = cells.emplace_back();
    c.set_member(member);
    c.set_status(status);
    if (count < kSuppressionThreshold) {
      c.set_withheld(true);
    } else {
      c.set_count(count);
    }
  }
  return cells;
}

std::string StatusKey(v1::WelfareStatus status) {
  std::string name = v1::WelfareStatus_Name(status);
  if (absl::StartsWith(name, "WELFARE_STATUS_")) name = name.substr(15);
  absl::AsciiStrToLower(&name);
  return absl::StrReplaceAll(name, {{"_", "-"}});
}

}  // namespace enlace::crisis
