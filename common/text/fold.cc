#include "common/text/fold.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
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

// Malformed bytes become spaces, so ICU never sees them (it would make them U+FFFD).
std::string WellFormed(absl::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = 0;
    int len = Decode(s, i, &cp);
    if (len == 0) {
      out.push_back(' ');
      ++i;
    } else {
      out.append(s.data() + i, len);
      i += len;
    }
  }
  return out;
}

bool IsAscii(absl::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// The diacritics that searching ignores: the script-neutral combining blocks. Marks that are
// letters of other scripts (Devanagari vowel signs, Arabic harakat ...) stay.
bool IsFoldedDiacritic(UChar32 c) {
  return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
         (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
         (c >= 0xFE20 && c <= 0xFE2F);
}

// Latin letters with their diacritics removed: NFD, drop the marks, NFC again.
std::string StripDiacritics(absl::string_view well_formed) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfd = icu::Normalizer2::getNFDInstance(status);
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return std::string(well_formed);
  icu::UnicodeString decomposed = nfd->normalize(
      icu::UnicodeString::fromUTF8(icu::StringPiece(well_formed.data(), well_formed.size())),
      status);
  if (U_FAILURE(status)) return std::string(well_formed);
  icu::UnicodeString kept;
  for (int32_t i = 0; i < decomposed.length();) {
    const UChar32 c = decomposed.char32At(i);
    if (!IsFoldedDiacritic(c)) kept.append(c);
    i += U16_LENGTH(c);
  }
  icu::UnicodeString composed = nfc->normalize(kept, status);
  if (U_FAILURE(status)) return std::string(well_formed);
  std::string out;
  composed.toUTF8String(out);
  return out;
}

bool IsBidiControl(uint32_t c) {
  return c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

}  // namespace

std::string ToNfc(absl::string_view utf8) {
  if (IsAscii(utf8)) return std::string(utf8);
  const std::string well_formed = WellFormed(utf8);
  if (well_formed != utf8) return std::string(utf8);  // left for validation to refuse
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status)) return std::string(utf8);
  const icu::StringPiece piece(utf8.data(), utf8.size());
  if (nfc->isNormalizedUTF8(piece, status) && U_SUCCESS(status)) return std::string(utf8);
  status = U_ZERO_ERROR;
  icu::UnicodeString composed = nfc->normalize(icu::UnicodeString::fromUTF8(piece), status);
  if (U_FAILURE(status)) return std::string(utf8);
  std::string out;
  composed.toUTF8String(out);
  return out;
}

bool IsNfc(absl::string_view utf8) {
  if (IsAscii(utf8)) return true;
  return ToNfc(utf8) == utf8;
}

std::string NameTextProblem(absl::string_view utf8) {
  int marks_in_a_row = 0;
  bool after_base = false;  // the previous character can carry a combining mark
  for (size_t i = 0; i < utf8.size();) {
    uint32_t cp = 0;
    const int len = Decode(utf8, i, &cp);
    if (len == 0) return "must be well-formed UTF-8";
    const int8_t type = u_charType(static_cast<UChar32>(cp));
    if (IsBidiControl(cp)) {
      return absl::StrFormat(
          "must not contain bidirectional control characters (U+%04X at byte %d): they make "
          "the text display differently from what it is",
          cp, i);
    }
    if (type == U_FORMAT_CHAR) {  // zero-width spaces and joiners, soft hyphens, BOM ...
      return absl::StrFormat("must not contain invisible characters (U+%04X at byte %d)", cp, i);
    }
    if (type == U_CONTROL_CHAR) return "must not contain control characters";
    const bool mark = type == U_NON_SPACING_MARK || type == U_ENCLOSING_MARK ||
                      type == U_COMBINING_SPACING_MARK;
    if (mark) {
      if (!after_base) {
        return absl::StrFormat(
            "must not contain a combining mark without a letter before it (U+%04X at byte %d)",
            cp, i);
      }
      if (++marks_in_a_row > 4) {
        return "must not stack more than 4 combining marks on one letter";
      }
    } else {
      marks_in_a_row = 0;
      after_base = u_isalnum(static_cast<UChar32>(cp));
    }
    i += len;
  }
  return "";
}

std::string FoldForSearch(absl::string_view input) {
  // NFC first, so "e" + U+0301 and "é" fold alike; then Latin diacritics go.
  const std::string stripped = IsAscii(input) ? std::string(input)
                                              : StripDiacritics(WellFormed(input));
  absl::string_view s = stripped;
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
