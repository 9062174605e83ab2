#ifndef ENLACE_TOOLS_ENLACECTL_FORMAT_H_
#define ENLACE_TOOLS_ENLACECTL_FORMAT_H_

// What enlacectl prints: aligned tables for lists, `field: value` lines for one resource,
// one JSON object per line with --json, and errors with their field violations.

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "enlace/audit/v1/audit_service.pb.h"
#include "enlace/cases/v1/case_service.pb.h"
#include "enlace/cases/v1/person_service.pb.h"
#include "enlace/crisis/v1/crisis.pb.h"
#include "enlace/directory/v1/directory.pb.h"
#include "enlace/federation/v1/admin.pb.h"
#include "enlace/notifications/v1/notifications.pb.h"
#include "enlace/referrals/v1/referrals.pb.h"
#include "enlace/transfers/v1/transfers.pb.h"
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

// Incoming: NAME  FROM  POST  EVENT  RECEIVED  ACKNOWLEDGED  CASE  PERSON
// Outgoing: NAME  TO  EVENT  SENT  RECEIVED  ACKNOWLEDGED  PERSON
// (PERSON, given and family names, last as it holds spaces).
std::string NotificationsTable(const notifications::v1::ListNotificationsResponse& response,
                               bool incoming);
// Incoming: NAME  FROM  POST  SERVICE  STATE  OUTCOME  SENT  PERSON
// Outgoing: NAME  POST  TO  SERVICE  STATE  OUTCOME  UPDATED  CASE
// STATE is "pending,revoke_requested" while the referrer's revoke awaits the receiver.
std::string ReferralsTable(const referrals::v1::ListReferralsResponse& response, bool incoming);

// Incoming: NAME  FROM  POST  STATE  SENT  NEW_CASE  REASON
// Outgoing: NAME  POST  TO  STATE  SENT  DECIDED  CASE  REASON
// (REASON, the decline reason once declined, last as it holds spaces).
std::string TransfersTable(const transfers::v1::ListTransfersResponse& response, bool incoming);

// One row of `inbox`: something that waits for a post.
struct InboxItem {
  std::string kind;  // "notification", "referral", "transfer"
  std::string name;
  // A notification's host country; a referral's or transfer's origin post (or country).
  std::string from;
  // Notifications: received (the case is being opened), case_opened, acknowledged.
  // Referrals and transfers: their state (pending, accepted, in_progress, ...).
  std::string state;
  // receive_time; a referral's or transfer's create_time (set by the origin).
  google::protobuf::Timestamp received;
  std::string summary;
  // The notification or referral itself (points into the responses given to InboxItems).
  const google::protobuf::Message* message = nullptr;
};

// What waits for a post among its incoming notifications, referrals and transfers:
// notifications not yet acknowledged, referrals pending, accepted or in progress, transfers
// pending; with `include_handled`, the acknowledged, finished and decided ones too. Oldest
// first.
std::vector<InboxItem> InboxItems(const notifications::v1::ListNotificationsResponse& notifications,
                                  const referrals::v1::ListReferralsResponse& referrals,
                                  const transfers::v1::ListTransfersResponse& transfers,
                                  bool include_handled);
// KIND  NAME  FROM  STATE  RECEIVED  SUMMARY (summary last, as it holds spaces).
std::string InboxTable(const std::vector<InboxItem>& items);
// {"kind":"notification","notification":{...}}: one JSON line per item.
absl::StatusOr<std::string> InboxJsonLine(const InboxItem& item);

// ---- crises (enlace.crisis.v1)

// NAME  PHASE  TYPE  HOST  AREAS  LEAD  UPDATED  TITLE (areas joined by commas; the title last,
// as it holds spaces).
std::string CrisesTable(const crisis::v1::ListCrisesResponse& response);
// OBSERVED  STATUS  SOURCE  CONTACT  AREA  AUTHOR  FROM  CASE  DETAILS (oldest first, as the
// node sends them; details last, as they hold spaces).
std::string WelfareNotesTable(const crisis::v1::ListWelfareNotesResponse& response);
// The worklist's risk in words: child, older_person, detained, medical_needs, other (9); the
// number for any other value.
std::string RiskName(int risk);
// RISK  STATUS  AREA  SUBJECT  LAST_STATUS  POST  CASE  NAME, in the node's order (most at risk
// first; POST holds the subject, CASE is the case a follow-up note opened, "-" when none; the
// name, the subject's display name, last as it holds spaces).
std::string WorklistTable(const crisis::v1::ListWorklistResponse& response);
// `crisis:`, `total:` and `accounted for: N (P%)` lines, then STATUS  COUNT (statuses in the
// enum's order), then AREA  TOTAL  ACCOUNTED and one column per status any area has.
std::string BoardText(const crisis::v1::Board& board);
// MEMBER  AS_OF and one column per status any cell has; a withheld cell (fewer than 5) prints
// "<5", a cell the member did not report "-". Members in alphabetical order.
std::string RegionalPictureTable(const crisis::v1::RegionalPicture& picture);
// NAME  STATE  FROM  TO  AREA  NATIONALS  TO_POST  REQUEST/OUTCOME: FROM is the asking post
// (its country when none), TO the member asked to act, TO_POST the post it assigned; the last
// column is the outcome once done, the answer once declined (when one was given), else what was
// asked; last, as it holds spaces.
std::string AssistanceTable(const crisis::v1::ListAssistanceResponse& response);
// NAME  MODE  DEPART  SEATS  OFFERED  PASSENGERS  ROUTE (offers and passengers as
// MEMBER:N,...; the route "FROM -> TO" last, as it holds spaces).
std::string MovementsTable(const crisis::v1::ListMovementsResponse& response);

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

// The category a subtype belongs to, CATEGORY_UNSPECIFIED for 0 or an unknown subtype. The
// same table as the node's cases::CategoryOfSubtype (case.proto numbers each category's
// subtypes by the same tens digit), copied so that enlacectl links no server code;
// subtype_category_test holds the two equal.
cases::v1::Category SubtypeCategory(int subtype);

// The text of `enlacectl help`: commands with examples, global flags, and the accepted values
// of every enum-valued key (from the descriptors).
std::string HelpText();

}  // namespace enlace::cli

#endif  // ENLACE_TOOLS_ENLACECTL_FORMAT_H_
