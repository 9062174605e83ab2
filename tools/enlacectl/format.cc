#include "tools/enlacectl/format.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/status/errors.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "tools/enlacectl/cli.h"
#include "tools/enlacectl/domains.h"
#include "tools/enlacectl/workers_commands.h"

namespace enlace::cli {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
namespace v1 = ::enlace::cases::v1;
namespace dv1 = ::enlace::directory::v1;
namespace fv1 = ::enlace::federation::v1;
namespace nv1 = ::enlace::notifications::v1;
namespace rv1 = ::enlace::referrals::v1;
namespace tv1 = ::enlace::transfers::v1;
namespace cv1 = ::enlace::crisis::v1;

// Characters, not bytes: continuation bytes of UTF-8 do not count.
size_t DisplayWidth(const std::string& s) {
  return std::count_if(s.begin(), s.end(),
                       [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

std::string Scalar(const Message& m, const FieldDescriptor* f, int index) {
  const auto* r = m.GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      return rep ? r->GetRepeatedString(m, f, index) : r->GetString(m, f);
    case FieldDescriptor::CPPTYPE_ENUM:
      return EnumValueName(f->enum_type(),
                           rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f));
    case FieldDescriptor::CPPTYPE_BOOL:
      return (rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "true" : "false";
    case FieldDescriptor::CPPTYPE_INT32:
      return absl::StrCat(rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f));
    case FieldDescriptor::CPPTYPE_INT64:
      return absl::StrCat(rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f));
    case FieldDescriptor::CPPTYPE_UINT32:
      return absl::StrCat(rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f));
    case FieldDescriptor::CPPTYPE_UINT64:
      return absl::StrCat(rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f));
    case FieldDescriptor::CPPTYPE_DOUBLE:
      return absl::StrCat(rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f));
    case FieldDescriptor::CPPTYPE_FLOAT:
      return absl::StrCat(rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f));
    default:
      return "";
  }
}

// Messages printed as one value rather than as their fields.
bool AsOneValue(const Message& m, std::string* out) {
  const std::string& type = m.GetDescriptor()->full_name();
  if (type == "google.protobuf.Timestamp") {
    *out = FormatTime(static_cast<const google::protobuf::Timestamp&>(m));
    return true;
  }
  if (type == "enlace.cases.v1.IdentityDocument") {
    *out = FormatDocument(static_cast<const v1::IdentityDocument&>(m));
    return true;
  }
  if (type == "enlace.workers.v1.Money") {
    // CUR:AMOUNT in major units, as typed (workers_commands.h).
    *out = FormatMoney(static_cast<const workers::v1::Money&>(m));
    return true;
  }
  if (type == "google.protobuf.FieldMask") {
    const auto* r = m.GetReflection();
    const auto* paths = m.GetDescriptor()->FindFieldByName("paths");
    std::vector<std::string> p;
    for (int i = 0; i < r->FieldSize(m, paths); ++i) p.push_back(r->GetRepeatedString(m, paths, i));
    *out = absl::StrJoin(p, ",");
    return true;
  }
  return false;
}

void CollectFields(const Message& m, const std::string& prefix,
                   std::vector<std::pair<std::string, std::string>>* out) {
  const auto* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    const std::string key = prefix + f->name();
    if (f->is_repeated()) {
      const int n = r->FieldSize(m, f);
      if (n == 0) continue;
      if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        for (int j = 0; j < n; ++j) {
          const Message& sub = r->GetRepeatedMessage(m, f, j);
          std::string value;
          if (AsOneValue(sub, &value)) {
            out->emplace_back(key, value);  // one line per element: documents: passport:...
          } else {
            CollectFields(sub, absl::StrCat(key, "[", j, "]."), out);
          }
        }
      } else {
        std::vector<std::string> values;
        for (int j = 0; j < n; ++j) values.push_back(Scalar(m, f, j));
        out->emplace_back(key, absl::StrJoin(values, ","));
      }
      continue;
    }
    switch (f->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        if (!r->HasField(m, f)) break;
        const Message& sub = r->GetMessage(m, f);
        std::string value;
        if (AsOneValue(sub, &value)) {
          out->emplace_back(key, value);
        } else {
          CollectFields(sub, key + ".", out);
        }
        break;
      }
      case FieldDescriptor::CPPTYPE_STRING:
        if (!r->GetString(m, f).empty()) out->emplace_back(key, r->GetString(m, f));
        break;
      case FieldDescriptor::CPPTYPE_ENUM:
        if (r->GetEnumValue(m, f) != 0) out->emplace_back(key, Scalar(m, f, 0));
        break;
      default:
        // Numbers and booleans always: "urgent: false" says something.
        out->emplace_back(key, Scalar(m, f, 0));
        break;
    }
  }
}

std::string Or(const std::string& s, const std::string& fallback) {
  return s.empty() ? fallback : s;
}

std::string LastSegment(const std::string& name) { return name.substr(name.rfind('/') + 1); }

// `lead` then the words joined by ", ", wrapped under the first word to fit 96 columns.
std::string Wrapped(const std::string& lead, const std::vector<std::string>& words) {
  std::string out = lead;
  size_t column = lead.size();
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string piece = words[i] + (i + 1 < words.size() ? "," : "");
    if (i > 0) {
      if (column + 1 + piece.size() > 96) {
        out += "\n" + std::string(lead.size(), ' ');
        column = lead.size();
      } else {
        out += ' ';
        ++column;
      }
    }
    out += piece;
    column += piece.size();
  }
  return out + "\n";
}

}  // namespace

