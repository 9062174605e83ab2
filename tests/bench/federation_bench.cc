// The federation benchmark (issue #3; method and results in BENCHMARKS.md).
//
// Two real enlace-node processes, MX -> GT, federated over mTLS on loopback. In ONE run it
// measures:
//   1. ceiling "stream": a bare gRPC bidirectional stream of the same envelopes (1 KB payload,
//      same bytes on the wire) over the same mTLS (GT's node certificate, MX's client
//      certificate, the sender's channel arguments), cumulative acks, the sender's window and
//      buffer_hint; the receiving end is a second process (this binary re-executed) that acks
//      without verifying or storing anything;
//   2. ceiling "rocksdb": bare synced WriteBatches of N ~1 KB puts (the inbox commits one
//      batch of up to 1024 envelopes per commit) into a store opened like a node's;
//   3. the cost of Ed25519 signing and verifying one envelope (one core);
//   4. latency: unloaded, one CreateOrganisation on MX until GetOrganisation on GT finds it;
//   5. backlog: with MX stopped, N envelopes (directory upserts of ~1 KB owned by MX) are
//      committed into MX's outbox offline through txn::Committer (the state a partition
//      leaves); then both nodes start and the drain is timed: catch-up time, and the
//      steady envelopes/s signed, verified and durably applied -- the throughput figure.
// Prints Markdown tables and exits 0 when it ran; no timing is ever asserted.
//
//   bash tests/bench/run_federation.sh [--quick]
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
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
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "common/crypto/signing.h"
#include "common/ids/ids.h"
#include "common/storage/store.h"
#include "common/testing/postgres_server.h"
#include "common/txn/committer.h"
#include "enlace/directory/v1/directory.grpc.pb.h"
#include "enlace/federation/v1/admin.grpc.pb.h"
#include "enlace/federation/v1/federation.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "services/directory/directory.h"
#include "services/federation/inbox.h"
#include "services/node/node.h"
#include "tests/bench/bench_util.h"
#include "tests/testing/test_env.h"

ABSL_FLAG(int64_t, backlog, 1000000,
          "Envelopes queued in MX's outbox while it is stopped; their drain gives the "
          "throughput and the catch-up time (0 skips the part).");
ABSL_FLAG(int, payload_bytes, 1024, "Bytes of each envelope's payload (an OrganisationChange).");
ABSL_FLAG(int, latency_changes, 100, "Measured changes of the latency part (0 skips it).");
ABSL_FLAG(double, latency_gap_ms, 20, "Pause between two latency changes (unloaded).");
ABSL_FLAG(double, poll_interval_ms, 0.5,
          "Latency: pause between two GetOrganisation polls of GT.");
ABSL_FLAG(double, ceiling_seconds, 8, "Measured seconds of each ceiling step.");
ABSL_FLAG(double, warmup_seconds, 1, "Unmeasured seconds before each ceiling step.");
ABSL_FLAG(int, rounds, 3, "Rounds of the ceiling steps (interleaved); the median is kept.");
ABSL_FLAG(int, window, 4096, "Envelopes in flight per link (the sender's default is 4096).");
ABSL_FLAG(std::string, rocksdb_batches, "1,64,1024",
          "Puts per synced WriteBatch of the RocksDB ceiling; the ceiling is the largest "
          "(the inbox commits up to 1024 envelopes at once).");
ABSL_FLAG(double, drain_timeout_seconds, 1200, "Give up waiting for the backlog after this.");
ABSL_FLAG(double, quiet_wait_seconds, 30,
          "Before each step, wait up to this long for other tenants to go quiet.");
ABSL_FLAG(double, quiet_cores, 0.25, "Quiet: other processes use fewer cores than this.");
ABSL_FLAG(std::string, work_dir, "", "Scratch directory (default: a new one under /tmp).");
ABSL_FLAG(bool, keep_work_dir, false, "Keep the work dir (stores, node logs) at the end.");
ABSL_FLAG(std::string, parts, "ceilings,latency,backlog", "Which parts to run.");
ABSL_FLAG(std::string, store, "rocksdb",
          "The nodes' store: rocksdb (embedded, the default) or postgres (each node a database "
          "of one throwaway local PostgreSQL 15 with its durable defaults: fsync and "
          "synchronous_commit on; docs/operations.md, \"Choosing a store\").");
ABSL_FLAG(std::string, postgres_conninfo, "",
          "With --store=postgres: a server to use instead of a throwaway one (e.g. the "
          "replicated cluster of tests/ha/ha_cluster.sh); each node gets database mx or gt.");
// Internal: the receiving end of the stream ceiling, run as a child process.
ABSL_FLAG(std::string, serve_stream_ceiling, "",
          "Internal: serve the stream ceiling with cert,key,client_ca,port_file.");

namespace enlace::bench {
namespace {

namespace dv1 = ::enlace::directory::v1;
namespace fv1 = ::enlace::federation::v1;
using testing::NodeProcess;
using testing::TestFederation;

constexpr char kSender[] = "MX";
constexpr char kReceiver[] = "GT";

std::unique_ptr<grpc::ClientContext> Ctx(absl::Duration d = absl::Seconds(10)) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(d));
  return ctx;
}

double Quiet(std::vector<pid_t> ours = {}) {
  return WaitForQuiet(absl::GetFlag(FLAGS_quiet_wait_seconds), absl::GetFlag(FLAGS_quiet_cores),
                      std::move(ours));
}

// ---- the payload: a directory entry of MX, ~payload_bytes serialized ----

