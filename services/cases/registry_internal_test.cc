// The registry's index layout as pure functions: summaries parse back, newer cases sort
// first, and a change writes only the index entries and counters that differ.
#include "services/cases/registry_internal.h"

#include "gtest/gtest.h"

namespace enlace::cases {
namespace {

TEST(RegistryIndexLayoutTest, ACaseSummaryParsesBack) {
  v1::Case c;
  c.set_status(v1::STATUS_OPEN);
  c.set_category(v1::CATEGORY_LABOUR);
  c.set_post("MX-LAX");
  SummaryView view;
  ASSERT_TRUE(ParseSummary(CaseSummary(c, "p123"), &view));
  EXPECT_EQ(view.status, v1::STATUS_OPEN);
  EXPECT_EQ(view.category, v1::CATEGORY_LABOUR);
  EXPECT_EQ(view.post, "MX-LAX");
  EXPECT_EQ(view.person_id, "p123");
  EXPECT_FALSE(ParseSummary("01", &view));
  EXPECT_FALSE(ParseSummary("0102MX-LAX-no-bar", &view));
}

TEST(RegistryIndexLayoutTest, NewerCasesSortFirst) {
  const std::string older = InvTime(ToProtoTime(absl::FromUnixSeconds(1000)));
  const std::string newer = InvTime(ToProtoTime(absl::FromUnixSeconds(2000)));
  EXPECT_LT(newer, older);
}

TEST(RegistryIndexLayoutTest, AnUpdateWritesOnlyTheEntriesThatChange) {
  v1::Case before;
  before.set_status(v1::STATUS_OPEN);
  before.set_category(v1::CATEGORY_LABOUR);
  before.set_post("MX-LAX");
  *before.mutable_create_time() = ToProtoTime(absl::FromUnixSeconds(1000));
  v1::Case after = before;
  storage::WriteBatch same;
  ApplyIndexDiff(same, nullptr, CaseIndexEntries(before, "c1", "p1"),
                 CaseIndexEntries(after, "c1", "p1"));
  EXPECT_TRUE(same.empty());
  storage::WriteBatch none;
  ApplyCounterDiff(none, nullptr, CaseCounterKeys(before), CaseCounterKeys(after));
  EXPECT_TRUE(none.empty());

  after.set_status(v1::STATUS_CLOSED);
  storage::WriteBatch changed;
  ApplyIndexDiff(changed, nullptr, CaseIndexEntries(before, "c1", "p1"),
                 CaseIndexEntries(after, "c1", "p1"));
  // Every entry carries the summary (status changed): 7 rewritten (the post + category index
  // too), of which the two keyed by status are a delete and a put each.
  EXPECT_EQ(changed.Count(), 9);
  storage::WriteBatch counters;
  ApplyCounterDiff(counters, nullptr, CaseCounterKeys(before), CaseCounterKeys(after));
  EXPECT_EQ(counters.Count(), 4);  // status and post-status: one down, one up each
}

}  // namespace
}  // namespace enlace::cases
