#include "tools/enlacectl/cli.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"
#include "tools/enlacectl/crisis_import.h"
#include "tools/enlacectl/format.h"

namespace enlace::cli {
namespace {

ParseContext Context() {
  ParseContext c;
  c.country = "MX";
  c.now = absl::FromUnixSeconds(1780000000);
  return c;
}

absl::StatusOr<Command> Parse(const std::string& line) {
  // Words split at spaces; a '|' stands for a space inside one word.
  std::vector<std::string> words;
  for (absl::string_view w : absl::StrSplit(line, ' ', absl::SkipEmpty())) {
    std::string word(w);
    std::replace(word.begin(), word.end(), '|', ' ');
    words.push_back(word);
  }
  return ParseCommand(words, Context());
}

std::vector<std::string> Words(absl::string_view line) {
  return absl::StrSplit(line, ' ', absl::SkipEmpty());
}

std::vector<std::string> MaskOf(const google::protobuf::FieldMask& mask) {
  return {mask.paths().begin(), mask.paths().end()};
}

// ---- enum values

TEST(EnumValueTest, LowerCaseWithoutPrefix) {
  EXPECT_EQ(*ParseEnumValue(v1::Category_descriptor(), "migration", "category"),
            v1::CATEGORY_MIGRATION);
  EXPECT_EQ(*ParseEnumValue(v1::Category_descriptor(), "civil-family", "category"),
            v1::CATEGORY_CIVIL_FAMILY);
  EXPECT_EQ(*ParseEnumValue(v1::Category_descriptor(), "CATEGORY_CRISIS", "category"),
            v1::CATEGORY_CRISIS);
  EXPECT_EQ(*ParseEnumValue(v1::ActionType_descriptor(), "detention_visit", "type"),
            v1::ACTION_TYPE_DETENTION_VISIT);
  EXPECT_EQ(EnumValueName(v1::Subtype_descriptor(), v1::SUBTYPE_IMMIGRATION_DETENTION),
            "immigration_detention");
}

TEST(EnumValueTest, UnknownAndUnspecifiedAreRefusedWithTheChoices) {
  auto bad = ParseEnumValue(v1::Risk_descriptor(), "severe", "risk");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "risk: unknown value \"severe\""));
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "low, medium, high, critical"));
  EXPECT_FALSE(ParseEnumValue(v1::Risk_descriptor(), "unspecified", "risk").ok());
  EXPECT_FALSE(ParseEnumValue(v1::Risk_descriptor(), "", "risk").ok());
}

// Every value of every enum of the API reads back from its CLI spelling: nothing is stale.
TEST(EnumValueTest, EveryValueRoundTrips) {
  const auto* file = v1::Case::descriptor()->file();
  std::vector<const google::protobuf::EnumDescriptor*> enums;
  for (int i = 0; i < file->enum_type_count(); ++i) enums.push_back(file->enum_type(i));
  const auto* person_file = v1::Person::descriptor()->file();
  for (int i = 0; i < person_file->enum_type_count(); ++i) {
    enums.push_back(person_file->enum_type(i));
  }
  ASSERT_GE(enums.size(), 14u);
  for (const auto* e : enums) {
    for (int i = 0; i < e->value_count(); ++i) {
      const int n = e->value(i)->number();
      if (n == 0) continue;
      const std::string word = EnumValueName(e, n);
      EXPECT_EQ(word, absl::AsciiStrToLower(word));
      auto back = ParseEnumValue(e, word, e->name());
      ASSERT_TRUE(back.ok()) << e->name() << " " << word << ": " << back.status();
      EXPECT_EQ(*back, n);
    }
  }
}

// ---- values

TEST(ValueTest, Documents) {
  auto d = ParseDocument("passport:G1234567:mx");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->type(), v1::DOCUMENT_TYPE_PASSPORT);
  EXPECT_EQ(d->number(), "G1234567");
  EXPECT_EQ(d->issuing_country(), "MX");
  EXPECT_EQ(FormatDocument(*d), "passport:G1234567:MX");
  auto e = ParseDocument("national_id:ABC-123:GT:2030-01-31");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->expire_date(), "2030-01-31");
  EXPECT_EQ(FormatDocument(*e), "national_id:ABC-123:GT:2030-01-31");
  EXPECT_FALSE(ParseDocument("passport:G1").ok());
  EXPECT_FALSE(ParseDocument("passport::MX").ok());
  EXPECT_FALSE(ParseDocument("a:b:c:d:e").ok());
  auto bad_type = ParseDocument("pasport:G1:MX");
  ASSERT_FALSE(bad_type.ok());
  EXPECT_TRUE(absl::StrContains(bad_type.status().message(), "passport, national_id"));
}

TEST(ValueTest, Times) {
  auto t = ParseTime("2026-03-01T10:00:00Z");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(FormatTime(*t), "2026-03-01T10:00:00Z");
  auto offset = ParseTime("2026-03-01T04:00:00-06:00");
  ASSERT_TRUE(offset.ok());
  EXPECT_EQ(offset->seconds(), t->seconds());
  auto day = ParseTime("2026-03-01");
  ASSERT_TRUE(day.ok());
  EXPECT_EQ(FormatTime(*day), "2026-03-01T00:00:00Z");
  auto fraction = ParseTime("2026-03-01T10:00:00.25Z");
  ASSERT_TRUE(fraction.ok());
  EXPECT_EQ(fraction->nanos(), 250000000);
  EXPECT_FALSE(ParseTime("yesterday").ok());
  EXPECT_FALSE(ParseTime("2026-13-01").ok());
}

TEST(ValueTest, Names) {
  EXPECT_EQ(ExpandName("abc", "MX", "cases"), "countries/MX/cases/abc");
  EXPECT_EQ(ExpandName("countries/GT/persons/x", "MX", "persons"), "countries/GT/persons/x");
}

// ---- commands

TEST(ParseCommandTest, PersonCreateFromTheExample) {
  auto cmd =
      ParseCommand({"person", "create", "given_names=José Luis", "family_names=Pérez", "sex=male",
                    "birth_date=1990-04-02", "nationality=MX", "doc=passport:G1234567:MX",
                    "language=es", "protection=none", "vulnerability=detained", "request_id=abc"},
                   Context());
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  ASSERT_EQ(cmd->rpc, Rpc::kCreatePerson);
  const auto& req = cmd->As<v1::CreatePersonRequest>();
  EXPECT_EQ(req.parent(), "countries/MX");
  EXPECT_EQ(req.request_id(), "abc");
  const v1::Person& p = req.person();
  EXPECT_EQ(p.given_names(), "José Luis");
  EXPECT_EQ(p.family_names(), "Pérez");
  EXPECT_EQ(p.sex(), v1::SEX_MALE);
  EXPECT_EQ(p.birth_date(), "1990-04-02");
  ASSERT_EQ(p.nationalities_size(), 1);
  EXPECT_EQ(p.nationalities(0), "MX");
  ASSERT_EQ(p.documents_size(), 1);
  EXPECT_EQ(p.documents(0).type(), v1::DOCUMENT_TYPE_PASSPORT);
  EXPECT_EQ(p.documents(0).number(), "G1234567");
  EXPECT_EQ(p.documents(0).issuing_country(), "MX");
  ASSERT_EQ(p.languages_size(), 1);
  EXPECT_EQ(p.international_protection(), v1::INTERNATIONAL_PROTECTION_NONE);
  ASSERT_EQ(p.vulnerabilities_size(), 1);
  EXPECT_EQ(p.vulnerabilities(0), v1::VULNERABILITY_DETAINED);
  EXPECT_FALSE(p.has_contact());
}

TEST(ParseCommandTest, RepeatedKeysTakeCommasAndRepeats) {
  auto cmd = Parse(
      "person create given_names=Ana nationality=mx,gt nationality=US "
      "vulnerabilities=pregnant,gbv_survivor doc=passport:1:MX doc=consular_id:2:MX phone=+52|55");
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  const v1::Person& p = cmd->As<v1::CreatePersonRequest>().person();
  EXPECT_EQ(std::vector<std::string>(p.nationalities().begin(), p.nationalities().end()),
            (std::vector<std::string>{"MX", "GT", "US"}));
  ASSERT_EQ(p.vulnerabilities_size(), 2);
  EXPECT_EQ(p.vulnerabilities(1), v1::VULNERABILITY_GBV_SURVIVOR);
  ASSERT_EQ(p.documents_size(), 2);
  EXPECT_EQ(p.documents(1).type(), v1::DOCUMENT_TYPE_CONSULAR_ID);
  EXPECT_EQ(p.contact().phone(), "+52 55");
}

TEST(ParseCommandTest, PersonUpdateMaskIsTheFieldsGiven) {
  auto cmd = Parse(
      "person update 0123456789abcdefghjk etag=e1 birth_date=1990 "
      "vulnerability= doc=passport:X1:MX language=es,mam");
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  ASSERT_EQ(cmd->rpc, Rpc::kUpdatePerson);
  const auto& req = cmd->As<v1::UpdatePersonRequest>();
  EXPECT_EQ(req.person().name(), "countries/MX/persons/0123456789abcdefghjk");
  EXPECT_EQ(req.person().etag(), "e1");
  EXPECT_EQ(MaskOf(req.update_mask()),
            (std::vector<std::string>{"birth_date", "documents", "languages", "vulnerabilities"}));
  EXPECT_EQ(req.person().vulnerabilities_size(), 0);  // cleared
  EXPECT_TRUE(cmd->contact_parts.empty());
}

TEST(ParseCommandTest, PersonUpdateOfContactPartsMarksThemForMerging) {
  auto cmd = Parse("person update countries/MX/persons/p1 etag=e phone=555 address=");
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  const auto& req = cmd->As<v1::UpdatePersonRequest>();
  EXPECT_EQ(MaskOf(req.update_mask()), (std::vector<std::string>{"contact"}));
  EXPECT_EQ(cmd->contact_parts, (std::vector<std::string>{"phone", "address"}));
  EXPECT_EQ(req.person().contact().phone(), "555");
}

TEST(ParseCommandTest, UpdateNeedsAFieldAndKnowsOnlyUpdatableKeys) {
  auto none = Parse("person update p1 etag=e");
  ASSERT_FALSE(none.ok());
  EXPECT_TRUE(absl::StrContains(none.status().message(), "at least one field"));
  auto rid = Parse("person update p1 etag=e sex=female request_id=r");
  ASSERT_FALSE(rid.ok());
  EXPECT_TRUE(absl::StrContains(rid.status().message(), "unknown key \"request_id\""));
  auto person = Parse("case update c1 etag=e person=p2");
  ASSERT_FALSE(person.ok());
  EXPECT_TRUE(absl::StrContains(person.status().message(), "unknown key \"person\""));
}

TEST(ParseCommandTest, CaseCreate) {
  auto cmd = Parse(
      "case create person=p1 post=MX-LAX host_country=us place=Adelanto,|California "
      "category=migration subtype=immigration_detention risk=high urgent=true "
      "legal_basis=consent consent=person:services,family consent_withheld=contact "
      "summary=Detenido request_id=c-1");
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  const auto& req = cmd->As<v1::CreateCaseRequest>();
  const v1::Case& c = req.case_();
  EXPECT_EQ(req.parent(), "countries/MX");
  EXPECT_EQ(req.request_id(), "c-1");
  EXPECT_EQ(c.person(), "countries/MX/persons/p1");
  EXPECT_EQ(c.post(), "MX-LAX");
  EXPECT_EQ(c.host_country(), "US");
  EXPECT_EQ(c.place(), "Adelanto, California");
  EXPECT_EQ(c.category(), v1::CATEGORY_MIGRATION);
  EXPECT_EQ(c.subtype(), v1::SUBTYPE_IMMIGRATION_DETENTION);
  EXPECT_EQ(c.risk(), v1::RISK_HIGH);
  EXPECT_TRUE(c.urgent());
  EXPECT_EQ(c.legal_basis(), v1::LEGAL_BASIS_CONSENT);
  EXPECT_EQ(c.consent().given_by(), v1::CONSENT_GIVER_PERSON);
  ASSERT_EQ(c.consent().scopes_size(), 2);
  EXPECT_EQ(c.consent().scopes(1), v1::CONSENT_SCOPE_FAMILY);
  ASSERT_EQ(c.consent().withheld_items_size(), 1);
  // Obtained "now" unless told otherwise.
  EXPECT_EQ(c.consent().obtain_time().seconds(), 1780000000);
}

TEST(ParseCommandTest, CaseUpdateMaskAndConsentReplacement) {
  auto cmd = Parse(
      "case update c1 etag=e risk=low status=in_progress urgent=no "
      "consent=parent_or_guardian:tracing consent_giver_name=Rosa");
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  const auto& req = cmd->As<v1::UpdateCaseRequest>();
  EXPECT_EQ(req.case_().name(), "countries/MX/cases/c1");
  EXPECT_EQ(MaskOf(req.update_mask()),
            (std::vector<std::string>{"status", "risk", "urgent", "consent"}));
  EXPECT_EQ(req.case_().status(), v1::STATUS_IN_PROGRESS);
  EXPECT_FALSE(req.case_().urgent());
  EXPECT_EQ(req.case_().consent().giver_name(), "Rosa");

  auto clear = Parse("case update c1 etag=e consent=none");
  ASSERT_TRUE(clear.ok()) << clear.status();
  EXPECT_EQ(MaskOf(clear->As<v1::UpdateCaseRequest>().update_mask()),
            (std::vector<std::string>{"consent"}));
  EXPECT_FALSE(clear->As<v1::UpdateCaseRequest>().case_().has_consent());

  EXPECT_FALSE(Parse("case update c1 etag=e consent_giver_name=Rosa").ok());
  EXPECT_FALSE(Parse("case update c1 etag=e consent=person").ok());
  EXPECT_FALSE(Parse("case update c1 etag=e consent=person:everything").ok());
}

TEST(ParseCommandTest, CaseListFiltersAndPaging) {
  auto cmd = Parse(
      "case list post=MX-LAX status=open category=migration person=p1 "
      "since=2026-01-01 until=2026-02-01T00:00:00Z page_size=10 page_token=tok --all");
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  const auto& req = cmd->As<v1::ListCasesRequest>();
  EXPECT_EQ(req.parent(), "countries/MX");
  EXPECT_EQ(req.post(), "MX-LAX");
  EXPECT_EQ(req.status(), v1::STATUS_OPEN);
  EXPECT_EQ(req.category(), v1::CATEGORY_MIGRATION);
  EXPECT_EQ(req.person(), "countries/MX/persons/p1");
  EXPECT_EQ(FormatTime(req.open_time_start()), "2026-01-01T00:00:00Z");
  EXPECT_EQ(FormatTime(req.open_time_end()), "2026-02-01T00:00:00Z");
  EXPECT_EQ(req.page_size(), 10);
  EXPECT_EQ(req.page_token(), "tok");
  EXPECT_TRUE(cmd->all_pages);

  EXPECT_FALSE(Parse("case list page_size=ten").ok());
  EXPECT_FALSE(Parse("case list since=last-week").ok());
  EXPECT_FALSE(Parse("case get c1 --all").ok());
}

TEST(ParseCommandTest, CloseAndActions) {
  auto close = Parse("case close c1 resolution=resolved note=Liberado etag=e");
  ASSERT_TRUE(close.ok()) << close.status();
  const auto& c = close->As<v1::CloseCaseRequest>();
  EXPECT_EQ(c.name(), "countries/MX/cases/c1");
  EXPECT_EQ(c.resolution(), v1::RESOLUTION_RESOLVED);
  EXPECT_EQ(c.resolution_note(), "Liberado");
  EXPECT_EQ(c.etag(), "e");

  auto add = Parse("action add c1 type=detention_visit officer=ofc-1 outcome=completed");
  ASSERT_TRUE(add.ok()) << add.status();
  const auto& a = add->As<v1::AddActionRequest>();
  EXPECT_EQ(a.parent(), "countries/MX/cases/c1");
  EXPECT_EQ(a.action().type(), v1::ACTION_TYPE_DETENTION_VISIT);
  EXPECT_EQ(a.action().outcome(), v1::ACTION_OUTCOME_COMPLETED);
  EXPECT_EQ(a.action().occur_time().seconds(), 1780000000);  // default: now

  auto at = Parse(
      "action add c1 type=interview officer=o outcome=partial "
      "occur_time=2026-03-01T10:00:00Z");
  ASSERT_TRUE(at.ok());
  EXPECT_EQ(FormatTime(at->As<v1::AddActionRequest>().action().occur_time()),
            "2026-03-01T10:00:00Z");

  auto list = Parse("actions list c1 page_size=5");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->rpc, Rpc::kListActions);
  EXPECT_EQ(list->As<v1::ListActionsRequest>().parent(), "countries/MX/cases/c1");
}

TEST(ParseCommandTest, Search) {
  auto byname = Parse("person search name=jose|perez birth_date=1990");
  ASSERT_TRUE(byname.ok()) << byname.status();
  EXPECT_EQ(byname->As<v1::SearchPersonsRequest>().name_query(), "jose perez");
  EXPECT_EQ(byname->As<v1::SearchPersonsRequest>().birth_date(), "1990");
  auto bydoc = Parse("person search doc=passport:G1234567:MX");
  ASSERT_TRUE(bydoc.ok()) << bydoc.status();
  EXPECT_EQ(bydoc->As<v1::SearchPersonsRequest>().document().number(), "G1234567");
  EXPECT_FALSE(Parse("person search").ok());
  EXPECT_FALSE(Parse("person search name=a doc=passport:1:MX").ok());
}

