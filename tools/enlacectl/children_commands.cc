// The `child` commands: enlace.children.v1.ChildProtectionService, one entry per RPC (see
// domains.h). A record is `countries/{cc}/childRecords/{id}`; a bare id expands with --country.
//
//   child create CASE accompaniment=.. age_basis=.. [concerns=..] [care=..] ...   Create
//   child show NAME                                                                Get
//   child update NAME field=value...           Get (the whole record), then Update
//   child advance NAME STATE                   Get (etag), then Advance
//   child assess NAME risk=.. recommendation=..                    Get, AddAssessment
//   child determination NAME situation=.. decision=.. reasoning=..  Get, RequestDetermination
//   child decide NAME approve|reject [note=..]                      Get, DecideDetermination
//   child trace NAME relation=.. name=.. [last_place=..]            Get, AddTracingEntry
//   child trace-update NAME ID STATUS                               Get, UpdateTracingEntry
//   child grant|revoke IDENTITY reason=..                           SetChildProtectionGrant
//   child plan NAME to=CC authority=ORG point=.. [escort=..] at=TIME Get, SetReturnPlan
//   handover show NAME                                              GetHandover
//   handover list [--incoming] [post=..] [--all]                    ListHandovers
//   handover accept NAME [post=..] [note=..]                        RespondToHandover ACCEPTED
//   handover decline NAME note=..                                   RespondToHandover DECLINED
//   handover received NAME [note=..]                                RespondToHandover RECEIVED
//
// A handover is a resource of its own, `countries/{sending cc}/handovers/{id}`: the receiving
// member holds it without any child record, so its commands have their own noun (a bare id
// expands with --country, i.e. to a handover this node sent; a received one is named as listed).
//
// Every command that changes a record takes etag=ETAG; without it the record is read first
// and its etag sent, so a change made meanwhile by someone else is refused (ABORTED) rather
// than overwritten. Records print as `field: value` lines with only what the node returned: an
// officer without the child-protection grant gets name, case, post, state and times.

#include "tools/enlacectl/children_commands.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "enlace/children/v1/children.grpc.pb.h"
#include "tools/enlacectl/args.h"
#include "tools/enlacectl/domains.h"
#include "tools/enlacectl/format.h"
#include "tools/enlacectl/runners.h"

namespace enlace::cli {
namespace {

namespace chv1 = ::enlace::children::v1;

using google::protobuf::Message;
using Request = std::unique_ptr<Message>;
using ChildStub = chv1::ChildProtectionService::Stub;

constexpr char kNoChildren[] =
    "this node does not serve enlace.children.v1.ChildProtectionService: is it an Enlace node, "
    "and recent enough?";

// ---------------------------------------------------------------- keys

// The facts of a record: what `child create` sets and `child update` changes (care is read
// apart: CareArrangements).
const std::vector<Key>& FactKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"accompaniment"}, "accompaniment"},
      {{"age_basis"}, "age_basis"},
      {{"concerns", "concern"}, "concerns"},
      {{"representative", "legal_representative"}, "legal_representative"},
      {{"heard"}, "views_heard.time"},
      {{"heard_language"}, "views_heard.language"},
      {{"tracing_consent"}, "tracing_consent"},
      {{"assent"}, "assent"},
      {{"override_reason"}, "override_reason"},
  };
  return *keys;
}

const std::vector<Key>& AssessmentKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"risk"}, "assessment.risk"},
      {{"recommendation"}, "assessment.recommendation"},
      {{"at"}, "assessment.time"},
      {{"etag"}, "etag"},
  };
  return *keys;
}

const std::vector<Key>& DeterminationKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"situation"}, "determination.situation"},
      {{"decision"}, "determination.decision"},
      {{"reasoning"}, "determination.reasoning"},
      {{"etag"}, "etag"},
  };
  return *keys;
}

