// The security-cost benchmark (issue #4; method and results in BENCHMARKS.md).
//
// In ONE run, two in-process nodes of the same build and the same machine:
//   "on":  the default configuration: personal fields sealed with per-person data keys
//          (AES-256-GCM), every read of personal data audited (a synced commit of the audit
//          record before the answer);
//   "off": security.disable_sealing = true and security.disable_read_audit = true.
// The same callers (officers over mTLS, closed loops, one connection each) run CreateCase
// and GetCase against each node in turn, interleaved over several rounds; the report gives
// QPS and latency of each and the ratio on/off. A bare synced RocksDB commit of one audit-sized
// record (1 and N writers) is measured in the same run to explain what an audited read costs.
// Prints Markdown tables; exits 0 when it ran. No timing is ever asserted.
//
//   bash tests/bench/run_security.sh [--quick]
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/identity/caller.h"
#include "common/ids/ids.h"
#include "common/sampledata/sample_data.h"
#include "common/storage/store.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "services/node/node.h"
#include "tests/bench/bench_util.h"
#include "tests/testing/test_env.h"

ABSL_FLAG(double, step_seconds, 8, "Measured seconds of each step.");
ABSL_FLAG(double, warmup_seconds, 1, "Unmeasured seconds before each step.");
ABSL_FLAG(int, rounds, 3, "Interleaved rounds; the report keeps each row's median round.");
ABSL_FLAG(std::string, callers, "1,16", "Concurrent callers (closed loops, one connection each).");
ABSL_FLAG(int, target_callers, 16, "Which callers figure the target is judged at.");
ABSL_FLAG(int, persons, 256, "Persons created on each node before the steps.");
ABSL_FLAG(double, quiet_wait_seconds, 30,
          "Before each step, wait up to this long for other tenants to go quiet.");
ABSL_FLAG(double, quiet_cores, 0.25, "Quiet: other processes use fewer cores than this.");
ABSL_FLAG(std::string, work_dir, "", "Scratch directory (default: a new one under /tmp).");
ABSL_FLAG(uint64_t, seed, 4242, "Seed of the sample data generator.");
ABSL_FLAG(bool, absl_deadlock_detection, false,
          "Abseil's mutex deadlock detection in the benchmark's process (both nodes). Off by "
          "default, as in the release enlace-node binary; true measures what it costs.");

