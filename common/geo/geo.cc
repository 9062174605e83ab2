#include "common/geo/geo.h"

#include <algorithm>
#include <iterator>

namespace enlace::geo {
namespace {
const char* const kCountries[] = {
#include "common/geo/iso3166_table.inc"
};

bool IsUpperOrDigit(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }
}  // namespace

bool IsCountryCode(absl::string_view code) {
  if (code.size() != 2) return false;
  return std::binary_search(std::begin(kCountries), std::end(kCountries), code,
                            [](absl::string_view a, absl::string_view b) { return a < b; });
}

bool IsUserAssignedCode(absl::string_view code) {
  if (code.size() != 2 || code[0] < 'A' || code[0] > 'Z' || code[1] < 'A' || code[1] > 'Z') {
    return false;
  }
  return code == "AA" || code == "ZZ" || code[0] == 'X' || (code[0] == 'Q' && code[1] >= 'M');
}

bool IsMemberCode(absl::string_view code) {
  return IsCountryCode(code) || IsUserAssignedCode(code);
}

bool IsSubdivisionCode(absl::string_view code) {
  if (code.size() < 4 || code.size() > 6 || code[2] != '-') return false;
  if (!IsCountryCode(code.substr(0, 2))) return false;
  return std::all_of(code.begin() + 3, code.end(), IsUpperOrDigit);
}

bool IsLanguageCode(absl::string_view code) {
  if (code.size() < 2 || code.size() > 3) return false;
  return std::all_of(code.begin(), code.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

bool IsPostCode(absl::string_view code) {
  if (code.size() < 2 || code.size() > 16) return false;
  return std::all_of(code.begin(), code.end(),
                     [](char c) { return IsUpperOrDigit(c) || c == '-'; });
}

}  // namespace enlace::geo
