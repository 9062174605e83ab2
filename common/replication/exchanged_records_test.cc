// The exchanged-record core against a real RocksDB in a temporary directory:
// key layout, lookup by name, an officer's post scope, paged listing bound to
// its query, read audit.
#include "common/replication/exchanged_records.h"

#include <cstdlib>
#include <memory>
#include <string>

#include "common/crypto/sealed_record.h"
#include "common/status/errors.h"
#include "enlace/transfers/v1/transfers.pb.h"
#include "gtest/gtest.h"

namespace enlace::replication {
namespace {

using Records = ExchangedRecords<transfers::v1::Transfer>;

// A well-formed record id ending in `suffix` (ids are 20 characters of base32).
std::string Id(const std::string& suffix) { return std::string(20 - suffix.size(), '0') + suffix; }

class ExchangedRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl =
        std::string(getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp") + "/exchanged_XXXXXX";
    storage::StoreOptions o;
    o.path = mkdtemp(tmpl.data());
    o.column_families = {"records"};
    txn::Committer::AddColumnFamilies(o);
    auto store = storage::Store::Open(o);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    auto committer = txn::Committer::Create(store_.get(), "HN");
    ASSERT_TRUE(committer.ok());
    committer_ = *std::move(committer);
    records_ = std::make_unique<Records>(
        Records::Options{"HN", "transfers", "transfer", store_.get(), store_->cf("records"),
                         nullptr, committer_.get(), std::string(32, 's')});
  }

  // An outgoing copy from `post`, or an incoming one from GT to `post`.
  void Put(bool incoming, const std::string& post, const std::string& id) {
    transfers::v1::Transfer t;
    const std::string from = incoming ? "GT" : "HN";
    t.set_name(records_->Name(from, id));
    t.set_from_post(incoming ? "GT-TAP" : post);
    t.set_to_post(incoming ? post : "GT-TAP");
    const std::string key = incoming ? Records::InKey(from, id) : Records::OutKey(id);
    auto sealed = crypto::SealRecord(nullptr, "t", t, transfers::v1::Transfer(), key);
    ASSERT_TRUE(sealed.ok());
    txn::Transaction txn;
    txn.batch.Put(store_->cf("records"), key, *sealed);
    txn.batch.Put(store_->cf("records"),
                  incoming ? Records::InPostKey(post, from, id) : Records::OutPostKey(post, id),
                  "");
    ASSERT_TRUE(committer_->Commit(txn).ok());
  }

  static Caller Officer(const std::string& post) {
    return {"spiffe://hn.enlace.example/role/officer/post/" + post + "/user/u", "HN",
            Role::kOfficer, post, "u"};
  }
  static Caller Supervisor() {
    return {"spiffe://hn.enlace.example/role/supervisor/user/s", "HN", Role::kSupervisor, "", "s"};
  }

  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<txn::Committer> committer_;
  std::unique_ptr<Records> records_;
};

TEST_F(ExchangedRecordsTest, FindsEitherCopyByNameAndRefusesMalformedNames) {
  Put(false, "HN-TAP", Id("1"));
  Put(true, "HN-HOU", Id("2"));
  auto out = records_->Find("countries/HN/transfers/" + Id("1"));
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_FALSE(out->incoming);
  EXPECT_EQ(out->key, "o|" + Id("1"));
  auto in = records_->Find("countries/GT/transfers/" + Id("2"));
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_TRUE(in->incoming);
  EXPECT_EQ(in->record.to_post(), "HN-HOU");
  EXPECT_EQ(records_->Find("countries/GT/transfers/" + Id("9")).status().code(),
            absl::StatusCode::kNotFound);
  for (const std::string& bad : std::vector<std::string>{
           "countries/GT/referrals/" + Id("2"), "countries/gt/transfers/" + Id("2"),
           "countries/GT/transfers/" + Id("a|b"), "countries/GT/transfers/in1", "",
           "transfers/x"}) {
    auto r = records_->Find(bad);
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    ASSERT_FALSE(GetFieldViolations(r.status()).empty()) << bad;
    EXPECT_EQ(GetFieldViolations(r.status())[0].field, "name") << bad;
  }
}

// Attack: another post's officer reads or lists this post's copies.
TEST_F(ExchangedRecordsTest, AnOfficerSeesOnlyItsOwnPostsCopies) {
  Put(false, "HN-TAP", Id("1"));
  Put(true, "HN-HOU", Id("2"));
  auto out = records_->Find("countries/HN/transfers/" + Id("1"));
  auto in = records_->Find("countries/GT/transfers/" + Id("2"));
  ASSERT_TRUE(out.ok() && in.ok());
  EXPECT_TRUE(records_->CheckAccess(*out, Officer("HN-TAP")).ok());
  EXPECT_EQ(records_->CheckAccess(*out, Officer("HN-HOU")).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(records_->CheckAccess(*in, Officer("HN-HOU")).ok());
  EXPECT_EQ(records_->CheckAccess(*in, Officer("HN-TAP")).code(),
            absl::StatusCode::kPermissionDenied);
  EXPECT_TRUE(records_->CheckAccess(*in, Supervisor()).ok());

  auto other = records_->List({true, "HN-HOU", 0, ""}, Officer("HN-TAP"), "t.List");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kPermissionDenied);
  // An officer's listing is forced to its own post.
  auto own = records_->List({true, "", 0, ""}, Officer("HN-TAP"), "t.List");
  ASSERT_TRUE(own.ok());
  EXPECT_TRUE(own->records.empty());
}

TEST_F(ExchangedRecordsTest, ListsPageByPageWithTokensBoundToTheQueryAndAuditsWhatWasShown) {
  for (const char* id : {"a1", "a2", "a3", "a4", "a5"}) Put(false, "HN-TAP", Id(id));
  Put(false, "HN-HOU", Id("b1"));
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    auto page = records_->List({false, "HN-TAP", 2, token}, Supervisor(), "transfers.List");
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& l : page->records) seen.push_back(l.record.name());
    token = page->next_page_token;
    ++pages;
    if (!token.empty()) {
      // The token belongs to this query: replayed against another post's
      // listing it fails.
      auto replay = records_->List({false, "HN-HOU", 2, token}, Supervisor(), "transfers.List");
      EXPECT_EQ(replay.status().code(), absl::StatusCode::kInvalidArgument);
    }
  } while (!token.empty());
  EXPECT_EQ(pages, 3);
  std::vector<std::string> expected;
  for (const char* id : {"a1", "a2", "a3", "a4", "a5"}) {
    expected.push_back("countries/HN/transfers/" + Id(id));
  }
  EXPECT_EQ(seen, expected);
  // Commits: 6 puts, 3 listing audits (each naming what it showed).
  EXPECT_EQ(committer_->LastAuditSeq(), 3u);
  EXPECT_EQ(records_->List({false, "", -1, ""}, Supervisor(), "t").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace enlace::replication
