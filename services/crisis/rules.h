#ifndef ENLACE_SERVICES_CRISIS_RULES_H_
#define ENLACE_SERVICES_CRISIS_RULES_H_

// The crisis module's rules: pure functions, no I/O, unit-tested in rules_test.cc.

#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "enlace/crisis/v1/crisis.pb.h"

namespace enlace::crisis {


// Cells of the shared picture under this count are withheld (DESIGN.md's suppression rule).
inline constexpr int64_t kSuppressionThreshold = 5;
// Registrations end this long after the return date (residents: after enrolment + this).
inline constexpr absl::Duration kRetention = absl::Hours(24 * 548);  // ~18 months

// A crisis as declared or as changed; `prefix` names the fields ("crisis.").
void ValidateCrisis(const v1::Crisis& crisis, FieldViolations& v, const std::string& prefix);
// Phases only move forward; the same phase is allowed (no change).
absl::Status CheckPhaseChange(v1::Phase from, v1::Phase to);

void ValidateRegistration(const v1::Registration& r, FieldViolations& v, const std::string& prefix);
// When the retention clock ends a registration created at `created`.
absl::Time ExpireTime(const v1::Registration& r, absl::Time created);

// How sure a status is: a confirmed note outranks a "believed" one, which outranks an open
// inquiry, which outranks "unaccounted" (where every subject starts).
int Confidence(v1::WelfareStatus status);
bool IsConfirmed(v1::WelfareStatus status);
// Needs consular follow-up: the note opens an ordinary crisis case.
bool NeedsFollowUp(v1::WelfareStatus status);
// Statuses that count as accounted for on the board.
bool IsAccountedFor(v1::WelfareStatus status);

// Lower is more urgent: 0 child, 1 older person, 2 detained, 3 medical needs, 9 others.
int Risk(bool child, bool older_person, bool medical_needs, v1::WelfareStatus status);

// The accounting of a subject after `note` (observed at note.observe_time): the status with
// the highest confidence wins, and among equals the latest observation. A note never revives
// a confirmed death, and "unaccounted" is no note at all. `entry` is updated in place;
// FAILED_PRECONDITION or INVALID_ARGUMENT (field "note.status") when the note makes no sense.
absl::Status RollUp(const v1::WelfareNote& note, v1::AccountingEntry& entry);

// A note as recorded by a post: status, source, time (not in the future beyond `now`, not
// before the crisis began), area (one of the crisis's areas, when given).
void ValidateNote(const v1::WelfareNote& note, const v1::Crisis& crisis, absl::Time now,
                  FieldViolations& v);

// The minimum a sighting may carry, from a member that is not the person's.
void ValidateSighting(const v1::Sighting& s, const v1::Crisis& crisis, absl::Time now,
                      const std::string& sender, FieldViolations& v);

// Counts per status as published cells of `member`: 1-4 withheld (no total is published, so
// no withheld cell can be worked out from the others), zero cells left out.
std::vector<v1::Cell> PublishedCells(const std::string& member,
                                     const std::map<v1::WelfareStatus, int64_t>& counts);

// "Kebab" name of a status for keys and the CLI: WELFARE_STATUS_CONTACTED_SAFE ->
// "contacted-safe".
std::string StatusKey(v1::WelfareStatus status);

}  // namespace enlace::crisis

#endif  // ENLACE_SERVICES_CRISIS_RULES_H_
