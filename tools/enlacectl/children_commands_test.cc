// Parsing of the `child` commands (enlace.children.v1.ChildProtectionService) and how a record
// prints; the calls themselves run against a node in tests/integration/cli_children_test.cc.
#include "tools/enlacectl/children_commands.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tools/enlacectl/cli.h"
#include "tools/enlacectl/format.h"

namespace enlace::cli {
namespace {

namespace chv1 = ::enlace::children::v1;

ParseContext Context() {
  ParseContext c;
  c.country = "GT";
  c.now = absl::FromUnixSeconds(1780000000);
  return c;
}

// Words split at spaces; a '|' stands for a space inside one word.
absl::StatusOr<Command> Parse(const std::string& line) {
  std::vector<std::string> words;
  for (absl::string_view w : absl::StrSplit(line, ' ', absl::SkipEmpty())) {
    std::string word(w);
    std::replace(word.begin(), word.end(), '|', ' ');
    words.push_back(word);
  }
  return ParseCommand(words, Context());
}

// The message of a refused command line ("" when it parsed).
std::string ErrorOf(const std::string& line) {
  auto c = Parse(line);
  EXPECT_FALSE(c.ok()) << line;
  return c.ok() ? "" : std::string(c.status().message());
}

TEST(ChildCommandsTest, CreateReadsEveryFact) {
  auto c = Parse(
      "child create c1 accompaniment=unaccompanied age_basis=declared "
      "concerns=without_documents,psychosocial_distress "
      "care=shelter:DIF|Chiapas:2026-11-20:Albergue|Belén,|hermana|Lucía:|turno|noche "
      "care=kinship representative=Procuraduría|de|Protección heard_language=mam "
      "tracing_consent=yes assent=given request_id=child-1");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->rpc, Rpc::kCreateChildRecord);
  const auto& req = c->As<chv1::CreateChildRecordRequest>();
  EXPECT_EQ(req.request_id(), "child-1");
  const chv1::ChildRecord& r = req.record();
  EXPECT_EQ(r.case_(), "countries/GT/cases/c1");
  EXPECT_EQ(r.accompaniment(), chv1::ACCOMPANIMENT_UNACCOMPANIED);
  EXPECT_EQ(r.age_basis(), chv1::AGE_BASIS_DECLARED);
  ASSERT_EQ(r.concerns_size(), 2);
  EXPECT_EQ(r.concerns(0), chv1::CONCERN_WITHOUT_DOCUMENTS);
  EXPECT_EQ(r.concerns(1), chv1::CONCERN_PSYCHOSOCIAL_DISTRESS);
  ASSERT_EQ(r.care_size(), 2);
  EXPECT_EQ(r.care(0).type(), chv1::CARE_TYPE_SHELTER);
  EXPECT_EQ(r.care(0).authority(), "DIF Chiapas");
  EXPECT_EQ(r.care(0).start_date(), "2026-11-20");
  // The caregiver comes last and keeps its commas and colons.
  EXPECT_EQ(r.care(0).caregiver(), "Albergue Belén, hermana Lucía: turno noche");
  EXPECT_EQ(r.care(1).type(), chv1::CARE_TYPE_KINSHIP);
  EXPECT_TRUE(r.care(1).authority().empty());
  EXPECT_EQ(r.legal_representative(), "Procuraduría de Protección");
  EXPECT_EQ(r.views_heard().language(), "mam");
  // Heard now unless told.
  EXPECT_EQ(r.views_heard().time().seconds(), 1780000000);
  EXPECT_TRUE(r.tracing_consent());
  EXPECT_EQ(r.assent(), chv1::ASSENT_GIVEN);

