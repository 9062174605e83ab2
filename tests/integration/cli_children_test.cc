// enlacectl's `child` commands end to end: the real binary against a real enlace-node child
// process over mTLS (as in cli_test.cc). An unaccompanied adolescent's case at MX-TAP gets a
// child-protection record written by an officer holding the grant; it goes through the
// workflow, an assessment, a determination requested by that officer and decided by a
// supervisor, and family tracing. Refused steps print the node's error and exit 1; an officer
// of the post without the grant sees only that the record exists and its state. A Mexican
// child's return to this member's own authority: `child plan`, `handover list|accept|show|
// received`, the record handed over.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/pki/pki.h"
#include "gtest/gtest.h"
#include "tests/testing/command.h"
#include "tests/testing/enlacectl_test.h"
#include "tests/testing/test_env.h"

extern char** environ;

namespace enlace {
namespace {

using Identity = testing::CliIdentity;
constexpr Identity kJefa = {"jefa", "spiffe://mx.enlace.example/role/supervisor/user/jefa"};
constexpr Identity kTitular = {"titular",
                               "spiffe://mx.enlace.example/role/supervisor/user/titular"};
constexpr Identity kPsicologa = {
    "psicologa", "spiffe://mx.enlace.example/role/officer/post/MX-TAP/user/psicologa"};
constexpr Identity kOtro = {"otro",
                            "spiffe://mx.enlace.example/role/officer/post/MX-TAP/user/otro"};

using Result = testing::CommandResult;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class CliChildrenTest : public testing::EnlacectlTest {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StartNode("cli_children", {kJefa, kTitular, kPsicologa, kOtro}));
  }

  // A Guatemalan girl of 13 found alone in Tapachula, and her case at MX-TAP.
  std::string ChildCase() {
    const int year = absl::ToCivilYear(absl::Now(), absl::UTCTimeZone()).year() - 13;
    Result person =
        Run(kJefa,
            {"person", "create", "given_names=Rosa Amalia", "family_names=Choc Caal", "sex=female",
             absl::StrCat("birth_date=", year, "-04-02"), "nationality=MX", "language=es,mam",
             "protection=none", "vulnerability=unaccompanied_child", "request_id=child-person"});
    EXPECT_EQ(person.code, 0) << person;
    Result opened = Run(
        kJefa, {"case", "create", "person=" + Field(person.out, "name"), "post=MX-TAP",
                "host_country=MX", "place=Tapachula, Chiapas", "category=migration",
                "subtype=minor_in_custody", "legal_basis=child_best_interest", "risk=high",
                "summary=Adolescente no acompañada, en el albergue del DIF", "request_id=case-1"});
    EXPECT_EQ(opened.code, 0) << opened;
    return Field(opened.out, "name");
  }
};

