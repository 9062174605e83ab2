#ifndef ENLACE_COMMON_GEO_GEO_H_
#define ENLACE_COMMON_GEO_GEO_H_

#include "absl/strings/string_view.h"

namespace enlace::geo {

// True for an assigned ISO 3166-1 alpha-2 code in upper case ("MX", "GT").
bool IsCountryCode(absl::string_view code);

// ISO 3166-1's user-assigned codes (AA, QM-QZ, XA-XZ, ZZ): never a country, so a body that
// is not a state (the regional secretariat, "XS") can be a member without posing as one.
bool IsUserAssignedCode(absl::string_view code);
// A member state's code or a user-assigned one (what a federation member may be named).
bool IsMemberCode(absl::string_view code);

// True for an ISO 3166-2 subdivision code shape: a country code, '-', 1-3 letters or digits.
bool IsSubdivisionCode(absl::string_view code);

// True for a language code shape: 2 or 3 lower-case letters (ISO 639-1 or 639-3).
bool IsLanguageCode(absl::string_view code);

// True for a consular post code: 2-16 chars of upper-case letters, digits and '-'.
bool IsPostCode(absl::string_view code);

}  // namespace enlace::geo

#endif  // ENLACE_COMMON_GEO_GEO_H_
