#include "tools/enlacectl/commands.h"

#include <unistd.h>

#include <algorithm>
#include <iostream>
#include <type_traits>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/audit/audit_log.h"
#include "enlace/audit/v1/audit_service.grpc.pb.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "enlace/crisis/v1/crisis.grpc.pb.h"
#include "enlace/directory/v1/directory.grpc.pb.h"
#include "enlace/federation/v1/admin.grpc.pb.h"
#include "enlace/notifications/v1/notifications.grpc.pb.h"
#include "enlace/referrals/v1/referrals.grpc.pb.h"
#include "enlace/transfers/v1/transfers.grpc.pb.h"
#include "tools/enlacectl/client.h"
#include "tools/enlacectl/crisis_import.h"
#include "tools/enlacectl/domains.h"
#include "tools/enlacectl/format.h"
#include "tools/enlacectl/runners.h"

namespace enlace::cli {

std::string BuildInput::Name(absl::string_view what) {
  if (words.positional.size() != 1) {
    args.Error(
        absl::StrCat("`", name, "` needs exactly one ", what, " before its key=value arguments"));
    return "";
  }
  return words.positional[0];
}

std::vector<std::string> BuildInput::Names(const std::vector<absl::string_view>& what) {
  if (words.positional.size() != what.size()) {
    args.Error(absl::StrCat("`", name, "` needs ", absl::StrJoin(what, " "),
                            " before its key=value arguments (", what.size(), " words, not ",
                            words.positional.size(), ")"));
    return std::vector<std::string>(what.size());
  }
  return words.positional;
}

void BuildInput::NoName() {
  for (const auto& p : words.positional) {
    args.Error(
        absl::StrCat("unexpected argument \"", p, "\" for `", name, "` (fields are key=value)"));
  }
}

namespace {

using google::protobuf::Message;
using Request = std::unique_ptr<Message>;

using PersonStub = v1::PersonService::Stub;
using CaseStub = v1::CaseService::Stub;
using DirectoryStub = dv1::DirectoryService::Stub;
using FederationStub = fv1::FederationAdminService::Stub;
using AuditStub = av1::AuditService::Stub;
using NotificationStub = nv1::NotificationService::Stub;
using ReferralStub = rv1::ReferralService::Stub;
using TransferStub = tv1::TransferService::Stub;
using CrisisStub = cv1::CrisisService::Stub;

// ---------------------------------------------------------------- keys

const std::vector<Key>& PersonKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"given_names"}, "given_names"},
      {{"family_names"}, "family_names"},
      {{"sex"}, "sex"},
      {{"birth_date"}, "birth_date"},
      {{"age_band"}, "age_band"},
      {{"nationality", "nationalities"}, "nationalities", kCountryCode},
      {{"doc", "document", "documents"}, "documents", kDocument},
      {{"language", "languages"}, "languages"},
      {{"protection", "international_protection"}, "international_protection"},
      {{"vulnerability", "vulnerabilities"}, "vulnerabilities"},
      {{"phone"}, "contact.phone"},
      {{"email"}, "contact.email"},
      {{"address"}, "contact.address"},
  };
  return *keys;
}

const std::vector<Key>& CaseKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"post"}, "post"},
      {{"host_country"}, "host_country", kCountryCode},
      {{"place"}, "place"},
      {{"category"}, "category"},
      {{"subtype"}, "subtype"},
      {{"status"}, "status"},
      {{"risk"}, "risk"},
      {{"urgent"}, "urgent"},
      {{"legal_basis"}, "legal_basis"},
      // "consent" first: it creates (or clears) the record the consent_* keys fill in.
      {{"consent"}, "consent", kConsent},
      {{"consent_giver_name"}, "consent.giver_name"},
      {{"consent_withheld"}, "consent.withheld_items"},
      {{"consent_obtain_time"}, "consent.obtain_time"},
      {{"consent_expire_time"}, "consent.expire_time"},
      {{"summary"}, "summary"},
  };
  return *keys;
}

const std::vector<Key>& ActionKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"type"}, "type"},       {{"officer"}, "officer"},
      {{"outcome"}, "outcome"}, {{"occur_time"}, "occur_time"},
      {{"note"}, "note"},       {{"post"}, "post"},
  };
  return *keys;
}

const std::vector<Key>& SearchKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"name"}, "name_query"},       {{"doc", "document"}, "document", kDocument},
      {{"birth_date"}, "birth_date"}, {{"page_size"}, "page_size"},
      {{"page_token"}, "page_token"},
  };
  return *keys;
}

const std::vector<Key>& ListCasesKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"post"}, "post"},
      {{"status"}, "status"},
      {{"category"}, "category"},
      {{"person"}, "person", kPersonName},
      {{"since"}, "open_time_start"},
      {{"until"}, "open_time_end"},
      {{"page_size"}, "page_size"},
      {{"page_token"}, "page_token"},
  };
  return *keys;
}

const std::vector<Key>& CloseKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"resolution"}, "resolution"},
      {{"note", "resolution_note"}, "resolution_note"},
      {{"etag"}, "etag"},
  };
  return *keys;
}

const std::vector<Key>& OrganisationKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"display_name"}, "display_name"},
      {{"type"}, "type"},
      {{"service", "services"}, "services"},
      {{"area", "areas"}, "areas", kCountryCode},
      {{"language", "languages"}, "languages"},
      {{"phone"}, "contact.phone"},
      {{"email"}, "contact.email"},
      {{"website"}, "contact.website"},
      {{"address"}, "contact.address"},
      {{"description"}, "description"},
  };
  return *keys;
}

const std::vector<Key>& ListOrganisationsKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"type"}, "type"},           {{"service"}, "service"},     {{"area"}, "area", kCountryCode},
      {{"query", "name"}, "query"}, {{"page_size"}, "page_size"}, {{"page_token"}, "page_token"},
  };
  return *keys;
}

const std::vector<Key>& QuarantineKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"sender"}, "sender", kCountryCode},
      {{"page_size"}, "page_size"},
  };
  return *keys;
}

const std::vector<Key>& AuditListKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"resource"}, "resource"}, {{"actor"}, "actor"},         {{"since"}, "start_time"},
      {{"until"}, "end_time"},    {{"page_size"}, "page_size"}, {{"page_token"}, "page_token"},
  };
  return *keys;
}

// A consular notification: the person (never the local contact, which the host keeps), the
// event, where and by whom.
const std::vector<Key>& NotificationKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"national", "national_country"}, "national_country", kCountryCode},
      {{"event"}, "event"},
      {{"given_names"}, "person.given_names"},
      {{"family_names"}, "person.family_names"},
      {{"sex"}, "person.sex"},
      {{"birth_date"}, "person.birth_date"},
      {{"age_band"}, "person.age_band"},
      {{"nationality", "nationalities"}, "person.nationalities", kCountryCode},
      {{"doc", "document", "documents"}, "person.documents", kDocument},
      {{"language", "languages"}, "person.languages"},
      {{"protection", "international_protection"}, "person.international_protection"},
      {{"vulnerability", "vulnerabilities"}, "person.vulnerabilities"},
      {{"place"}, "place"},
      {{"area"}, "area", kCountryCode},
      {{"authority"}, "authority"},
      {{"event_time"}, "event_time"},
      {{"rights_informed_time"}, "rights_informed_time"},
      {{"contact", "consular_contact"}, "consular_contact"},
  };
  return *keys;
}

// Incoming or outgoing lists of notifications and referrals.
const std::vector<Key>& InboxListKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"post"}, "post", kCountryCode},
      {{"page_size"}, "page_size"},
      {{"page_token"}, "page_token"},
  };
  return *keys;
}

const std::vector<Key>& ReferralKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"to_country"}, "to_country", kCountryCode},
      {{"to_post"}, "to_post", kCountryCode},
      {{"service"}, "service"},
      {{"fields", "disclosed_fields"}, "disclosed_fields"},
      {{"purpose"}, "purpose"},
      {{"expire_time"}, "expire_time"},
  };
  return *keys;
}

const std::vector<Key>& TransferKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"to_country"}, "to_country", kCountryCode},
      {{"to_post"}, "to_post", kCountryCode},
      {{"reason"}, "reason"},
  };
  return *keys;
}

const std::vector<Key>& ReferralOutcomeKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"outcome"}, "outcome"},
      {{"note"}, "note"},
  };
  return *keys;
}

// A crisis as declared (focal posts and measures are read by DeclareCrisis).
const std::vector<Key>& CrisisKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"type"}, "type"},
      {{"title"}, "title"},
      {{"host", "host_country"}, "host_country", kCountryCode},
      {{"areas", "area"}, "areas", kCountryCode},
      {{"phase"}, "phase"},
      {{"lead", "lead_member"}, "lead_member", kCountryCode},
      {{"hotline"}, "hotline"},
      {{"advisory"}, "advisory"},
  };
  return *keys;
}

