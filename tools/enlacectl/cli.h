#ifndef ENLACE_TOOLS_ENLACECTL_CLI_H_
#define ENLACE_TOOLS_ENLACECTL_CLI_H_

// Command-line parsing of enlacectl: global flags, subcommands and their `key=value`
// arguments, turned into the request each subcommand sends (enlace.cases.v1,
// enlace.directory.v1, enlace.federation.v1 admin, enlace.audit.v1, enlace.notifications.v1,
// enlace.referrals.v1, enlace.transfers.v1, the `inbox` view over the last three,
// enlace.crisis.v1, enlace.children.v1, enlace.workers.v1, enlace.stats.v1 and the
// secretariat's enlace.secretariat.v1). Pure
// (no I/O), so every rule is unit-tested. A bad command line is INVALID_ARGUMENT here; main.cc
// reports it as a usage error (exit code 2) before anything is sent.

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "enlace/audit/v1/audit_service.pb.h"
#include "enlace/cases/v1/case_service.pb.h"
#include "enlace/cases/v1/person_service.pb.h"
#include "enlace/crisis/v1/crisis.pb.h"
#include "enlace/directory/v1/directory.pb.h"
#include "enlace/federation/v1/admin.pb.h"
#include "enlace/notifications/v1/notifications.pb.h"
#include "enlace/referrals/v1/referrals.pb.h"
#include "enlace/transfers/v1/transfers.pb.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/timestamp.pb.h"

