#include "common/pagetoken/page_token.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "common/status/errors.h"

namespace enlace {
namespace {
constexpr size_t kMacBytes = 16;
constexpr size_t kMaxTokenChars = 2048;
constexpr char kVersion = 1;
}  // namespace

std::string PageTokenCodec::Mac(absl::string_view query, absl::string_view position) const {
  // Length-prefix the query so (query, position) pairs cannot be re-split.
  std::string msg = absl::StrCat(query.size(), ":", query, position);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret_.data(), static_cast<int>(secret_.size()),
       reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), kMacBytes);
}

std::string PageTokenCodec::Encode(absl::string_view query, absl::string_view position) const {
  std::string raw(1, kVersion);
  raw.append(Mac(query, position));
  raw.append(position.data(), position.size());
  return absl::WebSafeBase64Escape(raw);
}

absl::StatusOr<std::string> PageTokenCodec::Decode(absl::string_view query,
                                                   absl::string_view token) const {
  if (token.size() > kMaxTokenChars) return InvalidField("page_token", "too long");
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw) || raw.size() < 1 + kMacBytes ||
      raw[0] != kVersion) {
    return InvalidField("page_token", "malformed page token");
  }
  absl::string_view mac = absl::string_view(raw).substr(1, kMacBytes);
  absl::string_view position = absl::string_view(raw).substr(1 + kMacBytes);
  std::string expected = Mac(query, position);
  if (CRYPTO_memcmp(mac.data(), expected.data(), kMacBytes) != 0) {
    return InvalidField("page_token",
                        "page token does not belong to this query (filters changed or token "
                        "altered)");
  }
  return std::string(position);
}

}  // namespace enlace
