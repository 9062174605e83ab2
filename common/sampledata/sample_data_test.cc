#include "common/sampledata/sample_data.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "common/geo/geo.h"
#include "common/text/fold.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"

namespace enlace::sampledata {
namespace {

namespace cv1 = ::enlace::cases::v1;
using ::enlace::node::v1::NodeConfig;

// A fixed day, so every run sees the same records.
const absl::Time kNow =
    absl::FromCivil(absl::CivilSecond(2025, 3, 14, 15, 9, 26), absl::UTCTimeZone());

std::string ConfigDir() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  return std::string(srcdir == nullptr ? "." : srcdir) + "/enlace/deploy/config";
}

NodeConfig LoadConfig(const std::string& path) {
  std::ifstream in(path);
  EXPECT_TRUE(in.good()) << path;
  std::stringstream text;
  text << in.rdbuf();
  NodeConfig config;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text.str(), &config)) << path;
  return config;
}

NodeConfig Country(const std::string& code) {
  std::string lower = code;
  for (char& c : lower) c = static_cast<char>(c - 'A' + 'a');
  return LoadConfig(ConfigDir() + "/" + lower + ".textproto");
}

// True for `YYYY`, `YYYY-MM` or `YYYY-MM-DD` naming a real calendar day (or month, or year).
bool IsValidDate(const std::string& s, bool full_only) {
  static const std::regex kShape(R"(\d{4}(-\d{2}(-\d{2})?)?)");
  if (!std::regex_match(s, kShape)) return false;
  if (full_only && s.size() != 10) return false;
  std::vector<std::string> parts = absl::StrSplit(s, '-');
  int y = 0, m = 1, d = 1;
  if (!absl::SimpleAtoi(parts[0], &y)) return false;
  if (parts.size() > 1 && !absl::SimpleAtoi(parts[1], &m)) return false;
  if (parts.size() > 2 && !absl::SimpleAtoi(parts[2], &d)) return false;
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  const absl::CivilDay day(y, m, d);
  return day.year() == y && day.month() == m && day.day() == d;
}

bool IsCleanText(const std::string& s, size_t max_bytes) {
  return !s.empty() && s.size() <= max_bytes && text::IsCleanUtf8(s);
}

absl::Time ToTime(const google::protobuf::Timestamp& ts) {
  return absl::FromUnixSeconds(ts.seconds()) + absl::Nanoseconds(ts.nanos());
}

const enlace::node::v1::ConsularPost* FindPost(const NodeConfig& config, const std::string& code) {
  for (const auto& p : config.posts()) {
    if (p.code() == code) return &p;
  }
  return nullptr;
}