  auto full = Parse(
      "child create countries/GT/cases/c2 accompaniment=separated age_basis=document "
      "heard=2026-11-29T10:00:00Z heard_language=es");
  ASSERT_TRUE(full.ok()) << full.status();
  const auto& r2 = full->As<chv1::CreateChildRecordRequest>().record();
  EXPECT_EQ(r2.case_(), "countries/GT/cases/c2");
  EXPECT_EQ(r2.views_heard().time().seconds(), 1795946400);
}

TEST(ChildCommandsTest, CreateRefusesWhatTheNodeWould) {
  EXPECT_TRUE(absl::StrContains(ErrorOf("child create c1 age_basis=declared"),
                                "`child create` needs accompaniment="));
  EXPECT_TRUE(absl::StrContains(ErrorOf("child create c1 accompaniment=separated"),
                                "`child create` needs age_basis=document|declared|assessed"));
  EXPECT_TRUE(absl::StrContains(
      ErrorOf("child create c1 accompaniment=separated age_basis=declared assent=overridden"),
      "assent=overridden needs override_reason="));
  const std::string care =
      ErrorOf("child create c1 accompaniment=separated age_basis=declared care=hotel:X");
  EXPECT_TRUE(absl::StrContains(care, "care: unknown value \"hotel\"")) << care;
  EXPECT_TRUE(absl::StrContains(care, "care=TYPE[:AUTHORITY[:START_DATE[:CAREGIVER]]]")) << care;
  EXPECT_TRUE(absl::StrContains(ErrorOf("child create accompaniment=separated age_basis=declared"),
                                "`child create` needs exactly one CASE"));
  const std::string unknown =
      ErrorOf("child create c1 accompaniment=separated age_basis=declared colour=blue");
  EXPECT_TRUE(absl::StrContains(unknown, "unknown key \"colour\" for `child create`")) << unknown;
  EXPECT_TRUE(absl::StrContains(ErrorOf("child create c1 accompaniment=alone age_basis=declared"),
                                "accompaniment: unknown value \"alone\""));
}

TEST(ChildCommandsTest, ShowAndNounAliases) {
  for (const char* line : {"child show r1", "child get r1", "children show r1"}) {
    auto c = Parse(line);
    ASSERT_TRUE(c.ok()) << line << ": " << c.status();
    EXPECT_EQ(c->rpc, Rpc::kGetChildRecord);
    EXPECT_EQ(c->As<chv1::GetChildRecordRequest>().name(), "countries/GT/childRecords/r1");
  }
  EXPECT_EQ(
      Parse("child show countries/GT/childRecords/r9")->As<chv1::GetChildRecordRequest>().name(),
      "countries/GT/childRecords/r9");
  EXPECT_TRUE(absl::StrContains(ErrorOf("child show"), "needs exactly one record NAME"));
  EXPECT_TRUE(absl::StrContains(ErrorOf("child adopt r1"), "unknown command `child adopt`"));
}

TEST(ChildCommandsTest, UpdateNamesTheFieldsGiven) {
  auto c = Parse("child update r1 concerns=violence,medical care= tracing_consent=no etag=7");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->rpc, Rpc::kUpdateChildRecord);
  const auto& r = c->As<chv1::UpdateChildRecordRequest>().record();
  EXPECT_EQ(r.name(), "countries/GT/childRecords/r1");
  EXPECT_EQ(r.etag(), "7");
  EXPECT_EQ(r.concerns_size(), 2);
  EXPECT_EQ(r.care_size(), 0);
  EXPECT_FALSE(r.tracing_consent());
  std::vector<std::string> given = c->fields_given;
  std::sort(given.begin(), given.end());
  EXPECT_EQ(given, (std::vector<std::string>{"care", "concerns", "tracing_consent"}));

  auto heard = Parse("child update r1 heard_language=quc");
  ASSERT_TRUE(heard.ok()) << heard.status();
  EXPECT_EQ(heard->fields_given, std::vector<std::string>{"views_heard"});
  EXPECT_TRUE(absl::StrContains(ErrorOf("child update r1"),
                                "`child update` needs at least one field=value"));
  EXPECT_TRUE(absl::StrContains(ErrorOf("child update r1 request_id=x"), "unknown key"));
}

