#ifndef ENLACE_COMMON_TIME_PROTO_TIME_H_
#define ENLACE_COMMON_TIME_PROTO_TIME_H_

// absl::Time <-> google.protobuf.Timestamp, for every module and tool (microsecond precision,
// as the node keeps time).

#include "absl/time/time.h"
#include "google/protobuf/timestamp.pb.h"

namespace enlace {

google::protobuf::Timestamp ToProtoTime(absl::Time t);
absl::Time FromProtoTime(const google::protobuf::Timestamp& t);
// A timestamp a client sent: seconds 0001-01-01..9999-12-31, nanos 0..999,999,999.
bool IsValidProtoTime(const google::protobuf::Timestamp& t);

}  // namespace enlace

#endif  // ENLACE_COMMON_TIME_PROTO_TIME_H_
