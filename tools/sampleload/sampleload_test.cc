#include <map>
#include <set>
#include <string>

#include "common/ids/ids.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "services/directory/directory.h"
#include "tools/sampleload/organisations.h"
#include "tools/sampleload/plan.h"

namespace enlace::sampleload {
namespace {

// Every sample organisation must pass the node's own validation, or the load fails halfway.
TEST(SampleOrganisationsTest, PassValidationForEveryMember) {
  for (const char* cc : {"MX", "GT", "HN", "SV", "CR", "US", "CA", "BZ", "DO", "NI", "PA", "CO"}) {
    const auto orgs = SampleOrganisations(cc, 30);
    ASSERT_EQ(orgs.size(), 30u) << cc;
    std::set<std::string> names;
    for (const auto& o : orgs) {
      FieldViolations v;
      directory::ValidateOrganisation(o, v, "organisation.");
      EXPECT_TRUE(v.empty()) << cc << " " << o.display_name() << ": " << v.ToStatus();
      EXPECT_TRUE(names.insert(o.display_name()).second) << "duplicate " << o.display_name();
    }
  }
}

TEST(SampleOrganisationsTest, CatalogueCountriesHaveTheirOwnAreas) {
  for (const char* cc : {"MX", "GT", "HN"}) {
    const auto orgs = SampleOrganisations(cc, 10);
    for (const auto& o : orgs) {
      bool own = false;
      for (const auto& a : o.areas()) own |= a.substr(0, 2) == cc;
      EXPECT_TRUE(own) << o.display_name();
    }
  }
  EXPECT_EQ(SampleOrganisations("MX", 3)[0].display_name(),
            SampleOrganisations("mx", 3)[0].display_name());
}

TEST(PlanTest, RequestIdsAreValidUniqueAndStable) {
  std::set<std::string> ids;
  const uint64_t seed = UINT64_MAX;  // the longest ids
  for (int p : {0, 1, 9999999}) {
    ids.insert(PersonRequestId(seed, p));
    for (int c : {0, 49}) {
      ids.insert(CaseRequestId(seed, p, c));
      for (int a : {0, 49}) ids.insert(ActionRequestId(seed, p, c, a));
    }
  }
  ids.insert(OrganisationRequestId(999));
  EXPECT_EQ(ids.size(), 3u * (1 + 2 * 3) + 1);
  for (const auto& id : ids) EXPECT_TRUE(ids::IsValidRequestId(id)) << id;
  EXPECT_EQ(CaseRequestId(7, 3, 1), "sample-s7-p3-c1");
  EXPECT_NE(PersonRequestId(1, 2), PersonRequestId(2, 2));
}

TEST(PlanTest, CountsHaveTheRequestedMeans) {
  const int n = 20000;
  double cases = 0, actions = 0;
  int no_actions = 0, min_cases = 1000;
  for (int p = 0; p < n; ++p) {
    const int c = CasesOf(42, p, 1.5);
    cases += c;
    min_cases = std::min(min_cases, c);
    const int a = ActionsOf(42, p, 0, 2.0);
    actions += a;
    no_actions += a == 0;
  }
  EXPECT_NEAR(cases / n, 1.5, 0.05);
  EXPECT_EQ(min_cases, 1);  // every person has a case when the mean is >= 1
  EXPECT_NEAR(actions / n, 2.0, 0.06);
  EXPECT_NEAR(static_cast<double>(no_actions) / n, 0.135, 0.02);  // e^-2
  EXPECT_EQ(CasesOf(42, 7, 1.5), CasesOf(42, 7, 1.5));
  EXPECT_EQ(CasesOf(42, 7, 0), 0);
  EXPECT_EQ(ActionsOf(42, 7, 1, 0), 0);
}

TEST(PlanTest, CountriesGetDifferentPlans) {
  EXPECT_NE(CountrySeed(1, "MX"), CountrySeed(1, "GT"));
  EXPECT_NE(CountrySeed(1, "MX"), CountrySeed(2, "MX"));
  EXPECT_EQ(CountrySeed(1, "MX"), CountrySeed(1, "MX"));
}

TEST(PlanTest, PersonSeedsDiffer) {
  std::set<uint64_t> seeds;
  for (int p = 0; p < 1000; ++p) seeds.insert(PersonSeed(1, p));
  for (int p = 0; p < 1000; ++p) seeds.insert(PersonSeed(2, p));
  EXPECT_EQ(seeds.size(), 2000u);
}

}  // namespace
}  // namespace enlace::sampleload
