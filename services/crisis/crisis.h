#ifndef ENLACE_SERVICES_CRISIS_CRISIS_H_
#define ENLACE_SERVICES_CRISIS_CRISIS_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "common/crypto/key_vault.h"
#include "common/identity/caller.h"
#include "common/pagetoken/page_token.h"
#include "common/replication/exchanged_records.h"
#include "common/replication/follow_up_worker.h"
#include "common/storage/key_locks.h"
#include "common/storage/store.h"
#include "common/time/clock.h"
#include "common/txn/committer.h"
#include "enlace/crisis/v1/crisis.pb.h"
#include "enlace/node/v1/config.pb.h"
#include "services/cases/registry.h"
#include "services/crisis/rules.h"
#include "services/federation/inbox.h"
#include "services/stats/tally.h"

namespace enlace::crisis {

inline constexpr char kCrisisKind[] = "crisis.upsert";
inline constexpr char kMovementKind[] = "crisis.movement";
inline constexpr char kSightingKind[] = "crisis.sighting";
inline constexpr char kCountsKind[] = "crisis.counts";
inline constexpr char kAssistRequestKind[] = "crisis.assistance.request";
inline constexpr char kAssistUpdateKind[] = "crisis.assistance.update";

// Crises (MICIC). Split over four files by concern:
//   crises.cc        crises and movements: declared here or replicated from their declarer
//   registrations.cc nationals enrolled abroad, bulk import, retention
//   accounting.cc    welfare notes, the rolled-up status, worklist, board, merges, the job
//                    that puts every national of an area on the worklist when a crisis
//                    becomes active, and the follow-up cases
//   sightings.cc     sightings to and from other members, counts to the lead member
//   assistance.cc    one member asking another to act for its nationals (exchanged records)
// Rules without I/O are in rules.h. Keys of the "crisis" column family: keys.h.
class Crises : public federation::EnvelopeHandler {
 public:
  static void AddColumnFamilies(storage::StoreOptions& options);
  Crises(storage::Store* store, txn::Committer* committer, crypto::KeyVault* vault,
         cases::Registry* registry, enlace::node::v1::NodeConfig config,
         std::function<std::vector<std::string>()> peers, const Clock* clock);
  ~Crises();

  void Start() { worker_.Start(); }
  void Stop() { worker_.Stop(); }

  // crises.cc
  absl::StatusOr<v1::Crisis> DeclareCrisis(const v1::DeclareCrisisRequest& request,
                                           const Caller& caller);
  absl::StatusOr<v1::Crisis> UpdateCrisis(const v1::UpdateCrisisRequest& request,
                                          const Caller& caller);
  absl::StatusOr<v1::Crisis> GetCrisis(const v1::GetCrisisRequest& request, const Caller& caller);
  absl::StatusOr<v1::ListCrisesResponse> ListCrises(const v1::ListCrisesRequest& request,
                                                    const Caller& caller);
  absl::StatusOr<v1::Movement> PublishMovement(const v1::PublishMovementRequest& request,
                                               const Caller& caller);
  absl::StatusOr<v1::ListMovementsResponse> ListMovements(const v1::ListMovementsRequest& request,
                                                          const Caller& caller);

  // registrations.cc
  absl::StatusOr<v1::Registration> CreateRegistration(const v1::CreateRegistrationRequest& request,
                                                      const Caller& caller);
  absl::StatusOr<v1::Registration> GetRegistration(const v1::GetRegistrationRequest& request,
                                                   const Caller& caller);
  absl::StatusOr<v1::ImportRegistrationsResponse> ImportRegistrations(
      const v1::ImportRegistrationsRequest& request, const Caller& caller);
  // Ends the registrations whose retention clock ran out (their key is destroyed) unless a
  // crisis case holds them; returns how many.
  absl::StatusOr<int> PurgeExpired();

