#ifndef ENLACE_COMMON_TEXT_UTF8_H_
#define ENLACE_COMMON_TEXT_UTF8_H_

#include <string>

#include "absl/strings/string_view.h"

namespace enlace::text {

// `s` with every ill-formed UTF-8 sequence replaced by U+FFFD, one per maximal subpart
// (Unicode's "substitution of maximal subparts"): truncated multibyte sequences, stray
// continuation bytes, overlongs, surrogates (U+D800..U+DFFF) and code points above U+10FFFF.
// Well-formed input is returned unchanged. For text that must go into a proto3 string field:
// C++ protobuf serialises ill-formed UTF-8 with only a log line but refuses to parse it.
std::string ValidUtf8(absl::string_view s);

}  // namespace enlace::text

#endif  // ENLACE_COMMON_TEXT_UTF8_H_
