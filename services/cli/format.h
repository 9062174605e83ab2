#ifndef ENLACE_SERVICES_CLI_FORMAT_H_
#define ENLACE_SERVICES_CLI_FORMAT_H_

// What enlacectl prints: aligned tables for lists, `field: value` lines for one resource,
// one JSON object per line with --json, and errors with their field violations.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "enlace/audit/v1/audit_service.pb.h"
#include "enlace/cases/v1/case_service.pb.h"
#include "enlace/cases/v1/person_service.pb.h"
#include "enlace/directory/v1/directory.pb.h"
#include "enlace/federation/v1/admin.pb.h"
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

namespace enlace::cli {

// Columns separated by two spaces and padded to the widest cell, counting characters rather
// than bytes so accented names line up; an empty cell prints as "-" so every row has the same
// number of words. No trailing spaces.
std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows);

// One `field: value` line per field that is set, values aligned; nested messages as
// `contact.phone`, enums in the CLI spelling, documents as type:number:country, times in
// RFC 3339 UTC, repeated scalars joined by commas.
std::string FormatFields(const google::protobuf::Message& message);

// NAME  POST  STATUS  CATEGORY  SUBTYPE  OPENED  URGENT
std::string CasesTable(const cases::v1::ListCasesResponse& response);
// NAME  GIVEN  FAMILY  BIRTH  NATIONALITIES
std::string PersonsTable(const cases::v1::SearchPersonsResponse& response);
// ACTION  TYPE  POST  OFFICER  OUTCOME  OCCURRED
std::string ActionsTable(const cases::v1::ListActionsResponse& response);
// NAME  TYPE  SERVICES  AREAS  DISPLAY_NAME (services and areas joined by commas)
std::string OrganisationsTable(const directory::v1::ListOrganisationsResponse& response);
// `country: MX  manifest_version: 3`, then one row per peer:
// PEER  ENDPOINT  CONNECTED  QUEUED  SENT  ACKED  DEPTH  LAG_S  INBOUND_APPLIED  QUARANTINED
// LAST_ERROR (last, as it may hold spaces).
std::string FederationStatusText(const federation::v1::FederationStatus& status);
// SENDER  SEQ  KIND  REASON  RECEIVED  SIZE
std::string QuarantineTable(const federation::v1::ListQuarantineResponse& response);

// SEQ  TIME  ACTOR  ACTION  OUTCOME  RESOURCES  DETAIL (resources joined by commas; detail
// last, as it may hold spaces).
std::string AuditRecordsTable(const audit::v1::ListAuditRecordsResponse& response);

// "2026-03-01T10:00:00Z" (fractions of a second dropped).
std::string FormatTime(const google::protobuf::Timestamp& t);

// `error: CODE: message`, then `  field: description` for each field violation.
std::string FormatError(const absl::Status& status);

// `status` with `hint` appended to its message when it is UNIMPLEMENTED (the node does not
// serve that service, e.g. federation commands against a standalone node); other statuses
// unchanged.
absl::Status ExplainUnimplemented(const absl::Status& status, absl::string_view hint);

// The message as one line of proto3 JSON (MessageToJsonString), newline included.
absl::StatusOr<std::string> JsonLine(const google::protobuf::Message& message);

// The text of `enlacectl help`: commands with examples, global flags, and the accepted values
// of every enum-valued key (from the descriptors).
std::string HelpText();

}  // namespace enlace::cli

#endif  // ENLACE_SERVICES_CLI_FORMAT_H_