std::string FormatTable(const std::vector<std::string>& header,
                        const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width(header.size(), 0);
  auto cell = [](const std::vector<std::string>& row, size_t i) -> std::string {
    return i < row.size() && !row[i].empty() ? row[i] : "-";
  };
  for (size_t i = 0; i < header.size(); ++i) width[i] = DisplayWidth(header[i]);
  for (const auto& row : rows) {
    for (size_t i = 0; i < header.size(); ++i) {
      width[i] = std::max(width[i], DisplayWidth(cell(row, i)));
    }
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& row, bool is_header) {
    std::string text;
    for (size_t i = 0; i < header.size(); ++i) {
      const std::string c = is_header ? row[i] : cell(row, i);
      text += c;
      if (i + 1 < header.size()) text += std::string(width[i] - DisplayWidth(c) + 2, ' ');
    }
    out += text;
    out += '\n';
  };
  line(header, true);
  for (const auto& row : rows) line(row, false);
  return out;
}

std::string FormatFields(const Message& message) {
  std::vector<std::pair<std::string, std::string>> fields;
  CollectFields(message, "", &fields);
  size_t width = 0;
  for (const auto& [k, v] : fields) width = std::max(width, k.size());
  std::string out;
  for (const auto& [k, v] : fields) {
    absl::StrAppend(&out, k, ":", std::string(width - k.size() + 1, ' '), v, "\n");
  }
  return out;
}

std::string CasesTable(const v1::ListCasesResponse& response) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : response.cases()) {
    rows.push_back({c.name(), c.post(), EnumValueName(v1::Status_descriptor(), c.status()),
                    EnumValueName(v1::Category_descriptor(), c.category()),
                    EnumValueName(v1::Subtype_descriptor(), c.subtype()),
                    c.has_create_time() ? FormatTime(c.create_time()) : "",
                    c.urgent() ? "yes" : "no"});
  }
  return FormatTable({"NAME", "POST", "STATUS", "CATEGORY", "SUBTYPE", "OPENED", "URGENT"}, rows);
}

std::string PersonsTable(const v1::SearchPersonsResponse& response) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : response.persons()) {
    rows.push_back(
        {p.name(), p.given_names(), p.family_names(),
         Or(p.birth_date(),
            p.age_band() != 0 ? EnumValueName(v1::AgeBand_descriptor(), p.age_band()) : ""),
         absl::StrJoin(p.nationalities(), ",")});
  }
  return FormatTable({"NAME", "GIVEN", "FAMILY", "BIRTH", "NATIONALITIES"}, rows);
}

std::string ActionsTable(const v1::ListActionsResponse& response) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& a : response.actions()) {
    rows.push_back({LastSegment(a.name()), EnumValueName(v1::ActionType_descriptor(), a.type()),
                    a.post(), a.officer(),
                    EnumValueName(v1::ActionOutcome_descriptor(), a.outcome()),
                    a.has_occur_time() ? FormatTime(a.occur_time()) : ""});
  }
  return FormatTable({"ACTION", "TYPE", "POST", "OFFICER", "OUTCOME", "OCCURRED"}, rows);
}

std::string OrganisationsTable(const dv1::ListOrganisationsResponse& response) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& o : response.organisations()) {
    std::vector<std::string> services;
    for (int s : o.services()) services.push_back(EnumValueName(dv1::Service_descriptor(), s));
    rows.push_back(
        {o.name(), o.type() != 0 ? EnumValueName(dv1::OrganisationType_descriptor(), o.type()) : "",
         absl::StrJoin(services, ","), absl::StrJoin(o.areas(), ","), o.display_name()});
  }
  return FormatTable({"NAME", "TYPE", "SERVICES", "AREAS", "DISPLAY_NAME"}, rows);
}

std::string FederationStatusText(const fv1::FederationStatus& status) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : status.peers()) {
    rows.push_back({p.country(), p.endpoint(), p.connected() ? "yes" : "no",
                    absl::StrCat(p.last_seq_queued()), absl::StrCat(p.last_seq_sent()),
                    absl::StrCat(p.last_seq_acked()), absl::StrCat(p.outbox_depth()),
                    absl::StrFormat("%.1f", p.lag_seconds()), absl::StrCat(p.inbound_applied_seq()),
                    absl::StrCat(p.quarantined()), p.last_error()});
  }
  return absl::StrCat(
      "country: ", Or(status.country(), "-"), "  manifest_version: ", status.manifest_version(),
      "\n",
      FormatTable({"PEER", "ENDPOINT", "CONNECTED", "QUEUED", "SENT", "ACKED", "DEPTH", "LAG_S",
                   "INBOUND_APPLIED", "QUARANTINED", "LAST_ERROR"},
                  rows));
}

std::string QuarantineTable(const fv1::ListQuarantineResponse& response) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : response.envelopes()) {
    rows.push_back({e.sender(), absl::StrCat(e.seq()), e.kind(), e.reason(),
                    e.has_receive_time() ? FormatTime(e.receive_time()) : "",
                    absl::StrCat(e.size_bytes())});
  }
  return FormatTable({"SENDER", "SEQ", "KIND", "REASON", "RECEIVED", "SIZE"}, rows);
}

std::string AuditRecordsTable(const audit::v1::ListAuditRecordsResponse& response) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : response.records()) {
    rows.push_back({absl::StrCat(r.seq()), r.has_time() ? FormatTime(r.time()) : "", r.actor(),
                    r.action(), EnumValueName(audit::v1::AuditOutcome_descriptor(), r.outcome()),
                    absl::StrJoin(r.resources(), ","), r.detail()});
  }
  return FormatTable({"SEQ", "TIME", "ACTOR", "ACTION", "OUTCOME", "RESOURCES", "DETAIL"}, rows);
}

