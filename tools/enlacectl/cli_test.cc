#include "tools/enlacectl/cli.h"

#include <map>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "common/status/errors.h"
#include "gtest/gtest.h"
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
  EXPECT_TRUE(absl::StrContains(m, "event: unknown value \"kidnapping\"; one of: arrest, "
                                   "imprisonment, custody, immigration_detention"))
      << m;
  EXPECT_TRUE(absl::StrContains(m, "contact: unknown value \"maybe\"; one of: requested, "
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
  auto explicit_country = Parse("referral create case=c1 to_country=gt to_post=GT-TAP "
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
  for (const auto& [verb, rpc] : std::vector<std::pair<std::string, Rpc>>{
           {"get", Rpc::kGetReferral},
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
  auto reject = Parse("referral reject countries/GT/referrals/r2 outcome=no_capacity "
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
  auto c = Parse("case create person=p1 post=MX-LAX presented_doc=passport:N31415926:MX "
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
  auto byCase = Parse("audit list case=abc actor=spiffe://mx.enlace.example/role/x/user/y "
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
  std::vector<std::string> lines = absl::StrSplit(NotificationsTable(response, true), '\n',
                                                  absl::SkipEmpty());
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
  EXPECT_EQ(header, (std::vector<std::string>{"NAME", "FROM", "POST", "SERVICE", "STATE",
                                              "OUTCOME", "SENT", "PERSON"}));
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
  EXPECT_TRUE(absl::StartsWith(*json, "{\"kind\":\"referral\",\"referral\":{\"name\":"
                                      "\"countries/MX/referrals/r1\""))
      << *json;
  EXPECT_TRUE(absl::EndsWith(*json, "}}\n")) << *json;
  EXPECT_EQ(std::count(json->begin(), json->end(), '\n'), 1);
}

TEST(FormatTest, HelpListsCommandsAndValues) {
  const std::string h = HelpText();
  for (const char* s : {"person create", "person search", "case list", "case close", "action add",
                        "action list", "--tls_dir", "immigration_detention", "org create",
                        "org get", "org update", "org delete", "org list", "federation status",
                        "federation quarantine", "audit list", "audit verify --data_dir",
                        "person erase", "notification send", "notification list",
                        "notification ack", "referral create", "referral reject",
                        "referral complete", "referral revoke", "inbox", "transfer create",
                        "transfer accept", "transfer decline", "transfer list",
                        "event: arrest, imprisonment, custody, immigration_detention",
                        "referral service: legal_aid, shelter", "referral outcome: success",
                        "referral fields: given_names, family_names",
                        "org type: civil_society, shelter, legal_aid",
                        "org service: legal_aid, shelter, family_tracing",
                        "migration: immigration_detention, deportation, minor_in_custody, "
                        "asylum_orientation"}) {
    EXPECT_TRUE(absl::StrContains(h, s)) << s;
  }
}

}  // namespace
}  // namespace enlace::cli
