#ifndef ENLACE_TOOLS_SAMPLELOAD_ORGANISATIONS_H_
#define ENLACE_TOOLS_SAMPLELOAD_ORGANISATIONS_H_

#include <vector>

#include "absl/strings/string_view.h"
#include "enlace/directory/v1/directory.pb.h"

namespace enlace::sampleload {

// The first `count` sample directory entries of `country` (ISO 3166-1 alpha-2), for demos.
//
// Mexico, Guatemala and Honduras have a hand-written catalogue in the style of the shelters,
// legal clinics, return-reception centres and family committees that work along the route
// (names modelled on well-known ones; contact details are fictitious, on example.org). Other
// countries get generic entries built from their name. Beyond the catalogue's size, entries
// repeat as further offices ("sede 2", ...). Output-only fields are left empty. Deterministic:
// the same arguments always give the same entries.
std::vector<enlace::directory::v1::Organisation> SampleOrganisations(absl::string_view country,
                                                                     int count);

}  // namespace enlace::sampleload

#endif  // ENLACE_TOOLS_SAMPLELOAD_ORGANISATIONS_H_
