#ifndef ENLACE_COMMON_PAGETOKEN_PAGE_TOKEN_H_
#define ENLACE_COMMON_PAGETOKEN_PAGE_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace enlace {

// Opaque, tamper-proof page tokens. A token binds the resume position to the query that made
// it with an HMAC-SHA256 under the node's secret: a token edited by hand, or replayed with
// different filters, is refused with INVALID_ARGUMENT rather than silently widening a query.
class PageTokenCodec {
 public:
  // `secret` must be at least 32 random bytes, kept by the node.
  explicit PageTokenCodec(std::string secret) : secret_(std::move(secret)) {}

  // `query` is a canonical description of the request's filters (everything but the
  // page token and page size).
  std::string Encode(absl::string_view query, absl::string_view position) const;
  // The position, or INVALID_ARGUMENT on the field "page_token".
  absl::StatusOr<std::string> Decode(absl::string_view query, absl::string_view token) const;

 private:
  std::string Mac(absl::string_view query, absl::string_view position) const;
  std::string secret_;
};

}  // namespace enlace

#endif  // ENLACE_COMMON_PAGETOKEN_PAGE_TOKEN_H_
