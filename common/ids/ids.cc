#include "common/ids/ids.h"

#include <cstdint>

#include "absl/random/random.h"

namespace enlace::ids {
namespace {
constexpr char kAlphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
constexpr int kIdLength = 20;
}  // namespace

std::string NewId(absl::Time now) {
  thread_local absl::BitGen gen;
  const uint64_t ms = static_cast<uint64_t>(absl::ToUnixMillis(now)) & ((1ULL << 48) - 1);
  const uint64_t rnd = absl::Uniform<uint64_t>(gen) & ((1ULL << 52) - 1);
  // 100 bits: 48 of time, 52 of randomness, 5 bits per character.
  std::string out(kIdLength, '0');
  uint64_t hi = ms >> 8;                    // top 40 bits of time: 8 chars
  uint64_t lo = ((ms & 0xff) << 52) | rnd;  // last 8 bits of time + 52 random bits: 12 chars
  for (int i = 7; i >= 0; --i) {
    out[i] = kAlphabet[hi & 31];
    hi >>= 5;
  }
  for (int i = kIdLength - 1; i >= 8; --i) {
    out[i] = kAlphabet[lo & 31];
    lo >>= 5;
  }
  return out;
}

bool IsValidId(absl::string_view id) {
  if (id.size() != kIdLength) return false;
  for (char c : id) {
    bool ok = false;
    for (const char* a = kAlphabet; *a; ++a) ok |= (*a == c);
    if (!ok) return false;
  }
  return true;
}

bool IsValidRequestId(absl::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

}  // namespace enlace::ids
