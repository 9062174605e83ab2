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

// The calling thread holds `mu` (exclusively, or shared when `read`) and gives it up inside
// the real call, then holds it again: a release then an acquire.
void ReleaseForWait(absl::Mutex* mu, unsigned read) {
  __tsan_mutex_pre_unlock(mu, read);
  __tsan_mutex_post_unlock(mu, read);
  __tsan_mutex_pre_lock(mu, read);
}
void ReacquireAfterWait(absl::Mutex* mu, unsigned read) { __tsan_mutex_post_lock(mu, read, 0); }

}  // namespace

namespace absl {
ABSL_NAMESPACE_BEGIN

void Mutex::Lock() {
  ENLACE_REAL(VoidFn, ENLACE_ABSL_PREFIX "5Mutex4LockEv");
  __tsan_mutex_pre_lock(this, 0);
  real(this);
  __tsan_mutex_post_lock(this, 0, 0);
}

void Mutex::Unlock() {
  ENLACE_REAL(VoidFn, ENLACE_ABSL_PREFIX "5Mutex6UnlockEv");
  __tsan_mutex_pre_unlock(this, 0);
  real(this);
  __tsan_mutex_post_unlock(this, 0);
}

bool Mutex::TryLock() {
  ENLACE_REAL(BoolFn, ENLACE_ABSL_PREFIX "5Mutex7TryLockEv");
  __tsan_mutex_pre_lock(this, __tsan_mutex_try_lock);
  const bool got = real(this);
  __tsan_mutex_post_lock(this, __tsan_mutex_try_lock | (got ? 0 : __tsan_mutex_try_lock_failed),
                         0);
  return got;
}

void Mutex::ReaderLock() {
  ENLACE_REAL(VoidFn, ENLACE_ABSL_PREFIX "5Mutex10ReaderLockEv");
  __tsan_mutex_pre_lock(this, __tsan_mutex_read_lock);
  real(this);
  __tsan_mutex_post_lock(this, __tsan_mutex_read_lock, 0);
}

void Mutex::ReaderUnlock() {
  ENLACE_REAL(VoidFn, ENLACE_ABSL_PREFIX "5Mutex12ReaderUnlockEv");
  __tsan_mutex_pre_unlock(this, __tsan_mutex_read_lock);
  real(this);
  __tsan_mutex_post_unlock(this, __tsan_mutex_read_lock);
}

bool Mutex::ReaderTryLock() {
  ENLACE_REAL(BoolFn, ENLACE_ABSL_PREFIX "5Mutex13ReaderTryLockEv");
  const unsigned flags = __tsan_mutex_read_lock | __tsan_mutex_try_lock;
  __tsan_mutex_pre_lock(this, flags);
  const bool got = real(this);
  __tsan_mutex_post_lock(this, flags | (got ? 0 : __tsan_mutex_try_lock_failed), 0);
  return got;
}

void Mutex::LockWhen(const Condition& cond) {
  ENLACE_REAL(CondFn, ENLACE_ABSL_PREFIX
                      "5Mutex8LockWhenERKNS0_9ConditionE");
  __tsan_mutex_pre_lock(this, 0);
  real(this, cond);
  __tsan_mutex_post_lock(this, 0, 0);
}

bool Mutex::LockWhenWithTimeout(const Condition& cond, absl::Duration timeout) {
  ENLACE_REAL(CondTimeoutFn, ENLACE_ABSL_PREFIX
                             "5Mutex19LockWhenWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  __tsan_mutex_pre_lock(this, 0);
  const bool met = real(this, cond, timeout);
  __tsan_mutex_post_lock(this, 0, 0);
  return met;
}

bool Mutex::LockWhenWithDeadline(const Condition& cond, absl::Time deadline) {
  ENLACE_REAL(CondDeadlineFn, ENLACE_ABSL_PREFIX
                              "5Mutex20LockWhenWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  __tsan_mutex_pre_lock(this, 0);
  const bool met = real(this, cond, deadline);
  __tsan_mutex_post_lock(this, 0, 0);
  return met;
}

void Mutex::Await(const Condition& cond) {
  ENLACE_REAL(CondFn,
              ENLACE_ABSL_PREFIX "5Mutex5AwaitERKNS0_9ConditionE");
  ReleaseForWait(this, 0);
  real(this, cond);
  ReacquireAfterWait(this, 0);
}

bool Mutex::AwaitWithTimeout(const Condition& cond, absl::Duration timeout) {
  ENLACE_REAL(CondTimeoutFn, ENLACE_ABSL_PREFIX
                             "5Mutex16AwaitWithTimeoutERKNS0_9ConditionENS0_8DurationE");
  ReleaseForWait(this, 0);
  const bool met = real(this, cond, timeout);
  ReacquireAfterWait(this, 0);
  return met;
}

bool Mutex::AwaitWithDeadline(const Condition& cond, absl::Time deadline) {
  ENLACE_REAL(CondDeadlineFn, ENLACE_ABSL_PREFIX
                              "5Mutex17AwaitWithDeadlineERKNS0_9ConditionENS0_4TimeE");
  ReleaseForWait(this, 0);
  const bool met = real(this, cond, deadline);
  ReacquireAfterWait(this, 0);
  return met;
}

void CondVar::Wait(Mutex* mu) {
  ENLACE_REAL(CvWaitFn,
              ENLACE_ABSL_PREFIX "7CondVar4WaitEPNS0_5MutexE");
  ReleaseForWait(mu, 0);
  real(this, mu);
  ReacquireAfterWait(mu, 0);
}

bool CondVar::WaitWithTimeout(Mutex* mu, absl::Duration timeout) {
  ENLACE_REAL(CvTimeoutFn, ENLACE_ABSL_PREFIX
                           "7CondVar15WaitWithTimeoutEPNS0_5MutexENS0_8DurationE");
  ReleaseForWait(mu, 0);
  const bool timed_out = real(this, mu, timeout);
  ReacquireAfterWait(mu, 0);
  return timed_out;
}

bool CondVar::WaitWithDeadline(Mutex* mu, absl::Time deadline) {
  ENLACE_REAL(CvDeadlineFn, ENLACE_ABSL_PREFIX
                            "7CondVar16WaitWithDeadlineEPNS0_5MutexENS0_4TimeE");
  ReleaseForWait(mu, 0);
  const bool timed_out = real(this, mu, deadline);
  ReacquireAfterWait(mu, 0);
  return timed_out;
}

ABSL_NAMESPACE_END
}  // namespace absl
