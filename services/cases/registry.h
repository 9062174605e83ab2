#ifndef ENLACE_SERVICES_CASES_REGISTRY_H_
#define ENLACE_SERVICES_CASES_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "common/crypto/key_vault.h"
#include "common/identity/caller.h"
#include "common/txn/committer.h"
#include "common/pagetoken/page_token.h"
#include "common/storage/key_locks.h"
#include "common/storage/store.h"
#include "enlace/cases/v1/case_service.pb.h"
#include "enlace/cases/v1/person_service.pb.h"
#include "services/cases/rules.h"

namespace enlace::cases {

// Column families the registry keeps; the node opens the store with them.
storage::StoreOptions RegistryStoreOptions(const std::string& path);

// The registry of one country's persons, cases and actions. Validates, checks preconditions
// and the caller's scope (an officer reaches only its own post's cases and their persons),
// and commits each mutation -- entity, secondary indexes, counters, idempotency record and
// audit record -- as ONE synced WriteBatch through the committer. Reads of personal data are
// audited too. Personal fields are sealed with the person's data key; indexes hold keyed
// hashes only. Thread-safe; calls block on storage, so the gRPC layer runs them on a pool.
class Registry {
 public:
  struct Options {
    std::string country;  // ISO 3166-1 alpha-2
    std::vector<std::string> post_codes;
    std::function<absl::Time()> clock = [] { return absl::Now(); };
    // Data keys; null = personal fields stored unsealed (benchmarks of the cost only).
    crypto::KeyVault* vault = nullptr;
    // Audit reads of personal data (writes are always audited).
    bool audit_reads = true;
  };
  // `store` must have been opened with RegistryStoreOptions; everything must outlive the
  // registry.
  static absl::StatusOr<std::unique_ptr<Registry>> Create(Options options,
                                                          storage::Store* store,
                                                          txn::Committer* committer);

  absl::StatusOr<v1::Person> CreatePerson(const v1::CreatePersonRequest& request,
                                          const Caller& caller);
  absl::StatusOr<v1::Person> GetPerson(const v1::GetPersonRequest& request,
                                       const Caller& caller);
  absl::StatusOr<v1::Person> UpdatePerson(const v1::UpdatePersonRequest& request,
                                          const Caller& caller);
  absl::StatusOr<v1::SearchPersonsResponse> SearchPersons(
      const v1::SearchPersonsRequest& request, const Caller& caller);
  absl::StatusOr<v1::ErasePersonResponse> ErasePerson(const v1::ErasePersonRequest& request,
                                                      const Caller& caller);
  absl::StatusOr<v1::GrantPersonAccessResponse> GrantPersonAccess(
      const v1::GrantPersonAccessRequest& request, const Caller& caller);

  absl::StatusOr<v1::Case> CreateCase(const v1::CreateCaseRequest& request,
                                      const Caller& caller);
  absl::StatusOr<v1::Case> GetCase(const v1::GetCaseRequest& request, const Caller& caller);
  absl::StatusOr<v1::ListCasesResponse> ListCases(const v1::ListCasesRequest& request,
                                                  const Caller& caller);
  absl::StatusOr<v1::Case> UpdateCase(const v1::UpdateCaseRequest& request,
                                      const Caller& caller);
  absl::StatusOr<v1::Case> CloseCase(const v1::CloseCaseRequest& request, const Caller& caller);
  absl::StatusOr<v1::Action> AddAction(const v1::AddActionRequest& request,
                                       const Caller& caller);
  absl::StatusOr<v1::ListActionsResponse> ListActions(const v1::ListActionsRequest& request,
                                                      const Caller& caller);

  // The one write lock of a case: "C:<id>" in this registry's key locks. Every writer of a
  // case holds it from the read its change is computed from until that change is committed;
  // UpdateCase, CloseCase, AddAction and CloseTransferredCase take it themselves, and a
  // module that changes a case in its own transaction (a transfer) holds it with LockCase.
  class CaseLock {
   public:
    CaseLock(const CaseLock&) = delete;
    CaseLock& operator=(const CaseLock&) = delete;
    const std::string& case_id() const { return case_id_; }

   private:
    friend class Registry;
    CaseLock(storage::KeyLocks& locks, std::string case_id)
        : case_id_(std::move(case_id)), held_(locks, {"C:" + case_id_}) {}
    std::string case_id_;
    storage::ScopedKeyLocks held_;
  };
  // Blocks until the case's write lock is free; hold the result until after the commit.
  absl::StatusOr<std::unique_ptr<CaseLock>> LockCase(const std::string& case_name);

