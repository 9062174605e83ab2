#ifndef ENLACE_COMMON_TEXT_FOLD_H_
#define ENLACE_COMMON_TEXT_FOLD_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace enlace::text {

// Folds a UTF-8 name for matching: lower case, Latin accents removed ("José Pérez" ->
// "jose perez"), punctuation as spaces, runs of spaces collapsed. Characters outside Latin
// scripts are kept as they are (lower-cased where ASCII), so no name becomes empty silently.
std::string FoldForSearch(absl::string_view utf8);

// The words of a folded string.
std::vector<std::string> Words(absl::string_view folded);

// True when `s` is well-formed UTF-8 without control characters.
bool IsCleanUtf8(absl::string_view s);

}  // namespace enlace::text

#endif  // ENLACE_COMMON_TEXT_FOLD_H_
