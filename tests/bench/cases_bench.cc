// The cases benchmark (issue #2; results and method in BENCHMARKS.md).
//
// In ONE run, on the same machine, it measures:
//   1. ceiling "echo": a bare unary gRPC echo over the node's mTLS setup (same PKI, same
//      credentials, same callback server API, same client code), at 1/16/64 callers;
//   2. ceiling "rocksdb": bare synced WriteBatches shaped like a CreateCase, through
//      common/storage's Store opened with the registry's column families, from 8 threads;
//   3. the node: CreateCase then AddAction over mTLS on an in-process node, at 1/16/64
//      callers, each call one synced commit;
//   4. 1,000,000 cases: bulk-loaded in-process (sync=false: not the measured path), then the
//      real enlace-node binary as a child process on that data: start-up time, filtered
//      ListCases pages of 100, resident memory.
// Prints every figure as Markdown tables and exits 0: nothing here asserts on a timing.
//
//   bazel run -c opt //tests/bench:cases_bench -- --step_seconds=10
//   (or: bash tests/bench/run.sh [--quick])
#include <signal.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/crypto/key_vault.h"
#include "common/identity/caller.h"
#include "common/ids/ids.h"
#include "common/txn/committer.h"
#include "common/sampledata/sample_data.h"
#include "common/storage/store.h"
#include "enlace/bench/v1/echo.grpc.pb.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "services/cases/registry.h"
#include "services/node/config.h"
#include "services/node/modules.h"
#include "services/node/node.h"
#include "tests/testing/test_env.h"

ABSL_FLAG(double, step_seconds, 10, "Measured seconds of each throughput step.");
ABSL_FLAG(double, warmup_seconds, 2, "Unmeasured seconds before each throughput step.");
ABSL_FLAG(std::string, callers, "1,16,64",
          "Concurrent callers (closed loop) of the echo and node steps.");
ABSL_FLAG(std::string, rocksdb_threads, "1,8,64",
          "Writer threads of the RocksDB ceiling; the issue's ceiling is the 8-thread figure.");
ABSL_FLAG(double, quiet_wait_seconds, 30,
          "Before each step, wait up to this long for other tenants to go quiet.");
ABSL_FLAG(double, quiet_cores, 0.25, "Quiet: other processes use fewer cores than this.");
ABSL_FLAG(int, rounds, 3,
          "Rounds of the throughput steps (interleaved); the report keeps each row's median.");
ABSL_FLAG(int, ceiling_threads, 8, "Which rocksdb_threads figure is the storage ceiling.");
ABSL_FLAG(int, max_channels, 64,
          "Callers share min(callers, max_channels) channels, each its own TCP connection.");
ABSL_FLAG(int, persons, 512, "Persons pre-created for the node step.");
ABSL_FLAG(int64_t, million, 1000000,
          "Cases bulk-loaded for the start-up / ListCases / memory part (0 skips it).");
ABSL_FLAG(double, cases_per_person, 3, "Bulk load: cases per person.");
ABSL_FLAG(double, closed_fraction, 0.5, "Bulk load: share of cases closed through CloseCase.");
ABSL_FLAG(double, actions_per_case, 1, "Bulk load: mean actions per case (AddAction).");
ABSL_FLAG(int, load_threads, 2, "Bulk load: loader threads of cases (CPU-bound).");
ABSL_FLAG(int, load_person_threads, 32,
          "Bulk load: loader threads of persons (each waits on a synced write of its data key "
          "to the key vault; many threads share each sync).");
ABSL_FLAG(std::string, data_cache, "",
          "Directory keeping the bulk-loaded store between runs (reused when it holds the same "
          "load); empty = a fresh directory under --work_dir, deleted at the end.");
ABSL_FLAG(int, list_calls, 200, "Measured ListCases calls per filter (and per repeat).");
ABSL_FLAG(double, crash_write_seconds, 5,
          "1M part: seconds of writes (16 officers) before the node is SIGKILLed and restarted "
          "(0 skips the crash start-up).");
ABSL_FLAG(bool, read_audit, true,
          "1M part: the node audits reads, as configured by default; false measures what the "
          "synced audit record of each ListCases costs.");
ABSL_FLAG(int, million_repeats, 3,
          "Repeats of the start-ups and of the ListCases passes; the least disturbed is kept.");
ABSL_FLAG(std::string, work_dir, "", "Scratch directory (default: a new one under /tmp).");
ABSL_FLAG(std::string, node_config, "deploy/config/mx.textproto",
          "Runfiles path of the NodeConfig whose country and posts the benchmark uses.");
ABSL_FLAG(uint64_t, seed, 2024, "Seed of the sample data generator.");
ABSL_FLAG(bool, absl_deadlock_detection, false,
          "Abseil's mutex deadlock detection, for the echo and the in-process node alike. Off "
          "by default, as in the release enlace-node binary (--mutex_deadlock_detection); true "
          "measures what it costs.");
ABSL_FLAG(std::string, without_modules, "",
          "Node step: start the node without these modules (comma-separated names, e.g. "
          "children,workers,stats), to measure what they cost CreateCase and GetCase.");
ABSL_FLAG(std::string, parts, "node,echo,rocksdb,million",
          "Which parts to run (e.g. only `node` while profiling).");

namespace enlace::bench {
namespace {

namespace cv1 = ::enlace::cases::v1;
namespace ev1 = ::enlace::bench::v1;
using node::v1::NodeConfig;

// Identities of the benchmark's callers (URI SANs of their client certificates).
std::string TrustDomain(const std::string& country) {
  return absl::StrCat("spiffe://", absl::AsciiStrToLower(country), ".enlace.example");
}
std::string OfficerIdentity(const std::string& country, const std::string& post, int n) {
  return absl::StrCat(TrustDomain(country), "/role/officer/post/", post, "/user/bench", n);
}
std::string SupervisorIdentity(const std::string& country) {
  return absl::StrCat(TrustDomain(country), "/role/supervisor/user/bench");
}
// Generous: a deadline on every call, never hit in a healthy run.
constexpr auto kCallDeadline = std::chrono::seconds(30);

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::chrono::system_clock::time_point Deadline() {
  return std::chrono::system_clock::now() + kCallDeadline;
}

std::vector<int> ParseIntList(const std::string& s) {
  std::vector<int> out;
  for (absl::string_view part : absl::StrSplit(s, ',', absl::SkipWhitespace())) {
    int v = 0;
    if (absl::SimpleAtoi(part, &v) && v > 0) out.push_back(v);
  }
  return out;
}

// ---- statistics ----

struct Latency {
  size_t count = 0;
  double p50_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
  double mean_ms = 0;
};

Latency Summarize(std::vector<int64_t> nanos) {
  Latency l;
  l.count = nanos.size();
  if (nanos.empty()) return l;
  std::sort(nanos.begin(), nanos.end());
  auto at = [&](double q) {
    size_t i = static_cast<size_t>(q * static_cast<double>(nanos.size() - 1) + 0.5);
    return nanos[std::min(i, nanos.size() - 1)] / 1e6;
  };
  l.p50_ms = at(0.50);
  l.p99_ms = at(0.99);
  l.max_ms = nanos.back() / 1e6;
  double sum = 0;
  for (int64_t n : nanos) sum += static_cast<double>(n);
  l.mean_ms = sum / static_cast<double>(nanos.size()) / 1e6;
  return l;
}

std::string Ms(double ms) {
  if (ms >= 100) return absl::StrFormat("%.0f", ms);
  if (ms >= 10) return absl::StrFormat("%.1f", ms);
  return absl::StrFormat("%.2f", ms);
}

// CPU used by this process and by the whole machine over a step, in cores.
// CPU time of a child process (the node), from /proc/<pid>/stat.
int64_t ChildCpuNanos(pid_t pid) {
  if (pid <= 0) return 0;
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  std::vector<std::string> f = absl::StrSplit(stat.substr(paren + 2), ' ');
  int64_t utime = 0, stime = 0;
  // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
  if (f.size() < 13 || !absl::SimpleAtoi(f[11], &utime) || !absl::SimpleAtoi(f[12], &stime)) {
    return 0;
  }
  return (utime + stime) * (1000000000LL / sysconf(_SC_CLK_TCK));
}

class CpuMeter {
 public:
  // `child`: also count this process (the node) as ours.
  explicit CpuMeter(pid_t child = -1) : child_(child) { Start(); }
  void Start() {
    wall_ = NowNanos();
    proc_ = ProcCpuNanos() + ChildCpuNanos(child_);
    ReadMachine(&busy_, &total_);
  }
  // {our cores (this process and the child), machine busy cores}.
  std::pair<double, double> Stop() const {
    const double wall = static_cast<double>(NowNanos() - wall_);
    const double proc =
        static_cast<double>(ProcCpuNanos() + ChildCpuNanos(child_) - proc_) / wall;
    uint64_t busy = 0, total = 0;
    ReadMachine(&busy, &total);
    const double ncpu = std::thread::hardware_concurrency();
    const double machine =
        total > total_ ? ncpu * static_cast<double>(busy - busy_) / (total - total_) : 0;
    return {proc, machine};
  }

