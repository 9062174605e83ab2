// ThreadSanitizer builds only (--config=tsan, linked into every binary as --custom_malloc).
//
// Debian's Abseil is not built with -fsanitize=thread, so the lock and unlock of an
// absl::Mutex happen in code that TSan cannot see, and every field guarded by one would be
// reported as a data race. These definitions take the place of absl::Mutex's entry points
// (the executable's symbols win over libabsl_synchronization.so's, also for calls from
// Debian's gRPC), tell TSan what each one does with the __tsan_mutex_* annotations, and call
// the real function through dlsym(RTLD_NEXT). Between a pre_ and a post_ annotation TSan
// ignores memory accesses, so the Condition functions that Abseil evaluates inside
// Lock/Await/Unlock are not reported either (they run with the mutex held).

#include <dlfcn.h>
#include <sanitizer/tsan_interface.h>

#include <cstdio>
#include <cstdlib>

#include "absl/synchronization/mutex.h"

// Mangled-name prefix of namespace absl::debian3 (Debian 12's ABSL_OPTION_INLINE_NAMESPACE_NAME).
#define ENLACE_ABSL_PREFIX "_ZN4absl7debian3"

namespace {

template <typename Fn>
Fn Real(const char* mangled) {
  void* f = dlsym(RTLD_NEXT, mangled);
  if (f == nullptr) {
    std::fprintf(stderr, "absl_mutex_tsan: %s not found in libabsl_synchronization\n", mangled);
    std::abort();
  }
  return reinterpret_cast<Fn>(f);
}

#define ENLACE_REAL(type, mangled)                \
  static const type real = Real<type>(mangled);

using VoidFn = void (*)(absl::Mutex*);
using BoolFn = bool (*)(absl::Mutex*);
using CondFn = void (*)(absl::Mutex*, const absl::Condition&);
using CondTimeoutFn = bool (*)(absl::Mutex*, const absl::Condition&, absl::Duration);
using CondDeadlineFn = bool (*)(absl::Mutex*, const absl::Condition&, absl::Time);
using CvWaitFn = void (*)(absl::CondVar*, absl::Mutex*);
using CvTimeoutFn = bool (*)(absl::CondVar*, absl::Mutex*, absl::Duration);
using CvDeadlineFn = bool (*)(absl::CondVar*, absl::Mutex*, absl::Time);

// Abseil's entry points call one another (CondVar::WaitWithTimeout calls WaitWithDeadline,
// through the PLT, so through this file again): only the outermost call on a thread tells TSan.
thread_local int depth = 0;
struct Outermost {
  Outermost() : is(depth++ == 0) {}
  ~Outermost() { --depth; }
  const bool is;
};

// The calling thread holds `mu` (exclusively, or shared when `read`) and gives it up inside
// the real call, then holds it again: a release then an acquire.
void ReleaseForWait(absl::Mutex* mu, unsigned read) {
  __tsan_mutex_pre_unlock(mu, read);
  __tsan_mutex_post_unlock(mu, read);
  __tsan_mutex_pre_lock(mu, read);
}
void ReacquireAfterWait(absl::Mutex* mu, unsigned read) { __tsan_mutex_post_lock(mu, read, 0); }

}  // namespace

// Debian's gRPC, protobuf and RocksDB are not instrumented either: TSan sees the memcpy, free
// and close they call (through its interceptors) but not the atomics that order them, and
// reports races between their own threads, about code that cannot be fixed here. Interceptor
// calls made from those libraries are ignored; races in Enlace's code, even on threads that
// gRPC runs, are still reported.
extern "C" const char* __tsan_default_suppressions() {
  return "called_from_lib:libgrpc.so.29\n"
         "called_from_lib:libgrpc++.so.1.51\n"
         "called_from_lib:libgpr.so.29\n"
         "called_from_lib:libprotobuf.so.32\n"
         "called_from_lib:librocksdb.so.7.8\n";
}

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  ENLACE_REAL(VoidFn, ENLACE_ABSL_PREFIX "5Mutex4LockEv");
  Outermost o;
  if (o.is) __tsan_mutex_pre_lock(this, 0);
  real(this);
  if (o.is) __tsan_mutex_post_lock(this, 0, 0);
}

void Mutex::Unlock() {
  ENLACE_REAL(VoidFn, ENLACE_ABSL_PREFIX "5Mutex6UnlockEv");
  Outermost o;
  if (o.is) __tsan_mutex_pre_unlock(this, 0);
  real(this);
  if (o.is) __tsan_mutex_post_unlock(this, 0);
}

bool Mutex::TryLock() {
  ENLACE_REAL(BoolFn, ENLACE_ABSL_PREFIX "5Mutex7TryLockEv");
  Outermost o;
  if (o.is) __tsan_mutex_pre_lock(this, __tsan_mutex_try_lock);
  const bool got = real(this);
  if (o.is) {
    __tsan_mutex_post_lock(this, __tsan_mutex_try_lock | (got ? 0 : __tsan_mutex_try_lock_failed),
                           0);
  }
  return got;
}

