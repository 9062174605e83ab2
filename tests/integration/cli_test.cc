// enlacectl end to end: the real binary against a real enlace-node child process over mTLS,
// checking what an operator sees (stdout, stderr) and the exit codes scripts rely on. The node
// is standalone (no federation config): it serves the cases, the directory and the crisis
// module (no other member to ask for assistance), and no FederationAdminService.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/pki/pki.h"
#include "enlace/cases/v1/case_service.pb.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "tests/testing/command.h"
#include "tests/testing/test_env.h"

extern char** environ;

namespace enlace {
namespace {

namespace v1 = ::enlace::cases::v1;

constexpr char kOfficer[] = "spiffe://mx.enlace.example/role/officer/post/MX-LAX/user/ana";
// Directory administration and federation admin are operators' (and supervisors') work.
constexpr char kOperator[] = "spiffe://mx.enlace.example/role/operator/user/olga";
// Declaring a crisis and importing registrations are supervisors' work.
constexpr char kSupervisor[] = "spiffe://mx.enlace.example/role/supervisor/user/jefa";

using Result = testing::CommandResult;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The value of the first `key: value` line of `get`-style output.
std::string Field(const std::string& out, const std::string& key) {
  for (absl::string_view line : absl::StrSplit(out, '\n')) {
    if (absl::ConsumePrefix(&line, key + ":")) return std::string(absl::StripAsciiWhitespace(line));
  }
  return "";
}

std::vector<std::string> Lines(const std::string& out) {
  return absl::StrSplit(out, '\n', absl::SkipEmpty());
}

std::vector<std::string> Words(absl::string_view line) {
  return absl::StrSplit(line, ' ', absl::SkipEmpty());
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::MakeTempDir("cli");
    auto pki = testing::TestPki::Create(dir_, "MX");
    ASSERT_TRUE(pki.ok()) << pki.status();
    pki_ = std::make_unique<testing::TestPki>(*pki);
    // The officer's certificate as files, the way devpki lays them out for --tls_dir.
    auto client = pki_->Client(kOfficer);
    ASSERT_TRUE(client.ok()) << client.status();
    ASSERT_TRUE(pki::WriteFile(dir_ + "/ana.pem", client->cert_pem, 0600).ok());
    ASSERT_TRUE(pki::WriteFile(dir_ + "/ana.key", client->key_pem, 0600).ok());
    auto node = testing::NodeProcess::Start(testing::TestNodeConfig(dir_, "MX"), dir_);
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = *std::move(node);
    server_ = absl::StrCat("localhost:", node_->port());
  }

  void TearDown() override {
    if (node_) {
      EXPECT_EQ(node_->Stop(SIGTERM), 0) << ReadAll(node_->log_path());
    }
  }

  // Runs enlacectl with `args` and the environment without any ENLACE_* variable, plus `env`.
  Result RunRaw(const std::vector<std::string>& args, const std::vector<std::string>& env = {}) {
    return testing::RunCommand(testing::RunfilePath("tools/enlacectl/enlacectl"), args,
                               absl::StrCat(dir_, "/run.", runs_++), env);
  }

  // As the officer, through --tls_dir.
  Result Run(std::vector<std::string> args) { return RunAs("ana", std::move(args)); }

  // As the identity whose certificate is DIR/<identity>.pem.
  Result RunAs(const std::string& identity, std::vector<std::string> args) {
    args.insert(args.begin(),
                {"--server=" + server_, "--tls_dir=" + dir_, "--identity=" + identity});
    return RunRaw(args);
  }

  // The operator's certificate as olga.pem / olga.key.
  void WriteOperatorCertificate() {
    auto client = pki_->Client(kOperator);
    ASSERT_TRUE(client.ok()) << client.status();
    ASSERT_TRUE(pki::WriteFile(dir_ + "/olga.pem", client->cert_pem, 0600).ok());
    ASSERT_TRUE(pki::WriteFile(dir_ + "/olga.key", client->key_pem, 0600).ok());
  }

  // The supervisor's certificate as jefa.pem / jefa.key.
  void WriteSupervisorCertificate() {
    auto client = pki_->Client(kSupervisor);
    ASSERT_TRUE(client.ok()) << client.status();
    ASSERT_TRUE(pki::WriteFile(dir_ + "/jefa.pem", client->cert_pem, 0600).ok());
    ASSERT_TRUE(pki::WriteFile(dir_ + "/jefa.key", client->key_pem, 0600).ok());
  }

  std::string CreatePerson() {
    Result r =
        Run({"person", "create", "given_names=José Luis", "family_names=Pérez Hernández",
             "sex=male", "birth_date=1990-04-02", "nationality=MX", "doc=passport:G1234567:MX",
             "language=es", "protection=none", "vulnerability=detained", "request_id=person-1"});
    EXPECT_EQ(r.code, 0) << r;
    return Field(r.out, "name");
  }