 private:
  static int64_t ProcCpuNanos() {
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    auto ns = [](const timeval& tv) { return tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL; };
    return ns(ru.ru_utime) + ns(ru.ru_stime);
  }
  static void ReadMachine(uint64_t* busy, uint64_t* total) {
    std::ifstream in("/proc/stat");
    std::string cpu;
    uint64_t v[10] = {};
    in >> cpu;
    for (auto& x : v) in >> x;
    *total = 0;
    for (int i = 0; i < 8; ++i) *total += v[i];  // guest time is already in user
    *busy = *total - v[3] - v[4];                 // minus idle and iowait
  }
  pid_t child_ = -1;
  int64_t wall_ = 0;
  int64_t proc_ = 0;
  uint64_t busy_ = 0;
  uint64_t total_ = 0;
};

// Other tenants of this machine (builds, other benchmarks) skew every figure: before a step,
// wait (up to --quiet_wait_seconds) until they use less than --quiet_cores. Returns the
// cores they used in the last second.
double WaitForQuiet() {
  const absl::Time give_up = absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_quiet_wait_seconds));
  double others = 0;
  do {
    CpuMeter cpu;
    absl::SleepFor(absl::Milliseconds(500));
    auto [ours, machine] = cpu.Stop();
    others = std::max(0.0, machine - ours);
    if (others < absl::GetFlag(FLAGS_quiet_cores)) return others;
  } while (absl::Now() < give_up);
  std::cerr << absl::StrFormat("machine still busy (%.2f cores used by others): going on\n",
                               others);
  return others;
}

// ---- closed-loop steps ----

// When a step measures: calls that complete in [t0, t1) count; callers stop issuing at t1.
class StepControl {
 public:
  StepControl(int callers, absl::Duration warmup, absl::Duration duration)
      : t0_(NowNanos() + absl::ToInt64Nanoseconds(warmup)),
        t1_(t0_ + absl::ToInt64Nanoseconds(duration)),
        active_(callers) {}
  bool InWindow(int64_t t) const { return t >= t0_ && t < t1_; }
  bool Over(int64_t t) const { return t >= t1_; }
  double seconds() const { return (t1_ - t0_) / 1e9; }
  void CallerDone() {
    absl::MutexLock l(&mu_);
    --active_;
  }
  // Waits for every caller to stop; false if some are still stuck at `timeout`.
  bool Wait(absl::Duration timeout) {
    absl::MutexLock l(&mu_);
    auto zero = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return active_ == 0; };
    const absl::Duration until_end = absl::Nanoseconds(std::max<int64_t>(0, t1_ - NowNanos()));
    return mu_.AwaitWithTimeout(absl::Condition(&zero), until_end + timeout);
  }

 private:
  const int64_t t0_;
  const int64_t t1_;
  absl::Mutex mu_;
  int active_ ABSL_GUARDED_BY(mu_);
};

struct StepResult {
  std::string part;
  int concurrency = 0;
  int channels = 0;
  double seconds = 0;
  double ops_per_s = 0;    // echo: calls; rocksdb: batches; node: CreateCase+AddAction pairs
  double calls_per_s = 0;  // node: completed RPCs (each one synced commit)
  Latency latency;         // echo call / rocksdb commit / node CreateCase
  Latency latency2;        // node AddAction
  Latency latency_op;      // node pair
  int64_t errors = 0;
  std::string first_error;
  double proc_cores = 0;
  double machine_cores = 0;
  std::vector<double> all_ops;  // calls (or batches) per second of every round
};

void NoteError(absl::Mutex* mu, std::string* first, const grpc::Status& s) {
  absl::MutexLock l(mu);
  if (first->empty()) first->assign(absl::StrCat(s.error_code(), ": ", s.error_message()));
}

// One caller of the echo: issues the next call from the completion of the previous one.
class EchoCaller {
 public:
  EchoCaller(ev1::EchoService::Stub* stub, StepControl* control, const std::string& payload)
      : stub_(stub), control_(control) {
    request_.set_payload(payload);
  }
  void Start() { Issue(); }
  std::vector<int64_t>& latencies() { return latencies_; }
  int64_t errors() const { return errors_; }
  const std::string& first_error() const { return first_error_; }

 private:
  void Issue() {
    // Two contexts in turn: the one of the call completing now is never destroyed inside its
    // own callback.
    auto& ctx = contexts_[++seq_ & 1];
    ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(Deadline());
    start_ = NowNanos();
    stub_->async()->Echo(ctx.get(), &request_, &response_,
                         [this](grpc::Status s) { OnDone(s); });
  }
  void OnDone(const grpc::Status& s) {
    const int64_t end = NowNanos();
    if (control_->InWindow(end)) {
      if (s.ok()) {
        latencies_.push_back(end - start_);
      } else {
        ++errors_;
        NoteError(&mu_, &first_error_, s);
      }
    }
    if (control_->Over(end)) {
      control_->CallerDone();
      return;
    }
    Issue();
  }

  ev1::EchoService::Stub* stub_;
  StepControl* control_;
  ev1::EchoRequest request_;
  ev1::EchoResponse response_;
  std::unique_ptr<grpc::ClientContext> contexts_[2];
  uint64_t seq_ = 0;
  int64_t start_ = 0;
  std::vector<int64_t> latencies_;
  int64_t errors_ = 0;
  absl::Mutex mu_;
  std::string first_error_;
};

// Pre-generated requests (sample data), so callers spend no CPU generating records.
struct CaseTemplate {
  cv1::Case c;
  cv1::Action action;
  // What the officer presents for a person its post has not reached yet (issue 8: a case at
  // the post no longer grants the post access by itself).
  cv1::PresentedIdentity shown;
};

// The person at the counter: a document with the names and birth date printed on it. False
// for a person registered without a document (an officer of another post cannot reach them).
bool PresentedIdentityOf(const cv1::Person& p, cv1::PresentedIdentity* out) {
  if (p.documents_size() == 0 || p.given_names().empty() || p.family_names().empty()) {
    return false;
  }
  *out->mutable_document() = p.documents(0);
  out->set_given_names(p.given_names());
  out->set_family_names(p.family_names());
  out->set_birth_date(p.birth_date());
  return true;
}

// One caller of the node: CreateCase, then AddAction on the new case, again and again.
class CaseCaller {
 public:
  CaseCaller(cv1::CaseService::Stub* stub, StepControl* control,
             const std::vector<CaseTemplate>* templates, std::string id_prefix, size_t offset)
      : stub_(stub),
        control_(control),
        templates_(templates),
        id_prefix_(std::move(id_prefix)),
        next_(offset) {
    create_.set_parent("countries/MX");
  }
  void Start() { IssueCreate(); }
  std::vector<int64_t>& create_latencies() { return create_lat_; }
  std::vector<int64_t>& action_latencies() { return action_lat_; }
  std::vector<int64_t>& op_latencies() { return op_lat_; }
  int64_t errors() const { return errors_; }
  const std::string& first_error() const { return first_error_; }

 private:
  grpc::ClientContext* NewContext() {
    auto& ctx = contexts_[++ctx_seq_ & 1];
    ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(Deadline());
    return ctx.get();
  }
  void IssueCreate() {
    const CaseTemplate& t = (*templates_)[next_++ % templates_->size()];
    *create_.mutable_case_() = t.c;
    if (t.shown.has_document()) {
      *create_.mutable_presented_identity() = t.shown;
    } else {
      create_.clear_presented_identity();  // the post was granted the person instead
    }
    create_.set_request_id(absl::StrCat(id_prefix_, "c", ++seq_));
    op_start_ = call_start_ = NowNanos();
    stub_->async()->CreateCase(NewContext(), &create_, &created_,
                               [this](grpc::Status s) { OnCreated(s); });
  }
  void OnCreated(const grpc::Status& s) {
    const int64_t end = NowNanos();
    if (!s.ok()) {
      Fail(end, s);
      if (Stop(end)) return;
      IssueCreate();
      return;
    }
    if (control_->InWindow(end)) create_lat_.push_back(end - call_start_);
    add_.set_parent(created_.name());
    *add_.mutable_action() = (*templates_)[(next_ - 1) % templates_->size()].action;
    add_.set_request_id(absl::StrCat(id_prefix_, "a", seq_));
    call_start_ = NowNanos();
    stub_->async()->AddAction(NewContext(), &add_, &added_,
                              [this](grpc::Status s) { OnAdded(s); });
  }
  void OnAdded(const grpc::Status& s) {
    const int64_t end = NowNanos();
    if (!s.ok()) {
      Fail(end, s);
    } else if (control_->InWindow(end)) {
      action_lat_.push_back(end - call_start_);
      op_lat_.push_back(end - op_start_);
    }
    if (Stop(end)) return;
    IssueCreate();
  }
  void Fail(int64_t end, const grpc::Status& s) {
    if (!control_->InWindow(end)) return;
    ++errors_;
    NoteError(&mu_, &first_error_, s);
  }
  bool Stop(int64_t end) {
    if (!control_->Over(end)) return false;
    control_->CallerDone();
    return true;
  }
  cv1::CaseService::Stub* stub_;
  StepControl* control_;
  const std::vector<CaseTemplate>* templates_;
  const std::string id_prefix_;
  size_t next_;
  uint64_t seq_ = 0;
  cv1::CreateCaseRequest create_;
  cv1::Case created_;
  cv1::AddActionRequest add_;
  cv1::Action added_;
  std::unique_ptr<grpc::ClientContext> contexts_[2];
  uint64_t ctx_seq_ = 0;
  int64_t op_start_ = 0;
  int64_t call_start_ = 0;
  std::vector<int64_t> create_lat_;
  std::vector<int64_t> action_lat_;
  std::vector<int64_t> op_lat_;
  int64_t errors_ = 0;
  absl::Mutex mu_;
  std::string first_error_;
};

// ---- ceiling 1: bare echo over the same mTLS ----

class EchoServiceImpl final : public ev1::EchoService::CallbackService {
 public:
  grpc::ServerUnaryReactor* Echo(grpc::CallbackServerContext* context,
                                 const ev1::EchoRequest* request,
                                 ev1::EchoResponse* response) override {
    response->set_payload(request->payload());
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }
};

