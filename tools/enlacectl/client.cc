#include "tools/enlacectl/client.h"

#include <chrono>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"
#include "common/audit/audit_log.h"
#include "common/crypto/signing.h"
#include "common/status/grpc_status.h"
#include "enlace/audit/v1/audit_service.grpc.pb.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "enlace/directory/v1/directory.grpc.pb.h"
#include "enlace/federation/v1/admin.grpc.pb.h"
#include "enlace/notifications/v1/notifications.grpc.pb.h"
#include "enlace/referrals/v1/referrals.grpc.pb.h"
#include "enlace/transfers/v1/transfers.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tools/enlacectl/format.h"

namespace enlace::cli {
namespace {

absl::StatusOr<std::string> ReadPem(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::FailedPreconditionError(absl::StrCat("cannot read the ", what, " ", path));
  }
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (data.size() > (1 << 20)) {
    return absl::FailedPreconditionError(absl::StrCat(path, " is too large for a PEM file"));
  }
  return data;
}

// One unary call with the command's deadline; the result as an absl::Status that keeps the
// field violations.
template <typename Response, typename Call>
absl::StatusOr<Response> CallRpc(const GlobalOptions& options, Call call) {
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       absl::ToChronoMilliseconds(options.timeout));
  Response response;
  absl::Status status = FromGrpcStatus(call(&context, &response));
  if (!status.ok()) return status;
  return response;
}

// A failed result with an UNIMPLEMENTED status explained by `hint`.
template <typename T>
absl::StatusOr<T> ExplainOr(absl::StatusOr<T> result, absl::string_view hint) {
  if (result.ok()) return result;
  return ExplainUnimplemented(result.status(), hint);
}

class Printer {
 public:
  Printer(const GlobalOptions& options, std::ostream& out, std::ostream& err)
      : options_(options), out_(out), err_(err) {}

  bool json() const { return options_.json; }

  // One resource: a JSON line, or `field: value` lines.
  template <typename T>
  int Resource(const absl::StatusOr<T>& result) {
    if (!result.ok()) return Error(result.status());
    if (json()) return Json(*result);
    Text(FormatFields(*result));
    return 0;
  }

  int Json(const google::protobuf::Message& m) {
    auto line = JsonLine(m);
    if (!line.ok()) return Error(line.status());
    out_ << *line << std::flush;
    return 0;
  }

  void Text(const std::string& text) { out_ << text << std::flush; }

  int Error(const absl::Status& status) {
    err_ << FormatError(status);
    if (status.code() == absl::StatusCode::kUnavailable && options_.cert_file.empty()) {
      // The node requires a client certificate; without one the TLS handshake fails.
      err_ << "  (no client certificate given: use --cert/--key, --tls_dir or ENLACE_CERT/"
              "ENLACE_KEY)\n";
    }
    err_ << std::flush;
    return 1;
  }

  void Note(const std::string& text) { err_ << text << std::flush; }

 private:
  const GlobalOptions& options_;
  std::ostream& out_;
  std::ostream& err_;
};

// One page, or every page with --all. JSON prints each page's response as it arrives; a
// table needs every row first to align its columns.
// `unimplemented_hint` explains an UNIMPLEMENTED answer (see ExplainUnimplemented).
template <typename Response, typename Request, typename Call, typename Table>
int Paged(Request request, bool all, const GlobalOptions& options, Call rpc, Table table,
          Printer& printer, absl::string_view unimplemented_hint = "") {
  Response rows;
  std::string next;
  while (true) {
    auto page = CallRpc<Response>(
        options, [&](grpc::ClientContext* c, Response* r) { return rpc(c, request, r); });
    if (!page.ok()) {
      return printer.Error(unimplemented_hint.empty()
                               ? page.status()
                               : ExplainUnimplemented(page.status(), unimplemented_hint));
    }
    next = page->next_page_token();
    if (printer.json()) {
      if (int rc = printer.Json(*page); rc != 0) return rc;
    } else {
      rows.MergeFrom(*page);
    }
    if (!all || next.empty()) break;
    request.set_page_token(next);
  }
  if (!printer.json()) printer.Text(table(rows));
  if (!next.empty() && !all) {
    printer.Note(absl::StrCat("more results: repeat with page_token=", next, " (or --all)\n"));
  }
  return 0;
}