  std::vector<std::string> CaseArgs(const std::string& person) {
    return {"case",
            "create",
            "person=" + person,
            "post=MX-LAX",
            "host_country=US",
            "place=Adelanto, California",
            "category=migration",
            "subtype=immigration_detention",
            "risk=high",
            "urgent=true",
            "legal_basis=consent",
            "consent=person:services,family",
            "summary=Detenido por ICE; solicita visita consular."};
  }

  std::string dir_;
  std::unique_ptr<testing::TestPki> pki_;
  std::unique_ptr<testing::NodeProcess> node_;
  std::string server_;
  int runs_ = 0;
};

TEST_F(CliTest, CaseLifecycle) {
  const std::string person = CreatePerson();
  ASSERT_TRUE(absl::StartsWith(person, "countries/MX/persons/")) << person;

  // A retry with the same request_id is the same person, not a duplicate-document error.
  Result again =
      Run({"person", "create", "given_names=José Luis", "family_names=Pérez Hernández", "sex=male",
           "birth_date=1990-04-02", "nationality=MX", "doc=passport:G1234567:MX", "language=es",
           "protection=none", "vulnerability=detained", "request_id=person-1"});
  EXPECT_EQ(again.code, 0) << again;
  EXPECT_EQ(Field(again.out, "name"), person);

  Result got = Run({"person", "get", person.substr(person.rfind('/') + 1)});
  ASSERT_EQ(got.code, 0) << got;
  EXPECT_EQ(Field(got.out, "given_names"), "José Luis");
  EXPECT_EQ(Field(got.out, "documents"), "passport:G1234567:MX");
  EXPECT_EQ(Field(got.out, "created_by"), kOfficer);

  // Search without accents or case, and by document with different punctuation.
  Result found = Run({"person", "search", "name=jose perez"});
  ASSERT_EQ(found.code, 0) << found;
  std::vector<std::string> lines = Lines(found.out);
  ASSERT_EQ(lines.size(), 2u) << found;
  EXPECT_EQ(Words(lines[0]),
            (std::vector<std::string>{"NAME", "GIVEN", "FAMILY", "BIRTH", "NATIONALITIES"}));
  EXPECT_TRUE(absl::StartsWith(lines[1], person + "  José Luis  Pérez Hernández  1990-04-02  MX"))
      << lines[1];
  Result by_doc = Run({"person", "search", "doc=passport:g-1234567:mx"});
  ASSERT_EQ(by_doc.code, 0) << by_doc;
  EXPECT_TRUE(absl::StrContains(by_doc.out, person)) << by_doc;

  std::vector<std::string> create = CaseArgs(person);
  create.push_back("request_id=case-1");
  Result opened = Run(create);
  ASSERT_EQ(opened.code, 0) << opened;
  const std::string name = Field(opened.out, "name");
  ASSERT_TRUE(absl::StartsWith(name, "countries/MX/cases/")) << opened;
  EXPECT_EQ(Field(opened.out, "status"), "open");
  EXPECT_EQ(Field(opened.out, "consent.scopes"), "services,family");
  const std::string etag = Field(opened.out, "etag");

  Result action = Run({"action", "add", name, "type=detention_visit", "officer=ofc-1",
                       "outcome=completed", "note=Visita en el centro de Adelanto"});
  ASSERT_EQ(action.code, 0) << action;
  EXPECT_EQ(Field(action.out, "type"), "detention_visit");
  EXPECT_EQ(Field(action.out, "post"), "MX-LAX");  // defaults to the case's post
  EXPECT_EQ(Field(action.out, "name"), name + "/actions/00000001");

  Result actions = Run({"action", "list", name});
  ASSERT_EQ(actions.code, 0) << actions;
  lines = Lines(actions.out);
  ASSERT_EQ(lines.size(), 2u) << actions;
  EXPECT_EQ(Words(lines[1])[0], "00000001");
  EXPECT_EQ(Words(lines[1])[1], "detention_visit");

  Result listed = Run({"case", "list"});
  ASSERT_EQ(listed.code, 0) << listed;
  lines = Lines(listed.out);
  ASSERT_EQ(lines.size(), 2u) << listed;
  EXPECT_EQ(Words(lines[0]), (std::vector<std::string>{"NAME", "POST", "STATUS", "CATEGORY",
                                                       "SUBTYPE", "OPENED", "URGENT"}));
  std::vector<std::string> row = Words(lines[1]);
  ASSERT_EQ(row.size(), 7u) << lines[1];
  EXPECT_EQ(row[0], name);
  EXPECT_EQ(row[1], "MX-LAX");
  EXPECT_EQ(row[2], "open");
  EXPECT_EQ(row[3], "migration");
  EXPECT_EQ(row[4], "immigration_detention");
  EXPECT_EQ(row[6], "yes");
  EXPECT_EQ(lines[0].find("OPENED"), lines[1].find(row[5]));  // aligned

  Result json = Run({"--json", "case", "list", "status=open"});
  ASSERT_EQ(json.code, 0) << json;
  lines = Lines(json.out);
  ASSERT_EQ(lines.size(), 1u) << json;
  v1::ListCasesResponse parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(lines[0], &parsed).ok()) << json;
  ASSERT_EQ(parsed.cases_size(), 1);
  EXPECT_EQ(parsed.cases(0).name(), name);
  EXPECT_EQ(parsed.cases(0).subtype(), v1::SUBTYPE_IMMIGRATION_DETENTION);