dv1::OrganisationChange MakeChange(int64_t i, int payload_bytes) {
  dv1::OrganisationChange change;
  dv1::Organisation* o = change.mutable_organisation();
  o->set_name(absl::StrCat("countries/", kSender, "/organisations/", ids::NewId()));
  o->set_display_name(absl::StrCat("Casa del Migrante ", i));
  o->set_type(dv1::ORGANISATION_TYPE_SHELTER);
  o->add_services(dv1::SERVICE_SHELTER);
  o->add_services(dv1::SERVICE_LEGAL_AID);
  o->add_areas("MX-CHP");
  o->add_languages("es");
  o->set_revision(1);
  const absl::Time now = absl::Now();
  o->mutable_create_time()->set_seconds(absl::ToUnixSeconds(now));
  *o->mutable_update_time() = o->create_time();
  o->set_etag("r1");
  // Fill the description up to the wanted size (at most 2000 bytes, the directory's limit).
  static const std::string kText =
      "Albergue y asesoria juridica para personas migrantes en transito; atencion a ninas, "
      "ninos y adolescentes no acompanados, canalizacion medica y apoyo psicosocial. ";
  const int base = static_cast<int>(change.ByteSizeLong());
  int want = std::clamp(payload_bytes - base - 3, 0, 2000);
  std::string d;
  while (static_cast<int>(d.size()) < want) d += kText;
  d.resize(want);
  o->set_description(d);
  return change;
}

// The bytes an envelope carries on the wire, built as the committer builds them.
fv1::Envelope MakeWireEnvelope(int payload_bytes) {
  fv1::EnvelopeBody body;
  body.set_sender(kSender);
  body.set_receiver(kReceiver);
  body.set_seq(123456);
  body.set_id(ids::NewId());
  body.set_kind(directory::kUpsertKind);
  body.set_payload(MakeChange(1, payload_bytes).SerializeAsString());
  body.mutable_create_time()->set_seconds(absl::ToUnixSeconds(absl::Now()));
  fv1::Envelope env;
  env.set_body(body.SerializeAsString());
  env.set_signature(std::string(64, 's'));
  return env;
}

// ---- ceiling 1: a bare bidi stream with cumulative acks ----

// The receiving end: acks the highest seq read whenever no ack write is in flight.
class CeilingReactor : public grpc::ServerBidiReactor<fv1::ExchangeRequest, fv1::ExchangeResponse> {
 public:
  CeilingReactor() { StartRead(&request_); }
  void OnReadDone(bool ok) override {
    absl::MutexLock l(&mu_);
    if (!ok) {
      reads_done_ = true;
      MaybeFinishLocked();
      return;
    }
    if (request_.has_hello()) {
      pending_welcome_ = true;
    } else if (request_.has_envelope()) {
      received_ = std::max(received_, request_.envelope().seq());
    }
    MaybeWriteLocked();
    StartRead(&request_);
  }
  void OnWriteDone(bool ok) override {
    absl::MutexLock l(&mu_);
    writing_ = false;
    if (!ok) reads_done_ = true;
    MaybeWriteLocked();
    MaybeFinishLocked();
  }
  void OnCancel() override {
    absl::MutexLock l(&mu_);
    reads_done_ = true;
    MaybeFinishLocked();
  }
  void OnDone() override { delete this; }

 private:
  void MaybeWriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || finished_ || reads_done_) return;
    if (pending_welcome_) {
      pending_welcome_ = false;
      response_.mutable_welcome()->set_applied_seq(0);
    } else if (received_ > acked_) {
      acked_ = received_;
      response_.mutable_ack()->set_applied_seq(acked_);
    } else {
      return;
    }
    writing_ = true;
    StartWrite(&response_);
  }
  void MaybeFinishLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!reads_done_ || writing_ || finished_) return;
    finished_ = true;
    Finish(grpc::Status::OK);
  }
  fv1::ExchangeRequest request_;
  fv1::ExchangeResponse response_;
  absl::Mutex mu_;
  bool pending_welcome_ ABSL_GUARDED_BY(mu_) = false;
  uint64_t received_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t acked_ ABSL_GUARDED_BY(mu_) = 0;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
};

class CeilingService final : public fv1::FederationService::CallbackService {
 public:
  grpc::ServerBidiReactor<fv1::ExchangeRequest, fv1::ExchangeResponse>* Exchange(
      grpc::CallbackServerContext*) override {
    return new CeilingReactor();
  }
};

// Child process mode: serve the ceiling's receiving end with the federation listener's
// setup (services/federation/federation.cc) until killed.
int ServeStreamCeiling(const std::string& spec) {
  std::vector<std::string> f = absl::StrSplit(spec, ',');
  if (f.size() != 4) return 2;
  auto cert = node::ReadSmallFile(f[0]);
  auto key = node::ReadSmallFile(f[1]);
  auto ca = node::ReadSmallFile(f[2]);
  if (!cert.ok() || !key.ok() || !ca.ok()) return 2;
  grpc::SslServerCredentialsOptions tls(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  tls.pem_root_certs = *ca;
  tls.pem_key_cert_pairs.push_back({*key, *cert});
  CeilingService service;
  grpc::ServerBuilder builder;
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.SetMaxReceiveMessageSize(static_cast<int>(federation::Inbox::kMaxPayloadBytes) +
                                   (64 << 10));
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(tls), &port);
  builder.RegisterService(&service);
  auto server = builder.BuildAndStart();
  if (server == nullptr || port == 0) return 3;
  {
    std::ofstream out(f[3] + ".tmp");
    out << port << "\n";
  }
  std::filesystem::rename(f[3] + ".tmp", f[3]);
  while (true) pause();  // until SIGTERM / SIGKILL (or the parent's death)
}

struct ChildServer {
  pid_t pid = -1;
  int port = 0;
  ~ChildServer() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
};