const std::vector<Key>& TracingKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"relation"}, "entry.relation"},
      {{"name", "relative"}, "entry.name"},
      {{"last_place"}, "entry.last_place"},
      {{"etag"}, "etag"},
  };
  return *keys;
}

// The return plan: the authority is read apart (a bare id is an organisation of the receiving
// member's directory).
const std::vector<Key>& PlanKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"to", "receiving_country"}, "plan.receiving_country", kCountryCode},
      {{"point", "reception_point"}, "plan.reception_point"},
      {{"escort"}, "plan.escort"},
      {{"at", "handover_time"}, "plan.handover_time"},
      {{"etag"}, "etag"},
  };
  return *keys;
}

const std::vector<Key>& ListHandoverKeys() {
  static const auto* keys = new std::vector<Key>{
      {{"post"}, "post", kCountryCode},
      {{"page_size"}, "page_size"},
      {{"page_token"}, "page_token"},
  };
  return *keys;
}

// ---------------------------------------------------------------- builders

std::string RecordName(const std::string& word, const ParseContext& context) {
  return word.empty() ? "" : ExpandName(word, context.country, "childRecords");
}

// One care=TYPE[:AUTHORITY[:START_DATE[:CAREGIVER]]] per arrangement (the caregiver last, as it
// may hold colons and commas): care="shelter:DIF Chiapas:2026-11-20:Albergue Belén". Empty (in
// an update): no arrangement. True when the key was given.
bool CareArrangements(BuildInput& in, chv1::ChildRecord* r) {
  const std::vector<std::string> values = in.args.Take({"care"});
  for (const std::string& v : values) {
    if (v.empty()) continue;
    std::vector<std::string> parts = absl::StrSplit(v, absl::MaxSplits(':', 3));
    for (auto& p : parts) p = std::string(absl::StripAsciiWhitespace(p));
    auto type = ParseEnumValue(chv1::CareType_descriptor(), parts[0], "care");
    if (!type.ok()) {
      in.args.Error(absl::StrCat(type.status().message(),
                                 " (care=TYPE[:AUTHORITY[:START_DATE[:CAREGIVER]]])"));
      continue;
    }
    chv1::CareArrangement* c = r->add_care();
    c->set_type(static_cast<chv1::CareType>(*type));
    if (parts.size() > 1) c->set_authority(parts[1]);
    if (parts.size() > 2) c->set_start_date(parts[2]);
    if (parts.size() > 3) c->set_caregiver(parts[3]);
  }
  return !values.empty();
}

// The facts given, into `r`; the top-level fields given into `fields`.
void ApplyFacts(BuildInput& in, chv1::ChildRecord* r, std::vector<std::string>* fields) {
  ApplyKeys(in.args, FactKeys(), r, in.context, fields);
  if (CareArrangements(in, r) && fields != nullptr) fields->push_back("care");
  if (r->has_views_heard()) {
    // heard_language= alone: heard now. Both empty (an update): the views were not heard.
    if (!r->views_heard().has_time() && !r->views_heard().language().empty()) {
      *r->mutable_views_heard()->mutable_time() = ToTimestamp(in.context.now);
    }
    if (!r->views_heard().has_time() && r->views_heard().language().empty()) {
      r->clear_views_heard();
    }
  }
  if (in.args.ok() && r->assent() == chv1::ASSENT_OVERRIDDEN && r->override_reason().empty()) {
    in.args.Error(
        "assent=overridden needs override_reason=\"..\" (why, in the child's best "
        "interests)");
  }
}

Request CreateChildRecord(BuildInput& in) {
  auto req = std::make_unique<chv1::CreateChildRecordRequest>();
  const std::string kase = in.Name("CASE (the child's case)");
  if (!kase.empty())
    req->mutable_record()->set_case_(ExpandName(kase, in.context.country, "cases"));
  ApplyFacts(in, req->mutable_record(), nullptr);
  if (auto id = in.args.TakeOne({"request_id"})) req->set_request_id(*id);
  if (in.args.ok()) {
    if (req->record().accompaniment() == 0) {
      in.args.Error(
          "`child create` needs accompaniment=unaccompanied|separated|with_parent|"
          "with_unverified_adult");
    }
    if (req->record().age_basis() == 0) {
      in.args.Error("`child create` needs age_basis=document|declared|assessed");
    }
  }
  return req;
}