void CheckPerson(const NodeConfig& config, const cv1::Person& p, absl::Time anchor) {
  SCOPED_TRACE(p.ShortDebugString());
  EXPECT_TRUE(IsCleanText(p.given_names(), 200));
  EXPECT_TRUE(IsCleanText(p.family_names(), 200));
  EXPECT_NE(p.sex(), cv1::SEX_UNSPECIFIED);
  if (p.birth_date().empty()) {
    EXPECT_NE(p.age_band(), cv1::AGE_BAND_UNSPECIFIED);
  } else {
    EXPECT_TRUE(IsValidDate(p.birth_date(), false));
    EXPECT_LE(p.birth_date().substr(0, 4),
              std::to_string(absl::ToCivilYear(anchor, absl::UTCTimeZone()).year()));
    EXPECT_EQ(p.age_band(), cv1::AGE_BAND_UNSPECIFIED);
  }
  ASSERT_EQ(p.nationalities_size(), 1);
  EXPECT_EQ(p.nationalities(0), config.country());
  for (const auto& d : p.documents()) {
    EXPECT_NE(d.type(), cv1::DOCUMENT_TYPE_UNSPECIFIED);
    EXPECT_TRUE(IsCleanText(d.number(), 64));
    EXPECT_TRUE(geo::IsCountryCode(d.issuing_country()));
    if (!d.expire_date().empty()) {
      EXPECT_TRUE(IsValidDate(d.expire_date(), true));
    }
    if (config.country() == "MX" && d.type() == cv1::DOCUMENT_TYPE_NATIONAL_ID) {
      // CURP shape: 4 letters, YYMMDD, sex, state, 3 consonants, homoclave, check digit.
      static const std::regex kCurp(R"([A-Z]{4}\d{6}[HM][A-Z]{5}[0-9A-Z]\d)");
      EXPECT_TRUE(std::regex_match(d.number(), kCurp)) << d.number();
    }
  }
  ASSERT_GE(p.languages_size(), 1);
  std::set<std::string> langs(p.languages().begin(), p.languages().end());
  EXPECT_EQ(langs.size(), static_cast<size_t>(p.languages_size()));
  for (const auto& l : p.languages()) EXPECT_TRUE(geo::IsLanguageCode(l)) << l;
  EXPECT_NE(p.international_protection(), cv1::INTERNATIONAL_PROTECTION_UNSPECIFIED);
  std::set<int> vulns;
  for (int v : p.vulnerabilities()) {
    EXPECT_NE(v, cv1::VULNERABILITY_UNSPECIFIED);
    EXPECT_TRUE(cv1::Vulnerability_IsValid(v));
    EXPECT_TRUE(vulns.insert(v).second) << "duplicate vulnerability " << v;
  }
  if (!p.contact().phone().empty()) {
    EXPECT_TRUE(text::IsCleanUtf8(p.contact().phone()));
  }
  // Output-only fields are the server's.
  EXPECT_TRUE(p.name().empty());
  EXPECT_TRUE(p.etag().empty());
  EXPECT_TRUE(p.created_by().empty());
  EXPECT_FALSE(p.has_create_time());
  EXPECT_FALSE(p.has_update_time());
}

void CheckCase(const NodeConfig& config, const cv1::Case& c, absl::Time anchor) {
  SCOPED_TRACE(c.ShortDebugString());
  const enlace::node::v1::ConsularPost* post = FindPost(config, c.post());
  ASSERT_NE(post, nullptr) << "unknown post " << c.post();
  EXPECT_EQ(c.host_country(), post->host_country());
  EXPECT_TRUE(geo::IsCountryCode(c.host_country()));
  EXPECT_TRUE(IsCleanText(c.place(), 200));
  EXPECT_NE(c.category(), cv1::CATEGORY_UNSPECIFIED);
  EXPECT_EQ(CategoryOf(c.subtype()), c.category()) << cv1::Subtype_Name(c.subtype());
  EXPECT_EQ(c.status(), cv1::STATUS_OPEN);
  EXPECT_NE(c.risk(), cv1::RISK_UNSPECIFIED);
  EXPECT_NE(c.legal_basis(), cv1::LEGAL_BASIS_UNSPECIFIED);
  if (c.legal_basis() == cv1::LEGAL_BASIS_CONSENT) {
    ASSERT_TRUE(c.has_consent());
    const auto& k = c.consent();
    EXPECT_NE(k.given_by(), cv1::CONSENT_GIVER_UNSPECIFIED);
    if (k.given_by() != cv1::CONSENT_GIVER_PERSON) {
      EXPECT_TRUE(IsCleanText(k.giver_name(), 200));
    }
    ASSERT_GE(k.scopes_size(), 1);
    EXPECT_EQ(k.scopes(0), cv1::CONSENT_SCOPE_SERVICES);
    std::set<int> scopes(k.scopes().begin(), k.scopes().end());
    EXPECT_EQ(scopes.size(), static_cast<size_t>(k.scopes_size()));
    ASSERT_TRUE(k.has_obtain_time());
    EXPECT_LE(ToTime(k.obtain_time()), anchor);
    EXPECT_GE(ToTime(k.obtain_time()), anchor - absl::Hours(24 * 61));
    if (k.has_expire_time()) {
      EXPECT_GT(ToTime(k.expire_time()), ToTime(k.obtain_time()));
    }
    EXPECT_FALSE(k.has_withdraw_time());
  } else {
    EXPECT_FALSE(c.has_consent());
  }
  EXPECT_TRUE(IsCleanText(c.summary(), 2000));
  EXPECT_FALSE(absl::StrContains(c.summary(), "{")) << c.summary();
  EXPECT_TRUE(c.name().empty());
  EXPECT_TRUE(c.etag().empty());
  EXPECT_TRUE(c.created_by().empty());
  EXPECT_FALSE(c.has_create_time());
  EXPECT_EQ(c.resolution(), cv1::RESOLUTION_UNSPECIFIED);
}