absl::Status StartCeilingServer(const std::string& spec, const std::string& port_file,
                                ChildServer* out) {
  std::filesystem::remove(port_file);
  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    const std::string arg = "--serve_stream_ceiling=" + spec;
    execl("/proc/self/exe", "federation_bench", arg.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  out->pid = pid;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    std::ifstream in(port_file);
    int port = 0;
    if (in >> port && port > 0) {
      out->port = port;
      return absl::OkStatus();
    }
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      out->pid = -1;
      return absl::InternalError(absl::StrCat("ceiling server exited with ", status));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return absl::DeadlineExceededError("ceiling server did not start");
}

struct StreamResult {
  double msgs_per_s = 0;
  uint64_t acked = 0;
  double seconds = 0;
  double bench_cores = 0;   // the writing end (this process)
  double server_cores = 0;  // the acking end
  double others_cores = 0;
  std::string error;
};

// The writing end, shaped like services/federation/sender.cc minus the outbox scan and the
// signature: same credentials, channel arguments, window and buffer_hint.
StreamResult RunStreamStep(const ChildServer& server, const TestFederation::Member& from,
                           const TestFederation::Member& to, const fv1::Envelope& wire) {
  StreamResult r;
  Quiet({server.pid});
  grpc::SslCredentialsOptions ssl;
  ssl.pem_root_certs = to.pki->ca().cert_pem;
  auto cert = node::ReadSmallFile(from.dir + "/node.pem");
  auto key = node::ReadSmallFile(from.dir + "/node.key");
  if (!cert.ok() || !key.ok()) {
    r.error = "no node certificate";
    return r;
  }
  ssl.pem_cert_chain = *cert;
  ssl.pem_private_key = *key;
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 20000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  args.SetMaxReceiveMessageSize(1 << 20);
  args.SetInt("enlace.bench.connection", rand());  // a fresh connection per step
  auto channel = grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", server.port),
                                           grpc::SslCredentials(ssl), args);
  auto stub = fv1::FederationService::NewStub(channel);
  const double warmup = absl::GetFlag(FLAGS_warmup_seconds);
  const double seconds = absl::GetFlag(FLAGS_ceiling_seconds);
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::seconds(static_cast<int>(warmup + seconds) + 60));
  auto stream = stub->Exchange(&ctx);
  fv1::ExchangeRequest hello;
  hello.mutable_hello()->set_sender(kSender);
  hello.mutable_hello()->set_receiver(kReceiver);
  fv1::ExchangeResponse welcome;
  if (!stream->Write(hello) || !stream->Read(&welcome) || !welcome.has_welcome()) {
    r.error = absl::StrCat("handshake failed: ", stream->Finish().error_message());
    return r;
  }
  absl::Mutex mu;
  uint64_t acked = 0;
  bool broken = false;
  std::thread reader([&] {
    fv1::ExchangeResponse response;
    while (stream->Read(&response)) {
      if (!response.has_ack()) continue;
      absl::MutexLock l(&mu);
      acked = std::max<uint64_t>(acked, response.ack().applied_seq());
    }
    absl::MutexLock l(&mu);
    broken = true;
  });
  const uint64_t window = static_cast<uint64_t>(absl::GetFlag(FLAGS_window));
  const int64_t start = NowNanos();
  const int64_t t0 = start + static_cast<int64_t>(warmup * 1e9);
  const int64_t t1 = t0 + static_cast<int64_t>(seconds * 1e9);
  int64_t at0 = -1, at1 = -1;
  uint64_t acked0 = 0, acked1 = 0;
  CpuMeter step_cpu({server.pid});
  fv1::ExchangeRequest req;
  *req.mutable_envelope() = wire;
  uint64_t next = 1;
  while (true) {
    uint64_t a;
    {
      absl::MutexLock l(&mu);
      auto can_send = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
        return broken || next <= acked + window;
      };
      mu.AwaitWithTimeout(absl::Condition(&can_send), absl::Seconds(1));
      if (broken) break;
      a = acked;
    }
    const int64_t now = NowNanos();
    if (at0 < 0 && now >= t0) {
      at0 = now;
      acked0 = a;
      step_cpu.Start();
    }
    if (now >= t1) {
      at1 = now;
      acked1 = a;
      break;
    }
    if (next > a + window) continue;
    const uint64_t last = a + window;
    bool failed = false;
    for (uint64_t s = next; s <= last; ++s) {
      req.mutable_envelope()->set_seq(s);
      grpc::WriteOptions wo;
      if (s != last) wo.set_buffer_hint();
      if (!stream->Write(req, wo)) {
        failed = true;
        break;
      }
    }
    if (failed) break;
    next = last + 1;
  }
  auto [ours, machine] = step_cpu.Stop();
  r.server_cores = step_cpu.ChildCores(0);
  r.bench_cores = ours - r.server_cores;
  r.others_cores = std::max(0.0, machine - ours);
  ctx.TryCancel();
  stream->Finish();
  reader.join();
  if (at0 < 0 || at1 < 0) {
    r.error = "the stream broke before the step ended";
    return r;
  }
  r.seconds = (at1 - at0) / 1e9;
  r.acked = acked1 - acked0;
  r.msgs_per_s = r.acked / r.seconds;
  return r;
}

// ---- ceiling 2: bare synced WriteBatches of N ~1 KB puts ----

struct RocksResult {
  int batch = 0;
  double puts_per_s = 0;
  double batches_per_s = 0;
  Latency commit;
  double cores = 0;
  double others_cores = 0;
  std::string error;
};

RocksResult RunRocksStep(const std::string& dir, int batch, const std::string& value) {
  RocksResult r;
  r.batch = batch;
  std::filesystem::remove_all(dir);
  Quiet();
  auto store = storage::Store::Open(node::NodeStoreOptions(dir));  // sync = true, as a node's
  if (!store.ok()) {
    r.error = store.status().ToString();
    return r;
  }
  const storage::ColumnFamily* cf = (*store)->cf("directory");
  const int64_t start = NowNanos();
  const int64_t t0 = start + static_cast<int64_t>(absl::GetFlag(FLAGS_warmup_seconds) * 1e9);
  const int64_t t1 = t0 + static_cast<int64_t>(absl::GetFlag(FLAGS_ceiling_seconds) * 1e9);
  std::vector<int64_t> lat;
  int64_t puts = 0;
  CpuMeter cpu;
  bool measuring = false;
  while (true) {
    storage::WriteBatch b;
    for (int i = 0; i < batch; ++i) b.Put(cf, absl::StrCat("MX/", ids::NewId()), value);
    const int64_t s = NowNanos();
    absl::Status st = (*store)->Commit(b);
    const int64_t e = NowNanos();
    if (!st.ok()) {
      r.error = st.ToString();
      break;
    }
    if (!measuring && s >= t0) {
      measuring = true;
      cpu.Start();
    }
    if (measuring && e < t1) {
      lat.push_back(e - s);
      puts += batch;
    }
    if (e >= t1) break;
  }
  auto [ours, machine] = cpu.Stop();
  r.cores = ours;
  r.others_cores = std::max(0.0, machine - ours);
  const double seconds = (t1 - t0) / 1e9;
  r.puts_per_s = puts / seconds;
  r.batches_per_s = lat.size() / seconds;
  r.commit = Summarize(std::move(lat));
  store->reset();
  std::filesystem::remove_all(dir);
  return r;
}