  // Updates carry the etag: the current one works once, then it is stale (ABORTED).
  Result updated =
      Run({"case", "update", name, "etag=" + etag, "risk=critical", "status=in_progress"});
  ASSERT_EQ(updated.code, 0) << updated;
  EXPECT_EQ(Field(updated.out, "risk"), "critical");
  EXPECT_EQ(Field(updated.out, "status"), "in_progress");
  Result stale = Run({"case", "update", name, "etag=" + etag, "risk=low"});
  EXPECT_EQ(stale.code, 1) << stale;
  EXPECT_TRUE(absl::StartsWith(stale.err, "error: ABORTED: ")) << stale;

  Result closed = Run({"case", "close", name, "resolution=resolved", "note=Liberado"});
  ASSERT_EQ(closed.code, 0) << closed;
  EXPECT_EQ(Field(closed.out, "status"), "closed");
  EXPECT_EQ(Field(closed.out, "resolution"), "resolved");
  EXPECT_EQ(Field(closed.out, "resolution_note"), "Liberado");

  Result late =
      Run({"action", "add", name, "type=interview", "officer=ofc-1", "outcome=completed"});
  EXPECT_EQ(late.code, 1) << late;
  EXPECT_TRUE(absl::StartsWith(late.err, "error: FAILED_PRECONDITION: ")) << late;

  Result closed_list = Run({"case", "list", "status=closed"});
  ASSERT_EQ(closed_list.code, 0) << closed_list;
  EXPECT_TRUE(absl::StrContains(closed_list.out, name)) << closed_list;
  Result open_list = Run({"case", "list", "status=open"});
  ASSERT_EQ(open_list.code, 0) << open_list;
  EXPECT_EQ(Lines(open_list.out).size(), 1u) << open_list;  // the header only
}

TEST_F(CliTest, ServerErrorsShowCodeAndFieldsWithExitCode1) {
  const std::string person = CreatePerson();
  std::vector<std::string> args = CaseArgs(person);
  args[6] = "category=criminal";  // immigration_detention belongs to migration
  args[5] = "place=";
  Result bad = Run(args);
  EXPECT_EQ(bad.code, 1) << bad;
  EXPECT_TRUE(absl::StartsWith(bad.err, "error: INVALID_ARGUMENT: ")) << bad;
  EXPECT_TRUE(
      absl::StrContains(bad.err,
                        "\n  case.subtype: SUBTYPE_IMMIGRATION_DETENTION does not belong to "
                        "CATEGORY_CRIMINAL\n"))
      << bad;
  EXPECT_TRUE(absl::StrContains(bad.err, "\n  case.place: required\n")) << bad;
  EXPECT_EQ(bad.out, "");

  Result dup = Run({"person", "create", "given_names=Otro", "sex=male", "nationality=MX",
                    "protection=none", "doc=passport:G-1234567:MX"});
  EXPECT_EQ(dup.code, 1) << dup;
  EXPECT_TRUE(absl::StartsWith(dup.err,
                               "error: ALREADY_EXISTS: person.documents[0] is already "
                               "registered to " +
                                   person))
      << dup;

  Result missing = Run({"case", "get", "00000000000000000000"});
  EXPECT_EQ(missing.code, 1) << missing;
  EXPECT_TRUE(absl::StartsWith(missing.err, "error: NOT_FOUND: ")) << missing;

  Result no_cases = Run({"case", "list"});
  EXPECT_EQ(Lines(no_cases.out).size(), 1u) << no_cases;  // nothing was written
}