// A registration: the names of person create, then where and how the national stays.
const std::vector<Key>& RegistrationKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"given_names", "given"}, "given_names"},
      {{"family_names", "family"}, "family_names"},
      {{"birth_date", "birth"}, "birth_date"},
      {{"sex"}, "sex"},
      {{"doc", "document", "documents"}, "documents", kDocument},
      {{"phone"}, "phone"},
      {{"email"}, "email"},
      {{"address"}, "address"},
      {{"host", "host_country"}, "host_country", kCountryCode},
      {{"area"}, "area", kCountryCode},
      {{"arrival", "arrival_date"}, "arrival_date"},
      {{"return", "return_date"}, "return_date"},
      {{"post"}, "post", kCountryCode},
      {{"child"}, "child"},
      {{"older", "older_person"}, "older_person"},
      {{"medical", "medical_needs"}, "medical_needs"},
      {{"person"}, "person", kPersonName},
  };
  return *keys;
}

const std::vector<Key>& WelfareNoteKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"source"}, "source"},
      {{"contact", "contact_made"}, "contact_made"},
      {{"area", "last_known_area"}, "last_known_area", kCountryCode},
      {{"details"}, "details"},
      {{"at", "observe_time"}, "observe_time"},
  };
  return *keys;
}

const std::vector<Key>& WorklistKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"area"}, "area", kCountryCode},
      {{"status", "statuses"}, "statuses"},
      {{"limit", "page_size"}, "page_size"},
      {{"page_token"}, "page_token"},
  };
  return *keys;
}

// A sighting (the crisis is read by SendSighting).
const std::vector<Key>& SightingKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"nationality"}, "nationality", kCountryCode},
      {{"given_names", "given"}, "given_names"},
      {{"family_names", "family"}, "family_names"},
      {{"birth_year"}, "birth_year"},
      {{"doc", "document"}, "document", kDocument},
      {{"area"}, "area", kCountryCode},
      {{"status"}, "status"},
      {{"needs"}, "needs"},
      {{"post"}, "post", kCountryCode},
      {{"contact", "contact_made"}, "contact_made"},
      {{"at", "observe_time"}, "observe_time"},
  };
  return *keys;
}

// A movement (the crisis, offers and passengers are read by PublishMovement).
const std::vector<Key>& MovementKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"mode"}, "mode"},
      {{"from", "from_place"}, "from_place"},
      {{"to", "to_place"}, "to_place"},
      {{"depart", "depart_time"}, "depart_time"},
      {{"seats"}, "seats"},
  };
  return *keys;
}

// An assistance request (the crisis is read by RequestAssistance).
const std::vector<Key>& AssistanceKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"to", "to_country"}, "to_country", kCountryCode},
      {{"area"}, "area", kCountryCode},
      {{"nationals"}, "nationals"},
      {{"request"}, "request"},
      {{"from_post"}, "from_post", kCountryCode},
  };
  return *keys;
}

const std::vector<Key>& ListAssistanceKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"post"}, "post", kCountryCode},
      {{"page_size"}, "page_size"},
      {{"page_token"}, "page_token"},
  };
  return *keys;
}

const std::vector<Key>& PageKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"page_size"}, "page_size"},
      {{"page_token"}, "page_token"},
  };
  return *keys;
}
// ---------------------------------------------------------------- builders

// A list of incoming or outgoing records: the direction is the positional word.
template <typename R>
Builder ByDirection() {
  return [](BuildInput& in) -> Request {
    auto req = std::make_unique<R>();
    const std::string direction = in.Name("direction (incoming or outgoing)");
    if (!direction.empty()) {
      auto d = ParseEnumValue(R::descriptor()->FindFieldByName("direction")->enum_type(), direction,
                              "direction");
      if (!d.ok()) {
        in.args.Error(std::string(d.status().message()));
      } else {
        req->set_direction(static_cast<std::decay_t<decltype(req->direction())>>(*d));
      }
    }
    ApplyKeys(in.args, InboxListKeys(), req.get(), in.context, nullptr);
    return req;
  };
}

Request CreatePerson(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<v1::CreatePersonRequest>();
  req->set_parent(in.parent);
  ApplyKeys(in.args, PersonKeys(), req->mutable_person(), in.context, nullptr);
  if (auto id = in.args.TakeOne({"request_id"})) req->set_request_id(*id);
  return req;
}

Request UpdatePerson(BuildInput& in) {
  auto req = std::make_unique<v1::UpdatePersonRequest>();
  req->mutable_person()->set_name(
      ExpandName(in.Name("person NAME"), in.context.country, "persons"));
  if (auto etag = in.args.TakeOne({"etag"})) req->mutable_person()->set_etag(*etag);
  std::vector<std::string> mask;
  ApplyKeys(in.args, PersonKeys(), req->mutable_person(), in.context, &mask);
  for (const auto& p : mask) req->mutable_update_mask()->add_paths(p);
  if (mask.empty() && in.args.ok()) {
    in.args.Error("`person update` needs at least one field=value to change");
  }
  // Look at the words, not the values: a part set to "" is cleared, so it is given too.
  in.command.contact_parts = ContactParts(in.words.pairs, /*with_website=*/false);
  return req;
}

Request SearchPersons(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<v1::SearchPersonsRequest>();
  req->set_parent(in.parent);
  ApplyKeys(in.args, SearchKeys(), req.get(), in.context, nullptr);
  if (in.args.ok() && req->has_document() == !req->name_query().empty()) {
    in.args.Error("`person search` needs exactly one of name=\"WORDS\" or doc=TYPE:NUMBER:COUNTRY");
  }
  return req;
}

Request ErasePerson(BuildInput& in) {
  auto req = std::make_unique<v1::ErasePersonRequest>();
  req->set_name(ExpandName(in.Name("person NAME"), in.context.country, "persons"));
  if (auto reason = in.args.TakeOne({"reason"})) req->set_reason(*reason);
  if (req->reason().empty() && in.args.ok()) {
    in.args.Error(
        "`person erase` needs reason=\"..\" (legal ground, request reference): it is "
        "recorded in the audit log");
  }
  return req;
}

Request GrantPersonAccess(BuildInput& in) {
  auto req = std::make_unique<v1::GrantPersonAccessRequest>();
  req->set_name(ExpandName(in.Name("person NAME"), in.context.country, "persons"));
  if (auto post = in.args.TakeOne({"post"})) req->set_post(*post);
  if (auto reason = in.args.TakeOne({"reason"})) req->set_reason(*reason);
  if ((req->post().empty() || req->reason().empty()) && in.args.ok()) {
    in.args.Error("`person grant` needs post=POST and reason=\"..\": the grant is audited");
  }
  return req;
}

Request CreateCase(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<v1::CreateCaseRequest>();
  req->set_parent(in.parent);
  if (auto person = in.args.TakeOne({"person"})) {
    req->mutable_case_()->set_person(ExpandName(*person, in.context.country, "persons"));
  }
  // The person at the counter (needed when the officer's post does not reach them yet).
  if (auto shown = in.args.TakeOne({"presented_doc"})) {
    auto doc = ParseDocument(*shown);
    if (doc.ok()) {
      *req->mutable_presented_identity()->mutable_document() = *doc;
    } else {
      in.args.Error(absl::StrCat("presented_", doc.status().message()));
    }
  }
  if (auto v = in.args.TakeOne({"presented_given_names"})) {
    req->mutable_presented_identity()->set_given_names(*v);
  }
  if (auto v = in.args.TakeOne({"presented_family_names"})) {
    req->mutable_presented_identity()->set_family_names(*v);
  }
  if (auto v = in.args.TakeOne({"presented_birth_date"})) {
    req->mutable_presented_identity()->set_birth_date(*v);
  }
  ApplyKeys(in.args, CaseKeys(), req->mutable_case_(), in.context, nullptr);
  if (auto id = in.args.TakeOne({"request_id"})) req->set_request_id(*id);
  if (ConsentPartsWithoutConsent(in.words.pairs)) {
    in.args.Error("consent_* keys need consent=GIVER:SCOPES as well");
  }
  DefaultConsentTime(req->mutable_case_(), in.context);
  return req;
}

Request ListCases(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<v1::ListCasesRequest>();
  req->set_parent(in.parent);
  ApplyKeys(in.args, ListCasesKeys(), req.get(), in.context, nullptr);
  return req;
}

Request UpdateCase(BuildInput& in) {
  auto req = std::make_unique<v1::UpdateCaseRequest>();
  req->mutable_case_()->set_name(ExpandName(in.Name("case NAME"), in.context.country, "cases"));
  if (auto etag = in.args.TakeOne({"etag"})) req->mutable_case_()->set_etag(*etag);
  std::vector<std::string> mask;
  ApplyKeys(in.args, CaseKeys(), req->mutable_case_(), in.context, &mask);
  for (const auto& p : mask) req->mutable_update_mask()->add_paths(p);
  if (mask.empty() && in.args.ok()) {
    in.args.Error("`case update` needs at least one field=value to change");
  }
  if (ConsentPartsWithoutConsent(in.words.pairs)) {
    in.args.Error(
        "consent_* keys need consent=GIVER:SCOPES as well (they replace the whole "
        "consent record)");
  }
  DefaultConsentTime(req->mutable_case_(), in.context);
  return req;
}