TEST(ParseCommandTest, BadInputIsAUsageErrorNamingEveryProblem) {
  auto bad = Parse("case create category=nonsense urgent=maybe colour=blue stray");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string m(bad.status().message());
  EXPECT_TRUE(absl::StrContains(m, "category: unknown value \"nonsense\"")) << m;
  EXPECT_TRUE(absl::StrContains(m, "urgent: \"maybe\" is not true/false")) << m;
  EXPECT_TRUE(absl::StrContains(m, "unknown key \"colour\" for `case create`")) << m;
  EXPECT_TRUE(absl::StrContains(m, "unexpected argument \"stray\"")) << m;

  EXPECT_FALSE(Parse("person create sex=male sex=female").ok());
  EXPECT_FALSE(Parse("person get").ok());
  EXPECT_FALSE(Parse("person get a b").ok());
  EXPECT_FALSE(Parse("person frobnicate").ok());
  EXPECT_FALSE(Parse("person").ok());
  EXPECT_FALSE(Parse("dance").ok());
  EXPECT_FALSE(ParseCommand({}, Context()).ok());
  EXPECT_FALSE(Parse("case list --verbose").ok());
  EXPECT_FALSE(Parse("person create doc=passport:G1").ok());
  EXPECT_EQ(Parse("help")->rpc, Rpc::kHelp);
}

TEST(ParseCommandTest, CountryBuildsParents) {
  ParseContext gt = Context();
  gt.country = "GT";
  auto cmd = ParseCommand({"case", "get", "abc"}, gt);
  ASSERT_TRUE(cmd.ok());
  EXPECT_EQ(cmd->As<v1::GetCaseRequest>().name(), "countries/GT/cases/abc");
}

// ---- directory and federation commands

TEST(EnumValueTest, DirectoryValuesRoundTrip) {
  for (const auto* e : {dv1::OrganisationType_descriptor(), dv1::Service_descriptor()}) {
    for (int i = 0; i < e->value_count(); ++i) {
      const int n = e->value(i)->number();
      if (n == 0) continue;
      auto back = ParseEnumValue(e, EnumValueName(e, n), e->name());
      ASSERT_TRUE(back.ok()) << e->name() << ": " << back.status();
      EXPECT_EQ(*back, n);
    }
  }
  EXPECT_EQ(EnumValueName(dv1::OrganisationType_descriptor(),
                          dv1::ORGANISATION_TYPE_INTERNATIONAL_ORGANISATION),
            "international_organisation");
  EXPECT_EQ(EnumValueName(dv1::Service_descriptor(), dv1::SERVICE_GBV_SUPPORT), "gbv_support");
}

TEST(OrgCommandTest, CreateFromTheExample) {
  auto cmd = ParseCommand(
      {"org", "create", "display_name=Casa del Migrante", "type=shelter",
       "service=shelter,legal_aid", "area=mx-chp,MX-OAX", "language=es,mam", "phone=+52 962 1",
       "email=casa@example.org", "website=https://casa.example.org", "address=Calle 1, Tapachula",
       "description=Albergue y asesoría", "request_id=org-1"},
      Context());
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  ASSERT_EQ(cmd->rpc, Rpc::kCreateOrganisation);
  const auto& req = cmd->As<dv1::CreateOrganisationRequest>();
  EXPECT_EQ(req.parent(), "countries/MX");
  EXPECT_EQ(req.request_id(), "org-1");
  const dv1::Organisation& o = req.organisation();
  EXPECT_EQ(o.display_name(), "Casa del Migrante");
  EXPECT_EQ(o.type(), dv1::ORGANISATION_TYPE_SHELTER);
  ASSERT_EQ(o.services_size(), 2);
  EXPECT_EQ(o.services(0), dv1::SERVICE_SHELTER);
  EXPECT_EQ(o.services(1), dv1::SERVICE_LEGAL_AID);
  EXPECT_EQ(std::vector<std::string>(o.areas().begin(), o.areas().end()),
            (std::vector<std::string>{"MX-CHP", "MX-OAX"}));  // upper-cased
  EXPECT_EQ(std::vector<std::string>(o.languages().begin(), o.languages().end()),
            (std::vector<std::string>{"es", "mam"}));
  EXPECT_EQ(o.contact().phone(), "+52 962 1");
  EXPECT_EQ(o.contact().email(), "casa@example.org");
  EXPECT_EQ(o.contact().website(), "https://casa.example.org");
  EXPECT_EQ(o.contact().address(), "Calle 1, Tapachula");
  EXPECT_EQ(o.description(), "Albergue y asesoría");
  EXPECT_TRUE(o.name().empty());
}

TEST(OrgCommandTest, CreateRefusesUnknownValuesWithTheChoices) {
  auto bad = Parse("org create display_name=X type=hotel service=shelter,massage etag=r1");
  ASSERT_FALSE(bad.ok());
  const std::string m(bad.status().message());
  EXPECT_TRUE(absl::StrContains(m,
                                "type: unknown value \"hotel\"; one of: civil_society, "
                                "shelter, legal_aid"))
      << m;
  EXPECT_TRUE(absl::StrContains(m, "service: unknown value \"massage\"")) << m;
  EXPECT_TRUE(absl::StrContains(m, "unknown key \"etag\" for `org create`")) << m;
  EXPECT_FALSE(Parse("org create NAME display_name=X").ok());  // no positional
}

TEST(OrgCommandTest, GetAndDeleteExpandIdsWithTheCountry) {
  ParseContext gt = Context();
  gt.country = "GT";
  auto get = ParseCommand({"org", "get", "0123456789abcdefghjk"}, gt);
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(get->rpc, Rpc::kGetOrganisation);
  EXPECT_EQ(get->As<dv1::GetOrganisationRequest>().name(),
            "countries/GT/organisations/0123456789abcdefghjk");
  // Any member's entry can be read by its full name.
  auto other = Parse("organisations get countries/HN/organisations/x");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_EQ(other->As<dv1::GetOrganisationRequest>().name(), "countries/HN/organisations/x");

  auto del = Parse("org delete o1 etag=r3");
  ASSERT_TRUE(del.ok()) << del.status();
  EXPECT_EQ(del->rpc, Rpc::kDeleteOrganisation);
  EXPECT_EQ(del->As<dv1::DeleteOrganisationRequest>().name(), "countries/MX/organisations/o1");
  EXPECT_EQ(del->As<dv1::DeleteOrganisationRequest>().etag(), "r3");
  auto no_etag = Parse("org delete o1");
  ASSERT_FALSE(no_etag.ok());
  EXPECT_TRUE(absl::StrContains(no_etag.status().message(), "needs etag=ETAG")) << no_etag.status();
  EXPECT_FALSE(Parse("org get").ok());
  EXPECT_FALSE(Parse("org get a b").ok());
  EXPECT_FALSE(Parse("org delete o1 etag=r1 type=shelter").ok());
}

TEST(OrgCommandTest, UpdateMaskIsTheFieldsGiven) {
  auto cmd = Parse(
      "org update o1 etag=r2 display_name=Casa|Nueva service=food area= phone=555 "
      "website=https://x.example description=");
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  ASSERT_EQ(cmd->rpc, Rpc::kUpdateOrganisation);
  const auto& req = cmd->As<dv1::UpdateOrganisationRequest>();
  EXPECT_EQ(req.organisation().name(), "countries/MX/organisations/o1");
  EXPECT_EQ(req.organisation().etag(), "r2");
  EXPECT_EQ(
      MaskOf(req.update_mask()),
      (std::vector<std::string>{"display_name", "services", "areas", "contact", "description"}));
  EXPECT_EQ(req.organisation().display_name(), "Casa Nueva");
  ASSERT_EQ(req.organisation().services_size(), 1);
  EXPECT_EQ(req.organisation().services(0), dv1::SERVICE_FOOD);
  EXPECT_EQ(req.organisation().areas_size(), 0);  // cleared
  EXPECT_EQ(req.organisation().contact().phone(), "555");
  // Contact parts are merged into the stored contact by the client before sending.
  EXPECT_EQ(cmd->contact_parts, (std::vector<std::string>{"phone", "website"}));
}

TEST(OrgCommandTest, UpdateRefusals) {
  auto none = Parse("org update o1 etag=r1");
  ASSERT_FALSE(none.ok());
  EXPECT_TRUE(absl::StrContains(none.status().message(), "at least one field")) << none.status();
  auto rid = Parse("org update o1 etag=r1 type=shelter request_id=x");
  ASSERT_FALSE(rid.ok());
  EXPECT_TRUE(absl::StrContains(rid.status().message(), "unknown key \"request_id\""));
  // The node merges contacts: an empty part would silently stay as it was.
  auto clear = Parse("org update o1 etag=r1 email=");
  ASSERT_FALSE(clear.ok());
  EXPECT_TRUE(absl::StrContains(clear.status().message(),
                                "email: an organisation's contact parts cannot be cleared"))
      << clear.status();
  EXPECT_FALSE(Parse("org update etag=r1 type=shelter").ok());  // no NAME
  EXPECT_FALSE(Parse("org update o1 etag=r1 type=shelter --all").ok());
}

TEST(OrgCommandTest, ListFiltersAllMembersByDefault) {
  ParseContext gt = Context();
  gt.country = "GT";
  auto all = ParseCommand({"org", "list"}, gt);
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->rpc, Rpc::kListOrganisations);
  EXPECT_EQ(all->As<dv1::ListOrganisationsRequest>().parent(), "");  // --country is no filter

  auto cmd = Parse(
      "orgs list country=gt type=legal_aid service=family_tracing area=mx-chp "
      "query=casa|migrante page_size=20 page_token=tok --all");
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  const auto& req = cmd->As<dv1::ListOrganisationsRequest>();
  EXPECT_EQ(req.parent(), "countries/GT");
  EXPECT_EQ(req.type(), dv1::ORGANISATION_TYPE_LEGAL_AID);
  EXPECT_EQ(req.service(), dv1::SERVICE_FAMILY_TRACING);
  EXPECT_EQ(req.area(), "MX-CHP");
  EXPECT_EQ(req.query(), "casa migrante");
  EXPECT_EQ(req.page_size(), 20);
  EXPECT_EQ(req.page_token(), "tok");
  EXPECT_TRUE(cmd->all_pages);

  auto bad = Parse("org list country=Guatemala service=shelter,food page_size=many");
  ASSERT_FALSE(bad.ok());
  const std::string m(bad.status().message());
  EXPECT_TRUE(absl::StrContains(m, "country: \"Guatemala\" is not an ISO 3166-1 alpha-2")) << m;
  EXPECT_TRUE(absl::StrContains(m, "service: unknown value \"shelter,food\"")) << m;
  EXPECT_TRUE(absl::StrContains(m, "page_size: \"many\" is not a number")) << m;
  EXPECT_FALSE(Parse("org list stray").ok());
  EXPECT_FALSE(Parse("org frobnicate").ok());
  EXPECT_FALSE(Parse("org").ok());
}

TEST(FederationCommandTest, StatusAndQuarantine) {
  auto status = Parse("federation status");
  ASSERT_TRUE(status.ok()) << status.status();
  EXPECT_EQ(status->rpc, Rpc::kGetFederationStatus);
  EXPECT_EQ(status->request->GetDescriptor(), fv1::GetFederationStatusRequest::descriptor());

  auto q = Parse("federation quarantine sender=gt page_size=10");
  ASSERT_TRUE(q.ok()) << q.status();
  EXPECT_EQ(q->rpc, Rpc::kListQuarantine);
  EXPECT_EQ(q->As<fv1::ListQuarantineRequest>().sender(), "GT");
  EXPECT_EQ(q->As<fv1::ListQuarantineRequest>().page_size(), 10);
  EXPECT_TRUE(Parse("federation quarantine")->As<fv1::ListQuarantineRequest>().sender().empty());

  EXPECT_FALSE(Parse("federation status GT").ok());
  EXPECT_FALSE(Parse("federation status peer=GT").ok());
  EXPECT_FALSE(Parse("federation status --all").ok());
  EXPECT_FALSE(Parse("federation quarantine --all").ok());  // the RPC has no pages
  EXPECT_FALSE(Parse("federation quarantine page_token=x").ok());
  EXPECT_FALSE(Parse("federation").ok());
  auto unknown = Parse("federation reload");
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(absl::StrContains(unknown.status().message(), "federation status|quarantine"))
      << unknown.status();
}

// ---- notifications, referrals, inbox, person erase

TEST(NotificationCommandTest, SendFromTheExample) {
  auto cmd = Parse(
      "notification send national=gt event=immigration_detention given_names=Juan|Ixcoy "
      "family_names=Tzul|Ixcoy sex=male birth_date=1996 doc=national_id:2534812340901:gt "
      "language=quc protection=none place=Estación|migratoria|Siglo|XXI area=mx-chp "
      "authority=Instituto|Nacional|de|Migración event_time=2026-03-01T10:00:00-06:00 "
      "rights_informed_time=2026-03-01T11:00:00-06:00 contact=requested request_id=n-1");
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  EXPECT_EQ(cmd->rpc, Rpc::kSendNotification);
  const auto& req = cmd->As<nv1::SendNotificationRequest>();
  EXPECT_EQ(req.parent(), "countries/MX");
  EXPECT_EQ(req.request_id(), "n-1");
  const auto& n = req.notification();
  EXPECT_EQ(n.national_country(), "GT");
  EXPECT_EQ(n.event(), nv1::EVENT_IMMIGRATION_DETENTION);
  EXPECT_EQ(n.person().given_names(), "Juan Ixcoy");
  EXPECT_EQ(n.person().family_names(), "Tzul Ixcoy");
  EXPECT_EQ(n.person().sex(), v1::SEX_MALE);
  EXPECT_EQ(n.person().birth_date(), "1996");
  // The nationality defaults to the receiving member.
  ASSERT_EQ(n.person().nationalities_size(), 1);
  EXPECT_EQ(n.person().nationalities(0), "GT");
  ASSERT_EQ(n.person().documents_size(), 1);
  EXPECT_EQ(FormatDocument(n.person().documents(0)), "national_id:2534812340901:GT");
  EXPECT_EQ(n.person().international_protection(), v1::INTERNATIONAL_PROTECTION_NONE);
  EXPECT_FALSE(n.person().has_contact());
  EXPECT_EQ(n.place(), "Estación migratoria Siglo XXI");
  EXPECT_EQ(n.area(), "MX-CHP");
  EXPECT_EQ(n.authority(), "Instituto Nacional de Migración");
  EXPECT_EQ(FormatTime(n.event_time()), "2026-03-01T16:00:00Z");
  EXPECT_EQ(FormatTime(n.rights_informed_time()), "2026-03-01T17:00:00Z");
  EXPECT_EQ(n.consular_contact(), nv1::CONSULAR_CONTACT_REQUESTED);
}

TEST(NotificationCommandTest, NationalComesFromASingleNationality) {
  auto cmd = Parse("notification send nationality=hn event=arrest");
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  EXPECT_EQ(cmd->As<nv1::SendNotificationRequest>().notification().national_country(), "HN");
  // Two nationalities: the operator says which state is notified.
  auto two = Parse("notification send nationality=HN,GT event=arrest");
  ASSERT_FALSE(two.ok());
  EXPECT_TRUE(absl::StrContains(two.status().message(), "needs national=CC")) << two.status();
  auto both = Parse("notification send national=GT nationality=HN,GT event=arrest");
  ASSERT_TRUE(both.ok()) << both.status();
  EXPECT_EQ(both->As<nv1::SendNotificationRequest>().notification().person().nationalities_size(),
            2);
}

TEST(NotificationCommandTest, SendRefusesUnknownValuesAndTheLocalContact) {
  auto bad = Parse("notification send national=GT event=kidnapping contact=maybe phone=123");
  ASSERT_FALSE(bad.ok());
  const std::string m(bad.status().message());
  EXPECT_TRUE(absl::StrContains(m,
                                "event: unknown value \"kidnapping\"; one of: arrest, "
                                "imprisonment, custody, immigration_detention"))
      << m;
  EXPECT_TRUE(absl::StrContains(m,
                                "contact: unknown value \"maybe\"; one of: requested, "
                                "opposed, not_stated"))
      << m;
  // The host keeps the person's local contact: the command does not even take it.
  EXPECT_TRUE(absl::StrContains(m, "unknown key \"phone\" for `notification send`")) << m;
  EXPECT_FALSE(Parse("notification send national=GT event=arrest event_time=ayer").ok());
  EXPECT_FALSE(Parse("notification send NAME national=GT").ok());
}

TEST(NotificationCommandTest, GetListAck) {
  auto get = Parse("notification get abc");
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(get->rpc, Rpc::kGetNotification);
  EXPECT_EQ(get->As<nv1::GetNotificationRequest>().name(), "countries/MX/notifications/abc");
  auto ack = Parse("notifications acknowledge countries/HN/notifications/xyz");
  ASSERT_TRUE(ack.ok()) << ack.status();
  EXPECT_EQ(ack->rpc, Rpc::kAcknowledgeNotification);
  EXPECT_EQ(ack->As<nv1::AcknowledgeNotificationRequest>().name(),
            "countries/HN/notifications/xyz");
  EXPECT_EQ(Parse("notification ack countries/HN/notifications/xyz")->rpc,
            Rpc::kAcknowledgeNotification);

  auto list = Parse("notification list incoming post=mx-lax page_size=20 --all");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->rpc, Rpc::kListNotifications);
  EXPECT_TRUE(list->all_pages);
  const auto& req = list->As<nv1::ListNotificationsRequest>();
  EXPECT_EQ(req.direction(), nv1::DIRECTION_INCOMING);
  EXPECT_EQ(req.post(), "MX-LAX");
  EXPECT_EQ(req.page_size(), 20);
  EXPECT_EQ(Parse("notification list outgoing")->As<nv1::ListNotificationsRequest>().direction(),
            nv1::DIRECTION_OUTGOING);

  auto no_direction = Parse("notification list post=MX-LAX");
  ASSERT_FALSE(no_direction.ok());
  EXPECT_TRUE(absl::StrContains(no_direction.status().message(),
                                "needs exactly one direction (incoming or outgoing)"))
      << no_direction.status();
  auto sideways = Parse("notification list sideways");
  ASSERT_FALSE(sideways.ok());
  EXPECT_TRUE(absl::StrContains(sideways.status().message(), "one of: incoming, outgoing"))
      << sideways.status();
  EXPECT_FALSE(Parse("notification get").ok());
  EXPECT_FALSE(Parse("notification ack a b").ok());
  EXPECT_FALSE(Parse("notification get abc --all").ok());
  EXPECT_FALSE(Parse("notification delete abc").ok());
}

