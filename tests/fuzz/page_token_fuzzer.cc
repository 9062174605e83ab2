// Fuzz target: page tokens (common/pagetoken). Page tokens come back from clients, so Decode
// sees arbitrary strings.
//
// Input: the first byte is the length of the query (modulo the rest's size); the query is
// that many following bytes and the token is the remainder. Checked:
//   - Decode never fails with anything but INVALID_ARGUMENT (on the field page_token);
//   - a token accepted for a query is refused for a different query (the query one byte
//     shorter, one byte longer, and the same bytes re-split between query and position);
//   - Encode/Decode round-trip: the token that Encode makes for (query, any position) decodes
//     to that position under the same query (when it fits the token length limit) and is
//     refused under another query and under another node's secret.

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "common/pagetoken/page_token.h"
#include "common/status/errors.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

constexpr size_t kMaxTokenChars = 2048;  // common/pagetoken/page_token.cc

void CheckRefusal(const absl::StatusOr<std::string>& r) {
  FUZZ_CHECK(!r.ok());
  FUZZ_CHECK_MSG(r.status().code() == absl::StatusCode::kInvalidArgument, r.status().ToString());
  const auto violations = enlace::GetFieldViolations(r.status());
  FUZZ_CHECK(violations.size() == 1 && violations[0].field == "page_token");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const enlace::PageTokenCodec codec("fuzz-page-token-secret-0123456789abcdef");
  static const enlace::PageTokenCodec other("another-node's-page-token-secret-0123456789");
  if (size == 0) return 0;
  const std::string rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const size_t qlen = rest.empty() ? 0 : data[0] % (rest.size() + 1);
  const std::string query = rest.substr(0, qlen);
  const std::string token = rest.substr(qlen);

  // Arbitrary tokens.
  auto decoded = codec.Decode(query, token);
  if (!decoded.ok()) {
    CheckRefusal(decoded);
  } else {
    // Accepted: then only for this query.
    CheckRefusal(codec.Decode(query + "x", token));
    if (!query.empty()) {
      CheckRefusal(codec.Decode(query.substr(0, query.size() - 1), token));
    }
    CheckRefusal(other.Decode(query, token));
    // Re-encoding the position gives a token that decodes to it again.
    auto again = codec.Decode(query, codec.Encode(query, *decoded));
    FUZZ_CHECK(again.ok() && *again == *decoded);
  }

  // Round trip with the token bytes as a position.
  const std::string made = codec.Encode(query, token);
  auto back = codec.Decode(query, made);
  if (made.size() <= kMaxTokenChars) {
    FUZZ_CHECK_MSG(back.ok(), back.status().ToString());
    FUZZ_CHECK(*back == token);
    CheckRefusal(codec.Decode(query + "\x01", made));
    CheckRefusal(other.Decode(query, made));
    // (query, position) cannot be re-split: moving the query's last byte into the position
    // must not verify.
    if (!query.empty()) {
      const std::string shorter = query.substr(0, query.size() - 1);
      CheckRefusal(codec.Decode(shorter, made));
      const std::string resplit = codec.Encode(shorter, query.substr(query.size() - 1) + token);
      if (resplit.size() <= kMaxTokenChars) {
        auto r = codec.Decode(query, resplit);
        CheckRefusal(r);
      }
    }
  } else {
    CheckRefusal(back);  // too long: refused, never truncated
  }
  return 0;
}