Request AddAction(BuildInput& in) {
  auto req = std::make_unique<v1::AddActionRequest>();
  req->set_parent(ExpandName(in.Name("CASE"), in.context.country, "cases"));
  ApplyKeys(in.args, ActionKeys(), req->mutable_action(), in.context, nullptr);
  if (auto id = in.args.TakeOne({"request_id"})) req->set_request_id(*id);
  if (!req->action().has_occur_time()) {
    *req->mutable_action()->mutable_occur_time() = ToTimestamp(in.context.now);
  }
  return req;
}

Request ListActions(BuildInput& in) {
  auto req = std::make_unique<v1::ListActionsRequest>();
  req->set_parent(ExpandName(in.Name("CASE"), in.context.country, "cases"));
  ApplyKeys(in.args, PageKeys(), req.get(), in.context, nullptr);
  return req;
}

Request CreateOrganisation(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<dv1::CreateOrganisationRequest>();
  req->set_parent(in.parent);
  ApplyKeys(in.args, OrganisationKeys(), req->mutable_organisation(), in.context, nullptr);
  if (auto id = in.args.TakeOne({"request_id"})) req->set_request_id(*id);
  return req;
}

Request UpdateOrganisation(BuildInput& in) {
  auto req = std::make_unique<dv1::UpdateOrganisationRequest>();
  req->mutable_organisation()->set_name(
      ExpandName(in.Name("organisation NAME"), in.context.country, "organisations"));
  if (auto etag = in.args.TakeOne({"etag"})) req->mutable_organisation()->set_etag(*etag);
  std::vector<std::string> mask;
  ApplyKeys(in.args, OrganisationKeys(), req->mutable_organisation(), in.context, &mask);
  for (const auto& p : mask) req->mutable_update_mask()->add_paths(p);
  if (mask.empty() && in.args.ok()) {
    in.args.Error("`org update` needs at least one field=value to change");
  }
  std::vector<std::string>& parts = in.command.contact_parts;
  parts = ContactParts(in.words.pairs, /*with_website=*/true);
  // The node merges the contact it receives into the stored one, so an empty part would
  // leave the old value in place: refuse it rather than report a change that did not happen.
  for (const auto& [k, v] : in.words.pairs) {
    if (v.empty() && std::find(parts.begin(), parts.end(), k) != parts.end()) {
      in.args.Error(absl::StrCat(k,
                                 ": an organisation's contact parts cannot be cleared (the node "
                                 "keeps the stored value); give a new value"));
    }
  }
  return req;
}

Request DeleteOrganisation(BuildInput& in) {
  auto req = std::make_unique<dv1::DeleteOrganisationRequest>();
  req->set_name(ExpandName(in.Name("organisation NAME"), in.context.country, "organisations"));
  if (auto etag = in.args.TakeOne({"etag"})) req->set_etag(*etag);
  if (req->etag().empty() && in.args.ok()) {
    in.args.Error("`org delete` needs etag=ETAG (from `org get`)");
  }
  return req;
}

Request ListOrganisations(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<dv1::ListOrganisationsRequest>();
  // Every member's entries unless country= narrows them: --country is the node's country,
  // not a filter.
  if (auto country = in.args.TakeOne({"country"})) {
    const std::string cc = Upper(*country);
    if (!IsCountryCode(cc)) {
      in.args.Error(
          absl::StrCat("country: \"", *country, "\" is not an ISO 3166-1 alpha-2 code (e.g. GT)"));
    } else {
      req->set_parent(absl::StrCat("countries/", cc));
    }
  }
  ApplyKeys(in.args, ListOrganisationsKeys(), req.get(), in.context, nullptr);
  return req;
}

Request GetFederationStatus(BuildInput& in) {
  in.NoName();
  return std::make_unique<fv1::GetFederationStatusRequest>();
}

Request ListQuarantine(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<fv1::ListQuarantineRequest>();
  ApplyKeys(in.args, QuarantineKeys(), req.get(), in.context, nullptr);
  return req;
}

Request ResumeLink(BuildInput& in) {
  auto req = std::make_unique<fv1::ResumeLinkRequest>();
  req->set_country(in.Name("peer COUNTRY"));
  if (auto reason = in.args.TakeOne({"reason"})) req->set_reason(*reason);
  if (req->reason().empty() && in.args.ok()) {
    in.args.Error("`federation resume` needs reason=\"..\": why the link may go on (audited)");
  }
  return req;
}

Request ListAuditRecords(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<av1::ListAuditRecordsRequest>();
  // person=ID and case=ID are shorthands for resource=<full name>.
  auto person = in.args.TakeOne({"person"});
  auto case_name = in.args.TakeOne({"case"});
  ApplyKeys(in.args, AuditListKeys(), req.get(), in.context, nullptr);
  if (int(person.has_value()) + int(case_name.has_value()) + int(!req->resource().empty()) > 1) {
    in.args.Error("`audit list` takes one of resource=NAME, person=ID or case=ID");
  } else if (person) {
    req->set_resource(ExpandName(*person, in.context.country, "persons"));
  } else if (case_name) {
    req->set_resource(ExpandName(*case_name, in.context.country, "cases"));
  }
  return req;
}

Request VerifyAuditLog(BuildInput& in) {
  in.NoName();
  Command& cmd = in.command;
  for (const auto& [k, v] : in.words.value_options) {
    std::string& target = k == "data_dir" ? cmd.data_dir : cmd.verify_key_file;
    if (!target.empty()) in.args.Error(absl::StrCat("--", k, ": given more than once"));
    if (v.empty()) in.args.Error(absl::StrCat("--", k, " needs a value"));
    target = v;
  }
  if (!cmd.data_dir.empty()) {
    cmd.rpc = Rpc::kVerifyAuditFiles;
  } else if (!cmd.verify_key_file.empty()) {
    in.args.Error("--verify_key goes with --data_dir (the node checks signatures itself)");
  }
  return std::make_unique<av1::VerifyAuditLogRequest>();
}

Request SendNotification(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<nv1::SendNotificationRequest>();
  req->set_parent(in.parent);
  auto* n = req->mutable_notification();
  ApplyKeys(in.args, NotificationKeys(), n, in.context, nullptr);
  if (auto id = in.args.TakeOne({"request_id"})) req->set_request_id(*id);
  // The receiving member is the person's nationality: either says the other.
  if (n->national_country().empty() && n->person().nationalities_size() == 1) {
    n->set_national_country(n->person().nationalities(0));
  } else if (!n->national_country().empty() && n->person().nationalities_size() == 0) {
    n->mutable_person()->add_nationalities(n->national_country());
  }
  if (n->national_country().empty() && in.args.ok()) {
    in.args.Error(
        "`notification send` needs national=CC (the person's country, which receives it)");
  }
  return req;
}

Request CreateReferral(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<rv1::CreateReferralRequest>();
  req->set_parent(in.parent);
  auto* r = req->mutable_referral();
  if (auto c = in.args.TakeOne({"case"})) r->set_case_(ExpandName(*c, in.context.country, "cases"));
  if (auto org = in.args.TakeOne({"to_org", "to_organisation"})) {
    r->set_to_organisation(ExpandName(*org, in.context.country, "organisations"));
  }
  ApplyKeys(in.args, ReferralKeys(), r, in.context, nullptr);
  if (auto id = in.args.TakeOne({"request_id"})) req->set_request_id(*id);
  if (in.args.ok()) {
    if (r->case_().empty()) in.args.Error("`referral create` needs case=NAME");
    const bool to_member = !r->to_country().empty() || !r->to_post().empty();
    if (to_member == !r->to_organisation().empty()) {
      in.args.Error(
          "`referral create` needs to_country=CC to_post=POST (another member's post) "
          "or to_org=NAME (an organisation of the directory), not both");
    } else if (to_member && r->to_country().empty() && r->to_post().size() > 2 &&
               r->to_post()[2] == '-') {
      r->set_to_country(r->to_post().substr(0, 2));  // GT-TAP is Guatemala's
    }
    if (r->service() == 0) in.args.Error("`referral create` needs service=SERVICE");
  }
  return req;
}

Request RejectReferral(BuildInput& in) {
  auto req = std::make_unique<rv1::RejectReferralRequest>();
  req->set_name(ExpandName(in.Name("referral NAME"), in.context.country, "referrals"));
  ApplyKeys(in.args, ReferralOutcomeKeys(), req.get(), in.context, nullptr);
  if (in.args.ok() && req->outcome() == 0) {
    in.args.Error("`referral reject` needs outcome=REASON (e.g. no_capacity)");
  } else if (req->outcome() == rv1::OUTCOME_SUCCESS) {
    in.args.Error("outcome: a rejection's outcome says why (not success)");
  }
  return req;
}

Request CompleteReferral(BuildInput& in) {
  auto req = std::make_unique<rv1::CompleteReferralRequest>();
  req->set_name(ExpandName(in.Name("referral NAME"), in.context.country, "referrals"));
  ApplyKeys(in.args, ReferralOutcomeKeys(), req.get(), in.context, nullptr);
  if (in.args.ok() && req->outcome() == 0) {
    in.args.Error("`referral complete` needs outcome=success (or why it failed)");
  }
  return req;
}