namespace enlace::bench {
namespace {

namespace cv1 = ::enlace::cases::v1;
using node::v1::NodeConfig;

constexpr char kCountry[] = "MX";
constexpr auto kCallDeadline = std::chrono::seconds(30);

std::string TrustDomain() {
  return absl::StrCat("spiffe://", absl::AsciiStrToLower(kCountry), ".enlace.example");
}
std::string OfficerIdentity(const std::string& post, int n) {
  return absl::StrCat(TrustDomain(), "/role/officer/post/", post, "/user/secbench", n);
}
std::string SupervisorIdentity() { return absl::StrCat(TrustDomain(), "/role/supervisor/user/secbench"); }

double Quiet() {
  return WaitForQuiet(absl::GetFlag(FLAGS_quiet_wait_seconds), absl::GetFlag(FLAGS_quiet_cores));
}

std::vector<int> ParseIntList(const std::string& s) {
  std::vector<int> out;
  for (absl::string_view part : absl::StrSplit(s, ',', absl::SkipWhitespace())) {
    int v = 0;
    if (absl::SimpleAtoi(part, &v) && v > 0) out.push_back(v);
  }
  return out;
}

// One node under test, with what the callers need.
struct Target {
  std::string mode;  // "on" / "off"
  std::unique_ptr<node::Node> node;
  // Case templates by post (persons of this node).
  std::map<std::string, std::vector<cv1::Case>> templates;
  // Cases created so far, by post (GetCase reads them).
  std::map<std::string, std::vector<std::string>> cases;
};

struct Officer {
  std::string post;
  pki::CertAndKey cert;
};

absl::Status Prepare(Target& t, const NodeConfig& config) {
  auto started = node::Node::Start(config);
  if (!started.ok()) return started.status();
  t.node = *std::move(started);
  auto caller = ParseIdentity(SupervisorIdentity());
  if (!caller.ok()) return caller.status();
  // The same generator seed on both nodes: the same persons and cases, byte for byte.
  sampledata::SampleData gen(config, absl::GetFlag(FLAGS_seed));
  std::vector<cv1::Person> persons;
  for (int i = 0; i < absl::GetFlag(FLAGS_persons); ++i) {
    cv1::CreatePersonRequest req;
    req.set_parent(absl::StrCat("countries/", kCountry));
    *req.mutable_person() = gen.NextPerson();
    auto p = t.node->registry()->CreatePerson(req, *caller);
    if (p.ok()) persons.push_back(*std::move(p));
  }
  if (persons.empty()) return absl::InternalError("no person could be created");
  std::set<std::pair<std::string, std::string>> granted;
  for (int i = 0; i < 4096; ++i) {
    const cv1::Person& p = persons[i % persons.size()];
    cv1::Case c = gen.NextCase(p.name(), p);
    // The persons were registered by a supervisor: the post's officers reach them through a
    // supervisor's grant (issue 8), made here, outside the timed steps.
    if (granted.insert({p.name(), c.post()}).second) {
      cv1::GrantPersonAccessRequest g;
      g.set_name(p.name());
      g.set_post(c.post());
      g.set_reason("security benchmark: callers of the post");
      auto done = t.node->registry()->GrantPersonAccess(g, *caller);
      if (!done.ok()) return done.status();
    }
    t.templates[c.post()].push_back(std::move(c));
  }
  return absl::OkStatus();
}

struct StepResult {
  std::string mode;
  std::string op;
  int callers = 0;
  double qps = 0;
  Latency latency;
  double cores = 0;         // this process (callers and node)
  double others_cores = 0;  // other tenants of the machine
  int64_t errors = 0;
  std::string first_error;
  std::vector<double> all_qps;
};

// Closed-loop callers, one thread and one connection each.
StepResult RunStep(Target& t, const std::string& op, int callers,
                   const std::vector<Officer>& officers, const testing::TestPki& pki,
                   const std::string& run_id) {
  StepResult r;
  r.mode = t.mode;
  r.op = op;
  r.callers = callers;
  std::vector<std::unique_ptr<cv1::CaseService::Stub>> stubs;
  for (int i = 0; i < callers; ++i) {
    auto ch = testing::MakeChannel(t.node->api_port(), pki.ca(),
                                   &officers[i % officers.size()].cert);
    ch->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10));
    stubs.push_back(cv1::CaseService::NewStub(ch));
  }
  Quiet();
  const int64_t start = NowNanos();
  const int64_t t0 = start + static_cast<int64_t>(absl::GetFlag(FLAGS_warmup_seconds) * 1e9);
  const int64_t t1 = t0 + static_cast<int64_t>(absl::GetFlag(FLAGS_step_seconds) * 1e9);
  std::vector<std::vector<int64_t>> lat(callers);
  std::vector<std::vector<std::string>> created(callers);
  std::atomic<int64_t> errors{0};
  absl::Mutex mu;
  std::string first_error;
  for (const auto& officer : officers) t.cases[officer.post];  // no insertion while running
  std::vector<std::thread> threads;
  for (int i = 0; i < callers; ++i) {
    threads.emplace_back([&, i] {
      const std::string& post = officers[i % officers.size()].post;
      const auto& templates = t.templates.at(post);
      const std::vector<std::string>* names = &t.cases[post];
      std::mt19937_64 rng(i * 7919 + 1);
      uint64_t n = 0;
      while (true) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + kCallDeadline);
        grpc::Status s;
        const int64_t c0 = NowNanos();
        if (op == "CreateCase") {
          cv1::CreateCaseRequest req;
          req.set_parent(absl::StrCat("countries/", kCountry));
          *req.mutable_case_() = templates[(i * 131 + n) % templates.size()];
          req.set_request_id(absl::StrCat(run_id, "-", t.mode, "-", callers, "-", i, "-", n));
          cv1::Case out;
          s = stubs[i]->CreateCase(&ctx, req, &out);
          if (s.ok()) created[i].push_back(out.name());
        } else if (names->empty()) {
          s = grpc::Status(grpc::StatusCode::FAILED_PRECONDITION, "no case to read at this post");
        } else {
          cv1::GetCaseRequest req;
          req.set_name((*names)[rng() % names->size()]);
          cv1::Case out;
          s = stubs[i]->GetCase(&ctx, req, &out);
        }
        const int64_t c1 = NowNanos();
        ++n;
        if (c1 >= t0 && c1 < t1) {
          if (s.ok()) {
            lat[i].push_back(c1 - c0);
          } else {
            ++errors;
            absl::MutexLock l(&mu);
            if (first_error.empty()) {
              first_error = absl::StrCat(s.error_code(), ": ", s.error_message());
            }
          }
        }
        if (c1 >= t1) break;
      }
    });
  }
  // CPU from the end of the warm-up to the end of the step.
  std::this_thread::sleep_for(std::chrono::nanoseconds(std::max<int64_t>(0, t0 - NowNanos())));
  CpuMeter cpu;
  std::this_thread::sleep_for(std::chrono::nanoseconds(std::max<int64_t>(0, t1 - NowNanos())));
  auto [ours, machine] = cpu.Stop();
  for (auto& th : threads) th.join();
  std::vector<int64_t> all;
  for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
  for (int i = 0; i < callers; ++i) {
    auto& v = t.cases[officers[i % officers.size()].post];
    v.insert(v.end(), created[i].begin(), created[i].end());
  }
  const double seconds = (t1 - t0) / 1e9;
  r.qps = all.size() / seconds;
  r.latency = Summarize(std::move(all));
  r.cores = ours;
  r.others_cores = std::max(0.0, machine - ours);  // during the measured step
  r.errors = errors;
  r.first_error = first_error;
  return r;
}

