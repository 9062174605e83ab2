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

TEST(GeoTest, UserAssignedCodesAreNeverCountries) {
  for (const char* c : {"XS", "XA", "XZ", "AA", "ZZ", "QM", "QZ"}) {
    EXPECT_TRUE(IsUserAssignedCode(c)) << c;
    EXPECT_FALSE(IsCountryCode(c)) << c;
    EXPECT_TRUE(IsMemberCode(c)) << c;
  }
  for (const char* c : {"MX", "QA", "QL", "xs", "X", "XSS"}) EXPECT_FALSE(IsUserAssignedCode(c)) << c;
  EXPECT_TRUE(IsMemberCode("MX"));
  EXPECT_FALSE(IsMemberCode("XSS"));
}

}  // namespace
}  // namespace enlace::geo
