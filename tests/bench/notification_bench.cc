// The notification benchmark of issue "Cross-border casework": the time from a host's consular
// notification to the case appearing in the receiving post's inbox, p50 and p99, unloaded (one
// at a time) and under an offered open-loop load (1,000 notifications per second by default).
//
// Two enlace-node child processes federated on loopback: Mexico (the host) sends, Guatemala
// receives; a detention in Chiapas is routed to Guatemala's post in Tapachula (GT-TAP), where
// Guatemala's node opens a case (person + case) and lists the notification in the post's
// inbox with that case. For each notification, from the moment SendNotification returned at
// the host:
//   delivered     GT's receive_time (stamped when the envelope was applied at GT)
//   case opened   create_time of the case GT opened for it
//   in the inbox  first seen, with its case, by a client polling GT-TAP's incoming
//                 ListNotifications (as an officer of GT-TAP would; resolution: the poll period)
//   back at host  (unloaded only) the host's GetNotification shows receive_time, i.e. GT's
//                 receipt came back
// Every node timestamp is read after the run from the nodes' own lists; the machine is one, so
// the clocks are the same. Timings are printed, never checked. Method and results:
// BENCHMARKS.md; run it with `bash tests/bench/run_notifications.sh`.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/notifications/v1/notifications.grpc.pb.h"
#include "grpcpp/client_context.h"
#include "tests/testing/test_env.h"

ABSL_FLAG(int, unloaded, 100, "Notifications sent one at a time (0: skip the unloaded part).");
ABSL_FLAG(int, unloaded_poll_ms, 5, "Poll period of the inbox (and host) when unloaded.");
ABSL_FLAG(double, rate, 1000, "Offered load, notifications per second (0: skip the load part).");
ABSL_FLAG(double, load_seconds, 20, "How long the load is offered.");
ABSL_FLAG(int, channels, 8, "Connections to the host the open-loop calls spread over.");
ABSL_FLAG(int, loaded_poll_ms, 100, "Poll period of the inbox under load.");
ABSL_FLAG(int, loaded_poll_pages, 2,
          "Under load, pages of 100 read past the poller's cursor per poll (the node opens "
          "cases in id order, so past the first one without its case there is little to see; "
          "fewer pages disturb the receiving node less).");
ABSL_FLAG(int, settle_ms, 250,
          "The inbox poller skips past a page only when everything on it has its case and was "
          "received at least this long ago (envelopes may arrive slightly out of id order).");
ABSL_FLAG(double, drain_timeout_seconds, 900,
          "After the load: how long to wait for every case to be opened.");
ABSL_FLAG(int, bucket_seconds, 2, "Width of the time buckets of the load's latency table.");
ABSL_FLAG(std::string, work_dir, "", "Where the nodes keep their data (default: a new temp dir).");
ABSL_FLAG(bool, keep, false, "Keep the work dir (default: removed at the end).");

namespace enlace::bench {
namespace {

namespace nv1 = ::enlace::notifications::v1;
namespace cv1 = ::enlace::cases::v1;
using testing::MakeChannel;
using testing::NodeProcess;
using testing::TestFederation;

constexpr char kHost[] = "MX";
constexpr char kNational[] = "GT";
constexpr char kPost[] = "GT-TAP";

int64_t NowNanos() { return absl::GetCurrentTimeNanos(); }

int64_t Nanos(const google::protobuf::Timestamp& t) {
  return t.seconds() * 1000000000LL + t.nanos();
}

std::unique_ptr<grpc::ClientContext> Deadline(absl::Duration d = absl::Seconds(30)) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() + absl::ToChronoMilliseconds(d));
  return ctx;
}

// ---- summaries

struct Summary {
  size_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0, mean = 0;  // milliseconds
};

Summary Summarize(std::vector<int64_t> nanos) {
  Summary s;
  s.count = nanos.size();
  if (nanos.empty()) return s;
  std::sort(nanos.begin(), nanos.end());
  auto at = [&](double q) {
    // Nearest rank.
    size_t i = static_cast<size_t>(std::ceil(q * nanos.size()));
    i = std::min(std::max<size_t>(i, 1), nanos.size()) - 1;
    return nanos[i] / 1e6;
  };
  s.p50 = at(0.50);
  s.p90 = at(0.90);
  s.p99 = at(0.99);
  s.max = nanos.back() / 1e6;
  double sum = 0;
  for (int64_t n : nanos) sum += n;
  s.mean = sum / nanos.size() / 1e6;
  return s;
}

std::string Ms(double ms) {
  if (ms >= 10000) return absl::StrFormat("%.1f s", ms / 1000);
  if (ms >= 100) return absl::StrFormat("%.0f ms", ms);
  if (ms >= 10) return absl::StrFormat("%.1f ms", ms);
  return absl::StrFormat("%.2f ms", ms);
}

