// enlace-sample-load: loads realistic synthetic persons, cases, actions and directory
// organisations into one node through its public API (mTLS), idempotently; or, with
// --check_directory, reports how many directory entries of each member the node holds.
// See tools/sampleload/README.md.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/geo/geo.h"
#include "common/sampledata/sample_data.h"
#include "common/status/errors.h"
#include "common/status/grpc_status.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "enlace/directory/v1/directory.grpc.pb.h"
#include "enlace/federation/v1/admin.grpc.pb.h"
#include "enlace/stats/v1/stats.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "tools/sampleload/history.h"
#include "services/node/config.h"
#include "tools/sampleload/organisations.h"
#include "tools/sampleload/plan.h"

ABSL_FLAG(std::string, server, "localhost:7443", "Node API address, host:port.");
ABSL_FLAG(std::string, ca, "", "PEM of the CA that signed the node's certificate.");
ABSL_FLAG(std::string, cert, "", "Client certificate (PEM).");
ABSL_FLAG(std::string, key, "", "Client private key (PEM).");
ABSL_FLAG(std::string, tls_dir, "",
          "Instead of --ca/--cert/--key: DIR/ca.pem, DIR/<identity>.pem and DIR/<identity>.key "
          "(as enlace-devpki writes them).");
ABSL_FLAG(std::string, identity, "admin", "File stem of the client certificate in --tls_dir.");
ABSL_FLAG(std::string, server_name, "",
          "TLS name to verify in the node's certificate instead of the host of --server.");
ABSL_FLAG(std::string, country, "",
          "The node's country (ISO 3166-1 alpha-2); default: the country of --config.");
ABSL_FLAG(std::string, config, "",
          "The node's config (text-format NodeConfig): its posts shape the sample cases.");
ABSL_FLAG(int, persons, 100, "Persons to load.");
ABSL_FLAG(double, cases_per_person, 1.5, "Average cases per person (at least one when >= 1).");
ABSL_FLAG(double, actions_per_case, 2.0, "Average actions per case (Poisson; some get none).");
ABSL_FLAG(int, organisations, 10, "Directory organisations of the node's country to load.");
ABSL_FLAG(uint64_t, seed, 1,
          "Seed of the sample data; a rerun with the same seed changes nothing (request ids are "
          "derived from it).");
ABSL_FLAG(std::string, as_of, "",
          "YYYY-MM-DD (UTC) the sample times are measured back from; default today. Pass the "
          "day of the first load to rerun it idempotently on a later day.");
ABSL_FLAG(int, parallel, 8, "Concurrent callers.");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(10), "Deadline of every call.");
ABSL_FLAG(absl::Duration, retry_for, absl::Seconds(30),
          "How long a call is retried while the node answers UNAVAILABLE, RESOURCE_EXHAUSTED "
          "(rate limit) or DEADLINE_EXCEEDED.");
ABSL_FLAG(int, history_months, 0,
          "Also import this many months of sample statistics from before the node, ending "
          "with the month before --as_of (enlace.stats.v1.ImportHistory; replaces earlier "
          "imports of those months). 0: none.");
ABSL_FLAG(bool, check_directory, false,
          "Load nothing: list the directory and print its entries per owning member, and the "
          "node's federation links.");
ABSL_FLAG(std::string, expect, "",
          "With --check_directory: CC=N,... minimum entries per member; exit 1 unless reached "
          "within --wait.");
ABSL_FLAG(absl::Duration, wait, absl::ZeroDuration(),
          "With --expect: how long to keep polling for the expected entries.");