void Mutex::ReaderLock() {
  ENLACE_REAL(VoidFn, ENLACE_ABSL_PREFIX "5Mutex10ReaderLockEv");
  Outermost o;
  if (o.is) __tsan_mutex_pre_lock(this, __tsan_mutex_read_lock);
  real(this);
  if (o.is) __tsan_mutex_post_lock(this, __tsan_mutex_read_lock, 0);
}

void Mutex::ReaderUnlock() {
  ENLACE_REAL(VoidFn, ENLACE_ABSL_PREFIX "5Mutex12ReaderUnlockEv");
  Outermost o;
  if (o.is) __tsan_mutex_pre_unlock(this, __tsan_mutex_read_lock);
  real(this);
  if (o.is) __tsan_mutex_post_unlock(this, __tsan_mutex_read_lock);
}

bool Mutex::ReaderTryLock() {
  ENLACE_REAL(BoolFn, ENLACE_ABSL_PREFIX "5Mutex13ReaderTryLockEv");
  Outermost o;
  const unsigned flags = __tsan_mutex_read_lock | __tsan_mutex_try_lock;
  if (o.is) __tsan_mutex_pre_lock(this, flags);
  const bool got = real(this);
  if (o.is) __tsan_mutex_post_lock(this, flags | (got ? 0 : __tsan_mutex_try_lock_failed), 0);
  return got;
}

void Mutex::LockWhen(const Condition& cond) {
  ENLACE_REAL(CondFn, ENLACE_ABSL_PREFIX
                      "5Mutex8LockWhenERKNS0_9ConditionE");
  Outermost o;
  if (o.is) __tsan_mutex_pre_lock(this, 0);
  real(this, cond);
  if (o.is) __tsan_mutex_post_lock(this, 0, 0);
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  ENLACE_REAL(CondTimeoutFn, ENLACE_ABSL_PREFIX
                             "5Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  Outermost o;
  if (o.is) __tsan_mutex_pre_lock(this, 0);
  const bool met = real(this, cond, timeout);
  if (o.is) __tsan_mutex_post_lock(this, 0, 0);
  return met;
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  ENLACE_REAL(CondDeadlineFn, ENLACE_ABSL_PREFIX
                              "5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  Outermost o;
  if (o.is) __tsan_mutex_pre_lock(this, 0);
  const bool met = real(this, cond, deadline);
  if (o.is) __tsan_mutex_post_lock(this, 0, 0);
  return met;
}

void Mutex::Await(const Condition& cond) {
  ENLACE_REAL(CondFn,
              ENLACE_ABSL_PREFIX "5Mutex5AwaitERKNS0_9ConditionE");
  Outermost o;
  if (o.is) ReleaseForWait(this, 0);
  real(this, cond);
  if (o.is) ReacquireAfterWait(this, 0);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration timeout) {
  ENLACE_REAL(CondTimeoutFn, ENLACE_ABSL_PREFIX
                             "5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  Outermost o;
  if (o.is) ReleaseForWait(this, 0);
  const bool met = real(this, cond, timeout);
  if (o.is) ReacquireAfterWait(this, 0);
  return met;
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time deadline) {
  ENLACE_REAL(CondDeadlineFn, ENLACE_ABSL_PREFIX
                              "5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  Outermost o;
  if (o.is) ReleaseForWait(this, 0);
  const bool met = real(this, cond, deadline);
  if (o.is) ReacquireAfterWait(this, 0);
  return met;
}

void CondVar::Wait(Mutex* mu) {
  ENLACE_REAL(CvWaitFn,
              ENLACE_ABSL_PREFIX "7CondVar4WaitEPNS0_5MutexE");
  Outermost o;
  if (o.is) ReleaseForWait(mu, 0);
  real(this, mu);
  if (o.is) ReacquireAfterWait(mu, 0);
}

bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
  ENLACE_REAL(CvTimeoutFn, ENLACE_ABSL_PREFIX
                           "7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  Outermost o;
  if (o.is) ReleaseForWait(mu, 0);
  const bool timed_out = real(this, mu, timeout);
  if (o.is) ReacquireAfterWait(mu, 0);
  return timed_out;
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time deadline) {
  ENLACE_REAL(CvDeadlineFn, ENLACE_ABSL_PREFIX
                            "7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  Outermost o;
  if (o.is) ReleaseForWait(mu, 0);
  const bool timed_out = real(this, mu, deadline);
  if (o.is) ReacquireAfterWait(mu, 0);
  return timed_out;
}

ABSL_NAMESPACE_END
}  // namespace absl