TEST_F(CliChildrenTest, RecordThroughTheWorkflow) {
  const std::string kase = ChildCase();
  ASSERT_TRUE(absl::StartsWith(kase, "countries/MX/cases/")) << kase;
  const std::vector<std::string> create = {
      "child",
      "create",
      kase.substr(kase.rfind('/') + 1),  // a bare id expands with --country
      "accompaniment=unaccompanied",
      "age_basis=declared",
      "concerns=without_documents,psychosocial_distress",
      "care=shelter:DIF Chiapas:2026-11-20:Albergue Belén, hermana Lucía Mendoza",
      "representative=Procuraduría de Protección, licenciada Yadira Ruiz",
      "heard_language=mam",
      "tracing_consent=yes",
      "assent=given",
      "request_id=child-record-1"};

  // Without the grant the officer of the post cannot write it.
  Result refused = Run(kPsicologa, create);
  EXPECT_EQ(refused.code, 1) << refused;
  EXPECT_TRUE(absl::StrContains(refused.err, "error: PERMISSION_DENIED")) << refused;

  Result granted = Run(kJefa, {"child", "grant", kPsicologa.uri,
                               "reason=Psicóloga del consulado, capacitada en entrevistas"});
  ASSERT_EQ(granted.code, 0) << granted;
  EXPECT_EQ(granted.out, absl::StrCat("granted ", kPsicologa.uri,
                                      " the child-protection grant (by ", kJefa.uri, ")\n"));

  Result created = Run(kPsicologa, create);
  ASSERT_EQ(created.code, 0) << created;
  const std::string name = Field(created.out, "name");
  ASSERT_TRUE(absl::StartsWith(name, "countries/MX/childRecords/")) << created;
  EXPECT_EQ(Field(created.out, "case"), kase);
  EXPECT_EQ(Field(created.out, "post"), "MX-TAP");
  EXPECT_EQ(Field(created.out, "state"), "new");
  EXPECT_EQ(Field(created.out, "accompaniment"), "unaccompanied");
  EXPECT_EQ(Field(created.out, "concerns"), "without_documents,psychosocial_distress");
  EXPECT_EQ(Field(created.out, "care[0].caregiver"), "Albergue Belén, hermana Lucía Mendoza");
  EXPECT_EQ(Field(created.out, "views_heard.language"), "mam");
  // The same request_id again: the same record, nothing twice.
  Result again = Run(kPsicologa, create);
  ASSERT_EQ(again.code, 0) << again;
  EXPECT_EQ(Field(again.out, "name"), name);
  const std::string id = name.substr(name.rfind('/') + 1);

  // A step the workflow does not have: the node's error, exit 1.
  Result skip = Run(kPsicologa, {"child", "advance", id, "closed"});
  EXPECT_EQ(skip.code, 1) << skip;
  EXPECT_TRUE(absl::StartsWith(skip.err, "error: FAILED_PRECONDITION: ")) << skip;
  EXPECT_TRUE(absl::StrContains(skip.err, "WORKFLOW_STATE_NEW cannot go to")) << skip;
  EXPECT_TRUE(skip.out.empty()) << skip;
  // A stale etag given explicitly.
  Result stale = Run(kPsicologa, {"child", "advance", id, "assessed", "etag=stale"});
  EXPECT_EQ(stale.code, 1) << stale;
  EXPECT_TRUE(absl::StartsWith(stale.err, "error: ABORTED: ")) << stale;

  Result assessed = Run(kPsicologa, {"child", "advance", id, "assessed"});
  ASSERT_EQ(assessed.code, 0) << assessed;
  EXPECT_EQ(Field(assessed.out, "state"), "assessed");
  Result assessment =
      Run(kPsicologa, {"child", "assess", id, "risk=high",
                       "recommendation=Reunificación con la abuela en Huehuetenango"});
  ASSERT_EQ(assessment.code, 0) << assessment;
  EXPECT_EQ(Field(assessment.out, "assessments[0].risk"), "high");
  EXPECT_EQ(Field(assessment.out, "assessments[0].assessor"), kPsicologa.uri);
  ASSERT_EQ(Run(kPsicologa, {"child", "advance", id, "case_plan"}).code, 0);

  // The determination: requested by the officer, decided by a supervisor; never by an officer.
  Result requested =
      Run(kPsicologa, {"child", "determination", id, "situation=durable_solution",
                       "decision=return_and_reunify_in_origin",
                       "reasoning=Panel: DIF, consulado de Guatemala, ACNUR; la niña lo desea"});
  ASSERT_EQ(requested.code, 0) << requested;
  EXPECT_EQ(Field(requested.out, "state"), "determination_pending");
  EXPECT_EQ(Field(requested.out, "determination.status"), "pending");
  EXPECT_EQ(Field(requested.out, "determination.requested_by"), kPsicologa.uri);
  Result by_officer = Run(kPsicologa, {"child", "decide", id, "approve"});
  EXPECT_EQ(by_officer.code, 1) << by_officer;
  EXPECT_TRUE(absl::StartsWith(by_officer.err, "error: PERMISSION_DENIED: ")) << by_officer;
  Result decided =
      Run(kTitular, {"child", "decide", id, "approve", "note=Aprobado por el titular"});
  ASSERT_EQ(decided.code, 0) << decided;
  EXPECT_EQ(Field(decided.out, "state"), "determination_approved");
  EXPECT_EQ(Field(decided.out, "determination.status"), "approved");
  EXPECT_EQ(Field(decided.out, "determination.decided_by"), kTitular.uri);
  EXPECT_EQ(Field(decided.out, "determination.decision_note"), "Aprobado por el titular");
  ASSERT_EQ(Run(kJefa, {"child", "advance", id, "services"}).code, 0);

  // Family tracing.
  Result traced = Run(kPsicologa, {"child", "trace", id, "relation=abuela", "name=Petrona Caal Xol",
                                   "last_place=Huehuetenango"});
  ASSERT_EQ(traced.code, 0) << traced;
  EXPECT_EQ(Field(traced.out, "tracing[0].id"), "1");
  EXPECT_EQ(Field(traced.out, "tracing[0].status"), "open");
  EXPECT_EQ(Field(traced.out, "tracing[0].name"), "Petrona Caal Xol");
  Result matched = Run(kPsicologa, {"child", "trace-update", id, "1", "match_proposed"});
  ASSERT_EQ(matched.code, 0) << matched;
  EXPECT_EQ(Field(matched.out, "tracing[0].status"), "match_proposed");
  Result no_entry = Run(kPsicologa, {"child", "trace-update", id, "7", "verified"});
  EXPECT_EQ(no_entry.code, 1) << no_entry;
  EXPECT_TRUE(absl::StartsWith(no_entry.err, "error: NOT_FOUND: ")) << no_entry;

  // An update changes the fields given and keeps the others.
  Result updated = Run(kPsicologa, {"child", "update", id, "concerns=violence"});
  ASSERT_EQ(updated.code, 0) << updated;
  EXPECT_EQ(Field(updated.out, "concerns"), "violence");
  EXPECT_EQ(Field(updated.out, "care[0].caregiver"), "Albergue Belén, hermana Lucía Mendoza");
  EXPECT_EQ(Field(updated.out, "tracing_consent"), "true");
  EXPECT_EQ(Field(updated.out, "state"), "services");

  // Another officer of the post, without the grant: existence and state, nothing personal.
  Result seen = Run(kOtro, {"child", "show", id});
  ASSERT_EQ(seen.code, 0) << seen;
  EXPECT_EQ(Field(seen.out, "name"), name);
  EXPECT_EQ(Field(seen.out, "state"), "services");
  EXPECT_EQ(Field(seen.out, "content_withheld"), "true");
  for (const char* hidden : {"Albergue", "Petrona", "Yadira", "abuela", "accompaniment",
                             "tracing_consent", "assessments", "determination"}) {
    EXPECT_FALSE(absl::StrContains(seen.out, hidden)) << hidden << "\n" << seen;
  }
  EXPECT_TRUE(absl::StrContains(seen.err, "withheld")) << seen;
  Result json = Run(kOtro, {"--json", "child", "show", id});
  ASSERT_EQ(json.code, 0) << json;
  EXPECT_TRUE(absl::StrContains(json.out, "\"contentWithheld\":true")) << json;
  EXPECT_FALSE(absl::StrContains(json.out, "Albergue")) << json;
  Result blind = Run(kOtro, {"child", "update", id, "concerns=medical"});
  EXPECT_EQ(blind.code, 1) << blind;
  EXPECT_TRUE(absl::StrContains(blind.err, "nothing was sent")) << blind;
  Result blind_step = Run(kOtro, {"child", "advance", id, "closed"});
  EXPECT_EQ(blind_step.code, 1) << blind_step;
  EXPECT_TRUE(absl::StartsWith(blind_step.err, "error: PERMISSION_DENIED: ")) << blind_step;

  // Taking the grant back takes the content away.
  Result revoked = Run(kJefa, {"child", "revoke", kPsicologa.uri, "reason=Cambio de adscripción"});
  ASSERT_EQ(revoked.code, 0) << revoked;
  EXPECT_TRUE(absl::StartsWith(revoked.out, "revoked ")) << revoked;
  Result after = Run(kPsicologa, {"child", "show", id});
  ASSERT_EQ(after.code, 0) << after;
  EXPECT_EQ(Field(after.out, "content_withheld"), "true");
  EXPECT_FALSE(absl::StrContains(after.out, "Albergue")) << after;
  // A usage error sends nothing: exit 2.
  Result usage = Run(kJefa, {"child", "advance", id});
  EXPECT_EQ(usage.code, 2) << usage;
}