Request TransferCase(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<tv1::TransferCaseRequest>();
  req->set_parent(in.parent);
  auto* t = req->mutable_transfer();
  if (auto c = in.args.TakeOne({"case"})) t->set_case_(ExpandName(*c, in.context.country, "cases"));
  ApplyKeys(in.args, TransferKeys(), t, in.context, nullptr);
  if (auto id = in.args.TakeOne({"request_id"})) req->set_request_id(*id);
  if (in.args.ok()) {
    if (t->case_().empty()) in.args.Error("`transfer create` needs case=NAME");
    if (t->to_post().empty()) {
      in.args.Error("`transfer create` needs to_post=POST (the receiving member's post)");
    } else if (t->to_country().empty() && t->to_post().size() > 2 && t->to_post()[2] == '-') {
      t->set_to_country(t->to_post().substr(0, 2));
    }
    if (t->reason().empty()) in.args.Error("`transfer create` needs reason=\"..\"");
  }
  return req;
}

Request DeclineTransfer(BuildInput& in) {
  auto req = std::make_unique<tv1::DeclineTransferRequest>();
  req->set_name(ExpandName(in.Name("transfer NAME"), in.context.country, "transfers"));
  if (auto reason = in.args.TakeOne({"reason"})) req->set_reason(*reason);
  if (req->reason().empty() && in.args.ok()) {
    in.args.Error("`transfer decline` needs reason=\"..\" (the origin reads it)");
  }
  return req;
}

// ---- crises

// ISO 3166-2, as upper-cased by kCountryCode: HN-CR, MX-CHP, GT-16.
bool IsAreaCode(absl::string_view s) {
  return s.size() >= 4 && s.size() <= 6 && s[2] == '-' && IsCountryCode(s.substr(0, 2)) &&
         std::all_of(s.begin() + 3, s.end(),
                     [](char c) { return absl::ascii_isupper(c) || absl::ascii_isdigit(c); });
}

// An error naming `key` when `cc` (given, upper-cased) is not an ISO 3166-1 code.
void CheckCountry(Args& args, absl::string_view key, const std::string& cc) {
  if (!cc.empty() && !IsCountryCode(cc)) {
    args.Error(absl::StrCat(key, ": \"", cc, "\" is not an ISO 3166-1 alpha-2 code (e.g. HN)"));
  }
}

// An error naming `key` when `area` (given) is not an ISO 3166-2 code of `host` (any country
// when empty).
void CheckArea(Args& args, absl::string_view key, const std::string& area,
               const std::string& host) {
  if (area.empty()) return;
  if (!IsAreaCode(area)) {
    args.Error(absl::StrCat(key, ": \"", area, "\" is not an ISO 3166-2 code (e.g. HN-CR)"));
  } else if (!host.empty() && IsCountryCode(host) && area.substr(0, 2) != host) {
    args.Error(absl::StrCat(key, ": ", area, " is not in the host country ", host));
  }
}

// A date (YYYY-MM-DD), or with `partial` also YYYY or YYYY-MM.
void CheckDate(Args& args, absl::string_view key, const std::string& date, bool partial) {
  if (date.empty()) return;
  absl::Time t;
  std::string error;
  const bool ok = absl::ParseTime("%Y-%m-%d", date, &t, &error) ||
                  (partial && (absl::ParseTime("%Y-%m", date, &t, &error) ||
                               absl::ParseTime("%Y", date, &t, &error)));
  if (!ok || (date.size() != 10 && !(partial && (date.size() == 7 || date.size() == 4)))) {
    args.Error(absl::StrCat(key, ": \"", date, "\" is not a date YYYY-MM-DD",
                            partial ? " (or YYYY-MM, YYYY)" : ""));
  }
}

// key=MEMBER:N,MEMBER:N (seats offered, passengers by nationality); errors name `key`.
std::vector<std::pair<std::string, int>> MemberCounts(Args& args,
                                                      const std::vector<absl::string_view>& names,
                                                      absl::string_view example) {
  std::vector<std::pair<std::string, int>> out;
  for (const std::string& v : args.Take(names)) {
    for (absl::string_view item : absl::StrSplit(v, ',', absl::SkipWhitespace())) {
      item = absl::StripAsciiWhitespace(item);
      std::vector<absl::string_view> parts = absl::StrSplit(item, ':');
      int n = 0;
      const std::string member = Upper(parts[0]);
      if (parts.size() != 2 || !IsCountryCode(member) || !absl::SimpleAtoi(parts[1], &n) ||
          n <= 0) {
        args.Error(absl::StrCat(names.front(), ": \"", item, "\" is not MEMBER:N with N > 0 (e.g. ",
                                example, ")"));
        continue;
      }
      out.emplace_back(member, n);
    }
  }
  return out;
}

// `crisis NAME` given as a key (sighting, movement).
std::string CrisisKey(BuildInput& in) {
  auto crisis = in.args.TakeOne({"crisis"});
  return crisis && !crisis->empty() ? ExpandName(*crisis, in.context.country, "crises") : "";
}

std::string CrisisName(const std::string& word, const ParseContext& context) {
  return word.empty() ? "" : ExpandName(word, context.country, "crises");
}

// A subject of a crisis: a registration id or any full name (a case's).
std::string SubjectName(const std::string& word, const ParseContext& context) {
  return word.empty() ? "" : ExpandName(word, context.country, "registrations");
}

Request DeclareCrisis(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<cv1::DeclareCrisisRequest>();
  req->set_parent(in.parent);
  cv1::Crisis* c = req->mutable_crisis();
  ApplyKeys(in.args, CrisisKeys(), c, in.context, nullptr);
  for (const std::string& v : in.args.Take({"focal", "focal_post", "focal_posts"})) {
    for (absl::string_view item : absl::StrSplit(v, ',', absl::SkipWhitespace())) {
      item = absl::StripAsciiWhitespace(item);
      std::vector<std::string> parts = absl::StrSplit(item, ':');
      if (parts.size() != 3 || parts[0].empty() || parts[1].empty() || parts[2].empty()) {
        in.args.Error(
            absl::StrCat("focal: \"", item, "\" is not AREA:MEMBER:POST (e.g. HN-CR:HN:SPS)"));
        continue;
      }
      cv1::FocalPost* f = c->add_focal_posts();
      f->set_area(Upper(parts[0]));
      f->set_member(Upper(parts[1]));
      f->set_post(Upper(parts[2]));
      CheckCountry(in.args, "focal member", f->member());
      if (std::find(c->areas().begin(), c->areas().end(), f->area()) == c->areas().end()) {
        in.args.Error(absl::StrCat("focal: ", f->area(), " is not one of the crisis's areas (",
                                   absl::StrJoin(c->areas(), ","), ")"));
      }
    }
  }
  // One measure per key: its description may hold commas.
  for (const std::string& v : in.args.Take({"measure", "measures"})) {
    std::vector<std::string> parts = absl::StrSplit(v, absl::MaxSplits(':', 1));
    const std::string member = parts.size() == 2 ? Upper(parts[0]) : "";
    const std::string text =
        parts.size() == 2 ? std::string(absl::StripAsciiWhitespace(parts[1])) : "";
    if (!IsCountryCode(member) || text.empty()) {
      in.args.Error(absl::StrCat("measure: \"", v,
                                 "\" is not MEMBER:DESCRIPTION (e.g. MX:\"visa humanitaria\")"));
      continue;
    }
    cv1::Measure* m = c->add_measures();
    m->set_member(member);
    m->set_description(text);
  }
  if (auto id = in.args.TakeOne({"request_id"})) req->set_request_id(*id);
  if (in.args.ok()) {
    if (c->type() == 0) in.args.Error("`crisis declare` needs type=TYPE (e.g. hurricane)");
    if (c->title().empty()) in.args.Error("`crisis declare` needs title=\"..\"");
    if (c->host_country().empty()) {
      in.args.Error("`crisis declare` needs host=CC (the country where it happens)");
    }
    if (c->areas().empty()) {
      in.args.Error("`crisis declare` needs areas=AREA,... (ISO 3166-2, e.g. HN-CR,HN-AT)");
    }
  }
  CheckCountry(in.args, "host", c->host_country());
  CheckCountry(in.args, "lead", c->lead_member());
  for (const std::string& area : c->areas()) CheckArea(in.args, "areas", area, c->host_country());
  return req;
}

// `crisis phase NAME PHASE`: the runner reads the etag first.
Request ChangeCrisisPhase(BuildInput& in) {
  auto req = std::make_unique<cv1::UpdateCrisisRequest>();
  const std::vector<std::string> names = in.Names({"NAME", "PHASE"});
  req->mutable_crisis()->set_name(CrisisName(names[0], in.context));
  if (!names[1].empty()) {
    auto phase = ParseEnumValue(cv1::Phase_descriptor(), names[1], "phase");
    if (phase.ok()) {
      req->mutable_crisis()->set_phase(static_cast<cv1::Phase>(*phase));
    } else {
      in.args.Error(std::string(phase.status().message()));
    }
  }
  req->mutable_update_mask()->add_paths("phase");
  return req;
}