namespace {

std::string TimeOf(bool has, const google::protobuf::Timestamp& t) {
  return has ? FormatTime(t) : "";
}

std::string PersonOf(const v1::Person& p) {
  std::vector<std::string> parts;
  if (!p.given_names().empty()) parts.push_back(p.given_names());
  if (!p.family_names().empty()) parts.push_back(p.family_names());
  return absl::StrJoin(parts, " ");
}

std::string ReferralState(const rv1::Referral& r) {
  std::string state = EnumValueName(rv1::State_descriptor(), r.state());
  if (r.revoke_requested()) state += ",revoke_requested";
  return state;
}

std::string Outcome(const rv1::Referral& r) {
  return r.outcome() != 0 ? EnumValueName(rv1::Outcome_descriptor(), r.outcome()) : "";
}

std::string NotificationState(const nv1::Notification& n) {
  if (n.has_acknowledge_time()) return "acknowledged";
  if (n.case_().empty()) return "received";
  return "case_opened";
}

}  // namespace

std::string NotificationsTable(const nv1::ListNotificationsResponse& response, bool incoming) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& n : response.notifications()) {
    const std::string event = EnumValueName(nv1::Event_descriptor(), n.event());
    if (incoming) {
      rows.push_back({n.name(), n.host_country(), n.post(), event,
                      TimeOf(n.has_receive_time(), n.receive_time()),
                      TimeOf(n.has_acknowledge_time(), n.acknowledge_time()), n.case_(),
                      PersonOf(n.person())});
    } else {
      rows.push_back(
          {n.name(), n.national_country(), event, TimeOf(n.has_create_time(), n.create_time()),
           TimeOf(n.has_receive_time(), n.receive_time()),
           TimeOf(n.has_acknowledge_time(), n.acknowledge_time()), PersonOf(n.person())});
    }
  }
  if (incoming) {
    return FormatTable(
        {"NAME", "FROM", "POST", "EVENT", "RECEIVED", "ACKNOWLEDGED", "CASE", "PERSON"}, rows);
  }
  return FormatTable({"NAME", "TO", "EVENT", "SENT", "RECEIVED", "ACKNOWLEDGED", "PERSON"}, rows);
}

std::string ReferralsTable(const rv1::ListReferralsResponse& response, bool incoming) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : response.referrals()) {
    const std::string service = EnumValueName(rv1::ServiceType_descriptor(), r.service());
    if (incoming) {
      rows.push_back({r.name(), Or(r.from_post(), r.from_country()), r.to_post(), service,
                      ReferralState(r), Outcome(r), TimeOf(r.has_create_time(), r.create_time()),
                      PersonOf(r.person())});
    } else {
      rows.push_back({r.name(), r.from_post(), Or(r.to_post(), r.to_organisation()), service,
                      ReferralState(r), Outcome(r), TimeOf(r.has_update_time(), r.update_time()),
                      r.case_()});
    }
  }
  if (incoming) {
    return FormatTable({"NAME", "FROM", "POST", "SERVICE", "STATE", "OUTCOME", "SENT", "PERSON"},
                       rows);
  }
  return FormatTable({"NAME", "POST", "TO", "SERVICE", "STATE", "OUTCOME", "UPDATED", "CASE"},
                     rows);
}

std::string TransfersTable(const tv1::ListTransfersResponse& response, bool incoming) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : response.transfers()) {
    const std::string state = EnumValueName(tv1::State_descriptor(), t.state());
    const std::string sent = TimeOf(t.has_create_time(), t.create_time());
    if (incoming) {
      rows.push_back({t.name(), Or(t.from_post(), t.from_country()), t.to_post(), state, sent,
                      t.new_case(), Or(t.decline_reason(), t.reason())});
    } else {
      rows.push_back({t.name(), t.from_post(), t.to_post(), state, sent,
                      TimeOf(t.has_decide_time(), t.decide_time()), t.case_(),
                      Or(t.decline_reason(), t.reason())});
    }
  }
  if (incoming) {
    return FormatTable({"NAME", "FROM", "POST", "STATE", "SENT", "NEW_CASE", "REASON"}, rows);
  }
  return FormatTable({"NAME", "POST", "TO", "STATE", "SENT", "DECIDED", "CASE", "REASON"}, rows);
}