// ---- Ed25519 per envelope ----

struct CryptoResult {
  double sign_us = 0;
  double verify_us = 0;
};

CryptoResult RunCrypto(const TestFederation::Member& m, const fv1::Envelope& wire) {
  CryptoResult r;
  auto signer = crypto::Signer::FromPem(m.signing_private_pem);
  auto verifier = crypto::Verifier::FromPem(m.signing_public_pem);
  if (!signer.ok() || !verifier.ok()) return r;
  Quiet();
  std::string sig;
  int n = 0;
  int64_t t0 = NowNanos();
  while (NowNanos() - t0 < 1000000000LL) {
    for (int i = 0; i < 50; ++i, ++n) sig = *(*signer)->Sign(wire.body());
  }
  r.sign_us = (NowNanos() - t0) / 1e3 / n;
  n = 0;
  bool ok = true;
  t0 = NowNanos();
  while (NowNanos() - t0 < 1000000000LL) {
    for (int i = 0; i < 50; ++i, ++n) ok &= (*verifier)->Verify(wire.body(), sig);
  }
  r.verify_us = (NowNanos() - t0) / 1e3 / n;
  if (!ok) r.verify_us = -1;
  return r;
}

// ---- the two nodes ----

class Nodes {
 public:
  Nodes(TestFederation* f) : f_(f) {}
  absl::Status Start(const std::string& country) {
    auto& m = f_->member(country);
    auto p = NodeProcess::Start(m.config, m.dir);
    if (!p.ok()) return p.status();
    procs_[country] = *std::move(p);
    if (dir_.count(country) == 0) {
      auto ch = testing::MakeChannel(m.api_port, m.pki->ca(), &m.client);
      dir_[country] = dv1::DirectoryService::NewStub(ch);
      admin_[country] = fv1::FederationAdminService::NewStub(ch);
    }
    return absl::OkStatus();
  }
  int Stop(const std::string& country) {
    auto it = procs_.find(country);
    if (it == procs_.end() || !it->second) return -1;
    const int rc = it->second->Stop(SIGTERM);
    it->second.reset();
    return rc;
  }
  pid_t pid(const std::string& country) const {
    auto it = procs_.find(country);
    return it == procs_.end() || !it->second ? -1 : it->second->pid();
  }
  dv1::DirectoryService::Stub& dir(const std::string& c) { return *dir_.at(c); }
  // The peer entry `peer` in `country`'s federation status.
  absl::StatusOr<fv1::PeerStatus> Peer(const std::string& country, const std::string& peer) {
    fv1::FederationStatus out;
    auto ctx = Ctx();
    grpc::Status s = admin_.at(country)->GetFederationStatus(ctx.get(), {}, &out);
    if (!s.ok()) return absl::UnavailableError(s.error_message());
    for (const auto& p : out.peers()) {
      if (p.country() == peer) return p;
    }
    return absl::NotFoundError(absl::StrCat(peer, " not among ", country, "'s peers"));
  }
  std::string LogTail(const std::string& country) {
    std::string path = f_->member(country).dir + "/node.log";
    std::ifstream in(path);
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
  }
  ~Nodes() {
    for (auto& [c, p] : procs_) {
      if (p) p->Stop(SIGKILL);
    }
  }

 private:
  TestFederation* f_;
  std::map<std::string, std::unique_ptr<NodeProcess>> procs_;
  std::map<std::string, std::unique_ptr<dv1::DirectoryService::Stub>> dir_;
  std::map<std::string, std::unique_ptr<fv1::FederationAdminService::Stub>> admin_;
};

bool WaitUntil(const std::function<bool()>& cond, absl::Duration timeout,
               absl::Duration poll = absl::Milliseconds(50)) {
  const absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    if (cond()) return true;
    absl::SleepFor(poll);
  }
  return cond();
}

// ---- latency of one change ----

struct LatencyResult {
  Latency end_to_end;  // CreateOrganisation called on MX -> GetOrganisation finds it on GT
  Latency create;      // the CreateOrganisation call alone (MX's synced commit)
  Latency poll;        // one GetOrganisation poll of GT (NOT_FOUND), the measuring granularity
  int errors = 0;
  std::string first_error;
};

LatencyResult RunLatency(Nodes& nodes, int changes, int payload_bytes) {
  LatencyResult r;
  std::vector<int64_t> e2e, create, poll;
  Quiet({nodes.pid(kSender), nodes.pid(kReceiver)});
  const int warm = std::min(5, changes);
  for (int i = -warm; i < changes; ++i) {
    dv1::CreateOrganisationRequest req;
    req.set_parent(absl::StrCat("countries/", kSender));
    dv1::OrganisationChange tmpl = MakeChange(i, payload_bytes);
    *req.mutable_organisation() = tmpl.organisation();
    req.mutable_organisation()->clear_name();
    req.mutable_organisation()->clear_revision();
    req.mutable_organisation()->clear_create_time();
    req.mutable_organisation()->clear_update_time();
    req.mutable_organisation()->clear_etag();
    dv1::Organisation created;
    const int64_t t0 = NowNanos();
    grpc::Status s = nodes.dir(kSender).CreateOrganisation(Ctx().get(), req, &created);
    const int64_t t1 = NowNanos();
    if (!s.ok()) {
      ++r.errors;
      if (r.first_error.empty()) r.first_error = s.error_message();
      continue;
    }
    dv1::GetOrganisationRequest get;
    get.set_name(created.name());
    bool found = false;
    int64_t t2 = 0;
    while (NowNanos() - t0 < 10000000000LL) {
      dv1::Organisation got;
      const int64_t p0 = NowNanos();
      grpc::Status g = nodes.dir(kReceiver).GetOrganisation(Ctx().get(), get, &got);
      t2 = NowNanos();
      if (g.ok()) {
        found = true;
        break;
      }
      if (g.error_code() != grpc::StatusCode::NOT_FOUND) {
        ++r.errors;
        if (r.first_error.empty()) r.first_error = g.error_message();
        break;
      }
      if (i >= 0) poll.push_back(t2 - p0);
      std::this_thread::sleep_for(std::chrono::microseconds(
          static_cast<int64_t>(absl::GetFlag(FLAGS_poll_interval_ms) * 1000)));
    }
    if (!found) {
      if (r.first_error.empty()) r.first_error = "change not seen on GT within 10 s";
      ++r.errors;
      continue;
    }
    if (i >= 0) {
      e2e.push_back(t2 - t0);
      create.push_back(t1 - t0);
    }
    std::this_thread::sleep_for(std::chrono::microseconds(
        static_cast<int64_t>(absl::GetFlag(FLAGS_latency_gap_ms) * 1000)));
  }
  r.end_to_end = Summarize(std::move(e2e));
  r.create = Summarize(std::move(create));
  r.poll = Summarize(std::move(poll));
  return r;
}

