#ifndef ENLACE_SERVICES_WORKERS_KEYS_H_
#define ENLACE_SERVICES_WORKERS_KEYS_H_

// Key layout of the workers module's column families (private to services/workers).
//
// "workers":
//   E|{id}                          Employment, personal fields sealed (owner employment:{id})
//   EP|{person id}|{id}             the person's employments
//   L|{id}                          LabourClaim, personal fields sealed (owner claim:{id})
//   D|{YYYY-MM-DD}|{id}             ClaimDeadline of a claim not yet filed (facts only)
//   Q|{scope}|{identity}|{request id}  what an earlier request produced (scope: the method's
//                                   record, so one id reused for another kind is another request)
//   O|{post}|{YYYY-MM-DD}|{id}      OutreachEvent (no personal data)
//   P|{E or R}|{subject}|{member}|{revision, 20 digits}
//                                   CountsReport: each member's verified counts, this one's too.
//                                   The revision is in the key so that two reports of one
//                                   batch of envelopes, applied without seeing each other,
//                                   leave the higher one readable whatever their order; the
//                                   lower one is deleted by the next report applied.
// "workers_counts" (counters, updated in the same commits as the records):
//   V|{E or R}|{subject}|{type, 2 digits}   this member's verified claims
//   W|{E or R}|{subject}                    revision of this member's report
//   M|{YYYY-MM}|{type, 2 digits}|{status, 2 digits}  claims opened that month, by current status
//   R|{YYYY-MM}|{currency}                  minor units recovered that month

#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "enlace/workers/v1/workers.pb.h"

namespace enlace::workers::keys {

inline constexpr char kCf[] = "workers";
inline constexpr char kCountsCf[] = "workers_counts";

inline std::string Employment(absl::string_view id) { return absl::StrCat("E|", id); }
inline std::string EmploymentOwner(absl::string_view id) {
  return absl::StrCat("employment:", id);
}
inline std::string PersonEmployments(absl::string_view person_id) {
  return absl::StrCat("EP|", person_id, "|");
}
inline std::string Claim(absl::string_view id) { return absl::StrCat("L|", id); }
inline std::string ClaimOwner(absl::string_view id) { return absl::StrCat("claim:", id); }
inline std::string Deadline(absl::string_view date, absl::string_view id) {
  return absl::StrCat("D|", date, "|", id);
}
inline std::string Request(absl::string_view scope, absl::string_view identity,
                           absl::string_view request_id) {
  return request_id.empty() ? "" : absl::StrCat("Q|", scope, "|", identity, "|", request_id);
}
inline std::string Event(absl::string_view post, absl::string_view date, absl::string_view id) {
  return absl::StrCat("O|", post, "|", date, "|", id);
}
inline const char* Kind(v1::SubjectKind kind) {
  return kind == v1::SUBJECT_KIND_RECRUITER ? "R" : "E";
}
// The reports on `subject`, or with `member` one member's.
inline std::string Reports(v1::SubjectKind kind, absl::string_view subject,
                           absl::string_view member = "") {
  return absl::StrCat("P|", Kind(kind), "|", subject, "|", member, member.empty() ? "" : "|");
}
inline std::string Report(v1::SubjectKind kind, absl::string_view subject,
                          absl::string_view member, int64_t revision) {
  return absl::StrFormat("P|%s|%s|%s|%020d", Kind(kind), subject, member, revision);
}
inline std::string Verified(v1::SubjectKind kind, absl::string_view subject, int type) {
  return absl::StrFormat("V|%s|%s|%02d", Kind(kind), subject, type);
}
inline std::string Revision(v1::SubjectKind kind, absl::string_view subject) {
  return absl::StrCat("W|", Kind(kind), "|", subject);
}
inline std::string Monthly(absl::string_view month, int type, int status) {
  return absl::StrFormat("M|%s|%02d|%02d", month, type, status);
}
inline std::string Recovered(absl::string_view month, absl::string_view currency) {
  return absl::StrCat("R|", month, "|", currency);
}

}  // namespace enlace::workers::keys

#endif  // ENLACE_SERVICES_WORKERS_KEYS_H_