// `child update NAME field=value...`: the runner reads the record and changes these fields.
Request UpdateChildRecord(BuildInput& in) {
  auto req = std::make_unique<chv1::UpdateChildRecordRequest>();
  req->mutable_record()->set_name(RecordName(in.Name("record NAME"), in.context));
  if (auto etag = in.args.TakeOne({"etag"})) req->mutable_record()->set_etag(*etag);
  ApplyFacts(in, req->mutable_record(), &in.command.fields_given);
  if (in.command.fields_given.empty() && in.args.ok()) {
    in.args.Error("`child update` needs at least one field=value to change");
  }
  return req;
}

// `child advance NAME STATE`.
Request AdvanceChildRecord(BuildInput& in) {
  auto req = std::make_unique<chv1::AdvanceChildRecordRequest>();
  const std::vector<std::string> names = in.Names({"NAME", "STATE"});
  req->set_name(RecordName(names[0], in.context));
  if (!names[1].empty()) {
    auto to = ParseEnumValue(chv1::WorkflowState_descriptor(), names[1], "state");
    if (!to.ok()) {
      in.args.Error(std::string(to.status().message()));
    } else if (*to == chv1::WORKFLOW_STATE_DETERMINATION_PENDING ||
               *to == chv1::WORKFLOW_STATE_DETERMINATION_APPROVED) {
      in.args.Error(
          "state: a determination is requested with `child determination` and decided with "
          "`child decide`");
    } else {
      req->set_to(static_cast<chv1::WorkflowState>(*to));
    }
  }
  if (auto etag = in.args.TakeOne({"etag"})) req->set_etag(*etag);
  return req;
}

Request AddAssessment(BuildInput& in) {
  auto req = std::make_unique<chv1::AddAssessmentRequest>();
  req->set_name(RecordName(in.Name("record NAME"), in.context));
  ApplyKeys(in.args, AssessmentKeys(), req.get(), in.context, nullptr);
  if (!req->assessment().has_time()) {
    *req->mutable_assessment()->mutable_time() = ToTimestamp(in.context.now);
  }
  if (in.args.ok()) {
    if (req->assessment().risk() == 0) in.args.Error("`child assess` needs risk=low|medium|high");
    if (req->assessment().recommendation().empty()) {
      in.args.Error("`child assess` needs recommendation=\"..\"");
    }
  }
  return req;
}

Request RequestDetermination(BuildInput& in) {
  auto req = std::make_unique<chv1::RequestDeterminationRequest>();
  req->set_name(RecordName(in.Name("record NAME"), in.context));
  ApplyKeys(in.args, DeterminationKeys(), req.get(), in.context, nullptr);
  if (in.args.ok()) {
    const auto& d = req->determination();
    if (d.situation() == 0) {
      in.args.Error(
          "`child determination` needs situation=durable_solution|temporary_care_separation|"
          "separation_against_wishes");
    }
    if (d.decision() == 0) {
      in.args.Error(
          "`child determination` needs decision=return_and_reunify_in_origin|"
          "reunify_in_host_or_third_country|local_care|other");
    }
    if (d.reasoning().empty()) {
      in.args.Error("`child determination` needs reasoning=\"..\" (the panel and its reasons)");
    }
  }
  return req;
}

