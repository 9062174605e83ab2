#include "common/text/utf8.h"

namespace enlace::text {
namespace {

constexpr absl::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the well-formed sequence at the start of `s`, or 0 with `*bad` set to the length
// of its maximal ill-formed subpart (at least 1). Ranges are Unicode's Table 3-7.
size_t WellFormedPrefix(absl::string_view s, size_t* bad) {
  const unsigned char c = static_cast<unsigned char>(s[0]);
  if (c < 0x80) return 1;
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;  // range of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    need = 1;
  } else if (c == 0xE0) {
    need = 2, lo = 0xA0;  // no overlongs
  } else if (c == 0xED) {
    need = 2, hi = 0x9F;  // no surrogates
  } else if (c >= 0xE1 && c <= 0xEF) {
    need = 2;
  } else if (c == 0xF0) {
    need = 3, lo = 0x90;  // no overlongs
  } else if (c >= 0xF1 && c <= 0xF3) {
    need = 3;
  } else if (c == 0xF4) {
    need = 3, hi = 0x8F;  // nothing above U+10FFFF
  } else {
    *bad = 1;  // continuation byte, C0, C1, F5..FF
    return 0;
  }
  size_t i = 1;
  for (; i <= need && i < s.size(); ++i) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xBF)) break;
  }
  if (i == need + 1) return i;
  *bad = i;
  return 0;
}

}  // namespace

std::string ValidUtf8(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    size_t bad = 0;
    const size_t n = WellFormedPrefix(s, &bad);
    if (n > 0) {
      out.append(s.data(), n);
      s.remove_prefix(n);
    } else {
      out.append(kReplacement.data(), kReplacement.size());
      s.remove_prefix(bad);
    }
  }
  return out;
}

}  // namespace enlace::text
