#include "tests/bench/bench_util.h"

#include <sys/resource.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/strings/match.h"

namespace enlace::bench {

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

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
  l.p90_ms = at(0.90);
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

int64_t ProcessCpuNanos(pid_t pid) {
  if (pid <= 0) return 0;
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 > stat.size()) return 0;
  std::vector<std::string> f = absl::StrSplit(stat.substr(paren + 2), ' ');
  int64_t utime = 0, stime = 0;
  // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
  if (f.size() < 13 || !absl::SimpleAtoi(f[11], &utime) || !absl::SimpleAtoi(f[12], &stime)) {
    return 0;
  }
  return (utime + stime) * (1000000000LL / sysconf(_SC_CLK_TCK));
}

int64_t SelfCpuNanos() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  auto ns = [](const timeval& tv) { return tv.tv_sec * 1000000000LL + tv.tv_usec * 1000LL; };
  return ns(ru.ru_utime) + ns(ru.ru_stime);
}

namespace {
void ReadMachine(uint64_t* busy, uint64_t* total) {
  std::ifstream in("/proc/stat");
  std::string cpu;
  uint64_t v[10] = {};
  in >> cpu;
  for (auto& x : v) in >> x;
  *total = 0;
  for (int i = 0; i < 8; ++i) *total += v[i];  // guest time is already in user
  *busy = *total - v[3] - v[4];                 // minus idle and iowait
}
}  // namespace

CpuMeter::CpuMeter(std::vector<pid_t> children) : children_(std::move(children)) { Start(); }

void CpuMeter::Start() {
  wall_ = NowNanos();
  self_ = SelfCpuNanos();
  child_start_.clear();
  for (pid_t p : children_) child_start_.push_back(ProcessCpuNanos(p));
  ReadMachine(&busy_, &total_);
}

double CpuMeter::ChildCores(size_t i) const {
  if (i >= children_.size()) return 0;
  const double wall = static_cast<double>(std::max<int64_t>(1, NowNanos() - wall_));
  return static_cast<double>(ProcessCpuNanos(children_[i]) - child_start_[i]) / wall;
}

std::pair<double, double> CpuMeter::Stop() const {
  const double wall = static_cast<double>(std::max<int64_t>(1, NowNanos() - wall_));
  double ours = static_cast<double>(SelfCpuNanos() - self_) / wall;
  for (size_t i = 0; i < children_.size(); ++i) ours += ChildCores(i);
  uint64_t busy = 0, total = 0;
  ReadMachine(&busy, &total);
  const double ncpu = std::thread::hardware_concurrency();
  const double machine =
      total > total_ ? ncpu * static_cast<double>(busy - busy_) / (total - total_) : 0;
  return {ours, machine};
}

double WaitForQuiet(double max_seconds, double quiet_cores, std::vector<pid_t> ours) {
  const int64_t give_up = NowNanos() + static_cast<int64_t>(max_seconds * 1e9);
  double others = 0;
  do {
    CpuMeter cpu(ours);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    auto [mine, machine] = cpu.Stop();
    others = std::max(0.0, machine - mine);
    if (others < quiet_cores) return others;
  } while (NowNanos() < give_up);
  if (max_seconds > 0) {
    std::cerr << absl::StrFormat("machine still busy (%.2f cores used by others): going on\n",
                                 others);
  }
  return others;
}

namespace {
std::string ReadFirstLine(const std::string& path, const std::string& prefix) {
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) {
    if (absl::StartsWith(line, prefix)) return line;
  }
  return "";
}
}  // namespace

std::string MachineLine(const std::string& dir) {
  std::string model = ReadFirstLine("/proc/cpuinfo", "model name");
  if (auto c = model.find(':'); c != std::string::npos) model = model.substr(c + 2);
  std::string mem = ReadFirstLine("/proc/meminfo", "MemTotal:");
  int64_t mem_kb = 0;
  if (mem.size() > 9) {
    absl::SimpleAtoi(absl::StripAsciiWhitespace(absl::StripSuffix(mem.substr(9), "kB")),
                     &mem_kb);
  }
  struct statfs fs;
  std::string fstype = "?";
  if (statfs(dir.c_str(), &fs) == 0) {
    fstype = fs.f_type == 0xEF53       ? "ext4"
             : fs.f_type == 0x58465342 ? "xfs"
             : fs.f_type == 0x01021994 ? "tmpfs"
                                       : absl::StrFormat("0x%x", fs.f_type);
  }
  std::ifstream la("/proc/loadavg");
  std::string l1, l5, l15;
  la >> l1 >> l5 >> l15;
  return absl::StrFormat("%d cores (%s), %.1f GiB RAM, work dir on %s; load average %s %s %s",
                         std::thread::hardware_concurrency(), model, mem_kb / 1048576.0, fstype,
                         l1, l5, l15);
}

}  // namespace enlace::bench