// `child decide NAME approve|reject [note=..]`.
Request DecideDetermination(BuildInput& in) {
  auto req = std::make_unique<chv1::DecideDeterminationRequest>();
  const std::vector<std::string> names = in.Names({"NAME", "approve|reject"});
  req->set_name(RecordName(names[0], in.context));
  const std::string word = absl::AsciiStrToLower(names[1]);
  if (word == "approve" || word == "approved") {
    req->set_approve(true);
  } else if (word == "reject" || word == "rejected") {
    req->set_approve(false);
  } else if (!word.empty()) {
    in.args.Error(absl::StrCat("decision: \"", names[1], "\" is not approve or reject"));
  }
  if (auto note = in.args.TakeOne({"note", "reason"})) req->set_note(*note);
  if (auto etag = in.args.TakeOne({"etag"})) req->set_etag(*etag);
  return req;
}

Request AddTracingEntry(BuildInput& in) {
  auto req = std::make_unique<chv1::AddTracingEntryRequest>();
  req->set_name(RecordName(in.Name("record NAME"), in.context));
  ApplyKeys(in.args, TracingKeys(), req.get(), in.context, nullptr);
  if (in.args.ok() && req->entry().relation().empty()) {
    in.args.Error("`child trace` needs relation=\"..\" (mother, uncle, ...)");
  }
  return req;
}

// `child trace-update NAME ID STATUS`.
Request UpdateTracingEntry(BuildInput& in) {
  auto req = std::make_unique<chv1::UpdateTracingEntryRequest>();
  const std::vector<std::string> names = in.Names({"NAME", "ID", "STATUS"});
  req->set_name(RecordName(names[0], in.context));
  if (!names[1].empty()) {
    int id = 0;
    if (!absl::SimpleAtoi(names[1], &id) || id <= 0) {
      in.args.Error(
          absl::StrCat("ID: \"", names[1], "\" is not a tracing entry's number (1, 2, ..)"));
    } else {
      req->set_id(id);
    }
  }
  if (!names[2].empty()) {
    auto status = ParseEnumValue(chv1::TracingStatus_descriptor(), names[2], "status");
    if (status.ok()) {
      req->set_status(static_cast<chv1::TracingStatus>(*status));
    } else {
      in.args.Error(std::string(status.status().message()));
    }
  }
  if (auto etag = in.args.TakeOne({"etag"})) req->set_etag(*etag);
  return req;
}

// `child grant|revoke IDENTITY reason=".."`.
Builder SetGrant(bool granted) {
  return [granted](BuildInput& in) -> Request {
    auto req = std::make_unique<chv1::SetChildProtectionGrantRequest>();
    req->set_identity(in.Name("IDENTITY (the officer's certificate URI)"));
    req->set_granted(granted);
    if (auto reason = in.args.TakeOne({"reason"})) req->set_reason(*reason);
    if (in.args.ok()) {
      if (!absl::StartsWith(req->identity(), "spiffe://")) {
        in.args.Error(
            absl::StrCat("IDENTITY: \"", req->identity(),
                         "\" is not a certificate identity (e.g. "
                         "spiffe://mx.enlace.example/role/officer/post/MX-TAP/user/ana)"));
      }
      if (req->reason().empty()) {
        in.args.Error(absl::StrCat("`", in.name, "` needs reason=\"..\": the grant is audited"));
      }
    }
    return req;
  };
}

