#ifndef ENLACE_COMMON_OPS_METRICS_H_
#define ENLACE_COMMON_OPS_METRICS_H_

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace enlace::ops {

// A family of values that the process already keeps elsewhere (a link's queue, the store's
// sizes), read at each scrape rather than pushed. Label values are codes (method, status
// code, member code, column family), never data about a person.
struct PulledFamily {
  enum class Type { kGauge, kCounter };
  struct Sample {
    std::vector<std::pair<std::string, std::string>> labels;
    double value = 0;
  };
  std::string name;
  std::string help;
  Type type = Type::kGauge;
  std::vector<Sample> samples;

  PulledFamily& Add(double value, std::vector<std::pair<std::string, std::string>> labels = {}) {
    samples.push_back({std::move(labels), value});
    return *this;
  }
};
using Collector = std::function<std::vector<PulledFamily>()>;

// A process's metrics (prometheus-cpp's registry and text exposition): the RPC and commit
// histograms, observed as things happen, and the collectors read at each scrape.
class Metrics {
 public:
  Metrics();

  // An RPC of `method` ("package.Service/Method", or "unknown") ended with `code` (a gRPC
  // status code name) after `elapsed`.
  void ObserveRpc(const std::string& method, const std::string& code, absl::Duration elapsed);
  // One group commit: `transactions` merged into one synced write that took `write`.
  void ObserveCommit(int transactions, absl::Duration write);

  void AddCollector(Collector collector);
  // Drops every collector, waiting for a scrape that runs them: called before what they
  // read (store, federation) goes away.
  void ClearCollectors();

  // Everything in the Prometheus text format (version 0.0.4).
  std::string Render() const;

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Histogram>* rpc_ = nullptr;
  prometheus::Histogram* commit_batch_ = nullptr;
  prometheus::Histogram* commit_write_ = nullptr;
  mutable absl::Mutex mu_;
  std::vector<Collector> collectors_ ABSL_GUARDED_BY(mu_);
};

}  // namespace enlace::ops

#endif  // ENLACE_COMMON_OPS_METRICS_H_