Request ListCrises(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<cv1::ListCrisesRequest>();
  ApplyKeys(in.args, {{{"phase", "phases"}, "phases"}}, req.get(), in.context, nullptr);
  return req;
}

Request CreateRegistration(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<cv1::CreateRegistrationRequest>();
  req->set_parent(in.parent);
  cv1::Registration* r = req->mutable_registration();
  ApplyKeys(in.args, RegistrationKeys(), r, in.context, nullptr);
  if (auto id = in.args.TakeOne({"request_id"})) req->set_request_id(*id);
  // The area says the host country: host=HN is optional with area=HN-CR.
  if (r->host_country().empty() && IsAreaCode(r->area())) {
    r->set_host_country(r->area().substr(0, 2));
  }
  if (in.args.ok()) {
    if (r->given_names().empty() && r->family_names().empty()) {
      in.args.Error("`crisis register` needs given_names=.. and family_names=..");
    }
    if (r->birth_date().empty()) {
      in.args.Error("`crisis register` needs birth_date=YYYY-MM-DD (or YYYY-MM, YYYY)");
    }
    if (r->area().empty()) {
      in.args.Error("`crisis register` needs area=AREA (where the national is; e.g. HN-CR)");
    }
  }
  CheckCountry(in.args, "host", r->host_country());
  CheckArea(in.args, "area", r->area(), r->host_country());
  CheckDate(in.args, "birth_date", r->birth_date(), /*partial=*/true);
  CheckDate(in.args, "arrival", r->arrival_date(), /*partial=*/false);
  CheckDate(in.args, "return", r->return_date(), /*partial=*/false);
  if (!r->arrival_date().empty() && !r->return_date().empty() &&
      r->return_date() < r->arrival_date()) {
    in.args.Error("return: before arrival");
  }
  return req;
}

// `crisis import FILE`: the request holds the parent; the runner reads the file.
Request ImportRegistrations(BuildInput& in) {
  auto req = std::make_unique<cv1::ImportRegistrationsRequest>();
  req->set_parent(in.parent);
  ImportOptions& o = in.command.import;
  o.file = in.Name("FILE");
  if (auto f = in.args.TakeOne({"format"})) {
    auto format = ParseImportFormat(*f);
    if (format.ok()) {
      o.format = *format == ImportFormat::kCsv ? "csv" : "jsonl";
    } else {
      in.args.Error(std::string(format.status().message()));
    }
  } else if (!o.file.empty() && !ImportFormatOfFile(o.file)) {
    in.args.Error(absl::StrCat("format: cannot tell it from the name \"", o.file,
                               "\" (.csv, .jsonl); give format=csv or format=jsonl"));
  }
  if (auto b = in.args.TakeOne({"batch"})) {
    if (!absl::SimpleAtoi(*b, &o.batch) || o.batch < 1 || o.batch > 500) {
      in.args.Error(absl::StrCat("batch: \"", *b,
                                 "\" is not a number from 1 to 500 (registrations per call; the "
                                 "node takes at most 500)"));
    }
  }
  return req;
}

Request RecordWelfareNote(BuildInput& in) {
  auto req = std::make_unique<cv1::RecordWelfareNoteRequest>();
  const std::vector<std::string> names = in.Names({"CRISIS", "SUBJECT", "STATUS"});
  cv1::WelfareNote* n = req->mutable_note();
  n->set_crisis(CrisisName(names[0], in.context));
  n->set_subject(SubjectName(names[1], in.context));
  if (!names[2].empty()) {
    auto status = ParseEnumValue(cv1::WelfareStatus_descriptor(), names[2], "status");
    if (status.ok()) {
      n->set_status(static_cast<cv1::WelfareStatus>(*status));
    } else {
      in.args.Error(std::string(status.status().message()));
    }
  }
  ApplyKeys(in.args, WelfareNoteKeys(), n, in.context, nullptr);
  if (auto id = in.args.TakeOne({"request_id"})) req->set_request_id(*id);
  CheckArea(in.args, "area", n->last_known_area(), "");
  if (!n->has_observe_time()) *n->mutable_observe_time() = ToTimestamp(in.context.now);
  return req;
}

Request ListWelfareNotes(BuildInput& in) {
  auto req = std::make_unique<cv1::ListWelfareNotesRequest>();
  const std::vector<std::string> names = in.Names({"CRISIS", "SUBJECT"});
  req->set_crisis(CrisisName(names[0], in.context));
  req->set_subject(SubjectName(names[1], in.context));
  return req;
}

Request ListWorklist(BuildInput& in) {
  auto req = std::make_unique<cv1::ListWorklistRequest>();
  req->set_crisis(CrisisName(in.Name("CRISIS"), in.context));
  ApplyKeys(in.args, WorklistKeys(), req.get(), in.context, nullptr);
  CheckArea(in.args, "area", req->area(), "");
  if (in.args.ok() && (req->page_size() < 0 || req->page_size() > 1000)) {
    in.args.Error(absl::StrCat("limit: ", req->page_size(), " is not 1..1000"));
  }
  return req;
}

// A request on one crisis, named by the positional word (board, picture, movements).
template <typename R>
Builder ByCrisis() {
  return [](BuildInput& in) -> Request {
    auto req = std::make_unique<R>();
    req->set_crisis(CrisisName(in.Name("CRISIS"), in.context));
    return req;
  };
}

Request MergeSubjects(BuildInput& in) {
  auto req = std::make_unique<cv1::MergeSubjectsRequest>();
  const std::vector<std::string> names = in.Names({"CRISIS", "KEEP", "DUPLICATE"});
  req->set_crisis(CrisisName(names[0], in.context));
  req->set_keep(SubjectName(names[1], in.context));
  req->set_duplicate(SubjectName(names[2], in.context));
  if (auto reason = in.args.TakeOne({"reason"})) req->set_reason(*reason);
  if (in.args.ok()) {
    if (req->keep() == req->duplicate()) {
      in.args.Error("`crisis merge`: KEEP and DUPLICATE are the same subject");
    }
    if (req->reason().empty()) {
      in.args.Error("`crisis merge` needs reason=\"..\" (why they are the same person; audited)");
    }
  }
  return req;
}

Request SendSighting(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<cv1::SendSightingRequest>();
  req->set_parent(in.parent);
  cv1::Sighting* s = req->mutable_sighting();
  s->set_crisis(CrisisKey(in));
  ApplyKeys(in.args, SightingKeys(), s, in.context, nullptr);
  ApplyKeys(in.args, {{{"protection", "international_protection"}, "international_protection"}},
            req.get(), in.context, nullptr);
  if (auto id = in.args.TakeOne({"request_id"})) req->set_request_id(*id);
  if (in.args.ok()) {
    if (s->crisis().empty()) in.args.Error("`crisis sighting` needs crisis=NAME");
    if (s->nationality().empty()) {
      in.args.Error("`crisis sighting` needs nationality=CC (the member that receives it)");
    } else if (s->nationality() == in.context.country) {
      in.args.Error(absl::StrCat("nationality: ", s->nationality(),
                                 " is this node's own country; record a note instead "
                                 "(`crisis note`)"));
    }
    if (s->area().empty()) in.args.Error("`crisis sighting` needs area=AREA (e.g. HN-CR)");
    if (s->status() == 0) {
      in.args.Error("`crisis sighting` needs status=STATUS (e.g. contacted_safe)");
    }
    if (req->international_protection() == 0) {
      in.args.Error(
          "`crisis sighting` needs protection=none|asylum_seeker|refugee|stateless|unknown "
          "(a refugee's or asylum seeker's sighting never goes to the country of nationality)");
    }
  }
  CheckCountry(in.args, "nationality", s->nationality());
  CheckArea(in.args, "area", s->area(), "");
  if (!s->has_observe_time()) *s->mutable_observe_time() = ToTimestamp(in.context.now);
  return req;
}

Request PublishMovement(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<cv1::PublishMovementRequest>();
  req->set_parent(in.parent);
  cv1::Movement* m = req->mutable_movement();
  m->set_crisis(CrisisKey(in));
  ApplyKeys(in.args, MovementKeys(), m, in.context, nullptr);
  int offered = 0;
  for (const auto& [member, seats] : MemberCounts(in.args, {"offer", "offered"}, "GT:40,SV:20")) {
    cv1::SeatOffer* o = m->add_offered();
    o->set_member(member);
    o->set_seats(seats);
    offered += seats;
  }
  int passengers = 0;
  for (const auto& [nationality, n] : MemberCounts(in.args, {"passengers"}, "MX:120,GT:30")) {
    cv1::NationalityCount* p = m->add_passengers();
    p->set_nationality(nationality);
    p->set_passengers(n);
    passengers += n;
  }
  if (auto id = in.args.TakeOne({"request_id"})) req->set_request_id(*id);
  if (in.args.ok()) {
    if (m->crisis().empty()) in.args.Error("`crisis movement` needs crisis=NAME");
    if (m->mode() == 0) in.args.Error("`crisis movement` needs mode=air|bus|sea|rail");
    if (!m->has_depart_time()) in.args.Error("`crisis movement` needs depart=RFC3339");
    if (m->seats() <= 0) {
      in.args.Error("`crisis movement` needs seats=N (the seats of the movement, N > 0)");
    } else {
      if (offered > m->seats()) {
        in.args.Error(absl::StrCat("offer: ", offered,
                                   " seats offered, but the movement has seats=", m->seats()));
      }
      if (passengers > m->seats()) {
        in.args.Error(absl::StrCat("passengers: ", passengers,
                                   " passengers, but the movement has seats=", m->seats()));
      }
    }
  }
  return req;
}

