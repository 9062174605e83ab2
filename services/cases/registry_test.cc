// Registry logic against a real RocksDB in a temporary directory (no gRPC).
#include "services/cases/registry.h"

#include <cstdlib>

#include "common/crypto/aead.h"
#include "common/time/proto_time.h"
#include "gtest/gtest.h"

namespace enlace::cases {
namespace {

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl =
        std::string(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp") + "/registry_XXXXXX";
    dir_ = mkdtemp(tmpl.data());
    storage::StoreOptions so = RegistryStoreOptions(dir_);
    txn::Committer::AddColumnFamilies(so);
    auto store = storage::Store::Open(so);
    ASSERT_TRUE(store.ok());
    store_ = *std::move(store);
    auto committer = txn::Committer::Create(store_.get(), "GT");
    ASSERT_TRUE(committer.ok());
    committer_ = *std::move(committer);
    crypto::MasterKeys keys;
    keys.keys[1] = *crypto::RandomBytes(32);
    auto vault = crypto::KeyVault::Open(dir_ + ".keys", keys);
    ASSERT_TRUE(vault.ok());
    vault_ = *std::move(vault);
    Registry::Options o;
    o.country = "GT";
    o.post_codes = {"GT-TAP", "GT-MEX"};
    o.clock = [this] { return now_; };
    o.vault = vault_.get();
    auto r = Registry::Create(o, store_.get(), committer_.get());
    ASSERT_TRUE(r.ok());
    registry_ = *std::move(r);
  }

  v1::Person MakePerson(const std::string& given, const std::string& family) {
    v1::CreatePersonRequest req;
    req.set_parent("countries/GT");
    auto* p = req.mutable_person();
    p->set_given_names(given);
    p->set_family_names(family);
    p->set_sex(v1::SEX_FEMALE);
    p->add_nationalities("GT");
    p->set_international_protection(v1::INTERNATIONAL_PROTECTION_NONE);
    auto r = registry_->CreatePerson(req, caller_);
    EXPECT_TRUE(r.ok()) << r.status();
    return *r;
  }

  v1::Case MakeCase(const v1::Person& p, const std::string& post, v1::Category category) {
    v1::CreateCaseRequest cr;
    cr.set_parent("countries/GT");
    auto* c = cr.mutable_case_();
    c->set_person(p.name());
    c->set_post(post);
    c->set_host_country("MX");
    c->set_place("Tapachula, Chiapas");
    c->set_category(category);
    if (category == v1::CATEGORY_MIGRATION) {
      c->set_subtype(v1::SUBTYPE_MINOR_IN_CUSTODY);
      c->set_legal_basis(v1::LEGAL_BASIS_CHILD_BEST_INTEREST);
    } else {
      c->set_subtype(v1::SUBTYPE_CRIMINAL_DETENTION);
      c->set_legal_basis(v1::LEGAL_BASIS_TREATY);
    }
    auto r = registry_->CreateCase(cr, caller_);
    EXPECT_TRUE(r.ok()) << r.status();
    now_ += absl::Seconds(1);
    return r.ok() ? *r : v1::Case();
  }

  std::vector<std::string> ListNames(const std::string& post, v1::Category category) {
    v1::ListCasesRequest l;
    l.set_parent("countries/GT");
    l.set_post(post);
    l.set_category(category);
    auto r = registry_->ListCases(l, caller_);
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> names;
    if (r.ok()) {
      for (const auto& c : r->cases()) names.push_back(c.name());
    }
    return names;
  }

  std::string dir_;
  absl::Time now_ = absl::FromUnixSeconds(1790000000);
  Caller caller_ = *ParseIdentity("spiffe://gt.enlace.example/role/supervisor/user/x");
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<txn::Committer> committer_;
  std::unique_ptr<crypto::KeyVault> vault_;
  std::unique_ptr<Registry> registry_;
};

TEST_F(RegistryTest, NameWordsRepeatedInOneNameYieldOnePerson) {
  auto p = MakePerson("María Mariana", "Marroquín");
  v1::SearchPersonsRequest s;
  s.set_parent("countries/GT");
  s.set_name_query("mar");
  s.set_page_size(1);
  int found = 0;
  while (true) {
    auto r = registry_->SearchPersons(s, caller_);
    ASSERT_TRUE(r.ok()) << r.status();
    found += r->persons_size();
    if (r->next_page_token().empty()) break;
    s.set_page_token(r->next_page_token());
  }
  EXPECT_EQ(found, 1);
}

TEST_F(RegistryTest, UpdatesKeepIndexesAndCountersConsistent) {
  auto p = MakePerson("Ixchel", "Tzul");
  v1::CreateCaseRequest cr;
  cr.set_parent("countries/GT");
  auto* c = cr.mutable_case_();
  c->set_person(p.name());
  c->set_post("GT-TAP");
  c->set_host_country("MX");
  c->set_place("Tapachula, Chiapas");
  c->set_category(v1::CATEGORY_MIGRATION);
  c->set_subtype(v1::SUBTYPE_MINOR_IN_CUSTODY);
  c->set_legal_basis(v1::LEGAL_BASIS_CHILD_BEST_INTEREST);
  auto created = registry_->CreateCase(cr, caller_);
  ASSERT_TRUE(created.ok()) << created.status();
  now_ += absl::Minutes(5);
  v1::UpdateCaseRequest up;
  *up.mutable_case_() = *created;
  up.mutable_case_()->set_post("GT-MEX");
  up.mutable_case_()->set_status(v1::STATUS_WAITING);
  up.mutable_update_mask()->add_paths("post");
  up.mutable_update_mask()->add_paths("status");
  auto updated = registry_->UpdateCase(up, caller_);
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(FromProtoTime(updated->update_time()), now_);
  v1::UpdatePersonRequest upp;
  *upp.mutable_person() = p;
  upp.mutable_person()->set_family_names("Tzul Tzoc");
  upp.mutable_update_mask()->add_paths("family_names");
  ASSERT_TRUE(registry_->UpdatePerson(upp, caller_).ok());
  auto problems = registry_->CheckConsistency();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty()) << (*problems)[0];

