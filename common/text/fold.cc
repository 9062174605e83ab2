#include "common/text/fold.h"

#include "absl/strings/str_split.h"

namespace enlace::text {
namespace {

const char* const kLatinFold[] = {
#include "common/text/fold_table.inc"
};

// Decodes one code point at s[i]; returns its length in bytes, or 0 when malformed.
int Decode(absl::string_view s, size_t i, uint32_t* cp) {
  unsigned char c = s[i];
  int len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  uint32_t v = len == 1 ? c : len == 2 ? (c & 0x1f) : len == 3 ? (c & 0x0f) : (c & 0x07);
  for (int k = 1; k < len; ++k) {
    unsigned char cc = s[i + k];
    if ((cc >> 6) != 2) return 0;
    v = (v << 6) | (cc & 0x3f);
  }
  // Reject overlong forms and surrogates.
  if ((len == 2 && v < 0x80) || (len == 3 && v < 0x800) || (len == 4 && v < 0x10000) ||
      (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF) {
    return 0;
  }
  *cp = v;
  return len;
}

}  // namespace

std::string FoldForSearch(absl::string_view s) {
  std::string out;
  bool pending_space = false;
  auto emit = [&](absl::string_view piece) {
    if (piece.empty()) return;
    if (pending_space && !out.empty()) out.push_back(' ');
    pending_space = false;
    out.append(piece.data(), piece.size());
  };
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = 0;
    int len = Decode(s, i, &cp);
    if (len == 0) {  // malformed byte: treat as a separator
      pending_space = true;
      ++i;
      continue;
    }
    if (cp < 0x80) {
      char c = static_cast<char>(cp);
      if (c >= 'A' && c <= 'Z') c = c - 'A' + 'a';
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        emit(absl::string_view(&c, 1));
      } else {
        pending_space = true;  // spaces, hyphens, apostrophes, dots split words
      }
    } else if (cp >= 0xC0 && cp < 0x180) {
      const char* f = kLatinFold[cp - 0xC0];
      if (*f) {
        emit(f);
      } else {
        pending_space = true;
      }
    } else if (cp == 0xA0 || (cp >= 0x2000 && cp <= 0x206F)) {
      pending_space = true;  // non-breaking space, general punctuation
    } else {
      emit(s.substr(i, len));
    }
    i += len;
  }
  return out;
}

std::vector<std::string> Words(absl::string_view folded) {
  return absl::StrSplit(folded, ' ', absl::SkipEmpty());
}

bool IsCleanUtf8(absl::string_view s) {
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = 0;
    int len = Decode(s, i, &cp);
    if (len == 0) return false;
    if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xA0)) return false;
    i += len;
  }
  return true;
}

}  // namespace enlace::text
