#include "services/notifications/notifications.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/crypto/sealed_record.h"
#include "common/geo/geo.h"
#include "common/ids/ids.h"
#include "common/log/log.h"
#include "common/pagetoken/node_secret.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/text/fold.h"
#include "common/time/proto_time.h"
#include "services/cases/open_case.h"
#include "services/cases/rules.h"

namespace enlace::notifications {
namespace {

namespace cv1 = ::enlace::cases::v1;

constexpr char kCf[] = "notifications";
constexpr char kRequestsCf[] = "requests";
// Keys: outgoing "o|{id}", incoming "i|{host}|{id}", waiting for a case "w|{host}|{id}",
// incoming by post "p|{post}|{host}|{id}".
std::string OutKey(const std::string& id) { return absl::StrCat("o|", id); }
std::string InKey(const std::string& host, const std::string& id) {
  return absl::StrCat("i|", host, "|", id);
}
std::string WaitKey(const std::string& host, const std::string& id) {
  return absl::StrCat("w|", host, "|", id);
}
std::string PostKey(const std::string& post, const std::string& host, const std::string& id) {
  return absl::StrCat("p|", post, "|", host, "|", id);
}

// name = countries/{host}/notifications/{id}
bool ParseName(absl::string_view name, std::string* host, std::string* id) {
  std::vector<absl::string_view> p = absl::StrSplit(name, '/');
  if (p.size() != 4 || p[0] != "countries" || !geo::IsCountryCode(p[1]) ||
      p[2] != "notifications" || !ids::IsValidId(p[3])) {
    return false;
  }
  *host = std::string(p[1]);
  *id = std::string(p[3]);
  return true;
}

// What the national's state needs to identify the person and act: never the local contact.
cv1::Person Disclosable(const cv1::Person& p) {
  cv1::Person out = p;
  out.clear_contact();
  out.clear_name();
  out.clear_etag();
  out.clear_create_time();
  out.clear_update_time();
  out.clear_created_by();
  return out;
}

std::vector<std::string> PresentFields(const cv1::Person& p) {
  std::vector<std::string> f;
  if (!p.given_names().empty()) f.push_back("given_names");
  if (!p.family_names().empty()) f.push_back("family_names");
  if (!p.birth_date().empty()) f.push_back("birth_date");
  if (p.sex() != 0) f.push_back("sex");
  if (p.documents_size() > 0) f.push_back("documents");
  if (p.languages_size() > 0) f.push_back("languages");
  if (p.vulnerabilities_size() > 0) f.push_back("vulnerabilities");
  f.push_back("nationalities");
  return f;
}

std::pair<cv1::Category, cv1::Subtype> CaseKindOf(v1::Event e) {
  switch (e) {
    case v1::EVENT_ARREST:
    case v1::EVENT_IMPRISONMENT:
    case v1::EVENT_CUSTODY:
      return {cv1::CATEGORY_CRIMINAL, cv1::SUBTYPE_CRIMINAL_DETENTION};
    case v1::EVENT_IMMIGRATION_DETENTION:
      return {cv1::CATEGORY_MIGRATION, cv1::SUBTYPE_IMMIGRATION_DETENTION};
    case v1::EVENT_DEATH:
      return {cv1::CATEGORY_ADMINISTRATIVE, cv1::SUBTYPE_REMAINS_REPATRIATION};
    case v1::EVENT_SERIOUS_INJURY:
      return {cv1::CATEGORY_ADMINISTRATIVE, cv1::SUBTYPE_PATIENT_REPATRIATION};
    case v1::EVENT_GUARDIANSHIP:
      return {cv1::CATEGORY_CIVIL_FAMILY, cv1::SUBTYPE_CHILD_CUSTODY};
    default:
      return {cv1::CATEGORY_CRISIS, cv1::SUBTYPE_CRISIS_ASSISTANCE};
  }
}

bool Protected(cv1::InternationalProtection p) {
  return p == cv1::INTERNATIONAL_PROTECTION_ASYLUM_SEEKER ||
         p == cv1::INTERNATIONAL_PROTECTION_REFUGEE ||
         p == cv1::INTERNATIONAL_PROTECTION_STATELESS;
}

}  // namespace

void Notifications::AddColumnFamilies(storage::StoreOptions& options) {
  for (const char* cf : {kCf, kRequestsCf}) {
    if (std::find(options.column_families.begin(), options.column_families.end(), cf) ==
        options.column_families.end()) {
      options.column_families.push_back(cf);
    }
  }
  stats::Tally::AddColumnFamilies(options);
}

Notifications::Notifications(storage::Store* store, txn::Committer* committer,
                             crypto::KeyVault* vault, cases::Registry* registry,
                             enlace::node::v1::NodeConfig config, const Clock* clock,
                             std::function<std::vector<std::string>()> peers)
    : store_(store),
      committer_(committer),
      vault_(vault),
      registry_(registry),
      config_(std::move(config)),
      clock_(clock),
      peers_(std::move(peers)),
      tally_(store),
      cf_(store->cf(kCf)),
      requests_(store->cf(kRequestsCf)),
      page_tokens_(NodeSecretOrEphemeral(store, "notifications_page_token_secret")),
      // The node itself opens cases for notifications it receives.
      system_(SystemCaller(config_.country(), "notifications")) {}

Notifications::~Notifications() { Stop(); }

void Notifications::Start() { worker_.Start(); }

void Notifications::Stop() { worker_.Stop(); }

absl::StatusOr<std::string> Notifications::Encode(const v1::Notification& n,
                                                  const std::string& id,
                                                  bool first_write) const {
  // The person is sealed with a data key of the notification's own, but for what the
  // personal marks of person.proto leave in clear: nationalities and the protection status
  // (routing and refusal need them).
  return crypto::SealPersonal(vault_, absl::StrCat("notification:", id), n, id, first_write);
}

absl::StatusOr<v1::Notification> Notifications::Decode(absl::string_view stored,
                                                       const std::string& id) const {
  v1::Notification n;
  auto opened = crypto::OpenRecord(vault_, stored, id, &n);
  if (!opened.ok()) return opened.status();
  return n;
}

absl::StatusOr<std::optional<v1::Notification>> Notifications::Load(
    const std::string& key, const std::string& id) const {
  auto raw = store_->Get(cf_, key);
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return std::optional<v1::Notification>();
  auto n = Decode(**raw, id);
  if (!n.ok()) return n.status();
  return std::optional<v1::Notification>(*std::move(n));
}

std::string Notifications::RoutePost(const std::string& area,
                                     const std::string& host_country) const {
  for (const auto& p : config_.posts()) {
    for (const auto& a : p.areas()) {
      if (!area.empty() && a == area) return p.code();
    }
  }
  for (const auto& p : config_.posts()) {
    if (p.host_country() == host_country) return p.code();
  }
  return config_.posts(0).code();
}

absl::Status Notifications::CheckAccess(const v1::Notification& n, bool incoming,
                                        const Caller& caller) const {
  if (caller.role != Role::kOfficer) return absl::OkStatus();
  if (incoming && n.post() == caller.post) return absl::OkStatus();
  if (!incoming && absl::StrContains(n.created_by(), absl::StrCat("/post/", caller.post, "/"))) {
    return absl::OkStatus();
  }
  return absl::PermissionDeniedError(
      absl::StrCat("an officer of ", caller.post, " sees only that post's notifications"));
}

absl::StatusOr<v1::Notification> Notifications::SendNotification(
    const v1::SendNotificationRequest& request, const Caller& caller) {
  const std::string self = config_.country();
  if (request.parent() != absl::StrCat("countries/", self)) {
    return InvalidField("parent", absl::StrCat("must be countries/", self));
  }
  const v1::Notification& n = request.notification();
  FieldViolations v;
  const auto peers = peers_();
  if (!geo::IsCountryCode(n.national_country())) {
    v.Add("notification.national_country", "must be an ISO 3166-1 alpha-2 code");
  } else if (n.national_country() == self) {
    v.Add("notification.national_country", "a node does not notify its own country");
  } else if (std::find(peers.begin(), peers.end(), n.national_country()) == peers.end()) {
    v.Add("notification.national_country", "not a member of the federation");
  }
  if (n.event() == 0 || !v1::Event_IsValid(n.event())) v.Add("notification.event", "required");
  cases::ValidatePerson(n.person(), clock_->Now(), v, "notification.person.");
  if (std::find(n.person().nationalities().begin(), n.person().nationalities().end(),
                n.national_country()) == n.person().nationalities().end()) {
    v.Add("notification.person.nationalities", "must include national_country");
  }
  if (n.place().empty() || n.place().size() > 200 || !text::IsCleanUtf8(n.place())) {
    v.Add("notification.place", "required, at most 200 bytes");
  }
  if (!geo::IsSubdivisionCode(n.area()) || n.area().substr(0, 2) != self) {
    v.Add("notification.area", absl::StrCat("must be an ISO 3166-2 code of ", self));
  }
  if (n.authority().empty() || n.authority().size() > 200 || !text::IsCleanUtf8(n.authority())) {
    v.Add("notification.authority", "required, at most 200 bytes");
  }
  if (!n.has_event_time() || !enlace::IsValidProtoTime(n.event_time()) ||
      enlace::FromProtoTime(n.event_time()) > clock_->Now() + absl::Minutes(5)) {
    v.Add("notification.event_time", "required, not in the future");
  }
  if (n.has_rights_informed_time() && !enlace::IsValidProtoTime(n.rights_informed_time())) {
    v.Add("notification.rights_informed_time", "invalid timestamp");
  }
  if (n.consular_contact() == 0 || !v1::ConsularContact_IsValid(n.consular_contact())) {
    v.Add("notification.consular_contact", "required");
  }
  if (!request.request_id().empty() && !ids::IsValidRequestId(request.request_id())) {
    v.Add("request_id", "1-64 characters of A-Z a-z 0-9 _ -");
  }
  if (!v.empty()) return v.ToStatus();
  const auto protection = n.person().international_protection();
  if (Protected(protection) || protection == cv1::INTERNATIONAL_PROTECTION_UNKNOWN) {
    const std::string why =
        Protected(protection)
            ? absl::StrCat("the person is ", cv1::InternationalProtection_Name(protection),
                           ": a consular notification must never reach the state they fled; "
                           "nothing was sent")
            : "the person's international-protection status is UNKNOWN: establish it before "
              "notifying; nothing was sent";
    txn::Transaction txn;
    auto& r = txn.Audit(caller.identity, "notifications.SendNotification", {},
                        enlace::audit::v1::AUDIT_OUTCOME_REJECTED);
    r.set_detail(why);
    committer_->Commit(txn).IgnoreError();
    return absl::FailedPreconditionError(why);
  }
  std::string request_key;
  if (!request.request_id().empty()) {
    request_key = absl::StrCat("notification|", caller.identity, "|", request.request_id());
    auto earlier = store_->Get(requests_, request_key);
    if (!earlier.ok()) return earlier.status();
    if (earlier->has_value()) {
      auto prior = Load(OutKey(**earlier), **earlier);
      if (!prior.ok()) return prior.status();
      if (prior->has_value()) return **prior;
    }
  }
  const std::string id = ids::NewId();
  v1::Notification out = n;
  out.set_name(absl::StrCat("countries/", self, "/notifications/", id));
  out.set_host_country(self);
  *out.mutable_create_time() = enlace::ToProtoTime(clock_->Now());
  out.set_created_by(caller.identity);
  out.clear_post();
  out.clear_case_();
  out.clear_receive_time();
  out.clear_acknowledge_time();
  *out.mutable_person() = Disclosable(n.person());
  auto stored = Encode(out, id, /*first_write=*/true);
  if (!stored.ok()) return stored.status();
  txn::Transaction txn;
  txn.batch.Put(cf_, OutKey(id), *stored);
  if (!request_key.empty()) txn.batch.Put(requests_, request_key, id);
  v1::Notification wire = out;
  wire.clear_created_by();  // the host's staff identity is not the receiver's business
  txn.envelopes.push_back({n.national_country(), kSendKind, wire.SerializeAsString()});
  auto& r = txn.Audit(caller.identity, "notifications.SendNotification", {out.name()});
  auto* d = r.mutable_disclosure();
  d->set_recipient(n.national_country());
  for (const auto& f : PresentFields(out.person())) d->add_fields(f);
  d->set_legal_basis("VCCR art. 36/37 (treaty)");
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return out;
}

absl::Status Notifications::Apply(const enlace::federation::v1::EnvelopeBody& body,
                                  txn::Transaction& txn) {
  if (body.kind() == kReceiptKind) {
    // Receiver -> host: times only.
    v1::NotificationReceipt receipt;
    std::string host, id;
    if (!receipt.ParseFromString(body.payload()) || !ParseName(receipt.name(), &host, &id) ||
        host != config_.country()) {
      return absl::InvalidArgumentError("bad notification receipt");
    }
    auto n = Load(OutKey(id), id);
    if (!n.ok()) return n.status();
    if (!n->has_value()) return absl::FailedPreconditionError("receipt for an unknown notification");
    if ((*n)->national_country() != body.sender()) {
      return absl::PermissionDeniedError("receipt from a country that was not notified");
    }
    if (receipt.has_receive_time()) *(*n)->mutable_receive_time() = receipt.receive_time();
    if (receipt.has_acknowledge_time()) {
      *(*n)->mutable_acknowledge_time() = receipt.acknowledge_time();
    }
    auto stored = Encode(**n, id);
    if (!stored.ok()) return stored.status();
    txn.batch.Put(cf_, OutKey(id), *stored);
    return absl::OkStatus();
  }
  v1::Notification n;
  std::string host, id;
  if (!n.ParseFromString(body.payload()) || !ParseName(n.name(), &host, &id)) {
    return absl::InvalidArgumentError("payload is not a notification");
  }
  if (host != body.sender() || n.host_country() != body.sender()) {
    return absl::PermissionDeniedError("a notification must come from its host country");
  }
  if (n.national_country() != config_.country()) {
    return absl::InvalidArgumentError("notification is not about this node's nationals");
  }
  // Defence in depth: a protected person's notification is refused here too.
  if (Protected(n.person().international_protection()) ||
      n.person().international_protection() != cv1::INTERNATIONAL_PROTECTION_NONE) {
    return absl::FailedPreconditionError("notification about a person under international "
                                         "protection (or of unknown status) refused");
  }
  FieldViolations v;
  cases::ValidatePerson(n.person(), clock_->Now(), v, "person.");
  if (!v.empty()) return absl::InvalidArgumentError(v.ToStatus().message());
  auto existing = store_->Get(cf_, InKey(host, id));
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return absl::OkStatus();  // same notification again: no effect
  n.set_post(RoutePost(n.area(), host));
  const absl::Time received = clock_->Now();
  *n.mutable_receive_time() = enlace::ToProtoTime(received);
  auto stored = Encode(n, id, /*first_write=*/true);
  if (!stored.ok()) return stored.status();
  txn.batch.Put(cf_, InKey(host, id), *stored);
  // Counted in the month received, as not acknowledged until it is; the facts are kept for
  // the acknowledgement (the record's person may be erased before it).
  const stats::Facts facts{n.post(), host, stats::kNotAcknowledged, stats::SexOf(n.person()),
                           stats::AgeGroupOf(n.person(), received)};
  tally_.Add(txn, *stats::FindMeasure(stats::kNotifications), stats::MonthOf(received), facts);
  tally_.Remember(txn, absl::StrCat("n|", host, "/", id), stats::MonthOf(received), facts);
  txn.batch.Put(cf_, WaitKey(host, id), "");
  txn.batch.Put(cf_, PostKey(n.post(), host, id), "");
  auto& r = txn.Audit(body.sender(), "notifications.received", {n.name()});
  r.set_detail(absl::StrCat("queued for ", n.post()));
  txn.OnCommit(worker_.KickOnCommit());  // opening the case needs the record committed
  return absl::OkStatus();
}

absl::StatusOr<std::string> Notifications::OpenCase(const v1::Notification& n,
                                                    const std::string& post,
                                                    std::string* person) {
  std::string host, id;
  ParseName(n.name(), &host, &id);
  cv1::Case c;
  c.set_post(post);
  c.set_host_country(host);
  c.set_place(n.place().substr(0, 200));
  const auto [category, subtype] = CaseKindOf(n.event());
  c.set_category(category);
  c.set_subtype(subtype);
  c.set_risk(cv1::RISK_HIGH);
  c.set_urgent(n.event() != v1::EVENT_GUARDIANSHIP);
  c.set_legal_basis(cv1::LEGAL_BASIS_TREATY);
  // Facts, not a sentence: the notification (host, event, authority, times) is linked and
  // clients render it in their user's language.
  c.set_opened_from(n.name());
  auto opened = cases::OpenCaseFor(*registry_, n.person(), std::move(c),
                                   absl::StrCat("nt-", host, "-", id), system_);
  if (!opened.ok()) return opened.status();
  *person = opened->person;
  return opened->opened.name();
}

absl::StatusOr<int> Notifications::ProcessPending() {
  std::vector<std::pair<std::string, std::string>> waiting;
  for (auto it = store_->ScanPrefix(cf_, "w|"); it->Valid(); it->Next()) {
    std::vector<std::string> p = absl::StrSplit(it->key(), '|');
    if (p.size() == 3) waiting.emplace_back(p[1], p[2]);
  }
  // Cases are opened on several lanes at once, so that the four synced commits of each (the
  // person search's audit record, the person, the case, the notification with its receipt)
  // share group commits with the other lanes' instead of waiting for one fsync after another.
  // Notifications whose persons share a document stay on one lane, in order: the later one
  // must find the person the earlier one recorded, not record a second.
  std::vector<int> parent(waiting.size());
  for (size_t i = 0; i < parent.size(); ++i) parent[i] = static_cast<int>(i);
  std::function<int(int)> root = [&](int i) {
    while (parent[i] != i) i = parent[i] = parent[parent[i]];
    return i;
  };
  std::map<std::string, int> by_document;
  std::vector<std::optional<v1::Notification>> loaded(waiting.size());
  for (size_t i = 0; i < waiting.size(); ++i) {
    const auto& [host, id] = waiting[i];
    auto n = Load(InKey(host, id), id);
    if (!n.ok()) return n.status();
    loaded[i] = *std::move(n);
    if (!loaded[i].has_value()) continue;
    for (const auto& d : loaded[i]->person().documents()) {
      const std::string key = absl::StrCat(d.type(), "|", d.issuing_country(), "|",
                                           cases::NormalizeDocumentNumber(d.number()));
      auto [it, added] = by_document.emplace(key, static_cast<int>(i));
      if (!added) parent[root(static_cast<int>(i))] = root(it->second);
    }
  }
  std::vector<std::vector<size_t>> lanes(
      std::min<size_t>(kOpeningLanes, std::max<size_t>(1, waiting.size())));
  std::map<int, size_t> lane_of_group;
  for (size_t i = 0; i < waiting.size(); ++i) {
    if (!loaded[i].has_value()) continue;
    const int group = root(static_cast<int>(i));
    auto [it, added] = lane_of_group.emplace(group, lane_of_group.size() % lanes.size());
    lanes[it->second].push_back(i);
  }
  std::atomic<int> done{0};
  std::vector<absl::Status> lane_status(lanes.size());
  auto run_lane = [&](size_t lane) {
    for (size_t i : lanes[lane]) {
      absl::Status s = OpenPending(waiting[i].first, waiting[i].second, *loaded[i]);
      if (s.ok()) {
        ++done;
      } else if (!absl::IsAborted(s)) {
        lane_status[lane] = s;
        return;
      }
    }
  };
  std::vector<std::thread> threads;
  for (size_t lane = 1; lane < lanes.size(); ++lane) {
    if (!lanes[lane].empty()) threads.emplace_back(run_lane, lane);
  }
  run_lane(0);
  for (auto& t : threads) t.join();
  for (const auto& s : lane_status) ENLACE_RETURN_IF_ERROR(s);
  return done.load();
}

absl::Status Notifications::OpenPending(const std::string& host, const std::string& id,
                                        v1::Notification n) {
  std::string person;
  auto case_name = OpenCase(n, n.post(), &person);
  if (!case_name.ok()) {
    log::Error("notifications", "case_not_opened",
               absl::StrCat("cannot open a case for ", n.name(), ": ",
                            case_name.status().ToString()));
    return absl::AbortedError("not opened; retried on the next pass");
  }
  n.set_case_(*case_name);
  // The copy is about a person of this node now: it dies with them (invariant 9). An
  // erasure of the person since OpenCase refuses the link; the next pass opens anew.
  auto guard = registry_->GuardPerson(person);
  if (!guard.ok()) {
    log::Error("notifications", "notification_not_stored",
               absl::StrCat(n.name(), ": ", guard.status().ToString()));
    return absl::AbortedError("not stored; retried on the next pass");
  }
  auto stored = Encode(n, id);
  if (!stored.ok()) return stored.status();
  txn::Transaction txn;
  txn.batch.Put(cf_, InKey(host, id), *stored);
  txn.batch.Delete(cf_, WaitKey(host, id));
  registry_->LinkToPerson(txn, **guard, absl::StrCat("notification:", id));
  v1::NotificationReceipt receipt;
  receipt.set_name(n.name());
  *receipt.mutable_receive_time() = n.receive_time();
  txn.envelopes.push_back({host, kReceiptKind, receipt.SerializeAsString()});
  return committer_->Commit(txn);
}


absl::StatusOr<v1::Notification> Notifications::GetNotification(
    const v1::GetNotificationRequest& request, const Caller& caller) {
  std::string host, id;
  if (!ParseName(request.name(), &host, &id)) {
    return InvalidField("name", "must be countries/{country}/notifications/{notification}");
  }
  const bool incoming = host != config_.country();
  auto n = Load(incoming ? InKey(host, id) : OutKey(id), id);
  if (!n.ok()) return n.status();
  if (!n->has_value()) return absl::NotFoundError(absl::StrCat(request.name(), " not found"));
  ENLACE_RETURN_IF_ERROR(CheckAccess(**n, incoming, caller));
  txn::Transaction txn;
  txn.Audit(caller.identity, "notifications.GetNotification", {request.name()});
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return **n;
}

absl::StatusOr<v1::ListNotificationsResponse> Notifications::ListNotifications(
    const v1::ListNotificationsRequest& request, const Caller& caller) {
  if (request.direction() != v1::DIRECTION_INCOMING &&
      request.direction() != v1::DIRECTION_OUTGOING) {
    return InvalidField("direction", "INCOMING or OUTGOING");
  }
  if (request.page_size() < 0) return InvalidField("page_size", "must not be negative");
  const int limit = request.page_size() == 0 ? 50 : std::min(request.page_size(), 1000);
  const bool incoming = request.direction() == v1::DIRECTION_INCOMING;
  std::string post = request.post();
  if (incoming && caller.role == Role::kOfficer) {
    if (!post.empty() && post != caller.post) {
      return absl::PermissionDeniedError("an officer lists only its own post's notifications");
    }
    post = caller.post;
  }
  std::string prefix = incoming ? (post.empty() ? "i|" : absl::StrCat("p|", post, "|")) : "o|";
  const std::string query = absl::StrCat("notifications|", prefix);
  std::string lower = prefix;
  if (!request.page_token().empty()) {
    auto pos = page_tokens_.Decode(query, request.page_token());
    if (!pos.ok()) return pos.status();
    lower = *pos + std::string(1, '\0');
  }
  v1::ListNotificationsResponse out;
  std::string last;
  txn::Transaction audit;
  enlace::audit::v1::AuditRecord r;
  r.set_actor(caller.identity);
  r.set_action("notifications.ListNotifications");
  r.set_outcome(enlace::audit::v1::AUDIT_OUTCOME_OK);
  for (auto it = store_->Scan(cf_, lower, storage::PrefixSuccessor(prefix)); it->Valid();
       it->Next()) {
    std::vector<std::string> p = absl::StrSplit(it->key(), '|');
    std::string host = incoming ? p[p.size() - 2] : config_.country();
    std::string id = p.back();
    auto n = Load(incoming ? InKey(host, id) : OutKey(id), id);
    if (!n.ok()) return n.status();
    if (!n->has_value() || !CheckAccess(**n, incoming, caller).ok()) continue;
    if (out.notifications_size() == limit) {
      out.set_next_page_token(page_tokens_.Encode(query, last));
      break;
    }
    r.add_resources((*n)->name());
    *out.add_notifications() = **std::move(n);
    last = std::string(it->key());
  }
  if (r.resources_size() > 0) {
    audit.audit.push_back(r);
    ENLACE_RETURN_IF_ERROR(committer_->Commit(audit));
  }
  return out;
}

absl::StatusOr<v1::Notification> Notifications::AcknowledgeNotification(
    const v1::AcknowledgeNotificationRequest& request, const Caller& caller) {
  std::string host, id;
  if (!ParseName(request.name(), &host, &id)) {
    return InvalidField("name", "must be countries/{country}/notifications/{notification}");
  }
  if (host == config_.country()) {
    return absl::FailedPreconditionError("only the receiving state acknowledges a notification");
  }
  storage::ScopedKeyLocks lock(locks_, {absl::StrCat(host, "/", id)});
  auto n = Load(InKey(host, id), id);
  if (!n.ok()) return n.status();
  if (!n->has_value()) return absl::NotFoundError(absl::StrCat(request.name(), " not found"));
  ENLACE_RETURN_IF_ERROR(CheckAccess(**n, true, caller));
  if ((*n)->has_acknowledge_time()) return **n;  // acknowledging twice changes nothing
  const absl::Time now = clock_->Now();
  *(*n)->mutable_acknowledge_time() = enlace::ToProtoTime(now);
  auto stored = Encode(**n, id);
  if (!stored.ok()) return stored.status();
  txn::Transaction txn;
  txn.batch.Put(cf_, InKey(host, id), *stored);
  // The count moves from "not acknowledged" to its timeliness, in the month received.
  ENLACE_ASSIGN_OR_RETURN(auto counted, tally_.Recall(absl::StrCat("n|", host, "/", id)));
  if (counted.has_value()) {
    const stats::Measure& measure = *stats::FindMeasure(stats::kNotifications);
    stats::Facts facts = counted->facts;
    tally_.Add(txn, measure, counted->month, facts, -1);
    facts.column = now - enlace::FromProtoTime((*n)->receive_time()) <= absl::Hours(24)
                       ? stats::kAcknowledgedWithin24h
                       : stats::kAcknowledgedLater;
    tally_.Add(txn, measure, counted->month, facts, 1);
    tally_.Forget(txn, absl::StrCat("n|", host, "/", id));
  }
  v1::NotificationReceipt receipt;
  receipt.set_name((*n)->name());
  *receipt.mutable_acknowledge_time() = (*n)->acknowledge_time();
  txn.envelopes.push_back({host, kReceiptKind, receipt.SerializeAsString()});
  txn.Audit(caller.identity, "notifications.AcknowledgeNotification", {request.name()});
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return **n;
}

}  // namespace enlace::notifications
