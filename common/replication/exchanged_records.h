#ifndef ENLACE_COMMON_REPLICATION_EXCHANGED_RECORDS_H_
#define ENLACE_COMMON_REPLICATION_EXCHANGED_RECORDS_H_

// Records that two members hold a copy of each (a referral, a case transfer):
// the sender's copy and the receiver's, each sealed, each visible to the post
// on its side. The key layout, lookup by resource name, post scoping and the
// paged, audited listing live here once; a module adds its state machine and
// its disclosure policy.
//
// Keys, in the module's own column family:
//   "o|{id}"                the sender's copy        "q|{post}|{id}"         by
//   sending post "i|{from}|{id}"         the receiver's copy
//   "p|{post}|{from}|{id}"  by receiving post
// Resource names: "countries/{from}/{collection}/{id}" (the sender's country).

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "common/crypto/key_vault.h"
#include "common/crypto/sealed_record.h"
#include "common/identity/caller.h"
#include "common/pagetoken/page_token.h"
#include "common/status/errors.h"
#include "common/storage/store.h"
#include "common/txn/committer.h"

namespace enlace::replication {

// The untyped half: keys, names, the officer's scope and the listing's scan and
// audit.
class ExchangedRecordsBase {
 public:
  struct Options {
    std::string self;        // this node's country, ISO 3166-1 alpha-2
    std::string collection;  // "referrals": the resource names' collection
    std::string singular;    // "referral": in messages
    storage::Store* store = nullptr;
    const storage::ColumnFamily* cf = nullptr;  // the module's own column family
    crypto::KeyVault* vault = nullptr;          // null when sealing is disabled
    txn::Committer* committer = nullptr;
    std::string page_secret;  // this node's, for this collection
                              // (LoadOrCreateNodeSecret)
  };

  static std::string OutKey(absl::string_view id);
  static std::string InKey(absl::string_view from, absl::string_view id);
  static std::string OutPostKey(absl::string_view post, absl::string_view id);
  static std::string InPostKey(absl::string_view post, absl::string_view from,
                               absl::string_view id);

  // "countries/{from}/{collection}/{id}" -> from, id; false when malformed.
  bool ParseName(absl::string_view name, std::string* from, std::string* id) const;
  std::string Name(absl::string_view from, absl::string_view id) const;
  // The owner of a copy's data key in the vault: "{singular}:{from}:{id}". Each copy has its
  // own, linked to the person (Registry::LinkToPerson) so an erasure destroys it.
  std::string KeyOwner(absl::string_view from, absl::string_view id) const;
  // Destroys a copy's data key now (idempotent; nothing without a vault).
  absl::Status DestroyKey(absl::string_view from, absl::string_view id) const;
  const std::string& self() const { return options_.self; }
  const std::string& collection() const { return options_.collection; }

  // A listing request, as every exchanged collection's List RPC has it.
  struct ListRequest {
    bool incoming = false;
    std::string post;  // empty: every post (supervisors); an officer's is forced
                       // to its own
    int32_t page_size = 0;
    std::string page_token;
  };

 protected:
  explicit ExchangedRecordsBase(Options options)
      : options_(std::move(options)), tokens_(options_.page_secret) {}

  // The scan of one listing page: range, query (for the page token) and limit.
  struct ListPlan {
    std::string prefix, lower, query;
    int limit = 0;
  };
  absl::StatusOr<ListPlan> Plan(const ListRequest& request, const Caller& caller) const;
  // The (from, id) of a listed key.
  void FromAndId(absl::string_view key, bool incoming, std::string* from, std::string* id) const;
  std::string NextPageToken(const ListPlan& plan, absl::string_view last_key) const;
  // One audit record naming every record a caller was shown (none: nothing is
  // written).
  absl::Status AuditRead(const Caller& caller, absl::string_view action,
                         std::vector<std::string> names) const;
  absl::Status CheckPost(const std::string& post, const Caller& caller) const;
  absl::StatusOr<std::optional<std::string>> Get(absl::string_view key) const;
  std::unique_ptr<storage::Iterator> Scan(const ListPlan& plan) const;