std::vector<InboxItem> InboxItems(const nv1::ListNotificationsResponse& notifications,
                                  const rv1::ListReferralsResponse& referrals,
                                  const tv1::ListTransfersResponse& transfers,
                                  bool include_handled) {
  std::vector<InboxItem> items;
  for (const auto& n : notifications.notifications()) {
    if (n.has_acknowledge_time() && !include_handled) continue;
    InboxItem item;
    item.kind = "notification";
    item.name = n.name();
    item.from = n.host_country();
    item.state = NotificationState(n);
    item.received = n.has_receive_time() ? n.receive_time() : n.create_time();
    std::string summary =
        absl::StrCat(EnumValueName(nv1::Event_descriptor(), n.event()), ", consular contact ",
                     n.consular_contact() != 0
                         ? EnumValueName(nv1::ConsularContact_descriptor(), n.consular_contact())
                         : "not_stated");
    const std::string person = PersonOf(n.person());
    if (!person.empty()) absl::StrAppend(&summary, ": ", person);
    if (!n.place().empty()) absl::StrAppend(&summary, person.empty() ? ": " : ", ", n.place());
    if (!n.case_().empty()) absl::StrAppend(&summary, "; case ", n.case_());
    item.summary = summary;
    item.message = &n;
    items.push_back(std::move(item));
  }
  for (const auto& r : referrals.referrals()) {
    const bool open = r.state() == rv1::STATE_PENDING || r.state() == rv1::STATE_ACCEPTED ||
                      r.state() == rv1::STATE_IN_PROGRESS;
    if (!open && !include_handled) continue;
    InboxItem item;
    item.kind = "referral";
    item.name = r.name();
    item.from = Or(r.from_post(), r.from_country());
    item.state = ReferralState(r);
    item.received = r.create_time();
    std::string summary = EnumValueName(rv1::ServiceType_descriptor(), r.service());
    if (!r.purpose().empty()) absl::StrAppend(&summary, ": ", r.purpose());
    const std::string person = PersonOf(r.person());
    if (!person.empty()) absl::StrAppend(&summary, "; ", person);
    if (r.personal_data_purged()) absl::StrAppend(&summary, "; personal data purged (expired)");
    if (r.outcome() != 0) absl::StrAppend(&summary, "; outcome ", Outcome(r));
    item.summary = summary;
    item.message = &r;
    items.push_back(std::move(item));
  }
  for (const auto& t : transfers.transfers()) {
    if (t.state() != tv1::STATE_PENDING && !include_handled) continue;
    InboxItem item;
    item.kind = "transfer";
    item.name = t.name();
    item.from = Or(t.from_post(), t.from_country());
    item.state = EnumValueName(tv1::State_descriptor(), t.state());
    item.received = t.create_time();
    const auto& c = t.case_snapshot();
    std::string summary = "case";
    if (c.category() != 0) {
      absl::StrAppend(&summary, " ", EnumValueName(v1::Category_descriptor(), c.category()));
      if (c.subtype() != 0) {
        absl::StrAppend(&summary, "/", EnumValueName(v1::Subtype_descriptor(), c.subtype()));
      }
    }
    const std::string person = PersonOf(t.person());
    if (!person.empty()) absl::StrAppend(&summary, " of ", person);
    if (!c.place().empty()) absl::StrAppend(&summary, ", ", c.place());
    if (!t.reason().empty()) absl::StrAppend(&summary, "; reason: ", t.reason());
    if (!t.new_case().empty()) absl::StrAppend(&summary, "; new case ", t.new_case());
    if (!t.decline_reason().empty()) absl::StrAppend(&summary, "; declined: ", t.decline_reason());
    item.summary = summary;
    item.message = &t;
    items.push_back(std::move(item));
  }
  std::stable_sort(items.begin(), items.end(), [](const InboxItem& a, const InboxItem& b) {
    if (a.received.seconds() != b.received.seconds()) {
      return a.received.seconds() < b.received.seconds();
    }
    if (a.received.nanos() != b.received.nanos()) return a.received.nanos() < b.received.nanos();
    return a.name < b.name;
  });
  return items;
}

std::string InboxTable(const std::vector<InboxItem>& items) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& i : items) {
    rows.push_back({i.kind, i.name, i.from, i.state,
                    i.received.seconds() != 0 ? FormatTime(i.received) : "", i.summary});
  }
  return FormatTable({"KIND", "NAME", "FROM", "STATE", "RECEIVED", "SUMMARY"}, rows);
}

absl::StatusOr<std::string> InboxJsonLine(const InboxItem& item) {
  if (item.message == nullptr) return absl::InternalError("enlacectl bug: inbox item without data");
  auto line = JsonLine(*item.message);
  if (!line.ok()) return line.status();
  std::string body = *line;
  if (!body.empty() && body.back() == '\n') body.pop_back();
  return absl::StrCat("{\"kind\":\"", item.kind, "\",\"", item.kind, "\":", body, "}\n");
}

// ---------------------------------------------------------------- crises

namespace {

std::string WelfareStatusName(int status) {
  return EnumValueName(cv1::WelfareStatus_descriptor(), status);
}

// A status as a column header: CONTACTED_SAFE.
std::string StatusColumn(int status) { return absl::AsciiStrToUpper(WelfareStatusName(status)); }

// The statuses of `counts`, in the enum's order (unaccounted first).
template <typename Counts>
void AddStatuses(const Counts& counts, std::vector<int>* statuses) {
  for (const auto& c : counts) {
    if (std::find(statuses->begin(), statuses->end(), c.status()) == statuses->end()) {
      statuses->push_back(c.status());
    }
  }
  std::sort(statuses->begin(), statuses->end());
}

bool Unaccounted(int status) {
  return status == cv1::WELFARE_STATUS_UNACCOUNTED || status == cv1::WELFARE_STATUS_INQUIRY_OPEN;
}

}  // namespace

std::string CrisesTable(const cv1::ListCrisesResponse& response) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& c : response.crises()) {
    rows.push_back({c.name(), EnumValueName(cv1::Phase_descriptor(), c.phase()),
                    EnumValueName(cv1::CrisisType_descriptor(), c.type()), c.host_country(),
                    absl::StrJoin(c.areas(), ","), c.lead_member(),
                    TimeOf(c.has_update_time(), c.update_time()), c.title()});
  }
  return FormatTable({"NAME", "PHASE", "TYPE", "HOST", "AREAS", "LEAD", "UPDATED", "TITLE"}, rows);
}

std::string WelfareNotesTable(const cv1::ListWelfareNotesResponse& response) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& n : response.notes()) {
    rows.push_back({TimeOf(n.has_observe_time(), n.observe_time()), WelfareStatusName(n.status()),
                    n.source() != 0 ? EnumValueName(cv1::NoteSource_descriptor(), n.source()) : "",
                    n.contact_made() ? "yes" : "no", n.last_known_area(), n.author(),
                    n.from_member(), n.opened_case(), n.details()});
  }
  return FormatTable(
      {"OBSERVED", "STATUS", "SOURCE", "CONTACT", "AREA", "AUTHOR", "FROM", "CASE", "DETAILS"},
      rows);
}

std::string RiskName(int risk) {
  switch (risk) {
    case 0:
      return "child";
    case 1:
      return "older_person";
    case 2:
      return "detained";
    case 3:
      return "medical_needs";
    case 9:
      return "other";
  }
  return absl::StrCat(risk);
}