Request ListMovements(BuildInput& in) {
  auto req = std::make_unique<cv1::ListMovementsRequest>();
  req->set_crisis(CrisisName(in.Name("CRISIS"), in.context));
  ApplyKeys(in.args, {{{"offered_to"}, "offered_to", kCountryCode}}, req.get(), in.context,
            nullptr);
  CheckCountry(in.args, "offered_to", req->offered_to());
  return req;
}

// `crisis assist crisis=C to=GT area=HN-AT nationals=12 request=".."`: another member is asked
// to act for this member's nationals where it has no post.
Request RequestAssistance(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<cv1::RequestAssistanceRequest>();
  req->set_parent(in.parent);
  cv1::AssistanceRequest* a = req->mutable_assistance();
  a->set_crisis(CrisisKey(in));
  ApplyKeys(in.args, AssistanceKeys(), a, in.context, nullptr);
  if (auto id = in.args.TakeOne({"request_id"})) req->set_request_id(*id);
  if (in.args.ok()) {
    if (a->crisis().empty()) in.args.Error("`crisis assist` needs crisis=NAME");
    if (a->to_country().empty()) {
      in.args.Error("`crisis assist` needs to=CC (the member asked to act)");
    } else if (a->to_country() == in.context.country) {
      in.args.Error(
          absl::StrCat("to: ", a->to_country(), " is this node's own country; ask another member"));
    }
    if (a->area().empty()) in.args.Error("`crisis assist` needs area=AREA (e.g. HN-AT)");
    if (a->nationals() < 0) {
      in.args.Error(absl::StrCat("nationals: ", a->nationals(), " is not 0 or more"));
    }
    if (a->request().empty()) {
      in.args.Error("`crisis assist` needs request=\"..\" (what the other member is asked to do)");
    }
  }
  CheckCountry(in.args, "to", a->to_country());
  CheckArea(in.args, "area", a->area(), "");
  return req;
}

// `crisis answer NAME accepted|declined|done [post=..] [note=..]`: the acting member's side.
Request RespondToAssistance(BuildInput& in) {
  auto req = std::make_unique<cv1::RespondToAssistanceRequest>();
  const std::vector<std::string> names = in.Names({"NAME", "STATE"});
  if (!names[0].empty()) req->set_name(ExpandName(names[0], in.context.country, "assistance"));
  if (!names[1].empty()) {
    auto state = ParseEnumValue(cv1::AssistanceState_descriptor(), names[1], "state");
    if (!state.ok()) {
      in.args.Error(std::string(state.status().message()));
    } else if (*state == cv1::ASSISTANCE_STATE_REQUESTED) {
      in.args.Error("state: an answer is accepted, declined or done");
    } else {
      req->set_state(static_cast<cv1::AssistanceState>(*state));
    }
  }
  ApplyKeys(in.args, {{{"post"}, "post", kCountryCode}, {{"note"}, "note"}}, req.get(), in.context,
            nullptr);
  if (in.args.ok() && req->state() == cv1::ASSISTANCE_STATE_DONE && req->note().empty()) {
    in.args.Error("`crisis answer NAME done` needs note=\"..\" (what was done)");
  }
  return req;
}

// `crisis assistance [--incoming] [post=..]`: asked by this node, or (--incoming) of it.
Request ListAssistance(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<cv1::ListAssistanceRequest>();
  req->set_incoming(in.words.incoming);
  ApplyKeys(in.args, ListAssistanceKeys(), req.get(), in.context, nullptr);
  return req;
}

// `inbox`: the ListNotificationsRequest; the runner makes the referrals' and transfers' from it.
Request Inbox(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<nv1::ListNotificationsRequest>();
  req->set_direction(nv1::DIRECTION_INCOMING);
  if (auto post = in.args.TakeOne({"post"})) req->set_post(Upper(*post));
  return req;
}

// ---------------------------------------------------------------- runners

// What an UNIMPLEMENTED answer means for each service (PersonService and CaseService: none,
// every node serves them).
constexpr char kNoDirectory[] =
    "this node does not serve enlace.directory.v1.DirectoryService: is it an Enlace node, and "
    "recent enough?";
constexpr char kNoFederation[] =
    "this node does not serve enlace.federation.v1.FederationAdminService: it runs standalone, "
    "without a federation section in its config, so it has no peers, links or quarantine";
constexpr char kNoAudit[] =
    "this node does not serve enlace.audit.v1.AuditService: is it an Enlace node, and recent "
    "enough?";
constexpr char kNoNotifications[] =
    "this node does not serve enlace.notifications.v1.NotificationService: is it an Enlace node, "
    "and recent enough?";
constexpr char kNoReferrals[] =
    "this node does not serve enlace.referrals.v1.ReferralService: is it an Enlace node, and "
    "recent enough?";
constexpr char kNoCrisis[] =
    "this node does not serve enlace.crisis.v1.CrisisService: is it an Enlace node, and recent "
    "enough?";
constexpr char kNoTransfers[] =
    "this node does not serve enlace.transfers.v1.TransferService: is it an Enlace node, and "
    "recent enough?";

// A table of incoming or outgoing rows, as the request's direction says.
template <typename Resp, typename Direction>
auto Directed(std::string (*table)(const Resp&, bool), Direction incoming) {
  return [table, incoming](const auto& req, const Resp& rows) {
    return table(rows, req.direction() == incoming);
  };
}

// `person update` with contact parts: the mask path is "contact" (the whole record), so start
// from the stored contact and change just the parts given. A concurrent edit changes the etag,
// so the update is then refused (ABORTED) rather than losing that edit.
int RunUpdatePerson(const Command& command, Session& s) {
  v1::UpdatePersonRequest req = command.As<v1::UpdatePersonRequest>();
  if (!command.contact_parts.empty()) {
    v1::GetPersonRequest get;
    get.set_name(req.person().name());
    auto current = Call(s, &PersonStub::GetPerson, get, "");
    if (!current.ok()) return s.printer.Error(current.status());
    v1::Contact merged = current->contact();
    const auto& given = req.person().contact();
    for (const auto& part : command.contact_parts) {
      if (part == "phone") merged.set_phone(given.phone());
      if (part == "email") merged.set_email(given.email());
      if (part == "address") merged.set_address(given.address());
    }
    *req.mutable_person()->mutable_contact() = merged;
  }
  return s.printer.Resource(Call(s, &PersonStub::UpdatePerson, req, ""));
}