// What an UNIMPLEMENTED answer means for each service.
constexpr char kNoDirectory[] =
    "this node does not serve enlace.directory.v1.DirectoryService: is it an Enlace node, and "
    "recent enough?";
constexpr char kNoFederation[] =
    "this node does not serve enlace.federation.v1.FederationAdminService: it runs standalone, "
    "without a federation section in its config, so it has no peers, links or quarantine";

constexpr char kNoNotifications[] =
    "this node does not serve enlace.notifications.v1.NotificationService: is it an Enlace node, "
    "and recent enough?";
constexpr char kNoReferrals[] =
    "this node does not serve enlace.referrals.v1.ReferralService: is it an Enlace node, and "
    "recent enough?";

constexpr char kNoTransfers[] =
    "this node does not serve enlace.transfers.v1.TransferService: is it an Enlace node, and "
    "recent enough?";

// Every page of a list, merged into one response (for `inbox`, which shows everything).
template <typename Response, typename Request, typename Call>
absl::StatusOr<Response> AllPages(Request request, const GlobalOptions& options, Call rpc) {
  Response all;
  while (true) {
    auto page = CallRpc<Response>(
        options, [&](grpc::ClientContext* c, Response* r) { return rpc(c, request, r); });
    if (!page.ok()) return page.status();
    const std::string next = page->next_page_token();
    all.MergeFrom(*page);
    if (next.empty()) break;
    request.set_page_token(next);
  }
  all.clear_next_page_token();
  return all;
}

constexpr char kNoAudit[] =
    "this node does not serve enlace.audit.v1.AuditService: is it an Enlace node, and recent "
    "enough?";

}  // namespace

absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect(const GlobalOptions& options) {
  grpc::SslCredentialsOptions tls;
  if (!options.ca_file.empty()) {
    auto ca = ReadPem(options.ca_file, "CA certificate (--ca)");
    if (!ca.ok()) return ca.status();
    tls.pem_root_certs = *ca;
  }
  if (!options.cert_file.empty()) {
    auto cert = ReadPem(options.cert_file, "client certificate (--cert)");
    if (!cert.ok()) return cert.status();
    auto key = ReadPem(options.key_file, "client key (--key)");
    if (!key.ok()) return key.status();
    tls.pem_cert_chain = *cert;
    tls.pem_private_key = *key;
  }
  grpc::ChannelArguments args;
  if (!options.server_name.empty()) args.SetSslTargetNameOverride(options.server_name);
  return grpc::CreateCustomChannel(options.server, grpc::SslCredentials(tls), args);
}

