#ifndef ENLACE_TOOLS_SAMPLELOAD_PLAN_H_
#define ENLACE_TOOLS_SAMPLELOAD_PLAN_H_

// The deterministic part of a sample load: how many cases and actions each person gets, the
// generator seed of each person, and the request ids. Everything is a pure function of
// (seed, indexes), so a rerun with the same seed sends the same requests with the same
// request ids, whatever the order in which parallel callers reach them, and the node answers
// them from its idempotency records instead of creating duplicates.

#include <cstdint>
#include <string>

namespace enlace::sampleload {

// A well-mixed 64-bit value of (seed, a, b) (SplitMix64 finaliser over the combination).
uint64_t Mix(uint64_t seed, uint64_t a, uint64_t b = 0);

// The seed the counts and generators of one country's load derive from, so that nodes loaded
// with the same --seed get different numbers of cases and actions, not just other names.
// Request ids use the plain seed: they are per node anyway.
uint64_t CountrySeed(uint64_t seed, const std::string& country);

// Seed of the SampleData generator of person `person` (one generator per person, so parallel
// callers do not share or reorder a random sequence).
uint64_t PersonSeed(uint64_t seed, int person);

// Number of cases of person `person`: at least one when `average` >= 1 (1 + Poisson(average-1)),
// otherwise Poisson(average), so the mean is `average`.
int CasesOf(uint64_t seed, int person, double average);

// Number of actions on case `case_index` of `person`: Poisson(average); some cases get none.
int ActionsOf(uint64_t seed, int person, int case_index, double average);

// Request ids, 1-64 chars of [A-Za-z0-9_-].
std::string PersonRequestId(uint64_t seed, int person);
std::string CaseRequestId(uint64_t seed, int person, int case_index);
std::string ActionRequestId(uint64_t seed, int person, int case_index, int action);
// Independent of the seed on purpose: the directory catalogue is the same for every seed, and a
// load with another seed must not add the same organisations a second time.
std::string OrganisationRequestId(int index);

}  // namespace enlace::sampleload

#endif  // ENLACE_TOOLS_SAMPLELOAD_PLAN_H_
