// SPDX-License-Identifier: Apache-2.0
#include "framework/core/pinned_threads.h"

#include <cstdlib>

#include <omp.h>
#include <pthread.h>

namespace initforge {
namespace {

const char* user_placement() {
  for (const char* name :
       {"OMP_PROC_BIND", "OMP_PLACES", "GOMP_CPU_AFFINITY"}) {
    if (std::getenv(name) != nullptr) return name;
  }
  return nullptr;
}

// Runs `set(thread number)` on every thread of a team of `threads`: libgomp
// keeps its pool threads between regions of the same size, so a mask set
// here stays with the thread that runs the next regions.
template <typename Set>
void on_every_thread(int threads, Set set) {
#pragma omp parallel num_threads(threads)
  set(omp_get_thread_num());
}

}  // namespace

namespace {

std::vector<int> cpus_in(const cpu_set_t& set) {
  std::vector<int> cpus;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) cpus.push_back(cpu);
  }
  return cpus;
}

}  // namespace

std::vector<int> allowed_cpus() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) != 0) return {};
  return cpus_in(set);
}

PinnedThreads::PinnedThreads(int threads)
    : saved_threads_(omp_get_max_threads()),
      threads_(threads > 0 ? threads : saved_threads_) {
  omp_set_num_threads(threads_);
  if (threads_ < 2) {
    placement_ = "one thread, not pinned";
    return;
  }
  if (const char* name = user_placement()) {
    placement_ = std::string("placed by ") + name;
    return;
  }
  const std::vector<int> cpus =
      sched_getaffinity(0, sizeof allowed_, &allowed_) == 0
          ? cpus_in(allowed_)
          : std::vector<int>{};
  if (cpus.size() < 2) {
    placement_ = "not pinned: fewer than two CPUs allowed";
    return;
  }
  // More threads than CPUs share them round-robin.
  std::vector<int> cpu_of(static_cast<std::size_t>(threads_));
  placement_ = "one CPU per thread (CPUs ";
  for (std::size_t t = 0; t < cpu_of.size(); ++t) {
    cpu_of[t] = cpus[t % cpus.size()];
    placement_ += (t > 0 ? "," : "") + std::to_string(cpu_of[t]);
  }
  placement_ += ")";
  on_every_thread(threads_, [&cpu_of](int t) {
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu_of[static_cast<std::size_t>(t)], &one);
    pthread_setaffinity_np(pthread_self(), sizeof one, &one);
  });
  pinned_ = true;
}

PinnedThreads::~PinnedThreads() {
  if (pinned_) {
    const cpu_set_t allowed = allowed_;
    on_every_thread(threads_, [&allowed](int) {
      pthread_setaffinity_np(pthread_self(), sizeof allowed, &allowed);
    });
  }
  omp_set_num_threads(saved_threads_);
}

}  // namespace initforge
