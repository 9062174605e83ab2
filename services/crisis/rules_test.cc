#include "services/crisis/rules.h"

#include "common/time/proto_time.h"
#include "gtest/gtest.h"

namespace enlace::crisis {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1796000000);

v1::Crisis Hurricane() {
  v1::Crisis c;
  c.set_type(v1::CRISIS_TYPE_HURRICANE);
  c.set_title("Huracán Sara");
  c.set_host_country("HN");
  c.add_areas("HN-CR");
  c.add_areas("HN-AT");
  c.set_phase(v1::PHASE_ACTIVE);
  *c.mutable_create_time() = ToProtoTime(kNow - absl::Hours(24));
  return c;
}

v1::WelfareNote Note(v1::WelfareStatus s, absl::Duration ago) {
  v1::WelfareNote n;
  n.set_subject("countries/MX/registrations/x");
  n.set_status(s);
  n.set_source(v1::NOTE_SOURCE_SHELTER_LIST);
  *n.mutable_observe_time() = ToProtoTime(kNow - ago);
  return n;
}

TEST(CrisisRulesTest, AreasMustBeSubdivisionsOfTheHostCountry) {
  v1::Crisis c = Hurricane();
  FieldViolations ok;
  ValidateCrisis(c, ok, "crisis.");
  EXPECT_TRUE(ok.empty());
  c.add_areas("GT-QC");  // another country
  c.add_areas("HN-CR");  // twice
  FieldViolations v;
  ValidateCrisis(c, v, "crisis.");
  ASSERT_EQ(v.violations().size(), 2u);
  EXPECT_EQ(v.violations()[0].field, "crisis.areas[2]");
  EXPECT_EQ(v.violations()[1].field, "crisis.areas[3]");
}

TEST(CrisisRulesTest, PhasesOnlyMoveForward) {
  EXPECT_TRUE(CheckPhaseChange(v1::PHASE_MONITORING, v1::PHASE_ACTIVE).ok());
  EXPECT_TRUE(CheckPhaseChange(v1::PHASE_ACTIVE, v1::PHASE_ACTIVE).ok());
  EXPECT_EQ(CheckPhaseChange(v1::PHASE_RECOVERY, v1::PHASE_ACTIVE).code(),
            absl::StatusCode::kFailedPrecondition);
}

// A confirmed note outranks a "believed" one whatever their order; among equals the latest
// observation wins; a late (older) note of the same confidence changes nothing.
TEST(CrisisRulesTest, ConfirmedOutranksBelievedAndLatestWinsAmongEquals) {
  v1::AccountingEntry e;
  e.set_subject("countries/MX/registrations/x");
  e.set_status(v1::WELFARE_STATUS_UNACCOUNTED);
  ASSERT_TRUE(RollUp(Note(v1::WELFARE_STATUS_CONTACTED_SAFE, absl::Hours(5)), e).ok());
  EXPECT_EQ(e.status(), v1::WELFARE_STATUS_CONTACTED_SAFE);
  EXPECT_TRUE(e.confirmed());
  ASSERT_TRUE(RollUp(Note(v1::WELFARE_STATUS_BELIEVED_MISSING, absl::Hours(1)), e).ok());
  EXPECT_EQ(e.status(), v1::WELFARE_STATUS_CONTACTED_SAFE);
  ASSERT_TRUE(RollUp(Note(v1::WELFARE_STATUS_INJURED, absl::Hours(2)), e).ok());
  EXPECT_EQ(e.status(), v1::WELFARE_STATUS_INJURED);
  ASSERT_TRUE(RollUp(Note(v1::WELFARE_STATUS_DEPARTED_OR_EVACUATED, absl::Hours(3)), e).ok());
  EXPECT_EQ(e.status(), v1::WELFARE_STATUS_INJURED) << "an older observation is late news";
  EXPECT_EQ(e.notes(), 4);
}