// ---- the backlog after a partition ----

struct BacklogResult {
  int64_t envelopes = 0;
  uint64_t first_seq = 0;
  uint64_t last_seq = 0;
  double enqueue_seconds = 0;
  uint64_t outbox_bytes = 0;
  double envelope_bytes = 0;  // mean body size
  double sender_start_ms = 0;  // fork -> MX listening
  double first_ack_s = 0;      // MX started -> GT applied the first envelope
  double catch_up_s = 0;       // MX started -> GT applied the last envelope
  double overall_rate = 0;     // envelopes / (first applied -> last applied)
  double steady_rate = 0;      // 10% -> 90% of the backlog
  double mx_cores = 0;
  double gt_cores = 0;
  double others_cores = 0;
  int64_t quarantined = 0;
  bool drained = false;
  std::vector<std::pair<double, uint64_t>> timeline;  // (s since MX start, GT applied)
  std::string error;
};

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) total += e.file_size(ec);
  }
  return total;
}

// With MX stopped: commits `n` envelopes for GT into MX's outbox through the committer, the
// way a partition leaves them (without the entries' own writes on MX: only the outbox matters
// to the drain).
absl::Status Enqueue(const node::v1::NodeConfig& config, int64_t n, int payload_bytes,
                     BacklogResult* r) {
  const std::string& data_dir = config.data_dir();
  storage::StoreOptions so = node::NodeStoreOptions(data_dir);
  so.postgres_conninfo = config.storage().postgres().conninfo();
  so.sync = false;  // writing the backlog is preparation, not the measured path
  auto store = storage::Store::Open(so);
  if (!store.ok()) return store.status();
  auto committer = txn::Committer::Create(store->get(), kSender);
  if (!committer.ok()) return committer.status();
  r->first_seq = (*committer)->LastQueued(kReceiver) + 1;
  const absl::Time t0 = absl::Now();
  constexpr int kPerTxn = 1000;
  int64_t done = 0;
  double body_bytes = 0;
  while (done < n) {
    txn::Transaction txn;
    const int k = static_cast<int>(std::min<int64_t>(kPerTxn, n - done));
    for (int i = 0; i < k; ++i) {
      std::string payload = MakeChange(done + i, payload_bytes).SerializeAsString();
      body_bytes += payload.size() + 80;
      txn.envelopes.push_back({kReceiver, directory::kUpsertKind, std::move(payload)});
    }
    if (absl::Status s = (*committer)->Commit(txn); !s.ok()) return s;
    done += k;
    if (done % 100000 == 0) {
      std::cerr << "backlog: " << done << " / " << n << " envelopes queued, "
                << absl::FormatDuration(absl::Now() - t0) << "\n";
    }
  }
  r->last_seq = (*committer)->LastQueued(kReceiver);
  committer->reset();
  if (absl::Status s = (*store)->Close(); !s.ok()) return s;
  r->enqueue_seconds = absl::ToDoubleSeconds(absl::Now() - t0);
  r->envelopes = n;
  r->envelope_bytes = body_bytes / std::max<int64_t>(1, n);
  r->outbox_bytes = DirBytes(data_dir);
  return absl::OkStatus();
}