TEST_F(CliTest, UsageErrorsExit2AndSendNothing) {
  const std::string person = CreatePerson();
  std::vector<std::string> args = CaseArgs(person);
  args[6] = "category=nonsense";
  args.push_back("colour=blue");
  Result bad = Run(args);
  EXPECT_EQ(bad.code, 2) << bad;
  EXPECT_TRUE(absl::StrContains(bad.err,
                                "enlacectl: category: unknown value \"nonsense\"; one "
                                "of: human_rights, migration"))
      << bad;
  EXPECT_TRUE(absl::StrContains(bad.err, "enlacectl: unknown key \"colour\"")) << bad;
  EXPECT_EQ(bad.out, "");
  Result none = Run({"case", "list"});
  EXPECT_EQ(Lines(none.out).size(), 1u) << none;

  // Against an address where nothing listens, a usage error is still exit 2: no call was made.
  Result offline =
      RunRaw({"--server=127.0.0.1:1", "--timeout=2s", "case", "create", "risk=extreme"});
  EXPECT_EQ(offline.code, 2) << offline;
  EXPECT_EQ(RunRaw({"--bogus", "help"}).code, 2);
  EXPECT_EQ(RunRaw({"--timeout=soon", "help"}).code, 2);
  EXPECT_EQ(RunRaw({"person", "get"}).code, 2);

  Result help = RunRaw({"help"});
  EXPECT_EQ(help.code, 0) << help;
  EXPECT_TRUE(absl::StrContains(help.out, "case list")) << help;
  EXPECT_TRUE(absl::StrContains(help.out, "action add")) << help;
}

TEST_F(CliTest, TlsFromFlagsOrEnvironmentAndIdentityChecks) {
  const std::string ca = dir_ + "/ca.pem";
  Result flags = RunRaw({"--server", server_, "--ca", ca, "--cert", dir_ + "/ana.pem", "--key",
                         dir_ + "/ana.key", "case", "list"});
  EXPECT_EQ(flags.code, 0) << flags;
  Result env = RunRaw({"case", "list"},
                      {"ENLACE_SERVER=" + server_, "ENLACE_CA=" + ca,
                       "ENLACE_CERT=" + dir_ + "/ana.pem", "ENLACE_KEY=" + dir_ + "/ana.key"});
  EXPECT_EQ(env.code, 0) << env;

  // The node requires a client certificate at the TLS handshake.
  Result anonymous = RunRaw({"--server=" + server_, "--ca=" + ca, "--timeout=5s", "case", "list"});
  EXPECT_EQ(anonymous.code, 1) << anonymous;
  EXPECT_TRUE(absl::StartsWith(anonymous.err, "error: UNAVAILABLE: ")) << anonymous;

  // A certificate of the right CA but without a URI SAN names nobody.
  auto nobody = pki_->Client("");
  ASSERT_TRUE(nobody.ok());
  ASSERT_TRUE(pki::WriteFile(dir_ + "/nobody.pem", nobody->cert_pem, 0600).ok());
  ASSERT_TRUE(pki::WriteFile(dir_ + "/nobody.key", nobody->key_pem, 0600).ok());
  Result denied =
      RunRaw({"--server=" + server_, "--tls_dir=" + dir_, "--identity=nobody", "case", "list"});
  EXPECT_EQ(denied.code, 1) << denied;
  EXPECT_TRUE(absl::StartsWith(denied.err, "error: PERMISSION_DENIED: ")) << denied;
}

TEST_F(CliTest, PagesAndAll) {
  const std::string person = CreatePerson();
  for (int i = 0; i < 3; ++i) {
    Result r = Run(CaseArgs(person));
    ASSERT_EQ(r.code, 0) << r;
  }
  Result first = Run({"case", "list", "page_size=2"});
  ASSERT_EQ(first.code, 0) << first;
  EXPECT_EQ(Lines(first.out).size(), 3u) << first;
  ASSERT_TRUE(absl::StartsWith(first.err, "more results: repeat with page_token=")) << first;
  std::string token(absl::StripPrefix(first.err, "more results: repeat with page_token="));
  token = token.substr(0, token.find(' '));
  Result second = Run({"case", "list", "page_size=2", "page_token=" + token});
  ASSERT_EQ(second.code, 0) << second;
  EXPECT_EQ(Lines(second.out).size(), 2u) << second;
  EXPECT_EQ(second.err, "");
  // The token is bound to its query: other filters are refused.
  Result other = Run({"case", "list", "page_size=2", "status=open", "page_token=" + token});
  EXPECT_EQ(other.code, 1) << other;
  EXPECT_TRUE(absl::StrContains(other.err, "\n  page_token: ")) << other;

  Result all = Run({"case", "list", "page_size=2", "--all"});
  ASSERT_EQ(all.code, 0) << all;
  EXPECT_EQ(Lines(all.out).size(), 4u) << all;
  Result json = Run({"--json", "case", "list", "page_size=2", "--all"});
  ASSERT_EQ(json.code, 0) << json;
  ASSERT_EQ(Lines(json.out).size(), 2u) << json;  // one line per page
  v1::ListCasesResponse page;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(Lines(json.out)[1], &page).ok());
  EXPECT_EQ(page.cases_size(), 1);
}