int Execute(const Command& command, const GlobalOptions& options,
            const std::shared_ptr<grpc::Channel>& channel, std::ostream& out, std::ostream& err) {
  auto persons = v1::PersonService::NewStub(channel);
  auto cases = v1::CaseService::NewStub(channel);
  auto directory = dv1::DirectoryService::NewStub(channel);
  auto federation = fv1::FederationAdminService::NewStub(channel);
  auto audit_log = av1::AuditService::NewStub(channel);
  auto notifications = nv1::NotificationService::NewStub(channel);
  auto referrals = rv1::ReferralService::NewStub(channel);
  auto transfers = tv1::TransferService::NewStub(channel);
  Printer printer(options, out, err);
  // The calls of ReferralService that take a request and return the referral.
  auto referral_call = [&](auto method, const auto& req) {
    return printer.Resource(ExplainOr(
        CallRpc<rv1::Referral>(
            options, [&](auto* c, auto* r) { return (referrals.get()->*method)(c, req, r); }),
        kNoReferrals));
  };

  switch (command.rpc) {
    case Rpc::kHelp:
      out << HelpText();
      return 0;
    case Rpc::kCreatePerson: {
      const auto& req = command.As<v1::CreatePersonRequest>();
      return printer.Resource(CallRpc<v1::Person>(
          options, [&](auto* c, auto* r) { return persons->CreatePerson(c, req, r); }));
    }
    case Rpc::kGetPerson: {
      const auto& req = command.As<v1::GetPersonRequest>();
      return printer.Resource(CallRpc<v1::Person>(
          options, [&](auto* c, auto* r) { return persons->GetPerson(c, req, r); }));
    }
    case Rpc::kUpdatePerson: {
      v1::UpdatePersonRequest req = command.As<v1::UpdatePersonRequest>();
      if (!command.contact_parts.empty()) {
        // The mask path is "contact" (the whole record): start from the stored contact so the
        // parts not given keep their values. A concurrent edit changes the etag, so the
        // update below is then refused (ABORTED) rather than losing that edit.
        v1::GetPersonRequest get;
        get.set_name(req.person().name());
        auto current = CallRpc<v1::Person>(
            options, [&](auto* c, auto* r) { return persons->GetPerson(c, get, r); });
        if (!current.ok()) return printer.Error(current.status());
        v1::Contact merged = current->contact();
        const auto& given = req.person().contact();
        for (const auto& part : command.contact_parts) {
          if (part == "phone") merged.set_phone(given.phone());
          if (part == "email") merged.set_email(given.email());
          if (part == "address") merged.set_address(given.address());
        }
        *req.mutable_person()->mutable_contact() = merged;
      }
      return printer.Resource(CallRpc<v1::Person>(
          options, [&](auto* c, auto* r) { return persons->UpdatePerson(c, req, r); }));
    }
    case Rpc::kSearchPersons:
      return Paged<v1::SearchPersonsResponse>(
          command.As<v1::SearchPersonsRequest>(), command.all_pages, options,
          [&](grpc::ClientContext* c, const v1::SearchPersonsRequest& r,
              v1::SearchPersonsResponse* out) { return persons->SearchPersons(c, r, out); },
          PersonsTable, printer);
    case Rpc::kErasePerson: {
      const auto& req = command.As<v1::ErasePersonRequest>();
      auto erased = CallRpc<v1::ErasePersonResponse>(
          options, [&](auto* c, auto* r) { return persons->ErasePerson(c, req, r); });
      if (!erased.ok()) return printer.Error(erased.status());
      if (printer.json()) return printer.Json(*erased);
      printer.Text(absl::StrCat("erased ", req.name(), " (cases kept without personal data: ",
                                erased->cases_kept(), ")\n"));
      return 0;
    }
    case Rpc::kGrantPersonAccess: {
      const auto& req = command.As<v1::GrantPersonAccessRequest>();
      auto granted = CallRpc<v1::GrantPersonAccessResponse>(
          options, [&](auto* c, auto* r) { return persons->GrantPersonAccess(c, req, r); });
      if (!granted.ok()) return printer.Error(granted.status());
      if (printer.json()) return printer.Json(*granted);
      printer.Text(granted->granted()
                       ? absl::StrCat("granted ", req.post(), " access to ", req.name(), "\n")
                       : absl::StrCat(req.post(), " already reached ", req.name(), "\n"));
      return 0;
    }
    case Rpc::kCreateCase: {
      const auto& req = command.As<v1::CreateCaseRequest>();
      return printer.Resource(CallRpc<v1::Case>(
          options, [&](auto* c, auto* r) { return cases->CreateCase(c, req, r); }));
    }
    case Rpc::kGetCase: {
      const auto& req = command.As<v1::GetCaseRequest>();
      return printer.Resource(
          CallRpc<v1::Case>(options, [&](auto* c, auto* r) { return cases->GetCase(c, req, r); }));
    }
    case Rpc::kListCases:
      return Paged<v1::ListCasesResponse>(
          command.As<v1::ListCasesRequest>(), command.all_pages, options,
          [&](grpc::ClientContext* c, const v1::ListCasesRequest& r, v1::ListCasesResponse* out) {
            return cases->ListCases(c, r, out);
          },
          CasesTable, printer);
    case Rpc::kUpdateCase: {
      const auto& req = command.As<v1::UpdateCaseRequest>();
      return printer.Resource(CallRpc<v1::Case>(
          options, [&](auto* c, auto* r) { return cases->UpdateCase(c, req, r); }));
    }
    case Rpc::kCloseCase: {
      const auto& req = command.As<v1::CloseCaseRequest>();
      return printer.Resource(CallRpc<v1::Case>(
          options, [&](auto* c, auto* r) { return cases->CloseCase(c, req, r); }));
    }
    case Rpc::kAddAction: {
      const auto& req = command.As<v1::AddActionRequest>();
      return printer.Resource(CallRpc<v1::Action>(
          options, [&](auto* c, auto* r) { return cases->AddAction(c, req, r); }));
    }
    case Rpc::kListActions:
      return Paged<v1::ListActionsResponse>(
          command.As<v1::ListActionsRequest>(), command.all_pages, options,
          [&](grpc::ClientContext* c, const v1::ListActionsRequest& r,
              v1::ListActionsResponse* out) { return cases->ListActions(c, r, out); },
          ActionsTable, printer);
    case Rpc::kCreateOrganisation: {
      const auto& req = command.As<dv1::CreateOrganisationRequest>();
      return printer.Resource(ExplainOr(
          CallRpc<dv1::Organisation>(
              options, [&](auto* c, auto* r) { return directory->CreateOrganisation(c, req, r); }),
          kNoDirectory));
    }
    case Rpc::kGetOrganisation: {
      const auto& req = command.As<dv1::GetOrganisationRequest>();
      return printer.Resource(ExplainOr(
          CallRpc<dv1::Organisation>(
              options, [&](auto* c, auto* r) { return directory->GetOrganisation(c, req, r); }),
          kNoDirectory));
    }
    case Rpc::kUpdateOrganisation: {
      dv1::UpdateOrganisationRequest req = command.As<dv1::UpdateOrganisationRequest>();
      if (!command.contact_parts.empty()) {
        // As for persons: the mask path is the whole contact, so send the stored one with just
        // the given parts changed; the etag check refuses the update if it changed meanwhile.
        dv1::GetOrganisationRequest get;
        get.set_name(req.organisation().name());
        auto current = ExplainOr(
            CallRpc<dv1::Organisation>(
                options, [&](auto* c, auto* r) { return directory->GetOrganisation(c, get, r); }),
            kNoDirectory);
        if (!current.ok()) return printer.Error(current.status());
        dv1::Contact merged = current->contact();
        const auto& given = req.organisation().contact();
        for (const auto& part : command.contact_parts) {
          if (part == "phone") merged.set_phone(given.phone());
          if (part == "email") merged.set_email(given.email());
          if (part == "website") merged.set_website(given.website());
          if (part == "address") merged.set_address(given.address());
        }
        *req.mutable_organisation()->mutable_contact() = merged;
      }
      return printer.Resource(ExplainOr(
          CallRpc<dv1::Organisation>(
              options, [&](auto* c, auto* r) { return directory->UpdateOrganisation(c, req, r); }),
          kNoDirectory));
    }
    case Rpc::kDeleteOrganisation: {
      const auto& req = command.As<dv1::DeleteOrganisationRequest>();
      auto deleted = ExplainOr(
          CallRpc<dv1::DeleteOrganisationResponse>(
              options, [&](auto* c, auto* r) { return directory->DeleteOrganisation(c, req, r); }),
          kNoDirectory);
      if (!deleted.ok()) return printer.Error(deleted.status());
      if (printer.json()) return printer.Json(*deleted);
      printer.Text(absl::StrCat("deleted ", req.name(), "\n"));
      return 0;
    }
    case Rpc::kListOrganisations:
      return Paged<dv1::ListOrganisationsResponse>(
          command.As<dv1::ListOrganisationsRequest>(), command.all_pages, options,
          [&](grpc::ClientContext* c, const dv1::ListOrganisationsRequest& r,
              dv1::ListOrganisationsResponse* out) {
            return directory->ListOrganisations(c, r, out);
          },
          OrganisationsTable, printer, kNoDirectory);
    case Rpc::kGetFederationStatus: {
      const auto& req = command.As<fv1::GetFederationStatusRequest>();
      auto status = ExplainOr(
          CallRpc<fv1::FederationStatus>(
              options,
              [&](auto* c, auto* r) { return federation->GetFederationStatus(c, req, r); }),
          kNoFederation);
      if (!status.ok()) return printer.Error(status.status());
      if (printer.json()) return printer.Json(*status);
      printer.Text(FederationStatusText(*status));
      return 0;
    }
    case Rpc::kListQuarantine: {
      const auto& req = command.As<fv1::ListQuarantineRequest>();
      auto list = ExplainOr(
          CallRpc<fv1::ListQuarantineResponse>(
              options, [&](auto* c, auto* r) { return federation->ListQuarantine(c, req, r); }),
          kNoFederation);
      if (!list.ok()) return printer.Error(list.status());
      if (printer.json()) return printer.Json(*list);
      printer.Text(QuarantineTable(*list));
      return 0;
    }
    case Rpc::kResumeLink: {
      const auto& req = command.As<fv1::ResumeLinkRequest>();
      auto resumed = ExplainOr(
          CallRpc<fv1::ResumeLinkResponse>(
              options, [&](auto* c, auto* r) { return federation->ResumeLink(c, req, r); }),
          kNoFederation);
      if (!resumed.ok()) return printer.Error(resumed.status());
      if (printer.json()) return printer.Json(*resumed);
      printer.Text(resumed->resumed()
                       ? absl::StrCat("link to ", req.country(), " resumed\n")
                       : absl::StrCat("link to ", req.country(), " was not halted\n"));
      return 0;
    }
    case Rpc::kListAuditRecords:
      return Paged<av1::ListAuditRecordsResponse>(
          command.As<av1::ListAuditRecordsRequest>(), command.all_pages, options,
          [&](grpc::ClientContext* c, const av1::ListAuditRecordsRequest& r,
              av1::ListAuditRecordsResponse* out) {
            return audit_log->ListAuditRecords(c, r, out);
          },
          AuditRecordsTable, printer, kNoAudit);
    case Rpc::kVerifyAuditLog: {
      const auto& req = command.As<av1::VerifyAuditLogRequest>();
      auto report = ExplainOr(
          CallRpc<av1::VerifyAuditLogResponse>(
              options, [&](auto* c, auto* r) { return audit_log->VerifyAuditLog(c, req, r); }),
          kNoAudit);
      if (!report.ok()) return printer.Error(report.status());
      if (printer.json()) {
        if (int rc = printer.Json(*report); rc != 0) return rc;
      } else {
        printer.Text(audit::FormatReport(audit::ReportFromProto(*report)));
      }
      return report->ok() ? 0 : kAuditNotClean;
    }
    case Rpc::kVerifyAuditFiles:
      return VerifyAuditFiles(command, options, out, err);
    case Rpc::kSendNotification: {
      const auto& req = command.As<nv1::SendNotificationRequest>();
      return printer.Resource(ExplainOr(
          CallRpc<nv1::Notification>(
              options,
              [&](auto* c, auto* r) { return notifications->SendNotification(c, req, r); }),
          kNoNotifications));
    }
    case Rpc::kGetNotification: {
      const auto& req = command.As<nv1::GetNotificationRequest>();
      return printer.Resource(ExplainOr(
          CallRpc<nv1::Notification>(
              options, [&](auto* c, auto* r) { return notifications->GetNotification(c, req, r); }),
          kNoNotifications));
    }
    case Rpc::kAcknowledgeNotification: {
      const auto& req = command.As<nv1::AcknowledgeNotificationRequest>();
      return printer.Resource(ExplainOr(
          CallRpc<nv1::Notification>(
              options,
              [&](auto* c, auto* r) { return notifications->AcknowledgeNotification(c, req, r); }),
          kNoNotifications));
    }
    case Rpc::kListNotifications: {
      const auto& req = command.As<nv1::ListNotificationsRequest>();
      const bool incoming = req.direction() == nv1::DIRECTION_INCOMING;
      return Paged<nv1::ListNotificationsResponse>(
          req, command.all_pages, options,
          [&](grpc::ClientContext* c, const nv1::ListNotificationsRequest& r,
              nv1::ListNotificationsResponse* out) {
            return notifications->ListNotifications(c, r, out);
          },
          [incoming](const nv1::ListNotificationsResponse& r) {
            return NotificationsTable(r, incoming);
          },
          printer, kNoNotifications);
    }
    case Rpc::kCreateReferral: {
      const auto& req = command.As<rv1::CreateReferralRequest>();
      return printer.Resource(ExplainOr(
          CallRpc<rv1::Referral>(
              options, [&](auto* c, auto* r) { return referrals->CreateReferral(c, req, r); }),
          kNoReferrals));
    }
    case Rpc::kGetReferral:
      return referral_call(&rv1::ReferralService::Stub::GetReferral,
                           command.As<rv1::GetReferralRequest>());
    case Rpc::kAcceptReferral:
      return referral_call(&rv1::ReferralService::Stub::AcceptReferral,
                           command.As<rv1::AcceptReferralRequest>());
    case Rpc::kRejectReferral:
      return referral_call(&rv1::ReferralService::Stub::RejectReferral,
                           command.As<rv1::RejectReferralRequest>());
    case Rpc::kStartReferral:
      return referral_call(&rv1::ReferralService::Stub::StartReferral,
                           command.As<rv1::StartReferralRequest>());
    case Rpc::kCompleteReferral:
      return referral_call(&rv1::ReferralService::Stub::CompleteReferral,
                           command.As<rv1::CompleteReferralRequest>());
    case Rpc::kRevokeReferral:
      return referral_call(&rv1::ReferralService::Stub::RevokeReferral,
                           command.As<rv1::RevokeReferralRequest>());
    case Rpc::kListReferrals: {
      const auto& req = command.As<rv1::ListReferralsRequest>();
      const bool incoming = req.direction() == rv1::DIRECTION_INCOMING;
      return Paged<rv1::ListReferralsResponse>(
          req, command.all_pages, options,
          [&](grpc::ClientContext* c, const rv1::ListReferralsRequest& r,
              rv1::ListReferralsResponse* out) { return referrals->ListReferrals(c, r, out); },
          [incoming](const rv1::ListReferralsResponse& r) { return ReferralsTable(r, incoming); },
          printer, kNoReferrals);
    }
    case Rpc::kTransferCase: {
      const auto& req = command.As<tv1::TransferCaseRequest>();
      return printer.Resource(ExplainOr(
          CallRpc<tv1::Transfer>(
              options, [&](auto* c, auto* r) { return transfers->TransferCase(c, req, r); }),
          kNoTransfers));
    }
    case Rpc::kGetTransfer: {
      const auto& req = command.As<tv1::GetTransferRequest>();
      return printer.Resource(ExplainOr(
          CallRpc<tv1::Transfer>(
              options, [&](auto* c, auto* r) { return transfers->GetTransfer(c, req, r); }),
          kNoTransfers));
    }
    case Rpc::kAcceptTransfer: {
      const auto& req = command.As<tv1::AcceptTransferRequest>();
      return printer.Resource(ExplainOr(
          CallRpc<tv1::Transfer>(
              options, [&](auto* c, auto* r) { return transfers->AcceptTransfer(c, req, r); }),
          kNoTransfers));
    }
    case Rpc::kDeclineTransfer: {
      const auto& req = command.As<tv1::DeclineTransferRequest>();
      return printer.Resource(ExplainOr(
          CallRpc<tv1::Transfer>(
              options, [&](auto* c, auto* r) { return transfers->DeclineTransfer(c, req, r); }),
          kNoTransfers));
    }
    case Rpc::kListTransfers: {
      const auto& req = command.As<tv1::ListTransfersRequest>();
      const bool incoming = req.direction() == tv1::DIRECTION_INCOMING;
      return Paged<tv1::ListTransfersResponse>(
          req, command.all_pages, options,
          [&](grpc::ClientContext* c, const tv1::ListTransfersRequest& r,
              tv1::ListTransfersResponse* out) { return transfers->ListTransfers(c, r, out); },
          [incoming](const tv1::ListTransfersResponse& r) { return TransfersTable(r, incoming); },
          printer, kNoTransfers);
    }
    case Rpc::kInbox: {
      nv1::ListNotificationsRequest nreq = command.As<nv1::ListNotificationsRequest>();
      nreq.set_page_size(500);
      auto received = AllPages<nv1::ListNotificationsResponse>(
          nreq, options,
          [&](grpc::ClientContext* c, const nv1::ListNotificationsRequest& r,
              nv1::ListNotificationsResponse* out) {
            return notifications->ListNotifications(c, r, out);
          });
      if (!received.ok()) {
        return printer.Error(ExplainUnimplemented(received.status(), kNoNotifications));
      }
      rv1::ListReferralsRequest rreq;
      rreq.set_direction(rv1::DIRECTION_INCOMING);
      rreq.set_post(nreq.post());
      rreq.set_page_size(500);
      auto referred = AllPages<rv1::ListReferralsResponse>(
          rreq, options,
          [&](grpc::ClientContext* c, const rv1::ListReferralsRequest& r,
              rv1::ListReferralsResponse* out) { return referrals->ListReferrals(c, r, out); });
      if (!referred.ok()) {
        return printer.Error(ExplainUnimplemented(referred.status(), kNoReferrals));
      }
      tv1::ListTransfersRequest treq;
      treq.set_direction(tv1::DIRECTION_INCOMING);
      treq.set_post(nreq.post());
      treq.set_page_size(500);
      auto offered = AllPages<tv1::ListTransfersResponse>(
          treq, options,
          [&](grpc::ClientContext* c, const tv1::ListTransfersRequest& r,
              tv1::ListTransfersResponse* out) { return transfers->ListTransfers(c, r, out); });
      if (!offered.ok()) {
        return printer.Error(ExplainUnimplemented(offered.status(), kNoTransfers));
      }
      const std::vector<InboxItem> items =
          InboxItems(*received, *referred, *offered, command.all_pages);
      if (!printer.json()) {
        printer.Text(InboxTable(items));
        return 0;
      }
      for (const auto& item : items) {
        auto line = InboxJsonLine(item);
        if (!line.ok()) return printer.Error(line.status());
        printer.Text(*line);
      }
      return 0;
    }
  }
  return printer.Error(absl::InternalError("enlacectl bug: unhandled command"));
}