void CheckAction(const cv1::Case& c, const cv1::Action& a, absl::Time anchor) {
  SCOPED_TRACE(a.ShortDebugString());
  static const std::regex kOfficer(R"(ofc-\d{4})");
  EXPECT_NE(a.type(), cv1::ACTION_TYPE_UNSPECIFIED);
  EXPECT_EQ(a.post(), c.post());
  EXPECT_TRUE(std::regex_match(a.officer(), kOfficer)) << a.officer();
  ASSERT_TRUE(a.has_occur_time());
  EXPECT_LE(ToTime(a.occur_time()), anchor);
  if (c.has_create_time()) {
    EXPECT_GE(ToTime(a.occur_time()), ToTime(c.create_time()));
  }
  EXPECT_NE(a.outcome(), cv1::ACTION_OUTCOME_UNSPECIFIED);
  EXPECT_TRUE(IsCleanText(a.note(), 2000));
  EXPECT_TRUE(a.name().empty());
  EXPECT_FALSE(a.has_create_time());
}

// ---------------------------------------------------------------------------------------------

TEST(ConfigTest, EveryDemoConfigParsesAndIsWellFormed) {
  std::set<std::string> seen;
  for (const auto& entry : std::filesystem::directory_iterator(ConfigDir())) {
    const std::string path = entry.path().string();
    if (!absl::EndsWith(path, ".textproto")) continue;
    SCOPED_TRACE(path);
    const NodeConfig config = LoadConfig(path);
    std::string expect_country = entry.path().stem().string();
    for (char& ch : expect_country) ch = static_cast<char>(ch - 'a' + 'A');
    EXPECT_EQ(config.country(), expect_country);
    // The runner passes these by flag.
    EXPECT_TRUE(config.data_dir().empty());
    EXPECT_TRUE(config.api_address().empty());
    EXPECT_FALSE(config.has_api_tls());
    if (config.secretariat()) {
      // The regional secretariat: a user-assigned code, no posts, no sample data.
      EXPECT_TRUE(geo::IsUserAssignedCode(config.country()));
      EXPECT_EQ(config.posts_size(), 0);
      continue;
    }
    EXPECT_TRUE(geo::IsCountryCode(config.country()));
    seen.insert(config.country());

    EXPECT_GE(config.posts_size(), 8);
    std::set<std::string> codes;
    for (const auto& post : config.posts()) {
      SCOPED_TRACE(post.code());
      EXPECT_TRUE(geo::IsPostCode(post.code()));
      EXPECT_TRUE(absl::StartsWith(post.code(), config.country() + "-"));
      EXPECT_TRUE(codes.insert(post.code()).second) << "duplicate post code";
      EXPECT_TRUE(IsCleanText(post.city(), 200));
      EXPECT_TRUE(geo::IsCountryCode(post.host_country()));
      EXPECT_NE(post.host_country(), config.country()) << "posts are abroad";
      EXPECT_GE(post.areas_size(), 1);
      std::set<std::string> areas;
      for (const auto& area : post.areas()) {
        EXPECT_TRUE(geo::IsSubdivisionCode(area)) << area;
        EXPECT_TRUE(absl::StartsWith(area, post.host_country() + "-")) << area;
        EXPECT_TRUE(areas.insert(area).second) << "duplicate area " << area;
      }
    }
  }
  EXPECT_TRUE(seen.count("MX") && seen.count("GT") && seen.count("HN"));
}