  Options options_;
  PageTokenCodec tokens_;
};

// The typed half, for a record proto with from_post() and to_post().
template <typename Record>
class ExchangedRecords : public ExchangedRecordsBase {
 public:
  explicit ExchangedRecords(Options options) : ExchangedRecordsBase(std::move(options)) {}

  struct Located {
    std::string key;        // storage key of this node's copy
    bool incoming = false;  // this node is the receiver
    Record record;
    bool sealed_part_gone = false;  // its data key was destroyed (erasure, expiry)
  };

  // This node's copy of `name`: INVALID_ARGUMENT on the field "name" when
  // malformed, NOT_FOUND when absent.
  absl::StatusOr<Located> Find(absl::string_view name) const {
    std::string from, id;
    if (!ParseName(name, &from, &id)) {
      return InvalidName();
    }
    Located l;
    l.incoming = from != self();
    l.key = l.incoming ? InKey(from, id) : OutKey(id);
    auto raw = Get(l.key);
    if (!raw.ok()) return raw.status();
    if (!raw->has_value()) return absl::NotFoundError(absl::StrCat(name, " not found"));
    auto opened = crypto::OpenRecord(options_.vault, **raw, l.key, &l.record);
    if (!opened.ok()) return opened.status();
    l.sealed_part_gone = !*opened;
    return l;
  }

  // An officer sees the copies of its own post: the sending post's at the
  // sender, the receiving post's at the receiver. Supervisors see the
  // country's.
  absl::Status CheckAccess(const Located& l, const Caller& caller) const {
    return CheckPost(l.incoming ? l.record.to_post() : l.record.from_post(), caller);
  }

  // For an erasure here: the names of the copies this node sent about the person (their key
  // owners among `linked_key_owners`), by the member that received each. Copies sent to no
  // member (an organisation of the directory) are left out: they die with their key.
  absl::StatusOr<std::map<std::string, std::vector<std::string>>> SentCopiesByMember(
      const std::vector<std::string>& linked_key_owners) const {
    const std::string mine = KeyOwner(self(), "");
    std::map<std::string, std::vector<std::string>> by_member;
    for (const auto& owner : linked_key_owners) {
      if (owner.rfind(mine, 0) != 0) continue;  // incoming copies: only their key dies
      const std::string name = Name(self(), owner.substr(mine.size()));
      auto l = Find(name);
      if (absl::IsNotFound(l.status())) continue;
      if (!l.ok()) return l.status();
      if (l->record.to_country().empty()) continue;
      by_member[l->record.to_country()].push_back(name);
    }
    return by_member;
  }

  struct Page {
    std::vector<Located> records;
    std::string next_page_token;
  };
  // One page in key order, audited as `audit_action` with the names shown.
  absl::StatusOr<Page> List(const ListRequest& request, const Caller& caller,
                            absl::string_view audit_action) const {
    auto plan = Plan(request, caller);
    if (!plan.ok()) return plan.status();
    Page page;
    std::vector<std::string> shown;
    std::string last;
    for (auto it = Scan(*plan); it->Valid(); it->Next()) {
      std::string from, id;
      FromAndId(it->key(), request.incoming, &from, &id);
      auto l = Find(Name(from, id));
      if (!l.ok()) continue;  // an index entry without its record: not shown
      if (static_cast<int>(page.records.size()) == plan->limit) {
        page.next_page_token = NextPageToken(*plan, last);
        break;
      }
      shown.push_back(l->record.name());
      page.records.push_back(*std::move(l));
      last = std::string(it->key());
    }
    if (absl::Status s = AuditRead(caller, audit_action, std::move(shown)); !s.ok()) return s;
    return page;
  }

 private:
  absl::Status InvalidName() const;
};

template <typename Record>
absl::Status ExchangedRecords<Record>::InvalidName() const {
  return InvalidField("name", absl::StrCat("must be countries/{country}/", collection(), "/{",
                                           options_.singular, "}"));
}

}  // namespace enlace::replication

#endif  // ENLACE_COMMON_REPLICATION_EXCHANGED_RECORDS_H_
