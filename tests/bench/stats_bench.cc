// Statistics benchmark (issue 12): what the monthly release and the regional view cost.
//
//   1. The counters of N cases (default 1,000,000 over 60 months, a node's decade at
//      Mexico's 2025 rate is ~1.8 M), kept by the same case hook the registry calls, committed
//      in batches; then one month's release built from them and protected, and the same
//      month's counter keys read by a bare RocksDB prefix scan (the ceiling of that step).
//   2. The secretariat's store with 11 members x 120 months of releases; the regional view
//      of one month (11 members), and of all 120 months one after the other.
// Timings are printed, never checked (the smoke test only checks that every step ran).
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <random>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/identity/caller.h"
#include "common/storage/store.h"
#include "common/time/clock.h"
#include "common/time/proto_time.h"
#include "common/txn/committer.h"
#include "enlace/secretariat/v1/secretariat.pb.h"
#include "services/secretariat/regional.h"
#include "services/stats/stats.h"
#include "tests/bench/bench_util.h"
#include "tests/testing/test_env.h"

ABSL_FLAG(int, cases, 1000000, "Cases whose counters the node keeps.");
ABSL_FLAG(int, months, 60, "Months the cases are spread over.");
ABSL_FLAG(int, members, 11, "Members whose releases the secretariat holds.");
ABSL_FLAG(int, member_months, 120, "Months of releases per member.");
ABSL_FLAG(std::string, work_dir, "", "Where the stores go (default: a temporary directory).");