TEST(ChildCommandsTest, Advance) {
  auto c = Parse("child advance r1 case-plan");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->rpc, Rpc::kAdvanceChildRecord);
  const auto& req = c->As<chv1::AdvanceChildRecordRequest>();
  EXPECT_EQ(req.name(), "countries/GT/childRecords/r1");
  EXPECT_EQ(req.to(), chv1::WORKFLOW_STATE_CASE_PLAN);
  EXPECT_TRUE(req.etag().empty());  // read by the runner
  EXPECT_EQ(Parse("child advance r1 closed etag=3")->As<chv1::AdvanceChildRecordRequest>().etag(),
            "3");
  EXPECT_TRUE(
      absl::StrContains(ErrorOf("child advance r1 determination_approved"), "`child decide`"));
  EXPECT_TRUE(
      absl::StrContains(ErrorOf("child advance r1 sideways"), "state: unknown value \"sideways\""));
  EXPECT_TRUE(absl::StrContains(ErrorOf("child advance r1"), "needs NAME STATE"));
}

TEST(ChildCommandsTest, AssessmentDeterminationAndDecision) {
  auto a = Parse("child assess r1 risk=high recommendation=Reunificación|con|la|abuela");
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(a->rpc, Rpc::kAddAssessment);
  const auto& ar = a->As<chv1::AddAssessmentRequest>();
  EXPECT_EQ(ar.assessment().risk(), chv1::RISK_HIGH);
  EXPECT_EQ(ar.assessment().recommendation(), "Reunificación con la abuela");
  EXPECT_EQ(ar.assessment().time().seconds(), 1780000000);
  EXPECT_EQ(Parse("child assess r1 risk=low recommendation=x at=2026-11-01")
                ->As<chv1::AddAssessmentRequest>()
                .assessment()
                .time()
                .seconds(),
            1793491200);
  EXPECT_TRUE(absl::StrContains(ErrorOf("child assess r1 risk=high"),
                                "`child assess` needs recommendation="));

  auto d = Parse(
      "child determination r1 situation=durable_solution decision=return_and_reunify_in_origin "
      "reasoning=Panel|DIF,|consulado,|ACNUR");
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->rpc, Rpc::kRequestDetermination);
  const auto& dr = d->As<chv1::RequestDeterminationRequest>().determination();
  EXPECT_EQ(dr.situation(), chv1::DETERMINATION_SITUATION_DURABLE_SOLUTION);
  EXPECT_EQ(dr.decision(), chv1::DECISION_RETURN_AND_REUNIFY_IN_ORIGIN);
  EXPECT_EQ(dr.reasoning(), "Panel DIF, consulado, ACNUR");
  const std::string missing = ErrorOf("child determination r1 situation=durable_solution");
  EXPECT_TRUE(absl::StrContains(missing, "needs decision=")) << missing;
  EXPECT_TRUE(absl::StrContains(missing, "needs reasoning=")) << missing;

  auto yes = Parse("child decide r1 approve note=Aprobado");
  ASSERT_TRUE(yes.ok()) << yes.status();
  EXPECT_EQ(yes->rpc, Rpc::kDecideDetermination);
  EXPECT_TRUE(yes->As<chv1::DecideDeterminationRequest>().approve());
  EXPECT_EQ(yes->As<chv1::DecideDeterminationRequest>().note(), "Aprobado");
  auto no = Parse("child decide r1 rejected reason=Falta|el|estudio|familiar");
  ASSERT_TRUE(no.ok()) << no.status();
  EXPECT_FALSE(no->As<chv1::DecideDeterminationRequest>().approve());
  EXPECT_EQ(no->As<chv1::DecideDeterminationRequest>().note(), "Falta el estudio familiar");
  EXPECT_TRUE(
      absl::StrContains(ErrorOf("child decide r1 maybe"), "\"maybe\" is not approve or reject"));
}