BacklogResult RunBacklog(TestFederation* f, Nodes& nodes, int64_t n, int payload_bytes) {
  BacklogResult r;
  // A partition's end state: MX stopped with a backlog for GT.
  nodes.Stop(kSender);
  nodes.Stop(kReceiver);
  if (absl::Status s = Enqueue(f->member(kSender).config, n, payload_bytes, &r);
      !s.ok()) {
    r.error = absl::StrCat("enqueue: ", s.ToString(),
                           " (was enlace-node rebuilt from other sources than this benchmark? "
                           "build both in one bazel command)");
    return r;
  }
  std::cerr << "backlog: " << n << " envelopes (seq " << r.first_seq << ".." << r.last_seq
            << ") queued in " << r.enqueue_seconds << " s\n";
  if (absl::Status s = nodes.Start(kReceiver); !s.ok()) {
    r.error = absl::StrCat("start GT: ", s.ToString());
    return r;
  }
  Quiet({nodes.pid(kReceiver)});
  const int64_t t0 = NowNanos();
  if (absl::Status s = nodes.Start(kSender); !s.ok()) {
    r.error = absl::StrCat("start MX: ", s.ToString());
    return r;
  }
  r.sender_start_ms = (NowNanos() - t0) / 1e6;
  CpuMeter cpu({nodes.pid(kSender), nodes.pid(kReceiver)});
  const uint64_t before = r.first_seq - 1;
  const int64_t deadline =
      t0 + static_cast<int64_t>(absl::GetFlag(FLAGS_drain_timeout_seconds) * 1e9);
  int64_t next_report = t0 + 10000000000LL;
  while (NowNanos() < deadline) {
    auto p = nodes.Peer(kReceiver, kSender);
    const int64_t now = NowNanos();
    if (p.ok()) {
      const uint64_t applied = p->inbound_applied_seq();
      r.timeline.push_back({(now - t0) / 1e9, applied > before ? applied - before : 0});
      r.quarantined = p->quarantined();
      if (applied >= r.last_seq) {
        r.drained = true;
        break;
      }
    }
    if (now >= next_report) {
      std::cerr << "backlog: " << (r.timeline.empty() ? 0 : r.timeline.back().second) << " / "
                << n << " applied on GT after " << (now - t0) / 1e9 << " s\n";
      next_report += 10000000000LL;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  auto [ours, machine] = cpu.Stop();
  r.mx_cores = cpu.ChildCores(0);
  r.gt_cores = cpu.ChildCores(1);
  r.others_cores = std::max(0.0, machine - ours);
  if (!r.drained) {
    r.error = absl::StrCat("not drained within ", absl::GetFlag(FLAGS_drain_timeout_seconds),
                           " s; MX log: ", nodes.LogTail(kSender), "\nGT log: ",
                           nodes.LogTail(kReceiver));
  }
  // Timeline figures: the first poll showing progress, 10% and 90% marks, the end.
  auto when = [&](uint64_t count) -> double {
    for (size_t i = 0; i < r.timeline.size(); ++i) {
      if (r.timeline[i].second >= count) {
        if (i == 0) return r.timeline[i].first;
        // Interpolate between the two polls around the mark.
        const auto& [ta, ca] = r.timeline[i - 1];
        const auto& [tb, cb] = r.timeline[i];
        return cb == ca ? tb : ta + (tb - ta) * (double(count) - ca) / (double(cb) - ca);
      }
    }
    return -1;
  };
  r.first_ack_s = when(1);
  r.catch_up_s = when(static_cast<uint64_t>(n));
  if (r.catch_up_s > r.first_ack_s && r.first_ack_s >= 0) {
    r.overall_rate = n / (r.catch_up_s - r.first_ack_s);
  }
  const double t10 = when(static_cast<uint64_t>(n * 0.1));
  const double t90 = when(static_cast<uint64_t>(n * 0.9));
  if (t90 > t10 && t10 >= 0) r.steady_rate = n * 0.8 / (t90 - t10);
  // Everything acked on MX too (the sender's view).
  WaitUntil(
      [&] {
        auto p = nodes.Peer(kSender, kReceiver);
        return p.ok() && p->last_seq_acked() == p->last_seq_queued();
      },
      absl::Seconds(10));
  return r;
}

// ---- the report ----

template <typename T, typename Key>
T MedianBy(std::vector<T> v, Key key) {
  std::sort(v.begin(), v.end(), [&](const T& a, const T& b) { return key(a) < key(b); });
  return v[(v.size() - 1) / 2];
}

std::string Every(const std::vector<double>& v) {
  if (v.size() < 2) return "";
  std::vector<std::string> s;
  for (double x : v) s.push_back(absl::StrFormat("%.0f", x));
  return absl::StrCat(" (", absl::StrJoin(s, ", "), ")");
}

std::vector<int> ParseIntList(const std::string& s) {
  std::vector<int> out;
  for (absl::string_view part : absl::StrSplit(s, ',', absl::SkipWhitespace())) {
    int v = 0;
    if (absl::SimpleAtoi(part, &v) && v > 0) out.push_back(v);
  }
  return out;
}

int Main() {
  const absl::Time began = absl::Now();
  std::string work = absl::GetFlag(FLAGS_work_dir);
  if (work.empty()) work = testing::MakeTempDir("enlace_fedbench");
  std::filesystem::create_directories(work);
  std::cerr << "federation_bench: work dir " << work << "\n";
  const std::vector<std::string> parts = absl::StrSplit(absl::GetFlag(FLAGS_parts), ',');
  auto part = [&](const std::string& p) {
    return std::find(parts.begin(), parts.end(), p) != parts.end();
  };
  const int payload_bytes = absl::GetFlag(FLAGS_payload_bytes);
  auto fed = TestFederation::Create(work, {kSender, kReceiver});
  if (!fed.ok()) {
    std::cerr << "federation_bench: " << fed.status() << "\n";
    return 1;
  }
  TestFederation* f = fed->get();
  for (const char* c : {kSender, kReceiver}) {
    f->member(c).config.mutable_federation()->set_window(absl::GetFlag(FLAGS_window));
  }
  // The PostgreSQL store: one database per node on a throwaway durable server, which lives
  // until the end of Main (the nodes are stopped before it).
  std::unique_ptr<testing::PostgresServer> postgres;
  const std::string store = absl::GetFlag(FLAGS_store);
  if (store == "postgres") {
    std::string base = absl::GetFlag(FLAGS_postgres_conninfo);
    if (base.empty()) {
      testing::PostgresServer::Options po;
      po.durable = true;
      auto server = testing::PostgresServer::Start(po);
      if (!server.ok()) {
        std::cerr << "federation_bench: PostgreSQL: " << server.status() << "\n";
        return 1;
      }
      postgres = *std::move(server);
      base = postgres->Conninfo();
    }
    for (const char* c : {kSender, kReceiver}) {
      const std::string db = absl::AsciiStrToLower(c);
      if (absl::Status s = testing::CreateDatabaseAt(base, db); !s.ok()) {
        std::cerr << "federation_bench: " << s << "\n";
        return 1;
      }
      // libpq: the last dbname of a connection string wins.
      f->member(c).config.mutable_storage()->mutable_postgres()->set_conninfo(
          absl::StrCat(base, " dbname=", db));
    }
  } else if (store != "rocksdb") {
    std::cerr << "federation_bench: --store must be rocksdb or postgres, not " << store << "\n";
    return 1;
  }
  if (absl::Status s = f->WriteManifest({kSender, kReceiver}, 1); !s.ok()) {
    std::cerr << "federation_bench: " << s << "\n";
    return 1;
  }
  const fv1::Envelope wire = MakeWireEnvelope(payload_bytes);
  fv1::EnvelopeBody wire_body;
  wire_body.ParseFromString(wire.body());
  fv1::ExchangeRequest wire_req;
  *wire_req.mutable_envelope() = wire;
  std::string org_value = MakeChange(1, payload_bytes).organisation().SerializeAsString();

  // 1-3: ceilings, interleaved rounds.
  std::vector<StreamResult> streams;
  std::map<int, std::vector<RocksResult>> rocks;
  CryptoResult crypto;
  const std::vector<int> batches = ParseIntList(absl::GetFlag(FLAGS_rocksdb_batches));
  if (part("ceilings")) {
    ChildServer server;
    const auto& gt = f->member(kReceiver);
    const std::string spec = absl::StrCat(gt.dir, "/node.pem,", gt.dir, "/node.key,",
                                          f->member(kSender).dir, "/ca.pem,", work,
                                          "/ceiling.port");
    if (absl::Status s = StartCeilingServer(spec, work + "/ceiling.port", &server); !s.ok()) {
      std::cerr << "federation_bench: " << s << "\n";
      return 1;
    }
    for (int round = 0; round < std::max(1, absl::GetFlag(FLAGS_rounds)); ++round) {
      std::cerr << "ceilings: round " << round + 1 << "\n";
      streams.push_back(RunStreamStep(server, f->member(kSender), gt, wire));
      for (int b : batches) rocks[b].push_back(RunRocksStep(work + "/rocks", b, org_value));
    }
    crypto = RunCrypto(f->member(kSender), wire);
  }

  // 4: latency, unloaded.
  Nodes nodes(f);
  for (const char* c : {kReceiver, kSender}) {
    if (absl::Status s = nodes.Start(c); !s.ok()) {
      std::cerr << "federation_bench: start " << c << ": " << s << "\n";
      return 1;
    }
  }
  const bool connected = WaitUntil(
      [&] {
        auto p = nodes.Peer(kSender, kReceiver);
        return p.ok() && p->connected();
      },
      absl::Seconds(30));
  if (!connected) std::cerr << "federation_bench: MX did not connect to GT within 30 s\n";
  LatencyResult latency;
  const int changes = absl::GetFlag(FLAGS_latency_changes);
  if (part("latency") && changes > 0) latency = RunLatency(nodes, changes, payload_bytes);

  // 5: the backlog.
  BacklogResult backlog;
  const int64_t n = absl::GetFlag(FLAGS_backlog);
  if (part("backlog") && n > 0) backlog = RunBacklog(f, nodes, n, payload_bytes);
  nodes.Stop(kSender);
  nodes.Stop(kReceiver);

  // ---- report ----
  auto& o = std::cout;
  o << "\n## Enlace federation benchmark (MX -> GT)\n\n";
  o << "machine: " << MachineLine(work) << "\n";
  o << absl::StrFormat(
      "setup: two enlace-node child processes on loopback, mTLS, window %d, store %s; "
      "envelope body %d "
      "bytes (payload: an OrganisationChange of %d bytes), %d bytes on the wire; ceiling "
      "steps %g s after %g s warm-up, %d interleaved rounds, median shown (every round in "
      "brackets)\n\n",
      absl::GetFlag(FLAGS_window), store, wire.body().size(), wire_body.payload().size(),
      wire_req.ByteSizeLong(), absl::GetFlag(FLAGS_ceiling_seconds),
      absl::GetFlag(FLAGS_warmup_seconds), std::max(1, absl::GetFlag(FLAGS_rounds)));

  double stream_ceiling = 0, rocks_ceiling = 0;
  if (!streams.empty()) {
    o << "### Ceilings (same run)\n\n";
    o << "| ceiling | shape | envelopes/s (every round) | p50 / p99 ms | bench CPU, cores | "
         "other end CPU, cores | others' CPU, cores | error |\n";
    o << "|---|---|---:|---:|---:|---:|---:|---|\n";
    std::vector<double> all;
    for (const auto& s : streams) all.push_back(s.msgs_per_s);
    const StreamResult ms = MedianBy(streams, [](const StreamResult& s) { return s.msgs_per_s; });
    stream_ceiling = ms.msgs_per_s;
    o << absl::StrFormat(
        "| gRPC bidi stream, mTLS, 2 processes | window %d, buffer_hint, cumulative acks, no "
        "signing/storage | **%.0f**%s | - | %.2f | %.2f | %.2f | %s |\n",
        absl::GetFlag(FLAGS_window), ms.msgs_per_s, Every(all), ms.bench_cores,
        ms.server_cores, ms.others_cores, ms.error);
    for (int b : batches) {
      std::vector<double> v;
      for (const auto& x : rocks[b]) v.push_back(x.puts_per_s);
      const RocksResult m = MedianBy(rocks[b], [](const RocksResult& x) { return x.puts_per_s; });
      if (b == batches.back()) rocks_ceiling = m.puts_per_s;
      o << absl::StrFormat(
          "| RocksDB WriteBatch, sync, 1 writer | %d puts of %d bytes per batch (%.0f "
          "batches/s) | **%.0f**%s | %s / %s | %.2f | - | %.2f | %s |\n",
          b, org_value.size(), m.batches_per_s, m.puts_per_s, Every(v), Ms(m.commit.p50_ms),
          Ms(m.commit.p99_ms), m.cores, m.others_cores, m.error);
    }
    o << absl::StrFormat(
        "\nEd25519 on one core, per envelope body of %d bytes: sign %.1f us (%.0f/s), verify "
        "%.1f us (%.0f/s)\n",
        wire.body().size(), crypto.sign_us, crypto.sign_us > 0 ? 1e6 / crypto.sign_us : 0,
        crypto.verify_us, crypto.verify_us > 0 ? 1e6 / crypto.verify_us : 0);
  }

  if (part("latency") && changes > 0) {
    o << "\n### Latency of one change, unloaded (CreateOrganisation on MX -> visible on GT)\n\n";
    o << "| measure | changes | p50 ms | p90 ms | p99 ms | max ms | target |\n";
    o << "|---|---:|---:|---:|---:|---:|---|\n";
    const auto& e = latency.end_to_end;
    o << absl::StrFormat("| end to end (until GetOrganisation on GT finds it) | %d | **%s** | %s "
                         "| %s | %s | p50 < 20 ms: %s |\n",
                         e.count, Ms(e.p50_ms), Ms(e.p90_ms), Ms(e.p99_ms), Ms(e.max_ms),
                         e.count > 0 && e.p50_ms < 20 ? "met" : "not met");
    const auto& c = latency.create;
    o << absl::StrFormat("| of which CreateOrganisation on MX (synced commit) | %d | %s | %s | "
                         "%s | %s | - |\n",
                         c.count, Ms(c.p50_ms), Ms(c.p90_ms), Ms(c.p99_ms), Ms(c.max_ms));
    const auto& p = latency.poll;
    o << absl::StrFormat("| one GetOrganisation poll of GT (granularity; %g ms pause between "
                         "polls) | %d | %s | %s | %s | %s | - |\n",
                         absl::GetFlag(FLAGS_poll_interval_ms), p.count, Ms(p.p50_ms),
                         Ms(p.p90_ms), Ms(p.p99_ms), Ms(p.max_ms));
    if (latency.errors > 0) {
      o << "\nERROR: " << latency.errors << " changes failed; first error: "
        << latency.first_error << "\n";
    }
  }

  if (part("backlog") && n > 0) {
    o << "\n### Backlog after a partition: " << n
      << " envelopes queued on a stopped MX, then both nodes started\n\n";
    if (!backlog.error.empty()) o << "ERROR: " << backlog.error << "\n\n";
  }
  if (part("backlog") && n > 0 && backlog.envelopes > 0) {
    o << absl::StrFormat(
        "backlog: seq %d..%d, mean body %.0f bytes, written offline through txn::Committer "
        "(sync=false, 1000 envelopes per transaction) in %.1f s; MX store %.0f MiB\n\n",
        backlog.first_seq, backlog.last_seq, backlog.envelope_bytes, backlog.enqueue_seconds,
        backlog.outbox_bytes / 1048576.0);
    o << "| measure | value |\n|---|---:|\n";
    o << absl::StrFormat("| MX start (exec -> listening) | %.0f ms |\n", backlog.sender_start_ms);
    o << absl::StrFormat("| MX start -> first envelope applied on GT | %.2f s |\n",
                         backlog.first_ack_s);
    if (n == 1000000) {
      o << absl::StrFormat("| **catch-up**: MX start -> last envelope applied on GT | **%.1f s** "
                           "(target < 120 s: %s) |\n",
                           backlog.catch_up_s,
                           backlog.drained && backlog.catch_up_s < 120 ? "met" : "not met");
    } else {
      o << absl::StrFormat("| **catch-up**: MX start -> last envelope applied on GT | **%.1f s** "
                           "(the target, < 120 s, is for 1,000,000 envelopes) |\n",
                           backlog.catch_up_s);
    }
    o << absl::StrFormat("| envelopes/s, first -> last applied | %.0f |\n", backlog.overall_rate);
    o << absl::StrFormat("| **envelopes/s, steady (10%% -> 90%% of the backlog)** | **%.0f** |\n",
                         backlog.steady_rate);
    o << absl::StrFormat("| CPU during the drain: MX / GT / others, cores | %.2f / %.2f / %.2f |\n",
                         backlog.mx_cores, backlog.gt_cores, backlog.others_cores);
    if (backlog.overall_rate > 0) {
      o << absl::StrFormat("| CPU per envelope, both nodes (MX + GT) | %.0f us |\n",
                           1e6 * (backlog.mx_cores + backlog.gt_cores) / backlog.overall_rate);
    }
    o << absl::StrFormat("| quarantined on GT | %d |\n", backlog.quarantined);
    if (!backlog.timeline.empty()) {
      // A coarse timeline, about ten points.
      std::vector<std::string> pts;
      const size_t step = std::max<size_t>(1, backlog.timeline.size() / 10);
      for (size_t i = 0; i < backlog.timeline.size(); i += step) {
        pts.push_back(absl::StrFormat("%.0fs:%d", backlog.timeline[i].first,
                                      backlog.timeline[i].second));
      }
      o << "\ntimeline (s since MX start: applied on GT): " << absl::StrJoin(pts, ", ") << "\n";
    }
    if (stream_ceiling > 0 && rocks_ceiling > 0) {
      const double lower = std::min(stream_ceiling, rocks_ceiling);
      const double ratio = backlog.steady_rate / lower;
      o << "\n### Throughput vs the lower ceiling\n\n";
      o << "| envelopes/s signed, verified, applied (steady) | stream ceiling | RocksDB ceiling ("
        << batches.back() << " puts/batch) | lower ceiling | ratio | target >= 50% |\n";
      o << "|---:|---:|---:|---:|---:|---|\n";
      o << absl::StrFormat("| %.0f | %.0f | %.0f | %.0f | %.0f%% | %s |\n", backlog.steady_rate,
                           stream_ceiling, rocks_ceiling, lower, 100 * ratio,
                           ratio >= 0.5 ? "met" : "not met");
    }
  }
  o << absl::StrFormat("\nbenchmark finished in %.0f s\nmachine at the end: %s\n",
                       absl::ToDoubleSeconds(absl::Now() - began), MachineLine(work));
  o.flush();
  if (!absl::GetFlag(FLAGS_keep_work_dir)) std::filesystem::remove_all(work);
  const bool failed = (part("backlog") && n > 0 && !backlog.error.empty()) ||
                      (part("latency") && changes > 0 && latency.end_to_end.count == 0);
  return failed ? 1 : 0;
}

}  // namespace
}  // namespace enlace::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "The federation benchmark: ceilings, latency of one change, backlog drain. "
      "See BENCHMARKS.md.");
  absl::ParseCommandLine(argc, argv);
  signal(SIGPIPE, SIG_IGN);
  const std::string serve = absl::GetFlag(FLAGS_serve_stream_ceiling);
  if (!serve.empty()) return enlace::bench::ServeStreamCeiling(serve);
  // NodeProcess finds enlace-node through the runfiles tree.
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