std::string WorklistTable(const cv1::ListWorklistResponse& response) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : response.entries()) {
    rows.push_back({RiskName(e.risk()), WelfareStatusName(e.status()), e.area(), e.subject(),
                    TimeOf(e.has_status_time(), e.status_time()), e.post(), e.opened_case(),
                    e.display_name()});
  }
  return FormatTable({"RISK", "STATUS", "AREA", "SUBJECT", "LAST_STATUS", "POST", "CASE", "NAME"},
                     rows);
}

std::string AssistanceTable(const cv1::ListAssistanceResponse& response) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& a : response.requests()) {
    std::string text = a.request();
    if (a.state() == cv1::ASSISTANCE_STATE_DONE && !a.outcome().empty()) {
      text = a.outcome();
    } else if (a.state() == cv1::ASSISTANCE_STATE_DECLINED && !a.response().empty()) {
      text = a.response();
    }
    rows.push_back({a.name(), EnumValueName(cv1::AssistanceState_descriptor(), a.state()),
                    !a.from_post().empty() ? a.from_post() : a.from_country(), a.to_country(),
                    a.area(), absl::StrCat(a.nationals()), a.to_post(), text});
  }
  return FormatTable(
      {"NAME", "STATE", "FROM", "TO", "AREA", "NATIONALS", "TO_POST", "REQUEST/OUTCOME"}, rows);
}

std::string BoardText(const cv1::Board& board) {
  std::string out;
  std::string accounted = absl::StrCat(board.accounted_for());
  if (board.total() > 0) {
    // Rounded down: 99% while one person is still unaccounted for, never 100%.
    absl::StrAppend(&accounted, " (", board.accounted_for() * 100 / board.total(), "%)");
  }
  absl::StrAppend(&out, "crisis:        ", board.crisis(), "\n", "total:         ", board.total(),
                  "\n", "accounted for: ", accounted, "\n\n");
  std::vector<int> statuses;
  AddStatuses(board.by_status(), &statuses);
  std::vector<std::vector<std::string>> rows;
  for (int status : statuses) {
    int64_t count = 0;
    for (const auto& c : board.by_status()) {
      if (c.status() == status) count += c.count();
    }
    rows.push_back({WelfareStatusName(status), absl::StrCat(count)});
  }
  absl::StrAppend(&out, FormatTable({"STATUS", "COUNT"}, rows), "\n");

  std::vector<int> area_statuses;
  for (const auto& a : board.by_area()) AddStatuses(a.by_status(), &area_statuses);
  std::vector<std::string> header = {"AREA", "TOTAL", "ACCOUNTED"};
  for (int status : area_statuses) header.push_back(StatusColumn(status));
  rows.clear();
  for (const auto& a : board.by_area()) {
    int64_t unaccounted = 0;
    for (const auto& c : a.by_status()) {
      if (Unaccounted(c.status())) unaccounted += c.count();
    }
    std::vector<std::string> row = {a.area(), absl::StrCat(a.total()),
                                    absl::StrCat(a.total() - unaccounted)};
    for (int status : area_statuses) {
      int64_t count = 0;
      for (const auto& c : a.by_status()) {
        if (c.status() == status) count += c.count();
      }
      row.push_back(absl::StrCat(count));
    }
    rows.push_back(std::move(row));
  }
  absl::StrAppend(&out, FormatTable(header, rows));
  return out;
}

std::string RegionalPictureTable(const cv1::RegionalPicture& picture) {
  std::vector<std::string> members;
  auto add_member = [&](const std::string& m) {
    if (std::find(members.begin(), members.end(), m) == members.end()) members.push_back(m);
  };
  for (const auto& r : picture.reports()) add_member(r.member());
  for (const auto& c : picture.cells()) add_member(c.member());
  std::sort(members.begin(), members.end());
  std::vector<int> statuses;
  AddStatuses(picture.cells(), &statuses);
  std::vector<std::string> header = {"MEMBER", "AS_OF"};
  for (int status : statuses) header.push_back(StatusColumn(status));
  std::vector<std::vector<std::string>> rows;
  for (const auto& member : members) {
    std::string as_of;
    for (const auto& r : picture.reports()) {
      if (r.member() == member && r.has_as_of()) as_of = FormatTime(r.as_of());
    }
    std::vector<std::string> row = {member, as_of};
    for (int status : statuses) {
      std::string cell;  // "-": not reported
      for (const auto& c : picture.cells()) {
        if (c.member() == member && c.status() == status) {
          cell = c.withheld() ? "<5" : absl::StrCat(c.count());
        }
      }
      row.push_back(cell);
    }
    rows.push_back(std::move(row));
  }
  return FormatTable(header, rows);
}

std::string MovementsTable(const cv1::ListMovementsResponse& response) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : response.movements()) {
    std::vector<std::string> offered;
    for (const auto& o : m.offered()) offered.push_back(absl::StrCat(o.member(), ":", o.seats()));
    std::vector<std::string> passengers;
    for (const auto& p : m.passengers()) {
      passengers.push_back(absl::StrCat(p.nationality(), ":", p.passengers()));
    }
    std::string route;
    if (!m.from_place().empty() || !m.to_place().empty()) {
      route = absl::StrCat(Or(m.from_place(), "?"), " -> ", Or(m.to_place(), "?"));
    }
    rows.push_back({m.name(), EnumValueName(cv1::TransportMode_descriptor(), m.mode()),
                    TimeOf(m.has_depart_time(), m.depart_time()), absl::StrCat(m.seats()),
                    absl::StrJoin(offered, ","), absl::StrJoin(passengers, ","), route});
  }
  return FormatTable({"NAME", "MODE", "DEPART", "SEATS", "OFFERED", "PASSENGERS", "ROUTE"}, rows);
}