// The node's server setup (services/node/node.cc) minus the node: same credentials, same
// options, same callback API.
absl::StatusOr<std::unique_ptr<grpc::Server>> StartEchoServer(const std::string& tls_dir,
                                                              EchoServiceImpl* service,
                                                              int* port) {
  auto cert = node::ReadSmallFile(tls_dir + "/node.pem");
  auto key = node::ReadSmallFile(tls_dir + "/node.key");
  auto ca = node::ReadSmallFile(tls_dir + "/ca.pem");
  if (!cert.ok() || !key.ok() || !ca.ok()) return absl::NotFoundError("echo: TLS files");
  grpc::SslServerCredentialsOptions tls(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  tls.pem_root_certs = *ca;
  tls.pem_key_cert_pairs.push_back({*key, *cert});
  grpc::ServerBuilder builder;
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(4 << 20);
  builder.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(tls), port);
  builder.RegisterService(service);
  auto server = builder.BuildAndStart();
  if (server == nullptr || *port == 0) return absl::UnavailableError("echo: cannot listen");
  return server;
}

// An officer of one post, one of the benchmark's callers (or several, sharing a channel).
struct Officer {
  std::string post;
  pki::CertAndKey cert;
};

std::vector<std::shared_ptr<grpc::Channel>> Channels(int n, int port,
                                                     const testing::TestPki& pki,
                                                     const std::vector<Officer>& officers) {
  std::vector<std::shared_ptr<grpc::Channel>> out;
  for (int i = 0; i < n; ++i) {
    // MakeChannel gives each channel distinct arguments: one TCP connection each.
    auto ch = testing::MakeChannel(port, pki.ca(), &officers[i % officers.size()].cert);
    ch->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10));
    out.push_back(std::move(ch));
  }
  return out;
}

StepResult RunEchoStep(int port, const testing::TestPki& pki,
                       const std::vector<Officer>& officers, int callers,
                       const std::string& payload) {
  WaitForQuiet();
  const int nch = std::min(callers, absl::GetFlag(FLAGS_max_channels));
  auto channels = Channels(nch, port, pki, officers);
  std::vector<std::unique_ptr<ev1::EchoService::Stub>> stubs;
  for (auto& ch : channels) stubs.push_back(ev1::EchoService::NewStub(ch));
  StepControl control(callers, absl::Seconds(absl::GetFlag(FLAGS_warmup_seconds)),
                      absl::Seconds(absl::GetFlag(FLAGS_step_seconds)));
  std::vector<std::unique_ptr<EchoCaller>> cs;
  for (int i = 0; i < callers; ++i) {
    cs.push_back(std::make_unique<EchoCaller>(stubs[i % nch].get(), &control, payload));
  }
  CpuMeter cpu;
  for (auto& c : cs) c->Start();
  // CPU is metered from the start (warm-up included): close enough for "is it CPU-bound".
  if (!control.Wait(absl::Seconds(60))) std::cerr << "echo: callers stuck\n";
  auto [proc, machine] = cpu.Stop();
  StepResult r;
  r.part = "echo";
  r.concurrency = callers;
  r.channels = nch;
  r.seconds = control.seconds();
  std::vector<int64_t> all;
  for (auto& c : cs) {
    all.insert(all.end(), c->latencies().begin(), c->latencies().end());
    r.errors += c->errors();
    if (r.first_error.empty()) r.first_error = c->first_error();
  }
  r.ops_per_s = r.calls_per_s = all.size() / r.seconds;
  r.latency = Summarize(std::move(all));
  r.proc_cores = proc;
  r.machine_cores = machine;
  return r;
}

// ---- ceiling 2: bare synced WriteBatches shaped like a CreateCase ----

StepResult RunRocksStep(const std::string& dir, int threads) {
  WaitForQuiet();
  StepResult r;
  r.part = "rocksdb";
  r.concurrency = threads;
  std::filesystem::remove_all(dir);
  auto store = storage::Store::Open(cases::RegistryStoreOptions(dir));  // sync = true
  if (!store.ok()) {
    r.first_error = store.status().ToString();
    return r;
  }
  storage::Store* s = store->get();
  const storage::ColumnFamily* cases_cf = s->cf("cases");
  const storage::ColumnFamily* index_cf = s->cf("index");
  const storage::ColumnFamily* requests_cf = s->cf("requests");
  const storage::ColumnFamily* counters_cf = s->cf("counters");
  StepControl control(threads, absl::Seconds(absl::GetFlag(FLAGS_warmup_seconds)),
                      absl::Seconds(absl::GetFlag(FLAGS_step_seconds)));
  std::vector<std::vector<int64_t>> lat(threads);
  std::atomic<int64_t> errors{0};
  CpuMeter cpu;
  std::vector<std::thread> ts;
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      std::mt19937_64 rng(t + 1);
      std::string entity(1000, 'x');
      while (true) {
        const std::string id = ids::NewId();
        for (size_t i = 0; i < entity.size(); i += 8) entity[i] = 'a' + rng() % 26;
        std::string inv;
        storage::AppendBigEndian64(&inv, ~static_cast<uint64_t>(absl::ToUnixMicros(absl::Now())));
        const std::string summary = absl::StrCat("0102MX-LAX|", ids::NewId());
        storage::WriteBatch b;
        b.Put(cases_cf, id, entity);
        for (const char* p : {"C|a|", "C|p|MX-LAX|", "C|s|01|", "C|c|02|", "C|ps|MX-LAX|01|",
                              "C|pc|MX-LAX|02|", "C|r|0000000000000000000a|"}) {
          b.Put(index_cf, absl::StrCat(p, inv, id), summary);
        }
        for (const char* k : {"cases|status|01", "cases|category|02", "cases|subtype|11",
                              "cases|post|MX-LAX|status|01"}) {
          b.AddToCounter(counters_cf, k, 1);
        }
        b.Put(requests_cf, absl::StrCat("case|", OfficerIdentity("MX", "MX-LAX", t), "|r", id), id);
        const int64_t start = NowNanos();
        absl::Status st = s->Commit(b);
        const int64_t end = NowNanos();
        if (control.InWindow(end)) {
          if (st.ok()) {
            lat[t].push_back(end - start);
          } else {
            errors++;
          }
        }
        if (control.Over(end)) break;
      }
      control.CallerDone();
    });
  }
  for (auto& t : ts) t.join();
  auto [proc, machine] = cpu.Stop();
  std::vector<int64_t> all;
  for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
  r.seconds = control.seconds();
  r.ops_per_s = r.calls_per_s = all.size() / r.seconds;
  r.latency = Summarize(std::move(all));
  r.errors = errors;
  r.proc_cores = proc;
  r.machine_cores = machine;
  store->reset();
  std::filesystem::remove_all(dir);
  return r;
}

// ---- the node: CreateCase + AddAction ----

std::vector<CaseTemplate> MakeTemplates(const NodeConfig& config,
                                        const std::vector<cv1::Person>& persons, size_t n) {
  sampledata::SampleData gen(config, absl::GetFlag(FLAGS_seed) + 1);
  std::vector<CaseTemplate> out;
  for (size_t i = 0; out.size() < n && i < n * 4; ++i) {
    const cv1::Person& p = persons[i % persons.size()];
    CaseTemplate t;
    if (!PresentedIdentityOf(p, &t.shown)) continue;
    t.c = gen.NextCase(p.name(), p);
    t.action = gen.NextAction(t.c);
    out.push_back(std::move(t));
  }
  return out;
}

StepResult RunNodeStep(int port, const testing::TestPki& pki,
                       const std::vector<Officer>& officers, int callers,
                       const std::map<std::string, std::vector<CaseTemplate>>& templates,
                       const std::string& run_id) {
  WaitForQuiet();
  const int nch = std::min(callers, absl::GetFlag(FLAGS_max_channels));
  auto channels = Channels(nch, port, pki, officers);
  std::vector<std::unique_ptr<cv1::CaseService::Stub>> stubs;
  for (auto& ch : channels) stubs.push_back(cv1::CaseService::NewStub(ch));
  StepControl control(callers, absl::Seconds(absl::GetFlag(FLAGS_warmup_seconds)),
                      absl::Seconds(absl::GetFlag(FLAGS_step_seconds)));
  std::vector<std::unique_ptr<CaseCaller>> cs;
  for (int i = 0; i < callers; ++i) {
    // Each officer opens cases at its own post (officers reach only their post's cases).
    cs.push_back(std::make_unique<CaseCaller>(
        stubs[i % nch].get(), &control, &templates.at(officers[(i % nch) % officers.size()].post),
        absl::StrCat(run_id, "-", callers, "-", i, "-"), i * 7919));
  }
  CpuMeter cpu;
  for (auto& c : cs) c->Start();
  if (!control.Wait(absl::Seconds(60))) std::cerr << "node: callers stuck\n";
  auto [proc, machine] = cpu.Stop();
  StepResult r;
  r.part = "node";
  r.concurrency = callers;
  r.channels = nch;
  r.seconds = control.seconds();
  std::vector<int64_t> creates, actions, ops;
  for (auto& c : cs) {
    creates.insert(creates.end(), c->create_latencies().begin(), c->create_latencies().end());
    actions.insert(actions.end(), c->action_latencies().begin(), c->action_latencies().end());
    ops.insert(ops.end(), c->op_latencies().begin(), c->op_latencies().end());
    r.errors += c->errors();
    if (r.first_error.empty()) r.first_error = c->first_error();
  }
  r.ops_per_s = ops.size() / r.seconds;
  r.calls_per_s = (creates.size() + actions.size()) / r.seconds;
  r.latency = Summarize(std::move(creates));
  r.latency2 = Summarize(std::move(actions));
  r.latency_op = Summarize(std::move(ops));
  r.proc_cores = proc;
  r.machine_cores = machine;
  return r;
}

