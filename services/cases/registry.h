#ifndef ENLACE_SERVICES_CASES_REGISTRY_H_
#define ENLACE_SERVICES_CASES_REGISTRY_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "common/identity/caller.h"
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
// and commits each mutation -- entity, secondary indexes, counters and idempotency record --
// as ONE synced WriteBatch. Thread-safe; calls block on storage, so the gRPC layer runs them
// on a worker pool.
class Registry {
 public:
  struct Options {
    std::string country;  // ISO 3166-1 alpha-2
    std::vector<std::string> post_codes;
    std::function<absl::Time()> clock = [] { return absl::Now(); };
  };
  // `store` must have been opened with RegistryStoreOptions and outlive the registry.
  static absl::StatusOr<std::unique_ptr<Registry>> Create(Options options,
                                                          storage::Store* store);

  absl::StatusOr<v1::Person> CreatePerson(const v1::CreatePersonRequest& request,
                                          const Caller& caller);
  absl::StatusOr<v1::Person> GetPerson(const v1::GetPersonRequest& request,
                                       const Caller& caller);
  absl::StatusOr<v1::Person> UpdatePerson(const v1::UpdatePersonRequest& request,
                                          const Caller& caller);
  absl::StatusOr<v1::SearchPersonsResponse> SearchPersons(
      const v1::SearchPersonsRequest& request, const Caller& caller);

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

  // Checks that every secondary index entry points at an entity that agrees with it and that
  // every entity has all its index entries (used after crashes and by `enlace-node --check`).
  // Returns the problems found; empty when consistent.
  absl::StatusOr<std::vector<std::string>> CheckConsistency() const;

  const std::string& country() const { return options_.country; }

 private:
  Registry(Options options, storage::Store* store, std::string page_secret);

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
  const storage::ColumnFamily* persons_;
  const storage::ColumnFamily* cases_;
  const storage::ColumnFamily* actions_;
  const storage::ColumnFamily* index_;
  const storage::ColumnFamily* requests_;
  const storage::ColumnFamily* counters_;
  PageTokenCodec page_tokens_;
  storage::KeyLocks locks_;
};

}  // namespace enlace::cases

#endif  // ENLACE_SERVICES_CASES_REGISTRY_H_