// `child plan NAME to=CC authority=ORG point=".." [escort=".."] at=TIME`: the return plan on an
// approved determination; ORG a bare id is `countries/{to}/organisations/{id}`.
Request SetReturnPlan(BuildInput& in) {
  auto req = std::make_unique<chv1::SetReturnPlanRequest>();
  req->set_name(RecordName(in.Name("record NAME"), in.context));
  ApplyKeys(in.args, PlanKeys(), req.get(), in.context, nullptr);
  chv1::ReturnPlan* plan = req->mutable_plan();
  const std::optional<std::string> authority = in.args.TakeOne({"authority"});
  if (in.args.ok()) {
    if (plan->receiving_country().empty()) {
      in.args.Error("`child plan` needs to=CC (the member that receives the child)");
    } else if (!IsCountryCode(plan->receiving_country())) {
      in.args.Error(absl::StrCat("to: \"", plan->receiving_country(),
                                 "\" is not an ISO 3166-1 alpha-2 code"));
    }
    if (!authority.has_value() || authority->empty()) {
      in.args.Error(
          "`child plan` needs authority=ORG (the receiving member's child-protection authority "
          "in the directory: an id or countries/{to}/organisations/{id})");
    } else if (!plan->receiving_country().empty()) {
      plan->set_authority(ExpandName(*authority, plan->receiving_country(), "organisations"));
      if (!absl::StartsWith(plan->authority(),
                            absl::StrCat("countries/", plan->receiving_country(),
                                         "/organisations/"))) {
        in.args.Error(absl::StrCat("authority: \"", plan->authority(),
                                   "\" is not an organisation of the receiving member (countries/",
                                   plan->receiving_country(), "/organisations/{id})"));
      }
    }
    if (plan->reception_point().empty()) {
      in.args.Error("`child plan` needs point=\"..\" (where the child is received)");
    }
    if (!plan->has_handover_time()) {
      in.args.Error("`child plan` needs at=TIME (the handover's time, RFC 3339)");
    }
  }
  return req;
}

std::string HandoverName(const std::string& word, const ParseContext& context) {
  return word.empty() ? "" : ExpandName(word, context.country, "handovers");
}

// `handover list [--incoming] [post=..]`: what this node sent, or (--incoming) is to receive.
Request ListHandovers(BuildInput& in) {
  in.NoName();
  auto req = std::make_unique<chv1::ListHandoversRequest>();
  req->set_incoming(in.words.incoming);
  ApplyKeys(in.args, ListHandoverKeys(), req.get(), in.context, nullptr);
  return req;
}

// `handover accept|decline|received NAME ...`: the receiving member's answer.
Builder RespondToHandover(chv1::HandoverState state) {
  return [state](BuildInput& in) -> Request {
    auto req = std::make_unique<chv1::RespondToHandoverRequest>();
    req->set_name(HandoverName(in.Name("handover NAME"), in.context));
    req->set_state(state);
    if (state == chv1::HANDOVER_STATE_ACCEPTED) {
      if (auto post = in.args.TakeOne({"post", "to_post"})) req->set_post(Upper(*post));
    }
    if (auto note = in.args.TakeOne({"note"})) req->set_note(*note);
    if (in.args.ok() && state == chv1::HANDOVER_STATE_DECLINED && req->note().empty()) {
      in.args.Error("`handover decline` needs note=\"..\" (why the child cannot be received)");
    }
    return req;
  };
}

// ---------------------------------------------------------------- runners

absl::StatusOr<chv1::ChildRecord> GetRecord(Session& s, const std::string& name) {
  chv1::GetChildRecordRequest get;
  get.set_name(name);
  return Call(s, &ChildStub::GetChildRecord, get, kNoChildren);
}

// A record as the node returned it: `field: value` lines of what it holds; when the content is
// withheld from the caller, only name, case, post, state and times (and a note on stderr).
int PrintRecord(Session& s, const absl::StatusOr<chv1::ChildRecord>& record) {
  if (!record.ok()) return s.printer.Error(record.status());
  if (s.printer.json()) return s.printer.Json(*record);
  s.printer.Text(ChildRecordText(*record));
  if (record->content_withheld()) {
    s.printer.Note(
        "the record's content is withheld: a supervisor's child-protection grant is needed to "
        "see it (`child grant`)\n");
  }
  return 0;
}

// A change of one record: its etag read first unless given.
template <typename Req>
Runner Change(Method<ChildStub, Req, chv1::ChildRecord> method) {
  return [method](const Command& command, Session& s) {
    Req req = command.As<Req>();
    if (req.etag().empty()) {
      auto current = GetRecord(s, req.name());
      if (!current.ok()) return s.printer.Error(current.status());
      req.set_etag(current->etag());
    }
    return PrintRecord(s, Call(s, method, req, kNoChildren));
  };
}