  // accounting.cc
  absl::StatusOr<v1::AccountingEntry> RecordWelfareNote(const v1::RecordWelfareNoteRequest& request,
                                                        const Caller& caller);
  absl::StatusOr<v1::ListWelfareNotesResponse> ListWelfareNotes(
      const v1::ListWelfareNotesRequest& request, const Caller& caller);
  absl::StatusOr<v1::ListWorklistResponse> ListWorklist(const v1::ListWorklistRequest& request,
                                                        const Caller& caller);
  absl::StatusOr<v1::Board> GetBoard(const v1::GetBoardRequest& request, const Caller& caller);
  absl::StatusOr<v1::AccountingEntry> MergeSubjects(const v1::MergeSubjectsRequest& request,
                                                    const Caller& caller);
  // Runs pending activation jobs to the end; returns how many subjects were added.
  absl::StatusOr<int> RunActivationJobs();
  // Opens the crisis cases pending follow-up notes asked for; returns how many.
  absl::StatusOr<int> OpenFollowUpCases();

  // sightings.cc
  absl::StatusOr<v1::SendSightingResponse> SendSighting(const v1::SendSightingRequest& request,
                                                        const Caller& caller);
  absl::StatusOr<v1::RegionalPicture> GetRegionalPicture(
      const v1::GetRegionalPictureRequest& request, const Caller& caller);
  // Records the sightings received from other members as welfare notes; returns how many.
  absl::StatusOr<int> ApplyReceivedSightings();
  // Sends this member's counts of every crisis whose counts changed to its lead member.
  absl::StatusOr<int> ReportCounts();

  // assistance.cc
  absl::StatusOr<v1::AssistanceRequest> RequestAssistance(
      const v1::RequestAssistanceRequest& request, const Caller& caller);
  absl::StatusOr<v1::AssistanceRequest> RespondToAssistance(
      const v1::RespondToAssistanceRequest& request, const Caller& caller);
  absl::StatusOr<v1::ListAssistanceResponse> ListAssistance(
      const v1::ListAssistanceRequest& request, const Caller& caller);

  // EnvelopeHandler: crises and movements of their declarers, sightings, counts.
  absl::Status Apply(const enlace::federation::v1::EnvelopeBody& body,
                     txn::Transaction& txn) override;
  // Queues every crisis and movement this node declared for a newly added member.
  absl::Status Bootstrap(const std::string& peer, txn::Transaction& txn);

 private:
  // A crisis by name or by key ("HN/id"); NOT_FOUND names it.
  absl::StatusOr<v1::Crisis> LoadCrisis(absl::string_view name) const;
  absl::StatusOr<std::vector<v1::Crisis>> AllCrises() const;
  absl::Status ApplyCrisis(const enlace::federation::v1::EnvelopeBody& body, txn::Transaction& txn);
  absl::Status ApplyMovement(const enlace::federation::v1::EnvelopeBody& body,
                             txn::Transaction& txn);
  absl::Status ApplySighting(const enlace::federation::v1::EnvelopeBody& body,
                             txn::Transaction& txn);
  absl::Status ApplyCounts(const enlace::federation::v1::EnvelopeBody& body, txn::Transaction& txn);
  absl::Status ApplyAssistance(const enlace::federation::v1::EnvelopeBody& body,
                               txn::Transaction& txn);
  // Stages the crisis (and, when it just became active, its activation job).
  // When the crisis closes, its subjects leave the statistics' stock (crisis_accounting).
  absl::Status StageCrisis(const v1::Crisis& crisis, v1::Phase before,
                           txn::Transaction& txn) const;
  // The secretariat's crisis board: one entry counted (+1) or uncounted (-1) in this month.
  void TallyEntry(const v1::AccountingEntry& entry, int delta, txn::Transaction& txn) const;
  void Broadcast(absl::string_view kind, const std::string& payload, txn::Transaction& txn) const;

