#ifndef ENLACE_SERVICES_CRISIS_KEYS_H_
#define ENLACE_SERVICES_CRISIS_KEYS_H_

// Key layout of the crisis module's column families (private to services/crisis).
//
// "crisis":
//   C|{cc}/{id}                       Crisis (this node's and the other members')
//   M|{cc}/{id}                       Movement
//   R|{id}                            Registration, personal fields sealed (owner reg:{id})
//   RA|{host}|{area}|{id}             registrations by area (the activation job's scan)
//   RB|{hmac(document)}|{id}          by document, keyed hash (sighting matching)
//   RN|{hmac(names, year)}|{id}       by folded names and birth year, keyed hash
//   RX|{expire unix s, 12 digits}|{id} retention clock
//   Q|{scope}|{request id}            the name an earlier request produced
//   A|{crisis}|{subject}              AccountingEntry
//   W|{crisis}|{area or *}|{status, 2 digits}|{risk}|{subject}   worklist order; value: post
//   N|{crisis}|{subject}|{note id}    WelfareNote, details sealed under the subject's key
//   G|{crisis}|{keep}|{duplicate}     merged subjects
//   F|{crisis}|{subject}              a follow-up case to open
//   J|{crisis}                        activation job pending (value: cursor)
//   S|{sender}|{id}                   a received sighting to record (sealed, owner sin:{id})
//   P|{crisis}|{member}               CountsReport (the lead member's picture)
//   D|{crisis}                        counts changed since the last report
//   H|{registration id}               a crisis case holds the registration (no expiry)
//   o|, i|, q|, p|                    assistance requests (common/replication/exchanged_records.h)
// "crisis_counts" (counters, updated in the same commits):
//   K|{crisis}|{area or *}|{status, 2 digits}
//   S|{crisis}                        report sequence

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "enlace/crisis/v1/crisis.pb.h"

namespace enlace::crisis::keys {

inline constexpr char kCf[] = "crisis";
inline constexpr char kCountsCf[] = "crisis_counts";
inline constexpr char kAllAreas[] = "*";

// A stored crisis's name `countries/{cc}/crises/{id}` -> "{cc}/{id}".
inline std::string CrisisKey(absl::string_view name) {
  std::vector<absl::string_view> p = absl::StrSplit(name, '/');
  return p.size() == 4 ? absl::StrCat(p[1], "/", p[3]) : std::string(name);
}
// The id at the end of a resource name.
inline std::string IdOf(absl::string_view name) {
  return std::string(name.substr(name.rfind('/') + 1));
}

inline std::string Status2(int status) { return absl::StrFormat("%02d", status); }
inline std::string Crisis(absl::string_view crisis_key) { return absl::StrCat("C|", crisis_key); }
inline std::string Movement(absl::string_view key) { return absl::StrCat("M|", key); }
inline std::string Registration(absl::string_view id) { return absl::StrCat("R|", id); }
inline std::string RegistrationOwner(absl::string_view id) { return absl::StrCat("reg:", id); }
inline std::string RegistrationName(absl::string_view self, absl::string_view id) {
  return absl::StrCat("countries/", self, "/registrations/", id);
}
inline std::string Entry(absl::string_view crisis, absl::string_view subject) {
  return absl::StrCat("A|", crisis, "|", subject);
}
inline std::string Work(absl::string_view crisis, absl::string_view area, int status, int risk,
                        absl::string_view subject) {
  return absl::StrCat("W|", crisis, "|", area, "|", Status2(status), "|", risk, "|", subject);
}
inline std::string Count(absl::string_view crisis, absl::string_view area, int status) {
  return absl::StrCat("K|", crisis, "|", area, "|", Status2(status));
}
inline std::string Notes(absl::string_view crisis, absl::string_view subject) {
  return absl::StrCat("N|", crisis, "|", subject, "|");
}
inline std::string FollowUp(absl::string_view crisis, absl::string_view subject) {
  return absl::StrCat("F|", crisis, "|", subject);
}
inline std::string Job(absl::string_view crisis) { return absl::StrCat("J|", crisis); }
inline std::string Dirty(absl::string_view crisis) { return absl::StrCat("D|", crisis); }
inline std::string Picture(absl::string_view crisis, absl::string_view member) {
  return absl::StrCat("P|", crisis, "|", member);
}

}  // namespace enlace::crisis::keys

#endif  // ENLACE_SERVICES_CRISIS_KEYS_H_
