#include "tools/sampleload/plan.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace enlace::sampleload {
namespace {

// Distinct streams, so the counts of cases and of actions are independent draws.
constexpr uint64_t kPersonStream = 0x70657273;   // "pers"
constexpr uint64_t kCaseStream = 0x63617365;     // "case"
constexpr uint64_t kActionStream = 0x61637473;   // "acts"
constexpr uint64_t kCountryStream = 0x636e7472;  // "cntr"

uint64_t SplitMix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Poisson(mean) by inversion, driven by a SplitMix stream from `state`: computed by hand so the
// counts are the same with every standard library.
int Poisson(uint64_t state, double mean) {
  if (mean <= 0) return 0;
  state = SplitMix(state);
  const double u = static_cast<double>(state >> 11) * (1.0 / 9007199254740992.0);
  double p = std::exp(-mean);
  double cumulative = p;
  int k = 0;
  // The cap only matters for absurd means; it keeps the loop finite.
  while (u > cumulative && k < 1000) {
    ++k;
    p *= mean / k;
    cumulative += p;
  }
  return k;
}

}  // namespace

uint64_t Mix(uint64_t seed, uint64_t a, uint64_t b) {
  return SplitMix(SplitMix(SplitMix(seed) ^ a) ^ b);
}

uint64_t CountrySeed(uint64_t seed, const std::string& country) {
  uint64_t code = 0;
  for (char c : country) code = (code << 8) | static_cast<unsigned char>(c);
  return Mix(seed, kCountryStream, code);
}

uint64_t PersonSeed(uint64_t seed, int person) {
  return Mix(seed, kPersonStream, static_cast<uint64_t>(person));
}

int CasesOf(uint64_t seed, int person, double average) {
  const uint64_t state = Mix(seed, kCaseStream, static_cast<uint64_t>(person));
  if (average >= 1) return 1 + Poisson(state, average - 1);
  return Poisson(state, average);
}

int ActionsOf(uint64_t seed, int person, int case_index, double average) {
  const uint64_t key = (static_cast<uint64_t>(person) << 16) ^ static_cast<uint64_t>(case_index);
  return Poisson(Mix(seed, kActionStream, key), average);
}

std::string PersonRequestId(uint64_t seed, int person) {
  return absl::StrCat("sample-s", seed, "-p", person);
}

std::string CaseRequestId(uint64_t seed, int person, int case_index) {
  return absl::StrCat(PersonRequestId(seed, person), "-c", case_index);
}

std::string ActionRequestId(uint64_t seed, int person, int case_index, int action) {
  return absl::StrCat(CaseRequestId(seed, person, case_index), "-a", action);
}

std::string OrganisationRequestId(int index) { return absl::StrCat("sample-org-", index); }

}  // namespace enlace::sampleload