TEST(ReferralCommandTest, CreateToAMembersPost) {
  auto cmd = Parse(
      "referral create case=c1 to_post=gt-tap service=legal_aid "
      "fields=given_names,family_names fields=birth_date purpose=Asesoría|legal "
      "expire_time=2026-09-01 request_id=r-1");
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  EXPECT_EQ(cmd->rpc, Rpc::kCreateReferral);
  const auto& req = cmd->As<rv1::CreateReferralRequest>();
  EXPECT_EQ(req.parent(), "countries/MX");
  EXPECT_EQ(req.request_id(), "r-1");
  const auto& r = req.referral();
  EXPECT_EQ(r.case_(), "countries/MX/cases/c1");
  EXPECT_EQ(r.to_post(), "GT-TAP");
  EXPECT_EQ(r.to_country(), "GT");  // from the post code
  EXPECT_TRUE(r.to_organisation().empty());
  EXPECT_EQ(r.service(), rv1::SERVICE_TYPE_LEGAL_AID);
  EXPECT_EQ(std::vector<std::string>(r.disclosed_fields().begin(), r.disclosed_fields().end()),
            (std::vector<std::string>{"given_names", "family_names", "birth_date"}));
  EXPECT_EQ(r.purpose(), "Asesoría legal");
  EXPECT_EQ(FormatTime(r.expire_time()), "2026-09-01T00:00:00Z");
  auto explicit_country = Parse(
      "referral create case=c1 to_country=gt to_post=GT-TAP "
      "service=shelter");
  ASSERT_TRUE(explicit_country.ok()) << explicit_country.status();
  EXPECT_EQ(explicit_country->As<rv1::CreateReferralRequest>().referral().to_country(), "GT");
}

TEST(ReferralCommandTest, CreateToAnOrganisationAndRefusals) {
  auto org = Parse("referral create case=countries/MX/cases/c1 to_org=o1 service=shelter");
  ASSERT_TRUE(org.ok()) << org.status();
  const auto& r = org->As<rv1::CreateReferralRequest>().referral();
  EXPECT_EQ(r.to_organisation(), "countries/MX/organisations/o1");
  EXPECT_TRUE(r.to_country().empty());
  EXPECT_EQ(Parse("referral create case=c1 to_org=countries/GT/organisations/o2 service=shelter")
                ->As<rv1::CreateReferralRequest>()
                .referral()
                .to_organisation(),
            "countries/GT/organisations/o2");

  auto both = Parse("referral create case=c1 to_post=GT-TAP to_org=o1 service=shelter");
  ASSERT_FALSE(both.ok());
  EXPECT_TRUE(absl::StrContains(both.status().message(), "or to_org=NAME")) << both.status();
  EXPECT_FALSE(Parse("referral create case=c1 service=shelter").ok());
  auto no_case = Parse("referral create to_post=GT-TAP service=shelter");
  ASSERT_FALSE(no_case.ok());
  EXPECT_TRUE(absl::StrContains(no_case.status().message(), "needs case=NAME"));
  auto no_service = Parse("referral create case=c1 to_post=GT-TAP");
  ASSERT_FALSE(no_service.ok());
  EXPECT_TRUE(absl::StrContains(no_service.status().message(), "needs service=SERVICE"));
  auto bad = Parse("referral create case=c1 to_post=GT-TAP service=food expire_time=soon");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(absl::StrContains(bad.status().message(),
                                "service: unknown value \"food\"; one of: legal_aid, shelter"))
      << bad.status();
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "expire_time: ")) << bad.status();
}

TEST(ReferralCommandTest, TransitionsAndList) {
  const std::string name = "countries/MX/referrals/r1";
  for (const auto& [verb, rpc] :
       std::vector<std::pair<std::string, Rpc>>{{"get", Rpc::kGetReferral},
                                                {"accept", Rpc::kAcceptReferral},
                                                {"start", Rpc::kStartReferral},
                                                {"revoke", Rpc::kRevokeReferral}}) {
    auto cmd = Parse("referral " + verb + " r1");
    ASSERT_TRUE(cmd.ok()) << verb << ": " << cmd.status();
    EXPECT_EQ(cmd->rpc, rpc) << verb;
    const auto* field = cmd->request->GetDescriptor()->FindFieldByName("name");
    EXPECT_EQ(cmd->request->GetReflection()->GetString(*cmd->request, field), name) << verb;
    EXPECT_FALSE(Parse("referral " + verb).ok()) << verb;
    EXPECT_FALSE(Parse("referral " + verb + " r1 note=x").ok()) << verb;
  }
  auto reject = Parse(
      "referral reject countries/GT/referrals/r2 outcome=no_capacity "
      "note=Sin|cupo");
  ASSERT_TRUE(reject.ok()) << reject.status();
  EXPECT_EQ(reject->rpc, Rpc::kRejectReferral);
  EXPECT_EQ(reject->As<rv1::RejectReferralRequest>().name(), "countries/GT/referrals/r2");
  EXPECT_EQ(reject->As<rv1::RejectReferralRequest>().outcome(), rv1::OUTCOME_NO_CAPACITY);
  EXPECT_EQ(reject->As<rv1::RejectReferralRequest>().note(), "Sin cupo");
  EXPECT_FALSE(Parse("referral reject r2").ok());
  auto success = Parse("referral reject r2 outcome=success");
  ASSERT_FALSE(success.ok());
  EXPECT_TRUE(absl::StrContains(success.status().message(), "not success"));

  auto complete = Parse("referral complete r2 outcome=success");
  ASSERT_TRUE(complete.ok()) << complete.status();
  EXPECT_EQ(complete->rpc, Rpc::kCompleteReferral);
  EXPECT_EQ(complete->As<rv1::CompleteReferralRequest>().outcome(), rv1::OUTCOME_SUCCESS);
  auto no_outcome = Parse("referral complete r2");
  ASSERT_FALSE(no_outcome.ok());
  EXPECT_TRUE(absl::StrContains(no_outcome.status().message(), "needs outcome=success"));

  auto list = Parse("referrals list outgoing post=mx-lax page_token=t");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->rpc, Rpc::kListReferrals);
  EXPECT_EQ(list->As<rv1::ListReferralsRequest>().direction(), rv1::DIRECTION_OUTGOING);
  EXPECT_EQ(list->As<rv1::ListReferralsRequest>().post(), "MX-LAX");
  EXPECT_EQ(list->As<rv1::ListReferralsRequest>().page_token(), "t");
  EXPECT_FALSE(Parse("referral list").ok());
  EXPECT_FALSE(Parse("referral list incoming service=shelter").ok());
  EXPECT_FALSE(Parse("referral forward r1").ok());
}

TEST(TransferCommandTest, CreateGetAcceptDeclineList) {
  auto create = Parse("transfer create case=c1 to_post=gt-tap reason=Sin|consulado request_id=t-1");
  ASSERT_TRUE(create.ok()) << create.status();
  EXPECT_EQ(create->rpc, Rpc::kTransferCase);
  const auto& req = create->As<tv1::TransferCaseRequest>();
  EXPECT_EQ(req.parent(), "countries/MX");
  EXPECT_EQ(req.request_id(), "t-1");
  EXPECT_EQ(req.transfer().case_(), "countries/MX/cases/c1");
  EXPECT_EQ(req.transfer().to_post(), "GT-TAP");
  EXPECT_EQ(req.transfer().to_country(), "GT");
  EXPECT_EQ(req.transfer().reason(), "Sin consulado");
  auto no_reason = Parse("transfer create case=c1 to_post=GT-TAP");
  ASSERT_FALSE(no_reason.ok());
  EXPECT_TRUE(absl::StrContains(no_reason.status().message(), "needs reason="));
  EXPECT_FALSE(Parse("transfer create case=c1 reason=x").ok());
  EXPECT_FALSE(Parse("transfer create to_post=GT-TAP reason=x").ok());

  auto get = Parse("transfer get t1");
  ASSERT_TRUE(get.ok()) << get.status();
  EXPECT_EQ(get->rpc, Rpc::kGetTransfer);
  EXPECT_EQ(get->As<tv1::GetTransferRequest>().name(), "countries/MX/transfers/t1");
  auto accept = Parse("transfers accept countries/GT/transfers/t2");
  ASSERT_TRUE(accept.ok()) << accept.status();
  EXPECT_EQ(accept->rpc, Rpc::kAcceptTransfer);
  EXPECT_EQ(accept->As<tv1::AcceptTransferRequest>().name(), "countries/GT/transfers/t2");
  auto decline = Parse("transfer decline countries/GT/transfers/t2 reason=Fuera|de|jurisdicción");
  ASSERT_TRUE(decline.ok()) << decline.status();
  EXPECT_EQ(decline->rpc, Rpc::kDeclineTransfer);
  EXPECT_EQ(decline->As<tv1::DeclineTransferRequest>().reason(), "Fuera de jurisdicción");
  EXPECT_FALSE(Parse("transfer decline t2").ok());
  EXPECT_FALSE(Parse("transfer accept").ok());

  auto list = Parse("transfer list incoming post=gt-tap --all");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->rpc, Rpc::kListTransfers);
  EXPECT_TRUE(list->all_pages);
  EXPECT_EQ(list->As<tv1::ListTransfersRequest>().direction(), tv1::DIRECTION_INCOMING);
  EXPECT_EQ(list->As<tv1::ListTransfersRequest>().post(), "GT-TAP");
  EXPECT_FALSE(Parse("transfer list").ok());
  EXPECT_FALSE(Parse("transfer revoke t1").ok());
}

TEST(InboxCommandTest, PostAndAll) {
  auto inbox = Parse("inbox post=gt-tap");
  ASSERT_TRUE(inbox.ok()) << inbox.status();
  EXPECT_EQ(inbox->rpc, Rpc::kInbox);
  EXPECT_FALSE(inbox->all_pages);
  EXPECT_EQ(inbox->As<nv1::ListNotificationsRequest>().post(), "GT-TAP");
  EXPECT_EQ(inbox->As<nv1::ListNotificationsRequest>().direction(), nv1::DIRECTION_INCOMING);
  auto all = Parse("inbox --all");
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_TRUE(all->all_pages);
  EXPECT_TRUE(all->As<nv1::ListNotificationsRequest>().post().empty());
  EXPECT_FALSE(Parse("inbox GT-TAP").ok());
  EXPECT_FALSE(Parse("inbox kind=referral").ok());
}

TEST(PersonEraseTest, NeedsAReason) {
  auto erase = Parse("person erase p1 reason=Solicitud|ARCO|2026-17");
  ASSERT_TRUE(erase.ok()) << erase.status();
  EXPECT_EQ(erase->rpc, Rpc::kErasePerson);
  EXPECT_EQ(erase->As<v1::ErasePersonRequest>().name(), "countries/MX/persons/p1");
  EXPECT_EQ(erase->As<v1::ErasePersonRequest>().reason(), "Solicitud ARCO 2026-17");
  auto no_reason = Parse("person erase p1");
  ASSERT_FALSE(no_reason.ok());
  EXPECT_TRUE(absl::StrContains(no_reason.status().message(), "needs reason="));
  EXPECT_FALSE(Parse("person erase reason=x").ok());
}

TEST(PersonGrantTest, NeedsAPostAndAReason) {
  auto grant = Parse("person grant p1 post=MX-LAX reason=Oficio|118");
  ASSERT_TRUE(grant.ok()) << grant.status();
  EXPECT_EQ(grant->rpc, Rpc::kGrantPersonAccess);
  EXPECT_EQ(grant->As<v1::GrantPersonAccessRequest>().name(), "countries/MX/persons/p1");
  EXPECT_EQ(grant->As<v1::GrantPersonAccessRequest>().post(), "MX-LAX");
  EXPECT_EQ(grant->As<v1::GrantPersonAccessRequest>().reason(), "Oficio 118");
  EXPECT_FALSE(Parse("person grant p1 post=MX-LAX").ok());
  EXPECT_FALSE(Parse("person grant p1 reason=x").ok());
}

TEST(CaseCreateTest, PresentedIdentity) {
  auto c = Parse(
      "case create person=p1 post=MX-LAX presented_doc=passport:N31415926:MX "
      "presented_given_names=Rosa|María presented_family_names=Tepox "
      "presented_birth_date=1991-04-02");
  ASSERT_TRUE(c.ok()) << c.status();
  const auto& shown = c->As<v1::CreateCaseRequest>().presented_identity();
  EXPECT_EQ(shown.document().number(), "N31415926");
  EXPECT_EQ(shown.document().type(), v1::DOCUMENT_TYPE_PASSPORT);
  EXPECT_EQ(shown.given_names(), "Rosa María");
  EXPECT_EQ(shown.family_names(), "Tepox");
  EXPECT_EQ(shown.birth_date(), "1991-04-02");
  EXPECT_FALSE(Parse("case create person=p1 presented_doc=passport").ok());
}

TEST(FederationResumeTest, NeedsAPeerAndAReason) {
  auto resume = Parse("federation resume GT reason=Ticket|4411");
  ASSERT_TRUE(resume.ok()) << resume.status();
  EXPECT_EQ(resume->rpc, Rpc::kResumeLink);
  EXPECT_EQ(resume->As<fv1::ResumeLinkRequest>().country(), "GT");
  EXPECT_EQ(resume->As<fv1::ResumeLinkRequest>().reason(), "Ticket 4411");
  EXPECT_FALSE(Parse("federation resume GT").ok());
  EXPECT_FALSE(Parse("federation resume reason=x").ok());
}

// ---- global flags

FlagKind Kinds(absl::string_view name) {
  if (name == "json") return FlagKind::kBool;
  if (name == "server" || name == "timeout" || name == "tls_dir") return FlagKind::kValue;
  return FlagKind::kUnknown;
}

TEST(AuditCommandTest, ListFilters) {
  auto byCase = Parse(
      "audit list case=abc actor=spiffe://mx.enlace.example/role/x/user/y "
      "since=2026-01-01 until=2026-02-01T00:00:00Z page_size=5 --all");
  ASSERT_TRUE(byCase.ok()) << byCase.status();
  EXPECT_EQ(byCase->rpc, Rpc::kListAuditRecords);
  EXPECT_TRUE(byCase->all_pages);
  const auto& req = byCase->As<av1::ListAuditRecordsRequest>();
  EXPECT_EQ(req.resource(), "countries/MX/cases/abc");
  EXPECT_EQ(req.actor(), "spiffe://mx.enlace.example/role/x/user/y");
  EXPECT_EQ(req.start_time().seconds(), 1767225600);
  EXPECT_EQ(req.end_time().seconds(), 1769904000);
  EXPECT_EQ(req.page_size(), 5);
  EXPECT_EQ(Parse("audit list person=p1")->As<av1::ListAuditRecordsRequest>().resource(),
            "countries/MX/persons/p1");
  EXPECT_EQ(Parse("audit list resource=countries/GT/cases/z")
                ->As<av1::ListAuditRecordsRequest>()
                .resource(),
            "countries/GT/cases/z");
  EXPECT_FALSE(Parse("audit list case=a person=b").ok());
  EXPECT_FALSE(Parse("audit list since=yesterday").ok());
  EXPECT_FALSE(Parse("audit list who=me").ok());
  EXPECT_FALSE(Parse("audit list --data_dir=/x").ok());
}

TEST(AuditCommandTest, VerifyOnlineAndOffline) {
  auto online = Parse("audit verify");
  ASSERT_TRUE(online.ok()) << online.status();
  EXPECT_EQ(online->rpc, Rpc::kVerifyAuditLog);
  auto split =
      SplitGlobalFlags({"audit", "verify", "--data_dir", "/var/enlace", "--verify-key=k.pem"},
                       [](absl::string_view) { return FlagKind::kUnknown; });
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_EQ(split->words, (std::vector<std::string>{"audit", "verify", "--data_dir=/var/enlace",
                                                    "--verify_key=k.pem"}));
  auto offline = ParseCommand(split->words, Context());
  ASSERT_TRUE(offline.ok()) << offline.status();
  EXPECT_EQ(offline->rpc, Rpc::kVerifyAuditFiles);
  EXPECT_EQ(offline->data_dir, "/var/enlace");
  EXPECT_EQ(offline->verify_key_file, "k.pem");
  EXPECT_FALSE(Parse("audit verify --verify_key=k.pem").ok());
  EXPECT_FALSE(Parse("audit verify --data_dir=").ok());
  EXPECT_FALSE(Parse("audit verify now").ok());
  EXPECT_FALSE(Parse("case list --data_dir=/x").ok());
  EXPECT_FALSE(Parse("audit erase").ok());
}

TEST(GlobalFlagsTest, SplitsFlagsFromTheCommand) {
  auto s = SplitGlobalFlags({"--server", "h:1", "--json", "case", "list", "--all", "--timeout=5s",
                             "status=open", "--tls-dir=/d", "--nojson"},
                            Kinds);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->words, (std::vector<std::string>{"case", "list", "--all", "status=open"}));
  std::vector<std::pair<std::string, std::string>> want = {
      {"server", "h:1"}, {"json", "true"}, {"timeout", "5s"}, {"tls_dir", "/d"}, {"json", "false"}};
  EXPECT_EQ(s->flags, want);
  EXPECT_FALSE(SplitGlobalFlags({"--bogus", "case"}, Kinds).ok());
  EXPECT_FALSE(SplitGlobalFlags({"case", "list", "--server"}, Kinds).ok());
  EXPECT_TRUE(SplitGlobalFlags({"--help"}, Kinds)->help);
  auto ended = SplitGlobalFlags({"--", "case", "--json"}, Kinds);
  EXPECT_EQ(ended->words, (std::vector<std::string>{"case", "--json"}));
}