// `child update`: the node replaces every fact, so start from the stored record and change
// only the fields given. Refused here when the caller does not see the content (it would send
// empty facts for the ones it cannot see).
int RunUpdateChildRecord(const Command& command, Session& s) {
  chv1::UpdateChildRecordRequest req = command.As<chv1::UpdateChildRecordRequest>();
  auto current = GetRecord(s, req.record().name());
  if (!current.ok()) return s.printer.Error(current.status());
  if (current->content_withheld()) {
    return s.printer.Error(absl::PermissionDeniedError(absl::StrCat(
        "the content of ", req.record().name(),
        " is withheld from you (a child-protection grant is required); nothing was sent")));
  }
  chv1::ChildRecord merged = *current;
  const auto* reflection = merged.GetReflection();
  for (const std::string& path : command.fields_given) {
    const auto* field = chv1::ChildRecord::descriptor()->FindFieldByName(path);
    if (field == nullptr) continue;
    reflection->ClearField(&merged, field);
    if (field->is_repeated()) {
      for (int i = 0; i < reflection->FieldSize(req.record(), field); ++i) {
        if (field->cpp_type() == google::protobuf::FieldDescriptor::CPPTYPE_ENUM) {
          reflection->AddEnumValue(&merged, field,
                                   reflection->GetRepeatedEnumValue(req.record(), field, i));
        } else {
          reflection->AddMessage(&merged, field)
              ->CopyFrom(reflection->GetRepeatedMessage(req.record(), field, i));
        }
      }
    } else if (field->cpp_type() != google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE ||
               reflection->HasField(req.record(), field)) {
      // Scalars always (a cleared value is a value); a message only when it is set.
      const auto* one = field;
      switch (one->cpp_type()) {
        case google::protobuf::FieldDescriptor::CPPTYPE_STRING:
          reflection->SetString(&merged, one, reflection->GetString(req.record(), one));
          break;
        case google::protobuf::FieldDescriptor::CPPTYPE_ENUM:
          reflection->SetEnumValue(&merged, one, reflection->GetEnumValue(req.record(), one));
          break;
        case google::protobuf::FieldDescriptor::CPPTYPE_BOOL:
          reflection->SetBool(&merged, one, reflection->GetBool(req.record(), one));
          break;
        case google::protobuf::FieldDescriptor::CPPTYPE_MESSAGE:
          reflection->MutableMessage(&merged, one)
              ->CopyFrom(reflection->GetMessage(req.record(), one));
          break;
        default:
          break;
      }
    }
  }
  if (!req.record().etag().empty()) merged.set_etag(req.record().etag());
  *req.mutable_record() = std::move(merged);
  return PrintRecord(s, Call(s, &ChildStub::UpdateChildRecord, req, kNoChildren));
}

int RunGetChildRecord(const Command& command, Session& s) {
  return PrintRecord(s, Call(s, &ChildStub::GetChildRecord,
                             command.As<chv1::GetChildRecordRequest>(), kNoChildren));
}

int RunCreateChildRecord(const Command& command, Session& s) {
  return PrintRecord(s, Call(s, &ChildStub::CreateChildRecord,
                             command.As<chv1::CreateChildRecordRequest>(), kNoChildren));
}

std::string GrantText(const chv1::SetChildProtectionGrantRequest&,
                      const chv1::ChildProtectionGrant& g) {
  return absl::StrCat(g.granted() ? "granted " : "revoked ", g.identity(),
                      g.granted() ? " the child-protection grant" : "'s child-protection grant",
                      g.granted_by().empty() ? "" : absl::StrCat(" (by ", g.granted_by()),
                      g.granted_by().empty() ? "" : ")", "\n");
}

// ---------------------------------------------------------------- help

constexpr char kHelp[] =
    R"(Child protection (a record on the case of a person under 18; its content only for supervisors