// A bare synced commit of one audit-sized record, from `threads` writers.
struct SyncResult {
  int threads = 0;
  double commits_per_s = 0;
  Latency latency;
};

SyncResult RunSyncStep(const std::string& dir, int threads) {
  SyncResult r;
  r.threads = threads;
  std::filesystem::remove_all(dir);
  Quiet();
  auto store = storage::Store::Open(node::NodeStoreOptions(dir));  // sync = true
  if (!store.ok()) return r;
  const storage::ColumnFamily* cf = (*store)->cf("audit");
  const std::string value(300, 'a');
  const int64_t t0 = NowNanos() + static_cast<int64_t>(absl::GetFlag(FLAGS_warmup_seconds) * 1e9);
  const int64_t t1 = t0 + static_cast<int64_t>(absl::GetFlag(FLAGS_step_seconds) / 2 * 1e9);
  std::vector<std::vector<int64_t>> lat(threads);
  std::vector<std::thread> ts;
  for (int i = 0; i < threads; ++i) {
    ts.emplace_back([&, i] {
      while (true) {
        storage::WriteBatch b;
        b.Put(cf, ids::NewId(), value);
        const int64_t s = NowNanos();
        if (!(*store)->Commit(b).ok()) break;
        const int64_t e = NowNanos();
        if (e >= t0 && e < t1) lat[i].push_back(e - s);
        if (e >= t1) break;
      }
    });
  }
  for (auto& t : ts) t.join();
  std::vector<int64_t> all;
  for (auto& l : lat) all.insert(all.end(), l.begin(), l.end());
  r.commits_per_s = all.size() / ((t1 - t0) / 1e9);
  r.latency = Summarize(std::move(all));
  store->reset();
  std::filesystem::remove_all(dir);
  return r;
}

std::string Every(const std::vector<double>& v) {
  if (v.size() < 2) return "";
  std::vector<std::string> s;
  for (double x : v) s.push_back(absl::StrFormat("%.0f", x));
  return absl::StrCat(" (", absl::StrJoin(s, ", "), ")");
}