TEST(GlobalFlagsTest, ResolvesTlsFilesAndEnvironment) {
  std::map<std::string, std::string> env = {{"ENLACE_SERVER", "node:9"},
                                            {"ENLACE_CA", "/env/ca.pem"},
                                            {"ENLACE_CERT", "/env/c.pem"},
                                            {"ENLACE_KEY", "/env/c.key"}};
  auto getenv = [&](const char* n) { return env.count(n) ? env[n] : std::string(); };
  FlagValues f;
  auto o = ResolveOptions(f, getenv);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->server, "node:9");
  EXPECT_EQ(o->ca_file, "/env/ca.pem");
  EXPECT_EQ(o->cert_file, "/env/c.pem");
  EXPECT_EQ(o->country, "MX");
  EXPECT_EQ(o->timeout, absl::Seconds(10));

  f.tls_dir = "/pki/MX";
  f.identity = "ana";
  f.ca = "/flag/ca.pem";
  f.country = "gt";
  o = ResolveOptions(f, getenv);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->ca_file, "/flag/ca.pem");
  EXPECT_EQ(o->cert_file, "/pki/MX/ana.pem");
  EXPECT_EQ(o->key_file, "/pki/MX/ana.key");
  EXPECT_EQ(o->country, "GT");

  env.clear();
  o = ResolveOptions(FlagValues(), getenv);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->server, "localhost:7443");
  EXPECT_TRUE(o->cert_file.empty());

  FlagValues half;
  half.cert = "/c.pem";
  EXPECT_FALSE(ResolveOptions(half, getenv).ok());
  FlagValues country;
  country.country = "Mexico";
  EXPECT_FALSE(ResolveOptions(country, getenv).ok());
  FlagValues timeout;
  timeout.timeout = absl::ZeroDuration();
  EXPECT_FALSE(ResolveOptions(timeout, getenv).ok());
}

// ---- output

TEST(FormatTest, TablesAlignByCharactersAndFillEmptyCells) {
  std::string t = FormatTable({"NAME", "GIVEN"}, {{"a", "José"}, {"bbbbbb", ""}});
  EXPECT_EQ(t,
            "NAME    GIVEN\n"
            "a       José\n"
            "bbbbbb  -\n");
  // "Ñúñez" is 5 characters (8 bytes): the next column still starts at the same place.
  std::string u = FormatTable({"A", "B"}, {{"Ñúñez", "x"}, {"Lopez", "y"}});
  std::vector<std::string> lines = absl::StrSplit(u, '\n');
  EXPECT_EQ(lines[1], "Ñúñez  x");
  EXPECT_EQ(lines[2], "Lopez  y");
}

TEST(FormatTest, CasesTable) {
  v1::ListCasesResponse r;
  auto* c = r.add_cases();
  c->set_name("countries/MX/cases/c1");
  c->set_post("MX-LAX");
  c->set_status(v1::STATUS_OPEN);
  c->set_category(v1::CATEGORY_MIGRATION);
  c->set_subtype(v1::SUBTYPE_IMMIGRATION_DETENTION);
  c->mutable_create_time()->set_seconds(1780000000);
  c->set_urgent(true);
  const std::string t = CasesTable(r);
  std::vector<std::string> lines = absl::StrSplit(t, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(lines[0], ' ', absl::SkipEmpty())),
            (std::vector<std::string>{"NAME", "POST", "STATUS", "CATEGORY", "SUBTYPE", "OPENED",
                                      "URGENT"}));
  EXPECT_EQ(
      std::vector<std::string>(absl::StrSplit(lines[1], ' ', absl::SkipEmpty())),
      (std::vector<std::string>{"countries/MX/cases/c1", "MX-LAX", "open", "migration",
                                "immigration_detention", FormatTime(c->create_time()), "yes"}));
  // Columns line up: each header starts where its values start.
  EXPECT_EQ(lines[0].find("POST"), lines[1].find("MX-LAX"));
  EXPECT_EQ(lines[0].find("URGENT"), lines[1].find("yes"));
}

TEST(FormatTest, PersonsAndActionsTables) {
  v1::SearchPersonsResponse persons;
  auto* p = persons.add_persons();
  p->set_name("countries/MX/persons/p1");
  p->set_given_names("José Luis");
  p->set_family_names("Pérez");
  p->add_nationalities("MX");
  p->add_nationalities("US");
  p->set_age_band(v1::AGE_BAND_ADULT_30_59);
  EXPECT_EQ(PersonsTable(persons),
            "NAME                     GIVEN      FAMILY  BIRTH        NATIONALITIES\n"
            "countries/MX/persons/p1  José Luis  Pérez   adult_30_59  MX,US\n");
  v1::ListActionsResponse actions;
  auto* a = actions.add_actions();
  a->set_name("countries/MX/cases/c1/actions/00000001");
  a->set_type(v1::ACTION_TYPE_DETENTION_VISIT);
  a->set_post("MX-LAX");
  a->set_officer("ofc-1");
  a->set_outcome(v1::ACTION_OUTCOME_COMPLETED);
  a->mutable_occur_time()->set_seconds(0);
  EXPECT_EQ(ActionsTable(actions),
            "ACTION    TYPE             POST    OFFICER  OUTCOME    OCCURRED\n"
            "00000001  detention_visit  MX-LAX  ofc-1    completed  1970-01-01T00:00:00Z\n");
}

TEST(FormatTest, FieldsOfOneResource) {
  v1::Person p;
  p.set_name("countries/MX/persons/p1");
  p.set_given_names("José");
  p.set_sex(v1::SEX_MALE);
  p.add_nationalities("MX");
  p.add_nationalities("GT");
  auto* d = p.add_documents();
  d->set_type(v1::DOCUMENT_TYPE_PASSPORT);
  d->set_number("G1");
  d->set_issuing_country("MX");
  p.mutable_contact()->set_phone("555");
  p.mutable_create_time()->set_seconds(0);
  EXPECT_EQ(FormatFields(p),
            "name:          countries/MX/persons/p1\n"
            "given_names:   José\n"
            "sex:           male\n"
            "nationalities: MX,GT\n"
            "documents:     passport:G1:MX\n"
            "contact.phone: 555\n"
            "create_time:   1970-01-01T00:00:00Z\n");
  v1::Case c;
  c.set_status(v1::STATUS_CLOSED);
  EXPECT_EQ(FormatFields(c),
            "status: closed\n"
            "urgent: false\n");
}

TEST(FormatTest, ErrorsListFieldViolations) {
  FieldViolations v;
  v.Add("case.subtype", "does not belong");
  v.Add("case.place", "required");
  EXPECT_EQ(FormatError(v.ToStatus()),
            "error: INVALID_ARGUMENT: case.subtype: does not belong; case.place: required\n"
            "  case.subtype: does not belong\n"
            "  case.place: required\n");
  EXPECT_EQ(FormatError(absl::NotFoundError("countries/MX/cases/x not found")),
            "error: NOT_FOUND: countries/MX/cases/x not found\n");
}

TEST(FormatTest, JsonIsOneLine) {
  v1::Case c;
  c.set_name("countries/MX/cases/c1");
  c.set_category(v1::CATEGORY_MIGRATION);
  auto line = JsonLine(c);
  ASSERT_TRUE(line.ok());
  EXPECT_EQ(*line, "{\"name\":\"countries/MX/cases/c1\",\"category\":\"CATEGORY_MIGRATION\"}\n");
}

TEST(FormatTest, OrganisationsTable) {
  dv1::ListOrganisationsResponse r;
  auto* o = r.add_organisations();
  o->set_name("countries/MX/organisations/o1");
  o->set_display_name("Casa del Migrante Tapachula");
  o->set_type(dv1::ORGANISATION_TYPE_SHELTER);
  o->add_services(dv1::SERVICE_SHELTER);
  o->add_services(dv1::SERVICE_LEGAL_AID);
  o->add_areas("MX-CHP");
  o->add_areas("MX-OAX");
  auto* g = r.add_organisations();
  g->set_name("countries/GT/organisations/g1");
  g->set_display_name("Pastoral");
  g->set_type(dv1::ORGANISATION_TYPE_FAITH_BASED);
  g->add_services(dv1::SERVICE_FOOD);
  EXPECT_EQ(OrganisationsTable(r),
            "NAME                           TYPE         SERVICES           AREAS          "
            "DISPLAY_NAME\n"
            "countries/MX/organisations/o1  shelter      shelter,legal_aid  MX-CHP,MX-OAX  "
            "Casa del Migrante Tapachula\n"
            "countries/GT/organisations/g1  faith_based  food               -              "
            "Pastoral\n");
}

TEST(FormatTest, FieldsOfAnOrganisation) {
  dv1::Organisation o;
  o.set_name("countries/MX/organisations/o1");
  o.set_display_name("Casa");
  o.set_type(dv1::ORGANISATION_TYPE_SHELTER);
  o.add_services(dv1::SERVICE_SHELTER);
  o.add_services(dv1::SERVICE_GBV_SUPPORT);
  o.mutable_contact()->set_website("https://casa.example");
  o.set_etag("r2");
  o.set_revision(2);
  EXPECT_EQ(FormatFields(o),
            "name:            countries/MX/organisations/o1\n"
            "display_name:    Casa\n"
            "type:            shelter\n"
            "services:        shelter,gbv_support\n"
            "contact.website: https://casa.example\n"
            "etag:            r2\n"
            "revision:        2\n");
}

TEST(FormatTest, FederationStatus) {
  fv1::FederationStatus s;
  s.set_country("MX");
  s.set_manifest_version(3);
  auto* gt = s.add_peers();
  gt->set_country("GT");
  gt->set_endpoint("gt.enlace.example:8443");
  gt->set_connected(true);
  gt->set_last_seq_queued(120);
  gt->set_last_seq_sent(120);
  gt->set_last_seq_acked(118);
  gt->set_outbox_depth(2);
  gt->set_lag_seconds(1.5);
  gt->set_inbound_applied_seq(77);
  auto* hn = s.add_peers();
  hn->set_country("HN");
  hn->set_endpoint("hn.enlace.example:8443");
  hn->set_last_seq_queued(5);
  hn->set_outbox_depth(5);
  hn->set_lag_seconds(61);
  hn->set_quarantined(1);
  hn->set_last_error("UNAVAILABLE: connection refused");
  EXPECT_EQ(FederationStatusText(s),
            "country: MX  manifest_version: 3\n"
            "PEER  ENDPOINT                CONNECTED  QUEUED  SENT  ACKED  DEPTH  LAG_S  "
            "INBOUND_APPLIED  QUARANTINED  LAST_ERROR\n"
            "GT    gt.enlace.example:8443  yes        120     120   118    2      1.5    "
            "77               0            -\n"
            "HN    hn.enlace.example:8443  no         5       0     0      5      61.0   "
            "0                1            UNAVAILABLE: connection refused\n");
  fv1::FederationStatus alone;
  alone.set_country("MX");
  alone.set_manifest_version(1);
  EXPECT_TRUE(absl::StartsWith(FederationStatusText(alone),
                               "country: MX  manifest_version: 1\nPEER  ENDPOINT"));
}

TEST(FormatTest, QuarantineTable) {
  fv1::ListQuarantineResponse r;
  auto* e = r.add_envelopes();
  e->set_sender("GT");
  e->set_seq(42);
  e->set_kind("directory.organisation.upsert");
  e->set_reason("PERMISSION_DENIED: GT tried to change an entry it does not own");
  e->mutable_receive_time()->set_seconds(1780000000);
  e->set_size_bytes(512);
  const std::string t = QuarantineTable(r);
  std::vector<std::string> lines = absl::StrSplit(t, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << t;
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(lines[0], ' ', absl::SkipEmpty())),
            (std::vector<std::string>{"SENDER", "SEQ", "KIND", "REASON", "RECEIVED", "SIZE"}));
  EXPECT_TRUE(absl::StartsWith(lines[1],
                               "GT      42   directory.organisation.upsert  "
                               "PERMISSION_DENIED: GT tried"))
      << lines[1];
  EXPECT_TRUE(absl::EndsWith(lines[1], "  " + FormatTime(e->receive_time()) + "  512")) << lines[1];
  EXPECT_EQ(lines[0].find("RECEIVED"), lines[1].find(FormatTime(e->receive_time())));
  EXPECT_EQ(QuarantineTable(fv1::ListQuarantineResponse()),
            "SENDER  SEQ  KIND  REASON  RECEIVED  SIZE\n");
}