and officers of the case's post holding a child-protection grant, others see that it exists
and its state; every change reads the etag first unless etag=ETAG is given):
  child create     CASE accompaniment=unaccompanied age_basis=declared
                   [concerns=without_documents,psychosocial_distress]
                   [care=TYPE[:AUTHORITY[:START_DATE[:CAREGIVER]]], one care= per arrangement]
                   [representative=".."] [heard_language=mam [heard=RFC3339, default now]]
                   [tracing_consent=yes] [assent=given|refused|overridden [override_reason=..]]
                   [request_id=ID]   one record per case; the case's person must be under 18
  child show       NAME
  child update     NAME field=value...   the same keys as create; reads the record and
                   changes only the fields given (care= or concerns= empty: none)
  child advance    NAME STATE   one step: new -> assessed -> case_plan -> services ->
                   return_planned -> handed_over -> follow_up -> closed; case_plan -> services
                   without a determination; services -> closed; closed -> reopened -> assessed
  child assess     NAME risk=high recommendation=".." [at=RFC3339, default now]
  child determination  NAME situation=durable_solution decision=return_and_reunify_in_origin
                   reasoning=".."   from case_plan; pending until a supervisor decides
  child decide     NAME approve|reject [note=".."]   supervisors, never the requester
  child trace      NAME relation=abuela [name=".."] [last_place=".."]   family tracing (needs
                   tracing_consent); the entry is numbered 1, 2, ...
  child trace-update  NAME ID match_proposed|verified|reunified|closed|open
  child grant      IDENTITY reason=".."   supervisors: the officer (certificate URI, e.g.
                   spiffe://mx.enlace.example/role/officer/post/MX-TAP/user/ana) sees and writes
                   the content of its post's records (audited)
  child revoke     IDENTITY reason=".."   takes the grant back
  child plan       NAME to=GT authority=ORG point=".." [escort=".."] at=RFC3339
                   the return plan, on an approved return determination in services (ORG: an
                   id or countries/GT/organisations/ID of the receiving member's directory,
                   offering child_protection); moves the record to return_planned and sends
                   the receiving member a handover; handed_over once it says received
Handovers (countries/{sending cc}/handovers/ID; the receiving member answers; personal fields
only in `handover show`):
  handover show    NAME
  handover list    [--incoming] [post=GT-TAP] [--all]   sent by this node, or to be received
  handover accept  NAME [post=GT-TAP] [note=".."]   a supervisor names the receiving post
  handover decline NAME note=".."   why; the sender may then take its record back to services
  handover received NAME [note=".."]   after accept: the child was received
)";

}  // namespace