TEST(SampleDataTest, SameSeedSameRecords) {
  const NodeConfig config = Country("MX");
  SampleData a(config, 42, kNow), b(config, 42, kNow);
  // A generator made later the same day agrees: times hang off the start of the day.
  SampleData c(config, 42, kNow + absl::Hours(5));
  for (int i = 0; i < 300; ++i) {
    const cv1::Person pa = a.NextPerson();
    const cv1::Person pb = b.NextPerson();
    const cv1::Person pc = c.NextPerson();
    ASSERT_TRUE(google::protobuf::util::MessageDifferencer::Equals(pa, pb)) << i;
    ASSERT_TRUE(google::protobuf::util::MessageDifferencer::Equals(pa, pc)) << i;
    const cv1::Case ca = a.NextCase("countries/MX/persons/x", pa);
    const cv1::Case cb = b.NextCase("countries/MX/persons/x", pb);
    c.NextCase("countries/MX/persons/x", pc);
    ASSERT_TRUE(google::protobuf::util::MessageDifferencer::Equals(ca, cb)) << i;
    const cv1::Action aa = a.NextAction(ca);
    const cv1::Action ab = b.NextAction(cb);
    c.NextAction(ca);
    ASSERT_TRUE(google::protobuf::util::MessageDifferencer::Equals(aa, ab)) << i;
  }
  SampleData other(config, 43, kNow);
  int same = 0;
  for (int i = 0; i < 50; ++i) {
    if (google::protobuf::util::MessageDifferencer::Equals(a.NextPerson(), other.NextPerson())) {
      ++same;
    }
  }
  EXPECT_LT(same, 5);
}

TEST(SampleDataTest, RecordsAreValidForEveryDemoCountry) {
  for (const std::string country : {"MX", "GT", "HN"}) {
    SCOPED_TRACE(country);
    const NodeConfig config = Country(country);
    SampleData gen(config, 7, kNow);
    for (int i = 0; i < 2000; ++i) {
      const cv1::Person p = gen.NextPerson();
      CheckPerson(config, p, gen.anchor());
      const std::string name = "countries/" + country + "/persons/p" + std::to_string(i);
      // Both overloads.
      const cv1::Case c = i % 2 ? gen.NextCase(name, p) : gen.NextCase(name);
      CheckCase(config, c, gen.anchor());
      EXPECT_EQ(c.person(), name);
      CheckAction(c, gen.NextAction(c), gen.anchor());
      if (::testing::Test::HasFailure()) return;  // one record's failures are enough
    }
  }
}

TEST(SampleDataTest, MexicoCategoryMixMatchesTargets) {
  const NodeConfig config = Country("MX");
  SampleData gen(config, 2025, kNow);
  constexpr int kN = 10000;
  std::map<int, int> by_category;
  int us = 0;
  std::map<std::string, int> by_post;
  for (int i = 0; i < kN; ++i) {
    const cv1::Case c = gen.NextCase("countries/MX/persons/p");
    ++by_category[c.category()];
    ++by_post[c.post()];
    if (c.host_country() == "US") ++us;
    ASSERT_EQ(CategoryOf(c.subtype()), c.category()) << cv1::Subtype_Name(c.subtype());
    ASSERT_NE(FindPost(config, c.post()), nullptr) << c.post();
    if (c.subtype() == cv1::SUBTYPE_MINOR_IN_CUSTODY) {
      EXPECT_TRUE(c.urgent());
    }
  }
  // The brief's targets for Mexico.
  const std::map<int, double> targets = {
      {cv1::CATEGORY_MIGRATION, 0.35},      {cv1::CATEGORY_CRIMINAL, 0.20},
      {cv1::CATEGORY_ADMINISTRATIVE, 0.20}, {cv1::CATEGORY_LABOUR, 0.10},
      {cv1::CATEGORY_CIVIL_FAMILY, 0.10},   {cv1::CATEGORY_HUMAN_RIGHTS, 0.04},
      {cv1::CATEGORY_CRISIS, 0.01}};
  for (const auto& [category, share] : targets) {
    EXPECT_NEAR(by_category[category] / double(kN), share, 0.02)
        << cv1::Category_Name(static_cast<cv1::Category>(category));
  }
  EXPECT_EQ(by_category[cv1::CATEGORY_UNSPECIFIED], 0);
  // Mostly in the United States, and every post gets some.
  EXPECT_GT(us / double(kN), 0.80);
  for (const auto& post : config.posts()) EXPECT_GT(by_post[post.code()], 0) << post.code();
}