  v1::ListCasesRequest l;
  l.set_parent("countries/GT");
  l.set_post("GT-TAP");
  EXPECT_EQ(registry_->ListCases(l, caller_)->cases_size(), 0);
  l.set_post("GT-MEX");
  l.set_status(v1::STATUS_WAITING);
  EXPECT_EQ(registry_->ListCases(l, caller_)->cases_size(), 1);
  // The post + category index moved with the post.
  EXPECT_TRUE(ListNames("GT-TAP", v1::CATEGORY_MIGRATION).empty());
  EXPECT_EQ(ListNames("GT-MEX", v1::CATEGORY_MIGRATION),
            (std::vector<std::string>{updated->name()}));
}

// A store written before the post + category index existed: its entries and the marker are
// removed by hand. Listing by post and category reads that index alone (so finds nothing), the
// consistency check names the missing entries, and the next Create backfills them.
TEST_F(RegistryTest, PostAndCategoryIndexIsBackfilledForAnOlderStore) {
  auto p = MakePerson("Ixchel", "Tzul");
  const v1::Case old_migration = MakeCase(p, "GT-TAP", v1::CATEGORY_MIGRATION);
  const v1::Case criminal = MakeCase(p, "GT-TAP", v1::CATEGORY_CRIMINAL);
  const v1::Case elsewhere = MakeCase(p, "GT-MEX", v1::CATEGORY_MIGRATION);
  const v1::Case new_migration = MakeCase(p, "GT-TAP", v1::CATEGORY_MIGRATION);
  // Newest first.
  EXPECT_EQ(ListNames("GT-TAP", v1::CATEGORY_MIGRATION),
            (std::vector<std::string>{new_migration.name(), old_migration.name()}));
  EXPECT_EQ(ListNames("GT-TAP", v1::CATEGORY_CRIMINAL),
            (std::vector<std::string>{criminal.name()}));

  storage::WriteBatch strip;
  int stripped = 0;
  for (auto it = store_->ScanPrefix(store_->cf("index"), "C|pc|"); it->Valid(); it->Next()) {
    strip.Delete(store_->cf("index"), it->key());
    ++stripped;
  }
  strip.Delete(store_->cf("meta"), "index|cases|post_category");
  ASSERT_EQ(stripped, 4);
  ASSERT_TRUE(store_->Commit(strip).ok());
  EXPECT_TRUE(ListNames("GT-TAP", v1::CATEGORY_MIGRATION).empty());
  auto problems = registry_->CheckConsistency();
  ASSERT_TRUE(problems.ok());
  EXPECT_EQ(problems->size(), 4u);

  Registry::Options o;
  o.country = "GT";
  o.post_codes = {"GT-TAP", "GT-MEX"};
  o.clock = [this] { return now_; };
  o.vault = vault_.get();
  registry_.reset();
  auto r = Registry::Create(o, store_.get(), committer_.get());
  ASSERT_TRUE(r.ok()) << r.status();
  registry_ = *std::move(r);
  EXPECT_EQ(ListNames("GT-TAP", v1::CATEGORY_MIGRATION),
            (std::vector<std::string>{new_migration.name(), old_migration.name()}));
  EXPECT_EQ(ListNames("GT-MEX", v1::CATEGORY_MIGRATION),
            (std::vector<std::string>{elsewhere.name()}));
  problems = registry_->CheckConsistency();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty()) << (*problems)[0];
  auto marker = store_->Get(store_->cf("meta"), "index|cases|post_category");
  ASSERT_TRUE(marker.ok());
  EXPECT_TRUE(marker->has_value());
}

TEST_F(RegistryTest, ConsistencyCheckFindsATamperedIndex) {
  MakePerson("Pablo", "Ajú");
  storage::WriteBatch b;
  b.Put(store_->cf("index"), "P|n|ghost|00000000000000000000", "");
  ASSERT_TRUE(store_->Commit(b).ok());
  auto problems = registry_->CheckConsistency();
  ASSERT_TRUE(problems.ok());
  ASSERT_EQ(problems->size(), 1u);
  EXPECT_NE((*problems)[0].find("index entry without entity"), std::string::npos);
}

}  // namespace
}  // namespace enlace::cases
