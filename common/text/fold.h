#ifndef ENLACE_COMMON_TEXT_FOLD_H_
#define ENLACE_COMMON_TEXT_FOLD_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace enlace::text {

// Folds a UTF-8 name for matching: lower case, Latin accents removed ("José Pérez" ->
// "jose perez"), punctuation as spaces, runs of spaces collapsed. Composed and decomposed
// input fold alike ("e" + U+0301 is "é"). Characters outside Latin scripts are kept as they
// are (in NFC; lower-cased where ASCII), so no name becomes empty silently.
std::string FoldForSearch(absl::string_view utf8);

// Unicode NFC of well-formed UTF-8 (ICU). Text enters the node in this form; ill-formed input
// is returned unchanged for validation to refuse.
std::string ToNfc(absl::string_view utf8);
bool IsNfc(absl::string_view utf8);

// Why `utf8` is not acceptable as a name or a document number, or "" when it is: bidi
// controls (U+202E ...), invisible format characters (zero-width space or joiner, soft hyphen,
// BOM), control characters, a combining mark with no letter before it, or more than 4 marks
// stacked on one letter.
std::string NameTextProblem(absl::string_view utf8);

// The words of a folded string.
std::vector<std::string> Words(absl::string_view folded);

// True when `s` is well-formed UTF-8 without control characters.
bool IsCleanUtf8(absl::string_view s);

}  // namespace enlace::text

#endif  // ENLACE_COMMON_TEXT_FOLD_H_
