#ifndef ENLACE_TESTS_FUZZ_FUZZ_CHECK_H_
#define ENLACE_TESTS_FUZZ_FUZZ_CHECK_H_

// Invariant checks inside fuzz targets. A violated invariant aborts, which libFuzzer reports as
// a crash (with the input saved) and the bounded driver reports as a failed test. Always on:
// the Bazel build is -c opt (NDEBUG), so assert() would compile away.

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond)                                                              \
  do {                                                                                \
    if (!(cond)) {                                                                    \
      std::fprintf(stderr, "%s:%d: fuzz invariant violated: %s\n", __FILE__, __LINE__, \
                   #cond);                                                            \
      std::abort();                                                                   \
    }                                                                                 \
  } while (0)

#define FUZZ_CHECK_MSG(cond, msg)                                                      \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      std::fprintf(stderr, "%s:%d: fuzz invariant violated: %s (%s)\n", __FILE__,      \
                   __LINE__, #cond, std::string(msg).c_str());                         \
      std::abort();                                                                    \
    }                                                                                  \
  } while (0)

#endif  // ENLACE_TESTS_FUZZ_FUZZ_CHECK_H_