TEST_F(CliTest, DirectoryLifecycle) {
  WriteOperatorCertificate();
  auto op = [&](std::vector<std::string> args) { return RunAs("olga", std::move(args)); };
  const std::vector<std::string> create = {"org",
                                           "create",
                                           "display_name=Casa del Migrante Tapachula",
                                           "type=shelter",
                                           "service=shelter,legal_aid",
                                           "area=mx-chp,MX-OAX",
                                           "language=es,mam",
                                           "phone=+52 962 000 0000",
                                           "email=casa@example.org",
                                           "website=https://casa.example.org",
                                           "address=Calle 1, Tapachula",
                                           "description=Albergue y asesoría jurídica",
                                           "request_id=org-1"};
  Result created = op(create);
  ASSERT_EQ(created.code, 0) << created;
  const std::string name = Field(created.out, "name");
  ASSERT_TRUE(absl::StartsWith(name, "countries/MX/organisations/")) << created;
  const std::string id = name.substr(name.rfind('/') + 1);
  EXPECT_EQ(Field(created.out, "etag"), "r1");
  EXPECT_EQ(Field(created.out, "revision"), "1");
  EXPECT_EQ(Field(created.out, "type"), "shelter");
  EXPECT_EQ(Field(created.out, "services"), "shelter,legal_aid");
  EXPECT_EQ(Field(created.out, "areas"), "MX-CHP,MX-OAX");
  EXPECT_EQ(Field(created.out, "contact.website"), "https://casa.example.org");
  // Officers read the directory but do not write it.
  Result officer = Run({"org", "create", "display_name=Casa", "type=shelter", "service=shelter"});
  EXPECT_EQ(officer.code, 1) << officer;
  EXPECT_TRUE(absl::StartsWith(officer.err,
                               "error: PERMISSION_DENIED: role officer may not call "
                               "enlace.directory.v1.DirectoryService/"
                               "CreateOrganisation"))
      << officer;
  // A retry with the same request_id is the same entry.
  Result again = op(create);
  ASSERT_EQ(again.code, 0) << again;
  EXPECT_EQ(Field(again.out, "name"), name);

  Result second = op({"org", "create", "display_name=Pastoral de Movilidad Humana",
                      "type=faith_based", "service=food", "area=MX"});
  ASSERT_EQ(second.code, 0) << second;
  const std::string second_name = Field(second.out, "name");

  Result listed = Run({"org", "list"});
  ASSERT_EQ(listed.code, 0) << listed;
  std::vector<std::string> lines = Lines(listed.out);
  ASSERT_EQ(lines.size(), 3u) << listed;
  EXPECT_EQ(Words(lines[0]),
            (std::vector<std::string>{"NAME", "TYPE", "SERVICES", "AREAS", "DISPLAY_NAME"}));
  bool found = false;
  for (const auto& line : lines) {
    if (!absl::StartsWith(line, name)) continue;
    found = true;
    EXPECT_EQ(Words(line),
              (std::vector<std::string>{name, "shelter", "shelter,legal_aid", "MX-CHP,MX-OAX",
                                        "Casa", "del", "Migrante", "Tapachula"}));
    EXPECT_EQ(lines[0].find("DISPLAY_NAME"), line.find("Casa"));  // aligned
  }
  EXPECT_TRUE(found) << listed;

  // Filters: accents and case ignored in query; an area matches its country's entries too.
  auto names_of = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"org", "list"});
    Result r = Run(args);
    EXPECT_EQ(r.code, 0) << r;
    std::vector<std::string> out;
    std::vector<std::string> ls = Lines(r.out);
    for (size_t i = 1; i < ls.size(); ++i) out.push_back(Words(ls[i])[0]);
    std::sort(out.begin(), out.end());
    return out;
  };
  std::vector<std::string> both = {name, second_name};
  std::sort(both.begin(), both.end());
  EXPECT_EQ(names_of({"query=CASA migrante"}), std::vector<std::string>{name});
  EXPECT_EQ(names_of({"service=legal_aid"}), std::vector<std::string>{name});
  EXPECT_EQ(names_of({"type=faith_based"}), std::vector<std::string>{second_name});
  EXPECT_EQ(names_of({"area=MX-OAX"}), both);
  EXPECT_EQ(names_of({"area=MX-YUC"}), std::vector<std::string>{second_name});
  EXPECT_EQ(names_of({"country=mx"}), both);
  EXPECT_TRUE(names_of({"country=GT"}).empty());
  EXPECT_TRUE(names_of({"service=employment"}).empty());

  Result first_page = Run({"org", "list", "page_size=1"});
  ASSERT_EQ(first_page.code, 0) << first_page;
  EXPECT_EQ(Lines(first_page.out).size(), 2u) << first_page;
  EXPECT_TRUE(absl::StartsWith(first_page.err, "more results: repeat with page_token="))
      << first_page;
  Result all = Run({"org", "list", "page_size=1", "--all"});
  ASSERT_EQ(all.code, 0) << all;
  EXPECT_EQ(Lines(all.out).size(), 3u) << all;

  // A bare id reads with --country.
  Result got = Run({"org", "get", id});
  ASSERT_EQ(got.code, 0) << got;
  EXPECT_EQ(Field(got.out, "name"), name);
  EXPECT_EQ(Field(got.out, "display_name"), "Casa del Migrante Tapachula");
  EXPECT_EQ(Field(got.out, "languages"), "es,mam");

  // update_mask from the keys given; contact parts not given keep their values.
  Result updated = op({"org", "update", id, "etag=r1", "phone=+52 962 111 1111",
                       "service=shelter,legal_aid,food", "description="});
  ASSERT_EQ(updated.code, 0) << updated;
  EXPECT_EQ(Field(updated.out, "etag"), "r2");
  EXPECT_EQ(Field(updated.out, "contact.phone"), "+52 962 111 1111");
  EXPECT_EQ(Field(updated.out, "contact.email"), "casa@example.org");
  EXPECT_EQ(Field(updated.out, "contact.website"), "https://casa.example.org");
  EXPECT_EQ(Field(updated.out, "services"), "shelter,legal_aid,food");
  EXPECT_EQ(Field(updated.out, "description"), "");                              // cleared
  EXPECT_EQ(Field(updated.out, "display_name"), "Casa del Migrante Tapachula");  // untouched
  Result stale = op({"org", "update", id, "etag=r1", "type=legal_aid"});
  EXPECT_EQ(stale.code, 1) << stale;
  EXPECT_TRUE(absl::StartsWith(stale.err, "error: ABORTED: ")) << stale;

  Result json = Run({"--json", "org", "get", name});
  ASSERT_EQ(json.code, 0) << json;
  ASSERT_EQ(Lines(json.out).size(), 1u) << json;
  EXPECT_TRUE(absl::StartsWith(json.out, "{\"name\":\"" + name + "\"")) << json;
  EXPECT_TRUE(absl::StrContains(json.out, "\"etag\":\"r2\"")) << json;
  EXPECT_TRUE(absl::StrContains(json.out, "\"type\":\"ORGANISATION_TYPE_SHELTER\"")) << json;

  // Each member writes only its own entries.
  const std::string foreign = "countries/GT/organisations/0123456789abcdefghjk";
  Result not_ours = op({"org", "update", foreign, "etag=r1", "type=shelter"});
  EXPECT_EQ(not_ours.code, 1) << not_ours;
  EXPECT_TRUE(absl::StartsWith(not_ours.err, "error: PERMISSION_DENIED: ")) << not_ours;
  Result not_ours_delete = op({"org", "delete", foreign, "etag=r1"});
  EXPECT_EQ(not_ours_delete.code, 1) << not_ours_delete;
  EXPECT_TRUE(absl::StartsWith(not_ours_delete.err, "error: PERMISSION_DENIED: "))
      << not_ours_delete;
  Result gt_create =
      op({"--country=GT", "org", "create", "display_name=Casa", "type=shelter", "service=shelter"});
  EXPECT_EQ(gt_create.code, 1) << gt_create;
  EXPECT_TRUE(absl::StartsWith(gt_create.err, "error: PERMISSION_DENIED: ")) << gt_create;

  // Validation by the node, every field at once.
  Result invalid = op({"org", "create", "display_name=", "type=shelter", "service=shelter",
                       "area=Chiapas", "language=ES"});
  EXPECT_EQ(invalid.code, 1) << invalid;
  EXPECT_TRUE(absl::StartsWith(invalid.err, "error: INVALID_ARGUMENT: ")) << invalid;
  EXPECT_TRUE(absl::StrContains(invalid.err, "\n  organisation.display_name: required\n"))
      << invalid;
  EXPECT_TRUE(absl::StrContains(invalid.err, "\n  organisation.areas[0]: ")) << invalid;
  EXPECT_TRUE(absl::StrContains(invalid.err, "\n  organisation.languages[0]: ")) << invalid;
  // A usage error sends nothing.
  Result usage = op({"org", "update", id, "etag=r2", "email="});
  EXPECT_EQ(usage.code, 2) << usage;
  EXPECT_TRUE(absl::StrContains(usage.err, "contact parts cannot be cleared")) << usage;

  Result stale_delete = op({"org", "delete", id, "etag=r1"});
  EXPECT_EQ(stale_delete.code, 1) << stale_delete;
  EXPECT_TRUE(absl::StartsWith(stale_delete.err, "error: ABORTED: ")) << stale_delete;
  Result deleted = op({"org", "delete", id, "etag=r2"});
  ASSERT_EQ(deleted.code, 0) << deleted;
  EXPECT_EQ(deleted.out, "deleted " + name + "\n");
  Result gone = Run({"org", "get", id});
  EXPECT_EQ(gone.code, 1) << gone;
  EXPECT_TRUE(absl::StartsWith(gone.err, "error: NOT_FOUND: ")) << gone;
  EXPECT_EQ(names_of({}), std::vector<std::string>{second_name});
}

