// Outreach events (Labor Rights Week, workshops, mobile consulates): counts only, no person,
// so that a post can report its week with totals.

#include "absl/strings/str_cat.h"
#include "common/geo/geo.h"
#include "common/ids/ids.h"
#include "common/status/errors.h"
#include "common/status/macros.h"
#include "common/time/proto_time.h"
#include "services/workers/keys.h"
#include "services/workers/workers.h"

namespace enlace::workers {

absl::StatusOr<v1::OutreachEvent> Workers::CreateOutreachEvent(
    const v1::CreateOutreachEventRequest& request, const Caller& caller) {
  ENLACE_RETURN_IF_ERROR(CheckParent(request.parent()));
  v1::OutreachEvent e = request.event();
  const absl::Time now = clock_->Now();
  FieldViolations v;
  if (!request.request_id().empty() && !ids::IsValidRequestId(request.request_id())) {
    v.Add("request_id", "1-64 characters of A-Z a-z 0-9 _ -");
  }
  ValidateOutreachEvent(e, absl::ToCivilDay(now, absl::UTCTimeZone()), v);
  if (!v.empty()) return v.ToStatus();
  ENLACE_ASSIGN_OR_RETURN(const std::string post, PostFor(e.post(), caller, "event.post"));
  const std::string request_key = keys::Request("event", caller.identity, request.request_id());
  storage::ScopedKeyLocks lock(locks_, {request_key});
  ENLACE_ASSIGN_OR_RETURN(std::string earlier, EarlierResult(request_key));
  if (!earlier.empty()) {
    ENLACE_ASSIGN_OR_RETURN(auto raw, store_->Get(cf_, earlier));
    v1::OutreachEvent out;
    if (!raw.has_value() || !out.ParseFromString(*raw)) {
      return absl::DataLossError("stored outreach event missing");
    }
    return out;
  }
  const std::string id = ids::NewId(now);
  e.set_name(absl::StrCat("countries/", self_, "/outreachEvents/", id));
  e.set_post(post);
  *e.mutable_create_time() = ToProtoTime(now);
  const std::string key = keys::Event(post, e.date(), id);
  txn::Transaction txn;
  txn.batch.Put(cf_, key, e.SerializeAsString());
  // The request remembers the key: the event is found by post and date, not by id.
  if (!request_key.empty()) txn.batch.Put(cf_, request_key, key);
  txn.Audit(caller.identity, "workers.CreateOutreachEvent", {e.name()})
      .set_detail(absl::StrCat(v1::OutreachKind_Name(e.kind()), " ", e.date(), " ", post));
  ENLACE_RETURN_IF_ERROR(committer_->Commit(txn));
  return e;
}

absl::StatusOr<v1::ListOutreachEventsResponse> Workers::ListOutreachEvents(
    const v1::ListOutreachEventsRequest& request, const Caller& caller) {
  ENLACE_RETURN_IF_ERROR(CheckParent(request.parent()));
  std::string post = request.post();
  if (caller.role == Role::kOfficer && post.empty()) post = caller.post;
  FieldViolations v;
  if (!geo::IsPostCode(post)) v.Add("post", "a consular post code, e.g. MX-LAX");
  absl::CivilDay start, end;
  const bool has_start = ParseDate(request.start_date(), &start);
  if (!has_start) v.Add("start_date", "YYYY-MM-DD");
  if (!ParseDate(request.end_date(), &end) || (has_start && end < start)) {
    v.Add("end_date", "YYYY-MM-DD, not before start_date");
  } else if (has_start && end - start > 3660) {
    v.Add("end_date", "at most ten years after start_date");
  }
  if (!v.empty()) return v.ToStatus();
  ENLACE_RETURN_IF_ERROR(CheckPost(post, caller));
  v1::ListOutreachEventsResponse out;
  auto it = store_->Scan(cf_, keys::Event(post, request.start_date(), ""),
                         keys::Event(post, absl::FormatCivilTime(end + 1), ""));
  for (; it->Valid(); it->Next()) {
    v1::OutreachEvent* e = out.add_events();
    if (!e->ParseFromArray(it->value().data(), it->value().size())) {
      return absl::DataLossError("stored outreach event corrupt");
    }
    out.set_attendees(out.attendees() + e->attendees());
    out.set_cases_identified(out.cases_identified() + e->cases_identified());
  }
  ENLACE_RETURN_IF_ERROR(it->status());
  out.set_event_count(out.events_size());
  return out;
}

}  // namespace enlace::workers