// ---- 1M cases: bulk load, then the real binary ----

struct LoadInfo {
  bool reused = false;
  int64_t cases = 0;
  int64_t persons = 0;
  int64_t closed = 0;
  int64_t actions = 0;
  double seconds = 0;
  uint64_t dir_bytes = 0;
  std::vector<std::string> person_names;  // a sample, for person-filtered queries
};

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) total += e.file_size(ec);
  }
  return total;
}

std::string LoadSignature(const NodeConfig& config, int64_t cases) {
  std::vector<std::string> posts;
  for (const auto& p : config.posts()) posts.push_back(p.code());
  return absl::StrFormat(
      "enlace-bench-load v4 country=%s posts=%s cases=%d cases_per_person=%g "
      "closed_fraction=%g actions_per_case=%g seed=%d",
      config.country(), absl::StrJoin(posts, ","), cases,
      absl::GetFlag(FLAGS_cases_per_person), absl::GetFlag(FLAGS_closed_fraction),
      absl::GetFlag(FLAGS_actions_per_case), absl::GetFlag(FLAGS_seed));
}

// Loads `n` cases (and their persons, closures and actions) through the Registry, in-process,
// with unsynced commits: a bulk load, not the path being measured.
absl::StatusOr<LoadInfo> BulkLoad(const NodeConfig& config, const std::string& cache,
                                  int64_t n) {
  LoadInfo info;
  const std::string data = cache + "/data";
  const std::string marker = cache + "/LOADED";
  const std::string names_file = cache + "/persons.txt";
  const std::string signature = LoadSignature(config, n);
  {
    std::ifstream in(marker);
    std::string line;
    if (std::getline(in, line) && line == signature) {
      std::string counts;
      std::getline(in, counts);
      std::sscanf(counts.c_str(), "%ld %ld %ld %ld %lf", &info.cases, &info.persons,
                  &info.closed, &info.actions, &info.seconds);
      std::ifstream names(names_file);
      for (std::string name; std::getline(names, name);) {
        if (!name.empty()) info.person_names.push_back(name);
      }
      if (!info.person_names.empty()) {
        info.reused = true;
        info.dir_bytes = DirBytes(data);
        return info;
      }
    }
  }
  // Not there (or another shape): start over, touching only what this benchmark owns.
  std::filesystem::remove(marker);
  std::filesystem::remove_all(data);
  std::filesystem::create_directories(cache);

  // Built as Node::Start builds it (store, committer, key vault, registry), but with unsynced
  // commits to the data store.
  const std::string master_key = cache + "/master.key";
  std::filesystem::remove_all(cache + "/keys");
  if (access(master_key.c_str(), F_OK) != 0) {
    auto body = crypto::NewMasterKeyFile();
    if (!body.ok()) return body.status();
    if (absl::Status s = pki::WriteFile(master_key, *body, 0600); !s.ok()) return s;
  }
  auto keys = crypto::LoadMasterKeys(master_key);
  if (!keys.ok()) return keys.status();
  auto vault = crypto::KeyVault::Open(cache + "/keys", *keys);
  if (!vault.ok()) return vault.status();
  storage::StoreOptions so = node::NodeStoreOptions(data);
  so.sync = false;  // bulk loading: not the measured path
  auto store = storage::Store::Open(so);
  if (!store.ok()) return store.status();
  auto committer = txn::Committer::Create(store->get(), config.country());
  if (!committer.ok()) return committer.status();
  cases::Registry::Options ro;
  ro.country = config.country();
  for (const auto& p : config.posts()) ro.post_codes.push_back(p.code());
  ro.vault = vault->get();
  ro.audit_reads = false;
  auto registry = cases::Registry::Create(ro, store->get(), committer->get());
  if (!registry.ok()) return registry.status();
  cases::Registry* reg = registry->get();
  auto parsed_caller = ParseIdentity(SupervisorIdentity(config.country()));
  if (!parsed_caller.ok()) return parsed_caller.status();
  const Caller caller = *parsed_caller;
  const std::string parent = absl::StrCat("countries/", config.country());

  const int threads = std::max(1, absl::GetFlag(FLAGS_load_threads));
  const int64_t n_persons =
      std::max<int64_t>(1, static_cast<int64_t>(n / absl::GetFlag(FLAGS_cases_per_person)));
  const absl::Time started = absl::Now();
  std::atomic<int64_t> persons_done{0}, cases_done{0}, closed{0}, actions{0}, failures{0};
  absl::Mutex mu;
  std::string first_failure;
  auto note = [&](const absl::Status& s) {
    failures++;
    absl::MutexLock l(&mu);
    if (first_failure.empty()) first_failure = s.ToString();
  };
  // Persons first, then cases of random persons (any thread's).
  const int person_threads = std::max(1, absl::GetFlag(FLAGS_load_person_threads));
  std::vector<std::vector<cv1::Person>> persons(person_threads);
  std::vector<std::thread> ts;
  for (int t = 0; t < person_threads; ++t) {
    ts.emplace_back([&, t] {
      sampledata::SampleData gen(config, absl::GetFlag(FLAGS_seed) * 1000 + t);
      const int64_t mine =
          n_persons / person_threads + (t < n_persons % person_threads ? 1 : 0);
      for (int64_t i = 0; i < mine; ++i) {
        cv1::CreatePersonRequest req;
        req.set_parent(parent);
        *req.mutable_person() = gen.NextPerson();
        auto p = reg->CreatePerson(req, caller);
        if (!p.ok()) {
          // A generated document number can repeat: ALREADY_EXISTS, try another person.
          if (p.status().code() != absl::StatusCode::kAlreadyExists) note(p.status());
          if (failures > 100) return;
          --i;
          continue;
        }
        persons[t].push_back(*std::move(p));
        persons_done++;
      }
    });
  }
  for (auto& t : ts) t.join();
  ts.clear();
  if (failures > 100) return absl::InternalError(absl::StrCat("bulk load: ", first_failure));
  std::vector<const cv1::Person*> all_persons;
  for (auto& v : persons) {
    for (auto& p : v) all_persons.push_back(&p);
  }
  std::cerr << "bulk load: " << all_persons.size() << " persons in "
            << absl::FormatDuration(absl::Now() - started) << "\n";

  const double closed_fraction = absl::GetFlag(FLAGS_closed_fraction);
  const double actions_per_case = absl::GetFlag(FLAGS_actions_per_case);
  std::atomic<int64_t> next_report{n / 10};
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      sampledata::SampleData gen(config, absl::GetFlag(FLAGS_seed) * 1000 + 500 + t);
      std::mt19937_64 rng(absl::GetFlag(FLAGS_seed) + t);
      std::uniform_real_distribution<double> u(0, 1);
      const int64_t mine = n / threads + (t < n % threads ? 1 : 0);
      for (int64_t i = 0; i < mine && failures <= 100; ++i) {
        const cv1::Person& p = *all_persons[rng() % all_persons.size()];
        cv1::CreateCaseRequest req;
        req.set_parent(parent);
        *req.mutable_case_() = gen.NextCase(p.name(), p);
        // A registry's mix of statuses, not only fresh OPEN cases.
        const double s = u(rng);
        req.mutable_case_()->set_status(s < 0.5   ? cv1::STATUS_OPEN
                                        : s < 0.8 ? cv1::STATUS_IN_PROGRESS
                                                  : cv1::STATUS_WAITING);
        auto c = reg->CreateCase(req, caller);
        if (!c.ok()) {
          note(c.status());
          continue;
        }
        // Actions: floor(actions_per_case) plus one more with the fractional probability.
        int k = static_cast<int>(actions_per_case);
        if (u(rng) < actions_per_case - k) ++k;
        for (int a = 0; a < k; ++a) {
          cv1::AddActionRequest add;
          add.set_parent(c->name());
          *add.mutable_action() = gen.NextAction(*c);
          auto r = reg->AddAction(add, caller);
          if (r.ok()) {
            actions++;
          } else {
            note(r.status());
          }
        }
        if (u(rng) < closed_fraction) {
          cv1::CloseCaseRequest close;
          close.set_name(c->name());
          const double r = u(rng);
          close.set_resolution(r < 0.6   ? cv1::RESOLUTION_RESOLVED
                               : r < 0.8 ? cv1::RESOLUTION_REFERRED
                               : r < 0.9 ? cv1::RESOLUTION_NO_LONGER_NEEDED
                                         : cv1::RESOLUTION_PERSON_UNREACHABLE);
          auto r2 = reg->CloseCase(close, caller);
          if (r2.ok()) {
            closed++;
          } else {
            note(r2.status());
          }
        }
        const int64_t done = ++cases_done;
        int64_t want = next_report.load();
        if (done >= want && next_report.compare_exchange_strong(want, want + n / 10)) {
          std::cerr << "bulk load: " << done << " / " << n << " cases, "
                    << absl::FormatDuration(absl::Now() - started) << "\n";
        }
      }
    });
  }
  for (auto& t : ts) t.join();
  if (failures > 100) return absl::InternalError(absl::StrCat("bulk load: ", first_failure));
  registry->reset();
  committer->reset();
  if (absl::Status s = (*store)->Close(); !s.ok()) return s;
  store->reset();
  vault->reset();

  info.cases = cases_done;
  info.persons = static_cast<int64_t>(all_persons.size());
  info.closed = closed;
  info.actions = actions;
  info.seconds = absl::ToDoubleSeconds(absl::Now() - started);
  info.dir_bytes = DirBytes(data);
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000 && !all_persons.empty(); ++i) {
    info.person_names.push_back(all_persons[rng() % all_persons.size()]->name());
  }
  {
    std::ofstream names(names_file);
    for (const auto& name : info.person_names) names << name << "\n";
  }
  {
    std::ofstream out(marker);
    out << signature << "\n"
        << absl::StrFormat("%d %d %d %d %.1f", info.cases, info.persons, info.closed,
                           info.actions, info.seconds)
        << "\n";
  }
  if (failures > 0) std::cerr << "bulk load: " << failures << " failures, first: "
                              << first_failure << "\n";
  return info;
}

