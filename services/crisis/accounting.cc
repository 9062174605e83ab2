// Accounting: welfare notes, the rolled-up status of every subject, the worklist and board
// (maintained in the same commit as each note), merges, the activation job and follow-up cases.

#include <algorithm>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/crypto/sealed_record.h"
#include "common/ids/ids.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/proto_time.h"
#include "enlace/cases/v1/case_service.pb.h"
#include "services/cases/open_case.h"
#include "services/crisis/crisis.h"
#include "services/crisis/keys.h"

namespace enlace::crisis {
namespace {

namespace cv1 = ::enlace::cases::v1;

constexpr int kJobBatch = 1000;

// The key owner that seals a subject's notes: the registration's own key, or one per case
// subject (linked to the case's person, so an erasure reaches it).
std::string NoteOwner(absl::string_view subject) {
  const std::string id = keys::IdOf(subject);
  return absl::StrContains(subject, "/registrations/") ? keys::RegistrationOwner(id)
                                                       : absl::StrCat("crisiscase:", id);
}

bool IsSubjectOf(absl::string_view subject, absl::string_view self) {
  std::vector<absl::string_view> p = absl::StrSplit(subject, '/');
  return p.size() == 4 && p[0] == "countries" && p[1] == self &&
         (p[2] == "registrations" || p[2] == "cases") && ids::IsValidId(p[3]);
}

}  // namespace

absl::Status Crises::CheckPost(const std::string& post, const Caller& caller) {
  if (caller.role == Role::kOfficer && post != caller.post) {
    return absl::PermissionDeniedError(
        absl::StrCat("an officer of ", caller.post, " acts on its own post's nationals only"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<v1::AccountingEntry>> Crises::LoadEntry(
    const std::string& crisis_key, const std::string& subject) const {
  ENLACE_ASSIGN_OR_RETURN(auto raw, store_->Get(cf_, keys::Entry(crisis_key, subject)));
  if (!raw.has_value()) return std::optional<v1::AccountingEntry>();
  v1::AccountingEntry e;
  if (!e.ParseFromString(*raw)) return absl::DataLossError("stored accounting entry corrupt");
  return std::optional<v1::AccountingEntry>(std::move(e));
}

void Crises::TallyEntry(const v1::AccountingEntry& x, int delta, txn::Transaction& txn) const {
  if (!x.merged_into().empty()) return;  // a merged duplicate counts nowhere
  // The secretariat's crisis board: this member's nationals by status, a change at a time.
  tally_.Add(txn, *stats::FindMeasure(stats::kCrisisAccounting), stats::MonthOf(clock_->Now()),
             {x.post(), x.area().substr(0, 2), v1::WelfareStatus_Name(x.status()), "unknown",
              x.risk() == 0 ? "child" : "adult", {keys::CrisisKey(x.crisis())}},
             delta);
}

void Crises::StageEntry(const std::string& crisis_key,
                        const std::optional<v1::AccountingEntry>& before,
                        const v1::AccountingEntry& e, txn::Transaction& txn) const {
  auto index = [&](const v1::AccountingEntry& x, int delta) {
    if (!x.merged_into().empty()) return;  // a merged duplicate counts nowhere
    for (const std::string& area : {x.area(), std::string(keys::kAllAreas)}) {
      const std::string work = keys::Work(crisis_key, area, x.status(), x.risk(), x.subject());
      if (delta > 0) {
        txn.batch.Put(cf_, work, x.post());
      } else {
        txn.batch.Delete(cf_, work);
      }
      txn.batch.AddToCounter(counts_, keys::Count(crisis_key, area, x.status()), delta);
    }
  };
  if (before.has_value()) {
    index(*before, -1);
    TallyEntry(*before, -1, txn);
  }
  index(e, +1);
  TallyEntry(e, +1, txn);
  v1::AccountingEntry stored = e;
  stored.clear_display_name();  // names live sealed in the registration only
  txn.batch.Put(cf_, keys::Entry(crisis_key, e.subject()), stored.SerializeAsString());
  txn.batch.Put(cf_, keys::Dirty(crisis_key), "");
  txn.OnCommit(worker_.KickOnCommit());
}

absl::StatusOr<v1::AccountingEntry> Crises::StageNote(const v1::Crisis& crisis,
                                                      v1::WelfareNote note, const std::string& post,
                                                      bool child, bool older, bool medical,
                                                      txn::Transaction& txn) {
  const std::string crisis_key = keys::CrisisKey(crisis.name());
  ENLACE_ASSIGN_OR_RETURN(auto before, LoadEntry(crisis_key, note.subject()));
  v1::AccountingEntry e;
  if (before.has_value()) {
    e = *before;
  } else {
    e.set_crisis(crisis.name());
    e.set_subject(note.subject());
    e.set_status(v1::WELFARE_STATUS_UNACCOUNTED);
    e.set_post(post);
    e.set_area(note.last_known_area().empty() ? crisis.host_country() : note.last_known_area());
  }
  if (!e.merged_into().empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat(note.subject(), " was merged into ", e.merged_into(), ": record there"));
  }
  ENLACE_RETURN_IF_ERROR(RollUp(note, e));
  e.set_risk(Risk(child, older, medical, e.status()));
  const std::string id = ids::NewId(clock_->Now());
  note.set_name(absl::StrCat(note.subject(), "/notes/", id));
  note.set_crisis(crisis.name());
  *note.mutable_record_time() = ToProtoTime(clock_->Now());
  const std::string note_key = keys::Notes(crisis_key, note.subject()) + id;
  // A registration's key exists while it does (never re-created for a note); a case
  // subject's key is made with its first note.
  const bool registration = absl::StrContains(note.subject(), "/registrations/");
  ENLACE_ASSIGN_OR_RETURN(
      std::string sealed,
      crypto::SealPersonal(vault_, NoteOwner(note.subject()), note, note_key, !registration));
  txn.batch.Put(cf_, note_key, sealed);
  StageEntry(crisis_key, before, e, txn);
  if (NeedsFollowUp(note.status()) && e.opened_case().empty()) {
    txn.batch.Put(cf_, keys::FollowUp(crisis_key, note.subject()), "");
  }
  return e;
}

absl::StatusOr<v1::AccountingEntry> Crises::RecordWelfareNote(
    const v1::RecordWelfareNoteRequest& request, const Caller& caller) {
  v1::WelfareNote note = request.note();
  if (!request.request_id().empty() && !ids::IsValidRequestId(request.request_id())) {
    return InvalidField("request_id", "1-64 characters of A-Z a-z 0-9 _ -");
  }
  if (!IsSubjectOf(note.subject(), self_)) {
    return InvalidField("note.subject", absl::StrCat("must be a registration or case of ", self_));
  }
  auto crisis = LoadCrisis(note.crisis());
  if (absl::IsInvalidArgument(crisis.status())) return InvalidField("note.crisis", "a crisis name");
  ENLACE_RETURN_IF_ERROR(crisis.status());
  if (crisis->phase() == v1::PHASE_CLOSED) {
    return absl::FailedPreconditionError(
        absl::StrCat(crisis->name(), " is closed: its accounting takes no more notes"));
  }
  if (crisis->phase() == v1::PHASE_MONITORING) {
    return absl::FailedPreconditionError(
        absl::StrCat(crisis->name(), " is being monitored: accounting starts when it is active"));
  }
  FieldViolations v;
  ValidateNote(note, *crisis, clock_->Now(), v);
  if (!v.empty()) return v.ToStatus();
  note.set_author(caller.identity);
  note.clear_from_member();
  note.clear_opened_case();
  const std::string crisis_key = keys::CrisisKey(crisis->name());
  const std::string request_key = RequestKey(caller, request.request_id());
  storage::ScopedKeyLocks lock(locks_, {keys::Entry(crisis_key, note.subject()), request_key});
  ENLACE_ASSIGN_OR_RETURN(std::string earlier, EarlierResult(request_key));
  if (!earlier.empty()) {  // the same note again: already recorded
    ENLACE_ASSIGN_OR_RETURN(auto e, LoadEntry(crisis_key, note.subject()));
    if (e.has_value()) return *e;
    return absl::DataLossError("an earlier note's subject has no accounting");
  }
  // What the subject is: a registration (its post, child, age, medical needs) or a case.
  std::string post;
  bool child = false, older = false, medical = false;
  std::unique_ptr<cases::Registry::PersonGuard> guard;
  if (absl::StrContains(note.subject(), "/registrations/")) {
    ENLACE_ASSIGN_OR_RETURN(auto r, LoadRegistration(keys::IdOf(note.subject())));
    if (!r.has_value()) return absl::NotFoundError(absl::StrCat(note.subject(), " not found"));
    post = r->post();
    child = r->child();
    older = r->older_person();
    medical = r->medical_needs();
  } else {
    cv1::GetCaseRequest get;
    get.set_name(note.subject());
    ENLACE_ASSIGN_OR_RETURN(cv1::Case c, registry_->GetCase(get, SystemCaller(self_, "crisis")));
    post = c.post();
    ENLACE_ASSIGN_OR_RETURN(guard, registry_->GuardPerson(c.person()));
  }
  ENLACE_RETURN_IF_ERROR(CheckPost(post, caller));
  txn::Transaction txn;
  ENLACE_ASSIGN_OR_RETURN(v1::AccountingEntry e,
                          StageNote(*crisis, note, post, child, older, medical, txn));
  if (guard != nullptr) registry_->LinkToPerson(txn, *guard, NoteOwner(note.subject()));
  if (!request_key.empty()) txn.batch.Put(cf_, request_key, note.subject());
  txn.Audit(caller.identity, "crisis.RecordWelfareNote", {note.subject(), crisis->name()})
      .set_detail(StatusKey(note.status()));
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  e.set_display_name(DisplayName(e.subject()));
  return e;
}

absl::StatusOr<v1::ListWelfareNotesResponse> Crises::ListWelfareNotes(
    const v1::ListWelfareNotesRequest& request, const Caller& caller) {
  if (!IsSubjectOf(request.subject(), self_)) {
    return InvalidField("subject", absl::StrCat("must be a registration or case of ", self_));
  }
  ENLACE_ASSIGN_OR_RETURN(v1::Crisis crisis, LoadCrisis(request.crisis()));
  const std::string crisis_key = keys::CrisisKey(crisis.name());
  ENLACE_ASSIGN_OR_RETURN(auto e, LoadEntry(crisis_key, request.subject()));
  if (!e.has_value()) {
    return absl::NotFoundError(absl::StrCat(request.subject(), " has no accounting in the crisis"));
  }
  ENLACE_RETURN_IF_ERROR(CheckPost(e->post(), caller));
  // The subject's own notes and those of the duplicates merged into it.
  std::vector<std::string> subjects = {request.subject()};
  const std::string merged = absl::StrCat("G|", crisis_key, "|", request.subject(), "|");
  auto g = store_->ScanPrefix(cf_, merged);
  for (; g->Valid(); g->Next()) subjects.emplace_back(g->key().substr(merged.size()));
  ENLACE_RETURN_IF_ERROR(g->status());
  v1::ListWelfareNotesResponse out;
  for (const std::string& subject : subjects) {
    auto it = store_->ScanPrefix(cf_, keys::Notes(crisis_key, subject));
    for (; it->Valid(); it->Next()) {
      v1::WelfareNote n;
      ENLACE_RETURN_IF_ERROR(
          crypto::OpenRecord(vault_, it->value(), std::string(it->key()), &n).status());
      *out.add_notes() = std::move(n);
    }
    ENLACE_RETURN_IF_ERROR(it->status());
  }
  std::stable_sort(out.mutable_notes()->begin(), out.mutable_notes()->end(),
                   [](const v1::WelfareNote& a, const v1::WelfareNote& b) {
                     return FromProtoTime(a.observe_time()) < FromProtoTime(b.observe_time());
                   });
  txn::Transaction txn;
  txn.Audit(caller.identity, "crisis.ListWelfareNotes", {request.subject(), crisis.name()});
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return out;
}

std::string Crises::DisplayName(const std::string& subject) const {
  if (!absl::StrContains(subject, "/registrations/")) return "(case)";
  auto r = LoadRegistration(keys::IdOf(subject));
  if (!r.ok() || !r->has_value()) return "(registration ended)";
  if ((*r)->given_names().empty()) return "(personal data erased)";
  return absl::StrCat((*r)->given_names(), " ", (*r)->family_names());
}

absl::StatusOr<v1::ListWorklistResponse> Crises::ListWorklist(
    const v1::ListWorklistRequest& request, const Caller& caller) {
  ENLACE_ASSIGN_OR_RETURN(v1::Crisis crisis, LoadCrisis(request.crisis()));
  if (crisis.phase() == v1::PHASE_MONITORING) {
    return absl::FailedPreconditionError("accounting starts when the crisis is active");
  }
  FieldViolations v;
  std::string area = keys::kAllAreas;
  if (!request.area().empty()) {
    if (request.area() != crisis.host_country() &&
        std::find(crisis.areas().begin(), crisis.areas().end(), request.area()) ==
            crisis.areas().end()) {
      v.Add("area", "must be one of the crisis's areas (or its host country, for cases)");
    }
    area = request.area();
  }
  std::set<int> statuses;
  for (int i = 0; i < request.statuses_size(); ++i) {
    if (request.statuses(i) == 0 || !v1::WelfareStatus_IsValid(request.statuses(i))) {
      v.Add(absl::StrCat("statuses[", i, "]"), "unknown status");
    }
    statuses.insert(request.statuses(i));
  }
  if (statuses.empty()) statuses.insert(v1::WELFARE_STATUS_UNACCOUNTED);
  if (request.page_size() < 0) v.Add("page_size", "must not be negative");
  if (!v.empty()) return v.ToStatus();
  const int limit = request.page_size() == 0 ? 100 : std::min(request.page_size(), 1000);
  const std::string crisis_key = keys::CrisisKey(crisis.name());
  const std::string query =
      absl::StrCat("work|", crisis_key, "|", area, "|", absl::StrJoin(statuses, ","), "|",
                   caller.role == Role::kOfficer ? caller.post : "*");
  std::string position;
  if (!request.page_token().empty()) {
    ENLACE_ASSIGN_OR_RETURN(position, page_tokens_.Decode(query, request.page_token()));
  }
  v1::ListWorklistResponse out;
  std::string last;
  bool more = false;
  for (int status : statuses) {
    const std::string prefix =
        absl::StrCat("W|", crisis_key, "|", area, "|", keys::Status2(status), "|");
    std::string lower = prefix;
    if (!position.empty() && position >= prefix) lower = position + std::string(1, '\0');
    if (lower >= storage::PrefixSuccessor(prefix)) continue;
    auto it = store_->Scan(cf_, lower, storage::PrefixSuccessor(prefix));
    for (; it->Valid(); it->Next()) {
      if (caller.role == Role::kOfficer && it->value() != caller.post) continue;
      if (out.entries_size() == limit) {
        more = true;
        break;
      }
      const absl::string_view key = it->key();
      const std::string subject(key.substr(key.rfind('|') + 1));
      ENLACE_ASSIGN_OR_RETURN(auto e, LoadEntry(crisis_key, subject));
      if (!e.has_value()) continue;
      e->set_display_name(DisplayName(subject));
      *out.add_entries() = std::move(*e);
      last = std::string(key);
    }
    ENLACE_RETURN_IF_ERROR(it->status());
    if (more) break;
  }
  if (more) out.set_next_page_token(page_tokens_.Encode(query, last));
  // The page names people: audited like any read of personal data.
  txn::Transaction txn;
  txn.Audit(caller.identity, "crisis.ListWorklist", {crisis.name()})
      .set_detail(absl::StrCat(out.entries_size(), " entries, area ", area));
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return out;
}

absl::StatusOr<v1::Board> Crises::GetBoard(const v1::GetBoardRequest& request, const Caller&) {
  ENLACE_ASSIGN_OR_RETURN(v1::Crisis crisis, LoadCrisis(request.crisis()));
  const std::string crisis_key = keys::CrisisKey(crisis.name());
  v1::Board board;
  board.set_crisis(crisis.name());
  auto fill = [&](const std::string& area, google::protobuf::RepeatedPtrField<v1::StatusCount>* by,
                  int64_t* total) -> absl::Status {
    for (int s = 1; s <= v1::WelfareStatus_MAX; ++s) {
      ENLACE_ASSIGN_OR_RETURN(int64_t n,
                              store_->GetCounter(counts_, keys::Count(crisis_key, area, s)));
      if (n <= 0) continue;
      auto* c = by->Add();
      c->set_status(static_cast<v1::WelfareStatus>(s));
      c->set_count(n);
      *total += n;
    }
    return absl::OkStatus();
  };
  int64_t total = 0;
  ENLACE_RETURN_IF_ERROR(fill(keys::kAllAreas, board.mutable_by_status(), &total));
  board.set_total(total);
  for (const auto& c : board.by_status()) {
    if (IsAccountedFor(c.status())) board.set_accounted_for(board.accounted_for() + c.count());
  }
  std::vector<std::string> areas(crisis.areas().begin(), crisis.areas().end());
  areas.push_back(crisis.host_country());  // cases, whose area is not known
  for (const std::string& area : areas) {
    v1::Board::Area a;
    a.set_area(area);
    int64_t t = 0;
    ENLACE_RETURN_IF_ERROR(fill(area, a.mutable_by_status(), &t));
    a.set_total(t);
    if (t > 0) *board.add_by_area() = std::move(a);
  }
  return board;
}

absl::StatusOr<v1::AccountingEntry> Crises::MergeSubjects(const v1::MergeSubjectsRequest& request,
                                                          const Caller& caller) {
  FieldViolations v;
  if (!IsSubjectOf(request.keep(), self_)) v.Add("keep", "a registration or case of this node");
  if (!IsSubjectOf(request.duplicate(), self_) || request.duplicate() == request.keep()) {
    v.Add("duplicate", "another registration or case of this node");
  }
  if (request.reason().empty() || request.reason().size() > 500) v.Add("reason", "1-500 bytes");
  if (!v.empty()) return v.ToStatus();
  ENLACE_ASSIGN_OR_RETURN(v1::Crisis crisis, LoadCrisis(request.crisis()));
  if (crisis.phase() == v1::PHASE_CLOSED) return absl::FailedPreconditionError("crisis closed");
  const std::string crisis_key = keys::CrisisKey(crisis.name());
  storage::ScopedKeyLocks lock(locks_, {keys::Entry(crisis_key, request.keep()),
                                        keys::Entry(crisis_key, request.duplicate())});
  ENLACE_ASSIGN_OR_RETURN(auto keep, LoadEntry(crisis_key, request.keep()));
  ENLACE_ASSIGN_OR_RETURN(auto dup, LoadEntry(crisis_key, request.duplicate()));
  if (!keep.has_value() || !dup.has_value()) {
    return absl::NotFoundError("both subjects must be on the crisis's worklist");
  }
  if (!keep->merged_into().empty() || !dup->merged_into().empty()) {
    return absl::FailedPreconditionError("one of the subjects was already merged");
  }
  // The kept subject's status is rolled up over the duplicate's notes too.
  v1::AccountingEntry merged = *keep;
  auto it = store_->ScanPrefix(cf_, keys::Notes(crisis_key, request.duplicate()));
  for (; it->Valid(); it->Next()) {
    v1::WelfareNote n;
    ENLACE_RETURN_IF_ERROR(
        crypto::OpenRecord(vault_, it->value(), std::string(it->key()), &n).status());
    ENLACE_RETURN_IF_ERROR(RollUp(n, merged));
  }
  ENLACE_RETURN_IF_ERROR(it->status());
  merged.set_risk(std::min(merged.risk(), dup->risk()));
  v1::AccountingEntry gone = *dup;
  gone.set_merged_into(request.keep());
  txn::Transaction txn;
  StageEntry(crisis_key, keep, merged, txn);
  StageEntry(crisis_key, dup, gone, txn);
  txn.batch.Put(cf_, absl::StrCat("G|", crisis_key, "|", request.keep(), "|", request.duplicate()),
                "");
  txn.Audit(caller.identity, "crisis.MergeSubjects",
            {request.keep(), request.duplicate(), crisis.name()})
      .set_detail(request.reason());
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  merged.set_display_name(DisplayName(merged.subject()));
  return merged;
}

absl::StatusOr<int> Crises::RunActivationJobs() {
  std::vector<std::pair<std::string, std::string>> jobs;
  {
    auto it = store_->ScanPrefix(cf_, "J|");
    for (; it->Valid(); it->Next()) jobs.emplace_back(it->key().substr(2), it->value());
    ENLACE_RETURN_IF_ERROR(it->status());
  }
  int added = 0;
  const Caller system = SystemCaller(self_, "crisis");
  for (auto& [crisis_key, cursor] : jobs) {
    ENLACE_ASSIGN_OR_RETURN(v1::Crisis crisis, LoadCrisis(crisis_key));
    // Registrations that read the crises before the activation are committed by now.
    { absl::WriterMutexLock barrier(&activation_mu_); }
    // Registrations of every area, in key order; the cursor is the last key done.
    std::vector<std::string> areas(crisis.areas().begin(), crisis.areas().end());
    std::sort(areas.begin(), areas.end());
    for (const std::string& area : areas) {
      const std::string prefix = absl::StrCat("RA|", crisis.host_country(), "|", area, "|");
      for (bool done = false; !done;) {
        std::string lower = prefix;
        if (cursor >= prefix) lower = cursor + std::string(1, '\0');
        if (lower >= storage::PrefixSuccessor(prefix)) break;
        std::vector<std::string> batch;
        auto it = store_->Scan(cf_, lower, storage::PrefixSuccessor(prefix));
        for (; it->Valid() && batch.size() < kJobBatch; it->Next()) batch.emplace_back(it->key());
        ENLACE_RETURN_IF_ERROR(it->status());
        done = batch.size() < kJobBatch;
        if (batch.empty()) break;
        std::vector<std::string> lock_keys;
        std::vector<std::string> subjects;
        for (const std::string& k : batch) {
          subjects.push_back(keys::RegistrationName(self_, k.substr(k.rfind('|') + 1)));
          lock_keys.push_back(keys::Entry(crisis_key, subjects.back()));
        }
        storage::ScopedKeyLocks lock(locks_, lock_keys);
        txn::Transaction txn;
        for (const std::string& subject : subjects) {
          ENLACE_ASSIGN_OR_RETURN(auto have, LoadEntry(crisis_key, subject));
          if (have.has_value()) continue;
          ENLACE_ASSIGN_OR_RETURN(auto r, LoadRegistration(keys::IdOf(subject)));
          if (!r.has_value()) continue;
          v1::AccountingEntry e;
          e.set_crisis(crisis.name());
          e.set_subject(subject);
          e.set_area(area);
          e.set_status(v1::WELFARE_STATUS_UNACCOUNTED);
          e.set_post(r->post());
          e.set_risk(Risk(r->child(), r->older_person(), r->medical_needs(), e.status()));
          StageEntry(crisis_key, std::nullopt, e, txn);
          ++added;
        }
        cursor = batch.back();
        txn.batch.Put(cf_, keys::Job(crisis_key), cursor);
        ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
      }
    }
    // Then this member's open cases in the host country (their area is not recorded).
    std::string page;
    do {
      cv1::ListCasesRequest list;
      list.set_parent(absl::StrCat("countries/", self_));
      list.set_status(cv1::STATUS_OPEN);
      list.set_page_size(1000);
      list.set_page_token(page);
      ENLACE_ASSIGN_OR_RETURN(cv1::ListCasesResponse cases, registry_->ListCases(list, system));
      std::vector<std::string> lock_keys;
      for (const auto& c : cases.cases()) lock_keys.push_back(keys::Entry(crisis_key, c.name()));
      storage::ScopedKeyLocks lock(locks_, lock_keys);
      txn::Transaction txn;
      for (const auto& c : cases.cases()) {
        if (c.host_country() != crisis.host_country()) continue;
        ENLACE_ASSIGN_OR_RETURN(auto have, LoadEntry(crisis_key, c.name()));
        if (have.has_value()) continue;
        v1::AccountingEntry e;
        e.set_crisis(crisis.name());
        e.set_subject(c.name());
        e.set_area(crisis.host_country());
        e.set_status(v1::WELFARE_STATUS_UNACCOUNTED);
        e.set_post(c.post());
        e.set_risk(Risk(false, false, c.urgent(), e.status()));
        StageEntry(crisis_key, std::nullopt, e, txn);
        ++added;
      }
      ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
      page = cases.next_page_token();
    } while (!page.empty());
    txn::Transaction finish;
    finish.batch.Delete(cf_, keys::Job(crisis_key));
    finish.Audit(system.identity, "crisis.WorklistReady", {crisis.name()});
    ENLACE_RETURN_IF_ERROR(committer_->Commit(finish));
  }
  return added;
}

absl::StatusOr<int> Crises::OpenFollowUpCases() {
  std::vector<std::string> pending;
  {
    auto it = store_->ScanPrefix(cf_, "F|");
    for (; it->Valid() && pending.size() < 100; it->Next()) pending.emplace_back(it->key());
    ENLACE_RETURN_IF_ERROR(it->status());
  }
  int count = 0;
  const Caller system = SystemCaller(self_, "crisis");
  for (const std::string& f : pending) {
    std::vector<std::string> p = absl::StrSplit(f, '|');
    if (p.size() != 3) continue;
    const std::string& crisis_key = p[1];
    const std::string& subject = p[2];
    ENLACE_ASSIGN_OR_RETURN(v1::Crisis crisis, LoadCrisis(crisis_key));
    storage::ScopedKeyLocks lock(locks_, {keys::Entry(crisis_key, subject)});
    ENLACE_ASSIGN_OR_RETURN(auto e, LoadEntry(crisis_key, subject));
    txn::Transaction txn;
    txn.batch.Delete(cf_, f);
    if (e.has_value() && e->opened_case().empty()) {
      v1::AccountingEntry after = *e;
      if (!absl::StrContains(subject, "/registrations/")) {
        after.set_opened_case(subject);  // already a case: follow-up happens there
      } else {
        ENLACE_ASSIGN_OR_RETURN(auto r, LoadRegistration(keys::IdOf(subject)));
        if (r.has_value() && !r->given_names().empty()) {
          cv1::Person person;
          person.set_given_names(r->given_names());
          person.set_family_names(r->family_names());
          person.set_birth_date(r->birth_date());
          // Sex is required of a person on file; a registration may not say it.
          person.set_sex(r->sex() == cv1::SEX_UNSPECIFIED ? cv1::SEX_UNDISCLOSED : r->sex());
          *person.mutable_documents() = r->documents();
          person.add_nationalities(self_);
          person.set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
          cv1::Case kase;
          kase.set_post(r->post());
          kase.set_host_country(crisis.host_country());
          kase.set_place(e->area());
          kase.set_category(cv1::CATEGORY_CRISIS);
          kase.set_subtype(cv1::SUBTYPE_CRISIS_ASSISTANCE);
          kase.set_risk(cv1::RISK_HIGH);
          kase.set_urgent(true);
          kase.set_legal_basis(cv1::LEGAL_BASIS_VITAL_INTEREST);
          kase.set_opened_from(crisis.name());
          const std::string request_id =
              absl::StrCat("crisis-", keys::IdOf(crisis.name()), "-", keys::IdOf(subject));
          auto opened = cases::OpenCaseFor(*registry_, person, std::move(kase), request_id, system);
          if (absl::IsInvalidArgument(opened.status())) {
            // The registration cannot make a person on file (retrying would not help): the
            // follow-up is dropped, said in the audit log, and left to an officer.
            txn.Audit(system.identity, "crisis.OpenFollowUpCase", {subject, crisis.name()},
                      enlace::audit::v1::AUDIT_OUTCOME_REJECTED)
                .set_detail(std::string(opened.status().message()));
            ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
            continue;
          }
          ENLACE_RETURN_IF_ERROR(opened.status());
          after.set_opened_case(opened->opened.name());
          // A case holds the registration: the retention clock no longer ends it.
          txn.batch.Put(cf_, absl::StrCat("H|", keys::IdOf(subject)), opened->opened.name());
          ++count;
        }
      }
      StageEntry(crisis_key, e, after, txn);
    }
    ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  }
  return count;
}

}  // namespace enlace::crisis
