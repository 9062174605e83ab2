#include "common/authz/policy.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace enlace::authz {

const std::vector<PolicyRule>& PolicyTable() {
  using R = Role;
  static const auto* table = new std::vector<PolicyRule>{
      // Personal data: officers (scoped to their post) and supervisors (whole country).
      {"enlace.cases.v1.PersonService/CreatePerson", {R::kOfficer, R::kSupervisor}},
      {"enlace.cases.v1.PersonService/GetPerson", {R::kOfficer, R::kSupervisor}},
      {"enlace.cases.v1.PersonService/UpdatePerson", {R::kOfficer, R::kSupervisor}},
      {"enlace.cases.v1.PersonService/SearchPersons", {R::kOfficer, R::kSupervisor}},
      {"enlace.cases.v1.PersonService/ErasePerson", {R::kSupervisor}},
      {"enlace.cases.v1.PersonService/GrantPersonAccess", {R::kSupervisor}},
      {"enlace.cases.v1.CaseService/CreateCase", {R::kOfficer, R::kSupervisor}},
      {"enlace.cases.v1.CaseService/GetCase", {R::kOfficer, R::kSupervisor}},
      {"enlace.cases.v1.CaseService/ListCases", {R::kOfficer, R::kSupervisor}},
      {"enlace.cases.v1.CaseService/UpdateCase", {R::kOfficer, R::kSupervisor}},
      {"enlace.cases.v1.CaseService/CloseCase", {R::kOfficer, R::kSupervisor}},
      {"enlace.cases.v1.CaseService/AddAction", {R::kOfficer, R::kSupervisor}},
      {"enlace.cases.v1.CaseService/ListActions", {R::kOfficer, R::kSupervisor}},
      // The shared directory holds no personal data: readable by staff, written by
      // operators (directory administration) and supervisors.
      {"enlace.directory.v1.DirectoryService/GetOrganisation",
       {R::kOfficer, R::kSupervisor, R::kOperator}},
      {"enlace.directory.v1.DirectoryService/ListOrganisations",
       {R::kOfficer, R::kSupervisor, R::kOperator}},
      {"enlace.directory.v1.DirectoryService/CreateOrganisation", {R::kOperator, R::kSupervisor}},
      {"enlace.directory.v1.DirectoryService/UpdateOrganisation", {R::kOperator, R::kSupervisor}},
      {"enlace.directory.v1.DirectoryService/DeleteOrganisation", {R::kOperator, R::kSupervisor}},
      // Consular notifications: sent by the host's staff, received by the national's posts.
      {"enlace.notifications.v1.NotificationService/SendNotification",
       {R::kOfficer, R::kSupervisor}},
      {"enlace.notifications.v1.NotificationService/GetNotification",
       {R::kOfficer, R::kSupervisor}},
      {"enlace.notifications.v1.NotificationService/ListNotifications",
       {R::kOfficer, R::kSupervisor}},
      {"enlace.notifications.v1.NotificationService/AcknowledgeNotification",
       {R::kOfficer, R::kSupervisor}},
      // Referrals: officers of the referring and receiving posts, supervisors.
      {"enlace.referrals.v1.ReferralService/CreateReferral", {R::kOfficer, R::kSupervisor}},
      {"enlace.referrals.v1.ReferralService/GetReferral", {R::kOfficer, R::kSupervisor}},
      {"enlace.referrals.v1.ReferralService/ListReferrals", {R::kOfficer, R::kSupervisor}},
      {"enlace.referrals.v1.ReferralService/AcceptReferral", {R::kOfficer, R::kSupervisor}},
      {"enlace.referrals.v1.ReferralService/RejectReferral", {R::kOfficer, R::kSupervisor}},
      {"enlace.referrals.v1.ReferralService/StartReferral", {R::kOfficer, R::kSupervisor}},
      {"enlace.referrals.v1.ReferralService/CompleteReferral", {R::kOfficer, R::kSupervisor}},
      {"enlace.referrals.v1.ReferralService/RevokeReferral", {R::kOfficer, R::kSupervisor}},
      // Case transfers: officers of the origin and receiving posts, supervisors.
      {"enlace.transfers.v1.TransferService/TransferCase", {R::kOfficer, R::kSupervisor}},
      {"enlace.transfers.v1.TransferService/GetTransfer", {R::kOfficer, R::kSupervisor}},
      {"enlace.transfers.v1.TransferService/ListTransfers", {R::kOfficer, R::kSupervisor}},
      {"enlace.transfers.v1.TransferService/AcceptTransfer", {R::kOfficer, R::kSupervisor}},
      {"enlace.transfers.v1.TransferService/DeclineTransfer", {R::kOfficer, R::kSupervisor}},
      // Operations: no personal data.
      {"enlace.federation.v1.FederationAdminService/GetFederationStatus",
       {R::kOperator, R::kSupervisor}},
      {"enlace.federation.v1.FederationAdminService/ListQuarantine",
       {R::kOperator, R::kSupervisor}},
      {"enlace.federation.v1.FederationAdminService/ResumeLink", {R::kOperator}},
      // The audit log: auditors only.
      {"enlace.audit.v1.AuditService/ListAuditRecords", {R::kAuditor}},
      {"enlace.audit.v1.AuditService/VerifyAuditLog", {R::kAuditor}},
      // Aggregate statistics: the secretariat (and supervisors of the country).
      {"enlace.stats.v1.StatsService/GetStatistics", {R::kSecretariat, R::kSupervisor},
       "not served yet"},
  };
  return *table;
}

bool PolicyAllows(absl::string_view method, Role role) {
  for (const PolicyRule& rule : PolicyTable()) {
    if (method == rule.method) {
      return std::find(rule.roles.begin(), rule.roles.end(), role) != rule.roles.end();
    }
  }
  return false;  // default deny
}

std::string PolicyTableMarkdown() {
  // Column order of docs/security.md; kUnknown has no column (it is never granted).
  static constexpr Role kColumns[] = {Role::kOfficer,  Role::kSupervisor,  Role::kOperator,
                                      Role::kAuditor,  Role::kSecretariat, Role::kNode};
  std::string out = "| method |";
  std::string rule_line = "|---|";
  for (Role role : kColumns) {
    absl::StrAppend(&out, " ", RoleName(role), " |");
    rule_line += ":-:|";
  }
  absl::StrAppend(&out, " note |\n", rule_line, "---|\n");
  for (const PolicyRule& rule : PolicyTable()) {
    absl::StrAppend(&out, "| `", rule.method, "` |");
    for (Role role : kColumns) {
      const bool allowed =
          std::find(rule.roles.begin(), rule.roles.end(), role) != rule.roles.end();
      absl::StrAppend(&out, allowed ? " \xe2\x9c\x93 |" : "  |");
    }
    absl::StrAppend(&out, " ", rule.note, " |\n");
  }
  return out;
}

}  // namespace enlace::authz