std::string FormatTime(const google::protobuf::Timestamp& t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixSeconds(t.seconds()),
                          absl::UTCTimeZone());
}

std::string FormatError(const absl::Status& status) {
  std::string out = absl::StrCat("error: ", absl::StatusCodeToString(status.code()), ": ",
                                 status.message(), "\n");
  for (const auto& v : GetFieldViolations(status)) {
    absl::StrAppend(&out, "  ", v.field, ": ", v.description, "\n");
  }
  return out;
}

absl::Status ExplainUnimplemented(const absl::Status& status, absl::string_view hint) {
  if (status.code() != absl::StatusCode::kUnimplemented) return status;
  if (status.message().empty()) return absl::UnimplementedError(hint);
  return absl::UnimplementedError(absl::StrCat(status.message(), " (", hint, ")"));
}

absl::StatusOr<std::string> JsonLine(const Message& message) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = false;
  auto status = google::protobuf::util::MessageToJsonString(message, &out, options);
  if (!status.ok()) {
    return absl::InternalError(absl::StrCat("cannot print JSON: ", status.ToString()));
  }
  out += '\n';
  return out;
}

v1::Category SubtypeCategory(int subtype) {
  if (subtype == 0 || !v1::Subtype_IsValid(subtype)) return v1::CATEGORY_UNSPECIFIED;
  switch (subtype / 10) {
    case 0:
      return v1::CATEGORY_CRIMINAL;
    case 1:
      return v1::CATEGORY_MIGRATION;
    case 2:
      return v1::CATEGORY_CIVIL_FAMILY;
    case 3:
      return v1::CATEGORY_LABOUR;
    case 4:
      return v1::CATEGORY_HUMAN_RIGHTS;
    case 5:
      return v1::CATEGORY_ADMINISTRATIVE;
    case 6:
      return v1::CATEGORY_CRISIS;
  }
  return v1::CATEGORY_UNSPECIFIED;
}

std::string HelpText() {
  std::string out = R"(enlacectl: the operator CLI of an Enlace node (cases, directory, federation,
audit, consular notifications, referrals, transfers, inbox, crises, child protection).

Usage: enlacectl [global flags] COMMAND [NAME] [key=value ...]

Commands (NAME is a full resource name or just its id; parents use --country):
  person create  given_names="José Luis" family_names="Pérez" sex=male birth_date=1990-04-02
                 nationality=MX doc=passport:G1234567:MX language=es protection=none
                 vulnerability=detained [phone=.. email=.. address=..] [request_id=ID]
  person get     NAME
  person update  NAME etag=ETAG field=value...     (update_mask = the fields given)
  person search  name="jose perez" [birth_date=1990]   |   doc=passport:G1234567:MX
                 [page_size=N] [page_token=T] [--all]
  person erase   NAME reason=".."   supervisors only: the personal data is destroyed for good,
                 the person's cases keep their non-personal facts; the reason is audited
  person grant   NAME post=MX-LAX reason=".."   supervisors only: the post's officers may then
                 reach the person (audited)
  case create    person=NAME post=MX-LAX host_country=US place="Adelanto, CA"
                 category=migration subtype=immigration_detention risk=high urgent=true
                 legal_basis=vital_interest [consent=person:services,family]
                 [consent_giver_name=.. consent_withheld=contact,documents
                  consent_obtain_time=.. consent_expire_time=..] summary=".." [request_id=ID]
                 [presented_doc=passport:G1234567:MX presented_given_names=..
                  presented_family_names=.. presented_birth_date=YYYY-MM-DD]   the person's
                  document, as presented, when the post does not reach them yet
  case get       NAME
  case list      [post=MX-LAX] [status=open] [category=migration] [person=NAME]
                 [since=2026-01-01] [until=2026-02-01T00:00:00Z] [page_size=N]
                 [page_token=T] [--all]
  case update    NAME etag=ETAG risk=critical status=in_progress...   (update_mask = given)
  case close     NAME resolution=resolved [note=".."] [etag=ETAG]
  action add     CASE type=detention_visit officer=ofc-1 outcome=completed
                 [occur_time=RFC3339, default now] [post=..] [note=".."] [request_id=ID]
  action list    CASE [page_size=N] [page_token=T] [--all]

