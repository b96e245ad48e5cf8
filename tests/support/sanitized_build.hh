#pragma once
// Shared by the test suites: which full-size tests the sanitizer pass leaves out.
//
// scripts/test.sh runs every test twice: in Release, then built with ASan + UBSan. A few tests
// are numerical or statistical acceptance at full size (hundreds of training steps, thousands
// of showers): under the sanitizers they take 5-10x their Release time and check nothing the
// sanitizers add, because the same code runs under them at small sizes in other tests (each
// skip names them). Those tests call CALO_SKIP_IN_SANITIZED_BUILD first.

namespace calo::test {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kSanitizedBuild = true;
#else
inline constexpr bool kSanitizedBuild = false;
#endif

}  // namespace calo::test

/// Skips the current test in the sanitizer build, with `what` (what the test runs at full size)
/// as the reason. One statement (do-while), so that it cannot capture a following `else`.
#define CALO_SKIP_IN_SANITIZED_BUILD(what)                                               \
  do {                                                                                   \
    if (::calo::test::kSanitizedBuild) GTEST_SKIP() << (what) << ": Release build only"; \
  } while (0)