TEST_F(CliTest, FederationCommandsOnAStandaloneNodeSayThereIsNoFederation) {
  WriteOperatorCertificate();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"federation", "status"},
        std::vector<std::string>{"federation", "quarantine", "sender=GT"},
        std::vector<std::string>{"--json", "federation", "status"}}) {
    Result r = RunAs("olga", args);
    EXPECT_EQ(r.code, 1) << r;
    EXPECT_EQ(r.out, "") << r;
    EXPECT_TRUE(absl::StartsWith(r.err, "error: UNIMPLEMENTED: ")) << r;
    EXPECT_TRUE(absl::StrContains(r.err,
                                  "FederationAdminService: it runs standalone, without a "
                                  "federation section in its config"))
        << r;
  }
}

// A crisis as Mexico accounts for its nationals in Honduras: declared, two nationals registered
// at the counter and three imported from a registry's CSV file (a second run creates nothing),
// the worklist, a welfare note, the board.
TEST_F(CliTest, CrisisAccounting) {
  WriteSupervisorCertificate();
  auto sup = [&](std::vector<std::string> args) { return RunAs("jefa", std::move(args)); };

  Result declared = sup({"crisis", "declare", "type=hurricane", "title=Huracán Eta", "host=hn",
                         "areas=hn-cr", "phase=active", "request_id=eta-1"});
  ASSERT_EQ(declared.code, 0) << declared;
  const std::string crisis = Field(declared.out, "name");
  ASSERT_TRUE(absl::StartsWith(crisis, "countries/MX/crises/")) << declared;
  EXPECT_EQ(Field(declared.out, "phase"), "active");
  EXPECT_EQ(Field(declared.out, "host_country"), "HN");
  EXPECT_EQ(Field(declared.out, "areas"), "HN-CR");
  // An officer may not declare one.
  Result officer = Run({"crisis", "declare", "type=hurricane", "title=Otro", "host=HN",
                        "areas=HN-CR", "phase=active"});
  EXPECT_EQ(officer.code, 1) << officer;
  EXPECT_TRUE(absl::StartsWith(officer.err, "error: PERMISSION_DENIED: ")) << officer;

  for (const auto& [given, family, id] : std::vector<std::array<std::string, 3>>{
           {"Ana", "Ruiz Soto", "reg-1"}, {"Jorge", "Castillo Ortiz", "reg-2"}}) {
    Result r = sup({"crisis", "register", "given_names=" + given, "family_names=" + family,
                    "birth_date=1985-06-15", "area=hn-cr", "post=MX-GUA", "phone=+504 9999 0000",
                    "request_id=" + id});
    ASSERT_EQ(r.code, 0) << r;
    EXPECT_TRUE(absl::StartsWith(Field(r.out, "name"), "countries/MX/registrations/")) << r;
    EXPECT_EQ(Field(r.out, "host_country"), "HN");  // from the area
  }

  const std::string csv = dir_ + "/registro.csv";
  ASSERT_TRUE(
      pki::WriteFile(csv,
                     "id,given_names,family_names,birth_date,area,post,phone\n"
                     "r-1,María José,Hernández López,1979-02-11,HN-CR,MX-GUA,+504 9000 0001\n"
                     "r-2,Luis Enrique,Domínguez Silva,1991-08-30,HN-CR,MX-GUA,\n"
                     "r-3,Verónica,Mendoza Aguilar,1964-12-01,HN-CR,MX-GUA,+504 9000 0003\n",
                     0600)
          .ok());
  Result imported = sup({"crisis", "import", csv});
  ASSERT_EQ(imported.code, 0) << imported;
  EXPECT_TRUE(absl::StrContains(imported.out, "created: 3  already present: 0  refused: 0\n"))
      << imported;
  // A second run from the first line (--restart, past FILE.progress): the ids are the
  // request ids, so nothing is created twice.
  Result again = sup({"crisis", "import", csv, "--restart"});
  ASSERT_EQ(again.code, 0) << again;
  EXPECT_TRUE(absl::StrContains(again.out, "created: 0  already present: 3  refused: 0\n"))
      << again;

  // Everyone unaccounted for, with their post; no case opened yet.
  Result worklist = sup({"crisis", "worklist", crisis});
  ASSERT_EQ(worklist.code, 0) << worklist;
  std::vector<std::string> lines = Lines(worklist.out);
  ASSERT_EQ(lines.size(), 6u) << worklist;
  EXPECT_EQ(Words(lines[0]), (std::vector<std::string>{"RISK", "STATUS", "AREA", "SUBJECT",
                                                       "LAST_STATUS", "POST", "CASE", "NAME"}));
  std::string subject;
  std::vector<std::string> names;
  for (size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> row = Words(lines[i]);
    ASSERT_GE(row.size(), 9u) << lines[i];
    EXPECT_EQ(row[1], "unaccounted") << lines[i];
    EXPECT_EQ(row[2], "HN-CR") << lines[i];
    EXPECT_TRUE(absl::StartsWith(row[3], "countries/MX/registrations/")) << lines[i];
    EXPECT_EQ(row[5], "MX-GUA") << lines[i];
    EXPECT_EQ(row[6], "-") << lines[i];
    const std::string name = lines[i].substr(lines[0].find("NAME"));
    names.push_back(name);
    if (name == "Verónica Mendoza Aguilar") subject = row[3];
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{
                       "Ana Ruiz Soto", "Jorge Castillo Ortiz", "Luis Enrique Domínguez Silva",
                       "María José Hernández López", "Verónica Mendoza Aguilar"}))
      << worklist;
  ASSERT_FALSE(subject.empty()) << worklist;

  // Found safe in a shelter: recorded by its registration id alone.
  Result noted = sup({"crisis", "note", crisis, subject.substr(subject.rfind('/') + 1),
                      "contacted-safe", "source=shelter-list", "contact=yes", "area=HN-CR",
                      "details=Albergue Ebenezer", "request_id=note-1"});
  ASSERT_EQ(noted.code, 0) << noted;
  EXPECT_EQ(Field(noted.out, "subject"), subject);
  EXPECT_EQ(Field(noted.out, "status"), "contacted_safe");

  // Off the default worklist (unaccounted only), on the one that asks for every status.
  Result rest = sup({"crisis", "worklist", crisis});
  ASSERT_EQ(rest.code, 0) << rest;
  EXPECT_EQ(Lines(rest.out).size(), 5u) << rest;
  EXPECT_FALSE(absl::StrContains(rest.out, subject)) << rest;
  Result safe = sup({"crisis", "worklist", crisis, "status=contacted-safe"});
  ASSERT_EQ(safe.code, 0) << safe;
  lines = Lines(safe.out);
  ASSERT_EQ(lines.size(), 2u) << safe;
  EXPECT_EQ(Words(lines[1])[1], "contacted_safe");
  EXPECT_EQ(Words(lines[1])[3], subject);

  Result board = sup({"crisis", "board", crisis});
  ASSERT_EQ(board.code, 0) << board;
  const std::string head = absl::StrCat("crisis:        ", crisis, "\n", "total:         5\n",
                                        "accounted for: 1 (20%)\n");
  EXPECT_TRUE(absl::StartsWith(board.out, head)) << board;
  EXPECT_TRUE(absl::StrContains(board.out,
                                "STATUS          COUNT\n"
                                "unaccounted     4\n"
                                "contacted_safe  1\n"))
      << board;
  bool area_row = false;
  for (const std::string& line : Lines(board.out)) {
    if (!absl::StartsWith(line, "HN-CR")) continue;
    area_row = true;
    EXPECT_EQ(Words(line), (std::vector<std::string>{"HN-CR", "5", "1", "4", "1"})) << board;
  }
  EXPECT_TRUE(area_row) << board;

  // A usage error sends nothing: exit 2.
  Result usage = sup({"crisis", "note", crisis, subject, "safe"});
  EXPECT_EQ(usage.code, 2) << usage;
  EXPECT_TRUE(absl::StrContains(usage.err, "status: unknown value \"safe\"")) << usage;

  // Assistance needs another member: a standalone node has none to ask, and nothing was asked
  // of it.
  Result assist = sup({"crisis", "assist", "crisis=" + crisis, "to=GT", "area=HN-CR", "nationals=3",
                       "request=Visitar albergues"});
  EXPECT_EQ(assist.code, 1) << assist;
  EXPECT_TRUE(absl::StartsWith(assist.err, "error: INVALID_ARGUMENT: ")) << assist;
  EXPECT_TRUE(absl::StrContains(assist.err, "\n  assistance.to_country: ")) << assist;
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"crisis", "assistance"},
        std::vector<std::string>{"crisis", "assistance", "--incoming"}}) {
    Result listed = sup(args);
    ASSERT_EQ(listed.code, 0) << listed;
    lines = Lines(listed.out);
    ASSERT_EQ(lines.size(), 1u) << listed;
    EXPECT_EQ(Words(lines[0]),
              (std::vector<std::string>{"NAME", "STATE", "FROM", "TO", "AREA", "NATIONALS",
                                        "TO_POST", "REQUEST/OUTCOME"}));
  }
}

}  // namespace
}  // namespace enlace