  // A registration (personal part merged in while its key exists) by id.
  absl::StatusOr<std::optional<v1::Registration>> LoadRegistration(const std::string& id) const;
  // Validates, seals and stages a new registration, with its indexes and, for every active
  // crisis covering its area, its accounting entry. Caller holds locks_ on the request key.
  absl::StatusOr<v1::Registration> StageRegistration(v1::Registration r, const Caller& caller,
                                                     txn::Transaction& txn);
  // "countries/{self}" when `parent` is that, else INVALID_ARGUMENT on "parent".
  absl::StatusOr<std::string> CheckParent(const std::string& parent) const;
  // A crisis a request may still act on: INVALID_ARGUMENT on `field` when the name is malformed
  // or unknown here, FAILED_PRECONDITION once it is closed.
  absl::StatusOr<v1::Crisis> LiveCrisis(absl::string_view name, absl::string_view field) const;
  static void CheckRequestId(const std::string& request_id, FieldViolations& v);
  // Where a request id's result is kept: "" (no idempotency) without one.
  static std::string RequestKey(const Caller& caller, const std::string& request_id);
  // The request id's earlier result ("" when none).
  absl::StatusOr<std::string> EarlierResult(const std::string& request_key) const;

  // The subject's entry in the crisis (nullopt when it is not on the worklist).
  absl::StatusOr<std::optional<v1::AccountingEntry>> LoadEntry(const std::string& crisis_key,
                                                               const std::string& subject) const;
  // Writes `entry` with its worklist indexes and counts; `before` is what it replaces.
  void StageEntry(const std::string& crisis_key, const std::optional<v1::AccountingEntry>& before,
                  const v1::AccountingEntry& entry, txn::Transaction& txn) const;
  // Appends `note` to the subject's log, rolls the entry up (creating it when the subject was
  // not yet on the worklist), and stages the follow-up case when the note asks for one.
  // Caller holds the subject's lock.
  absl::StatusOr<v1::AccountingEntry> StageNote(const v1::Crisis& crisis, v1::WelfareNote note,
                                                const std::string& post, bool child, bool older,
                                                bool medical, txn::Transaction& txn);
  // Officers act on their own post's subjects only.
  static absl::Status CheckPost(const std::string& post, const Caller& caller);
  std::string DisplayName(const std::string& subject) const;
  // Keyed hashes for matching sightings to registrations without storing names in clear.
  std::string DocumentIndex(const enlace::cases::v1::IdentityDocument& d) const;
  std::string NameIndex(absl::string_view given, absl::string_view family, int birth_year) const;

  storage::Store* store_;
  txn::Committer* committer_;
  crypto::KeyVault* vault_;
  cases::Registry* registry_;
  const enlace::node::v1::NodeConfig config_;
  const std::string self_;
  std::function<std::vector<std::string>()> peers_;
  const Clock* clock_;
  const storage::ColumnFamily* cf_;
  const storage::ColumnFamily* counts_;
  // Statistics: nationals in crises by welfare status (a stock, counted as changes).
  const stats::Tally tally_;
  const std::string index_secret_;
  PageTokenCodec page_tokens_;
  // Assistance requests: both members' copies (keys o|, i|, q|, p| of the crisis family).
  using Assistance = replication::ExchangedRecords<v1::AssistanceRequest>;
  Assistance assistance_;
  // When each crisis's counts were last reported (worker thread only): at most one report a
  // second per crisis, whatever the rate of notes.
  std::map<std::string, absl::Time> last_report_;
  storage::KeyLocks locks_;
  // Registrations hold it (shared) from reading which crises are active until their commit;
  // an activation job takes it exclusively once before scanning, so a registration either
  // saw the crisis active (and put itself on the worklist) or is committed before the scan.
  absl::Mutex activation_mu_;
  mutable replication::FollowUpWorker worker_{{"crisis", absl::Seconds(1)},
                                              [this]() -> absl::Status {
                                                absl::Status s;
                                                s.Update(RunActivationJobs().status());
                                                s.Update(ApplyReceivedSightings().status());
                                                s.Update(OpenFollowUpCases().status());
                                                s.Update(ReportCounts().status());
                                                s.Update(PurgeExpired().status());
                                                return s;
                                              }};
};

}  // namespace enlace::crisis

#endif  // ENLACE_SERVICES_CRISIS_CRISIS_H_
