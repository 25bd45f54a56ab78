// Always-on checks of internal invariants. A failed check is a bug in cjsim,
// not bad input (which is reported as a Diagnostic): it prints where and why
// and aborts. Never put side effects in the condition.
#ifndef CJSIM_MODELS_CHECK_H_
#define CJSIM_MODELS_CHECK_H_

#include <cstdio>
#include <cstdlib>

#define CJSIM_CHECK(condition, message)                                                    \
  do {                                                                                     \
    if (!(condition)) {                                                                    \
      std::fprintf(stderr, "cjsim internal error at %s:%d: %s (%s)\n", __FILE__, __LINE__, \
                   message, #condition);                                                   \
      std::abort();                                                                        \
    }                                                                                      \
  } while (0)

#endif  // CJSIM_MODELS_CHECK_H_