TEST(ChildCommandsTest, Tracing) {
  auto t = Parse("child trace r1 relation=abuela name=Petrona|Caal|Xol last_place=Comitán");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->rpc, Rpc::kAddTracingEntry);
  const auto& e = t->As<chv1::AddTracingEntryRequest>().entry();
  EXPECT_EQ(e.relation(), "abuela");
  EXPECT_EQ(e.name(), "Petrona Caal Xol");
  EXPECT_EQ(e.last_place(), "Comitán");
  EXPECT_TRUE(absl::StrContains(ErrorOf("child trace r1 name=X"), "needs relation="));

  auto u = Parse("child trace-update r1 2 match-proposed");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->rpc, Rpc::kUpdateTracingEntry);
  EXPECT_EQ(u->As<chv1::UpdateTracingEntryRequest>().id(), 2);
  EXPECT_EQ(u->As<chv1::UpdateTracingEntryRequest>().status(), chv1::TRACING_STATUS_MATCH_PROPOSED);
  EXPECT_TRUE(absl::StrContains(ErrorOf("child trace-update r1 first verified"),
                                "\"first\" is not a tracing entry's number"));
  EXPECT_TRUE(absl::StrContains(ErrorOf("child trace-update r1 1 found"),
                                "status: unknown value \"found\""));
}

TEST(ChildCommandsTest, GrantAndRevoke) {
  const std::string who = "spiffe://gt.enlace.example/role/officer/post/GT-TAP/user/psicologa";
  auto g = Parse("child grant " + who + " reason=Psicóloga|del|consulado");
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->rpc, Rpc::kGrantChildProtection);
  const auto& gr = g->As<chv1::SetChildProtectionGrantRequest>();
  EXPECT_EQ(gr.identity(), who);
  EXPECT_TRUE(gr.granted());
  EXPECT_EQ(gr.reason(), "Psicóloga del consulado");
  auto r = Parse("child revoke " + who + " reason=Cambio|de|adscripción");
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rpc, Rpc::kRevokeChildProtection);
  EXPECT_FALSE(r->As<chv1::SetChildProtectionGrantRequest>().granted());
  EXPECT_TRUE(absl::StrContains(ErrorOf("child grant " + who), "needs reason="));
  EXPECT_TRUE(absl::StrContains(ErrorOf("child grant psicologa reason=x"),
                                "is not a certificate identity"));
}

TEST(ChildCommandsTest, ReturnPlan) {
  auto p = Parse(
      "child plan r1 to=hn authority=06h2org point=Centro|de|Recepción,|San|Pedro|Sula "
      "escort=Marta|Ixcoy at=2026-12-03T15:00:00-06:00");
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->rpc, Rpc::kSetReturnPlan);
  const auto& req = p->As<chv1::SetReturnPlanRequest>();
  EXPECT_EQ(req.name(), "countries/GT/childRecords/r1");
  EXPECT_TRUE(req.etag().empty());  // read first by the runner
  EXPECT_EQ(req.plan().receiving_country(), "HN");
  // A bare id is an organisation of the receiving member, not of --country.
  EXPECT_EQ(req.plan().authority(), "countries/HN/organisations/06h2org");
  EXPECT_EQ(req.plan().reception_point(), "Centro de Recepción, San Pedro Sula");
  EXPECT_EQ(req.plan().escort(), "Marta Ixcoy");
  EXPECT_EQ(req.plan().handover_time().seconds(), 1796331600);

  auto full = Parse(
      "child plan countries/GT/childRecords/r2 receiving_country=HN "
      "authority=countries/HN/organisations/o9 reception_point=Aeropuerto handover_time=2026-12-03 "
      "etag=e7");
  ASSERT_TRUE(full.ok()) << full.status();
  const auto& r2 = full->As<chv1::SetReturnPlanRequest>();
  EXPECT_EQ(r2.name(), "countries/GT/childRecords/r2");
  EXPECT_EQ(r2.plan().authority(), "countries/HN/organisations/o9");
  EXPECT_TRUE(r2.plan().escort().empty());
  EXPECT_EQ(r2.etag(), "e7");

  const std::string none = ErrorOf("child plan r1");
  for (const char* needed : {"needs to=CC", "needs authority=ORG", "needs point=", "needs at=TIME"}) {
    EXPECT_TRUE(absl::StrContains(none, needed)) << needed << ": " << none;
  }
  EXPECT_TRUE(absl::StrContains(
      ErrorOf("child plan r1 to=HN authority=countries/GT/organisations/o1 point=X at=2026-12-03"),
      "is not an organisation of the receiving member"));
  EXPECT_TRUE(absl::StrContains(ErrorOf("child plan r1 to=HN authority=o1 point=X at=tomorrow"),
                                "at"));
  EXPECT_TRUE(absl::StrContains(ErrorOf("child plan to=HN authority=o1 point=X at=2026-12-03"),
                                "needs exactly one record NAME"));
}