int VerifyAuditFiles(const Command& command, const GlobalOptions& options, std::ostream& out,
                     std::ostream& err) {
  Printer printer(options, out, err);
  std::unique_ptr<crypto::Verifier> key;
  if (!command.verify_key_file.empty()) {
    auto pem = ReadPem(command.verify_key_file, "key (--verify_key)");
    if (!pem.ok()) return printer.Error(pem.status());
    // The node's own (private) key file is accepted too: its public half is derived.
    auto verifier = crypto::Verifier::FromPem(*pem);
    if (!verifier.ok()) {
      auto public_pem = crypto::Ed25519PublicPem(*pem);
      if (!public_pem.ok()) {
        return printer.Error(absl::InvalidArgumentError(
            absl::StrCat(command.verify_key_file, " holds no Ed25519 key in PEM")));
      }
      verifier = crypto::Verifier::FromPem(*public_pem);
      if (!verifier.ok()) return printer.Error(verifier.status());
    }
    key = *std::move(verifier);
  }
  auto report = audit::VerifyAuditLogFiles(command.data_dir, key.get());
  if (!report.ok()) return printer.Error(report.status());
  if (printer.json()) {
    if (int rc = printer.Json(audit::ReportToProto(*report)); rc != 0) return rc;
  } else {
    printer.Text(audit::FormatReport(*report));
  }
  return report->ok ? 0 : kAuditNotClean;
}

}  // namespace enlace::cli