Directory (organisations; this node writes only its own country's entries, lists every
member's; etag is "r<revision>"; writes need an operator or supervisor certificate):
  org create     display_name="Casa del Migrante" type=shelter service=shelter,legal_aid
                 area=MX-CHP,MX-OAX language=es,mam [phone=.. email=.. website=.. address=..]
                 [description=".."] [request_id=ID]
  org get        NAME            (another member's: countries/GT/organisations/ID)
  org update     NAME etag=ETAG field=value...     (update_mask = the fields given)
  org delete     NAME etag=ETAG
  org list       [country=GT] [type=shelter] [service=legal_aid] [area=MX-CHP]
                 [query="casa migrante"] [page_size=N] [page_token=T] [--all]

Federation (nodes with a federation config only; operators and supervisors):
  federation status                 links to every peer: queued/sent/acked seq, lag, errors
  federation quarantine  [sender=GT] [page_size=N]   envelopes refused, newest first
  federation resume GT reason=".."  operators only: let a HALTED link go on (audited)

Audit log (auditor certificates only; reading the log is itself audited):
  audit list     [case=ID | person=ID | resource=NAME] [actor=URI] [since=2026-01-01]
                 [until=2026-02-01T00:00:00Z] [page_size=N] [page_token=T] [--all]
                 records oldest first; a case's records include its actions'
  audit verify   recomputes the hash chain and checks the checkpoint signatures: exit 0
                 when clean, 3 when a record was changed, removed or reordered (said where)
  audit verify --data_dir=DIR [--verify_key=FILE]   the same offline, on a node's files
                 (read-only; FILE: the node's public or private Ed25519 key)

Consular notifications (VCCR art. 36/37; officers see their own post's, supervisors all):
  notification send  national=GT event=immigration_detention given_names=.. family_names=..
                 sex=male birth_date=1996 [nationality=GT, default: national]
                 doc=national_id:2534812340901:GT language=quc protection=none
                 place="Estación migratoria Siglo XXI, Tapachula" area=MX-CHP
                 authority="Instituto Nacional de Migración" event_time=RFC3339
                 [rights_informed_time=RFC3339] contact=requested [vulnerability=..]
                 [request_id=ID]
                 the host's side; refused (FAILED_PRECONDITION, nothing sent) when protection
                 is asylum_seeker, refugee, stateless or unknown
  notification get   NAME   (received ones are the host's: countries/MX/notifications/ID)
  notification list  incoming|outgoing [post=GT-TAP] [page_size=N] [page_token=T] [--all]
  notification ack   NAME   the receiving post has taken note; the host sees the time

Referrals (officers of the referring or the receiving post, supervisors):
  referral create    case=NAME (to_post=GT-TAP [to_country=GT] | to_org=NAME)
                     service=legal_aid [fields=given_names,family_names,...] [purpose=".."]
                     [expire_time=RFC3339] [request_id=ID]
                     only the fields named leave, and only within the case's legal basis
  referral get       NAME   (received ones are the referrer's: countries/MX/referrals/ID)
  referral accept    NAME   receiving side: pending -> accepted
  referral start     NAME   receiving side: accepted -> in_progress
  referral reject    NAME outcome=no_capacity [note=".."]      pending/accepted/in_progress
  referral complete  NAME outcome=success [note=".."]          accepted/in_progress -> done
  referral revoke    NAME   referring side, while pending: the receiver decides
  referral list      incoming|outgoing [post=GT-TAP] [page_size=N] [page_token=T] [--all]

Case transfers (officers of the origin or the receiving post, supervisors):
  transfer create    case=NAME to_post=GT-TAP [to_country=GT] reason=".." [request_id=ID]
                     the case accepts no change until the receiver decides
  transfer get       NAME   (received ones are the origin's: countries/MX/transfers/ID)
  transfer accept    NAME   receiving side: opens its own case, the origin closes its one
  transfer decline   NAME reason=".."   receiving side: the origin's case is unlocked
  transfer list      incoming|outgoing [post=GT-TAP] [page_size=N] [page_token=T] [--all]

  inbox  [post=GT-TAP] [--all]   what waits for a post, oldest first: incoming
                 notifications not yet acknowledged, referrals pending, accepted or in
                 progress, transfers pending (--all: the handled ones too); officers see
                 their own post

Crises (MICIC; a crisis is replicated to every member, its accounting stays on each node):
  crisis declare   type=hurricane title="Huracán Eta" host=HN areas=HN-CR,HN-AT
                   phase=active [lead=HN] [hotline="+504 .."] [advisory=".."]
                   [focal=HN-CR:HN:SPS,...] [measure=MX:"visa humanitaria"] [request_id=ID]
                   supervisors; focal=AREA:MEMBER:POST; one measure=MEMBER:TEXT per measure
  crisis phase     NAME active|recovery|closed   supervisors; reads the etag, then updates the
                   phase (phases only move forward)
  crisis list      [phase=active,recovery]        every crisis this node knows, newest first
  crisis show      NAME
  crisis register  given_names=.. family_names=.. birth_date=1990-04-02 [host=HN] area=HN-CR
                   [arrival=YYYY-MM-DD] [return=YYYY-MM-DD] [post=..] [child=yes]
                   [older=yes] [medical=yes] [sex=..] [phone=..] [email=..]
                   [doc=TYPE:NUMBER:CC] [person=NAME, when also on file] [request_id=ID]
                   host defaults to the area's country
  crisis import    FILE [format=csv|jsonl] [batch=500] [--restart]   supervisors; bulk
                   registrations, each line's id its request_id (a line sent twice creates
                   nothing twice). CSV: a header row naming the columns id, given_names,
                   family_names, birth_date, host_country, area, arrival_date, return_date,
                   post, phone, child, older_person, medical_needs. JSONL: one Registration in
                   proto JSON per line plus "id": {"id":"r-1","givenNames":"Ana",..}. Every
                   line is checked before anything is sent. FILE.progress records the lines
                   done after each batch; a new run starts after them (--restart: from the
                   first line). Exit 1 when some lines were refused (listed by line)
  crisis note      CRISIS SUBJECT STATUS [source=shelter_list] [contact=yes] [area=HN-CR]
                   [details=".."] [at=RFC3339, default now] [request_id=ID]
                   SUBJECT: a registration id or name, or a case's full name
  crisis notes     CRISIS SUBJECT                  the subject's notes, oldest first
  crisis worklist  CRISIS [area=HN-CR] [status=unaccounted,inquiry_open] [limit=100]
                   [page_token=T] [--all]          most at risk first
  crisis board     CRISIS                          accounted for, by status and by area
  crisis merge     CRISIS KEEP DUPLICATE reason=".."   supervisors; audited
  crisis sighting  crisis=NAME nationality=GT given_names=.. family_names=..
                   birth_year=1990 [doc=..] area=HN-CR status=contacted_safe [needs=..]
                   [post=..] [contact=yes] protection=none [at=RFC3339] [request_id=ID]
                   a national of another member; refused for refugees and asylum seekers
  crisis picture   CRISIS    supervisors of the lead member: members x statuses ("<5": withheld)
  crisis movement  crisis=NAME mode=air from=".." to=".." depart=RFC3339 seats=180
                   [offer=GT:40,SV:20] [passengers=MX:120] [request_id=ID]   supervisors
  crisis movements CRISIS [offered_to=GT]
  crisis assist    crisis=NAME to=GT area=HN-AT nationals=12 request=".." [from_post=MX-TGU]
                   [request_id=ID]   supervisors; asks another member to act for this member's
                   nationals in an area where it has no post (from_post: default the node's first)
  crisis answer    NAME accepted|declined|done [post=GT-GUA] [note=".."]   only the member asked
                   to act: accepted (with the post that takes it) or declined while requested,
                   done (note= what was done) once accepted; NAME as listed:
                   countries/MX/assistance/ID
  crisis assistance [--incoming] [post=..] [page_size=N] [page_token=T] [--all]   asked by this
                   node (--incoming: asked of it), oldest first

)";
  // Each domain's section (domains.h), then the rest.
  for (const Domain* d : Domains()) absl::StrAppend(&out, d->help, "\n");
  absl::StrAppend(&out, R"(  help

Repeated fields (nationality, doc, language, vulnerability, service, area) take key=a,b or
the key again; in an update an empty value (vulnerability=) clears the field (an
organisation's contact parts cannot be cleared, only replaced). Times are RFC 3339 or
YYYY-MM-DD (UTC). With request_id, give occur_time (and consent_obtain_time) explicitly if you
may retry: the default "now" changes, and the node refuses a reused request_id whose request
differs (org create instead returns the entry the first request created).

Global flags (before or after the command):
  --server=HOST:PORT   node API (default $ENLACE_SERVER, else localhost:7443)
  --ca=FILE            CA that signed the node's certificate (default $ENLACE_CA)
  --cert=FILE --key=FILE   client certificate and key (default $ENLACE_CERT, $ENLACE_KEY)
  --tls_dir=DIR        DIR/ca.pem, DIR/<identity>.pem, DIR/<identity>.key
  --identity=NAME      file stem in --tls_dir (default admin)
  --server_name=NAME   TLS name to verify instead of the host in --server
  --country=CC         country of the node, for parents countries/CC (default MX)
  --timeout=DURATION   deadline of every call (default 10s)
  --json               print each response as one line of proto3 JSON

Exit codes: 0 ok, 1 the call failed (error: CODE: message, then one line per field),
2 usage error (nothing was sent; for `crisis import` also a bad or unreadable FILE), 3 `audit
verify` found the log tampered with.

Values (lower case, without the enum prefix; a dash may stand for an underscore, as in
contacted-safe):
)");
  std::vector<std::pair<std::string, const google::protobuf::EnumDescriptor*>> enums = {
      {"sex", v1::Sex_descriptor()},
      {"age_band", v1::AgeBand_descriptor()},
      {"doc type", v1::DocumentType_descriptor()},
      {"protection", v1::InternationalProtection_descriptor()},
      {"vulnerability", v1::Vulnerability_descriptor()},
      {"category", v1::Category_descriptor()},
      {"status", v1::Status_descriptor()},
      {"risk", v1::Risk_descriptor()},
      {"legal_basis", v1::LegalBasis_descriptor()},
      {"consent giver", v1::ConsentGiver_descriptor()},
      {"consent scope", v1::ConsentScope_descriptor()},
      {"action type", v1::ActionType_descriptor()},
      {"outcome", v1::ActionOutcome_descriptor()},
      {"resolution", v1::Resolution_descriptor()},
      {"org type", dv1::OrganisationType_descriptor()},
      {"org service", dv1::Service_descriptor()},
      {"event", nv1::Event_descriptor()},
      {"contact (consular)", nv1::ConsularContact_descriptor()},
      {"referral service", rv1::ServiceType_descriptor()},
      {"referral outcome", rv1::Outcome_descriptor()},
      {"crisis type", cv1::CrisisType_descriptor()},
      {"crisis phase", cv1::Phase_descriptor()},
      {"welfare status", cv1::WelfareStatus_descriptor()},
      {"note source", cv1::NoteSource_descriptor()},
      {"transport mode", cv1::TransportMode_descriptor()},
      {"assistance state", cv1::AssistanceState_descriptor()},
  };
  for (const Domain* d : Domains()) enums.insert(enums.end(), d->values.begin(), d->values.end());
  for (const auto& [key, type] : enums) {
    absl::StrAppend(&out, Wrapped(absl::StrCat("  ", key, ": "), EnumValueNames(type)));
  }
  absl::StrAppend(&out,
                  Wrapped("  referral fields: ",
                          {"given_names", "family_names", "birth_date", "sex", "nationalities",
                           "documents", "languages", "vulnerabilities", "place", "summary"}));
  // Subtypes grouped by the category they belong to (SubtypeCategory: the node's table).
  absl::StrAppend(&out, "  subtype, by category:\n");
  for (int c = 0; c < v1::Category_descriptor()->value_count(); ++c) {
    const int category = v1::Category_descriptor()->value(c)->number();
    if (category == 0) continue;
    std::vector<std::string> subtypes;
    for (int s = 0; s < v1::Subtype_descriptor()->value_count(); ++s) {
      const int subtype = v1::Subtype_descriptor()->value(s)->number();
      if (subtype != 0 && SubtypeCategory(subtype) == category) {
        subtypes.push_back(EnumValueName(v1::Subtype_descriptor(), subtype));
      }
    }
    absl::StrAppend(
        &out,
        Wrapped(absl::StrCat("    ", EnumValueName(v1::Category_descriptor(), category), ": "),
                subtypes));
  }
  return out;
}

}  // namespace enlace::cli
