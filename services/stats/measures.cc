#include "services/stats/measures.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "enlace/cases/v1/case.pb.h"
#include "services/cases/rules.h"

namespace enlace::stats {
namespace {

namespace cv1 = ::enlace::cases::v1;

std::vector<std::string> ActionTypes() {
  std::vector<std::string> out;
  for (int t = cv1::ActionType_MIN + 1; t <= cv1::ActionType_MAX; ++t) {
    if (cv1::ActionType_IsValid(t)) {
      out.push_back(cv1::ActionType_Name(static_cast<cv1::ActionType>(t)));
    }
  }
  return out;
}

std::vector<std::string> Categories() {
  std::vector<std::string> out;
  for (int c = cv1::Category_MIN + 1; c <= cv1::Category_MAX; ++c) {
    if (cv1::Category_IsValid(c)) out.push_back(cv1::Category_Name(static_cast<cv1::Category>(c)));
  }
  return out;
}

// Subtypes about children, trafficking, deaths and gender-based violence: threshold 10.
bool SensitiveSubtype(cv1::Subtype s) {
  switch (s) {
    case cv1::SUBTYPE_MINOR_IN_CUSTODY:
    case cv1::SUBTYPE_CHILD_CUSTODY:
    case cv1::SUBTYPE_CHILD_SUPPORT:
    case cv1::SUBTYPE_INTERNATIONAL_CHILD_ABDUCTION:
    case cv1::SUBTYPE_TRAFFICKING:
    case cv1::SUBTYPE_GENDER_BASED_VIOLENCE:
    case cv1::SUBTYPE_REMAINS_IDENTIFICATION:
    case cv1::SUBTYPE_REMAINS_REPATRIATION:
      return true;
    default:
      return false;
  }
}

// Each category's subtypes (case.proto, rules' CategoryOfSubtype), then its other one.
Measure BySubtype() {
  Measure m{kCasesBySubtype, 'S', {}};
  m.nested_in = kCasesOpened;
  for (const std::string& category : Categories()) {
    cv1::Category c = cv1::CATEGORY_UNSPECIFIED;
    cv1::Category_Parse(category, &c);
    for (int s = cv1::Subtype_MIN + 1; s <= cv1::Subtype_MAX; ++s) {
      if (!cv1::Subtype_IsValid(s) || cases::CategoryOfSubtype(static_cast<cv1::Subtype>(s)) != c) {
        continue;
      }
      m.columns.push_back(cv1::Subtype_Name(static_cast<cv1::Subtype>(s)));
      m.parent_columns.push_back(category);
      if (SensitiveSubtype(static_cast<cv1::Subtype>(s))) {
        m.sensitive_columns.push_back(m.columns.back());
      }
    }
    m.columns.push_back(OtherSubtypesOf(category));
    m.parent_columns.push_back(category);
  }
  return m;
}

Measure Vulnerabilities() {
  Measure m{kCaseVulnerabilities, 'U', {}};
  m.multi_valued = true;
  for (int v = cv1::Vulnerability_MIN + 1; v <= cv1::Vulnerability_MAX; ++v) {
    if (!cv1::Vulnerability_IsValid(v)) continue;
    const auto vulnerability = static_cast<cv1::Vulnerability>(v);
    m.columns.push_back(cv1::Vulnerability_Name(vulnerability));
    if (vulnerability == cv1::VULNERABILITY_UNACCOMPANIED_CHILD ||
        vulnerability == cv1::VULNERABILITY_SEPARATED_CHILD ||
        vulnerability == cv1::VULNERABILITY_PRESUMED_TRAFFICKING_VICTIM ||
        vulnerability == cv1::VULNERABILITY_GBV_SURVIVOR) {
      m.sensitive_columns.push_back(m.columns.back());
    }
  }
  m.columns.push_back(kNoVulnerability);
  return m;
}

}  // namespace

std::string OtherSubtypesOf(absl::string_view category) {
  return absl::StrCat(category, "/SUBTYPE_OTHER");
}

const std::vector<Measure>& Measures() {
  static const auto* measures = new std::vector<Measure>{
      {kCasesOpened, 'O', Categories()},
      {kCasesClosed, 'X', Categories(), /*has_medians=*/true},
      // Distinct persons with a case opened in the month, in the category of their first.
      {kPersonsAssisted, 'P', Categories()},
      {kNotifications, 'N', {kAcknowledgedWithin24h, kAcknowledgedLater, kNotAcknowledged}},
      // Referrals that ended in the month, by outcome (referring member's count).
      {kReferralsEnded,
       'R',
       {"OUTCOME_SUCCESS", "OUTCOME_CLIENT_REFUSED", "OUTCOME_NO_CAPACITY",
        "OUTCOME_NO_LONGER_NEEDED", "OUTCOME_UNREACHABLE", "OUTCOME_OTHER", "REVOKED"}},
      // Nationals in crises at the month's end, by welfare status (the crisis board's
      // "accounted for" is every status but the first two), summed over the month's crises.
      {kCrisisAccounting,
       'C',
       {"WELFARE_STATUS_UNACCOUNTED", "WELFARE_STATUS_INQUIRY_OPEN",
        "WELFARE_STATUS_CONTACTED_SAFE", "WELFARE_STATUS_BELIEVED_SAFE",
        "WELFARE_STATUS_NEEDS_ASSISTANCE", "WELFARE_STATUS_INJURED", "WELFARE_STATUS_DETAINED",
        "WELFARE_STATUS_BELIEVED_MISSING", "WELFARE_STATUS_BELIEVED_DECEASED",
        "WELFARE_STATUS_DECEASED_CONFIRMED", "WELFARE_STATUS_DEPARTED_OR_EVACUATED",
        "WELFARE_STATUS_NOT_IN_AREA"},
       /*has_medians=*/false,
       /*stock=*/true,
       {"WELFARE_STATUS_BELIEVED_DECEASED", "WELFARE_STATUS_DECEASED_CONFIRMED"},
       /*has_amounts=*/false,
       {kCrisisDimension}},
      // Labour claims that ended in the month, by how, with the amounts recovered in it.
      {kLabourClaimsEnded,
       'L',
       {"CLAIM_STATUS_RECOVERED", "CLAIM_STATUS_PARTIAL", "CLAIM_STATUS_DISMISSED",
        "CLAIM_STATUS_WITHDRAWN"},
       /*has_medians=*/false,
       /*stock=*/false,
       {},
       /*has_amounts=*/true,
       {kProgrammeDimension}},
      // Consular actions recorded in the month, by type, by the facts of their case.
      {kActions, 'A', ActionTypes()},
      // Cases opened in the month by subtype: nested in cases_opened, published with it.
      BySubtype(),
      // Cases opened in the month once in each vulnerability their person had then ("none"
      // without any): a case may count in several columns.
      Vulnerabilities(),
  };
  return *measures;
}

const Measure* FindMeasure(absl::string_view name) {
  if (name.empty()) name = kCasesOpened;
  for (const Measure& m : Measures()) {
    if (m.name == name) return &m;
  }
  return nullptr;
}

const Measure* FindMeasureByCode(char code) {
  for (const Measure& m : Measures()) {
    if (m.code == code) return &m;
  }
  return nullptr;
}

std::string MeasureNames() {
  std::vector<std::string> names;
  for (const Measure& m : Measures()) names.push_back(m.name);
  return absl::StrJoin(names, ", ");
}

const Measure* LinkedMeasure(const Measure& m) {
  if (!m.nested_in.empty()) return FindMeasure(m.nested_in);
  for (const Measure& other : Measures()) {
    if (other.nested_in == m.name) return &other;
  }
  return nullptr;
}

std::string MonthOf(absl::Time t) { return absl::FormatTime("%Y-%m", t, absl::UTCTimeZone()); }

std::string Facts::Join() const {
  std::string out = absl::StrJoin({post, host_country, column, sex, age_group}, "|");
  for (const std::string& e : extra) absl::StrAppend(&out, "|", e);
  return out;
}

std::optional<Facts> Facts::Parse(absl::string_view joined) {
  std::vector<std::string> f = absl::StrSplit(joined, '|');
  if (f.size() < 5) return std::nullopt;
  return Facts{f[0], f[1], f[2], f[3], f[4], std::vector<std::string>(f.begin() + 5, f.end())};
}

}  // namespace enlace::stats
