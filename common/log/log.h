#ifndef ENLACE_COMMON_LOG_LOG_H_
#define ENLACE_COMMON_LOG_LOG_H_

// The one place the node's processes write their log (stderr). Two formats, chosen once at
// start from NodeConfig.ops.log_format:
//   text (default): "component: message", the short lines operators have always seen;
//   json: one object per line, {"time":..., "level":..., "component":..., "event":...,
//         "msg":..., "rpc":..., "code":..., "duration_ms":..., "peer":..., "trace_id":...}.
// Nothing here knows what is personal: callers pass codes, resource names, counts and
// statuses only, never a field of a person or a case (tests/integration:privacy_test reads
// the whole log for every name and document number it created, in both formats).

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace enlace::log {

enum class Format { kText, kJson };
enum class Level { kInfo, kWarning, kError };

// "" and "text" are text, "json" is JSON; anything else is INVALID_ARGUMENT.
absl::StatusOr<Format> ParseFormat(absl::string_view name);
// Process-wide; set once at start, before other threads log.
void SetFormat(Format format);
Format GetFormat();

struct Entry {
  Level level = Level::kInfo;
  std::string component;  // "enlace-node", "federation", "rpc" ...
  std::string event;      // a stable snake_case name: "ready", "link_stopped" ...
  std::string message;    // the text format's line after "component: "
  std::string rpc;        // "enlace.cases.v1.CaseService/CreateCase"
  std::string code;       // a gRPC status code name: "OK", "NOT_FOUND"
  std::optional<absl::Duration> duration;
  std::string peer;       // a member code
  std::string trace_id;   // W3C trace id (32 lowercase hex)
  // Written only in the JSON format (per-RPC lines would drown the text log).
  bool json_only = false;
};

// Writes `entry` as one line in the process's format (whole lines, never interleaved).
void Write(const Entry& entry);
void Info(absl::string_view component, absl::string_view event, absl::string_view message);
void Warning(absl::string_view component, absl::string_view event, absl::string_view message);
void Error(absl::string_view component, absl::string_view event, absl::string_view message);

// The lines Write emits (without the newline), for tests.
std::string FormatText(const Entry& entry);
std::string FormatJson(const Entry& entry, absl::Time now);

// The trace id of a W3C `traceparent` header ("00-<32 hex>-<16 hex>-<2 hex>"); empty when
// the header is malformed, so nothing but hex from a client ever reaches the log.
std::string TraceIdFromTraceparent(absl::string_view traceparent);

}  // namespace enlace::log

#endif  // ENLACE_COMMON_LOG_LOG_H_