TEST(CrisisRulesTest, NonsenseTransitionsAreRefused) {
  v1::AccountingEntry e;
  e.set_status(v1::WELFARE_STATUS_UNACCOUNTED);
  EXPECT_EQ(RollUp(Note(v1::WELFARE_STATUS_UNACCOUNTED, absl::Hours(1)), e).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(RollUp(Note(v1::WELFARE_STATUS_DECEASED_CONFIRMED, absl::Hours(2)), e).ok());
  EXPECT_EQ(RollUp(Note(v1::WELFARE_STATUS_CONTACTED_SAFE, absl::Hours(1)), e).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(e.status(), v1::WELFARE_STATUS_DECEASED_CONFIRMED);
  EXPECT_EQ(e.notes(), 1);
}

TEST(CrisisRulesTest, NotesOutsideTheCrisisOrInTheFutureAreRefused) {
  v1::WelfareNote n = Note(v1::WELFARE_STATUS_CONTACTED_SAFE, absl::Hours(1));
  n.set_last_known_area("HN-FM");  // not an area of the crisis
  *n.mutable_observe_time() = ToProtoTime(kNow + absl::Hours(2));
  FieldViolations v;
  ValidateNote(n, Hurricane(), kNow, v);
  ASSERT_EQ(v.violations().size(), 2u);
  EXPECT_EQ(v.violations()[0].field, "note.observe_time");
  EXPECT_EQ(v.violations()[1].field, "note.last_known_area");
}

TEST(CrisisRulesTest, ASightingOfOnesOwnNationalIsRefused) {
  v1::Sighting s;
  s.set_nationality("GT");
  s.set_given_names("Ana");
  s.set_family_names("López");
  s.set_area("HN-CR");
  s.set_status(v1::WELFARE_STATUS_CONTACTED_SAFE);
  *s.mutable_observe_time() = ToProtoTime(kNow);
  FieldViolations ok;
  ValidateSighting(s, Hurricane(), kNow, "MX", ok);
  EXPECT_TRUE(ok.empty());
  FieldViolations v;
  ValidateSighting(s, Hurricane(), kNow, "GT", v);
  ASSERT_EQ(v.violations().size(), 1u);
  EXPECT_EQ(v.violations()[0].field, "sighting.nationality");
}

TEST(CrisisRulesTest, SmallCellsAreWithheldAndZerosLeftOut) {
  auto cells = PublishedCells("MX", {{v1::WELFARE_STATUS_UNACCOUNTED, 120},
                                     {v1::WELFARE_STATUS_INJURED, 3},
                                     {v1::WELFARE_STATUS_DETAINED, 0},
                                     {v1::WELFARE_STATUS_CONTACTED_SAFE, 5}});
  ASSERT_EQ(cells.size(), 3u);
  for (const auto& c : cells) {
    if (c.status() == v1::WELFARE_STATUS_INJURED) {
      EXPECT_TRUE(c.withheld());
      EXPECT_EQ(c.count(), 0);
    } else {
      EXPECT_FALSE(c.withheld());
      EXPECT_GE(c.count(), kSuppressionThreshold);
    }
  }
}

TEST(CrisisRulesTest, RiskPutsChildrenOlderDetainedAndMedicalFirst) {
  EXPECT_EQ(Risk(true, true, true, v1::WELFARE_STATUS_DETAINED), 0);
  EXPECT_EQ(Risk(false, true, false, v1::WELFARE_STATUS_UNACCOUNTED), 1);
  EXPECT_EQ(Risk(false, false, false, v1::WELFARE_STATUS_DETAINED), 2);
  EXPECT_EQ(Risk(false, false, true, v1::WELFARE_STATUS_UNACCOUNTED), 3);
  EXPECT_EQ(Risk(false, false, false, v1::WELFARE_STATUS_CONTACTED_SAFE), 9);
  EXPECT_EQ(StatusKey(v1::WELFARE_STATUS_CONTACTED_SAFE), "contacted-safe");
}

}  // namespace
}  // namespace enlace::crisis