TEST(FormatTest, AuditRecordsTable) {
  av1::ListAuditRecordsResponse response;
  auto* r = response.add_records();
  r->set_seq(42);
  r->mutable_time()->set_seconds(1780000000);
  r->set_actor("spiffe://mx.enlace.example/role/supervisor/user/ana");
  r->set_action("cases.GetCase");
  r->add_resources("countries/MX/cases/c1");
  r->add_resources("countries/MX/persons/p1");
  r->set_outcome(av1::AUDIT_OUTCOME_DENIED);
  r->set_detail("role officer may not call it");
  const std::string t = AuditRecordsTable(response);
  std::vector<std::string> lines = absl::StrSplit(t, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << t;
  std::vector<std::string> header = absl::StrSplit(lines[0], ' ', absl::SkipEmpty());
  EXPECT_EQ(header, (std::vector<std::string>{"SEQ", "TIME", "ACTOR", "ACTION", "OUTCOME",
                                              "RESOURCES", "DETAIL"}));
  std::vector<std::string> row = absl::StrSplit(lines[1], ' ', absl::SkipEmpty());
  ASSERT_GE(row.size(), 7u) << t;
  EXPECT_EQ(row[0], "42");
  EXPECT_EQ(row[1], "2026-05-28T20:26:40Z");
  EXPECT_EQ(row[3], "cases.GetCase");
  EXPECT_EQ(row[4], "denied");
  EXPECT_EQ(row[5], "countries/MX/cases/c1,countries/MX/persons/p1");
  EXPECT_EQ(lines[1].find("role officer"), lines[0].find("DETAIL"));
}

TEST(FormatTest, UnimplementedIsExplained) {
  EXPECT_EQ(ExplainUnimplemented(absl::UnimplementedError(""), "no federation here"),
            absl::UnimplementedError("no federation here"));
  EXPECT_EQ(ExplainUnimplemented(absl::UnimplementedError("Method not found"), "why"),
            absl::UnimplementedError("Method not found (why)"));
  EXPECT_EQ(ExplainUnimplemented(absl::NotFoundError("x"), "why"), absl::NotFoundError("x"));
  EXPECT_EQ(FormatError(ExplainUnimplemented(absl::UnimplementedError(""), "standalone node")),
            "error: UNIMPLEMENTED: standalone node\n");
}

nv1::Notification IncomingNotification() {
  nv1::Notification n;
  n.set_name("countries/MX/notifications/n1");
  n.set_national_country("GT");
  n.set_host_country("MX");
  n.set_event(nv1::EVENT_IMMIGRATION_DETENTION);
  n.mutable_person()->set_given_names("Juan");
  n.mutable_person()->set_family_names("Tzul Ixcoy");
  n.set_place("Estación migratoria Siglo XXI, Tapachula");
  n.set_consular_contact(nv1::CONSULAR_CONTACT_REQUESTED);
  n.set_post("GT-TAP");
  n.mutable_create_time()->set_seconds(1780000000);
  n.mutable_receive_time()->set_seconds(1780000002);
  return n;
}

TEST(FormatTest, NotificationsTables) {
  nv1::ListNotificationsResponse response;
  auto* n = response.add_notifications();
  *n = IncomingNotification();
  n->set_case_("countries/GT/cases/c9");
  std::vector<std::string> lines =
      absl::StrSplit(NotificationsTable(response, true), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);
  std::vector<std::string> header = absl::StrSplit(lines[0], ' ', absl::SkipEmpty());
  EXPECT_EQ(header, (std::vector<std::string>{"NAME", "FROM", "POST", "EVENT", "RECEIVED",
                                              "ACKNOWLEDGED", "CASE", "PERSON"}));
  std::vector<std::string> row = absl::StrSplit(lines[1], ' ', absl::SkipEmpty());
  EXPECT_EQ(row, (std::vector<std::string>{"countries/MX/notifications/n1", "MX", "GT-TAP",
                                           "immigration_detention", "2026-05-28T20:26:42Z", "-",
                                           "countries/GT/cases/c9", "Juan", "Tzul", "Ixcoy"}));
  lines = absl::StrSplit(NotificationsTable(response, false), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);
  header = absl::StrSplit(lines[0], ' ', absl::SkipEmpty());
  EXPECT_EQ(header, (std::vector<std::string>{"NAME", "TO", "EVENT", "SENT", "RECEIVED",
                                              "ACKNOWLEDGED", "PERSON"}));
  row = absl::StrSplit(lines[1], ' ', absl::SkipEmpty());
  EXPECT_EQ(row[1], "GT");
  EXPECT_EQ(row[3], "2026-05-28T20:26:40Z");
  // Fields of one: the case field and enums in the CLI spelling.
  const std::string fields = FormatFields(*n);
  EXPECT_TRUE(absl::StrContains(fields, "case:")) << fields;
  EXPECT_TRUE(absl::StrContains(fields, "event:")) << fields;
  EXPECT_TRUE(absl::StrContains(fields, "immigration_detention")) << fields;
  EXPECT_TRUE(absl::StrContains(fields, "consular_contact:")) << fields;
}

TEST(FormatTest, ReferralsTables) {
  rv1::ListReferralsResponse response;
  auto* r = response.add_referrals();
  r->set_name("countries/MX/referrals/r1");
  r->set_case_("countries/MX/cases/c1");
  r->set_from_country("MX");
  r->set_from_post("MX-LAX");
  r->set_to_country("GT");
  r->set_to_post("GT-TAP");
  r->set_service(rv1::SERVICE_TYPE_LEGAL_AID);
  r->set_state(rv1::STATE_PENDING);
  r->set_revoke_requested(true);
  r->mutable_create_time()->set_seconds(1780000000);
  r->mutable_update_time()->set_seconds(1780000060);
  r->mutable_person()->set_given_names("Rigoberta");
  std::vector<std::string> lines =
      absl::StrSplit(ReferralsTable(response, false), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);
  std::vector<std::string> row = absl::StrSplit(lines[1], ' ', absl::SkipEmpty());
  EXPECT_EQ(row, (std::vector<std::string>{"countries/MX/referrals/r1", "MX-LAX", "GT-TAP",
                                           "legal_aid", "pending,revoke_requested", "-",
                                           "2026-05-28T20:27:40Z", "countries/MX/cases/c1"}));
  r->set_revoke_requested(false);
  r->set_state(rv1::STATE_REJECTED);
  r->set_outcome(rv1::OUTCOME_NO_CAPACITY);
  lines = absl::StrSplit(ReferralsTable(response, true), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);
  std::vector<std::string> header = absl::StrSplit(lines[0], ' ', absl::SkipEmpty());
  EXPECT_EQ(header, (std::vector<std::string>{"NAME", "FROM", "POST", "SERVICE", "STATE", "OUTCOME",
                                              "SENT", "PERSON"}));
  row = absl::StrSplit(lines[1], ' ', absl::SkipEmpty());
  EXPECT_EQ(row, (std::vector<std::string>{"countries/MX/referrals/r1", "MX-LAX", "GT-TAP",
                                           "legal_aid", "rejected", "no_capacity",
                                           "2026-05-28T20:26:40Z", "Rigoberta"}));
  // To an organisation: TO is the organisation.
  r->set_to_country("");
  r->set_to_post("");
  r->set_to_organisation("countries/MX/organisations/o1");
  EXPECT_TRUE(absl::StrContains(ReferralsTable(response, false), "countries/MX/organisations/o1"));
}

TEST(FormatTest, TransfersTables) {
  tv1::ListTransfersResponse response;
  auto* t = response.add_transfers();
  t->set_name("countries/MX/transfers/t1");
  t->set_case_("countries/MX/cases/c1");
  t->set_from_country("MX");
  t->set_from_post("MX-GUA");
  t->set_to_country("GT");
  t->set_to_post("GT-TAP");
  t->set_reason("Sin consulado");
  t->set_state(tv1::STATE_ACCEPTED);
  t->set_new_case("countries/GT/cases/g1");
  t->mutable_create_time()->set_seconds(1780000000);
  t->mutable_decide_time()->set_seconds(1780000060);
  std::vector<std::string> lines =
      absl::StrSplit(TransfersTable(response, true), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Words(lines[0]), (std::vector<std::string>{"NAME", "FROM", "POST", "STATE", "SENT",
                                                       "NEW_CASE", "REASON"}));
  EXPECT_EQ(Words(lines[1]),
            (std::vector<std::string>{"countries/MX/transfers/t1", "MX-GUA", "GT-TAP", "accepted",
                                      "2026-05-28T20:26:40Z", "countries/GT/cases/g1", "Sin",
                                      "consulado"}));
  lines = absl::StrSplit(TransfersTable(response, false), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(Words(lines[0]), (std::vector<std::string>{"NAME", "POST", "TO", "STATE", "SENT",
                                                       "DECIDED", "CASE", "REASON"}));
  EXPECT_EQ(Words(lines[1])[5], "2026-05-28T20:27:40Z");
  EXPECT_EQ(Words(lines[1])[6], "countries/MX/cases/c1");
}

TEST(FormatTest, InboxShowsWhatWaitsOldestFirst) {
  nv1::ListNotificationsResponse notifications;
  auto* opening = notifications.add_notifications();
  *opening = IncomingNotification();  // received at ...42, case being opened
  auto* opened = notifications.add_notifications();
  *opened = IncomingNotification();
  opened->set_name("countries/MX/notifications/n0");
  opened->mutable_receive_time()->set_seconds(1779999000);
  opened->set_case_("countries/GT/cases/c1");
  auto* acked = notifications.add_notifications();
  *acked = IncomingNotification();
  acked->set_name("countries/MX/notifications/done");
  acked->mutable_receive_time()->set_seconds(1780000050);
  acked->mutable_acknowledge_time()->set_seconds(1780000100);
  rv1::ListReferralsResponse referrals;
  auto* pending = referrals.add_referrals();
  pending->set_name("countries/MX/referrals/r1");
  pending->set_from_country("MX");
  pending->set_from_post("MX-LAX");
  pending->set_to_post("GT-TAP");
  pending->set_service(rv1::SERVICE_TYPE_LEGAL_AID);
  pending->set_purpose("Salarios no pagados");
  pending->set_state(rv1::STATE_PENDING);
  pending->mutable_create_time()->set_seconds(1779999500);
  auto* done = referrals.add_referrals();
  *done = *pending;
  done->set_name("countries/MX/referrals/r0");
  done->set_state(rv1::STATE_DONE);
  done->set_outcome(rv1::OUTCOME_SUCCESS);

  tv1::ListTransfersResponse transfers;
  auto* offer = transfers.add_transfers();
  offer->set_name("countries/MX/transfers/t1");
  offer->set_from_country("MX");
  offer->set_from_post("MX-GUA");
  offer->set_to_post("GT-TAP");
  offer->set_state(tv1::STATE_PENDING);
  offer->set_reason("Sin consulado en la zona");
  offer->mutable_create_time()->set_seconds(1780000500);
  offer->mutable_case_snapshot()->set_category(v1::CATEGORY_MIGRATION);
  offer->mutable_case_snapshot()->set_subtype(v1::SUBTYPE_DEPORTATION);
  offer->mutable_person()->set_given_names("Ana");
  auto* declined = transfers.add_transfers();
  *declined = *offer;
  declined->set_name("countries/MX/transfers/t0");
  declined->set_state(tv1::STATE_DECLINED);

  auto items = InboxItems(notifications, referrals, transfers, false);
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[3].kind, "transfer");
  EXPECT_EQ(items[3].name, "countries/MX/transfers/t1");
  EXPECT_EQ(items[3].from, "MX-GUA");
  EXPECT_EQ(items[3].state, "pending");
  EXPECT_EQ(items[3].summary,
            "case migration/deportation of Ana; reason: Sin consulado en la zona");
  items.pop_back();
  EXPECT_EQ(items[0].name, "countries/MX/notifications/n0");
  EXPECT_EQ(items[0].state, "case_opened");
  EXPECT_EQ(items[1].name, "countries/MX/referrals/r1");
  EXPECT_EQ(items[1].state, "pending");
  EXPECT_EQ(items[1].from, "MX-LAX");
  EXPECT_EQ(items[2].name, "countries/MX/notifications/n1");
  EXPECT_EQ(items[2].state, "received");
  const std::string table = InboxTable(items);
  std::vector<std::string> lines = absl::StrSplit(table, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 4u) << table;
  std::vector<std::string> header = absl::StrSplit(lines[0], ' ', absl::SkipEmpty());
  EXPECT_EQ(header,
            (std::vector<std::string>{"KIND", "NAME", "FROM", "STATE", "RECEIVED", "SUMMARY"}));
  EXPECT_TRUE(absl::StartsWith(lines[1], "notification  countries/MX/notifications/n0  MX"))
      << table;
  EXPECT_EQ(lines[1].find("immigration_detention, consular contact requested: Juan Tzul Ixcoy, "
                          "Estación migratoria Siglo XXI, Tapachula; case countries/GT/cases/c1"),
            lines[0].find("SUMMARY"))
      << table;
  EXPECT_TRUE(absl::StrContains(lines[2], "legal_aid: Salarios no pagados")) << table;

  auto all = InboxItems(notifications, referrals, transfers, true);
  ASSERT_EQ(all.size(), 7u);
  EXPECT_EQ(all[4].state, "acknowledged");
  EXPECT_EQ(all[5].state, "declined");  // t0 sorts before t1 received at the same time
  EXPECT_EQ(InboxTable({}), "KIND  NAME  FROM  STATE  RECEIVED  SUMMARY\n");

  auto json = InboxJsonLine(items[1]);
  ASSERT_TRUE(json.ok()) << json.status();
  EXPECT_TRUE(absl::StartsWith(*json,
                               "{\"kind\":\"referral\",\"referral\":{\"name\":"
                               "\"countries/MX/referrals/r1\""))
      << *json;
  EXPECT_TRUE(absl::EndsWith(*json, "}}\n")) << *json;
  EXPECT_EQ(std::count(json->begin(), json->end(), '\n'), 1);
}

TEST(FormatTest, HelpListsCommandsAndValues) {
  const std::string h = HelpText();
  for (const char* s : {"person create",
                        "person search",
                        "case list",
                        "case close",
                        "action add",
                        "action list",
                        "--tls_dir",
                        "immigration_detention",
                        "org create",
                        "org get",
                        "org update",
                        "org delete",
                        "org list",
                        "federation status",
                        "federation quarantine",
                        "audit list",
                        "audit verify --data_dir",
                        "person erase",
                        "notification send",
                        "notification list",
                        "notification ack",
                        "referral create",
                        "referral reject",
                        "referral complete",
                        "referral revoke",
                        "inbox",
                        "transfer create",
                        "transfer accept",
                        "transfer decline",
                        "transfer list",
                        "event: arrest, imprisonment, custody, immigration_detention",
                        "referral service: legal_aid, shelter",
                        "referral outcome: success",
                        "referral fields: given_names, family_names",
                        "org type: civil_society, shelter, legal_aid",
                        "org service: legal_aid, shelter, family_tracing",
                        "migration: immigration_detention, deportation, minor_in_custody, "
                        "asylum_orientation",
                        "crisis declare",
                        "crisis phase",
                        "crisis list",
                        "crisis show",
                        "crisis register",
                        "crisis import",
                        "--restart",
                        "crisis note",
                        "crisis notes",
                        "crisis worklist",
                        "crisis board",
                        "crisis merge",
                        "crisis sighting",
                        "crisis picture",
                        "crisis movement",
                        "crisis movements",
                        "crisis assist",
                        "crisis answer",
                        "crisis assistance [--incoming]",
                        "assistance state: requested, accepted, declined, done",
                        "crisis type: conflict, civil_unrest, earthquake",
                        "crisis phase: monitoring, active, recovery, closed",
                        "welfare status: unaccounted, inquiry_open, contacted_safe",
                        "note source: registry, family_inquiry",
                        "transport mode: air, bus"}) {
    EXPECT_TRUE(absl::StrContains(h, s)) << s;
  }
}

// ---- crises (enlace.crisis.v1)

TEST(EnumValueTest, CrisisValuesRoundTrip) {
  const auto* file = cv1::Crisis::descriptor()->file();
  ASSERT_GE(file->enum_type_count(), 5);
  for (int i = 0; i < file->enum_type_count(); ++i) {
    const auto* e = file->enum_type(i);
    for (int j = 0; j < e->value_count(); ++j) {
      const int n = e->value(j)->number();
      if (n == 0) continue;
      auto back = ParseEnumValue(e, EnumValueName(e, n), "k");
      ASSERT_TRUE(back.ok()) << e->full_name() << " " << n;
      EXPECT_EQ(*back, n);
    }
  }
  // Statuses as people type them: kebab case.
  EXPECT_EQ(*ParseEnumValue(cv1::WelfareStatus_descriptor(), "contacted-safe", "status"),
            cv1::WELFARE_STATUS_CONTACTED_SAFE);
  EXPECT_EQ(*ParseEnumValue(cv1::WelfareStatus_descriptor(), "believed-missing", "status"),
            cv1::WELFARE_STATUS_BELIEVED_MISSING);
  EXPECT_EQ(*ParseEnumValue(cv1::NoteSource_descriptor(), "shelter-list", "source"),
            cv1::NOTE_SOURCE_SHELTER_LIST);
}

TEST(CrisisCommandTest, DeclareFromTheExample) {
  auto cmd = Parse(
      "crisis declare type=hurricane title=Huracán|Eta host=hn areas=hn-cr,HN-AT phase=active "
      "lead=hn hotline=+504|2222-0000 advisory=Evite|viajar focal=HN-CR:HN:SPS,hn-at:mx:tgu "
      "measure=MX:visa|humanitaria,|un|año measure=GT:estancia|temporal request_id=eta-1");
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  EXPECT_EQ(cmd->rpc, Rpc::kDeclareCrisis);
  const auto& req = cmd->As<cv1::DeclareCrisisRequest>();
  EXPECT_EQ(req.parent(), "countries/MX");
  EXPECT_EQ(req.request_id(), "eta-1");
  const auto& c = req.crisis();
  EXPECT_EQ(c.type(), cv1::CRISIS_TYPE_HURRICANE);
  EXPECT_EQ(c.title(), "Huracán Eta");
  EXPECT_EQ(c.host_country(), "HN");
  EXPECT_EQ(std::vector<std::string>(c.areas().begin(), c.areas().end()),
            (std::vector<std::string>{"HN-CR", "HN-AT"}));
  EXPECT_EQ(c.phase(), cv1::PHASE_ACTIVE);
  EXPECT_EQ(c.lead_member(), "HN");
  EXPECT_EQ(c.hotline(), "+504 2222-0000");
  EXPECT_EQ(c.advisory(), "Evite viajar");
  ASSERT_EQ(c.focal_posts_size(), 2);
  EXPECT_EQ(c.focal_posts(0).area(), "HN-CR");
  EXPECT_EQ(c.focal_posts(0).member(), "HN");
  EXPECT_EQ(c.focal_posts(0).post(), "SPS");
  EXPECT_EQ(c.focal_posts(1).area(), "HN-AT");
  EXPECT_EQ(c.focal_posts(1).member(), "MX");
  EXPECT_EQ(c.focal_posts(1).post(), "TGU");
  // A measure's description keeps its commas.
  ASSERT_EQ(c.measures_size(), 2);
  EXPECT_EQ(c.measures(0).member(), "MX");
  EXPECT_EQ(c.measures(0).description(), "visa humanitaria, un año");
  EXPECT_EQ(c.measures(1).member(), "GT");
  EXPECT_EQ(Parse("crises declare type=flood title=T host=GT area=GT-16")->rpc,
            Rpc::kDeclareCrisis);
}

TEST(CrisisCommandTest, DeclareRefusalsNameTheKey) {
  auto missing = Parse("crisis declare phase=active");
  ASSERT_FALSE(missing.ok());
  std::string m(missing.status().message());
  for (const char* s : {"needs type=TYPE", "needs title=", "needs host=CC", "needs areas="}) {
    EXPECT_TRUE(absl::StrContains(m, s)) << s << "\n" << m;
  }
  auto bad = Parse(
      "crisis declare type=tsunami title=T host=Honduras areas=GT-16,HNCR lead=HND "
      "focal=HN-XX:HN:SPS focal=HN-CR measure=visa phase=over");
  ASSERT_FALSE(bad.ok());
  m = std::string(bad.status().message());
  for (const char* s :
       {"type: unknown value \"tsunami\"; one of: conflict, civil_unrest", "phase: unknown value",
        "host: \"HONDURAS\" is not an ISO 3166-1 alpha-2 code", "lead: \"HND\" is not",
        "areas: \"HNCR\" is not an ISO 3166-2 code (e.g. HN-CR)",
        "focal: HN-XX is not one of the crisis's areas",
        "focal: \"HN-CR\" is not AREA:MEMBER:POST (e.g. HN-CR:HN:SPS)",
        "measure: \"visa\" is not MEMBER:DESCRIPTION"}) {
    EXPECT_TRUE(absl::StrContains(m, s)) << s << "\n" << m;
  }
  auto elsewhere = Parse("crisis declare type=flood title=T host=HN areas=GT-16");
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_TRUE(
      absl::StrContains(elsewhere.status().message(), "areas: GT-16 is not in the host country HN"))
      << elsewhere.status();
  EXPECT_FALSE(Parse("crisis declare NAME type=flood title=T host=GT areas=GT-16").ok());
}

TEST(CrisisCommandTest, PhaseListShow) {
  auto phase = Parse("crisis phase c1 recovery");
  ASSERT_TRUE(phase.ok()) << phase.status();
  EXPECT_EQ(phase->rpc, Rpc::kChangeCrisisPhase);
  const auto& req = phase->As<cv1::UpdateCrisisRequest>();
  EXPECT_EQ(req.crisis().name(), "countries/MX/crises/c1");
  EXPECT_EQ(req.crisis().phase(), cv1::PHASE_RECOVERY);
  EXPECT_TRUE(req.crisis().etag().empty());  // the runner reads it first
  EXPECT_EQ(MaskOf(req.update_mask()), (std::vector<std::string>{"phase"}));
  EXPECT_EQ(Parse("crisis phase countries/HN/crises/c2 closed")
                ->As<cv1::UpdateCrisisRequest>()
                .crisis()
                .name(),
            "countries/HN/crises/c2");
  auto one = Parse("crisis phase c1");
  ASSERT_FALSE(one.ok());
  EXPECT_TRUE(absl::StrContains(one.status().message(),
                                "`crisis phase` needs NAME PHASE before its key=value arguments"))
      << one.status();
  auto over = Parse("crisis phase c1 over");
  ASSERT_FALSE(over.ok());
  EXPECT_TRUE(absl::StrContains(over.status().message(),
                                "phase: unknown value \"over\"; one of: monitoring, active, "
                                "recovery, closed"));

  auto list = Parse("crisis list phase=active,recovery");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->rpc, Rpc::kListCrises);
  EXPECT_EQ(list->As<cv1::ListCrisesRequest>().phases_size(), 2);
  EXPECT_EQ(list->As<cv1::ListCrisesRequest>().phases(1), cv1::PHASE_RECOVERY);
  EXPECT_EQ(Parse("crisis list")->As<cv1::ListCrisesRequest>().phases_size(), 0);
  EXPECT_FALSE(Parse("crisis list --all").ok());  // no pages

  for (const char* verb : {"show", "get"}) {
    auto show = Parse(absl::StrCat("crisis ", verb, " c1"));
    ASSERT_TRUE(show.ok()) << show.status();
    EXPECT_EQ(show->rpc, Rpc::kGetCrisis);
    EXPECT_EQ(show->As<cv1::GetCrisisRequest>().name(), "countries/MX/crises/c1");
  }
  EXPECT_FALSE(Parse("crisis show").ok());
  EXPECT_FALSE(Parse("crisis end c1").ok());
}

