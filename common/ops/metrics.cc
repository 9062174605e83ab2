#include "common/ops/metrics.h"

#include "prometheus/client_metric.h"
#include "prometheus/metric_family.h"
#include "prometheus/text_serializer.h"

namespace enlace::ops {
namespace {

prometheus::MetricFamily ToFamily(const PulledFamily& pulled) {
  prometheus::MetricFamily family;
  family.name = pulled.name;
  family.help = pulled.help;
  family.type = pulled.type == PulledFamily::Type::kCounter ? prometheus::MetricType::Counter
                                                            : prometheus::MetricType::Gauge;
  for (const PulledFamily::Sample& s : pulled.samples) {
    prometheus::ClientMetric m;
    for (const auto& [name, value] : s.labels) m.label.push_back({name, value});
    if (pulled.type == PulledFamily::Type::kCounter) {
      m.counter.value = s.value;
    } else {
      m.gauge.value = s.value;
    }
    family.metric.push_back(std::move(m));
  }
  return family;
}

}  // namespace

Metrics::Metrics() : registry_(std::make_shared<prometheus::Registry>()) {
  rpc_ = &prometheus::BuildHistogram()
              .Name("enlace_rpc_duration_seconds")
              .Help("RPCs served, by method and status code, and how long they took")
              .Register(*registry_);
  commit_batch_ = &prometheus::BuildHistogram()
                       .Name("enlace_commit_batch_transactions")
                       .Help("Transactions merged into one synced store write (group commit)")
                       .Register(*registry_)
                       .Add({}, prometheus::Histogram::BucketBoundaries{1, 2, 4, 8, 16, 32, 64,
                                                                        128, 256});
  commit_write_ = &prometheus::BuildHistogram()
                       .Name("enlace_commit_sync_seconds")
                       .Help("Time of one group commit's store write with its WAL synced")
                       .Register(*registry_)
                       .Add({}, prometheus::Histogram::BucketBoundaries{
                                    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                    0.05, 0.1, 0.25, 0.5, 1});
}

void Metrics::ObserveRpc(const std::string& method, const std::string& code,
                         absl::Duration elapsed) {
  static const auto* const kBuckets = new prometheus::Histogram::BucketBoundaries{
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  // Family::Add returns the existing histogram for labels already seen.
  rpc_->Add({{"method", method}, {"code", code}}, *kBuckets)
      .Observe(absl::ToDoubleSeconds(elapsed));
}

void Metrics::ObserveCommit(int transactions, absl::Duration write) {
  commit_batch_->Observe(transactions);
  commit_write_->Observe(absl::ToDoubleSeconds(write));
}

void Metrics::AddCollector(Collector collector) {
  absl::MutexLock l(&mu_);
  collectors_.push_back(std::move(collector));
}

void Metrics::ClearCollectors() {
  absl::MutexLock l(&mu_);
  collectors_.clear();
}

std::string Metrics::Render() const {
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  {
    // Held while collectors run, so ClearCollectors waits for them.
    absl::ReaderMutexLock l(&mu_);
    for (const Collector& c : collectors_) {
      for (const PulledFamily& f : c()) families.push_back(ToFamily(f));
    }
  }
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace enlace::ops