TEST(SampleDataTest, CentralAmericanMixesMatchTheirTargets) {
  for (const std::string country : {"GT", "HN"}) {
    SCOPED_TRACE(country);
    const NodeConfig config = Country(country);
    SampleData gen(config, 11, kNow);
    constexpr int kN = 10000;
    std::map<int, int> by_category;
    for (int i = 0; i < kN; ++i) ++by_category[gen.NextCase("p").category()];
    double total = 0;
    for (const auto& [category, share] : TargetCategoryShares(country)) {
      total += share;
      EXPECT_NEAR(by_category[category] / double(kN), share, 0.02);
    }
    EXPECT_NEAR(total, 1.0, 1e-9);
  }
}

TEST(SampleDataTest, EverySubtypeBelongsToItsCategory) {
  EXPECT_EQ(CategoryOf(cv1::SUBTYPE_CRIMINAL_DETENTION), cv1::CATEGORY_CRIMINAL);
  EXPECT_EQ(CategoryOf(cv1::SUBTYPE_ASYLUM_ORIENTATION), cv1::CATEGORY_MIGRATION);
  EXPECT_EQ(CategoryOf(cv1::SUBTYPE_INTERNATIONAL_CHILD_ABDUCTION), cv1::CATEGORY_CIVIL_FAMILY);
  EXPECT_EQ(CategoryOf(cv1::SUBTYPE_LABOUR_EXPLOITATION), cv1::CATEGORY_LABOUR);
  EXPECT_EQ(CategoryOf(cv1::SUBTYPE_GENDER_BASED_VIOLENCE), cv1::CATEGORY_HUMAN_RIGHTS);
  EXPECT_EQ(CategoryOf(cv1::SUBTYPE_IDENTITY_DOCUMENTS), cv1::CATEGORY_ADMINISTRATIVE);
  EXPECT_EQ(CategoryOf(cv1::SUBTYPE_EVACUATION), cv1::CATEGORY_CRISIS);
  EXPECT_EQ(CategoryOf(cv1::SUBTYPE_UNSPECIFIED), cv1::CATEGORY_UNSPECIFIED);
  // Every subtype in the proto is produced, each under its own category.
  SampleData gen(Country("MX"), 3, kNow);
  std::set<int> produced;
  for (int i = 0; i < 20000; ++i) {
    const cv1::Case c = gen.NextCase("p");
    ASSERT_EQ(CategoryOf(c.subtype()), c.category());
    produced.insert(c.subtype());
  }
  const auto* d = cv1::Subtype_descriptor();
  for (int i = 0; i < d->value_count(); ++i) {
    const int v = d->value(i)->number();
    if (v == cv1::SUBTYPE_UNSPECIFIED) continue;
    EXPECT_NE(CategoryOf(static_cast<cv1::Subtype>(v)), cv1::CATEGORY_UNSPECIFIED)
        << d->value(i)->name();
    EXPECT_TRUE(produced.count(v)) << d->value(i)->name();
  }
}

TEST(SampleDataTest, NamesCarryAccentsAndIndigenousHeritage) {
  auto non_ascii = [](const std::string& s) {
    for (unsigned char ch : s) {
      if (ch >= 0x80) return true;
    }
    return false;
  };
  {
    SampleData gen(Country("MX"), 5, kNow);
    int accented = 0, children = 0, indigenous_lang = 0, english = 0;
    constexpr int kN = 5000;
    for (int i = 0; i < kN; ++i) {
      const cv1::Person p = gen.NextPerson();
      if (non_ascii(p.given_names() + p.family_names())) ++accented;
      for (const auto& l : p.languages()) {
        if (l == "nah" || l == "zap" || l == "tzo" || l == "tzh" || l == "yua") ++indigenous_lang;
        if (l == "en") ++english;
      }
      for (int v : p.vulnerabilities()) {
        if (v == cv1::VULNERABILITY_UNACCOMPANIED_CHILD ||
            v == cv1::VULNERABILITY_SEPARATED_CHILD) {
          ++children;
        }
      }
    }
    EXPECT_GT(accented, kN / 3);
    EXPECT_LT(accented, kN);  // and some plain ones
    EXPECT_GT(indigenous_lang, kN / 50);
    EXPECT_GT(english, kN / 20);
    EXPECT_GT(children, 0);
  }
  {
    SampleData gen(Country("GT"), 5, kNow);
    int maya = 0;
    for (int i = 0; i < 2000; ++i) {
      const cv1::Person p = gen.NextPerson();
      for (const auto& l : p.languages()) {
        if (l == "mam" || l == "quc" || l == "kek") ++maya;
      }
    }
    EXPECT_GT(maya, 200);
  }
  {
    SampleData gen(Country("HN"), 5, kNow);
    int garifuna = 0;
    for (int i = 0; i < 2000; ++i) {
      const cv1::Person p = gen.NextPerson();
      for (const auto& l : p.languages()) garifuna += l == "cab";
    }
    EXPECT_GT(garifuna, 40);
  }
}