TEST(CrisisCommandTest, Register) {
  auto cmd = Parse(
      "crisis register given=José|Luis family=Pérez birth=1990-04-02 area=hn-cr "
      "arrival=2026-10-01 return=2026-12-15 post=mx-tgu child=no older=yes medical=true "
      "phone=+504|9999-0000 doc=passport:G1234567:mx request_id=reg-1");
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  EXPECT_EQ(cmd->rpc, Rpc::kCreateRegistration);
  const auto& req = cmd->As<cv1::CreateRegistrationRequest>();
  EXPECT_EQ(req.parent(), "countries/MX");
  EXPECT_EQ(req.request_id(), "reg-1");
  const auto& r = req.registration();
  EXPECT_EQ(r.given_names(), "José Luis");
  EXPECT_EQ(r.family_names(), "Pérez");
  EXPECT_EQ(r.birth_date(), "1990-04-02");
  EXPECT_EQ(r.host_country(), "HN");  // from the area
  EXPECT_EQ(r.area(), "HN-CR");
  EXPECT_EQ(r.arrival_date(), "2026-10-01");
  EXPECT_EQ(r.return_date(), "2026-12-15");
  EXPECT_EQ(r.post(), "MX-TGU");
  EXPECT_FALSE(r.child());
  EXPECT_TRUE(r.older_person());
  EXPECT_TRUE(r.medical_needs());
  EXPECT_EQ(r.phone(), "+504 9999-0000");
  ASSERT_EQ(r.documents_size(), 1);
  EXPECT_EQ(FormatDocument(r.documents(0)), "passport:G1234567:MX");
  // The long names are accepted too.
  auto full = Parse(
      "crisis register given_names=Ana family_names=Ruiz birth_date=1990 host_country=HN "
      "area=HN-AT older_person=yes");
  ASSERT_TRUE(full.ok()) << full.status();
  EXPECT_TRUE(full->As<cv1::CreateRegistrationRequest>().registration().older_person());

  auto bad = Parse(
      "crisis register given=Ana family=Ruiz birth=02/04/1990 host=GT area=HN-CR child=maybe "
      "arrival=2026-12-01 return=2026-11-01");
  ASSERT_FALSE(bad.ok());
  const std::string m(bad.status().message());
  for (const char* s : {"birth_date: \"02/04/1990\" is not a date YYYY-MM-DD (or YYYY-MM, YYYY)",
                        "area: HN-CR is not in the host country GT",
                        "child: \"maybe\" is not true/false", "return: before arrival"}) {
    EXPECT_TRUE(absl::StrContains(m, s)) << s << "\n" << m;
  }
  auto missing = Parse("crisis register host=HN");
  ASSERT_FALSE(missing.ok());
  for (const char* s :
       {"needs given_names=.. and family_names=..", "needs birth_date=", "needs area=AREA"}) {
    EXPECT_TRUE(absl::StrContains(missing.status().message(), s)) << s << missing.status();
  }
}

TEST(CrisisCommandTest, ImportOptions) {
  auto csv = Parse("crisis import /data/registro.CSV");
  ASSERT_TRUE(csv.ok()) << csv.status();
  EXPECT_EQ(csv->rpc, Rpc::kImportRegistrations);
  EXPECT_EQ(csv->As<cv1::ImportRegistrationsRequest>().parent(), "countries/MX");
  EXPECT_EQ(csv->import.file, "/data/registro.CSV");
  EXPECT_EQ(csv->import.format, "");  // from the name when run
  EXPECT_EQ(csv->import.batch, 500);
  EXPECT_FALSE(csv->import.restart);
  auto jsonl = Parse("crisis import export.txt format=JSONL batch=100 --restart");
  ASSERT_TRUE(jsonl.ok()) << jsonl.status();
  EXPECT_EQ(jsonl->import.format, "jsonl");
  EXPECT_EQ(jsonl->import.batch, 100);
  EXPECT_TRUE(jsonl->import.restart);

  auto unnamed = Parse("crisis import export.txt");
  ASSERT_FALSE(unnamed.ok());
  EXPECT_TRUE(absl::StrContains(unnamed.status().message(),
                                "format: cannot tell it from the name \"export.txt\""))
      << unnamed.status();
  auto bad = Parse("crisis import r.csv format=xlsx batch=501");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(absl::StrContains(bad.status().message(),
                                "format: unknown value \"xlsx\"; one of: csv, jsonl"));
  EXPECT_TRUE(
      absl::StrContains(bad.status().message(), "batch: \"501\" is not a number from 1 to 500"));
  EXPECT_FALSE(Parse("crisis import batch=0 r.csv").ok());
  EXPECT_FALSE(Parse("crisis import").ok());
  auto restart = Parse("crisis list --restart");
  ASSERT_FALSE(restart.ok());
  EXPECT_TRUE(
      absl::StrContains(restart.status().message(), "--restart applies only to `crisis import`"));
}

TEST(CrisisCommandTest, NoteAndNotes) {
  auto note = Parse(
      "crisis note c1 reg-7 contacted-safe source=shelter-list contact=yes area=hn-cr "
      "details=Albergue|San|Pedro at=2026-11-30T09:40:00Z request_id=n-1");
  ASSERT_TRUE(note.ok()) << note.status();
  EXPECT_EQ(note->rpc, Rpc::kRecordWelfareNote);
  const auto& req = note->As<cv1::RecordWelfareNoteRequest>();
  EXPECT_EQ(req.request_id(), "n-1");
  const auto& n = req.note();
  EXPECT_EQ(n.crisis(), "countries/MX/crises/c1");
  EXPECT_EQ(n.subject(), "countries/MX/registrations/reg-7");
  EXPECT_EQ(n.status(), cv1::WELFARE_STATUS_CONTACTED_SAFE);
  EXPECT_EQ(n.source(), cv1::NOTE_SOURCE_SHELTER_LIST);
  EXPECT_TRUE(n.contact_made());
  EXPECT_EQ(n.last_known_area(), "HN-CR");
  EXPECT_EQ(n.details(), "Albergue San Pedro");
  EXPECT_EQ(FormatTime(n.observe_time()), "2026-11-30T09:40:00Z");
  // A case is named in full; observed now unless told.
  auto on_case = Parse("crisis note countries/HN/crises/c1 countries/MX/cases/k1 believed_missing");
  ASSERT_TRUE(on_case.ok()) << on_case.status();
  const auto& n2 = on_case->As<cv1::RecordWelfareNoteRequest>().note();
  EXPECT_EQ(n2.crisis(), "countries/HN/crises/c1");
  EXPECT_EQ(n2.subject(), "countries/MX/cases/k1");
  EXPECT_EQ(n2.observe_time().seconds(), 1780000000);

  auto bad = Parse("crisis note c1 reg-7 fine source=radio at=yesterday");
  ASSERT_FALSE(bad.ok());
  const std::string m(bad.status().message());
  EXPECT_TRUE(absl::StrContains(m,
                                "status: unknown value \"fine\"; one of: unaccounted, "
                                "inquiry_open, contacted_safe"))
      << m;
  EXPECT_TRUE(absl::StrContains(m, "source: unknown value \"radio\"")) << m;
  EXPECT_TRUE(absl::StrContains(m, "at: ")) << m;
  auto short_ = Parse("crisis note c1 contacted-safe");
  ASSERT_FALSE(short_.ok());
  EXPECT_TRUE(absl::StrContains(short_.status().message(),
                                "needs CRISIS SUBJECT STATUS before its key=value arguments (3 "
                                "words, not 2)"))
      << short_.status();

  auto notes = Parse("crisis notes c1 reg-7");
  ASSERT_TRUE(notes.ok()) << notes.status();
  EXPECT_EQ(notes->rpc, Rpc::kListWelfareNotes);
  EXPECT_EQ(notes->As<cv1::ListWelfareNotesRequest>().crisis(), "countries/MX/crises/c1");
  EXPECT_EQ(notes->As<cv1::ListWelfareNotesRequest>().subject(),
            "countries/MX/registrations/reg-7");
  EXPECT_FALSE(Parse("crisis notes c1").ok());
}

TEST(CrisisCommandTest, WorklistBoardMergePicture) {
  auto wl = Parse("crisis worklist c1 area=hn-cr status=unaccounted,inquiry-open limit=50 --all");
  ASSERT_TRUE(wl.ok()) << wl.status();
  EXPECT_EQ(wl->rpc, Rpc::kListWorklist);
  EXPECT_TRUE(wl->all_pages);
  const auto& req = wl->As<cv1::ListWorklistRequest>();
  EXPECT_EQ(req.crisis(), "countries/MX/crises/c1");
  EXPECT_EQ(req.area(), "HN-CR");
  ASSERT_EQ(req.statuses_size(), 2);
  EXPECT_EQ(req.statuses(0), cv1::WELFARE_STATUS_UNACCOUNTED);
  EXPECT_EQ(req.statuses(1), cv1::WELFARE_STATUS_INQUIRY_OPEN);
  EXPECT_EQ(req.page_size(), 50);
  auto too_many = Parse("crisis worklist c1 limit=5000");
  ASSERT_FALSE(too_many.ok());
  EXPECT_TRUE(absl::StrContains(too_many.status().message(), "limit: 5000 is not 1..1000"));
  EXPECT_FALSE(Parse("crisis worklist c1 limit=many").ok());
  EXPECT_FALSE(Parse("crisis worklist c1 area=Cortés").ok());

  auto board = Parse("crisis board c1");
  ASSERT_TRUE(board.ok()) << board.status();
  EXPECT_EQ(board->rpc, Rpc::kGetBoard);
  EXPECT_EQ(board->As<cv1::GetBoardRequest>().crisis(), "countries/MX/crises/c1");
  auto picture = Parse("crisis picture countries/HN/crises/c1");
  ASSERT_TRUE(picture.ok()) << picture.status();
  EXPECT_EQ(picture->rpc, Rpc::kGetRegionalPicture);
  EXPECT_EQ(picture->As<cv1::GetRegionalPictureRequest>().crisis(), "countries/HN/crises/c1");
  EXPECT_FALSE(Parse("crisis board").ok());
  EXPECT_FALSE(Parse("crisis picture c1 area=HN-CR").ok());

  auto merge = Parse("crisis merge c1 reg-1 reg-2 reason=Mismo|pasaporte");
  ASSERT_TRUE(merge.ok()) << merge.status();
  EXPECT_EQ(merge->rpc, Rpc::kMergeSubjects);
  const auto& m = merge->As<cv1::MergeSubjectsRequest>();
  EXPECT_EQ(m.crisis(), "countries/MX/crises/c1");
  EXPECT_EQ(m.keep(), "countries/MX/registrations/reg-1");
  EXPECT_EQ(m.duplicate(), "countries/MX/registrations/reg-2");
  EXPECT_EQ(m.reason(), "Mismo pasaporte");
  auto no_reason = Parse("crisis merge c1 reg-1 reg-2");
  ASSERT_FALSE(no_reason.ok());
  EXPECT_TRUE(absl::StrContains(no_reason.status().message(), "needs reason="));
  auto same = Parse("crisis merge c1 reg-1 reg-1 reason=x");
  ASSERT_FALSE(same.ok());
  EXPECT_TRUE(absl::StrContains(same.status().message(), "are the same subject"));
}

TEST(CrisisCommandTest, Sighting) {
  auto cmd = Parse(
      "crisis sighting crisis=countries/HN/crises/c1 nationality=gt given=Juan family=Tzul "
      "birth_year=1990 doc=national_id:2534812340901:gt area=hn-cr status=contacted-safe "
      "needs=agua|y|albergue post=mx-sps contact=yes protection=none request_id=s-1");
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  EXPECT_EQ(cmd->rpc, Rpc::kSendSighting);
  const auto& req = cmd->As<cv1::SendSightingRequest>();
  EXPECT_EQ(req.parent(), "countries/MX");
  EXPECT_EQ(req.request_id(), "s-1");
  EXPECT_EQ(req.international_protection(), v1::INTERNATIONAL_PROTECTION_NONE);
  const auto& s = req.sighting();
  EXPECT_EQ(s.crisis(), "countries/HN/crises/c1");
  EXPECT_EQ(s.nationality(), "GT");
  EXPECT_EQ(s.given_names(), "Juan");
  EXPECT_EQ(s.family_names(), "Tzul");
  EXPECT_EQ(s.birth_year(), 1990);
  EXPECT_EQ(FormatDocument(s.document()), "national_id:2534812340901:GT");
  EXPECT_EQ(s.area(), "HN-CR");
  EXPECT_EQ(s.status(), cv1::WELFARE_STATUS_CONTACTED_SAFE);
  EXPECT_EQ(s.needs(), "agua y albergue");
  EXPECT_EQ(s.post(), "MX-SPS");
  EXPECT_TRUE(s.contact_made());
  EXPECT_EQ(s.observe_time().seconds(), 1780000000);
  // The protection words are the person's (enlace.cases.v1.InternationalProtection).
  auto asylum = Parse(
      "crisis sighting crisis=c1 nationality=GT area=HN-CR status=injured "
      "protection=asylum-seeker");
  ASSERT_TRUE(asylum.ok()) << asylum.status();
  EXPECT_EQ(asylum->As<cv1::SendSightingRequest>().international_protection(),
            v1::INTERNATIONAL_PROTECTION_ASYLUM_SEEKER);

  auto missing = Parse("crisis sighting nationality=MX");
  ASSERT_FALSE(missing.ok());
  const std::string m(missing.status().message());
  for (const char* s :
       {"needs crisis=NAME", "nationality: MX is this node's own country", "needs area=AREA",
        "needs status=STATUS", "needs protection=none|asylum_seeker|refugee|stateless|unknown"}) {
    EXPECT_TRUE(absl::StrContains(m, s)) << s << "\n" << m;
  }
  auto bad = Parse(
      "crisis sighting crisis=c1 nationality=GT area=HN-CR status=safe protection=maybe "
      "birth_year=noventa");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "status: unknown value \"safe\""));
  EXPECT_TRUE(absl::StrContains(bad.status().message(),
                                "protection: unknown value \"maybe\"; one of: none, "
                                "asylum_seeker, refugee, stateless, unknown"));
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "birth_year: \"noventa\" is not a number"));
}

TEST(CrisisCommandTest, MovementAndMovements) {
  auto cmd = Parse(
      "crisis movement crisis=c1 mode=air from=Aeropuerto|Toncontín to=AIFA|CDMX "
      "depart=2026-12-01T08:00:00Z seats=180 offer=gt:40,SV:20 passengers=MX:120 "
      "request_id=m-1");
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  EXPECT_EQ(cmd->rpc, Rpc::kPublishMovement);
  const auto& req = cmd->As<cv1::PublishMovementRequest>();
  EXPECT_EQ(req.parent(), "countries/MX");
  EXPECT_EQ(req.request_id(), "m-1");
  const auto& m = req.movement();
  EXPECT_EQ(m.crisis(), "countries/MX/crises/c1");
  EXPECT_EQ(m.mode(), cv1::TRANSPORT_MODE_AIR);
  EXPECT_EQ(m.from_place(), "Aeropuerto Toncontín");
  EXPECT_EQ(m.to_place(), "AIFA CDMX");
  EXPECT_EQ(FormatTime(m.depart_time()), "2026-12-01T08:00:00Z");
  EXPECT_EQ(m.seats(), 180);
  ASSERT_EQ(m.offered_size(), 2);
  EXPECT_EQ(m.offered(0).member(), "GT");
  EXPECT_EQ(m.offered(0).seats(), 40);
  EXPECT_EQ(m.offered(1).member(), "SV");
  ASSERT_EQ(m.passengers_size(), 1);
  EXPECT_EQ(m.passengers(0).nationality(), "MX");
  EXPECT_EQ(m.passengers(0).passengers(), 120);

  auto over = Parse(
      "crisis movement crisis=c1 mode=bus depart=2026-12-01 seats=50 offer=GT:40,SV:20 "
      "passengers=MX:60");
  ASSERT_FALSE(over.ok());
  EXPECT_TRUE(absl::StrContains(over.status().message(),
                                "offer: 60 seats offered, but the movement has seats=50"));
  EXPECT_TRUE(absl::StrContains(over.status().message(),
                                "passengers: 60 passengers, but the movement has seats=50"));
  auto bad = Parse("crisis movement crisis=c1 mode=ferry depart=2026-12-01 seats=50 offer=GT40");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(absl::StrContains(bad.status().message(),
                                "mode: unknown value \"ferry\"; one of: air, bus, sea, rail"));
  EXPECT_TRUE(absl::StrContains(bad.status().message(),
                                "offer: \"GT40\" is not MEMBER:N with N > 0 (e.g. GT:40,SV:20)"));
  auto missing = Parse("crisis movement crisis=c1");
  ASSERT_FALSE(missing.ok());
  for (const char* s : {"needs mode=", "needs depart=", "needs seats=N"}) {
    EXPECT_TRUE(absl::StrContains(missing.status().message(), s)) << s << missing.status();
  }

  auto list = Parse("crisis movements c1 offered_to=gt");
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_EQ(list->rpc, Rpc::kListMovements);
  EXPECT_EQ(list->As<cv1::ListMovementsRequest>().crisis(), "countries/MX/crises/c1");
  EXPECT_EQ(list->As<cv1::ListMovementsRequest>().offered_to(), "GT");
  EXPECT_FALSE(Parse("crisis movements c1 offered_to=Guatemala").ok());
}

