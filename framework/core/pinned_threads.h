// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <vector>

#include <sched.h>

#include "framework/core/export.h"

namespace initforge {

/// Sets the OpenMP team size for the object's lifetime (0: OpenMP's default,
/// every core) and, for two or more threads, pins each team thread to a CPU
/// of its own. oneDNN shares work out statically, so every parallel region
/// waits for its slowest thread: left to the scheduler, a busy process on
/// the machine can stack two team threads on one core and every region
/// stalls (tools/bench/load_speed.py: 3-4x slower, 2x when pinned).
/// Nothing is pinned for one thread (it should move away from a busy core)
/// or when the user placed threads (OMP_PROC_BIND, OMP_PLACES,
/// GOMP_CPU_AFFINITY). The destructor gives every thread its CPU set back.
class INITFORGE_API PinnedThreads {
 public:
  explicit PinnedThreads(int threads);
  ~PinnedThreads();
  PinnedThreads(const PinnedThreads&) = delete;
  PinnedThreads& operator=(const PinnedThreads&) = delete;

  int threads() const {
    return threads_;
  }
  /// "one CPU per thread (CPUs 0,1)", or why threads float.
  const std::string& placement() const {
    return placement_;
  }

 private:
  int saved_threads_;
  int threads_;
  bool pinned_ = false;
  cpu_set_t allowed_{};
  std::string placement_;
};

/// The CPUs this thread may run on, ascending (sched_getaffinity).
INITFORGE_API std::vector<int> allowed_cpus();

}  // namespace initforge