std::string ChildRecordText(const chv1::ChildRecord& record) {
  if (!record.content_withheld()) return FormatFields(record);
  chv1::ChildRecord seen;
  seen.set_name(record.name());
  seen.set_case_(record.case_());
  seen.set_post(record.post());
  seen.set_state(record.state());
  if (record.has_create_time()) *seen.mutable_create_time() = record.create_time();
  if (record.has_update_time()) *seen.mutable_update_time() = record.update_time();
  seen.set_content_withheld(true);
  // Booleans always print; tracing_consent was not returned, so it says nothing here.
  std::string out;
  for (absl::string_view line : absl::StrSplit(FormatFields(seen), '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "tracing_consent:")) continue;
    absl::StrAppend(&out, line, "\n");
  }
  return out;
}

std::string HandoversTable(const chv1::ListHandoversResponse& response) {
  std::vector<std::vector<std::string>> rows;
  for (const chv1::Handover& h : response.handovers()) {
    rows.push_back({h.name(), EnumValueName(chv1::HandoverState_descriptor(), h.state()),
                    !h.from_post().empty() ? h.from_post() : h.from_country(), h.to_country(),
                    h.to_post(), h.authority(),
                    h.has_handover_time() ? FormatTime(h.handover_time()) : ""});
  }
  return FormatTable({"NAME", "STATE", "FROM", "TO", "TO_POST", "AUTHORITY", "HANDOVER_TIME"},
                     rows);
}

const Domain& ChildrenDomain() {
  static const auto* domain = new Domain{
      {
          {"child", "create", Rpc::kCreateChildRecord, CreateChildRecord, RunCreateChildRecord},
          {"child", "show", Rpc::kGetChildRecord,
           ByName<chv1::GetChildRecordRequest>("childRecords", "record NAME"), RunGetChildRecord,
           /*pages=*/false, /*verb_alias=*/"get"},
          {"child", "update", Rpc::kUpdateChildRecord, UpdateChildRecord, RunUpdateChildRecord},
          {"child", "advance", Rpc::kAdvanceChildRecord, AdvanceChildRecord,
           Change(&ChildStub::AdvanceChildRecord)},
          {"child", "assess", Rpc::kAddAssessment, AddAssessment,
           Change(&ChildStub::AddAssessment)},
          {"child", "determination", Rpc::kRequestDetermination, RequestDetermination,
           Change(&ChildStub::RequestDetermination)},
          {"child", "decide", Rpc::kDecideDetermination, DecideDetermination,
           Change(&ChildStub::DecideDetermination)},
          {"child", "trace", Rpc::kAddTracingEntry, AddTracingEntry,
           Change(&ChildStub::AddTracingEntry)},
          {"child", "trace-update", Rpc::kUpdateTracingEntry, UpdateTracingEntry,
           Change(&ChildStub::UpdateTracingEntry)},
          {"child", "grant", Rpc::kGrantChildProtection, SetGrant(true),
           Show(&ChildStub::SetChildProtectionGrant, kNoChildren, GrantText)},
          {"child", "revoke", Rpc::kRevokeChildProtection, SetGrant(false),
           Show(&ChildStub::SetChildProtectionGrant, kNoChildren, GrantText)},
          {"child", "plan", Rpc::kSetReturnPlan, SetReturnPlan, Change(&ChildStub::SetReturnPlan)},
          {"handover", "show", Rpc::kGetHandover,
           ByName<chv1::GetHandoverRequest>("handovers", "handover NAME"),
           Show(&ChildStub::GetHandover, kNoChildren), /*pages=*/false, /*verb_alias=*/"get"},
          {"handover", "list", Rpc::kListHandovers, ListHandovers,
           List(&ChildStub::ListHandovers, Rows(HandoversTable), kNoChildren), kPages,
           /*verb_alias=*/"", /*value_options=*/false, /*restart=*/false, /*incoming=*/true},
          {"handover", "accept", Rpc::kAcceptHandover,
           RespondToHandover(chv1::HANDOVER_STATE_ACCEPTED),
           Show(&ChildStub::RespondToHandover, kNoChildren)},
          {"handover", "decline", Rpc::kDeclineHandover,
           RespondToHandover(chv1::HANDOVER_STATE_DECLINED),
           Show(&ChildStub::RespondToHandover, kNoChildren)},
          {"handover", "received", Rpc::kReceiveHandover,
           RespondToHandover(chv1::HANDOVER_STATE_RECEIVED),
           Show(&ChildStub::RespondToHandover, kNoChildren), /*pages=*/false,
           /*verb_alias=*/"receive"},
      },
      {{"children", "child"}, {"childrecord", "child"}, {"childrecords", "child"},
       {"handovers", "handover"}},
      kHelp,
      {
          {"accompaniment", chv1::Accompaniment_descriptor()},
          {"age_basis", chv1::AgeBasis_descriptor()},
          {"concern", chv1::Concern_descriptor()},
          {"care type", chv1::CareType_descriptor()},
          {"assent", chv1::Assent_descriptor()},
          {"child state", chv1::WorkflowState_descriptor()},
          {"child risk", chv1::Risk_descriptor()},
          {"situation", chv1::DeterminationSituation_descriptor()},
          {"decision", chv1::Decision_descriptor()},
          {"tracing status", chv1::TracingStatus_descriptor()},
          {"handover state", chv1::HandoverState_descriptor()},
      },
  };
  return *domain;
}

}  // namespace enlace::cli