TEST(ChildCommandsTest, Handovers) {
  for (const char* line : {"handover show h1", "handover get h1", "handovers show h1"}) {
    auto c = Parse(line);
    ASSERT_TRUE(c.ok()) << line << ": " << c.status();
    EXPECT_EQ(c->rpc, Rpc::kGetHandover);
    // A bare id: a handover this node sent.
    EXPECT_EQ(c->As<chv1::GetHandoverRequest>().name(), "countries/GT/handovers/h1");
  }
  EXPECT_EQ(Parse("handover show countries/MX/handovers/h2")->As<chv1::GetHandoverRequest>().name(),
            "countries/MX/handovers/h2");

  auto sent = Parse("handover list");
  ASSERT_TRUE(sent.ok()) << sent.status();
  EXPECT_EQ(sent->rpc, Rpc::kListHandovers);
  EXPECT_FALSE(sent->As<chv1::ListHandoversRequest>().incoming());
  auto incoming = Parse("handover list --incoming post=gt-tap page_size=5 --all");
  ASSERT_TRUE(incoming.ok()) << incoming.status();
  const auto& l = incoming->As<chv1::ListHandoversRequest>();
  EXPECT_TRUE(l.incoming());
  EXPECT_EQ(l.post(), "GT-TAP");
  EXPECT_EQ(l.page_size(), 5);
  EXPECT_TRUE(incoming->all_pages);
  EXPECT_TRUE(absl::StrContains(ErrorOf("handover list h1"), "handover list"));

  auto accept = Parse("handover accept countries/MX/handovers/h2 post=gt-tap note=Listos");
  ASSERT_TRUE(accept.ok()) << accept.status();
  EXPECT_EQ(accept->rpc, Rpc::kAcceptHandover);
  const auto& a = accept->As<chv1::RespondToHandoverRequest>();
  EXPECT_EQ(a.name(), "countries/MX/handovers/h2");
  EXPECT_EQ(a.state(), chv1::HANDOVER_STATE_ACCEPTED);
  EXPECT_EQ(a.post(), "GT-TAP");
  EXPECT_EQ(a.note(), "Listos");

  auto decline = Parse("handover decline countries/MX/handovers/h2 note=Sin|cupo");
  ASSERT_TRUE(decline.ok()) << decline.status();
  EXPECT_EQ(decline->rpc, Rpc::kDeclineHandover);
  EXPECT_EQ(decline->As<chv1::RespondToHandoverRequest>().state(),
            chv1::HANDOVER_STATE_DECLINED);
  EXPECT_EQ(decline->As<chv1::RespondToHandoverRequest>().note(), "Sin cupo");
  EXPECT_TRUE(absl::StrContains(ErrorOf("handover decline countries/MX/handovers/h2"),
                                "`handover decline` needs note="));
  // Only an acceptance names the receiving post.
  EXPECT_TRUE(absl::StrContains(ErrorOf("handover decline h2 note=x post=GT-TAP"),
                                "unknown key \"post\""));

  for (const char* line : {"handover received h2 note=Recibida|por|la|abuela",
                           "handover receive h2 note=Recibida|por|la|abuela"}) {
    auto r = Parse(line);
    ASSERT_TRUE(r.ok()) << line << ": " << r.status();
    EXPECT_EQ(r->rpc, Rpc::kReceiveHandover);
    EXPECT_EQ(r->As<chv1::RespondToHandoverRequest>().state(), chv1::HANDOVER_STATE_RECEIVED);
    EXPECT_EQ(r->As<chv1::RespondToHandoverRequest>().note(), "Recibida por la abuela");
  }
  EXPECT_TRUE(absl::StrContains(ErrorOf("handover accept"), "needs exactly one handover NAME"));
  EXPECT_TRUE(absl::StrContains(ErrorOf("handover accept h1 --incoming"), "--incoming"));
}