TEST(CrisisCommandTest, AssistAnswerAndAssistance) {
  auto cmd = Parse(
      "crisis assist crisis=countries/HN/crises/c1 to=gt area=hn-at nationals=12 "
      "request=Visitar|albergues|en|Tela from_post=mx-tgu request_id=a-1");
  ASSERT_TRUE(cmd.ok()) << cmd.status();
  EXPECT_EQ(cmd->rpc, Rpc::kRequestAssistance);
  const auto& req = cmd->As<cv1::RequestAssistanceRequest>();
  EXPECT_EQ(req.parent(), "countries/MX");
  EXPECT_EQ(req.request_id(), "a-1");
  const auto& a = req.assistance();
  EXPECT_EQ(a.crisis(), "countries/HN/crises/c1");
  EXPECT_EQ(a.to_country(), "GT");
  EXPECT_EQ(a.area(), "HN-AT");
  EXPECT_EQ(a.nationals(), 12);
  EXPECT_EQ(a.request(), "Visitar albergues en Tela");
  EXPECT_EQ(a.from_post(), "MX-TGU");
  // A bare crisis id is this node's; from_post is the node's to default.
  auto short_form = Parse("crisis assist crisis=c1 to=GT area=HN-AT request=x");
  ASSERT_TRUE(short_form.ok()) << short_form.status();
  EXPECT_EQ(short_form->As<cv1::RequestAssistanceRequest>().assistance().crisis(),
            "countries/MX/crises/c1");
  EXPECT_EQ(short_form->As<cv1::RequestAssistanceRequest>().assistance().from_post(), "");

  auto missing = Parse("crisis assist nationals=3");
  ASSERT_FALSE(missing.ok());
  for (const char* s : {"needs crisis=NAME", "needs to=CC", "needs area=AREA", "needs request="}) {
    EXPECT_TRUE(absl::StrContains(missing.status().message(), s)) << s << missing.status();
  }
  auto own = Parse("crisis assist crisis=c1 to=MX area=HN-AT request=x");
  ASSERT_FALSE(own.ok());
  EXPECT_TRUE(absl::StrContains(own.status().message(), "to: MX is this node's own country"))
      << own.status();
  auto bad = Parse("crisis assist crisis=c1 to=Guatemala area=Atlantida nationals=doce request=x");
  ASSERT_FALSE(bad.ok());
  for (const char* s :
       {"to: \"GUATEMALA\" is not an ISO 3166-1 alpha-2 code",
        "area: \"ATLANTIDA\" is not an ISO 3166-2 code", "nationals: \"doce\" is not a number"}) {
    EXPECT_TRUE(absl::StrContains(bad.status().message(), s)) << s << "\n" << bad.status();
  }
  EXPECT_FALSE(Parse("crisis assist crisis=c1 to=GT area=HN-AT request=x nationals=-1").ok());
  EXPECT_FALSE(Parse("crisis assist c1 to=GT area=HN-AT request=x").ok());

  auto accept = Parse("crisis answer countries/MX/assistance/a1 accepted post=gt-gua note=Vamos");
  ASSERT_TRUE(accept.ok()) << accept.status();
  EXPECT_EQ(accept->rpc, Rpc::kRespondToAssistance);
  const auto& r = accept->As<cv1::RespondToAssistanceRequest>();
  EXPECT_EQ(r.name(), "countries/MX/assistance/a1");
  EXPECT_EQ(r.state(), cv1::ASSISTANCE_STATE_ACCEPTED);
  EXPECT_EQ(r.post(), "GT-GUA");
  EXPECT_EQ(r.note(), "Vamos");
  auto declined = Parse("crisis answer a1 declined");
  ASSERT_TRUE(declined.ok()) << declined.status();
  EXPECT_EQ(declined->As<cv1::RespondToAssistanceRequest>().name(), "countries/MX/assistance/a1");
  EXPECT_EQ(declined->As<cv1::RespondToAssistanceRequest>().state(),
            cv1::ASSISTANCE_STATE_DECLINED);
  auto done = Parse("crisis answer a1 done note=12|visitados");
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->As<cv1::RespondToAssistanceRequest>().state(), cv1::ASSISTANCE_STATE_DONE);
  auto done_without_note = Parse("crisis answer a1 done");
  ASSERT_FALSE(done_without_note.ok());
  EXPECT_TRUE(absl::StrContains(done_without_note.status().message(), "needs note="))
      << done_without_note.status();
  auto requested = Parse("crisis answer a1 requested");
  ASSERT_FALSE(requested.ok());
  EXPECT_TRUE(absl::StrContains(requested.status().message(),
                                "state: an answer is accepted, declined or done"))
      << requested.status();
  auto unknown = Parse("crisis answer a1 maybe");
  ASSERT_FALSE(unknown.ok());
  EXPECT_TRUE(absl::StrContains(unknown.status().message(),
                                "state: unknown value \"maybe\"; one of: requested, accepted, "
                                "declined, done"))
      << unknown.status();
  EXPECT_FALSE(Parse("crisis answer a1").ok());
  EXPECT_FALSE(Parse("crisis answer a1 accepted outcome=x").ok());

  auto out = Parse("crisis assistance page_size=20 --all");
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->rpc, Rpc::kListAssistance);
  EXPECT_TRUE(out->all_pages);
  EXPECT_FALSE(out->As<cv1::ListAssistanceRequest>().incoming());
  EXPECT_EQ(out->As<cv1::ListAssistanceRequest>().page_size(), 20);
  auto in = Parse("crisis assistance --incoming post=gt-gua");
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_TRUE(in->As<cv1::ListAssistanceRequest>().incoming());
  EXPECT_EQ(in->As<cv1::ListAssistanceRequest>().post(), "GT-GUA");
  EXPECT_FALSE(Parse("crisis assistance incoming").ok());
  auto elsewhere = Parse("crisis worklist c1 --incoming");
  ASSERT_FALSE(elsewhere.ok());
  EXPECT_TRUE(absl::StrContains(elsewhere.status().message(),
                                "--incoming applies only to `crisis assistance`"))
      << elsewhere.status();
  auto flags = SplitGlobalFlags({"--json", "crisis", "assistance", "--incoming"}, Kinds);
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_EQ(flags->words, (std::vector<std::string>{"crisis", "assistance", "--incoming"}));
}

TEST(GlobalFlagsTest, RestartGoesToTheCommandAndUnknownFlagsSayHowFieldsAreWritten) {
  auto s = SplitGlobalFlags({"crisis", "import", "r.csv", "--restart", "--json"}, Kinds);
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->words, (std::vector<std::string>{"crisis", "import", "r.csv", "--restart"}));
  auto flag = SplitGlobalFlags({"crisis", "declare", "--type", "hurricane"}, Kinds);
  ASSERT_FALSE(flag.ok());
  EXPECT_TRUE(absl::StrContains(flag.status().message(),
                                "unknown flag --type (a command's fields are written key=value, "
                                "e.g. type=VALUE)"))
      << flag.status();
}

// ---- crisis output

TEST(FormatTest, BoardByStatusAndByArea) {
  cv1::Board b;
  b.set_crisis("countries/HN/crises/c1");
  b.set_total(120);
  b.set_accounted_for(79);
  auto add = [](auto* counts, cv1::WelfareStatus status, int64_t n) {
    auto* c = counts->Add();
    c->set_status(status);
    c->set_count(n);
  };
  // Out of order on purpose: the table follows the enum.
  add(b.mutable_by_status(), cv1::WELFARE_STATUS_CONTACTED_SAFE, 70);
  add(b.mutable_by_status(), cv1::WELFARE_STATUS_UNACCOUNTED, 30);
  add(b.mutable_by_status(), cv1::WELFARE_STATUS_INQUIRY_OPEN, 11);
  add(b.mutable_by_status(), cv1::WELFARE_STATUS_INJURED, 9);
  auto* cr = b.add_by_area();
  cr->set_area("HN-CR");
  cr->set_total(100);
  add(cr->mutable_by_status(), cv1::WELFARE_STATUS_UNACCOUNTED, 25);
  add(cr->mutable_by_status(), cv1::WELFARE_STATUS_INQUIRY_OPEN, 11);
  add(cr->mutable_by_status(), cv1::WELFARE_STATUS_CONTACTED_SAFE, 64);
  auto* at = b.add_by_area();
  at->set_area("HN-AT");
  at->set_total(20);
  add(at->mutable_by_status(), cv1::WELFARE_STATUS_UNACCOUNTED, 5);
  add(at->mutable_by_status(), cv1::WELFARE_STATUS_CONTACTED_SAFE, 6);
  add(at->mutable_by_status(), cv1::WELFARE_STATUS_INJURED, 9);
  EXPECT_EQ(BoardText(b),
            "crisis:        countries/HN/crises/c1\n"
            "total:         120\n"
            "accounted for: 79 (65%)\n"
            "\n"
            "STATUS          COUNT\n"
            "unaccounted     30\n"
            "inquiry_open    11\n"
            "contacted_safe  70\n"
            "injured         9\n"
            "\n"
            "AREA   TOTAL  ACCOUNTED  UNACCOUNTED  INQUIRY_OPEN  CONTACTED_SAFE  INJURED\n"
            "HN-CR  100    64         25           11            64              0\n"
            "HN-AT  20     15         5            0             6               9\n");
  cv1::Board empty;
  empty.set_crisis("countries/HN/crises/c2");
  EXPECT_TRUE(absl::StrContains(BoardText(empty), "accounted for: 0\n")) << BoardText(empty);
}

TEST(FormatTest, WorklistMostAtRiskFirst) {
  cv1::ListWorklistResponse r;
  auto* child = r.add_entries();
  child->set_risk(0);
  child->set_status(cv1::WELFARE_STATUS_UNACCOUNTED);
  child->set_display_name("Sofía Ramírez López");
  child->set_area("HN-CR");
  child->set_subject("countries/MX/registrations/r1");
  auto* other = r.add_entries();
  other->set_risk(9);
  other->set_status(cv1::WELFARE_STATUS_INQUIRY_OPEN);
  other->set_display_name("Juan Pérez");
  other->set_area("HN-AT");
  other->set_subject("countries/MX/cases/k1");
  other->mutable_status_time()->set_seconds(1780000000);
  other->set_post("MX-TGU");
  other->set_opened_case("countries/MX/cases/k9");
  EXPECT_EQ(WorklistTable(r),
            "RISK   STATUS        AREA   SUBJECT                        LAST_STATUS           "
            "POST    CASE                   NAME\n"
            "child  unaccounted   HN-CR  countries/MX/registrations/r1  -                     "
            "-       -                      Sofía Ramírez López\n"
            "other  inquiry_open  HN-AT  countries/MX/cases/k1          2026-05-28T20:26:40Z  "
            "MX-TGU  countries/MX/cases/k9  Juan Pérez\n");
  EXPECT_EQ(RiskName(1), "older_person");
  EXPECT_EQ(RiskName(2), "detained");
  EXPECT_EQ(RiskName(3), "medical_needs");
  EXPECT_EQ(RiskName(7), "7");
}

TEST(FormatTest, RegionalPictureWithholdsSmallCells) {
  cv1::RegionalPicture p;
  p.set_crisis("countries/HN/crises/c1");
  auto cell = [&](const std::string& member, cv1::WelfareStatus s, int64_t n, bool withheld) {
    auto* c = p.add_cells();
    c->set_member(member);
    c->set_status(s);
    c->set_count(n);
    c->set_withheld(withheld);
  };
  cell("MX", cv1::WELFARE_STATUS_CONTACTED_SAFE, 120, false);
  cell("MX", cv1::WELFARE_STATUS_BELIEVED_MISSING, 0, true);
  cell("GT", cv1::WELFARE_STATUS_UNACCOUNTED, 40, false);
  auto* report = p.add_reports();
  report->set_member("MX");
  report->mutable_as_of()->set_seconds(1780000000);
  p.add_reports()->set_member("GT");
  EXPECT_EQ(RegionalPictureTable(p),
            "MEMBER  AS_OF                 UNACCOUNTED  CONTACTED_SAFE  BELIEVED_MISSING\n"
            "GT      -                     40           -               -\n"
            "MX      2026-05-28T20:26:40Z  -            120             <5\n");
}

TEST(FormatTest, CrisesNotesAndMovementsTables) {
  cv1::ListCrisesResponse crises;
  auto* c = crises.add_crises();
  c->set_name("countries/HN/crises/c1");
  c->set_phase(cv1::PHASE_ACTIVE);
  c->set_type(cv1::CRISIS_TYPE_HURRICANE);
  c->set_host_country("HN");
  c->add_areas("HN-CR");
  c->add_areas("HN-AT");
  c->set_title("Huracán Eta");
  std::vector<std::string> lines = absl::StrSplit(CrisesTable(crises), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(lines[0], ' ', absl::SkipEmpty())),
            (std::vector<std::string>{"NAME", "PHASE", "TYPE", "HOST", "AREAS", "LEAD", "UPDATED",
                                      "TITLE"}));
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(lines[1], ' ', absl::SkipEmpty())),
            (std::vector<std::string>{"countries/HN/crises/c1", "active", "hurricane", "HN",
                                      "HN-CR,HN-AT", "-", "-", "Huracán", "Eta"}));

  cv1::ListWelfareNotesResponse notes;
  auto* n = notes.add_notes();
  n->mutable_observe_time()->set_seconds(1780000000);
  n->set_status(cv1::WELFARE_STATUS_NEEDS_ASSISTANCE);
  n->set_source(cv1::NOTE_SOURCE_SHELTER_LIST);
  n->set_contact_made(true);
  n->set_last_known_area("HN-CR");
  n->set_author("ofc-1");
  n->set_opened_case("countries/MX/cases/k9");
  n->set_details("Necesita insulina");
  lines = absl::StrSplit(WelfareNotesTable(notes), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(lines[1], ' ', absl::SkipEmpty())),
            (std::vector<std::string>{"2026-05-28T20:26:40Z", "needs_assistance", "shelter_list",
                                      "yes", "HN-CR", "ofc-1", "-", "countries/MX/cases/k9",
                                      "Necesita", "insulina"}));

  cv1::ListMovementsResponse movements;
  auto* m = movements.add_movements();
  m->set_name("countries/MX/movements/m1");
  m->set_mode(cv1::TRANSPORT_MODE_AIR);
  m->mutable_depart_time()->set_seconds(1780000000);
  m->set_seats(180);
  auto* o = m->add_offered();
  o->set_member("GT");
  o->set_seats(40);
  o = m->add_offered();
  o->set_member("SV");
  o->set_seats(20);
  auto* p = m->add_passengers();
  p->set_nationality("MX");
  p->set_passengers(120);
  m->set_from_place("Toncontín");
  m->set_to_place("AIFA");
  lines = absl::StrSplit(MovementsTable(movements), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(std::vector<std::string>(absl::StrSplit(lines[1], ' ', absl::SkipEmpty())),
            (std::vector<std::string>{"countries/MX/movements/m1", "air", "2026-05-28T20:26:40Z",
                                      "180", "GT:40,SV:20", "MX:120", "Toncontín", "->", "AIFA"}));
}

