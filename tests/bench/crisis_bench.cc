// The crisis benchmark of issue #10 (method and results: BENCHMARKS.md; run it with
// `bash tests/bench/run_crisis.sh`, which also runs the same machine's ceilings).
//
// One node (in this process, served over mTLS on loopback like any node):
//   1. load: N registrations in two areas of Honduras (ImportRegistrations, batches of 500,
//      4 callers) and M open cases in Honduras (CreatePerson + CreateCase);
//   2. declare a crisis over those areas and time until its board counts every registration
//      and case (the activation job has put each on the worklist), then page the whole
//      worklist;
//   3. welfare notes at C callers for S seconds, while one more caller asks for the
//      worklist's first page of 100 over and over: notes per second and page latency.
// Timings are printed, never checked.
#include <atomic>
#include <filesystem>
#include <iostream>
#include <thread>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/time/proto_time.h"
#include "enlace/cases/v1/case_service.grpc.pb.h"
#include "enlace/cases/v1/person_service.grpc.pb.h"
#include "enlace/crisis/v1/crisis.grpc.pb.h"
#include "services/node/node.h"
#include "tests/bench/bench_util.h"
#include "tests/testing/test_env.h"

ABSL_FLAG(int, registrations, 100000, "Registrations in the crisis's areas.");
ABSL_FLAG(int, cases, 5000, "Open cases in the crisis's host country.");
ABSL_FLAG(int, callers, 16, "Callers recording welfare notes.");
ABSL_FLAG(double, note_seconds, 10, "How long the notes step runs.");
ABSL_FLAG(std::string, work_dir, "", "Where the node's store goes (default: a temporary dir).");

namespace enlace::bench {
namespace {

namespace xv1 = ::enlace::crisis::v1;
namespace cv1 = ::enlace::cases::v1;

std::unique_ptr<grpc::ClientContext> Ctx(absl::Duration d = absl::Seconds(60)) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + d));
  // A connection still being set up is waited for, not failed fast and retried in a loop.
  ctx->set_wait_for_ready(true);
  return ctx;
}

double Seconds(int64_t nanos) { return nanos / 1e9; }

class Bench {
 public:
  absl::Status Start(const std::string& dir) {
    auto pki = testing::TestPki::Create(dir, "MX");
    if (!pki.ok()) return pki.status();
    pki_ = std::make_unique<testing::TestPki>(*pki);
    auto node = node::Node::Start(testing::TestNodeConfig(dir, "MX"));
    if (!node.ok()) return node.status();
    node_ = *std::move(node);
    return absl::OkStatus();
  }
  ~Bench() {
    if (node_ != nullptr) (void)node_->Shutdown(absl::Seconds(10));
  }