// The return: a Mexican child's record goes through an approved determination to return and
// reunify in the country of origin, then `child plan` to this node's own child-protection
// authority (a directory organisation offering child_protection, made with `org create`), and
// this node answers its own handover with `handover accept` and `handover received`; the record
// becomes handed_over. Answers the handover's state does not allow are refused with exit 1.
TEST_F(CliChildrenTest, ReturnPlanAndHandover) {
  const std::string kase = ChildCase();
  ASSERT_TRUE(absl::StartsWith(kase, "countries/MX/cases/")) << kase;
  Result created =
      Run(kJefa, {"child", "create", kase, "accompaniment=unaccompanied", "age_basis=declared",
                  "care=shelter:DIF Chiapas:2026-11-20:Albergue Belén", "tracing_consent=yes",
                  "assent=given", "request_id=child-record-return"});
  ASSERT_EQ(created.code, 0) << created;
  const std::string name = Field(created.out, "name");
  const std::string id = name.substr(name.rfind('/') + 1);
  ASSERT_EQ(Run(kJefa, {"child", "advance", id, "assessed"}).code, 0);
  ASSERT_EQ(Run(kJefa, {"child", "assess", id, "risk=medium",
                        "recommendation=Reunificación con la madre en Tuxtla"})
                .code,
            0);
  ASSERT_EQ(Run(kJefa, {"child", "advance", id, "case_plan"}).code, 0);
  ASSERT_EQ(Run(kJefa, {"child", "determination", id, "situation=durable_solution",
                        "decision=return_and_reunify_in_origin",
                        "reasoning=Panel: DIF, consulado, ACNUR; la niña lo desea"})
                .code,
            0);
  ASSERT_EQ(Run(kTitular, {"child", "decide", id, "approve", "note=Aprobado"}).code, 0);
  Result services = Run(kJefa, {"child", "advance", id, "services"});
  ASSERT_EQ(services.code, 0) << services;
  EXPECT_EQ(Field(services.out, "state"), "services");
  EXPECT_TRUE(Field(services.out, "return_plan.handover").empty()) << services;

  // The receiving authority: DIF in this member's directory, offering child protection.
  Result dif =
      Run(kJefa, {"org", "create", "display_name=Sistema Nacional DIF", "type=government_agency",
                  "service=child_protection", "area=MX-CHP", "language=es", "request_id=dif-1"});
  ASSERT_EQ(dif.code, 0) << dif;
  const std::string authority = Field(dif.out, "name");
  ASSERT_TRUE(absl::StartsWith(authority, "countries/MX/organisations/")) << dif;
  Result shelter =
      Run(kJefa, {"org", "create", "display_name=Albergue Belén", "type=shelter", "service=shelter",
                  "area=MX-CHP", "language=es", "request_id=belen-1"});
  ASSERT_EQ(shelter.code, 0) << shelter;

  const std::string at =
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::Now() + absl::Hours(30), absl::UTCTimeZone());
  auto plan = [&](const std::string& org) -> std::vector<std::string> {
    return {"child",
            "plan",
            id,
            "to=MX",
            "authority=" + org,
            "point=Módulo DIF, aeropuerto de Tapachula",
            "escort=Oficial de protección Marta Ixcoy Tzul",
            "at=" + at};
  };
  // An organisation without child protection is no receiving authority.
  const std::string belen = Field(shelter.out, "name");
  Result not_authority = Run(kJefa, plan(belen.substr(belen.rfind('/') + 1)));
  EXPECT_EQ(not_authority.code, 1) << not_authority;
  EXPECT_TRUE(absl::StartsWith(not_authority.err, "error: INVALID_ARGUMENT: ")) << not_authority;
  EXPECT_TRUE(absl::StrContains(not_authority.err, "plan.authority")) << not_authority;
  // A usage error sends nothing.
  Result usage = Run(kJefa, {"child", "plan", id, "to=MX", "authority=x"});
  EXPECT_EQ(usage.code, 2) << usage;
  EXPECT_TRUE(absl::StrContains(usage.err, "needs point=")) << usage;

  // The bare id expands to countries/MX/organisations/ID (the receiving member's).
  Result planned = Run(kJefa, plan(authority.substr(authority.rfind('/') + 1)));
  ASSERT_EQ(planned.code, 0) << planned;
  EXPECT_EQ(Field(planned.out, "state"), "return_planned");
  EXPECT_EQ(Field(planned.out, "return_plan.receiving_country"), "MX");
  EXPECT_EQ(Field(planned.out, "return_plan.authority"), authority);
  EXPECT_EQ(Field(planned.out, "return_plan.reception_point"),
            "Módulo DIF, aeropuerto de Tapachula");
  EXPECT_EQ(Field(planned.out, "return_plan.escort"), "Oficial de protección Marta Ixcoy Tzul");
  EXPECT_EQ(Field(planned.out, "return_plan.handover_time"), at);
  EXPECT_EQ(Field(planned.out, "return_plan.handover_state"), "proposed");
  const std::string handover = Field(planned.out, "return_plan.handover");
  ASSERT_TRUE(absl::StartsWith(handover, "countries/MX/handovers/")) << planned;

  // Received before it was accepted: the node's refusal, exit 1.
  Result early = Run(kJefa, {"handover", "received", handover});
  EXPECT_EQ(early.code, 1) << early;
  EXPECT_TRUE(absl::StartsWith(early.err, "error: FAILED_PRECONDITION: ")) << early;
  EXPECT_TRUE(early.out.empty()) << early;

  // What this node sent: one row, nothing personal. (Returned to this member itself, the
  // handover is held once, as sent; --incoming lists what other members send.)
  Result list = Run(kJefa, {"handover", "list"});
  ASSERT_EQ(list.code, 0) << list;
  const std::vector<std::string> lines = absl::StrSplit(list.out, '\n', absl::SkipEmpty());
  ASSERT_EQ(lines.size(), 2u) << list;
  const std::vector<std::string> header = absl::StrSplit(lines[0], ' ', absl::SkipEmpty());
  EXPECT_EQ(header, (std::vector<std::string>{"NAME", "STATE", "FROM", "TO", "TO_POST", "AUTHORITY",
                                              "HANDOVER_TIME"}));
  const std::vector<std::string> row = absl::StrSplit(lines[1], ' ', absl::SkipEmpty());
  EXPECT_EQ(row,
            (std::vector<std::string>{handover, "proposed", "MX-TAP", "MX", "-", authority, at}))
      << list;
  for (const char* personal : {"Rosa", "Choc", "Marta"}) {
    EXPECT_FALSE(absl::StrContains(list.out, personal)) << personal << "\n" << list;
  }
  Result incoming = Run(kJefa, {"handover", "list", "--incoming", "--all"});
  EXPECT_EQ(incoming.code, 0) << incoming;

  // A supervisor accepts for a post, names the child in `handover show`.
  Result no_post = Run(kJefa, {"handover", "accept", handover});
  EXPECT_EQ(no_post.code, 1) << no_post;
  EXPECT_TRUE(absl::StartsWith(no_post.err, "error: INVALID_ARGUMENT: ")) << no_post;
  Result accepted =
      Run(kJefa, {"handover", "accept", handover, "post=mx-tap", "note=El DIF la espera"});
  ASSERT_EQ(accepted.code, 0) << accepted;
  EXPECT_EQ(Field(accepted.out, "state"), "accepted");
  EXPECT_EQ(Field(accepted.out, "to_post"), "MX-TAP");
  Result shown = Run(kJefa, {"handover", "show", handover});
  ASSERT_EQ(shown.code, 0) << shown;
  EXPECT_EQ(Field(shown.out, "given_names"), "Rosa Amalia");
  EXPECT_EQ(Field(shown.out, "family_names"), "Choc Caal");
  EXPECT_EQ(Field(shown.out, "reception_point"), "Módulo DIF, aeropuerto de Tapachula");
  EXPECT_EQ(Field(shown.out, "state"), "accepted");
  for (const char* never : {"Albergue", "Reunificación", "Panel", "psychosocial"}) {
    EXPECT_FALSE(absl::StrContains(shown.out, never)) << never << "\n" << shown;
  }

  Result received = Run(
      kJefa, {"handover", "received", handover, "note=Recibida por su madre en el módulo del DIF"});
  ASSERT_EQ(received.code, 0) << received;
  EXPECT_EQ(Field(received.out, "state"), "received");
  // Nothing after received: declined is refused.
  Result late = Run(kJefa, {"handover", "decline", handover, "note=Demasiado tarde"});
  EXPECT_EQ(late.code, 1) << late;
  EXPECT_TRUE(absl::StartsWith(late.err, "error: FAILED_PRECONDITION: ")) << late;
  // Declining needs why: a usage error, nothing sent.
  EXPECT_EQ(Run(kJefa, {"handover", "decline", handover}).code, 2);

  // The sending side's record follows: handed over, with the receiver's answer.
  Result record;
  ASSERT_TRUE(testing::WaitFor(
      [&] {
        record = Run(kJefa, {"child", "show", id});
        return record.code == 0 && Field(record.out, "state") == "handed_over";
      },
      absl::Seconds(30)))
      << record;
  EXPECT_EQ(Field(record.out, "return_plan.handover"), handover);
  EXPECT_EQ(Field(record.out, "return_plan.handover_state"), "received");
  EXPECT_TRUE(absl::StrContains(Field(record.out, "return_plan.received_by"), "MX-TAP")) << record;
  EXPECT_EQ(Field(record.out, "return_plan.answer_note"),
            "Recibida por su madre en el módulo del DIF");
  EXPECT_EQ(Field(record.out, "return_plan.authority"), authority);
}

}  // namespace
}  // namespace enlace