TEST(ChildCommandsTest, HandoversTableHasNothingPersonal) {
  chv1::ListHandoversResponse list;
  chv1::Handover* h = list.add_handovers();
  h->set_name("countries/GT/handovers/h1");
  h->set_state(chv1::HANDOVER_STATE_ACCEPTED);
  h->set_from_country("GT");
  h->set_from_post("GT-TAP");
  h->set_to_country("HN");
  h->set_to_post("HN-SPS");
  h->set_authority("countries/HN/organisations/dinaf");
  h->set_given_names("Rosa Amalia");
  h->set_family_names("Choc Caal");
  h->set_escort("Marta Ixcoy");
  h->mutable_handover_time()->set_seconds(1796331600);
  chv1::Handover* p = list.add_handovers();
  p->set_name("countries/GT/handovers/h2");
  p->set_state(chv1::HANDOVER_STATE_PROPOSED);
  p->set_from_country("GT");
  p->set_to_country("HN");
  const std::string t = HandoversTable(list);
  const std::vector<std::string> lines = absl::StrSplit(t, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 3u) << t;
  const std::vector<std::string> header = absl::StrSplit(lines[0], ' ', absl::SkipEmpty());
  EXPECT_EQ(header, (std::vector<std::string>{"NAME", "STATE", "FROM", "TO", "TO_POST",
                                              "AUTHORITY", "HANDOVER_TIME"}));
  const std::vector<std::string> row = absl::StrSplit(lines[1], ' ', absl::SkipEmpty());
  EXPECT_EQ(row, (std::vector<std::string>{"countries/GT/handovers/h1", "accepted", "GT-TAP",
                                           "HN", "HN-SPS", "countries/HN/organisations/dinaf",
                                           "2026-12-03T21:00:00Z"}));
  const std::vector<std::string> proposed = absl::StrSplit(lines[2], ' ', absl::SkipEmpty());
  EXPECT_EQ(proposed, (std::vector<std::string>{"countries/GT/handovers/h2", "proposed", "GT",
                                                "HN", "-", "-", "-"}));
  for (const char* personal : {"Rosa", "Choc", "Marta"}) {
    EXPECT_FALSE(absl::StrContains(t, personal)) << personal << "\n" << t;
  }
}