// A copy of a RocksDB directory for the node to open, leaving the original exactly as the bulk
// load closed it (with its write-ahead log still to replay): SST files are immutable, so they
// are hard-linked; everything else (MANIFEST, WAL, OPTIONS) is copied.
absl::Status CloneStore(const std::string& from, const std::string& to) {
  std::error_code ec;
  std::filesystem::remove_all(to, ec);
  std::filesystem::create_directories(to, ec);
  if (ec) return absl::InternalError(absl::StrCat("mkdir ", to, ": ", ec.message()));
  for (const auto& e : std::filesystem::directory_iterator(from, ec)) {
    const auto dst = std::filesystem::path(to) / e.path().filename();
    if (e.path().extension() == ".sst") {
      std::filesystem::create_hard_link(e.path(), dst, ec);
      if (!ec) continue;
      ec.clear();  // another file system: copy instead
    }
    std::filesystem::copy_file(e.path(), dst, ec);
    if (ec) return absl::InternalError(absl::StrCat("copy ", e.path().string(), ": ", ec.message()));
  }
  return absl::OkStatus();
}

uint64_t WalBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".log") total += e.file_size(ec);
  }
  return total;
}

struct ProcMemory {
  int64_t rss_kb = 0;
  int64_t hwm_kb = 0;
};

ProcMemory ReadMemory(pid_t pid) {
  ProcMemory m;
  std::ifstream in(absl::StrCat("/proc/", pid, "/status"));
  for (std::string line; std::getline(in, line);) {
    if (absl::StartsWith(line, "VmRSS:")) {
      absl::SimpleAtoi(absl::StripAsciiWhitespace(absl::StripSuffix(line.substr(6), "kB")),
                       &m.rss_kb);
    } else if (absl::StartsWith(line, "VmHWM:")) {
      absl::SimpleAtoi(absl::StripAsciiWhitespace(absl::StripSuffix(line.substr(6), "kB")),
                       &m.hwm_kb);
    }
  }
  return m;
}

// The node's own "ready in N ms" (config loaded -> listening), from its log.
int64_t ReadyMsFromLog(const std::string& log_path) {
  std::ifstream in(log_path);
  int64_t ms = -1;
  for (std::string line; std::getline(in, line);) {
    const size_t at = line.rfind("ready in ");
    if (at != std::string::npos) {
      absl::SimpleAtoi(absl::StripSuffix(line.substr(at + 9), " ms"), &ms);
    }
  }
  return ms;
}

struct StartResult {
  double wall_ms = -1;  // fork -> port file written (polled every 10 ms)
  int64_t ready_ms = -1;
  double others_cores = 0;
  std::string error;
};

struct QueryResult {
  std::string name;
  Latency latency;
  double first_ms = 0;
  double mean_results = 0;
  double others_cores = 0;
  std::vector<double> all_p99;  // p99 of every pass
  int64_t errors = 0;
  std::string first_error;
};

struct MillionResult {
  LoadInfo load;
  std::vector<StartResult> first_starts;
  std::vector<StartResult> restarts;
  std::vector<QueryResult> queries;
  ProcMemory after_start;
  ProcMemory after_queries;
  int stop_status = -1;
  double stop_ms = 0;
  uint64_t wal_bytes = 0;  // write-ahead log the first start replays
  StepResult crash_writes;
  uint64_t crash_wal_bytes = 0;
  StartResult after_crash;
  std::string error;
};

absl::StatusOr<std::unique_ptr<testing::NodeProcess>> StartTimed(const NodeConfig& config,
                                                                 const std::string& dir,
                                                                 StartResult* out) {
  std::filesystem::remove(dir + "/node.log");
  WaitForQuiet();
  CpuMeter cpu;
  const int64_t t0 = NowNanos();
  auto p = testing::NodeProcess::Start(config, dir);
  if (!p.ok()) {
    out->error = p.status().ToString();
    return p.status();
  }
  const int64_t wall = NowNanos() - t0;
  out->wall_ms = wall / 1e6;
  auto [ours, machine] = cpu.Stop();
  out->others_cores = std::max(
      0.0, machine - ours - static_cast<double>(ChildCpuNanos((*p)->pid())) / wall);
  out->ready_ms = ReadyMsFromLog((*p)->log_path());
  return p;
}

QueryResult RunQueries(cv1::CaseService::Stub* stub, pid_t node_pid, const std::string& name,
                       int calls, const std::function<void(int, cv1::ListCasesRequest*)>& fill) {
  QueryResult q;
  q.name = name;
  WaitForQuiet();
  CpuMeter cpu(node_pid);
  std::vector<int64_t> lat;
  int64_t results = 0;
  for (int i = -1; i < calls; ++i) {  // call -1: the first, unmeasured
    cv1::ListCasesRequest req;
    req.set_parent("countries/MX");
    req.set_page_size(100);
    fill(i < 0 ? 0 : i, &req);
    cv1::ListCasesResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    const int64_t t0 = NowNanos();
    grpc::Status s = stub->ListCases(&ctx, req, &resp);
    const int64_t dt = NowNanos() - t0;
    if (!s.ok()) {
      ++q.errors;
      if (q.first_error.empty()) {
        q.first_error = absl::StrCat(s.error_code(), ": ", s.error_message());
      }
      continue;
    }
    if (i < 0) {
      q.first_ms = dt / 1e6;
    } else {
      lat.push_back(dt);
      results += resp.cases_size();
    }
  }
  auto [ours, machine] = cpu.Stop();
  q.others_cores = std::max(0.0, machine - ours);
  q.mean_results = lat.empty() ? 0 : static_cast<double>(results) / lat.size();
  q.latency = Summarize(std::move(lat));
  return q;
}