namespace enlace::cli {

namespace v1 = ::enlace::cases::v1;
namespace dv1 = ::enlace::directory::v1;
namespace fv1 = ::enlace::federation::v1;
namespace av1 = ::enlace::audit::v1;
namespace nv1 = ::enlace::notifications::v1;
namespace rv1 = ::enlace::referrals::v1;
namespace tv1 = ::enlace::transfers::v1;
namespace cv1 = ::enlace::crisis::v1;

// ---- values

// Enum values as the CLI spells them: lower case without the enum's prefix, so
// CATEGORY_CIVIL_FAMILY is "civil_family" ("civil-family" and the full upper-case name are
// accepted too). Read from the descriptors, so new values work without touching the CLI.
// INVALID_ARGUMENT naming `key` and the allowed values for anything else, including
// "unspecified".
absl::StatusOr<int> ParseEnumValue(const google::protobuf::EnumDescriptor* type,
                                   absl::string_view word, absl::string_view key);
// The CLI spelling of `number` ("migration"); the number itself when it has no name.
std::string EnumValueName(const google::protobuf::EnumDescriptor* type, int number);
// Every value but UNSPECIFIED, in the CLI spelling.
std::vector<std::string> EnumValueNames(const google::protobuf::EnumDescriptor* type);

// `type:number:issuing_country[:expire_date]`, e.g. "passport:G1234567:MX".
absl::StatusOr<v1::IdentityDocument> ParseDocument(absl::string_view spec);
std::string FormatDocument(const v1::IdentityDocument& document);

// RFC 3339 ("2026-03-01T10:00:00Z", "2026-03-01T10:00:00-06:00") or a date
// ("2026-03-01", midnight UTC).
absl::StatusOr<google::protobuf::Timestamp> ParseTime(absl::string_view text);

// A resource id or a full name: "abc" -> "countries/MX/cases/abc"; a name with '/' is kept.
std::string ExpandName(absl::string_view name_or_id, absl::string_view country,
                       absl::string_view collection);

// ---- global flags

enum class FlagKind { kUnknown, kBool, kValue };

struct SplitArgs {
  // (name, value) of each global flag, in order; bool flags get "true" or "false".
  std::vector<std::pair<std::string, std::string>> flags;
  // The subcommand, its arguments and subcommand options such as --all.
  std::vector<std::string> words;
  bool help = false;
};

// Separates global flags (before or after the subcommand; `--f=v`, `--f v`, `--f` and
// `--nof` for booleans; dashes in names read as underscores) from the subcommand's words.
// `kind` says which names are global flags. `--all`, `--data_dir` and `--verify_key` belong
// to the subcommand (as "--all", "--data_dir=V", "--verify_key=V"), and so do `--restart`
// and `--incoming`; `--` ends the flags.
// INVALID_ARGUMENT for an unknown flag or a missing value.
absl::StatusOr<SplitArgs> SplitGlobalFlags(const std::vector<std::string>& args,
                                           const std::function<FlagKind(absl::string_view)>& kind);

// The global flags as given (empty = not given).
struct FlagValues {
  std::string server;
  std::string ca;
  std::string cert;
  std::string key;
  std::string tls_dir;
  std::string identity = "admin";
  std::string server_name;
  std::string country = "MX";
  bool json = false;
  absl::Duration timeout = absl::Seconds(10);
};

// Where to connect and how to print, after flags, --tls_dir and environment fallbacks.
struct GlobalOptions {
  std::string server;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  std::string server_name;
  std::string country;
  bool json = false;
  absl::Duration timeout;
};

inline constexpr char kDefaultServer[] = "localhost:7443";

// Precedence for each TLS file: its flag, then --tls_dir (DIR/ca.pem, DIR/<identity>.pem,
// DIR/<identity>.key), then ENLACE_CA / ENLACE_CERT / ENLACE_KEY. Server: --server, then
// ENLACE_SERVER, then localhost:7443. `getenv` returns "" for an unset variable.
absl::StatusOr<GlobalOptions> ResolveOptions(const FlagValues& flags,
                                             const std::function<std::string(const char*)>& getenv);

// ---- subcommands

enum class Rpc {
  kHelp,
  kCreatePerson,
  kGetPerson,
  kUpdatePerson,
  kSearchPersons,
  kErasePerson,
  kGrantPersonAccess,
  kCreateCase,
  kGetCase,
  kListCases,
  kUpdateCase,
  kCloseCase,
  kAddAction,
  kListActions,
  kCreateOrganisation,
  kGetOrganisation,
  kUpdateOrganisation,
  kDeleteOrganisation,
  kListOrganisations,
  kGetFederationStatus,
  kListQuarantine,
  kResumeLink,
  kListAuditRecords,
  kVerifyAuditLog,
  // `audit verify --data_dir=DIR`: reads a stopped node's files, no call is made.
  kVerifyAuditFiles,
  kSendNotification,
  kGetNotification,
  kListNotifications,
  kAcknowledgeNotification,
  kCreateReferral,
  kGetReferral,
  kListReferrals,
  kAcceptReferral,
  kRejectReferral,
  kStartReferral,
  kCompleteReferral,
  kRevokeReferral,
  kTransferCase,
  kGetTransfer,
  kListTransfers,
  kAcceptTransfer,
  kDeclineTransfer,
  // `inbox`: ListNotifications, ListReferrals and ListTransfers (incoming, every page) as one
  // table. The request is the ListNotificationsRequest; the other two are made from it.
  kInbox,
  // enlace.crisis.v1.CrisisService
  kDeclareCrisis,
  // `crisis phase NAME PHASE`: GetCrisis for the etag, then UpdateCrisis (update_mask phase).
  kChangeCrisisPhase,
  kGetCrisis,
  kListCrises,
  kCreateRegistration,
  // `crisis import FILE`: ImportRegistrations in batches read from the file (see
  // crisis_import.h). The request holds the parent only; Command::import says the rest.
  kImportRegistrations,
  kRecordWelfareNote,
  kListWelfareNotes,
  kListWorklist,
  kGetBoard,
  kMergeSubjects,
  kSendSighting,
  kGetRegionalPicture,
  kPublishMovement,
  kListMovements,
  // `crisis assist`, `crisis answer NAME STATE`, `crisis assistance [--incoming]`.
  kRequestAssistance,
  kRespondToAssistance,
  kListAssistance,
  // enlace.children.v1.ChildProtectionService (children_commands.cc). The commands that change
  // a record read its etag first unless etag= is given; `child update` reads the whole record
  // (the node replaces every fact) and changes the fields given (Command::fields_given).
  kCreateChildRecord,
  kGetChildRecord,
  kUpdateChildRecord,
  kAdvanceChildRecord,
  kAddAssessment,
  kRequestDetermination,
  kDecideDetermination,
  kAddTracingEntry,
  kUpdateTracingEntry,
  // `child grant` and `child revoke`: SetChildProtectionGrant, granted true or false.
  kGrantChildProtection,
  kRevokeChildProtection,
  // `child plan`: SetReturnPlan (etag read first). `handover show|list|accept|decline|received`:
  // GetHandover, ListHandovers, RespondToHandover with state ACCEPTED, DECLINED or RECEIVED.
  kSetReturnPlan,
  kGetHandover,
  kListHandovers,
  kAcceptHandover,
  kDeclineHandover,
  kReceiveHandover,
  // enlace.workers.v1.TemporaryWorkersService (workers_commands.cc). `claim advance` and `claim
  // verify` read the claim's etag first unless etag= is given; `employer counts` and `recruiter
  // counts` are both GetEmployerCounts.
  kCreateEmployment,
  kGetEmployment,
  kListEmployments,
  kCreateLabourClaim,
  kGetLabourClaim,
  kAdvanceLabourClaim,
  kVerifyLabourClaim,
  kListClaimDeadlines,
  kGetEmployerCounts,
  kGetRecruiterCounts,
  kCreateOutreachEvent,
  kListOutreachEvents,
  // enlace.stats.v1.StatsService and enlace.secretariat.v1.SecretariatService
  // (stats_commands.cc). `stats import FILE`: the request is empty; the runner reads FILE
  // (Command::import.file) and sends one ImportHistory per (month, measure).
  kGetMonthlyRelease,
  kImportHistory,
  kListRegionalMonths,
  kGetRegionalRelease,
  // enlace.backup.v1.BackupService (backup_commands.cc).
  kCreateBackup,
  kListBackups,
  kVerifyBackup,
};

// `crisis import`: the file and how to read and send it.
struct ImportOptions {
  std::string file;
  std::string format;    // "csv" or "jsonl" (format=, else from the file's extension)
  int batch = 500;       // items per ImportRegistrations call, 1..500
  bool restart = false;  // --restart: ignore FILE.progress and start from the first line
};

struct Command {
  Rpc rpc = Rpc::kHelp;
  // The request to send; its type is the request message of `rpc` (null for kHelp).
  std::unique_ptr<google::protobuf::Message> request;
  // Follow next_page_token to the end (list and search commands). For `inbox` (which always
  // reads every page): show what was already handled too.
  bool all_pages = false;
  // UpdatePerson and UpdateOrganisation: the contact parts given (phone, email, website,
  // address). The update mask names the whole contact, so the client first reads the current
  // one and changes just these parts.
  std::vector<std::string> contact_parts;
  // kVerifyAuditFiles: the node's data directory and the public (or the node's private)
  // Ed25519 key file to check checkpoint signatures with (empty = not checked).
  std::string data_dir;
  std::string verify_key_file;
  // kImportRegistrations.
  ImportOptions import;
  // kUpdateChildRecord: the record's top-level fields given ("care", "concerns", ...).
  std::vector<std::string> fields_given;

  template <typename T>
  const T& As() const {
    return static_cast<const T&>(*request);
  }
};

struct ParseContext {
  std::string country = "MX";  // parents are countries/{country}
  absl::Time now;              // default for occur_time and consent obtain_time
};

// Parses `words` (SplitArgs::words): "person create k=v...", "case list --all",
// "org list service=shelter", "federation status", "audit list case=ID",
// "notification list incoming post=GT-TAP", "referral accept NAME", "inbox",
// "crisis note CRISIS SUBJECT contacted-safe", "crisis import regs.csv --restart", "help", ...
absl::StatusOr<Command> ParseCommand(const std::vector<std::string>& words,
                                     const ParseContext& context);

}  // namespace enlace::cli

#endif  // ENLACE_TOOLS_ENLACECTL_CLI_H_