std::string Row(const std::string& what, const Summary& s) {
  if (s.count == 0) return absl::StrCat("| ", what, " | 0 | - | - | - | - | - |\n");
  return absl::StrCat("| ", what, " | ", s.count, " | ", Ms(s.p50), " | ", Ms(s.p90), " | ",
                      Ms(s.p99), " | ", Ms(s.max), " | ", Ms(s.mean), " |\n");
}

constexpr char kTableHead[] =
    "| from SendNotification returning to | n | p50 | p90 | p99 | max | mean |\n"
    "|---|---|---|---|---|---|---|\n";

// CPU time (user + system) of a process, from /proc/<pid>/stat.
int64_t ProcessCpuNanos(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(')');
  if (paren == std::string::npos) return 0;
  std::vector<std::string> f = absl::StrSplit(text.substr(paren + 2), ' ');
  // After the command: state is field 3, utime 14, stime 15 (1-based) -> 11 and 12 here.
  if (f.size() < 13) return 0;
  const int64_t ticks = std::stoll(f[11]) + std::stoll(f[12]);
  return ticks * (1000000000LL / sysconf(_SC_CLK_TCK));
}

// Busy and total jiffies of the machine.
std::pair<uint64_t, uint64_t> MachineJiffies() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  uint64_t v[10] = {};
  in >> cpu;
  for (auto& x : v) in >> x;
  const uint64_t idle = v[3] + v[4];
  uint64_t total = 0;
  for (int i = 0; i < 8; ++i) total += v[i];
  return {total - idle, total};
}

std::string MachineLine() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line, model;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  std::ifstream loadavg("/proc/loadavg");
  std::string l1, l5, l15;
  loadavg >> l1 >> l5 >> l15;
  return absl::StrCat(std::thread::hardware_concurrency(), " cores (", model,
                      "), shared with other builds; load average ", l1, " ", l5, " ", l15);
}

// ---- the notifications

nv1::SendNotificationRequest Detention(int64_t n) {
  static const char* kGiven[] = {"Juan", "María", "Pedro", "Rosa", "Santos", "Ixchel", "Diego",
                                 "Lucía"};
  static const char* kFamily[] = {"Tzul Ixcoy", "Pérez López", "Xol Caal", "Chávez Tum",
                                  "Coc Mucú", "Ajcalón Sic"};
  nv1::SendNotificationRequest req;
  req.set_parent(absl::StrCat("countries/", kHost));
  req.set_request_id(absl::StrCat("bench-", n));
  auto* x = req.mutable_notification();
  x->set_national_country(kNational);
  x->set_event(nv1::EVENT_IMMIGRATION_DETENTION);
  auto* p = x->mutable_person();
  p->set_given_names(kGiven[n % 8]);
  p->set_family_names(kFamily[n % 6]);
  p->set_sex(n % 2 == 0 ? cv1::SEX_MALE : cv1::SEX_FEMALE);
  p->set_birth_date(absl::StrCat(1970 + n % 35));
  p->add_nationalities(kNational);
  p->add_languages(n % 3 == 0 ? "quc" : "es");
  p->set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
  auto* d = p->add_documents();
  d->set_type(cv1::DOCUMENT_TYPE_NATIONAL_ID);
  d->set_number(absl::StrFormat("%04d %05d %04d", 7000 + n / 1000000000,
                                (n / 10000) % 100000, n % 10000));
  d->set_issuing_country(kNational);
  x->set_place("Estación migratoria Siglo XXI, Tapachula");
  x->set_area("MX-CHP");
  x->set_authority("Instituto Nacional de Migración");
  const absl::Time now = absl::Now();
  x->mutable_event_time()->set_seconds(absl::ToUnixSeconds(now - absl::Hours(3)));
  x->mutable_rights_informed_time()->set_seconds(absl::ToUnixSeconds(now - absl::Hours(2)));
  x->set_consular_contact(nv1::CONSULAR_CONTACT_REQUESTED);
  return req;
}

// One notification as the benchmark saw it.
struct Sent {
  std::string name;
  int64_t scheduled = 0;  // load: when the open-loop schedule wanted it sent
  int64_t start = 0;      // SendNotification called
  int64_t returned = 0;   // SendNotification returned OK
  int64_t seen = 0;       // first seen in GT-TAP's inbox with its case (0: not seen)
  int64_t host_back = 0;  // unloaded: receive_time visible at the host
  // From the nodes, after the run.
  int64_t delivered = 0;    // GT receive_time
  int64_t case_opened = 0;  // create_time of GT's case
};

// After a run, from GT's full listings: notifications the host accepted, those in GT-TAP's
// inbox with their case, those missing there (lost), those listed more than once, and those
// with more than one case opened from them (duplicated).
struct Accounting {
  int64_t accepted = 0;
  int64_t in_inbox = 0;
  int64_t lost = 0;
  int64_t listed_twice = 0;
  int64_t cases_twice = 0;
};