namespace enlace::sampleload {
namespace {

namespace cv1 = ::enlace::cases::v1;
namespace dv1 = ::enlace::directory::v1;
namespace fv1 = ::enlace::federation::v1;

constexpr char kProgram[] = "enlace-sample-load";

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// One line per problem, with the field violations the message does not already name.
std::string Describe(const absl::Status& status) {
  std::string out = absl::StrCat(absl::StatusCodeToString(status.code()), ": ", status.message());
  for (const FieldViolation& v : GetFieldViolations(status)) {
    const std::string line = absl::StrCat(v.field, ": ", v.description);
    if (!absl::StrContains(status.message(), line)) absl::StrAppend(&out, "\n  ", line);
  }
  return out;
}

absl::StatusOr<std::shared_ptr<grpc::Channel>> Connect() {
  std::string ca = absl::GetFlag(FLAGS_ca);
  std::string cert = absl::GetFlag(FLAGS_cert);
  std::string key = absl::GetFlag(FLAGS_key);
  const std::string dir = absl::GetFlag(FLAGS_tls_dir);
  if (!dir.empty()) {
    const std::string identity = absl::GetFlag(FLAGS_identity);
    if (identity.empty() || absl::StrContains(identity, '/')) {
      return absl::InvalidArgumentError("--identity must be a file stem such as \"admin\"");
    }
    if (ca.empty()) ca = absl::StrCat(dir, "/ca.pem");
    if (cert.empty()) cert = absl::StrCat(dir, "/", identity, ".pem");
    if (key.empty()) key = absl::StrCat(dir, "/", identity, ".key");
  }
  if (ca.empty() || cert.empty() || key.empty()) {
    return absl::InvalidArgumentError("give --ca, --cert and --key, or --tls_dir");
  }
  grpc::SslCredentialsOptions ssl;
  for (auto [path, out] :
       {std::pair{&ca, &ssl.pem_root_certs}, std::pair{&cert, &ssl.pem_cert_chain},
        std::pair{&key, &ssl.pem_private_key}}) {
    absl::StatusOr<std::string> pem = ReadFile(*path);
    if (!pem.ok()) return pem.status();
    *out = *std::move(pem);
  }
  grpc::ChannelArguments args;
  if (!absl::GetFlag(FLAGS_server_name).empty()) {
    args.SetSslTargetNameOverride(absl::GetFlag(FLAGS_server_name));
  }
  return grpc::CreateCustomChannel(absl::GetFlag(FLAGS_server), grpc::SslCredentials(ssl), args);
}

// Runs `call` with a fresh deadline; retries, for up to --retry_for, what a restarting, busy
// or rate-limiting node answers. Safe for creates because every create carries a request id.
absl::Status Call(const std::function<grpc::Status(grpc::ClientContext*)>& call) {
  const absl::Duration timeout = absl::GetFlag(FLAGS_timeout);
  const absl::Time give_up = absl::Now() + absl::GetFlag(FLAGS_retry_for);
  absl::Duration backoff = absl::Milliseconds(50);
  while (true) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(timeout));
    grpc::Status s = call(&context);
    if (s.ok()) return absl::OkStatus();
    const bool transient = s.error_code() == grpc::StatusCode::UNAVAILABLE ||
                           s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED ||
                           s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
    if (!transient || absl::Now() + backoff > give_up) return FromGrpcStatus(s);
    // Jitter spreads the callers that a rate limit refused together.
    thread_local std::mt19937 rng(std::random_device{}());
    absl::SleepFor(backoff * std::uniform_real_distribution<double>(0.5, 1.5)(rng));
    backoff = std::min(backoff * 2, absl::Seconds(2));
  }
}

absl::Time FromProto(const google::protobuf::Timestamp& t) {
  return absl::FromUnixSeconds(t.seconds()) + absl::Nanoseconds(t.nanos());
}

struct Options {
  enlace::node::v1::NodeConfig config;
  std::string parent;  // countries/{cc}
  int persons = 0;
  double cases_per_person = 0;
  double actions_per_case = 0;
  int organisations = 0;
  uint64_t seed = 0;
  absl::Time as_of;
  int parallel = 1;
};

// Shared by the callers; the first failure stops everyone.
class Loader {
 public:
  Loader(Options options, std::shared_ptr<grpc::Channel> channel)
      : options_(std::move(options)),
        person_stub_(cv1::PersonService::NewStub(channel)),
        case_stub_(cv1::CaseService::NewStub(channel)),
        directory_stub_(dv1::DirectoryService::NewStub(channel)),
        plan_seed_(CountrySeed(options_.seed, options_.config.country())),
        started_(absl::Now()) {}

