// Cross-border casework through the real enlacectl binary against two real nodes: Mexico (the
// host) notifies Guatemala of a detention in Chiapas, the notification shows in the inbox of
// Guatemala's post in Tapachula and is acknowledged there, the host sees the times; Mexico
// refers a case to that post, which accepts it from its inbox, and both sides agree; then it
// hands another case over, which the post accepts from its inbox too. What an operator sees
// (stdout, stderr) and the exit codes scripts rely on.
#include <fcntl.h>
#include <sys/stat.h>
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
#include "common/pki/pki.h"
#include "tests/federation/federation_fixture.h"

extern char** environ;

namespace enlace::testing {
namespace {

// Guatemala's consular officer at its post in Tapachula, and a supervisor at Mexico's ministry.
constexpr char kGtOfficer[] = "spiffe://gt.enlace.example/role/officer/post/GT-TAP/user/x";
constexpr char kMxSupervisor[] = "spiffe://mx.enlace.example/role/supervisor/user/y";

struct Result {
  int code = -1;
  std::string out;
  std::string err;
};

std::ostream& operator<<(std::ostream& os, const Result& r) {
  return os << "exit " << r.code << "\n--- stdout\n" << r.out << "--- stderr\n" << r.err;
}

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

std::vector<std::string> Words(absl::string_view line) {
  return absl::StrSplit(line, ' ', absl::SkipEmpty());
}

// The table row whose NAME column (second for `inbox`) is `name`, split into words; empty if
// there is none.
std::vector<std::string> RowOf(const std::string& table, const std::string& name, size_t column) {
  for (absl::string_view line : absl::StrSplit(table, '\n', absl::SkipEmpty())) {
    std::vector<std::string> w = Words(line);
    if (w.size() > column && w[column] == name) return w;
  }
  return {};
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime(absl::RFC3339_sec, t, absl::UTCTimeZone());
}

class CliCaseworkTest : public FederationFixture {
 protected:
  void SetUp() override {
    Init({"MX", "GT"}, {"MX", "GT"});
    StartNode("MX");
    StartNode("GT");
    // Each identity's certificate as files, the way enlace-devpki lays them out for --tls_dir.
    WriteIdentity("MX", "y", kMxSupervisor);
    WriteIdentity("GT", "x", kGtOfficer);
  }

  void WriteIdentity(const std::string& country, const std::string& stem, const std::string& uri) {
    auto& m = federation_->member(country);
    const std::string tls = absl::StrCat(dir_, "/cli-", country);
    mkdir(tls.c_str(), 0700);
    auto client = m.pki->Client(uri);
    ASSERT_TRUE(client.ok()) << client.status();
    ASSERT_TRUE(pki::WriteFile(tls + "/ca.pem", m.pki->ca().cert_pem, 0600).ok());
    ASSERT_TRUE(pki::WriteFile(absl::StrCat(tls, "/", stem, ".pem"), client->cert_pem, 0600).ok());
    ASSERT_TRUE(pki::WriteFile(absl::StrCat(tls, "/", stem, ".key"), client->key_pem, 0600).ok());
  }

  // enlacectl with `args`, without any ENLACE_* variable of the environment.
  Result RunRaw(const std::vector<std::string>& args) {
    const std::string binary = RunfilePath("tools/enlacectl/enlacectl");
    const std::string out_path = absl::StrCat(dir_, "/out.", runs_);
    const std::string err_path = absl::StrCat(dir_, "/err.", runs_);
    ++runs_;
    std::vector<std::string> envs;
    for (char** e = environ; *e != nullptr; ++e) {
      if (!absl::StartsWith(*e, "ENLACE_")) envs.emplace_back(*e);
    }
    std::vector<char*> argv = {const_cast<char*>(binary.c_str())};
    for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<char*> envp;
    for (auto& e : envs) envp.push_back(e.data());
    envp.push_back(nullptr);
    pid_t pid = fork();
    if (pid == 0) {
      int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(out, 1);
      dup2(err, 2);
      execve(binary.c_str(), argv.data(), envp.data());
      _exit(127);
    }
    Result r;
    int status = 0;
    waitpid(pid, &status, 0);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    r.out = ReadAll(out_path);
    r.err = ReadAll(err_path);
    return r;
  }

  // On `country`'s node as the identity whose files are cli-<country>/<stem>.{pem,key}.
  Result Run(const std::string& country, const std::string& stem, std::vector<std::string> args) {
    args.insert(args.begin(),
                {absl::StrCat("--server=localhost:", federation_->member(country).api_port),
                 absl::StrCat("--tls_dir=", dir_, "/cli-", country), "--identity=" + stem,
                 "--country=" + country});
    return RunRaw(args);
  }
  Result Mx(std::vector<std::string> args) { return Run("MX", "y", std::move(args)); }
  Result Gt(std::vector<std::string> args) { return Run("GT", "x", std::move(args)); }