namespace enlace::bench {
namespace {

namespace cv1 = ::enlace::cases::v1;

std::unique_ptr<storage::Store> OpenStore(const std::string& path,
                                          void (*add)(storage::StoreOptions&)) {
  storage::StoreOptions o;
  o.path = path;
  txn::Committer::AddColumnFamilies(o);
  add(o);
  auto s = storage::Store::Open(o);
  if (!s.ok()) {
    std::cerr << "ERROR: " << s.status() << "\n";
    std::exit(1);
  }
  return *std::move(s);
}

double Seconds(int64_t from, int64_t to) { return (to - from) / 1e9; }

int Run() {
  const int cases = absl::GetFlag(FLAGS_cases), months = absl::GetFlag(FLAGS_months);
  std::string dir = absl::GetFlag(FLAGS_work_dir);
  if (dir.empty()) dir = testing::MakeTempDir("stats-bench");
  std::filesystem::create_directories(dir);
  std::cout << "### Statistics (issue 12)\n\n" << MachineLine(dir) << "\n\n";
  const absl::Time start = absl::FromCivil(absl::CivilMonth(2021, 1), absl::UTCTimeZone());
  FakeClock now(start + absl::Hours(24 * 31 * (months + 1)));

  // --- 1. counters of `cases` cases, then one month's release ---------------------------
  auto store = OpenStore(dir + "/node", &stats::Stats::AddColumnFamilies);
  auto committer = txn::Committer::Create(store.get(), "MX");
  if (!committer.ok()) return 1;
  stats::Stats node(store.get(), committer->get(), "MX", {}, &now);
  const std::vector<std::pair<std::string, std::string>> posts = {
      {"MX-LAX", "US"}, {"MX-CHI", "US"}, {"MX-HOU", "US"}, {"MX-DAL", "US"}, {"MX-PHX", "US"},
      {"MX-NYC", "US"}, {"MX-ATL", "US"}, {"MX-SAN", "US"}, {"MX-GUA", "GT"}, {"MX-TOR", "CA"},
      {"MX-MTL", "CA"}, {"MX-TGU", "HN"}, {"MX-SJO", "CR"}, {"MX-PTY", "PA"}, {"MX-SAL", "SV"}};
  std::mt19937 rng(1);
  std::discrete_distribution<int> post_of({30, 14, 12, 9, 8, 7, 5, 5, 2, 2, 1, 1, 1, 1, 1});
  std::discrete_distribution<int> category_of({0, 8, 34, 14, 12, 22, 10, 1});
  std::uniform_int_distribution<int> month_of(0, months - 1), sex_of(1, 2), child(0, 99);
  cv1::Person adult, kid;
  adult.set_birth_date("1988-03-03");
  kid.set_birth_date("2012-03-03");
  int64_t t0 = NowNanos();
  for (int done = 0; done < cases;) {
    txn::Transaction txn;
    for (int i = 0; i < 10000 && done < cases; ++i, ++done) {
      cv1::Case c;
      c.set_name(absl::StrCat("countries/MX/cases/c", done));
      const auto& [post, host] = posts[post_of(rng)];
      c.set_post(post);
      c.set_host_country(host);
      c.set_category(static_cast<cv1::Category>(category_of(rng)));
      *c.mutable_create_time() =
          ToProtoTime(start + absl::Hours(24 * 31 * month_of(rng) + 24 * (done % 27)));
      cv1::Person& p = child(rng) < 7 ? kid : adult;
      p.set_sex(static_cast<cv1::Sex>(sex_of(rng)));
      if (!node.OnCaseVersion(nullptr, c, &p, txn).ok()) return 1;
    }
    if (!(*committer)->Commit(txn).ok()) return 1;
  }
  int64_t t1 = NowNanos();
  std::cout << "| step | figure |\n|---|---|\n";
  std::cout << absl::StrFormat("| counters of %d cases over %d months, batches of 10,000 | %.1f s (%.0f cases/s) |\n",
                               cases, months, Seconds(t0, t1), cases / Seconds(t0, t1));
  const std::string month = absl::FormatTime("%Y-%m", start + absl::Hours(24 * 31 * (months / 2)),
                                             absl::UTCTimeZone());
  std::vector<int64_t> build, protect, scan;
  size_t keys = 0;
  int64_t total = 0;
  for (int round = 0; round < 20; ++round) {
    int64_t a = NowNanos();
    auto r = node.BuildRelease(month, "cases_opened");
    int64_t b = NowNanos();
    if (!r.ok()) return 1;
    const stats::ProtectedRelease p = stats::Protect(*r);
    int64_t c = NowNanos();
    keys = 0;
    for (auto it = store->ScanPrefix(store->cf("stats_counters"), absl::StrCat("O|", month, "|"));
         it->Valid(); it->Next()) {
      ++keys;
    }
    int64_t d = NowNanos();
    build.push_back(b - a);
    protect.push_back(c - b);
    scan.push_back(d - c);
    total = p.grand_total;
  }
  std::cout << absl::StrFormat("| one month's release (%s: %d cases in %zu counter cells): build p50 | %s ms |\n",
                               month, total, keys, Ms(Summarize(build).p50_ms));
  std::cout << "| same: protect (primary and secondary suppression) p50 | "
            << Ms(Summarize(protect).p50_ms) << " ms |\n";
  std::cout << "| ceiling: bare RocksDB prefix scan of the same cells p50 | "
            << Ms(Summarize(scan).p50_ms) << " ms |\n";
  auto proto = node.ProtectedReleaseOf(month, "cases_opened");
  if (!proto.ok()) return 1;
  std::cout << "| the release's size on the wire | " << proto->ByteSizeLong() << " bytes |\n";

  // --- 2. the secretariat: members x months of releases, the regional view ---------------
  const int members = absl::GetFlag(FLAGS_members), member_months = absl::GetFlag(FLAGS_member_months);
  auto sstore = OpenStore(dir + "/secretariat", &secretariat::Regional::AddColumnFamilies);
  auto scommitter = txn::Committer::Create(sstore.get(), "XS");
  if (!scommitter.ok()) return 1;
  const std::vector<std::string> codes = {"MX", "GT", "HN", "SV", "NI", "CR",
                                          "PA", "BZ", "DO", "US", "CA"};
  std::vector<std::string> member_codes(codes.begin(), codes.begin() + std::min(members, 11));
  FakeClock later(absl::FromCivil(absl::CivilMonth(2031, 1), absl::UTCTimeZone()));
  secretariat::Regional regional(sstore.get(), scommitter->get(),
                                 [&] { return member_codes; }, &later);
  int64_t t2 = NowNanos();
  std::vector<std::string> month_names;
  for (int m = 0; m < member_months; ++m) {
    month_names.push_back(absl::FormatTime(
        "%Y-%m", absl::FromCivil(absl::CivilMonth(2020, 1) + m, absl::UTCTimeZone()),
        absl::UTCTimeZone()));
  }
  // Every member sends the month built above, relabelled: real releases, real sizes.
  for (const std::string& code : member_codes) {
    for (const std::string& m : month_names) {
      stats::v1::ReleaseEnvelope e;
      e.set_revision(1);
      *e.mutable_release() = *proto;
      e.mutable_release()->set_country(code);
      e.mutable_release()->set_month(m);
      for (auto& t : *e.mutable_release()->mutable_tables()) {
        if (t.dimension() != "post") continue;
        for (auto& row : *t.mutable_rows()) row.set_key(code + row.key().substr(2));
      }
      federation::v1::EnvelopeBody body;
      body.set_kind("stats.release");
      body.set_sender(code);
      body.set_payload(e.SerializeAsString());
      txn::Transaction txn;
      absl::Status s = regional.Apply(body, txn);
      if (!s.ok()) {
        std::cerr << "ERROR: " << s << "\n";
        return 1;
      }
      if (!(*scommitter)->Commit(txn).ok()) return 1;
    }
  }
  int64_t t3 = NowNanos();
  std::cout << absl::StrFormat("| secretariat: %d releases received (checked, stored) | %.2f s (%.0f/s) |\n",
                               members * member_months, Seconds(t2, t3),
                               members * member_months / Seconds(t2, t3));
  const Caller crm = SystemCaller("XS", "bench");
  std::vector<int64_t> one;
  size_t size = 0;
  for (int round = 0; round < 20; ++round) {
    secretariat::v1::GetRegionalReleaseRequest req;
    req.set_month(month_names[round % month_names.size()]);
    int64_t a = NowNanos();
    auto r = regional.GetRegionalRelease(req, crm);
    one.push_back(NowNanos() - a);
    if (!r.ok()) return 1;
    size = r->ByteSizeLong();
  }
  int64_t t4 = NowNanos();
  for (const std::string& m : month_names) {
    secretariat::v1::GetRegionalReleaseRequest req;
    req.set_month(m);
    if (!regional.GetRegionalRelease(req, crm).ok()) return 1;
  }
  int64_t t5 = NowNanos();
  std::cout << absl::StrFormat("| regional view of one month, %d members: p50 | %s ms (%zu bytes) |\n",
                               static_cast<int>(member_codes.size()), Ms(Summarize(one).p50_ms), size);
  std::cout << absl::StrFormat("| regional view of all %d months, one after the other | %.2f s |\n",
                               member_months, Seconds(t4, t5));
  std::cout << "\nbenchmark finished\n";
  return 0;
}

}  // namespace
}  // namespace enlace::bench

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  return enlace::bench::Run();
}