MillionResult RunMillion(const NodeConfig& base, const std::string& work,
                         const testing::TestPki& pki, const pki::CertAndKey& client,
                         const std::vector<Officer>& officers, const std::string& run_id) {
  // `client`: a supervisor, who may list every post's cases.
  MillionResult m;
  const int64_t n = absl::GetFlag(FLAGS_million);
  std::string cache = absl::GetFlag(FLAGS_data_cache);
  if (cache.empty()) cache = work + "/million";
  auto load = BulkLoad(base, cache, n);
  if (!load.ok()) {
    m.error = load.status().ToString();
    return m;
  }
  m.load = *std::move(load);

  NodeConfig config = base;
  m.wal_bytes = WalBytes(cache + "/data");
  config.set_data_dir(work + "/million-node-data");
  // The key vault and master key the cases were sealed with (the vault cloned likewise).
  config.mutable_security()->set_master_key_file(cache + "/master.key");
  config.mutable_security()->set_keys_dir(work + "/million-node-keys");
  config.set_port_file(work + "/million.port");
  if (!absl::GetFlag(FLAGS_read_audit)) config.mutable_security()->set_disable_read_audit(true);
  auto clone = [&]() {
    absl::Status s = CloneStore(cache + "/data", config.data_dir());
    if (s.ok()) s = CloneStore(cache + "/keys", config.security().keys_dir());
    return s;
  };
  // Each repeat: a fresh clone of the store as the bulk load left it; the first start replays
  // its write-ahead log; then a restart after a clean shutdown. The report keeps the repeat
  // least disturbed by other tenants.
  const int repeats = std::max(1, absl::GetFlag(FLAGS_million_repeats));
  for (int r = 0; r < repeats; ++r) {
    if (absl::Status s = clone(); !s.ok()) {
      m.error = s.ToString();
      return m;
    }
    StartResult first, again;
    auto p1 = StartTimed(config, work, &first);
    if (!p1.ok()) {
      m.error = p1.status().ToString();
      return m;
    }
    (*p1)->Stop(SIGTERM);
    m.first_starts.push_back(first);
    if (r + 1 == repeats) break;  // the last restart is the one queried below
    auto p2 = StartTimed(config, work, &again);
    if (!p2.ok()) {
      m.error = p2.status().ToString();
      return m;
    }
    (*p2)->Stop(SIGTERM);
    m.restarts.push_back(again);
  }
  StartResult last;
  auto p = StartTimed(config, work, &last);
  if (!p.ok()) {
    m.error = p.status().ToString();
    return m;
  }
  m.restarts.push_back(last);
  m.after_start = ReadMemory((*p)->pid());
  auto channel = testing::MakeChannel((*p)->port(), pki.ca(), &client);
  channel->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto stub = cv1::CaseService::NewStub(channel);
  std::vector<std::string> posts;
  for (const auto& post : config.posts()) posts.push_back(post.code());
  const int calls = absl::GetFlag(FLAGS_list_calls);
  const std::vector<cv1::Status> statuses = {cv1::STATUS_OPEN, cv1::STATUS_IN_PROGRESS,
                                             cv1::STATUS_WAITING, cv1::STATUS_CLOSED};
  const std::vector<cv1::Category> categories = {
      cv1::CATEGORY_MIGRATION,    cv1::CATEGORY_CRIMINAL, cv1::CATEGORY_ADMINISTRATIVE,
      cv1::CATEGORY_LABOUR,       cv1::CATEGORY_CIVIL_FAMILY, cv1::CATEGORY_HUMAN_RIGHTS,
      cv1::CATEGORY_CRISIS};
  const auto& persons = m.load.person_names;
  // Page 2 of post + status goes through page tokens, fetched once.
  std::vector<std::string> tokens;
  for (size_t i = 0; i < posts.size() * statuses.size(); ++i) {
    cv1::ListCasesRequest req;
    req.set_parent(absl::StrCat("countries/", config.country()));
    req.set_page_size(100);
    req.set_post(posts[i % posts.size()]);
    req.set_status(statuses[i % statuses.size()]);
    cv1::ListCasesResponse resp;
    grpc::ClientContext ctx;
    ctx.set_deadline(Deadline());
    tokens.push_back(stub->ListCases(&ctx, req, &resp).ok() ? resp.next_page_token() : "");
  }
  using Fill = std::function<void(int, cv1::ListCasesRequest*)>;
  // Rotating through posts, statuses, categories and persons, so pages are not all cached.
  const std::vector<std::pair<std::string, Fill>> kinds = {
      {"post + status",
       [&](int i, auto* r) {
         r->set_post(posts[i % posts.size()]);
         r->set_status(statuses[i % statuses.size()]);
       }},
      {"post", [&](int i, auto* r) { r->set_post(posts[i % posts.size()]); }},
      {"category", [&](int i, auto* r) { r->set_category(categories[i % categories.size()]); }},
      {"status", [&](int i, auto* r) { r->set_status(statuses[i % statuses.size()]); }},
      {"person", [&](int i, auto* r) { r->set_person(persons[i % persons.size()]); }},
      {"post + category",
       [&](int i, auto* r) {
         r->set_post(posts[i % posts.size()]);
         r->set_category(categories[i % categories.size()]);
       }},
      {"none (newest first)", [&](int, auto*) {}},
      {"post + status, page 2",
       [&](int i, auto* r) {
         const size_t k = i % tokens.size();
         r->set_post(posts[k % posts.size()]);
         r->set_status(statuses[k % statuses.size()]);
         r->set_page_token(tokens[k]);
       }},
  };
  std::vector<std::vector<QueryResult>> passes(kinds.size());
  for (int r = 0; r < repeats; ++r) {
    for (size_t k = 0; k < kinds.size(); ++k) {
      passes[k].push_back(RunQueries(stub.get(), (*p)->pid(), kinds[k].first, calls,
                                     kinds[k].second));
    }
  }
  for (auto& pass : passes) {
    QueryResult best = *std::min_element(
        pass.begin(), pass.end(), [](const QueryResult& a, const QueryResult& b) {
          return a.others_cores < b.others_cores;
        });
    for (const auto& q : pass) best.all_p99.push_back(q.latency.p99_ms);
    m.queries.push_back(std::move(best));
  }
  m.after_queries = ReadMemory((*p)->pid());
  const int64_t t0 = NowNanos();
  m.stop_status = (*p)->Stop(SIGTERM);
  m.stop_ms = (NowNanos() - t0) / 1e6;

  // A crash: writes from 16 officers for a few seconds, SIGKILL, and a start that recovers
  // from the write-ahead log.
  if (absl::GetFlag(FLAGS_crash_write_seconds) > 0) {
    std::map<std::string, std::vector<CaseTemplate>> templates;
    sampledata::SampleData gen(config, absl::GetFlag(FLAGS_seed) + 2);
    for (int i = 0; i < 4096; ++i) {
      CaseTemplate t;
      t.c = gen.NextCase(persons[i % persons.size()]);
      t.action = gen.NextAction(t.c);
      templates[t.c.post()].push_back(std::move(t));
    }
    std::vector<Officer> writers;
    for (const auto& o : officers) {
      if (templates.count(o.post) > 0) writers.push_back(o);
    }
    StartResult s;
    auto w = StartTimed(config, work, &s);
    if (!w.ok() || writers.empty()) {
      m.error = w.ok() ? "no officer for the crash test" : w.status().ToString();
      return m;
    }
    // The loaded persons were registered by a supervisor: each writer's post is granted
    // access to the persons it will open cases for (issue 8), before the timed writes.
    {
      auto grants = cv1::PersonService::NewStub(testing::MakeChannel((*w)->port(), pki.ca(), &client));
      std::set<std::pair<std::string, std::string>> done;
      for (const auto& [post, list] : templates) {
        for (const auto& t : list) {
          if (!done.insert({t.c.person(), post}).second) continue;
          cv1::GrantPersonAccessRequest g;
          g.set_name(t.c.person());
          g.set_post(post);
          g.set_reason("benchmark: crash-test writers");
          cv1::GrantPersonAccessResponse out;
          grpc::ClientContext ctx;
          ctx.set_deadline(Deadline());
          grpc::Status st = grants->GrantPersonAccess(&ctx, g, &out);
          if (!st.ok()) {
            m.error = absl::StrCat("grant for the crash test: ", st.error_message());
            return m;
          }
        }
      }
    }
    const double step_seconds = absl::GetFlag(FLAGS_step_seconds);
    absl::SetFlag(&FLAGS_step_seconds, absl::GetFlag(FLAGS_crash_write_seconds));
    m.crash_writes = RunNodeStep((*w)->port(), pki, writers, 16, templates, run_id + "k");
    absl::SetFlag(&FLAGS_step_seconds, step_seconds);
    (*w)->Stop(SIGKILL);
    m.crash_wal_bytes = WalBytes(config.data_dir());
    auto r = StartTimed(config, work, &m.after_crash);
    if (!r.ok()) {
      m.error = r.status().ToString();
      return m;
    }
    (*r)->Stop(SIGTERM);
  }
  std::filesystem::remove_all(config.data_dir());
  std::filesystem::remove_all(config.security().keys_dir());
  if (absl::GetFlag(FLAGS_data_cache).empty()) std::filesystem::remove_all(cache);
  return m;
}

// ---- the report ----

std::string ReadFirstLine(const std::string& path, const std::string& prefix) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (absl::StartsWith(line, prefix)) return line;
  }
  return "";
}

std::string MachineLine(const std::string& dir) {
  std::string model = ReadFirstLine("/proc/cpuinfo", "model name");
  if (auto c = model.find(':'); c != std::string::npos) model = model.substr(c + 2);
  std::string mem = ReadFirstLine("/proc/meminfo", "MemTotal:");
  int64_t mem_kb = 0;
  absl::SimpleAtoi(absl::StripAsciiWhitespace(absl::StripSuffix(mem.substr(9), "kB")), &mem_kb);
  struct statfs fs;
  std::string fstype = "?";
  if (statfs(dir.c_str(), &fs) == 0) {
    fstype = fs.f_type == 0xEF53 ? "ext4" : fs.f_type == 0x58465342 ? "xfs"
             : fs.f_type == 0x01021994                             ? "tmpfs"
                                                                   : absl::StrFormat("0x%x", fs.f_type);
  }
  std::ifstream la("/proc/loadavg");
  std::string l1, l5, l15;
  la >> l1 >> l5 >> l15;
  return absl::StrFormat("%d cores (%s), %.1f GiB RAM, work dir on %s; load average %s %s %s",
                         std::thread::hardware_concurrency(), model, mem_kb / 1048576.0, fstype,
                         l1, l5, l15);
}