  // Case transfers: while one is pending the case accepts no change.
  // Adds the lock to `txn` after checking the case is open, in the caller's scope and not
  // already being transferred; returns the case. `held` is the case's write lock, held until
  // `txn` is committed, so the returned case (the transfer's snapshot) is still the case's
  // latest version when the transfer lock lands.
  absl::StatusOr<v1::Case> LockForTransfer(const CaseLock& held, const std::string& transfer,
                                           const Caller& caller, txn::Transaction& txn);
  // Removes the transfer lock in `txn`; `held` is held until `txn` is committed.
  void UnlockTransfer(const CaseLock& held, txn::Transaction& txn) const;
  // Closes a case handed over to another member (resolution TRANSFERRED) and removes its
  // lock. Idempotent: a case already closed is left as it is.
  absl::Status CloseTransferredCase(const std::string& case_name, const std::string& new_case);
  // The person and actions of a case, for a transfer's snapshot.
  absl::StatusOr<std::vector<v1::Action>> AllActions(const std::string& case_name) const;

  // A person's data has one lifetime: every record sealed with a data key of its own that
  // holds a local person's data (a referral, a transfer snapshot, a received notification...)
  // is linked to the person in the record's transaction. ErasePerson destroys the person's
  // data key and every linked one.
  //
  // A writer that copies a person's data holds the person's guard from before its read of
  // that data until the commit that links the copy. ErasePerson takes the same guard, so an
  // erasure either sees the link (and destroys the copy's key at once) or came first (and the
  // guard refuses). Lock order: the registry's case and person locks and a module's own
  // locks before a guard; one guard at a time; no registry write while holding one.
  class PersonGuard {
   public:
    PersonGuard(const PersonGuard&) = delete;
    PersonGuard& operator=(const PersonGuard&) = delete;
    const std::string& person_id() const { return person_id_; }

   private:
    friend class Registry;
    PersonGuard(storage::KeyLocks& locks, std::string person_id)
        : person_id_(std::move(person_id)), held_(locks, {person_id_}) {}
    std::string person_id_;
    storage::ScopedKeyLocks held_;
  };
  // Blocks until the person's guard is free. FAILED_PRECONDITION once the person was erased;
  // INVALID_ARGUMENT/NOT_FOUND as for the person's name.
  absl::StatusOr<std::unique_ptr<PersonGuard>> GuardPerson(absl::string_view person_name);
  // Writes "P|k|<person_id>|<key_owner>" in `txn`; hold `guard` until `txn` is committed.
  void LinkToPerson(txn::Transaction& txn, const PersonGuard& guard,
                    const std::string& key_owner) const;
  // Called by ErasePerson, under the person's lock and before any key is destroyed, with the
  // data keys linked to the person; adds to `txn` (committed with the erasure), e.g. envelopes
  // telling the members that received a disclosure about the person. An error aborts the
  // erasure. Register every hook before the registry serves requests.
  using ErasureHook = std::function<absl::Status(
      const std::string& person_id, const std::vector<std::string>& linked_key_owners,
      txn::Transaction& txn)>;
  void AddErasureHook(ErasureHook hook) { erasure_hooks_.push_back(std::move(hook)); }
  // Called with every case version the registry stages (a new case: `before` null and its
  // person given; a change: `person` null), adding to the same transaction what must move
  // with the case, e.g. the statistics module's counters. An error aborts the change.
  // Register every hook before the registry serves requests.
  using CaseHook = std::function<absl::Status(const v1::Case* before, const v1::Case& after,
                                              const v1::Person* person, txn::Transaction& txn)>;
  void AddCaseHook(CaseHook hook) { case_hooks_.push_back(std::move(hook)); }
  // Called with every action the registry records, and its case, under the case's lock, in
  // the action's transaction (e.g. the statistics module's actions by type).
  using ActionHook = std::function<absl::Status(const v1::Case& kase, const v1::Action& action,
                                                txn::Transaction& txn)>;
  void AddActionHook(ActionHook hook) { action_hooks_.push_back(std::move(hook)); }
  // True once the person was erased.
  absl::StatusOr<bool> IsErased(const std::string& person_id) const;

  // Checks that every secondary index entry points at an entity that agrees with it and that
  // every entity has all its index entries (used after crashes and by `enlace-node --check`).
  // Returns the problems found; empty when consistent.
  absl::StatusOr<std::vector<std::string>> CheckConsistency() const;
  // Finishes erasures interrupted by a crash (data gone, data key not yet destroyed).
  absl::Status CompleteErasures();
  // Adds the post + category index to a store written before it existed (once; see
  // kPostCategoryIndexKey). Create runs it before the registry is used.
  absl::Status BackfillPostCategoryIndex();