TEST(ChildCommandsTest, RecordShowsItsReturnPlan) {
  chv1::ChildRecord r;
  r.set_name("countries/GT/childRecords/r1");
  r.set_state(chv1::WORKFLOW_STATE_HANDED_OVER);
  chv1::ReturnPlan* plan = r.mutable_return_plan();
  plan->set_receiving_country("HN");
  plan->set_authority("countries/HN/organisations/dinaf");
  plan->set_reception_point("Centro de Recepción, San Pedro Sula");
  plan->set_escort("Marta Ixcoy");
  plan->mutable_handover_time()->set_seconds(1796331600);
  plan->set_handover("countries/GT/handovers/h1");
  plan->set_handover_state(chv1::HANDOVER_STATE_RECEIVED);
  plan->set_received_by("HN-SPS spiffe://hn.enlace.example/role/officer/post/HN-SPS/user/luis");
  plan->set_answer_note("Recibida por la abuela");
  const std::string text = ChildRecordText(r);
  for (const char* line :
       {"return_plan.receiving_country:", "return_plan.authority:", "return_plan.reception_point:",
        "return_plan.escort:", "return_plan.handover_time:", "return_plan.handover:",
        "return_plan.handover_state:", "return_plan.received_by:", "return_plan.answer_note:",
        "Centro de Recepción, San Pedro Sula", "2026-12-03T21:00:00Z", "received",
        "Recibida por la abuela", "handed_over"}) {
    EXPECT_TRUE(absl::StrContains(text, line)) << line << "\n" << text;
  }
}

TEST(ChildCommandsTest, RecordPrintsOnlyWhatTheNodeReturned) {
  chv1::ChildRecord full;
  full.set_name("countries/GT/childRecords/r1");
  full.set_case_("countries/GT/cases/c1");
  full.set_post("GT-TAP");
  full.set_accompaniment(chv1::ACCOMPANIMENT_UNACCOMPANIED);
  full.set_state(chv1::WORKFLOW_STATE_ASSESSED);
  full.set_tracing_consent(true);
  auto* care = full.add_care();
  care->set_type(chv1::CARE_TYPE_SHELTER);
  care->set_caregiver("Albergue Belén");
  const std::string text = ChildRecordText(full);
  EXPECT_TRUE(absl::StrContains(text, "accompaniment:")) << text;
  EXPECT_TRUE(absl::StrContains(text, "unaccompanied")) << text;
  EXPECT_TRUE(absl::StrContains(text, "care[0].caregiver:")) << text;
  EXPECT_TRUE(absl::StrContains(text, "Albergue Belén")) << text;
  EXPECT_TRUE(absl::StrContains(text, "state:")) << text;

  chv1::ChildRecord withheld;
  withheld.set_name("countries/GT/childRecords/r1");
  withheld.set_case_("countries/GT/cases/c1");
  withheld.set_post("GT-TAP");
  withheld.set_state(chv1::WORKFLOW_STATE_ASSESSED);
  withheld.set_content_withheld(true);
  const std::string seen = ChildRecordText(withheld);
  EXPECT_TRUE(absl::StrContains(seen, "content_withheld: true")) << seen;
  EXPECT_TRUE(absl::StrContains(seen, "assessed")) << seen;
  EXPECT_FALSE(absl::StrContains(seen, "tracing_consent")) << seen;
  EXPECT_FALSE(absl::StrContains(seen, "accompaniment")) << seen;
}

TEST(ChildCommandsTest, HelpListsTheCommandsAndValues) {
  const std::string h = HelpText();
  for (const char* s :
       {"child create", "child show", "child update", "child advance", "child assess",
        "child determination", "child decide", "child trace ", "child trace-update", "child grant",
        "child revoke", "child plan", "handover show", "handover list", "handover accept",
        "handover decline", "handover received", "handover state: proposed, accepted",
        "accompaniment: unaccompanied, separated",
        "age_basis: document, declared, assessed", "care type: shelter, foster_family",
        "child state: new, assessed, case_plan", "tracing status: open, match_proposed"}) {
    EXPECT_TRUE(absl::StrContains(h, s)) << s;
  }
  // The domain's section comes before `help`, the values after the core ones.
  EXPECT_LT(h.find("child revoke"), h.find("\n  help\n"));
  EXPECT_LT(h.find("assistance state:"), h.find("accompaniment: unaccompanied"));
}

}  // namespace
}  // namespace enlace::cli