  std::vector<std::string> SendArgs(const std::string& protection, const std::string& request_id) {
    return {"notification",
            "send",
            "national=GT",
            "event=immigration_detention",
            "given_names=Juan",
            "family_names=Tzul Ixcoy",
            "sex=male",
            "birth_date=1996",
            "doc=national_id:2534812340901:GT",
            "language=quc",
            "protection=" + protection,
            "place=Estación migratoria Siglo XXI, Tapachula",
            "area=MX-CHP",
            "authority=Instituto Nacional de Migración",
            "event_time=" + Rfc3339(absl::Now() - absl::Hours(3)),
            "rights_informed_time=" + Rfc3339(absl::Now() - absl::Hours(2)),
            "contact=requested",
            "request_id=" + request_id};
  }

  int runs_ = 0;
};

TEST_F(CliCaseworkTest, NotificationThenReferralThroughTheInboxOfGuatemalasPostInTapachula) {
  // A refugee's notification never leaves: a clear error, exit 1, nothing queued.
  Result refused = Mx(SendArgs("refugee", "refugee-1"));
  EXPECT_EQ(refused.code, 1) << refused;
  EXPECT_TRUE(absl::StartsWith(refused.err, "error: FAILED_PRECONDITION: ")) << refused;
  EXPECT_TRUE(absl::StrContains(refused.err, "never reach the state they fled")) << refused;

  // Mexico notifies Guatemala of the detention.
  Result sent = Mx(SendArgs("none", "inm-tap-0001"));
  ASSERT_EQ(sent.code, 0) << sent;
  const std::string notification = Field(sent.out, "name");
  ASSERT_TRUE(absl::StartsWith(notification, "countries/MX/notifications/")) << sent;
  EXPECT_EQ(Field(sent.out, "national_country"), "GT") << sent;
  EXPECT_EQ(Field(sent.out, "event"), "immigration_detention") << sent;
  // Sent again with the same request id: the same notification, not a second one.
  Result again = Mx(SendArgs("none", "inm-tap-0001"));
  ASSERT_EQ(again.code, 0) << again;
  EXPECT_EQ(Field(again.out, "name"), notification);
  Result outgoing = Mx({"notification", "list", "outgoing"});
  ASSERT_EQ(outgoing.code, 0) << outgoing;
  // NAME TO EVENT SENT RECEIVED ACKNOWLEDGED, then the three words of the person's names.
  EXPECT_EQ(RowOf(outgoing.out, notification, 0).size(), 9u) << outgoing;

  // It shows in the inbox of GT-TAP, with the case opened there.
  Result inbox;
  ASSERT_TRUE(WaitFor(
      [&] {
        inbox = Gt({"inbox", "post=GT-TAP"});
        std::vector<std::string> row = RowOf(inbox.out, notification, 1);
        return inbox.code == 0 && row.size() > 4 && row[3] == "case_opened";
      },
      absl::Seconds(60)))
      << inbox;
  EXPECT_TRUE(absl::StartsWith(inbox.out, "KIND          NAME")) << inbox;
  std::vector<std::string> row = RowOf(inbox.out, notification, 1);
  EXPECT_EQ(row[0], "notification");
  EXPECT_EQ(row[2], "MX");
  EXPECT_TRUE(absl::StrContains(inbox.out, "immigration_detention, consular contact requested: "
                                           "Juan Tzul Ixcoy, Estación migratoria Siglo XXI"))
      << inbox;
  // The officer's own post is the default; another post's inbox is refused.
  Result own = Gt({"inbox"});
  EXPECT_EQ(own.code, 0) << own;
  EXPECT_FALSE(RowOf(own.out, notification, 1).empty()) << own;
  Result other = Gt({"inbox", "post=GT-LAX"});
  EXPECT_EQ(other.code, 1) << other;
  EXPECT_TRUE(absl::StartsWith(other.err, "error: PERMISSION_DENIED: ")) << other;

  Result got = Gt({"notification", "get", notification});
  ASSERT_EQ(got.code, 0) << got;
  const std::string gt_case = Field(got.out, "case");
  EXPECT_TRUE(absl::StartsWith(gt_case, "countries/GT/cases/")) << got;
  EXPECT_EQ(Field(got.out, "post"), "GT-TAP") << got;
  EXPECT_EQ(Field(got.out, "person.contact.phone"), "") << got;
  Result gt_case_view = Gt({"case", "get", gt_case});
  ASSERT_EQ(gt_case_view.code, 0) << gt_case_view;
  EXPECT_EQ(Field(gt_case_view.out, "subtype"), "immigration_detention") << gt_case_view;

  // Acknowledged at the post: it leaves the inbox (still there with --all), the host sees when.
  Result host_ack = Mx({"notification", "ack", notification});
  EXPECT_EQ(host_ack.code, 1) << host_ack;
  EXPECT_TRUE(absl::StartsWith(host_ack.err, "error: FAILED_PRECONDITION: ")) << host_ack;
  Result acked = Gt({"notification", "ack", notification});
  ASSERT_EQ(acked.code, 0) << acked;
  EXPECT_FALSE(Field(acked.out, "acknowledge_time").empty()) << acked;
  Result after = Gt({"inbox", "post=GT-TAP"});
  ASSERT_EQ(after.code, 0) << after;
  EXPECT_TRUE(RowOf(after.out, notification, 1).empty()) << after;
  Result all = Gt({"inbox", "post=GT-TAP", "--all"});
  ASSERT_EQ(all.code, 0) << all;
  ASSERT_EQ(RowOf(all.out, notification, 1).size() > 3, true) << all;
  EXPECT_EQ(RowOf(all.out, notification, 1)[3], "acknowledged") << all;
  Result host_view;
  ASSERT_TRUE(WaitFor(
      [&] {
        host_view = Mx({"notification", "get", notification});
        return host_view.code == 0 && !Field(host_view.out, "acknowledge_time").empty();
      },
      absl::Seconds(60)))
      << host_view;
  EXPECT_FALSE(Field(host_view.out, "receive_time").empty()) << host_view;

  // Mexico refers one of its cases to the same post for legal aid.
  Result person = Mx({"person", "create", "given_names=Rigoberta Anaís",
                      "family_names=Quetzaltenango Pérez", "sex=female", "birth_date=1991-08-02",
                      "nationality=MX", "doc=passport:G7654321:MX", "language=es",
                      "protection=none", "request_id=person-1"});
  ASSERT_EQ(person.code, 0) << person;
  Result created_case = Mx({"case", "create", "person=" + Field(person.out, "name"),
                            "post=MX-GUA", "host_country=GT", "place=Ciudad de Guatemala",
                            "category=labour", "subtype=unpaid_wages", "legal_basis=consent",
                            "consent=person:services", "consent_withheld=documents",
                            "summary=Salarios no pagados en finca cafetalera",
                            "request_id=case-1"});
  ASSERT_EQ(created_case.code, 0) << created_case;
  const std::string mx_case = Field(created_case.out, "name");
  // A withheld field never leaves: refused before anything is sent.
  Result withheld = Mx({"referral", "create", "case=" + mx_case, "to_post=GT-TAP",
                        "service=legal_aid", "fields=given_names,documents"});
  EXPECT_EQ(withheld.code, 1) << withheld;
  EXPECT_TRUE(absl::StartsWith(withheld.err, "error: INVALID_ARGUMENT: ")) << withheld;
  Result usage = Mx({"referral", "create", "case=" + mx_case, "service=legal_aid"});
  EXPECT_EQ(usage.code, 2) << usage;
  Result referred = Mx({"referral", "create", "case=" + mx_case, "to_post=GT-TAP",
                        "service=legal_aid", "fields=given_names,family_names",
                        "purpose=Asesoría para reclamar salarios no pagados",
                        "request_id=ref-1"});
  ASSERT_EQ(referred.code, 0) << referred;
  const std::string referral = Field(referred.out, "name");
  ASSERT_TRUE(absl::StartsWith(referral, "countries/MX/referrals/")) << referred;
  EXPECT_EQ(Field(referred.out, "state"), "pending") << referred;
  EXPECT_EQ(Field(referred.out, "to_country"), "GT") << referred;

  ASSERT_TRUE(WaitFor(
      [&] {
        inbox = Gt({"inbox", "post=GT-TAP"});
        return inbox.code == 0 && RowOf(inbox.out, referral, 1).size() > 3;
      },
      absl::Seconds(60)))
      << inbox;
  row = RowOf(inbox.out, referral, 1);
  EXPECT_EQ(row[0], "referral");
  EXPECT_EQ(row[2], "MX-GUA");
  EXPECT_EQ(row[3], "pending");
  EXPECT_TRUE(absl::StrContains(inbox.out, "legal_aid: Asesoría para reclamar salarios no "
                                           "pagados; Rigoberta Anaís Quetzaltenango Pérez"))
      << inbox;
  // --json: one object per item, with its kind.
  Result json = Gt({"--json", "inbox", "post=GT-TAP"});
  ASSERT_EQ(json.code, 0) << json;
  EXPECT_TRUE(absl::StrContains(json.out, absl::StrCat("{\"kind\":\"referral\",\"referral\":{"
                                                       "\"name\":\"",
                                                       referral, "\"")))
      << json;
  Result incoming = Gt({"referral", "list", "incoming"});
  ASSERT_EQ(incoming.code, 0) << incoming;
  EXPECT_FALSE(RowOf(incoming.out, referral, 0).empty()) << incoming;

  // Only the receiver moves the state; it accepts from its inbox.
  Result sender_accepts = Mx({"referral", "accept", referral});
  EXPECT_EQ(sender_accepts.code, 1) << sender_accepts;
  EXPECT_TRUE(absl::StartsWith(sender_accepts.err, "error: FAILED_PRECONDITION: "))
      << sender_accepts;
  Result accepted = Gt({"referral", "accept", referral});
  ASSERT_EQ(accepted.code, 0) << accepted;
  EXPECT_EQ(Field(accepted.out, "state"), "accepted") << accepted;
  Result twice = Gt({"referral", "accept", referral});
  EXPECT_EQ(twice.code, 1) << twice;
  EXPECT_TRUE(absl::StrContains(twice.err, "cannot accept a referral that is accepted")) << twice;
  inbox = Gt({"inbox", "post=GT-TAP"});
  ASSERT_FALSE(RowOf(inbox.out, referral, 1).empty()) << inbox;  // accepted work still waits
  EXPECT_EQ(RowOf(inbox.out, referral, 1)[3], "accepted") << inbox;

  // Both sides agree.
  Result mx_view;
  ASSERT_TRUE(WaitFor(
      [&] {
        mx_view = Mx({"referral", "get", referral});
        return mx_view.code == 0 && Field(mx_view.out, "state") == "accepted";
      },
      absl::Seconds(60)))
      << mx_view;
  Result mx_list = Mx({"referral", "list", "outgoing"});
  ASSERT_EQ(mx_list.code, 0) << mx_list;
  std::vector<std::string> mx_row = RowOf(mx_list.out, referral, 0);
  ASSERT_EQ(mx_row.size(), 8u) << mx_list;
  EXPECT_EQ(mx_row[2], "GT-TAP");
  EXPECT_EQ(mx_row[4], "accepted");
  EXPECT_EQ(mx_row[7], mx_case);

  // Mexico hands another case to the same post (mutual assistance); it waits in the inbox
  // until the post accepts it, opening Guatemala's own case.
  Result second = Mx({"case", "create", "person=" + Field(person.out, "name"), "post=MX-GUA",
                      "host_country=GT", "place=Ciudad de Guatemala", "category=labour",
                      "subtype=work_injury", "legal_basis=vital_interest",
                      "summary=Lesión laboral", "request_id=case-2"});
  ASSERT_EQ(second.code, 0) << second;
  const std::string mx_case2 = Field(second.out, "name");
  Result offered = Mx({"transfer", "create", "case=" + mx_case2, "to_post=GT-TAP",
                       "reason=Asistencia mutua: sin consulado en la ciudad", "request_id=tr-1"});
  ASSERT_EQ(offered.code, 0) << offered;
  const std::string transfer = Field(offered.out, "name");
  ASSERT_TRUE(absl::StartsWith(transfer, "countries/MX/transfers/")) << offered;
  EXPECT_EQ(Field(offered.out, "state"), "pending") << offered;
  ASSERT_TRUE(WaitFor(
      [&] {
        inbox = Gt({"inbox", "post=GT-TAP"});
        return inbox.code == 0 && RowOf(inbox.out, transfer, 1).size() > 3;
      },
      absl::Seconds(60)))
      << inbox;
  row = RowOf(inbox.out, transfer, 1);
  EXPECT_EQ(row[0], "transfer");
  EXPECT_EQ(row[2], "MX-GUA");
  EXPECT_EQ(row[3], "pending");
  EXPECT_TRUE(absl::StrContains(inbox.out, "case labour/work_injury of Rigoberta Anaís "
                                           "Quetzaltenango Pérez, Ciudad de Guatemala; reason: "
                                           "Asistencia mutua"))
      << inbox;
  Result taken = Gt({"transfer", "accept", transfer});
  ASSERT_EQ(taken.code, 0) << taken;
  EXPECT_EQ(Field(taken.out, "state"), "accepted") << taken;
  EXPECT_TRUE(absl::StartsWith(Field(taken.out, "new_case"), "countries/GT/cases/")) << taken;
  inbox = Gt({"inbox", "post=GT-TAP"});
  EXPECT_TRUE(RowOf(inbox.out, transfer, 1).empty()) << inbox;
  Result origin;
  ASSERT_TRUE(WaitFor(
      [&] {
        origin = Mx({"transfer", "get", transfer});
        return origin.code == 0 && Field(origin.out, "state") == "accepted";
      },
      absl::Seconds(60)))
      << origin;
  Result transfers_out = Mx({"transfer", "list", "outgoing"});
  ASSERT_EQ(transfers_out.code, 0) << transfers_out;
  EXPECT_FALSE(RowOf(transfers_out.out, transfer, 0).empty()) << transfers_out;
}

}  // namespace
}  // namespace enlace::testing