TEST(SampleDataTest, ChildrenAreAboutEightPercent) {
  SampleData gen(Country("MX"), 9, kNow);
  const int year = absl::ToCivilYear(gen.anchor(), absl::UTCTimeZone()).year();
  constexpr int kN = 10000;
  int children = 0;
  for (int i = 0; i < kN; ++i) {
    const cv1::Person p = gen.NextPerson();
    if (!p.birth_date().empty()) {
      int born = 0;
      ASSERT_TRUE(absl::SimpleAtoi(p.birth_date().substr(0, 4), &born));
      // The year alone can be off by one around the birthday; count clear cases only.
      children += year - born < 18;
    } else {
      children += p.age_band() == cv1::AGE_BAND_CHILD_0_11 ||
                  p.age_band() == cv1::AGE_BAND_ADOLESCENT_12_17;
    }
  }
  EXPECT_NEAR(children / double(kN), 0.08, 0.02);
}

TEST(SampleDataTest, ChildCasesHaveAGuardianOrTheChildsBestInterest) {
  const NodeConfig config = Country("GT");
  SampleData gen(config, 13, kNow);
  int seen = 0;
  for (int i = 0; i < 20000 && seen < 200; ++i) {
    const cv1::Person p = gen.NextPerson();
    if (p.age_band() != cv1::AGE_BAND_CHILD_0_11 &&
        p.age_band() != cv1::AGE_BAND_ADOLESCENT_12_17) {
      bool flagged = false;
      for (int v : p.vulnerabilities()) {
        flagged |=
            v == cv1::VULNERABILITY_UNACCOMPANIED_CHILD || v == cv1::VULNERABILITY_SEPARATED_CHILD;
      }
      if (!flagged) continue;
    }
    ++seen;
    const cv1::Case c = gen.NextCase("countries/GT/persons/c", p);
    EXPECT_TRUE(c.urgent());
    EXPECT_GE(c.risk(), cv1::RISK_HIGH);
    EXPECT_NE(c.subtype(), cv1::SUBTYPE_IMMIGRATION_DETENTION);  // a child's is MINOR_IN_CUSTODY
    if (c.legal_basis() == cv1::LEGAL_BASIS_CONSENT) {
      EXPECT_EQ(c.consent().given_by(), cv1::CONSENT_GIVER_PARENT_OR_GUARDIAN);
      EXPECT_FALSE(c.consent().giver_name().empty());
    } else {
      EXPECT_EQ(c.legal_basis(), cv1::LEGAL_BASIS_CHILD_BEST_INTEREST);
    }
  }
  EXPECT_GE(seen, 100);
}

TEST(SampleDataTest, ActionsFollowTheCase) {
  const NodeConfig config = Country("HN");
  SampleData gen(config, 17, kNow);
  std::set<int> types;
  for (int i = 0; i < 500; ++i) {
    cv1::Case c = gen.NextCase("countries/HN/persons/p");
    // A case the server opened an hour before the anchor: acts come after it.
    const absl::Time created = gen.anchor() - absl::Hours(1);
    c.mutable_create_time()->set_seconds(absl::ToUnixSeconds(created));
    const cv1::Action a = gen.NextAction(c);
    CheckAction(c, a, gen.anchor());
    types.insert(a.type());
    if (c.subtype() == cv1::SUBTYPE_REMAINS_REPATRIATION) {
      EXPECT_NE(a.type(), cv1::ACTION_TYPE_DETENTION_VISIT);
    }
  }
  EXPECT_GT(types.size(), 10u);
}

}  // namespace
}  // namespace enlace::sampledata
