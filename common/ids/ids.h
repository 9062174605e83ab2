#ifndef ENLACE_COMMON_IDS_IDS_H_
#define ENLACE_COMMON_IDS_IDS_H_

#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace enlace::ids {

// A new 20-character resource id: 48 bits of milliseconds then 52 random bits, in lower-case
// Crockford base32, so ids sort by creation time and never collide in practice.
std::string NewId(absl::Time now = absl::Now());

// True for ids NewId could have made (20 chars of the alphabet); everything else is rejected
// before it touches the store.
bool IsValidId(absl::string_view id);

// True for 1-64 chars of [A-Za-z0-9_-]: client request ids.
bool IsValidRequestId(absl::string_view id);

}  // namespace enlace::ids

#endif  // ENLACE_COMMON_IDS_IDS_H_