TEST(FormatTest, AssistanceTableShowsTheOutcomeOnceDone) {
  cv1::ListAssistanceResponse r;
  auto* asked = r.add_requests();
  asked->set_name("countries/MX/assistance/a1");
  asked->set_state(cv1::ASSISTANCE_STATE_REQUESTED);
  asked->set_from_country("MX");
  asked->set_from_post("MX-TGU");
  asked->set_to_country("GT");
  asked->set_area("HN-AT");
  asked->set_nationals(12);
  asked->set_request("Visitar albergues en Tela");
  auto* done = r.add_requests();
  *done = *asked;
  done->set_name("countries/MX/assistance/a2");
  done->set_state(cv1::ASSISTANCE_STATE_DONE);
  done->set_to_post("GT-GUA");
  done->set_response("Aceptado");
  done->set_outcome("12 visitados");
  auto* declined = r.add_requests();
  *declined = *asked;
  declined->set_name("countries/MX/assistance/a3");
  declined->set_state(cv1::ASSISTANCE_STATE_DECLINED);
  declined->clear_from_post();
  declined->set_nationals(0);
  declined->set_response("Sin personal");
  std::vector<std::string> lines = absl::StrSplit(AssistanceTable(r), '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 4u);
  auto words = [](const std::string& line) {
    return std::vector<std::string>(absl::StrSplit(line, ' ', absl::SkipEmpty()));
  };
  EXPECT_EQ(words(lines[0]), (std::vector<std::string>{"NAME", "STATE", "FROM", "TO", "AREA",
                                                       "NATIONALS", "TO_POST", "REQUEST/OUTCOME"}));
  EXPECT_EQ(words(lines[1]),
            (std::vector<std::string>{"countries/MX/assistance/a1", "requested", "MX-TGU", "GT",
                                      "HN-AT", "12", "-", "Visitar", "albergues", "en", "Tela"}));
  EXPECT_EQ(words(lines[2]),
            (std::vector<std::string>{"countries/MX/assistance/a2", "done", "MX-TGU", "GT", "HN-AT",
                                      "12", "GT-GUA", "12", "visitados"}));
  EXPECT_EQ(words(lines[3]),
            (std::vector<std::string>{"countries/MX/assistance/a3", "declined", "MX", "GT", "HN-AT",
                                      "0", "-", "Sin", "personal"}));
  EXPECT_EQ(lines[0].find("REQUEST/OUTCOME"), lines[1].find("Visitar"));  // aligned
}

// ---- crisis import

constexpr char kCsvHeader[] =
    "id,given_names,family_names,birth_date,host_country,area,arrival_date,return_date,post,"
    "phone,child,older_person,medical_needs";

TEST(CrisisImportTest, CsvLines) {
  auto parser = ImportLineParser::Make(ImportFormat::kCsv, std::string(kCsvHeader) + "\r");
  ASSERT_TRUE(parser.ok()) << parser.status();
  auto item = parser->Parse(
      "r-1,\"José Luis\",\"Pérez, Ramos\",1990-04-02,,hn-cr,2026-10-01,,mx-tgu,"
      "\"+504 9999\",yes,0,TRUE\r");
  ASSERT_TRUE(item.ok()) << item.status();
  ASSERT_TRUE(item->has_value());
  const auto& i = **item;
  EXPECT_EQ(i.request_id(), "r-1");
  const auto& r = i.registration();
  EXPECT_EQ(r.given_names(), "José Luis");
  EXPECT_EQ(r.family_names(), "Pérez, Ramos");
  EXPECT_EQ(r.birth_date(), "1990-04-02");
  EXPECT_EQ(r.host_country(), "HN");  // from the area
  EXPECT_EQ(r.area(), "HN-CR");
  EXPECT_EQ(r.arrival_date(), "2026-10-01");
  EXPECT_TRUE(r.return_date().empty());
  EXPECT_EQ(r.post(), "MX-TGU");
  EXPECT_EQ(r.phone(), "+504 9999");
  EXPECT_TRUE(r.child());
  EXPECT_FALSE(r.older_person());
  EXPECT_TRUE(r.medical_needs());
  auto blank = parser->Parse("  \r");
  ASSERT_TRUE(blank.ok());
  EXPECT_FALSE(blank->has_value());

  // Columns in any order, only some of them; a BOM before the header is ignored.
  auto few = ImportLineParser::Make(ImportFormat::kCsv,
                                    "\xEF\xBB\xBF"
                                    "Area, ID ,given_names");
  ASSERT_TRUE(few.ok()) << few.status();
  auto small = few->Parse("GT-16, r-2 ,Ana");
  ASSERT_TRUE(small.ok()) << small.status();
  EXPECT_EQ((*small)->request_id(), "r-2");
  EXPECT_EQ((*small)->registration().area(), "GT-16");
  EXPECT_EQ((*small)->registration().host_country(), "GT");
  EXPECT_EQ((*small)->registration().given_names(), "Ana");

  for (const auto& [line, error] : std::vector<std::pair<std::string, std::string>>{
           {"r-3,GT-16", "2 fields, but the header has 3 columns"},
           {"GT-16,,Ana", "id: empty"},
           {"GT-16,r 4,Ana", "id: \"r 4\" is not 1-64 of A-Z a-z 0-9 _ -"},
           {"GT-16,r-5,\"Ana", "field 3: the quote does not close on this line"},
           {"GT-16,r-6,\"Ana\" María", "field 3: text after the closing quote"},
       }) {
    auto bad = few->Parse(line);
    ASSERT_FALSE(bad.ok()) << line;
    EXPECT_TRUE(absl::StrContains(bad.status().message(), error)) << line << ": " << bad.status();
  }
  auto flag = parser->Parse("r-7,A,B,1990,HN,HN-CR,,,,,maybe,,");
  ASSERT_FALSE(flag.ok());
  EXPECT_TRUE(absl::StrContains(flag.status().message(),
                                "child: \"maybe\" is not true/false (or yes/no, 1/0)"));
}

TEST(CrisisImportTest, CsvHeaderRefusals) {
  auto bad = ImportLineParser::Make(ImportFormat::kCsv, "given_names,apellido,given_names");
  ASSERT_FALSE(bad.ok());
  const std::string m(bad.status().message());
  for (const char* s : {"unknown column \"apellido\"", "column \"given_names\" twice",
                        "no id column", "from: id,given_names,family_names"}) {
    EXPECT_TRUE(absl::StrContains(m, s)) << s << "\n" << m;
  }
  EXPECT_EQ(*SplitCsvLine("a,\"b \"\"c\"\"\", d ,"),
            (std::vector<std::string>{"a", "b \"c\"", "d", ""}));
  EXPECT_EQ(*SplitCsvLine(""), (std::vector<std::string>{""}));
}

TEST(CrisisImportTest, JsonlLines) {
  auto parser = ImportLineParser::Make(ImportFormat::kJsonl, "");
  ASSERT_TRUE(parser.ok());
  auto item = parser->Parse(
      R"({"id":"r-1","givenNames":"Ana","family_names":"Ruiz","birthDate":"1990","sex":"SEX_FEMALE",)"
      R"("area":"hn-cr","olderPerson":true,"documents":[{"type":"DOCUMENT_TYPE_PASSPORT",)"
      R"("number":"G1","issuingCountry":"MX"}]})");
  ASSERT_TRUE(item.ok()) << item.status();
  ASSERT_TRUE(item->has_value());
  EXPECT_EQ((*item)->request_id(), "r-1");
  const auto& r = (*item)->registration();
  EXPECT_EQ(r.given_names(), "Ana");
  EXPECT_EQ(r.family_names(), "Ruiz");
  EXPECT_EQ(r.sex(), v1::SEX_FEMALE);
  EXPECT_EQ(r.area(), "HN-CR");
  EXPECT_EQ(r.host_country(), "HN");
  EXPECT_TRUE(r.older_person());
  ASSERT_EQ(r.documents_size(), 1);
  EXPECT_EQ(FormatDocument(r.documents(0)), "passport:G1:MX");
  // A numeric registry id is read as its digits.
  auto number = parser->Parse(R"({"id":12345,"givenNames":"Ana"})");
  ASSERT_TRUE(number.ok()) << number.status();
  EXPECT_EQ((*number)->request_id(), "12345");
  EXPECT_FALSE(parser->Parse("")->has_value());

  for (const auto& [line, error] : std::vector<std::pair<std::string, std::string>>{
           {R"({"givenNames":"Ana"})", "id: missing"},
           {R"({"id":true})", "id: not a string"},
           {R"({"id":"r-1","givenName":"Ana"})", "not a Registration in proto3 JSON"},
           {R"({"id":"r-1","child":"sí"})", "not a Registration in proto3 JSON"},
           {R"(id=r-1)", "not a JSON object"},
       }) {
    auto bad = parser->Parse(line);
    ASSERT_FALSE(bad.ok()) << line;
    EXPECT_TRUE(absl::StrContains(bad.status().message(), error)) << line << ": " << bad.status();
  }
}

TEST(CrisisImportTest, ProgressFile) {
  ImportProgress p;
  p.lines = 1500;
  p.digest = DigestLine(DigestLine(p.digest, "a"), "b");
  auto back = ParseProgress(FormatProgress(p));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->lines, 1500);
  EXPECT_EQ(back->digest, p.digest);
  EXPECT_NE(DigestLine(DigestLine(ImportProgress().digest, "b"), "a"), p.digest);
  EXPECT_FALSE(ParseProgress("1500").ok());
  EXPECT_EQ(ProgressFileName("/d/r.csv"), "/d/r.csv.progress");
}

// A node that takes every batch: items whose given_names is "bad" are refused, ids seen
// before are already present. It can be told to fail from a given call on.
struct FakeNode {
  std::vector<cv1::ImportRegistrationsRequest> calls;
  std::set<std::string> ids;
  int fail_from_call = -1;  // 0-based; -1: never

  ImportSink Sink() {
    return [this](const cv1::ImportRegistrationsRequest& req)
               -> absl::StatusOr<cv1::ImportRegistrationsResponse> {
      const int call = static_cast<int>(calls.size());
      calls.push_back(req);
      if (fail_from_call >= 0 && call >= fail_from_call) {
        return absl::UnavailableError("connection refused");
      }
      cv1::ImportRegistrationsResponse r;
      for (int i = 0; i < req.items_size(); ++i) {
        const auto& item = req.items(i);
        if (item.registration().given_names() == "bad") {
          auto* f = r.add_failures();
          f->set_index(i);
          f->set_request_id(item.request_id());
          f->set_field("registration.given_names");
          f->set_description("not a name");
        } else if (!ids.insert(item.request_id()).second) {
          r.set_already_present(r.already_present() + 1);
        } else {
          r.set_created(r.created() + 1);
        }
      }
      return r;
    };
  }
};

struct ImportRun {
  std::ostringstream out;
  std::ostringstream err;
  int seconds = 0;
  int Run(const ImportOptions& o, FakeNode& node, bool tty = false, bool json = false) {
    out.str("");
    err.str("");
    // Each reading of the clock is one second later.
    ImportIo io{out, err, tty, json, [this] { return absl::FromUnixSeconds(seconds++); }};
    return RunImport(o, "countries/MX", node.Sink(), io);
  }
};

std::string WriteFile(const std::string& name, const std::string& text) {
  const std::string path = testing::TempDir() + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  std::remove((path + ".progress").c_str());
  return path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// id,given_names,area for lines r-1..r-n (CSV).
std::string Csv(int n) {
  std::string text = "id,given_names,area\n";
  for (int i = 1; i <= n; ++i) absl::StrAppend(&text, "r-", i, ",Ana ", i, ",HN-CR\n");
  return text;
}

TEST(CrisisImportTest, BadLinesAreRefusedWithTheirLineNumbersAndNothingIsSent) {
  const std::string file = WriteFile(
      "bad.csv", "id,given_names,child\nr-1,Ana,no\nr-2,Luis,quizá\n\nr-1,Eva,yes\nr-4\n");
  FakeNode node;
  ImportRun run;
  ImportOptions o;
  o.file = file;
  EXPECT_EQ(run.Run(o, node), 2);
  EXPECT_TRUE(node.calls.empty());
  const std::string err = run.err.str();
  EXPECT_TRUE(absl::StrContains(err, file + ": 3 bad lines; nothing was sent")) << err;
  EXPECT_TRUE(absl::StrContains(err, file + ":3: child: \"quizá\" is not true/false")) << err;
  EXPECT_TRUE(absl::StrContains(err, file + ":5: id \"r-1\" is on line 2 too")) << err;
  EXPECT_TRUE(absl::StrContains(err, file + ":6: 1 fields, but the header has 3 columns")) << err;
  EXPECT_FALSE(std::ifstream(file + ".progress").good());

  const std::string jsonl = WriteFile("bad.jsonl", "{\"id\":\"r-1\"}\n{\"id\":\"r-2\",\"x\":1}\n");
  EXPECT_EQ(run.Run(ImportOptions{jsonl}, node), 2);
  EXPECT_TRUE(absl::StrContains(run.err.str(), jsonl + ":2: not a Registration in proto3 JSON"))
      << run.err.str();
  EXPECT_TRUE(node.calls.empty());

  const std::string header = WriteFile("header.csv", "id,nombre\nr-1,Ana\n");
  EXPECT_EQ(run.Run(ImportOptions{header}, node), 2);
  EXPECT_TRUE(absl::StrContains(run.err.str(), header + ":1: header: unknown column \"nombre\""))
      << run.err.str();
  EXPECT_EQ(run.Run(ImportOptions{testing::TempDir() + "/missing.csv"}, node), 2);
  EXPECT_TRUE(absl::StrContains(run.err.str(), "cannot read ")) << run.err.str();
}

TEST(CrisisImportTest, BatchesSummaryAndProgress) {
  std::string text = Csv(5);
  absl::StrAppend(&text, "\nr-6,bad,HN-CR\nr-7,Eva,HN-CR\n");  // line 7 blank, 8 refused
  const std::string file = WriteFile("regs.csv", text);
  FakeNode node;
  node.ids.insert("r-2");  // imported by someone before
  ImportRun run;
  ImportOptions o;
  o.file = file;
  o.batch = 3;
  EXPECT_EQ(run.Run(o, node), 1);  // a line was refused
  ASSERT_EQ(node.calls.size(), 3u);
  EXPECT_EQ(node.calls[0].parent(), "countries/MX");
  EXPECT_EQ(node.calls[0].items_size(), 3);
  EXPECT_EQ(node.calls[0].items(0).request_id(), "r-1");
  EXPECT_EQ(node.calls[0].items(0).registration().given_names(), "Ana 1");
  EXPECT_EQ(node.calls[1].items_size(), 3);  // r-4, r-5, (blank), r-6
  EXPECT_EQ(node.calls[1].items(2).request_id(), "r-6");
  EXPECT_EQ(node.calls[2].items_size(), 1);
  EXPECT_EQ(run.out.str(), file +
                               ": 8 lines, 8 sent now\n"
                               "created: 5  already present: 1  refused: 1\n"
                               "LINE  ID   FIELD                     DESCRIPTION\n"
                               "8     r-6  registration.given_names  not a name\n");
  // Not a terminal: one line per batch.
  EXPECT_EQ(run.err.str(),
            "import: 3/8 lines  37%  3 lines/s\n"
            "import: 7/8 lines  87%  4 lines/s\n"
            "import: 8/8 lines  100%  3 lines/s\n");
  auto progress = ParseProgress(ReadFile(file + ".progress"));
  ASSERT_TRUE(progress.ok()) << progress.status();
  EXPECT_EQ(progress->lines, 8);

  // Done: a second run sends nothing.
  node.calls.clear();
  EXPECT_EQ(run.Run(o, node), 0);
  EXPECT_TRUE(node.calls.empty());
  EXPECT_TRUE(absl::StrContains(run.err.str(), "nothing to send")) << run.err.str();
  EXPECT_TRUE(absl::StrContains(run.out.str(), "8 lines, 8 done by an earlier run"))
      << run.out.str();

  // The file grew: only the new lines go.
  std::ofstream(file, std::ios::app) << "r-8,Leo,HN-AT\n";
  EXPECT_EQ(run.Run(o, node), 0);
  ASSERT_EQ(node.calls.size(), 1u);
  ASSERT_EQ(node.calls[0].items_size(), 1);
  EXPECT_EQ(node.calls[0].items(0).request_id(), "r-8");

  // With --json the summary is one ImportRegistrationsResponse, failures by line.
  node.calls.clear();
  o.restart = true;
  EXPECT_EQ(run.Run(o, node, /*tty=*/false, /*json=*/true), 1);
  EXPECT_EQ(node.calls.size(), 3u);
  EXPECT_EQ(run.out.str(),
            "{\"alreadyPresent\":7,\"failures\":[{\"index\":8,\"requestId\":\"r-6\",\"field\":"
            "\"registration.given_names\",\"description\":\"not a name\"}]}\n");
}

TEST(CrisisImportTest, ResumesAfterAFailedCallFromTheProgressFile) {
  const std::string file = WriteFile("resume.jsonl", [] {
    std::string text;
    for (int i = 1; i <= 5; ++i) {
      absl::StrAppend(&text, "{\"id\":\"r-", i, "\",\"givenNames\":\"Ana\",\"area\":\"HN-CR\"}\n");
    }
    return text;
  }());
  FakeNode node;
  node.fail_from_call = 1;  // the first batch goes, then the node is gone
  ImportRun run;
  ImportOptions o;
  o.file = file;
  o.batch = 2;
  EXPECT_EQ(run.Run(o, node), 1);
  EXPECT_EQ(node.calls.size(), 2u);
  EXPECT_TRUE(absl::StrContains(run.err.str(), "error: UNAVAILABLE: connection refused"))
      << run.err.str();
  EXPECT_TRUE(
      absl::StrContains(run.err.str(), "stopped after 2 of 5 lines (recorded in " + file +
                                           ".progress); run the same command again to go on"))
      << run.err.str();
  EXPECT_TRUE(absl::StrContains(run.out.str(), "created: 2  already present: 0  refused: 0"))
      << run.out.str();
  EXPECT_EQ(ParseProgress(ReadFile(file + ".progress"))->lines, 2);

  // The next run starts at line 3.
  node.fail_from_call = -1;
  node.calls.clear();
  EXPECT_EQ(run.Run(o, node), 0);
  ASSERT_EQ(node.calls.size(), 2u);
  EXPECT_EQ(node.calls[0].items(0).request_id(), "r-3");
  EXPECT_EQ(node.calls[1].items(0).request_id(), "r-5");
  EXPECT_TRUE(absl::StrContains(run.out.str(), "5 lines, 2 done by an earlier run (" + file +
                                                   ".progress), 3 sent now\ncreated: 3"))
      << run.out.str();
  EXPECT_EQ(ParseProgress(ReadFile(file + ".progress"))->lines, 5);

  // --restart sends every line again: nothing is created twice.
  node.calls.clear();
  o.restart = true;
  EXPECT_EQ(run.Run(o, node), 0);
  EXPECT_EQ(node.calls.size(), 3u);
  EXPECT_TRUE(absl::StrContains(run.out.str(), "created: 0  already present: 5")) << run.out.str();
}

TEST(CrisisImportTest, AChangedFileIsNotResumed) {
  const std::string file = WriteFile("changed.csv", Csv(4));
  FakeNode node;
  ImportRun run;
  ImportOptions o;
  o.file = file;
  o.batch = 2;
  node.fail_from_call = 1;
  EXPECT_EQ(run.Run(o, node), 1);
  EXPECT_EQ(ParseProgress(ReadFile(file + ".progress"))->lines, 2);
  // Someone edits a line already imported: resuming would skip the wrong lines.
  std::string text = Csv(4);
  text.replace(text.find("Ana 2"), 5, "Ana 9");
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
  node.fail_from_call = -1;
  node.calls.clear();
  EXPECT_EQ(run.Run(o, node), 2);
  EXPECT_TRUE(node.calls.empty());
  EXPECT_TRUE(absl::StrContains(run.err.str(), file + ".progress says 2 lines were done, but " +
                                                   file +
                                                   " has changed in them; run with "
                                                   "--restart"))
      << run.err.str();
  // Shorter than the progress says.
  std::ofstream(file, std::ios::binary | std::ios::trunc) << "id,given_names,area\nr-1,A,HN-CR\n";
  EXPECT_EQ(run.Run(o, node), 2);
  EXPECT_TRUE(absl::StrContains(run.err.str(), "has 1; run with --restart")) << run.err.str();
  std::ofstream(file + ".progress", std::ios::trunc) << "garbage";
  EXPECT_EQ(run.Run(o, node), 2);
  EXPECT_TRUE(absl::StrContains(run.err.str(), "not a progress file")) << run.err.str();
  o.restart = true;
  EXPECT_EQ(run.Run(o, node), 0);
  EXPECT_EQ(node.calls.size(), 1u);
}

TEST(CrisisImportTest, ProgressBarOnATerminal) {
  const std::string file = WriteFile("tty.csv", Csv(4));
  FakeNode node;
  ImportRun run;
  ImportOptions o;
  o.file = file;
  o.batch = 2;
  EXPECT_EQ(run.Run(o, node, /*tty=*/true), 0);
  EXPECT_EQ(run.err.str(),
            "\r[===============>              ]  2/4 lines  50%  2 lines/s\x1b[K"
            "\r[==============================]  4/4 lines  100%  2 lines/s\x1b[K\n");
}

}  // namespace
}  // namespace enlace::cli