  absl::Status Run() {
    // Organisations first and in order, so their names sort like the catalogue; they are few.
    const std::vector<dv1::Organisation> orgs =
        SampleOrganisations(options_.config.country(), options_.organisations);
    for (int i = 0; i < static_cast<int>(orgs.size()); ++i) {
      dv1::CreateOrganisationRequest req;
      req.set_parent(options_.parent);
      *req.mutable_organisation() = orgs[i];
      req.set_request_id(OrganisationRequestId(i));
      dv1::Organisation out;
      absl::Status s = Count(Call([&](grpc::ClientContext* c) {
        return directory_stub_->CreateOrganisation(c, req, &out);
      }));
      if (!s.ok()) return Context(s, "CreateOrganisation", req.request_id());
      Tally(out.create_time(), organisations_, organisations_existing_);
    }

    std::vector<std::thread> callers;
    for (int t = 0; t < options_.parallel; ++t) {
      callers.emplace_back([this] {
        while (true) {
          const int i = next_person_.fetch_add(1);
          if (i >= options_.persons || failed_.load()) return;
          absl::Status s = LoadPerson(i);
          if (!s.ok()) {
            absl::MutexLock l(&mu_);
            if (error_.ok()) error_ = s;
            failed_ = true;
          }
        }
      });
    }
    for (std::thread& t : callers) t.join();
    absl::MutexLock l(&mu_);
    return error_;
  }

  std::string Summary() const {
    const absl::Duration elapsed = absl::Now() - started_;
    const double seconds = std::max(absl::ToDoubleSeconds(elapsed), 1e-3);
    const int64_t present =
        persons_existing_ + cases_existing_ + actions_existing_ + organisations_existing_;
    const int64_t total = persons_ + cases_ + actions_ + organisations_;
    std::string fresh = total == 0     ? "nothing loaded"
                        : present == 0 ? "all new"
                        : present == total
                            ? "all already present"
                            : absl::StrCat(total - present, " new, ", present, " already present");
    return absl::StrFormat(
        "%s at %s: %d persons, %d cases, %d actions, %d organisations (%s) in %.1f s "
        "(%d callers, %d calls, %.0f calls/s)",
        options_.config.country(), absl::GetFlag(FLAGS_server), persons_.load(), cases_.load(),
        actions_.load(), organisations_.load(), fresh, seconds, options_.parallel, calls_.load(),
        static_cast<double>(calls_.load()) / seconds);
  }

 private:
  absl::Status LoadPerson(int i) {
    const uint64_t seed = options_.seed;
    // One generator per person: the person's records do not depend on which caller got it.
    sampledata::SampleData gen(options_.config, PersonSeed(plan_seed_, i), options_.as_of);
    cv1::CreatePersonRequest preq;
    preq.set_parent(options_.parent);
    *preq.mutable_person() = gen.NextPerson();
    preq.set_request_id(PersonRequestId(seed, i));
    cv1::Person person;
    absl::Status s = Count(
        Call([&](grpc::ClientContext* c) { return person_stub_->CreatePerson(c, preq, &person); }));
    if (!s.ok()) return Context(s, "CreatePerson", preq.request_id());
    Tally(person.create_time(), persons_, persons_existing_);

    const int cases = CasesOf(plan_seed_, i, options_.cases_per_person);
    for (int j = 0; j < cases; ++j) {
      cv1::CreateCaseRequest creq;
      creq.set_parent(options_.parent);
      *creq.mutable_case_() = gen.NextCase(person.name(), person);
      creq.set_request_id(CaseRequestId(seed, i, j));
      cv1::Case created;
      s = Count(
          Call([&](grpc::ClientContext* c) { return case_stub_->CreateCase(c, creq, &created); }));
      if (!s.ok()) return Context(s, "CreateCase", creq.request_id());
      Tally(created.create_time(), cases_, cases_existing_);

      const int actions = ActionsOf(plan_seed_, i, j, options_.actions_per_case);
      for (int k = 0; k < actions; ++k) {
        cv1::AddActionRequest areq;
        areq.set_parent(created.name());
        // The stored case (with its create_time): the action happens after the case opened,
        // and a rerun gets the same stored case, hence the same action.
        *areq.mutable_action() = gen.NextAction(created);
        areq.set_request_id(ActionRequestId(seed, i, j, k));
        cv1::Action action;
        s = Count(
            Call([&](grpc::ClientContext* c) { return case_stub_->AddAction(c, areq, &action); }));
        if (!s.ok()) return Context(s, "AddAction", areq.request_id());
        Tally(action.create_time(), actions_, actions_existing_);
      }
    }
    return absl::OkStatus();
  }