// Polls GT-TAP's incoming notifications as an officer of the post would, remembering when each
// was first listed with its case. Keeps a cursor (a page token) past the pages whose every
// notification already has its case and settled, so a poll reads only the new tail.
class InboxPoller {
 public:
  InboxPoller(std::unique_ptr<nv1::NotificationService::Stub> stub, absl::Duration settle,
              int max_pages = 5)
      : stub_(std::move(stub)), settle_(settle), max_pages_(max_pages) {}

  // One pass. Returns false if a call failed.
  bool Poll() {
    nv1::ListNotificationsRequest req;
    req.set_direction(nv1::DIRECTION_INCOMING);
    req.set_post(kPost);
    req.set_page_size(kPageSize);
    req.set_page_token(cursor_);
    bool prefix_done = true;
    for (int page = 0; page < max_pages_; ++page) {
      nv1::ListNotificationsResponse resp;
      grpc::Status s = stub_->ListNotifications(Deadline().get(), req, &resp);
      ++calls_;
      if (!s.ok()) {
        ++failures_;
        std::cerr << "notification_bench: inbox poll: " << s.error_message() << "\n";
        return false;
      }
      const int64_t now = NowNanos();
      bool page_done = resp.notifications_size() == kPageSize;
      {
        std::lock_guard<std::mutex> l(mu_);
        for (const auto& n : resp.notifications()) {
          listed_ += 1;
          if (n.case_().empty()) {
            page_done = false;
            continue;
          }
          seen_.emplace(n.name(), now);  // the first time only
          if (Nanos(n.receive_time()) > now - absl::ToInt64Nanoseconds(settle_)) {
            page_done = false;
          }
        }
      }
      prefix_done = prefix_done && page_done;
      if (prefix_done && !resp.next_page_token().empty()) cursor_ = resp.next_page_token();
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    return true;
  }

  int64_t SeenAt(const std::string& name) const {
    std::lock_guard<std::mutex> l(mu_);
    auto it = seen_.find(name);
    return it == seen_.end() ? 0 : it->second;
  }
  size_t seen_count() const {
    std::lock_guard<std::mutex> l(mu_);
    return seen_.size();
  }
  int64_t calls() const { return calls_; }
  int64_t failures() const { return failures_; }
  int64_t listed() const {
    std::lock_guard<std::mutex> l(mu_);
    return listed_;
  }

 private:
  static constexpr int kPageSize = 100;
  std::unique_ptr<nv1::NotificationService::Stub> stub_;
  absl::Duration settle_;
  // At most this many pages past the cursor per poll: the node opens cases in id order, so
  // past the first notification still without a case there is little to see.
  int max_pages_;
  std::string cursor_;
  mutable std::mutex mu_;
  std::map<std::string, int64_t> seen_;
  int64_t listed_ = 0;
  std::atomic<int64_t> calls_{0};
  std::atomic<int64_t> failures_{0};
};

class Bench {
 public:
  explicit Bench(std::string work) : work_(std::move(work)) {}

  absl::Status Start() {
    auto fed = TestFederation::Create(work_, {kHost, kNational});
    if (!fed.ok()) return fed.status();
    federation_ = *std::move(fed);
    if (absl::Status s = federation_->WriteManifest({kHost, kNational}, 1); !s.ok()) return s;
    for (const char* c : {kHost, kNational}) {
      auto& m = federation_->member(c);
      auto p = NodeProcess::Start(m.config, m.dir);
      if (!p.ok()) return p.status();
      nodes_[c] = *std::move(p);
    }
    return absl::OkStatus();
  }

  void Stop() {
    for (auto& [c, p] : nodes_) {
      if (p) p->Stop(SIGTERM);
    }
  }

  pid_t pid(const std::string& c) { return nodes_.at(c)->pid(); }

  std::shared_ptr<grpc::Channel> Channel(const std::string& country, const std::string& who) {
    auto& m = federation_->member(country);
    auto cert = m.pki->Client(absl::StrCat("spiffe://", absl::AsciiStrToLower(country),
                                           ".enlace.example/", who));
    if (!cert.ok()) {
      std::cerr << "notification_bench: " << cert.status() << "\n";
      abort();
    }
    return MakeChannel(m.api_port, m.pki->ca(), &*cert);
  }

  std::unique_ptr<nv1::NotificationService::Stub> Notifications(const std::string& country,
                                                                const std::string& who) {
    return nv1::NotificationService::NewStub(Channel(country, who));
  }