  // Each caller is its own person (the node limits calls per identity, 500/s by default).
  std::shared_ptr<grpc::Channel> Channel(const std::string& user = "bench") {
    auto cert = pki_->Client("spiffe://mx.enlace.example/role/supervisor/user/" + user);
    auto channel = testing::MakeChannel(node_->api_port(), pki_->ca(), &*cert);
    // Connected before anything is timed.
    channel->WaitForConnected(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
    return channel;
  }

  // Step 1.
  void Load(int registrations, int cases) {
    const int64_t t0 = NowNanos();
    std::atomic<int> next{0};
    std::atomic<int> created{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        auto stub = xv1::CrisisService::NewStub(Channel(absl::StrCat("importer-", t)));
        for (int b; (b = next.fetch_add(500)) < registrations;) {
          xv1::ImportRegistrationsRequest req;
          req.set_parent("countries/MX");
          for (int i = b; i < std::min(b + 500, registrations); ++i) {
            auto* item = req.add_items();
            item->set_request_id(absl::StrCat("bench-", i));
            auto* r = item->mutable_registration();
            r->set_given_names(absl::StrCat("Persona ", i));
            r->set_family_names("Hernández López");
            r->set_birth_date(absl::StrCat(1940 + i % 80));
            auto* d = r->add_documents();
            d->set_type(cv1::DOCUMENT_TYPE_PASSPORT);
            d->set_number(absl::StrCat("G", 10000000 + i));
            d->set_issuing_country("MX");
            r->set_host_country("HN");
            r->set_area(i % 2 == 0 ? "HN-CR" : "HN-AT");
            r->set_post("MX-GUA");
            r->set_phone("+504 9999 0000");
            r->set_medical_needs(i % 17 == 0);
          }
          xv1::ImportRegistrationsResponse out;
          grpc::Status s = stub->ImportRegistrations(Ctx().get(), req, &out);
          if (!s.ok()) std::cerr << "ERROR import: " << s.error_message() << "\n";
          created += out.created() + out.already_present();
        }
      });
    }
    for (auto& t : threads) t.join();
    const double import_s = Seconds(NowNanos() - t0);
    const int64_t t1 = NowNanos();
    std::atomic<int> next_case{0};
    threads.clear();
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        auto channel = Channel(absl::StrCat("loader-", t));
        auto persons = cv1::PersonService::NewStub(channel);
        auto cases_stub = cv1::CaseService::NewStub(channel);
        for (int i; (i = next_case.fetch_add(1)) < cases;) {
          cv1::CreatePersonRequest cp;
          cp.set_parent("countries/MX");
          auto* p = cp.mutable_person();
          p->set_given_names(absl::StrCat("Caso ", i));
          p->set_family_names("Martínez");
          p->set_sex(i % 2 ? cv1::SEX_FEMALE : cv1::SEX_MALE);
          p->set_birth_date("1980");
          p->add_nationalities("MX");
          p->set_international_protection(cv1::INTERNATIONAL_PROTECTION_NONE);
          cv1::Person person;
          if (!persons->CreatePerson(Ctx().get(), cp, &person).ok()) {
            std::cerr << "ERROR person\n";
            continue;
          }
          cv1::CreateCaseRequest cc;
          cc.set_parent("countries/MX");
          auto* c = cc.mutable_case_();
          c->set_person(person.name());
          c->set_post("MX-GUA");
          c->set_host_country("HN");
          c->set_place("San Pedro Sula");
          c->set_category(cv1::CATEGORY_LABOUR);
          c->set_subtype(cv1::SUBTYPE_WORK_INJURY);
          c->set_legal_basis(cv1::LEGAL_BASIS_VITAL_INTEREST);
          cv1::Case out;
          grpc::Status s = cases_stub->CreateCase(Ctx().get(), cc, &out);
          if (!s.ok()) std::cerr << "ERROR case: " << s.error_message() << "\n";
        }
      });
    }
    for (auto& t : threads) t.join();
    std::cout << "| load | " << registrations << " registrations imported in "
              << absl::StrFormat("%.1f s (%.0f/s)", import_s, registrations / import_s) << "; "
              << cases << " persons with an open case in "
              << absl::StrFormat("%.1f s", Seconds(NowNanos() - t1)) << " |\n";
    expected_ = registrations + cases;
  }

  // Step 2.
  absl::Status Declare() {
    auto stub = xv1::CrisisService::NewStub(Channel());
    xv1::DeclareCrisisRequest req;
    req.set_parent("countries/MX");
    auto* c = req.mutable_crisis();
    c->set_type(xv1::CRISIS_TYPE_HURRICANE);
    c->set_title("Huracán de prueba");
    c->set_host_country("HN");
    c->add_areas("HN-CR");
    c->add_areas("HN-AT");
    c->set_phase(xv1::PHASE_ACTIVE);
    xv1::Crisis out;
    const int64_t t0 = NowNanos();
    grpc::Status s = stub->DeclareCrisis(Ctx().get(), req, &out);
    if (!s.ok()) return absl::InternalError(s.error_message());
    crisis_ = out.name();
    xv1::GetBoardRequest gb;
    gb.set_crisis(crisis_);
    int64_t total = 0;
    while (total < expected_) {
      xv1::Board board;
      if (stub->GetBoard(Ctx().get(), gb, &board).ok()) total = board.total();
      if (Seconds(NowNanos() - t0) > 1800) return absl::DeadlineExceededError("worklist");
      absl::SleepFor(absl::Milliseconds(20));
    }
    const double ready_s = Seconds(NowNanos() - t0);
    // Then read all of it, as an officer's tool would.
    const int64_t t1 = NowNanos();
    xv1::ListWorklistRequest lw;
    lw.set_crisis(crisis_);
    lw.set_page_size(1000);
    std::string token;
    do {
      lw.set_page_token(token);
      xv1::ListWorklistResponse page;
      s = stub->ListWorklist(Ctx().get(), lw, &page);
      if (!s.ok()) return absl::InternalError(s.error_message());
      for (const auto& e : page.entries()) subjects_.push_back(e.subject());
      token = page.next_page_token();
    } while (!token.empty());
    const double read_s = Seconds(NowNanos() - t1);
    std::cout << "| declare to full worklist | " << expected_ << " subjects on the board in "
              << absl::StrFormat("%.2f s (%.0f subjects/s)", ready_s, expected_ / ready_s)
              << "; all " << subjects_.size() << " entries paged (1,000 a page) in "
              << absl::StrFormat("%.2f s", read_s) << " |\n";
    return absl::OkStatus();
  }

  // Step 3.
  void Notes(int callers, double seconds) {
    auto first_page = [&](xv1::CrisisService::Stub& stub) {
      xv1::ListWorklistRequest lw;
      lw.set_crisis(crisis_);
      lw.set_page_size(100);
      xv1::ListWorklistResponse page;
      const int64_t t = NowNanos();
      grpc::Status s = stub.ListWorklist(Ctx().get(), lw, &page);
      if (!s.ok()) std::cerr << "ERROR page: " << s.error_message() << "\n";
      if (page.entries_size() < 100) ++short_pages_;
      return NowNanos() - t;
    };
    {
      auto stub = xv1::CrisisService::NewStub(Channel());
      std::vector<int64_t> idle;
      for (int i = 0; i < 50; ++i) idle.push_back(first_page(*stub));
      const Latency l = Summarize(idle);
      std::cout << "| worklist first page of 100, idle | p50 " << Ms(l.p50_ms) << " ms, p99 "
                << Ms(l.p99_ms) << " ms (" << l.count << " calls) |\n";
    }
    std::atomic<bool> stop{false};
    std::atomic<int64_t> notes{0}, failed{0};
    std::vector<std::vector<int64_t>> latencies(callers);
    std::vector<int64_t> pages;
    std::vector<std::thread> threads;
    CpuMeter meter;
    meter.Start();
    const int64_t t0 = NowNanos();
    for (int t = 0; t < callers; ++t) {
      threads.emplace_back([&, t] {
        auto stub = xv1::CrisisService::NewStub(Channel(absl::StrCat("officer-", t)));
        // Each caller works through its own part of the list, from the end (the least urgent
        // subjects), so the first page the reader asks for stays full of unaccounted people.
        for (size_t i = subjects_.size() - 1 - t; !stop.load() && i < subjects_.size();
             i -= callers) {
          xv1::RecordWelfareNoteRequest req;
          req.set_request_id(absl::StrCat("n", i));
          auto* n = req.mutable_note();
          n->set_crisis(crisis_);
          n->set_subject(subjects_[i]);
          n->set_status(i % 3 == 0 ? xv1::WELFARE_STATUS_CONTACTED_SAFE
                                   : xv1::WELFARE_STATUS_BELIEVED_SAFE);
          n->set_source(xv1::NOTE_SOURCE_SHELTER_LIST);
          n->set_details("Albergue Instituto Central, San Pedro Sula");
          *n->mutable_observe_time() = ToProtoTime(absl::Now() - absl::Minutes(5));
          xv1::AccountingEntry e;
          const int64_t s = NowNanos();
          grpc::Status status = stub->RecordWelfareNote(Ctx().get(), req, &e);
          if (status.ok()) {
            latencies[t].push_back(NowNanos() - s);
            ++notes;
          } else if (failed++ == 0) {
            std::cerr << "ERROR note: " << status.error_code() << " " << status.error_message()
                      << "\n";
          }
          if (i < static_cast<size_t>(callers)) break;
        }
      });
    }
    std::thread reader([&] {
      auto stub = xv1::CrisisService::NewStub(Channel("reader"));
      while (!stop.load()) pages.push_back(first_page(*stub));
    });
    absl::SleepFor(absl::Seconds(seconds));
    stop = true;
    for (auto& t : threads) t.join();
    reader.join();
    const double elapsed = Seconds(NowNanos() - t0);
    const auto [cores, machine] = meter.Stop();
    std::vector<int64_t> all;
    for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    const Latency nl = Summarize(all);
    const Latency pl = Summarize(pages);
    std::cout << "| welfare notes, " << callers << " callers | "
              << absl::StrFormat("%.0f notes/s", notes.load() / elapsed) << " (" << notes.load()
              << " in " << absl::StrFormat("%.1f s", elapsed) << ", " << failed.load()
              << " failed); p50 " << Ms(nl.p50_ms) << " ms, p99 " << Ms(nl.p99_ms)
              << " ms; this process used "
              << absl::StrFormat("%.2f cores, the machine %.2f", cores, machine) << " |\n";
    std::cout << "| worklist first page of 100, while notes stream in | p50 " << Ms(pl.p50_ms)
              << " ms, p90 " << Ms(pl.p90_ms) << " ms, p99 " << Ms(pl.p99_ms) << " ms (" << pl.count
              << " calls, " << short_pages_ << " short of 100 entries) |\n";
  }

 private:
  std::unique_ptr<testing::TestPki> pki_;
  std::unique_ptr<node::Node> node_;
  std::string crisis_;
  int64_t expected_ = 0;
  std::vector<std::string> subjects_;
  int short_pages_ = 0;  // first pages with fewer than 100 unaccounted left (small runs)
};

int Main() {
  std::string work = absl::GetFlag(FLAGS_work_dir);
  if (work.empty()) work = testing::MakeTempDir("crisis-bench");
  std::filesystem::create_directories(work);
  std::cout << "### Crisis benchmark\n\n"
            << MachineLine(work) << "\n\n| step | result |\n|---|---|\n";
  Bench bench;
  if (absl::Status s = bench.Start(work); !s.ok()) {
    std::cerr << "ERROR: " << s << "\n";
    return 1;
  }
  bench.Load(absl::GetFlag(FLAGS_registrations), absl::GetFlag(FLAGS_cases));
  if (absl::Status s = bench.Declare(); !s.ok()) {
    std::cerr << "ERROR: " << s << "\n";
    return 1;
  }
  bench.Notes(absl::GetFlag(FLAGS_callers), absl::GetFlag(FLAGS_note_seconds));
  std::cout << "\nbenchmark finished\n";
  return 0;
}

}  // namespace
}  // namespace enlace::bench

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("The crisis benchmark (issue #10); see BENCHMARKS.md.");
  absl::ParseCommandLine(argc, argv);
  return enlace::bench::Main();
}