  absl::Status Count(absl::Status s) {
    calls_.fetch_add(1);
    return s;
  }

  // A record created before this run started was already there (an idempotent replay).
  void Tally(const google::protobuf::Timestamp& created, std::atomic<int64_t>& count,
             std::atomic<int64_t>& existing) {
    count.fetch_add(1);
    if (FromProto(created) < started_ - absl::Seconds(1)) existing.fetch_add(1);
  }

  absl::Status Context(const absl::Status& s, absl::string_view rpc,
                       absl::string_view request_id) const {
    std::string message = absl::StrCat(rpc, " (request_id ", request_id, "): ", Describe(s));
    if (s.code() == absl::StatusCode::kInvalidArgument &&
        absl::StrContains(s.message(), "request_id")) {
      absl::StrAppend(&message,
                      "\nhint: the sample data of this seed differs from the first load's "
                      "(another --config, --as_of or program version); load with another "
                      "--seed, or start from an empty node");
    }
    return absl::Status(s.code(), message);
  }

  const Options options_;
  std::unique_ptr<cv1::PersonService::Stub> person_stub_;
  std::unique_ptr<cv1::CaseService::Stub> case_stub_;
  std::unique_ptr<dv1::DirectoryService::Stub> directory_stub_;
  const uint64_t plan_seed_;
  const absl::Time started_;