// `org update` with contact parts: as for persons.
int RunUpdateOrganisation(const Command& command, Session& s) {
  dv1::UpdateOrganisationRequest req = command.As<dv1::UpdateOrganisationRequest>();
  if (!command.contact_parts.empty()) {
    dv1::GetOrganisationRequest get;
    get.set_name(req.organisation().name());
    auto current = Call(s, &DirectoryStub::GetOrganisation, get, kNoDirectory);
    if (!current.ok()) return s.printer.Error(current.status());
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
  return s.printer.Resource(Call(s, &DirectoryStub::UpdateOrganisation, req, kNoDirectory));
}

// `audit verify`: the report; exit code kAuditNotClean when the log is not clean.
int RunVerifyAuditLog(const Command& command, Session& s) {
  auto report =
      Call(s, &AuditStub::VerifyAuditLog, command.As<av1::VerifyAuditLogRequest>(), kNoAudit);
  if (!report.ok()) return s.printer.Error(report.status());
  if (s.printer.json()) {
    if (int rc = s.printer.Json(*report); rc != 0) return rc;
  } else {
    s.printer.Text(audit::FormatReport(audit::ReportFromProto(*report)));
  }
  return report->ok() ? 0 : kAuditNotClean;
}

// `inbox`: every page of the post's incoming notifications, referrals and transfers.
int RunInbox(const Command& command, Session& s) {
  nv1::ListNotificationsRequest nreq = command.As<nv1::ListNotificationsRequest>();
  nreq.set_page_size(500);
  NotificationStub notifications(s.channel);
  auto received = AllPages<nv1::ListNotificationsResponse>(
      nreq, s.options,
      [&](grpc::ClientContext* c, const nv1::ListNotificationsRequest& r,
          nv1::ListNotificationsResponse* out) {
        return notifications.ListNotifications(c, r, out);
      });
  if (!received.ok()) {
    return s.printer.Error(ExplainUnimplemented(received.status(), kNoNotifications));
  }
  rv1::ListReferralsRequest rreq;
  rreq.set_direction(rv1::DIRECTION_INCOMING);
  rreq.set_post(nreq.post());
  rreq.set_page_size(500);
  ReferralStub referrals(s.channel);
  auto referred = AllPages<rv1::ListReferralsResponse>(
      rreq, s.options,
      [&](grpc::ClientContext* c, const rv1::ListReferralsRequest& r,
          rv1::ListReferralsResponse* out) { return referrals.ListReferrals(c, r, out); });
  if (!referred.ok()) {
    return s.printer.Error(ExplainUnimplemented(referred.status(), kNoReferrals));
  }
  tv1::ListTransfersRequest treq;
  treq.set_direction(tv1::DIRECTION_INCOMING);
  treq.set_post(nreq.post());
  treq.set_page_size(500);
  TransferStub transfers(s.channel);
  auto offered = AllPages<tv1::ListTransfersResponse>(
      treq, s.options,
      [&](grpc::ClientContext* c, const tv1::ListTransfersRequest& r,
          tv1::ListTransfersResponse* out) { return transfers.ListTransfers(c, r, out); });
  if (!offered.ok()) {
    return s.printer.Error(ExplainUnimplemented(offered.status(), kNoTransfers));
  }
  const std::vector<InboxItem> items =
      InboxItems(*received, *referred, *offered, command.all_pages);
  if (!s.printer.json()) {
    s.printer.Text(InboxTable(items));
    return 0;
  }
  for (const auto& item : items) {
    auto line = InboxJsonLine(item);
    if (!line.ok()) return s.printer.Error(line.status());
    s.printer.Text(*line);
  }
  return 0;
}

// `crisis phase`: the crisis's etag first, so that a concurrent change is refused (ABORTED)
// rather than overwritten.
int RunChangeCrisisPhase(const Command& command, Session& s) {
  cv1::UpdateCrisisRequest req = command.As<cv1::UpdateCrisisRequest>();
  cv1::GetCrisisRequest get;
  get.set_name(req.crisis().name());
  auto current = Call(s, &CrisisStub::GetCrisis, get, kNoCrisis);
  if (!current.ok()) return s.printer.Error(current.status());
  req.mutable_crisis()->set_etag(current->etag());
  return s.printer.Resource(Call(s, &CrisisStub::UpdateCrisis, req, kNoCrisis));
}

// `crisis import FILE`: batches of ImportRegistrations (crisis_import.h).
int RunImportRegistrations(const Command& command, Session& s) {
  const auto& req = command.As<cv1::ImportRegistrationsRequest>();
  ImportSink send = [&s](const cv1::ImportRegistrationsRequest& batch) {
    return Call(s, &CrisisStub::ImportRegistrations, batch, kNoCrisis);
  };
  // The progress bar only on a terminal; a log gets one line per batch.
  const bool tty = &s.err == &std::cerr && isatty(STDERR_FILENO) == 1;
  ImportIo io{s.out, s.err, tty, s.printer.json(), [] { return absl::Now(); }};
  return RunImport(command.import, req.parent(), send, io);
}

// ---------------------------------------------------------------- the table

// The core commands; Commands() appends every domain's (domains.h).
std::vector<CommandSpec> CoreCommands() {
  return {
      // enlace.cases.v1.PersonService
      {"person", "create", Rpc::kCreatePerson, CreatePerson, Show(&PersonStub::CreatePerson)},
      {"person", "get", Rpc::kGetPerson, ByName<v1::GetPersonRequest>("persons", "person NAME"),
       Show(&PersonStub::GetPerson)},
      {"person", "update", Rpc::kUpdatePerson, UpdatePerson, RunUpdatePerson},
      {"person", "search", Rpc::kSearchPersons, SearchPersons,
       List(&PersonStub::SearchPersons, Rows(PersonsTable)), kPages},
      {"person", "erase", Rpc::kErasePerson, ErasePerson,
       Show(&PersonStub::ErasePerson, "",
            [](const v1::ErasePersonRequest& req, const v1::ErasePersonResponse& erased) {
              return absl::StrCat("erased ", req.name(),
                                  " (cases kept without personal data: ", erased.cases_kept(),
                                  ")\n");
            })},
      {"person", "grant", Rpc::kGrantPersonAccess, GrantPersonAccess,
       Show(&PersonStub::GrantPersonAccess, "",
            [](const v1::GrantPersonAccessRequest& req,
               const v1::GrantPersonAccessResponse& granted) {
              return granted.granted()
                         ? absl::StrCat("granted ", req.post(), " access to ", req.name(), "\n")
                         : absl::StrCat(req.post(), " already reached ", req.name(), "\n");
            })},
      // enlace.cases.v1.CaseService
      {"case", "create", Rpc::kCreateCase, CreateCase, Show(&CaseStub::CreateCase)},
      {"case", "get", Rpc::kGetCase, ByName<v1::GetCaseRequest>("cases", "case NAME"),
       Show(&CaseStub::GetCase)},
      {"case", "list", Rpc::kListCases, ListCases, List(&CaseStub::ListCases, Rows(CasesTable)),
       kPages},
      {"case", "update", Rpc::kUpdateCase, UpdateCase, Show(&CaseStub::UpdateCase)},
      {"case", "close", Rpc::kCloseCase,
       ByNameWithKeys<v1::CloseCaseRequest>("cases", "case NAME", CloseKeys),
       Show(&CaseStub::CloseCase)},
      {"action", "add", Rpc::kAddAction, AddAction, Show(&CaseStub::AddAction)},
      {"action", "list", Rpc::kListActions, ListActions,
       List(&CaseStub::ListActions, Rows(ActionsTable)), kPages},
      // enlace.directory.v1.DirectoryService
      {"org", "create", Rpc::kCreateOrganisation, CreateOrganisation,
       Show(&DirectoryStub::CreateOrganisation, kNoDirectory)},
      {"org", "get", Rpc::kGetOrganisation,
       ByName<dv1::GetOrganisationRequest>("organisations", "organisation NAME"),
       Show(&DirectoryStub::GetOrganisation, kNoDirectory)},
      {"org", "update", Rpc::kUpdateOrganisation, UpdateOrganisation, RunUpdateOrganisation},
      {"org", "delete", Rpc::kDeleteOrganisation, DeleteOrganisation,
       Show(&DirectoryStub::DeleteOrganisation, kNoDirectory,
            [](const dv1::DeleteOrganisationRequest& req, const dv1::DeleteOrganisationResponse&) {
              return absl::StrCat("deleted ", req.name(), "\n");
            })},
      {"org", "list", Rpc::kListOrganisations, ListOrganisations,
       List(&DirectoryStub::ListOrganisations, Rows(OrganisationsTable), kNoDirectory), kPages},
      // enlace.federation.v1.FederationAdminService
      {"federation", "status", Rpc::kGetFederationStatus, GetFederationStatus,
       Show(&FederationStub::GetFederationStatus, kNoFederation,
            [](const auto&, const fv1::FederationStatus& status) {
              return FederationStatusText(status);
            })},
      {"federation", "quarantine", Rpc::kListQuarantine, ListQuarantine,
       Show(&FederationStub::ListQuarantine, kNoFederation,
            [](const auto&, const fv1::ListQuarantineResponse& list) {
              return QuarantineTable(list);
            })},
      {"federation", "resume", Rpc::kResumeLink, ResumeLink,
       Show(&FederationStub::ResumeLink, kNoFederation,
            [](const fv1::ResumeLinkRequest& req, const fv1::ResumeLinkResponse& resumed) {
              return resumed.resumed()
                         ? absl::StrCat("link to ", req.country(), " resumed\n")
                         : absl::StrCat("link to ", req.country(), " was not halted\n");
            })},
      // enlace.audit.v1.AuditService
      {"audit", "list", Rpc::kListAuditRecords, ListAuditRecords,
       List(&AuditStub::ListAuditRecords, Rows(AuditRecordsTable), kNoAudit), kPages},
      {"audit", "verify", Rpc::kVerifyAuditLog, VerifyAuditLog, RunVerifyAuditLog,
       /*pages=*/false, /*verb_alias=*/"", /*value_options=*/true},
      // enlace.notifications.v1.NotificationService
      {"notification", "send", Rpc::kSendNotification, SendNotification,
       Show(&NotificationStub::SendNotification, kNoNotifications)},
      {"notification", "get", Rpc::kGetNotification,
       ByName<nv1::GetNotificationRequest>("notifications", "notification NAME"),
       Show(&NotificationStub::GetNotification, kNoNotifications)},
      {"notification", "list", Rpc::kListNotifications,
       ByDirection<nv1::ListNotificationsRequest>(),
       List(&NotificationStub::ListNotifications,
            Directed(NotificationsTable, nv1::DIRECTION_INCOMING), kNoNotifications),
       kPages},
      {"notification", "ack", Rpc::kAcknowledgeNotification,
       ByName<nv1::AcknowledgeNotificationRequest>("notifications", "notification NAME"),
       Show(&NotificationStub::AcknowledgeNotification, kNoNotifications),
       /*pages=*/false, /*verb_alias=*/"acknowledge"},
      // enlace.referrals.v1.ReferralService
      {"referral", "create", Rpc::kCreateReferral, CreateReferral,
       Show(&ReferralStub::CreateReferral, kNoReferrals)},
      {"referral", "get", Rpc::kGetReferral,
       ByName<rv1::GetReferralRequest>("referrals", "referral NAME"),
       Show(&ReferralStub::GetReferral, kNoReferrals)},
      {"referral", "list", Rpc::kListReferrals, ByDirection<rv1::ListReferralsRequest>(),
       List(&ReferralStub::ListReferrals, Directed(ReferralsTable, rv1::DIRECTION_INCOMING),
            kNoReferrals),
       kPages},
      {"referral", "accept", Rpc::kAcceptReferral,
       ByName<rv1::AcceptReferralRequest>("referrals", "referral NAME"),
       Show(&ReferralStub::AcceptReferral, kNoReferrals)},
      {"referral", "reject", Rpc::kRejectReferral, RejectReferral,
       Show(&ReferralStub::RejectReferral, kNoReferrals)},
      {"referral", "start", Rpc::kStartReferral,
       ByName<rv1::StartReferralRequest>("referrals", "referral NAME"),
       Show(&ReferralStub::StartReferral, kNoReferrals)},
      {"referral", "complete", Rpc::kCompleteReferral, CompleteReferral,
       Show(&ReferralStub::CompleteReferral, kNoReferrals)},
      {"referral", "revoke", Rpc::kRevokeReferral,
       ByName<rv1::RevokeReferralRequest>("referrals", "referral NAME"),
       Show(&ReferralStub::RevokeReferral, kNoReferrals)},
      // enlace.transfers.v1.TransferService
      {"transfer", "create", Rpc::kTransferCase, TransferCase,
       Show(&TransferStub::TransferCase, kNoTransfers)},
      {"transfer", "get", Rpc::kGetTransfer,
       ByName<tv1::GetTransferRequest>("transfers", "transfer NAME"),
       Show(&TransferStub::GetTransfer, kNoTransfers)},
      {"transfer", "list", Rpc::kListTransfers, ByDirection<tv1::ListTransfersRequest>(),
       List(&TransferStub::ListTransfers, Directed(TransfersTable, tv1::DIRECTION_INCOMING),
            kNoTransfers),
       kPages},
      {"transfer", "accept", Rpc::kAcceptTransfer,
       ByName<tv1::AcceptTransferRequest>("transfers", "transfer NAME"),
       Show(&TransferStub::AcceptTransfer, kNoTransfers)},
      {"transfer", "decline", Rpc::kDeclineTransfer, DeclineTransfer,
       Show(&TransferStub::DeclineTransfer, kNoTransfers)},
      // What waits for a post: incoming notifications, referrals and transfers.
      {"inbox", "", Rpc::kInbox, Inbox, RunInbox, kPages},
      // enlace.crisis.v1.CrisisService
      {"crisis", "declare", Rpc::kDeclareCrisis, DeclareCrisis,
       Show(&CrisisStub::DeclareCrisis, kNoCrisis)},
      {"crisis", "phase", Rpc::kChangeCrisisPhase, ChangeCrisisPhase, RunChangeCrisisPhase},
      {"crisis", "list", Rpc::kListCrises, ListCrises,
       Show(&CrisisStub::ListCrises, kNoCrisis, TextOf(CrisesTable))},
      {"crisis", "show", Rpc::kGetCrisis, ByName<cv1::GetCrisisRequest>("crises", "crisis NAME"),
       Show(&CrisisStub::GetCrisis, kNoCrisis), /*pages=*/false, /*verb_alias=*/"get"},
      {"crisis", "register", Rpc::kCreateRegistration, CreateRegistration,
       Show(&CrisisStub::CreateRegistration, kNoCrisis)},
      {"crisis", "import", Rpc::kImportRegistrations, ImportRegistrations, RunImportRegistrations,
       /*pages=*/false, /*verb_alias=*/"", /*value_options=*/false, /*restart=*/true},
      {"crisis", "note", Rpc::kRecordWelfareNote, RecordWelfareNote,
       Show(&CrisisStub::RecordWelfareNote, kNoCrisis)},
      {"crisis", "notes", Rpc::kListWelfareNotes, ListWelfareNotes,
       Show(&CrisisStub::ListWelfareNotes, kNoCrisis, TextOf(WelfareNotesTable))},
      {"crisis", "worklist", Rpc::kListWorklist, ListWorklist,
       List(&CrisisStub::ListWorklist, Rows(WorklistTable), kNoCrisis), kPages},
      {"crisis", "board", Rpc::kGetBoard, ByCrisis<cv1::GetBoardRequest>(),
       Show(&CrisisStub::GetBoard, kNoCrisis, TextOf(BoardText))},
      {"crisis", "merge", Rpc::kMergeSubjects, MergeSubjects,
       Show(&CrisisStub::MergeSubjects, kNoCrisis)},
      {"crisis", "sighting", Rpc::kSendSighting, SendSighting,
       Show(&CrisisStub::SendSighting, kNoCrisis,
            [](const cv1::SendSightingRequest&, const cv1::SendSightingResponse& sent) {
              return absl::StrCat("sighting sent to ", sent.sent_to(), "\n");
            })},
      {"crisis", "picture", Rpc::kGetRegionalPicture, ByCrisis<cv1::GetRegionalPictureRequest>(),
       Show(&CrisisStub::GetRegionalPicture, kNoCrisis, TextOf(RegionalPictureTable))},
      {"crisis", "movement", Rpc::kPublishMovement, PublishMovement,
       Show(&CrisisStub::PublishMovement, kNoCrisis)},
      {"crisis", "movements", Rpc::kListMovements, ListMovements,
       Show(&CrisisStub::ListMovements, kNoCrisis, TextOf(MovementsTable))},
      {"crisis", "assist", Rpc::kRequestAssistance, RequestAssistance,
       Show(&CrisisStub::RequestAssistance, kNoCrisis)},
      {"crisis", "answer", Rpc::kRespondToAssistance, RespondToAssistance,
       Show(&CrisisStub::RespondToAssistance, kNoCrisis)},
      {"crisis", "assistance", Rpc::kListAssistance, ListAssistance,
       List(&CrisisStub::ListAssistance, Rows(AssistanceTable), kNoCrisis), kPages,
       /*verb_alias=*/"", /*value_options=*/false, /*restart=*/false, /*incoming=*/true},
  };
}

}  // namespace