  // After the run: GT's receive_time and case of every incoming notification, and the
  // create_time of every case at GT-TAP.
  // With `accounting`: what was lost or duplicated among `sent`, from the same listings.
  absl::Status Collect(std::vector<Sent>& sent, Accounting* accounting = nullptr) {
    auto gt = Notifications(kNational, "role/supervisor/user/bench");
    std::map<std::string, std::pair<int64_t, std::string>> received;
    std::map<std::string, int> listed;        // notification -> entries in the inbox
    std::map<std::string, int> cases_of;      // notification -> cases opened from it
    nv1::ListNotificationsRequest req;
    req.set_direction(nv1::DIRECTION_INCOMING);
    req.set_post(kPost);
    req.set_page_size(1000);
    while (true) {
      nv1::ListNotificationsResponse resp;
      grpc::Status s = gt->ListNotifications(Deadline(absl::Seconds(120)).get(), req, &resp);
      if (!s.ok()) return absl::UnavailableError(s.error_message());
      for (const auto& n : resp.notifications()) {
        received[n.name()] = {Nanos(n.receive_time()), n.case_()};
        ++listed[n.name()];
      }
      if (resp.next_page_token().empty()) break;
      req.set_page_token(resp.next_page_token());
    }
    auto cases = cv1::CaseService::NewStub(Channel(kNational, "role/supervisor/user/bench"));
    std::map<std::string, int64_t> opened;
    cv1::ListCasesRequest lc;
    lc.set_parent(absl::StrCat("countries/", kNational));
    lc.set_post(kPost);
    lc.set_page_size(1000);
    while (true) {
      cv1::ListCasesResponse resp;
      grpc::Status s = cases->ListCases(Deadline(absl::Seconds(120)).get(), lc, &resp);
      if (!s.ok()) return absl::UnavailableError(s.error_message());
      for (const auto& c : resp.cases()) {
        opened[c.name()] = Nanos(c.create_time());
        if (!c.opened_from().empty()) ++cases_of[c.opened_from()];
      }
      if (resp.next_page_token().empty()) break;
      lc.set_page_token(resp.next_page_token());
    }
    for (auto& x : sent) {
      auto r = received.find(x.name);
      if (r == received.end()) continue;
      x.delivered = r->second.first;
      auto c = opened.find(r->second.second);
      if (c != opened.end()) x.case_opened = c->second;
    }
    if (accounting != nullptr) {
      *accounting = Accounting();
      for (const auto& x : sent) {
        if (x.returned == 0) continue;
        ++accounting->accepted;
        auto r = received.find(x.name);
        const bool in_inbox = r != received.end() && !r->second.second.empty() &&
                              opened.count(r->second.second) > 0;
        if (in_inbox) {
          ++accounting->in_inbox;
        } else {
          ++accounting->lost;
        }
        if (listed[x.name] > 1) ++accounting->listed_twice;
        if (cases_of[x.name] > 1) ++accounting->cases_twice;
      }
    }
    return absl::OkStatus();
  }

