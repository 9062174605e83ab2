#include "common/testing/sync_point.h"

namespace enlace {

SyncPoint* SyncPoint::GetInstance() {
  static SyncPoint* const instance = new SyncPoint();
  return instance;
}

void SyncPoint::LoadDependency(const std::vector<SyncPointPair>& dependencies) {
  absl::MutexLock lock(&mu_);
  predecessors_.clear();
  for (const auto& d : dependencies) predecessors_[d.successor].push_back(d.predecessor);
  passed_.clear();
  cv_.SignalAll();
}

void SyncPoint::SetCallBack(const std::string& point, std::function<void(void*)> callback) {
  absl::MutexLock lock(&mu_);
  callbacks_[point] = std::move(callback);
}

void SyncPoint::ClearCallBack(const std::string& point) {
  absl::MutexLock lock(&mu_);
  while (callbacks_running_ > 0) cv_.Wait(&mu_);
  callbacks_.erase(point);
}

void SyncPoint::ClearAllCallBacks() {
  absl::MutexLock lock(&mu_);
  while (callbacks_running_ > 0) cv_.Wait(&mu_);
  callbacks_.clear();
}

void SyncPoint::ClearTrace() {
  absl::MutexLock lock(&mu_);
  passed_.clear();
}

void SyncPoint::EnableProcessing() {
  sync_point_internal::g_enabled.store(true, std::memory_order_release);
}

void SyncPoint::DisableProcessing() {
  sync_point_internal::g_enabled.store(false, std::memory_order_release);
  // Wake waiters so a thread blocked on a dependency does not stay blocked once tests stop
  // processing (Process re-checks the flag).
  absl::MutexLock lock(&mu_);
  cv_.SignalAll();
}

void SyncPoint::Reset() {
  DisableProcessing();
  ClearAllCallBacks();
  absl::MutexLock lock(&mu_);
  predecessors_.clear();
  passed_.clear();
  cv_.SignalAll();
}

int SyncPoint::HitCount(const std::string& point) const {
  absl::MutexLock lock(&mu_);
  auto it = passed_.find(point);
  return it == passed_.end() ? 0 : it->second;
}

bool SyncPoint::PredecessorsAllPassed(const std::string& point) const {
  auto it = predecessors_.find(point);
  if (it == predecessors_.end()) return true;
  for (const auto& p : it->second) {
    if (!passed_.contains(p)) return false;
  }
  return true;
}

void SyncPoint::Process(absl::string_view point_view, void* arg) {
  std::string point(point_view);
  absl::MutexLock lock(&mu_);
  while (Enabled() && !PredecessorsAllPassed(point)) cv_.Wait(&mu_);
  if (!Enabled()) return;
  auto cb = callbacks_.find(point);
  if (cb != callbacks_.end()) {
    std::function<void(void*)> fn = cb->second;  // a copy: the map may change while it runs
    ++callbacks_running_;
    mu_.Unlock();
    fn(arg);
    mu_.Lock();
    --callbacks_running_;
  }
  ++passed_[point];
  cv_.SignalAll();
}

}  // namespace enlace