const std::vector<const Domain*>& Domains() {
  static const auto* domains = new std::vector<const Domain*>{
      &ChildrenDomain(),
      &WorkersDomain(),
      &StatsDomain(),
      &BackupDomain(),
  };
  return *domains;
}

const std::vector<CommandSpec>& Commands() {
  static const auto* commands = [] {
    auto* all = new std::vector<CommandSpec>(CoreCommands());
    for (const Domain* d : Domains()) {
      all->insert(all->end(), d->commands.begin(), d->commands.end());
    }
    return all;
  }();
  return *commands;
}

const CommandSpec* FindCommand(absl::string_view noun, absl::string_view verb) {
  for (const CommandSpec& c : Commands()) {
    if (c.noun == noun && (c.verb == verb || (!c.verb_alias.empty() && c.verb_alias == verb))) {
      return &c;
    }
  }
  return nullptr;
}

const CommandSpec* FindCommand(Rpc rpc) {
  for (const CommandSpec& c : Commands()) {
    if (c.rpc == rpc) return &c;
  }
  return nullptr;
}

bool IsNoun(absl::string_view noun) {
  return std::any_of(Commands().begin(), Commands().end(),
                     [&](const CommandSpec& c) { return c.noun == noun; });
}

absl::string_view CanonicalNoun(absl::string_view word) {
  // Plural resource names read the same ("cases list").
  static const auto* aliases = new std::vector<std::pair<absl::string_view, absl::string_view>>{
      {"persons", "person"},     {"cases", "case"},         {"actions", "action"},
      {"orgs", "org"},           {"organisation", "org"},   {"organisations", "org"},
      {"organization", "org"},   {"organizations", "org"},  {"notifications", "notification"},
      {"referrals", "referral"}, {"transfers", "transfer"}, {"crises", "crisis"},
  };
  for (const auto& [alias, noun] : *aliases) {
    if (word == alias) return noun;
  }
  for (const Domain* d : Domains()) {
    for (const auto& [alias, noun] : d->noun_aliases) {
      if (word == alias) return noun;
    }
  }
  return word;
}

const std::string& CommandList() {
  static const std::string* list = [] {
    auto* out = new std::string;
    absl::string_view noun;
    for (const CommandSpec& c : Commands()) {
      if (c.noun == noun) {
        absl::StrAppend(out, "|", c.verb);
        continue;
      }
      noun = c.noun;
      absl::StrAppend(out, out->empty() ? "" : ", ", c.noun, c.verb.empty() ? "" : " ", c.verb);
    }
    absl::StrAppend(out, ", help");
    return out;
  }();
  return *list;
}

}  // namespace enlace::cli