 private:
  std::string work_;
  std::unique_ptr<TestFederation> federation_;
  std::map<std::string, std::unique_ptr<NodeProcess>> nodes_;
};

std::vector<int64_t> Deltas(const std::vector<Sent>& sent, int64_t Sent::*to) {
  std::vector<int64_t> out;
  for (const auto& s : sent) {
    if (s.returned != 0 && s.*to != 0) out.push_back(s.*to - s.returned);
  }
  return out;
}

std::string LatencyTable(const std::vector<Sent>& sent, bool with_host) {
  std::vector<int64_t> rpc;
  for (const auto& s : sent) {
    if (s.returned != 0) rpc.push_back(s.returned - s.start);
  }
  std::string out = kTableHead;
  absl::StrAppend(&out, Row("delivered at GT (receive_time)", Summarize(Deltas(sent, &Sent::delivered))));
  absl::StrAppend(&out, Row("case opened at GT (case create_time)",
                            Summarize(Deltas(sent, &Sent::case_opened))));
  absl::StrAppend(&out, Row("**listed in GT-TAP's inbox with its case (polled)**",
                            Summarize(Deltas(sent, &Sent::seen))));
  if (with_host) {
    absl::StrAppend(&out, Row("receipt back at the host (polled)",
                              Summarize(Deltas(sent, &Sent::host_back))));
  }
  absl::StrAppend(&out, "\nSendNotification itself (call to return): ");
  const Summary r = Summarize(rpc);
  absl::StrAppend(&out, "p50 ", Ms(r.p50), ", p99 ", Ms(r.p99), ", max ", Ms(r.max), ".\n");
  return out;
}

// ---- unloaded

// Sends `count` notifications one at a time (request ids and documents from `first` on).
absl::Status Unloaded(nv1::NotificationService::Stub* mx, InboxPoller& poller, int count,
                      int64_t first, std::vector<Sent>& sent) {
  const absl::Duration poll = absl::Milliseconds(absl::GetFlag(FLAGS_unloaded_poll_ms));
  for (int i = 0; i < count; ++i) {
    Sent s;
    nv1::Notification out;
    const nv1::SendNotificationRequest req = Detention(first + i);
    s.start = NowNanos();
    grpc::Status st = mx->SendNotification(Deadline().get(), req, &out);
    s.returned = NowNanos();
    if (!st.ok()) return absl::InternalError(absl::StrCat("SendNotification: ", st.error_message()));
    s.name = out.name();
    const absl::Time give_up = absl::Now() + absl::Seconds(60);
    while ((s.seen = poller.SeenAt(s.name)) == 0) {
      if (absl::Now() > give_up) {
        return absl::DeadlineExceededError(absl::StrCat(s.name, " never reached the inbox"));
      }
      absl::SleepFor(poll);
      poller.Poll();
    }
    nv1::GetNotificationRequest get;
    get.set_name(s.name);
    while (true) {
      nv1::Notification host_view;
      if (mx->GetNotification(Deadline().get(), get, &host_view).ok() &&
          host_view.has_receive_time()) {
        s.host_back = NowNanos();
        break;
      }
      if (absl::Now() > give_up) {
        return absl::DeadlineExceededError(absl::StrCat(s.name, ": no receipt at the host"));
      }
      absl::SleepFor(poll);
    }
    sent.push_back(s);
    absl::SleepFor(absl::Milliseconds(20));  // one at a time: let both nodes go idle
  }
  return absl::OkStatus();
}

// ---- under load

struct LoadResult {
  std::vector<Sent> sent;
  std::map<std::string, int> errors;
  // Schedule start and end (the offered window), last answer of the host, end of the drain.
  int64_t t0 = 0, t_sched_end = 0, t_end = 0, drained = 0;
  double mx_cores = 0, gt_cores = 0, machine_cores = 0;
  int64_t poll_calls = 0, poll_listed = 0, poll_failures = 0;
  bool drain_timed_out = false;
};

LoadResult Loaded(Bench& bench, double rate, double seconds) {
  LoadResult result;
  const int channel_count = std::max(1, absl::GetFlag(FLAGS_channels));
  std::vector<std::unique_ptr<nv1::NotificationService::Stub>> stubs;
  for (int i = 0; i < channel_count; ++i) {
    stubs.push_back(bench.Notifications(kHost, "role/supervisor/user/inm-enlace"));
  }
  // Connect every channel before the clock starts.
  for (auto& stub : stubs) {
    nv1::ListNotificationsRequest req;
    req.set_direction(nv1::DIRECTION_OUTGOING);
    req.set_page_size(1);
    nv1::ListNotificationsResponse resp;
    stub->ListNotifications(Deadline().get(), req, &resp);
  }
  InboxPoller poller(bench.Notifications(kNational, "role/officer/post/GT-TAP/user/bench"),
                     absl::Milliseconds(absl::GetFlag(FLAGS_settle_ms)),
                     absl::GetFlag(FLAGS_loaded_poll_pages));
  poller.Poll();  // connects, and moves the cursor past what the unloaded part left
  const int64_t total = static_cast<int64_t>(rate * seconds);
  result.sent.resize(total);
  // Every request built before the clock starts; each call's state lives until its callback.
  struct Call {
    grpc::ClientContext context;
    nv1::SendNotificationRequest request;
    nv1::Notification response;
  };
  std::vector<std::unique_ptr<Call>> calls(total);
  for (int64_t i = 0; i < total; ++i) {
    calls[i] = std::make_unique<Call>();
    calls[i]->request = Detention(i);
    calls[i]->context.set_deadline(std::chrono::system_clock::now() +
                                   std::chrono::seconds(static_cast<int64_t>(seconds) + 300));
  }
  // The inbox poller starts with the load.
  std::atomic<bool> polling{true};
  const absl::Duration poll = absl::Milliseconds(absl::GetFlag(FLAGS_loaded_poll_ms));
  std::thread poll_thread([&] {
    while (polling.load()) {
      const absl::Time next = absl::Now() + poll;
      poller.Poll();
      absl::SleepFor(next - absl::Now());
    }
  });

  std::mutex done_mu;
  std::condition_variable done_cv;
  int64_t done = 0;
  const int64_t cpu_mx0 = ProcessCpuNanos(bench.pid(kHost));
  const int64_t cpu_gt0 = ProcessCpuNanos(bench.pid(kNational));
  const auto machine0 = MachineJiffies();
  result.t0 = NowNanos() + 50000000;
  result.t_sched_end = result.t0 + static_cast<int64_t>(seconds * 1e9);
  const double interval_ns = 1e9 / rate;
  // Open loop: each call is issued at its scheduled time, whatever the earlier ones are doing
  // (asynchronous calls, no limit on how many are in flight).
  for (int64_t i = 0; i < total; ++i) {
    Sent& s = result.sent[i];
    s.scheduled = result.t0 + static_cast<int64_t>(i * interval_ns);
    const int64_t wait = s.scheduled - NowNanos();
    if (wait > 0) absl::SleepFor(absl::Nanoseconds(wait));
    Call* c = calls[i].get();
    s.start = NowNanos();
    stubs[i % stubs.size()]->async()->SendNotification(
        &c->context, &c->request, &c->response, [&, i, c](grpc::Status st) {
          Sent& x = result.sent[i];
          std::lock_guard<std::mutex> l(done_mu);
          if (st.ok()) {
            x.returned = NowNanos();
            x.name = c->response.name();
          } else {
            result.errors[absl::StrCat(st.error_code(), " ", st.error_message().substr(0, 80))]++;
          }
          if (++done == total) done_cv.notify_all();
        });
  }
  {
    std::unique_lock<std::mutex> l(done_mu);
    done_cv.wait(l, [&] { return done == total; });
  }
  result.t_end = NowNanos();
  const int64_t cpu_mx1 = ProcessCpuNanos(bench.pid(kHost));
  const int64_t cpu_gt1 = ProcessCpuNanos(bench.pid(kNational));
  const auto machine1 = MachineJiffies();
  const double wall = (result.t_end - result.t0) / 1e9;
  result.mx_cores = (cpu_mx1 - cpu_mx0) / 1e9 / wall;
  result.gt_cores = (cpu_gt1 - cpu_gt0) / 1e9 / wall;
  const double total_jiffies = machine1.second - machine0.second;
  result.machine_cores = total_jiffies > 0 ? (machine1.first - machine0.first) / total_jiffies *
                                                 std::thread::hardware_concurrency()
                                           : 0;
  // Drain: until every notification that was sent is in the inbox with its case.
  size_t ok = 0;
  for (const auto& s : result.sent) ok += s.returned != 0;
  const absl::Time give_up =
      absl::Now() + absl::Seconds(absl::GetFlag(FLAGS_drain_timeout_seconds));
  absl::Time last_report = absl::Now();
  auto seen_of_ours = [&] {
    size_t n = 0;
    for (const auto& s : result.sent) n += s.returned != 0 && poller.SeenAt(s.name) != 0;
    return n;
  };
  size_t seen = 0;
  while ((seen = seen_of_ours()) < ok) {
    if (absl::Now() > give_up) {
      result.drain_timed_out = true;
      break;
    }
    if (absl::Now() - last_report > absl::Seconds(30)) {
      std::cerr << "notification_bench: draining, " << seen << " of " << ok
                << " in the inbox\n";
      last_report = absl::Now();
    }
    absl::SleepFor(absl::Milliseconds(200));
  }
  result.drained = NowNanos();
  polling = false;
  poll_thread.join();
  result.poll_calls = poller.calls();
  result.poll_failures = poller.failures();
  result.poll_listed = poller.listed();
  for (auto& s : result.sent) {
    if (s.returned != 0) s.seen = poller.SeenAt(s.name);
  }
  return result;
}

// Completions per second of one stage within [from, to).
double RateIn(const std::vector<Sent>& sent, int64_t Sent::*at, int64_t from, int64_t to) {
  int64_t n = 0;
  for (const auto& s : sent) {
    if (s.*at >= from && s.*at < to) ++n;
  }
  return to > from ? n / ((to - from) / 1e9) : 0;
}

int Main() {
  std::string work = absl::GetFlag(FLAGS_work_dir);
  if (work.empty()) work = testing::MakeTempDir("notification-bench");
  std::filesystem::create_directories(work);
  std::cerr << "notification_bench: work dir " << work << "\n";
  // The workspace is shared with other builds: snapshot the enlace-node binary now, so that a
  // rebuild during the run cannot swap it (NodeProcess finds it under TEST_SRCDIR).
  {
    const std::string from = testing::RunfilePath("services/node/enlace-node");
    const std::string dir = work + "/runfiles/enlace/services/node";
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    std::filesystem::copy_file(from, dir + "/enlace-node",
                               std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) {
      std::cerr << "notification_bench: cannot copy " << from << ": " << ec.message() << "\n";
      return 1;
    }
    setenv("TEST_SRCDIR", (work + "/runfiles").c_str(), 1);
  }
  Bench bench(work);
  if (absl::Status s = bench.Start(); !s.ok()) {
    std::cerr << "notification_bench: " << s << "\n";
    return 1;
  }
  int rc = 0;
  std::cout << "## Consular notifications: host to the receiving post's inbox\n\n"
            << "Machine: " << MachineLine() << ".\n"
            << "Two enlace-node processes (" << kHost << " host, " << kNational
            << " receiving) on loopback over mTLS, data in " << work
            << "; detention in MX-CHP routed to " << kPost
            << "; every notification a new person (GT opens person + case).\n\n";

  // Warm-up: the connections and the link are made, both nodes' caches warm up.
  auto mx = bench.Notifications(kHost, "role/supervisor/user/inm-enlace");
  InboxPoller unloaded_poller(
      bench.Notifications(kNational, "role/officer/post/GT-TAP/user/bench"),
      absl::Milliseconds(absl::GetFlag(FLAGS_settle_ms)));
  {
    std::vector<Sent> warm;
    if (absl::Status s = Unloaded(mx.get(), unloaded_poller, 3, 2000000, warm); !s.ok()) {
      std::cerr << "notification_bench: warm-up: " << s << "\n";
      bench.Stop();
      return 1;
    }
  }

  const int unloaded = absl::GetFlag(FLAGS_unloaded);
  if (unloaded > 0) {
    std::vector<Sent> sent;
    const absl::Time start = absl::Now();
    absl::Status s = Unloaded(mx.get(), unloaded_poller, unloaded, 1000000, sent);
    if (!s.ok()) {
      std::cout << "ERROR: unloaded: " << s << "\n";
      rc = 1;
    } else if (s = bench.Collect(sent); !s.ok()) {
      std::cout << "ERROR: collecting node timestamps: " << s << "\n";
      rc = 1;
    }
    std::cout << "### Unloaded: " << sent.size()
              << " notifications, one at a time (the next sent once the previous is back at "
                 "the host)\n\n"
              << "Inbox and host polled every " << absl::GetFlag(FLAGS_unloaded_poll_ms)
              << " ms; took " << absl::FormatDuration(absl::Trunc(absl::Now() - start,
                                                                    absl::Milliseconds(100)))
              << (unloaded_poller.failures() > 0
                      ? absl::StrCat(" (", unloaded_poller.failures(), " inbox polls failed)")
                      : "")
              << ".\n\n"
              << LatencyTable(sent, /*with_host=*/true) << "\n";
  }

  const double rate = absl::GetFlag(FLAGS_rate);
  const double seconds = absl::GetFlag(FLAGS_load_seconds);
  if (rate > 0 && seconds > 0) {
    LoadResult r = Loaded(bench, rate, seconds);
    Accounting accounting;
    if (absl::Status s = bench.Collect(r.sent, &accounting); !s.ok()) {
      std::cout << "ERROR: collecting node timestamps: " << s << "\n";
      rc = 1;
    }
    std::vector<Sent> ok;
    for (const auto& s : r.sent) {
      if (s.returned != 0) ok.push_back(s);
    }
    const double window = (r.t_sched_end - r.t0) / 1e9;
    std::vector<int64_t> lag;
    for (const auto& s : r.sent) {
      if (s.start != 0) lag.push_back(std::max<int64_t>(0, s.start - s.scheduled));
    }
    const Summary lag_summary = Summarize(lag);
    int64_t last_case = 0, last_delivered = 0;
    size_t opened = 0, delivered = 0, seen = 0;
    for (const auto& s : ok) {
      last_case = std::max(last_case, s.case_opened);
      last_delivered = std::max(last_delivered, s.delivered);
      opened += s.case_opened != 0;
      delivered += s.delivered != 0;
      seen += s.seen != 0;
    }
    std::cout << "### Under load: " << rate << " notifications/s offered for " << seconds
              << " s (open loop: asynchronous calls issued on schedule over "
              << absl::GetFlag(FLAGS_channels) << " connections)\n\n";
    std::cout << "| stage | rate during the offered window |\n|---|---|\n"
              << absl::StrFormat("| offered | %.0f/s (%d notifications) |\n", rate,
                                 r.sent.size())
              << absl::StrFormat("| accepted by the host (SendNotification OK) | %.0f/s (%d; "
                                 "%d failed) |\n",
                                 RateIn(ok, &Sent::returned, r.t0, r.t_sched_end), ok.size(),
                                 r.sent.size() - ok.size())
              << absl::StrFormat("| delivered at GT | %.0f/s |\n",
                                 RateIn(ok, &Sent::delivered, r.t0, r.t_sched_end))
              << absl::StrFormat("| cases opened at GT | %.0f/s |\n",
                                 RateIn(ok, &Sent::case_opened, r.t0, r.t_sched_end));
    // The first stage that fell behind the offered rate is where the pipeline saturates.
    {
      const double accepted = RateIn(ok, &Sent::returned, r.t0, r.t_sched_end);
      const double delivered_rate = RateIn(ok, &Sent::delivered, r.t0, r.t_sched_end);
      const double opened_rate = RateIn(ok, &Sent::case_opened, r.t0, r.t_sched_end);
      std::string where = "nowhere: every stage kept up with the offered rate";
      if (accepted < 0.95 * rate) {
        where = "the host's SendNotification (MX)";
      } else if (delivered_rate < 0.95 * rate) {
        where = "the federation link MX -> GT (sending, applying at GT)";
      } else if (opened_rate < 0.95 * rate) {
        where = "GT's case opening (the notifications worker: 8 lanes, person + case each)";
      }
      std::cout << "\nFirst stage below 95% of the offered rate: " << where << ".\n";
    }
    std::cout << absl::StrFormat(
        "\nOffered window %.1f s; the host answered the last call %s after it was issued. Calls "
        "issued "
        "behind the schedule by p50 %s, p99 %s, max %s (the client's own lag). CPU from the "
        "first call to the last answer: MX node %.2f cores, GT node %.2f cores, whole machine "
        "%.2f of %d cores (includes this benchmark and other tenants).\n",
        window,
        Ms(std::max<int64_t>(0, r.t_end - (r.sent.empty() ? r.t0 : r.sent.back().scheduled)) /
           1e6),
        Ms(lag_summary.p50), Ms(lag_summary.p99),
        Ms(lag_summary.max), r.mx_cores, r.gt_cores, r.machine_cores,
        std::thread::hardware_concurrency());
    std::cout << absl::StrFormat(
        "After the offered window: the last accepted notification delivered %s and the last "
        "case opened %s after it ended%s; %d of %d seen by the poller, %d delivered, %d with "
        "a case. Inbox poller: every %d ms, %d calls (%d failed), %d notifications read.\n\n",
        last_delivered > 0 ? Ms(std::max<int64_t>(0, last_delivered - r.t_sched_end) / 1e6)
                           : "-",
        last_case > 0 ? Ms(std::max<int64_t>(0, last_case - r.t_sched_end) / 1e6) : "-",
        r.drain_timed_out ? " (DRAIN TIMED OUT)" : "", seen, ok.size(), delivered, opened,
        absl::GetFlag(FLAGS_loaded_poll_ms), r.poll_calls, r.poll_failures, r.poll_listed);
    if (!r.errors.empty()) {
      std::cout << "Failed sends:";
      for (const auto& [e, n] : r.errors) std::cout << " " << n << " x (" << e << ")";
      std::cout << "\n\n";
    }
    std::cout << LatencyTable(ok, /*with_host=*/false) << "\n";
    {
      // The figure: p99 from the host's answer to GT-TAP's inbox listing it with its
      // case (as the poller first saw it), and nothing lost or duplicated.
      const Summary inbox = Summarize(Deltas(ok, &Sent::seen));
      std::cout << absl::StrFormat(
          "**At %.0f/s offered for %.0f s: in GT-TAP's inbox with its case p50 %s, p99 %s; "
          "%d accepted by the host, %d in the inbox with a case, lost %d, listed twice %d, "
          "more than one case opened %d.**\n\n",
          rate, seconds, Ms(inbox.p50), Ms(inbox.p99), accounting.accepted,
          accounting.in_inbox, accounting.lost, accounting.listed_twice,
          accounting.cases_twice);
      if (accounting.lost > 0 || accounting.listed_twice > 0 || accounting.cases_twice > 0) {
        std::cout << "ERROR: notifications lost or duplicated\n\n";
        rc = 1;
      }
    }
    // How latency grows while a stage is saturated.
    const int64_t bucket = absl::GetFlag(FLAGS_bucket_seconds) * 1000000000LL;
    std::cout << "By when it was sent (p50 / p99 to the case opened at GT):\n\n"
              << "| sent at (s) | accepted | p50 | p99 |\n|---|---|---|---|\n";
    for (int64_t b = r.t0; b < r.t_sched_end; b += bucket) {
      std::vector<Sent> in;
      for (const auto& s : ok) {
        if (s.returned >= b && s.returned < b + bucket) in.push_back(s);
      }
      const Summary sm = Summarize(Deltas(in, &Sent::case_opened));
      std::cout << absl::StrFormat("| %.0f-%.0f | %d | %s | %s |\n", (b - r.t0) / 1e9,
                                   (b + bucket - r.t0) / 1e9, in.size(),
                                   sm.count ? Ms(sm.p50) : "-", sm.count ? Ms(sm.p99) : "-");
    }
    std::cout << "\n";
    if (r.drain_timed_out || seen < ok.size()) rc = 1;
  }
  bench.Stop();
  if (!absl::GetFlag(FLAGS_keep)) {
    std::error_code ec;
    std::filesystem::remove_all(work, ec);
  }
  std::cout << "benchmark finished\n";
  return rc;
}

}  // namespace
}  // namespace enlace::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "The notification benchmark: time from a host's notification to the case in the "
      "receiving post's inbox, unloaded and under load. See BENCHMARKS.md.");
  absl::ParseCommandLine(argc, argv);
  signal(SIGPIPE, SIG_IGN);
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