  std::atomic<int> next_person_{0};
  std::atomic<bool> failed_{false};
  std::atomic<int64_t> persons_{0}, cases_{0}, actions_{0}, organisations_{0};
  std::atomic<int64_t> persons_existing_{0}, cases_existing_{0}, actions_existing_{0},
      organisations_existing_{0};
  std::atomic<int64_t> calls_{0};
  absl::Mutex mu_;
  absl::Status error_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<Options> ParseLoadOptions() {
  Options o;
  const std::string config_path = absl::GetFlag(FLAGS_config);
  if (config_path.empty()) {
    return absl::InvalidArgumentError("--config (the node's config, for its posts) is required");
  }
  absl::StatusOr<enlace::node::v1::NodeConfig> config = node::LoadNodeConfig(config_path);
  if (!config.ok()) return config.status();
  o.config = *std::move(config);
  const std::string country = absl::AsciiStrToUpper(absl::GetFlag(FLAGS_country));
  if (!country.empty() && country != o.config.country()) {
    return absl::InvalidArgumentError(absl::StrCat("--country=", country, " but ", config_path,
                                                   " is the config of ", o.config.country()));
  }
  if (o.config.posts_size() == 0) {
    return absl::InvalidArgumentError(absl::StrCat(config_path, " has no consular posts"));
  }
  o.parent = absl::StrCat("countries/", o.config.country());
  o.persons = absl::GetFlag(FLAGS_persons);
  o.cases_per_person = absl::GetFlag(FLAGS_cases_per_person);
  o.actions_per_case = absl::GetFlag(FLAGS_actions_per_case);
  o.organisations = absl::GetFlag(FLAGS_organisations);
  o.seed = absl::GetFlag(FLAGS_seed);
  o.parallel = absl::GetFlag(FLAGS_parallel);
  if (o.persons < 0 || o.persons > 10'000'000) {
    return absl::InvalidArgumentError("--persons must be 0-10000000");
  }
  // The caps keep request ids within 64 characters and counts sensible.
  if (!(o.cases_per_person >= 0 && o.cases_per_person <= 50)) {
    return absl::InvalidArgumentError("--cases_per_person must be 0-50");
  }
  if (!(o.actions_per_case >= 0 && o.actions_per_case <= 50)) {
    return absl::InvalidArgumentError("--actions_per_case must be 0-50");
  }
  if (o.organisations < 0 || o.organisations > 1000) {
    return absl::InvalidArgumentError("--organisations must be 0-1000");
  }
  if (o.parallel < 1 || o.parallel > 256) {
    return absl::InvalidArgumentError("--parallel must be 1-256");
  }
  const absl::CivilDay today = absl::ToCivilDay(absl::Now(), absl::UTCTimeZone());
  absl::CivilDay day = today;
  const std::string as_of = absl::GetFlag(FLAGS_as_of);
  if (!as_of.empty() && !absl::ParseCivilTime(as_of, &day)) {
    return absl::InvalidArgumentError(absl::StrCat("--as_of=", as_of, ": expected YYYY-MM-DD"));
  }
  // Later than today would date records in the future, which the node refuses.
  if (day > today) {
    return absl::InvalidArgumentError(absl::StrCat("--as_of=", as_of, " is after today (UTC)"));
  }
  o.as_of = absl::FromCivil(day, absl::UTCTimeZone());
  return o;
}

int Load() {
  absl::StatusOr<Options> options = ParseLoadOptions();
  if (!options.ok()) {
    std::cerr << kProgram << ": " << options.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = Connect();
  if (!channel.ok()) {
    std::cerr << kProgram << ": " << channel.status().message() << "\n";
    return 2;
  }
  const enlace::node::v1::NodeConfig config = options->config;
  const absl::Time as_of = options->as_of;
  const uint64_t seed = options->seed;
  Loader loader(*std::move(options), *channel);
  absl::Status s = loader.Run();
  if (!s.ok()) {
    std::cerr << kProgram << ": " << s.message() << "\n"
              << kProgram << ": stopped after: " << loader.Summary() << "\n";
    return 1;
  }
  std::cout << kProgram << ": " << loader.Summary() << "\n";
  const int history = absl::GetFlag(FLAGS_history_months);
  if (history < 0 || history > 240) {
    std::cerr << kProgram << ": --history_months must be 0-240\n";
    return 2;
  }
  if (history > 0) {
    // Months before the one the sample cases are in (those are the node's own).
    const absl::CivilMonth last =
        absl::CivilMonth(absl::ToCivilDay(as_of, absl::UTCTimeZone())) - 1;
    auto stats = enlace::stats::v1::StatsService::NewStub(*channel);
    int64_t total = 0;
    for (const auto& req : HistoryPlan(config, last, history, seed)) {
      enlace::stats::v1::ImportHistoryResponse done;
      absl::Status imported = Call([&](grpc::ClientContext* ctx) {
        return stats->ImportHistory(ctx, req, &done);
      });
      if (!imported.ok()) {
        std::cerr << kProgram << ": history " << req.measure() << " " << req.month() << ": "
                  << Describe(imported) << "\n";
        return 1;
      }
      if (req.measure() == "cases_opened") total += done.total();
    }
    std::cout << kProgram << ": statistics history: " << history << " months, " << total
              << " cases opened\n";
  }
  return 0;
}

// --- --check_directory ---------------------------------------------------------------------

absl::StatusOr<std::map<std::string, int>> ParseExpect(const std::string& text) {
  std::map<std::string, int> out;
  for (absl::string_view entry : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(absl::StripAsciiWhitespace(entry), absl::MaxSplits('=', 1));
    const std::string cc = absl::AsciiStrToUpper(kv.first);
    int n = 0;
    if (!geo::IsCountryCode(cc) || !absl::SimpleAtoi(kv.second, &n) || n < 0) {
      return absl::InvalidArgumentError(absl::StrCat("--expect: \"", entry, "\" is not CC=N"));
    }
    out[cc] = n;
  }
  return out;
}

// Entries per owning member ("countries/XX/organisations/..." -> XX).
absl::StatusOr<std::map<std::string, int>> CountDirectory(dv1::DirectoryService::Stub& stub) {
  std::map<std::string, int> counts;
  dv1::ListOrganisationsRequest req;
  req.set_page_size(1000);
  while (true) {
    dv1::ListOrganisationsResponse resp;
    absl::Status s =
        Call([&](grpc::ClientContext* c) { return stub.ListOrganisations(c, req, &resp); });
    if (!s.ok()) return s;
    for (const dv1::Organisation& o : resp.organisations()) {
      std::vector<absl::string_view> parts = absl::StrSplit(o.name(), '/');
      ++counts[parts.size() > 1 ? std::string(parts[1]) : "?"];
    }
    if (resp.next_page_token().empty()) return counts;
    req.set_page_token(resp.next_page_token());
  }
}

std::string FormatCounts(const std::map<std::string, int>& counts) {
  int total = 0;
  std::vector<std::string> parts;
  for (const auto& [cc, n] : counts) {
    parts.push_back(absl::StrCat(cc, " ", n));
    total += n;
  }
  if (parts.empty()) return "no entries";
  return absl::StrCat(absl::StrJoin(parts, ", "), " (", total, " entries)");
}

// The node's view of its links; for explaining entries that did not arrive.
void PrintFederationStatus(fv1::FederationAdminService::Stub& stub) {
  fv1::GetFederationStatusRequest req;
  fv1::FederationStatus status;
  absl::Status s =
      Call([&](grpc::ClientContext* c) { return stub.GetFederationStatus(c, req, &status); });
  if (!s.ok()) {
    std::cout << "  federation status: " << Describe(s) << "\n";
    return;
  }
  std::cout << "  federation: " << status.country() << ", manifest version "
            << status.manifest_version() << ", " << status.peers_size() << " peers\n";
  for (const fv1::PeerStatus& p : status.peers()) {
    std::cout << absl::StrFormat(
        "    %s %s %s: outgoing queued %d sent %d acked %d (outbox %d); incoming applied %d, "
        "quarantined %d%s\n",
        p.country(), p.endpoint(), p.connected() ? "connected" : "NOT connected",
        p.last_seq_queued(), p.last_seq_sent(), p.last_seq_acked(), p.outbox_depth(),
        p.inbound_applied_seq(), p.quarantined(),
        p.last_error().empty() ? "" : absl::StrCat("; last error: ", p.last_error()));
  }
}

int CheckDirectory() {
  absl::StatusOr<std::map<std::string, int>> expect = ParseExpect(absl::GetFlag(FLAGS_expect));
  if (!expect.ok()) {
    std::cerr << kProgram << ": " << expect.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = Connect();
  if (!channel.ok()) {
    std::cerr << kProgram << ": " << channel.status().message() << "\n";
    return 2;
  }
  auto directory = dv1::DirectoryService::NewStub(*channel);
  auto admin = fv1::FederationAdminService::NewStub(*channel);
  const absl::Time deadline = absl::Now() + absl::GetFlag(FLAGS_wait);
  const absl::Time started = absl::Now();
  while (true) {
    absl::StatusOr<std::map<std::string, int>> counts = CountDirectory(*directory);
    if (!counts.ok()) {
      std::cerr << kProgram << ": ListOrganisations: " << Describe(counts.status()) << "\n";
      return 1;
    }
    std::vector<std::string> missing;
    for (const auto& [cc, n] : *expect) {
      const int have = counts->count(cc) ? counts->at(cc) : 0;
      if (have < n) missing.push_back(absl::StrCat(cc, " has ", have, " of ", n));
    }
    if (missing.empty() || absl::Now() >= deadline) {
      std::cout << "directory at " << absl::GetFlag(FLAGS_server) << ": " << FormatCounts(*counts);
      if (!expect->empty() && missing.empty()) {
        std::cout << absl::StrFormat(" - as expected, after %.1f s",
                                     absl::ToDoubleSeconds(absl::Now() - started));
      }
      std::cout << "\n";
      if (!missing.empty()) {
        std::cout << "  MISSING: " << absl::StrJoin(missing, ", ") << "\n";
      }
      PrintFederationStatus(*admin);
      return missing.empty() ? 0 : 1;
    }
    absl::SleepFor(absl::Milliseconds(500));
  }
}

}  // namespace
}  // namespace enlace::sampleload

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "Loads sample persons, cases, actions and directory organisations into an Enlace node "
      "over mTLS, idempotently (request ids derived from --seed).\n"
      "  enlace-sample-load --server=localhost:7443 --tls_dir=run/pki/MX "
      "--config=deploy/config/mx.textproto --persons=300\n"
      "  enlace-sample-load --server=localhost:7443 --tls_dir=run/pki/MX --check_directory "
      "[--expect=MX=10,GT=10 --wait=60s]");
  // --help lists only this program's flags, not every library's.
  absl::FlagsUsageConfig usage;
  usage.contains_help_flags = [](absl::string_view file) {
    return absl::StrContains(file, "tools/sampleload/");
  };
  absl::SetFlagsUsageConfig(usage);
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() > 1) {
    std::cerr << enlace::sampleload::kProgram << ": unexpected argument " << rest[1] << "\n";
    return 2;
  }
  if (absl::GetFlag(FLAGS_check_directory)) return enlace::sampleload::CheckDirectory();
  return enlace::sampleload::Load();
}