int Main() {
  const absl::Time began = absl::Now();
  std::string work = absl::GetFlag(FLAGS_work_dir);
  const bool own_work = work.empty();
  if (own_work) work = testing::MakeTempDir("enlace_secbench");
  std::filesystem::create_directories(work);
  std::cerr << "security_bench: work dir " << work << "\n";
  auto pki = testing::TestPki::Create(work, kCountry);
  if (!pki.ok()) {
    std::cerr << "security_bench: " << pki.status() << "\n";
    return 1;
  }
  const NodeConfig base = testing::TestNodeConfig(work, kCountry);
  Target on, off;
  on.mode = "on";
  off.mode = "off";
  {
    NodeConfig c = base;
    c.set_data_dir(work + "/on-data");
    c.clear_port_file();
    if (absl::Status s = Prepare(on, c); !s.ok()) {
      std::cerr << "security_bench: node on: " << s << "\n";
      return 1;
    }
  }
  {
    NodeConfig c = base;
    c.set_data_dir(work + "/off-data");
    c.clear_port_file();
    c.mutable_security()->set_disable_sealing(true);
    c.mutable_security()->set_disable_read_audit(true);
    if (absl::Status s = Prepare(off, c); !s.ok()) {
      std::cerr << "security_bench: node off: " << s << "\n";
      return 1;
    }
  }
  const std::vector<int> callers = ParseIntList(absl::GetFlag(FLAGS_callers));
  const int max_callers = callers.empty() ? 1 : *std::max_element(callers.begin(), callers.end());
  std::vector<std::string> posts;
  for (const auto& p : base.posts()) posts.push_back(p.code());
  std::vector<Officer> officers;
  for (int i = 0; i < max_callers; ++i) {
    const std::string& post = posts[i % posts.size()];
    auto cert = pki->Client(OfficerIdentity(post, i));
    if (!cert.ok()) {
      std::cerr << "security_bench: " << cert.status() << "\n";
      return 1;
    }
    officers.push_back({post, *cert});
  }
  const std::string run_id = ids::NewId().substr(10);

  // rows[op][callers][mode] -> every round's result
  std::map<std::string, std::map<int, std::map<std::string, std::vector<StepResult>>>> rows;
  const int rounds = std::max(1, absl::GetFlag(FLAGS_rounds));
  for (int round = 0; round < rounds; ++round) {
    std::cerr << "security_bench: round " << round + 1 << " / " << rounds << "\n";
    for (const std::string op : {"CreateCase", "GetCase"}) {
      for (int c : callers) {
        // Alternate which mode goes first, so a drift of the machine does not favour one.
        Target* order[2] = {&on, &off};
        if (round % 2 == 1) std::swap(order[0], order[1]);
        for (Target* t : order) {
          rows[op][c][t->mode].push_back(RunStep(*t, op, c, officers, *pki, run_id));
        }
      }
    }
  }
  std::vector<SyncResult> syncs;
  for (int threads : {1, absl::GetFlag(FLAGS_target_callers)}) {
    syncs.push_back(RunSyncStep(work + "/sync", threads));
  }
  on.node->Shutdown(absl::Seconds(5)).IgnoreError();
  off.node->Shutdown(absl::Seconds(5)).IgnoreError();

  auto median = [](std::vector<StepResult> v) {
    std::vector<double> all;
    for (const auto& x : v) all.push_back(x.qps);
    std::sort(v.begin(), v.end(),
              [](const StepResult& a, const StepResult& b) { return a.qps < b.qps; });
    StepResult m = v[(v.size() - 1) / 2];
    m.all_qps = all;
    return m;
  };

  auto& o = std::cout;
  o << "\n## Enlace security cost: sealing and read audit on vs off\n\n";
  o << "machine: " << MachineLine(work) << "\n";
  o << absl::StrFormat(
      "setup: two in-process nodes of this build (on: default security; off: "
      "security.disable_sealing and security.disable_read_audit), %d persons each; callers are "
      "officers of %d posts over mTLS, closed loops, one connection each; steps of %g s after "
      "%g s warm-up, %d interleaved rounds (the mode going first alternates), median round "
      "shown (every round in brackets)\n\n",
      absl::GetFlag(FLAGS_persons), posts.size(), absl::GetFlag(FLAGS_step_seconds),
      absl::GetFlag(FLAGS_warmup_seconds), rounds);
  o << "| call | callers | security | QPS (every round) | p50 ms | p99 ms | CPU us per call | "
       "others' CPU in the step, cores | errors |\n";
  o << "|---|---:|---|---:|---:|---:|---:|---:|---:|\n";
  std::map<std::string, std::map<int, std::map<std::string, StepResult>>> med;
  for (auto& [op, by_callers] : rows) {
    for (auto& [c, by_mode] : by_callers) {
      for (const char* mode : {"on", "off"}) {
        StepResult m = median(by_mode[mode]);
        med[op][c][mode] = m;
        o << absl::StrFormat("| %s | %d | %s | **%.0f**%s | %s | %s | %.0f | %.2f | %d |\n", op,
                             c, mode, m.qps, Every(m.all_qps), Ms(m.latency.p50_ms),
                             Ms(m.latency.p99_ms), m.qps > 0 ? 1e6 * m.cores / m.qps : 0,
                             m.others_cores, m.errors);
        if (!m.first_error.empty()) o << "first error: " << m.first_error << "\n";
      }
    }
  }
  o << "\n### Ratios (security on vs off, same run)\n\n";
  o << "| call | callers | QPS on / off (medians) | slower by: QPS off / on - 1, median of the "
       "rounds' pairs (every pair) | p50 on / off "
       "| p99 on / off | CPU per call on / off | target: under 25% slower |\n";
  o << "|---|---:|---:|---:|---:|---:|---:|---|\n";
  const int target = absl::GetFlag(FLAGS_target_callers);
  for (auto& [op, by_callers] : med) {
    for (auto& [c, by_mode] : by_callers) {
      const StepResult& a = by_mode["on"];
      const StepResult& b = by_mode["off"];
      // Paired by round (on and off ran back to back), then the median: a drift of the
      // machine between rounds moves both modes of a pair alike.
      std::vector<double> paired;
      const auto& on_rounds = rows[op][c]["on"];
      const auto& off_rounds = rows[op][c]["off"];
      for (size_t i = 0; i < on_rounds.size() && i < off_rounds.size(); ++i) {
        if (on_rounds[i].qps > 0) paired.push_back(off_rounds[i].qps / on_rounds[i].qps - 1);
      }
      std::sort(paired.begin(), paired.end());
      const double slower = paired.empty() ? 0 : paired[(paired.size() - 1) / 2];
      std::vector<std::string> every;
      for (double x : paired) every.push_back(absl::StrFormat("%+.0f%%", 100 * x));
      const double cpu_a = a.qps > 0 ? a.cores / a.qps : 0;
      const double cpu_b = b.qps > 0 ? b.cores / b.qps : 0;
      o << absl::StrFormat(
          "| %s | %d | %.2f | **%+.0f%%** (%s) | %.2f | %.2f | %.2f | %s |\n", op, c,
          b.qps > 0 ? a.qps / b.qps : 0, 100 * slower, absl::StrJoin(every, ", "),
          b.latency.p50_ms > 0 ? a.latency.p50_ms / b.latency.p50_ms : 0,
          b.latency.p99_ms > 0 ? a.latency.p99_ms / b.latency.p99_ms : 0,
          cpu_b > 0 ? cpu_a / cpu_b : 0,
          c == target ? (slower < 0.25 ? "met" : "not met") : "(not the target's load)");
    }
  }
  o << "\n### What an audited read costs: a bare synced commit of one 300-byte record (same run)\n\n";
  o << "| writers | commits/s | p50 ms | p99 ms |\n|---:|---:|---:|---:|\n";
  for (const auto& s : syncs) {
    o << absl::StrFormat("| %d | %.0f | %s | %s |\n", s.threads, s.commits_per_s,
                         Ms(s.latency.p50_ms), Ms(s.latency.p99_ms));
  }
  o << absl::StrFormat("\nbenchmark finished in %.0f s\nmachine at the end: %s\n",
                       absl::ToDoubleSeconds(absl::Now() - began), MachineLine(work));
  o.flush();
  on.node.reset();
  off.node.reset();
  if (own_work) std::filesystem::remove_all(work);
  return 0;
}

}  // namespace
}  // namespace enlace::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "The security-cost benchmark: CreateCase and GetCase with sealing and read audit on and "
      "off. See BENCHMARKS.md.");
  absl::ParseCommandLine(argc, argv);
  if (!absl::GetFlag(FLAGS_absl_deadlock_detection)) {
    absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  }
  signal(SIGPIPE, SIG_IGN);
  return enlace::bench::Main();
}
