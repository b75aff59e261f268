// SPDX-License-Identifier: Apache-2.0
// PinnedThreads: one CPU per OpenMP thread while it lives, every thread's
// CPU set back afterwards, and nothing pinned where pinning would hurt.
#include "framework/core/pinned_threads.h"

#include <cstdlib>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <omp.h>
#include <pthread.h>

namespace initforge {
namespace {

// The CPUs each thread of a `threads` team may run on, by thread number.
std::vector<std::vector<int>> team_cpus(int threads) {
  std::vector<std::vector<int>> cpus(static_cast<std::size_t>(threads));
#pragma omp parallel num_threads(threads)
  {
    cpu_set_t set;
    CPU_ZERO(&set);
    pthread_getaffinity_np(pthread_self(), sizeof set, &set);
    std::vector<int>& mine =
        cpus[static_cast<std::size_t>(omp_get_thread_num())];
    for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
      if (CPU_ISSET(cpu, &set)) mine.push_back(cpu);
    }
  }
  return cpus;
}

TEST(PinnedThreads, EachThreadGetsItsOwnCpuAndItsSetBackAfterwards) {
  const std::vector<int> allowed = allowed_cpus();
  if (allowed.size() < 2) GTEST_SKIP() << "fewer than two CPUs allowed";
  const int saved = omp_get_max_threads();
  {
    const PinnedThreads pinned(2);
    EXPECT_EQ(pinned.threads(), 2);
    EXPECT_EQ(omp_get_max_threads(), 2);
    EXPECT_EQ(
        pinned.placement(),
        "one CPU per thread (CPUs " + std::to_string(allowed[0]) + "," +
            std::to_string(allowed[1]) + ")");
    const auto cpus = team_cpus(2);
    EXPECT_EQ(cpus[0], std::vector<int>{allowed[0]});
    EXPECT_EQ(cpus[1], std::vector<int>{allowed[1]});
  }
  EXPECT_EQ(omp_get_max_threads(), saved);
  for (const std::vector<int>& cpus : team_cpus(2)) EXPECT_EQ(cpus, allowed);
}

TEST(PinnedThreads, MoreThreadsThanCpusShareThemInTurn) {
  const std::vector<int> allowed = allowed_cpus();
  if (allowed.size() < 2) GTEST_SKIP() << "fewer than two CPUs allowed";
  const int threads = static_cast<int>(allowed.size()) + 1;
  const PinnedThreads pinned(threads);
  const auto cpus = team_cpus(threads);
  for (int t = 0; t < threads; ++t) {
    EXPECT_EQ(
        cpus[static_cast<std::size_t>(t)],
        std::vector<int>{allowed[static_cast<std::size_t>(t) % allowed.size()]})
        << "thread " << t;
  }
}

TEST(PinnedThreads, OneThreadIsLeftToTheScheduler) {
  const std::vector<int> allowed = allowed_cpus();
  const PinnedThreads pinned(1);
  EXPECT_EQ(pinned.placement(), "one thread, not pinned");
  EXPECT_EQ(allowed_cpus(), allowed);
}

TEST(PinnedThreads, ThreadsTheUserPlacedAreLeftAlone) {
  const std::vector<int> allowed = allowed_cpus();
  ASSERT_EQ(::setenv("GOMP_CPU_AFFINITY", "0-1", 1), 0);
  {
    const PinnedThreads pinned(2);
    EXPECT_EQ(pinned.placement(), "placed by GOMP_CPU_AFFINITY");
    for (const std::vector<int>& cpus : team_cpus(2)) EXPECT_EQ(cpus, allowed);
  }
  ::unsetenv("GOMP_CPU_AFFINITY");
}

}  // namespace
}  // namespace initforge
