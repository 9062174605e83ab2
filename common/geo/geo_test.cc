#include "common/geo/geo.h"

#include "gtest/gtest.h"

namespace enlace::geo {
namespace {

TEST(GeoTest, Codes) {
  for (const char* c : {"MX", "GT", "HN", "SV", "NI", "CR", "PA", "BZ", "DO", "US", "CA"}) {
    EXPECT_TRUE(IsCountryCode(c)) << c;
  }
  EXPECT_FALSE(IsCountryCode("XX"));
  EXPECT_FALSE(IsCountryCode("mx"));
  EXPECT_FALSE(IsCountryCode("MEX"));
  EXPECT_TRUE(IsSubdivisionCode("US-CA"));
  EXPECT_TRUE(IsSubdivisionCode("MX-CHP"));
  EXPECT_FALSE(IsSubdivisionCode("XX-CA"));
  EXPECT_TRUE(IsLanguageCode("es"));
  EXPECT_TRUE(IsLanguageCode("mam"));
  EXPECT_FALSE(IsLanguageCode("ES"));
  EXPECT_TRUE(IsPostCode("MX-LAX"));
  EXPECT_FALSE(IsPostCode("mx|lax"));
}

}  // namespace
}  // namespace enlace::geo