// Row by row, the round least disturbed by other tenants (the smallest others' CPU);
// `all_ops` keeps every round's figure.
std::vector<StepResult> LeastDisturbed(const std::vector<std::vector<StepResult>>& rounds) {
  std::vector<StepResult> out;
  if (rounds.empty()) return out;
  for (size_t row = 0; row < rounds[0].size(); ++row) {
    std::vector<StepResult> r;
    for (const auto& round : rounds) {
      if (row < round.size()) r.push_back(round[row]);
    }
    StepResult m = *std::min_element(
        r.begin(), r.end(), [](const StepResult& a, const StepResult& b) {
          return a.machine_cores - a.proc_cores < b.machine_cores - b.proc_cores;
        });
    m.all_ops.clear();
    for (const auto& x : rounds) {
      if (row < x.size()) m.all_ops.push_back(x[row].calls_per_s);
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::string Rounds(const StepResult& r) {
  if (r.all_ops.size() < 2) return "";
  std::vector<std::string> v;
  for (double x : r.all_ops) v.push_back(absl::StrFormat("%.0f", x));
  return absl::StrCat(" (", absl::StrJoin(v, ", "), ")");
}

// Microseconds of this process's CPU per call (or batch): the cost that 2 cores must carry.
double CpuMicros(const StepResult& r) {
  return r.calls_per_s > 0 ? 1e6 * r.proc_cores / r.calls_per_s : 0;
}

void PrintReport(const std::vector<StepResult>& echo, const std::vector<StepResult>& rocks,
                 const std::vector<StepResult>& nodes, const MillionResult* m,
                 const std::string& work, size_t payload_bytes, double seconds_total) {
  auto& o = std::cout;
  o << "\n## Enlace cases benchmark\n\n";
  o << "machine: " << MachineLine(work) << "\n";
  o << absl::StrFormat(
      "steps: %g s measured after %g s warm-up, %d interleaved rounds; shown: the round least "
      "disturbed by other tenants (bold; every round's figure in brackets); callers are closed loops on "
      "min(callers, %d) mTLS channels (one TCP connection each); echo payload %d bytes "
      "(the mean CreateCaseRequest); Abseil deadlock detection %s\n\n",
      absl::GetFlag(FLAGS_step_seconds), absl::GetFlag(FLAGS_warmup_seconds),
      std::max(1, absl::GetFlag(FLAGS_rounds)), absl::GetFlag(FLAGS_max_channels),
      payload_bytes, absl::GetFlag(FLAGS_absl_deadlock_detection) ? "on" : "off");

  o << "### Ceilings (same run)\n\n";
  o << "| ceiling | callers / threads | conns | calls or batches/s (every round) | p50 ms | "
       "p99 ms | bench CPU, cores | CPU us per call | others' CPU, cores | errors |\n";
  o << "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& r : echo) {
    o << absl::StrFormat(
        "| gRPC echo, mTLS | %d | %d | **%.0f**%s | %s | %s | %.2f | %.0f | %.2f | %d |\n",
        r.concurrency, r.channels, r.ops_per_s, Rounds(r), Ms(r.latency.p50_ms),
        Ms(r.latency.p99_ms), r.proc_cores, CpuMicros(r),
        std::max(0.0, r.machine_cores - r.proc_cores), r.errors);
  }
  for (const auto& r : rocks) {
    o << absl::StrFormat(
        "| RocksDB WriteBatch, sync | %d | - | **%.0f**%s | %s | %s | %.2f | %.0f | %.2f | %d |\n",
        r.concurrency, r.ops_per_s, Rounds(r), Ms(r.latency.p50_ms), Ms(r.latency.p99_ms),
        r.proc_cores, CpuMicros(r), std::max(0.0, r.machine_cores - r.proc_cores), r.errors);
  }
  for (const auto& r : echo) {
    if (!r.first_error.empty()) o << "echo first error: " << r.first_error << "\n";
  }
  for (const auto& r : rocks) {
    if (!r.first_error.empty()) o << "rocksdb first error: " << r.first_error << "\n";
  }
  double rocks_ceiling = 0;
  const StepResult* rocks_row = nullptr;
  for (const auto& r : rocks) {
    if (r.concurrency == absl::GetFlag(FLAGS_ceiling_threads)) {
      rocks_ceiling = r.ops_per_s;
      rocks_row = &r;
    }
  }
  if (rocks_ceiling == 0 && !rocks.empty()) {
    rocks_ceiling = rocks.back().ops_per_s;
    rocks_row = &rocks.back();
  }

  o << "\n### Node: CreateCase + AddAction over mTLS (in-process node, synced commits)\n\n";
  o << "| callers | conns | ops/s (pairs) | calls/s (every round) | CreateCase p50 / p99 ms | "
       "AddAction p50 / p99 ms | op p50 / p99 ms | bench CPU, cores | CPU us per call | "
       "others' CPU, cores | errors |\n";
  o << "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n";
  for (const auto& r : nodes) {
    o << absl::StrFormat(
        "| %d | %d | %.0f | **%.0f**%s | %s / %s | %s / %s | %s / %s | %.2f | %.0f | %.2f | %d |\n",
        r.concurrency, r.channels, r.ops_per_s, r.calls_per_s, Rounds(r), Ms(r.latency.p50_ms),
        Ms(r.latency.p99_ms), Ms(r.latency2.p50_ms), Ms(r.latency2.p99_ms),
        Ms(r.latency_op.p50_ms), Ms(r.latency_op.p99_ms), r.proc_cores, CpuMicros(r),
        std::max(0.0, r.machine_cores - r.proc_cores), r.errors);
  }
  for (const auto& r : nodes) {
    if (!r.first_error.empty()) o << "node first error: " << r.first_error << "\n";
  }

  o << "\n### Node vs the lower ceiling (calls/s: each call is one RPC and one synced commit)\n\n";
  o << "| callers | node calls/s | echo QPS | RocksDB batches/s ("
    << absl::GetFlag(FLAGS_ceiling_threads)
    << " threads) | lower ceiling | ratio | node / RocksDB in the same round (median) | "
       "target >= 60% |\n";
  o << "|---:|---:|---:|---:|---:|---:|---:|---|\n";
  for (const auto& r : nodes) {
    double echo_qps = 0;
    for (const auto& e : echo) {
      if (e.concurrency == r.concurrency) echo_qps = e.ops_per_s;
    }
    const double lower = echo_qps > 0 ? std::min(echo_qps, rocks_ceiling) : rocks_ceiling;
    const double ratio = lower > 0 ? r.calls_per_s / lower : 0;
    // The least disturbed rounds of the node and of the ceiling need not be the same round;
    // each round's own pair (run back to back) is the fairer comparison on a noisy machine.
    std::vector<double> paired;
    if (rocks_row != nullptr) {
      for (size_t i = 0; i < r.all_ops.size() && i < rocks_row->all_ops.size(); ++i) {
        if (rocks_row->all_ops[i] > 0) paired.push_back(r.all_ops[i] / rocks_row->all_ops[i]);
      }
    }
    std::string paired_text = "-";
    if (!paired.empty()) {
      std::vector<std::string> each;
      for (double x : paired) each.push_back(absl::StrFormat("%.0f%%", 100 * x));
      std::vector<double> sorted = paired;
      std::sort(sorted.begin(), sorted.end());
      paired_text = absl::StrFormat("%.0f%% (%s)", 100 * sorted[sorted.size() / 2],
                                    absl::StrJoin(each, ", "));
    }
    o << absl::StrFormat("| %d | %.0f | %.0f | %.0f | %.0f | %.0f%% | %s | %s |\n",
                         r.concurrency, r.calls_per_s, echo_qps, rocks_ceiling, lower,
                         100 * ratio, paired_text, ratio >= 0.6 ? "met" : "not met");
  }
  for (const auto& r : nodes) {
    if (r.concurrency == 16) {
      const double p99 = std::max(r.latency.p99_ms, r.latency2.p99_ms);
      o << absl::StrFormat(
          "\np99 per call at 16 callers: CreateCase %s ms, AddAction %s ms (target < 10 ms: "
          "%s)\n",
          Ms(r.latency.p99_ms), Ms(r.latency2.p99_ms), p99 < 10 ? "met" : "not met");
    }
  }

  if (m != nullptr) {
    o << "\n### " << m->load.cases << " cases loaded: the enlace-node binary as a child process\n\n";
    if (!m->error.empty()) o << "ERROR: " << m->error << "\n";
    o << absl::StrFormat(
        "data: %d cases (%d closed), %d persons, %d actions; store %.0f MiB on disk, of which "
        "%.0f MiB write-ahead log left by the bulk load; %s (in-process Registry, sync=false "
        "bulk load, %.0f s); the node runs on a hard-linked clone of it\n\n",
        m->load.cases, m->load.closed, m->load.persons, m->load.actions,
        m->load.dir_bytes / 1048576.0, m->wal_bytes / 1048576.0,
        m->load.reused ? "reused from --data_cache" : "loaded in this run", m->load.seconds);
    o << "| start-up (least disturbed repeat) | wall: exec -> port file (ms) | node's own "
         "\"ready in\" (ms) | others' CPU, cores | every repeat, wall ms | target < 2 s |\n"
         "|---|---:|---:|---:|---:|---|\n";
    auto start_row = [&](const std::string& what, const std::vector<StartResult>& v) {
      if (v.empty()) return;
      const StartResult& best = *std::min_element(
          v.begin(), v.end(), [](const StartResult& a, const StartResult& b) {
            return a.others_cores < b.others_cores;
          });
      std::vector<std::string> all;
      for (const auto& x : v) all.push_back(absl::StrFormat("%.0f", x.wall_ms));
      o << absl::StrFormat("| %s | %.0f | %d | %.2f | %s | %s |\n", what, best.wall_ms,
                           best.ready_ms, best.others_cores, absl::StrJoin(all, ", "),
                           best.wall_ms >= 0 && best.wall_ms < 2000 ? "met" : "not met");
    };
    start_row(absl::StrFormat("first start after the bulk load (%.0f MiB of WAL to replay)",
                              m->wal_bytes / 1048576.0),
              m->first_starts);
    start_row("restart after a clean shutdown", m->restarts);
    if (m->after_crash.wall_ms > 0) {
      start_row(absl::StrFormat("restart after kill -9 during writes (%.0f calls/s for %g s; "
                                "%.0f MiB of WAL to replay)",
                                m->crash_writes.calls_per_s, m->crash_writes.seconds,
                                m->crash_wal_bytes / 1048576.0),
                {m->after_crash});
      if (m->crash_writes.errors > 0) {
        o << "crash-test writes: " << m->crash_writes.errors << " errors, first "
          << m->crash_writes.first_error << "\n";
      }
    }
    if (!absl::GetFlag(FLAGS_read_audit)) {
      o << "\nNOTE: reads NOT audited (--read_audit=false): not the node's configuration\n";
    }
    o << "\n| ListCases, page_size 100, filter (least disturbed pass) | calls | mean cases "
         "returned | first call ms | p50 ms | p99 ms | max ms | others' CPU, cores | "
         "every pass, p99 ms | target < 5 ms (p99) | errors |\n";
    o << "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|\n";
    for (const auto& q : m->queries) {
      std::vector<std::string> all;
      for (double x : q.all_p99) all.push_back(Ms(x));
      o << absl::StrFormat("| %s | %d | %.1f | %s | %s | %s | %s | %.2f | %s | %s | %d |\n",
                           q.name, q.latency.count, q.mean_results, Ms(q.first_ms),
                           Ms(q.latency.p50_ms), Ms(q.latency.p99_ms), Ms(q.latency.max_ms),
                           q.others_cores, absl::StrJoin(all, ", "),
                           q.latency.count > 0 && q.latency.p99_ms < 5 ? "met" : "not met",
                           q.errors);
      if (!q.first_error.empty()) o << "  first error: " << q.first_error << "\n";
    }
    o << absl::StrFormat(
        "\nnode resident memory: VmRSS %.0f MiB after start-up, %.0f MiB after the queries "
        "(peak VmHWM %.0f MiB); target < 300 MB: %s\n",
        m->after_start.rss_kb / 1024.0, m->after_queries.rss_kb / 1024.0,
        m->after_queries.hwm_kb / 1024.0,
        m->after_queries.rss_kb > 0 && m->after_queries.rss_kb * 1024 < 300000000 ? "met"
                                                                                 : "not met");
    o << absl::StrFormat("node stop (SIGTERM): exit %d in %.0f ms\n", m->stop_status,
                         m->stop_ms);
  }
  o << absl::StrFormat("\nbenchmark finished in %.0f s\nmachine at the end: %s\n",
                       seconds_total, MachineLine(work));
  o.flush();
}

int Main() {
  const absl::Time began = absl::Now();
  std::string work = absl::GetFlag(FLAGS_work_dir);
  const bool own_work = work.empty();
  if (own_work) work = testing::MakeTempDir("enlace_bench");
  std::filesystem::create_directories(work);
  std::cerr << "cases_bench: work dir " << work << "\n";

  auto base = node::LoadNodeConfig(testing::RunfilePath(absl::GetFlag(FLAGS_node_config)));
  if (!base.ok()) {
    std::cerr << "cases_bench: " << base.status() << "\n";
    return 1;
  }
  // The workspace is shared with other builds: snapshot the enlace-node binary now, so that
  // a rebuild during the run cannot swap it (NodeProcess finds it under TEST_SRCDIR).
  {
    const std::string from = testing::RunfilePath("services/node/enlace-node");
    const std::string dir = work + "/runfiles/enlace/services/node";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    std::filesystem::copy_file(from, dir + "/enlace-node",
                               std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) {
      std::cerr << "cases_bench: cannot copy " << from << ": " << ec.message() << "\n";
      return 1;
    }
    setenv("TEST_SRCDIR", (work + "/runfiles").c_str(), 1);
  }
  auto pki = testing::TestPki::Create(work, base->country());
  if (!pki.ok()) {
    std::cerr << "cases_bench: " << pki.status() << "\n";
    return 1;
  }
  auto supervisor = pki->Client(SupervisorIdentity(base->country()));
  if (!supervisor.ok()) {
    std::cerr << "cases_bench: " << supervisor.status() << "\n";
    return 1;
  }
  // The demo country's posts, with the test node's data, TLS, port and key settings.
  NodeConfig config = testing::TestNodeConfig(work, base->country());
  *config.mutable_posts() = base->posts();
  // One client of the benchmark makes thousands of calls per second: lift the per-identity
  // rate limit (default 500/s), which is there to stop a runaway client, not to be measured.
  config.mutable_security()->set_rate_per_second(1e9);
  config.mutable_security()->set_rate_burst(1e9);

  const std::vector<int> callers = ParseIntList(absl::GetFlag(FLAGS_callers));
  const std::vector<std::string> parts = absl::StrSplit(absl::GetFlag(FLAGS_parts), ',');
  auto part = [&](const std::string& p) {
    return std::find(parts.begin(), parts.end(), p) != parts.end();
  };
  const std::string run_id = ids::NewId().substr(10);

  // The node first (needs its persons), to size the echo payload on the real requests.
  config.set_data_dir(work + "/node-data");
  std::vector<node::ModuleSpec> modules;
  {
    const std::vector<std::string> without =
        absl::StrSplit(absl::GetFlag(FLAGS_without_modules), ',', absl::SkipEmpty());
    for (const node::ModuleSpec& spec : node::NodeModules()) {
      if (std::find(without.begin(), without.end(), spec.name) == without.end()) {
        modules.push_back(spec);
      }
    }
    std::cerr << "node modules:";
    for (const auto& m : modules) std::cerr << " " << m.name;
    std::cerr << "\n";
    std::cout << "node modules: " << modules.size() << " of " << node::NodeModules().size()
              << (without.empty() ? "" : absl::StrCat(" (without ", absl::GetFlag(FLAGS_without_modules), ")"))
              << "\n";
  }
  auto node = node::Node::Start(config, modules);
  if (!node.ok()) {
    std::cerr << "cases_bench: " << node.status() << "\n";
    return 1;
  }
  std::vector<cv1::Person> persons;
  {
    sampledata::SampleData gen(config, absl::GetFlag(FLAGS_seed));
    auto caller = ParseIdentity(SupervisorIdentity(config.country()));
    if (!caller.ok()) {
      std::cerr << "cases_bench: " << caller.status() << "\n";
      return 1;
    }
    for (int i = 0; i < absl::GetFlag(FLAGS_persons); ++i) {
      cv1::CreatePersonRequest req;
      req.set_parent("countries/" + config.country());
      *req.mutable_person() = gen.NextPerson();
      auto p = (*node)->registry()->CreatePerson(req, *caller);
      if (p.ok()) persons.push_back(*std::move(p));
    }
  }
  if (persons.empty()) {
    std::cerr << "cases_bench: could not create persons\n";
    return 1;
  }
  const auto all_templates = MakeTemplates(config, persons, 4096);
  size_t bytes = 0;
  std::map<std::string, std::vector<CaseTemplate>> templates;  // by post
  for (const auto& t : all_templates) {
    cv1::CreateCaseRequest r;
    r.set_parent("countries/MX");
    *r.mutable_case_() = t.c;
    if (t.shown.has_document()) *r.mutable_presented_identity() = t.shown;
    r.set_request_id(absl::StrCat(run_id, "-64-63-c123456"));
    bytes += r.ByteSizeLong();
    templates[t.c.post()].push_back(t);
  }
  const std::string payload(bytes / all_templates.size(), 'p');
  // Callers are officers of the posts, the busiest first (as many as the largest step needs).
  std::vector<std::string> busiest;
  for (const auto& [post, v] : templates) busiest.push_back(post);
  std::sort(busiest.begin(), busiest.end(), [&](const std::string& a, const std::string& b) {
    return templates[a].size() > templates[b].size();
  });
  std::vector<Officer> officers;
  const int max_callers =
      callers.empty() ? 1 : std::min(*std::max_element(callers.begin(), callers.end()),
                                     absl::GetFlag(FLAGS_max_channels));
  for (int i = 0; i < max_callers; ++i) {
    const std::string& post = busiest[i % busiest.size()];
    auto cert = pki->Client(OfficerIdentity(config.country(), post, i));
    if (!cert.ok()) {
      std::cerr << "cases_bench: " << cert.status() << "\n";
      return 1;
    }
    officers.push_back({post, *std::move(cert)});
  }

  // Interleaved rounds: node and echo at the same concurrency run back to back, so that the
  // load of other tenants of this machine hits a figure and its ceiling alike; the report
  // keeps, row by row, the round they disturbed least.
  EchoServiceImpl echo_service;
  int echo_port = 0;
  auto echo_server = StartEchoServer(work, &echo_service, &echo_port);
  if (!echo_server.ok()) {
    std::cerr << "cases_bench: " << echo_server.status() << "\n";
    return 1;
  }
  const int rounds = std::max(1, absl::GetFlag(FLAGS_rounds));
  std::vector<std::vector<StepResult>> node_rounds, echo_rounds, rocks_rounds;
  for (int round = 0; round < rounds; ++round) {
    std::vector<StepResult> node_results, echo_results, rocks_results;
    for (int n : callers) {
      if (part("node")) {
        std::cerr << "round " << round + 1 << ": node, " << n << " callers\n";
        node_results.push_back(
            RunNodeStep((*node)->api_port(), *pki, officers, n, templates, run_id));
      }
      if (part("echo")) {
        std::cerr << "round " << round + 1 << ": echo, " << n << " callers\n";
        echo_results.push_back(RunEchoStep(echo_port, *pki, officers, n, payload));
      }
    }
    for (int t : part("rocksdb") ? ParseIntList(absl::GetFlag(FLAGS_rocksdb_threads))
                                : std::vector<int>{}) {
      std::cerr << "round " << round + 1 << ": rocksdb, " << t << " threads\n";
      rocks_results.push_back(RunRocksStep(work + "/rocks", t));
    }
    node_rounds.push_back(std::move(node_results));
    echo_rounds.push_back(std::move(echo_results));
    rocks_rounds.push_back(std::move(rocks_results));
  }
  (*echo_server)->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(5));
  if (absl::Status s = (*node)->Shutdown(absl::Seconds(10)); !s.ok()) {
    std::cerr << "cases_bench: node shutdown: " << s << "\n";
  }
  node->reset();
  const std::vector<StepResult> node_results = LeastDisturbed(node_rounds);
  const std::vector<StepResult> echo_results = LeastDisturbed(echo_rounds);
  const std::vector<StepResult> rocks_results = LeastDisturbed(rocks_rounds);

  std::unique_ptr<MillionResult> million;
  if (part("million") && absl::GetFlag(FLAGS_million) > 0) {
    std::cerr << "million: " << absl::GetFlag(FLAGS_million) << " cases\n";
    million = std::make_unique<MillionResult>(
        RunMillion(config, work, *pki, *supervisor, officers, run_id));
  }

  PrintReport(echo_results, rocks_results, node_results, million.get(), work, payload.size(),
              absl::ToDoubleSeconds(absl::Now() - began));
  if (own_work) std::filesystem::remove_all(work);
  return 0;
}

}  // namespace
}  // namespace enlace::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "The cases benchmark: ceilings, CreateCase+AddAction and the 1M-case node. "
      "See BENCHMARKS.md.");
  absl::ParseCommandLine(argc, argv);
  if (!absl::GetFlag(FLAGS_absl_deadlock_detection)) {
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  }
  signal(SIGPIPE, SIG_IGN);
  // NodeProcess and the demo config are found through the runfiles tree.
  if (getenv("TEST_SRCDIR") == nullptr) {
    std::string runfiles;
    if (const char* r = getenv("RUNFILES_DIR"); r != nullptr) {
      runfiles = r;
    } else {
      runfiles = std::string(argv[0]) + ".runfiles";
    }
    if (std::filesystem::exists(runfiles)) setenv("TEST_SRCDIR", runfiles.c_str(), 1);
  }
  return enlace::bench::Main();
}
