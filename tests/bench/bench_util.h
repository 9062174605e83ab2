#ifndef ENLACE_TESTS_BENCH_BENCH_UTIL_H_
#define ENLACE_TESTS_BENCH_BENCH_UTIL_H_

// Small helpers shared by the federation and security benchmarks: latency summaries, CPU
// metering of this process and of child processes, waiting for other tenants of the machine
// to go quiet, and a one-line description of the machine.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace enlace::bench {

int64_t NowNanos();

struct Latency {
  size_t count = 0;
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
  double mean_ms = 0;
};
Latency Summarize(std::vector<int64_t> nanos);
// A millisecond figure with sensible precision.
std::string Ms(double ms);

// CPU time (user + system) of a process, from /proc/<pid>/stat; 0 when unknown.
int64_t ProcessCpuNanos(pid_t pid);
// CPU time of this process.
int64_t SelfCpuNanos();

// CPU used over an interval, in cores: by this process plus `children`, and by the machine.
class CpuMeter {
 public:
  explicit CpuMeter(std::vector<pid_t> children = {});
  void Start();
  // {ours (this process + children), machine busy}.
  std::pair<double, double> Stop() const;
  // Cores used by one child over the interval.
  double ChildCores(size_t i) const;

 private:
  std::vector<pid_t> children_;
  std::vector<int64_t> child_start_;
  int64_t wall_ = 0;
  int64_t self_ = 0;
  uint64_t busy_ = 0;
  uint64_t total_ = 0;
};

// Before a measured step: waits up to `max_seconds` until other processes use fewer than
// `quiet_cores` cores (builds of other engineers share this machine). `ours` are child
// processes to count as ours. Returns the cores others used in the last half second.
double WaitForQuiet(double max_seconds, double quiet_cores, std::vector<pid_t> ours = {});

// "2 cores (AMD EPYC ...), 23.4 GiB RAM, work dir on ext4; load average ...".
std::string MachineLine(const std::string& dir);

}  // namespace enlace::bench

#endif  // ENLACE_TESTS_BENCH_BENCH_UTIL_H_