  const std::string& country() const { return options_.country; }

 private:
  Registry(Options options, storage::Store* store, txn::Committer* committer,
           std::string page_secret);

  // Sealing of personal fields.
  absl::StatusOr<std::string> DataKey(const std::string& person_id) const;
  // The writes of a case's new version `after` of `before` (stored under `id`): its sealed
  // record, and the diffs of its index entries and counters. The one write sequence of every
  // case change (UpdateCase, CloseCase, CloseTransferredCase).
  absl::Status StageCaseVersion(const v1::Case& before, const v1::Case& after,
                                const std::string& id, txn::Transaction& txn) const;
  absl::StatusOr<std::string> EncodeRecord(const google::protobuf::Message& public_part,
                                           const google::protobuf::Message& personal_part,
                                    const std::string& key_owner, const std::string& aad) const;
  // Fills `out` from a stored record; personal fields stay empty if the data key is gone.
  absl::Status DecodeRecord(absl::string_view stored, const std::string& aad,
                    google::protobuf::Message* out) const;
  std::string KeyedHash(absl::string_view domain, absl::string_view value) const;
  std::map<std::string, std::string> PersonIndexEntries(const v1::Person& p,
                                                        const std::string& id) const;
  std::string DocKey(const v1::IdentityDocument& d) const;

  // Scope checks.
  absl::Status CheckPersonAccess(const std::string& person_id, const Caller& caller) const;
  absl::Status CheckCaseAccess(const v1::Case& c, const Caller& caller) const;
  absl::Status CheckNotTransferring(const std::string& case_id) const;
  bool OfficerSeesPerson(const std::string& person_id, const std::string& post) const;
  // A post reaches a person only by a written rule: its officer created the person, a
  // supervisor granted it (explicitly, or by opening or moving a case there), or an officer
  // presented the person's identity document. Adds the grant to `txn` with an audit record
  // naming the basis; returns false (and adds nothing) when the post already reaches them.
  bool AddGrant(txn::Transaction& txn, const Caller& caller, const std::string& person_id,
                const std::string& post, absl::string_view basis) const;
  // The ALREADY_EXISTS answer to a document registered to `holder`: names the holder only
  // to a caller who reaches them or who presented their full identity (`presented`:
  // names and birth date as on the document). The refusal is audited.
  absl::Status DocumentTaken(int index, const std::string& holder, const v1::Person& presented,
                             const Caller& caller, absl::string_view action) const;
  // Commits an audit record of a refused request (outcome DENIED or REJECTED).
  void AuditRefusal(const Caller& caller, absl::string_view action,
                    std::vector<std::string> resources, const absl::Status& why,
                    enlace::audit::v1::AuditOutcome outcome) const;

  // Audit.
  void Audit(txn::Transaction& txn, const Caller& caller, absl::string_view action,
             std::vector<std::string> resources) const;
  absl::Status AuditRead(const Caller& caller, absl::string_view action,
                         std::vector<std::string> resources) const;

  absl::StatusOr<std::string> ParseParent(absl::string_view parent) const;
  absl::StatusOr<std::string> ParsePersonName(absl::string_view name,
                                              absl::string_view field) const;
  absl::StatusOr<std::string> ParseCaseName(absl::string_view name,
                                            absl::string_view field) const;
  absl::StatusOr<std::optional<v1::Person>> LoadPerson(const std::string& id) const;
  absl::StatusOr<std::optional<v1::Case>> LoadCase(const std::string& id) const;
  // The result of an earlier create with this request id, if any.
  absl::StatusOr<std::optional<std::string>> LookupRequest(const std::string& key,
                                                           const std::string& fingerprint) const;

  Options options_;
  CaseContext context_;
  storage::Store* store_;
  txn::Committer* committer_;
  std::string index_key_;
  const storage::ColumnFamily* persons_;
  const storage::ColumnFamily* cases_;
  const storage::ColumnFamily* actions_;
  const storage::ColumnFamily* index_;
  const storage::ColumnFamily* requests_;
  const storage::ColumnFamily* counters_;
  PageTokenCodec page_tokens_;
  storage::KeyLocks locks_;
  // Person guards (GuardPerson); apart from locks_ so that holding a case lock and then a
  // guard can never meet the same stripe twice.
  mutable storage::KeyLocks person_guards_;
  std::vector<ErasureHook> erasure_hooks_;
  std::vector<CaseHook> case_hooks_;
  std::vector<ActionHook> action_hooks_;
};

}  // namespace enlace::cases

#endif  // ENLACE_SERVICES_CASES_REGISTRY_H_
