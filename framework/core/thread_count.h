// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <omp.h>

namespace initforge {

/// The calling thread's OpenMP team size for one scope, restored on every
/// exit (conformance checks and tests compare results across thread counts).
class ThreadCount {
 public:
  explicit ThreadCount(int threads) : saved_(omp_get_max_threads()) {
    omp_set_num_threads(threads);
  }
  ~ThreadCount() {
    omp_set_num_threads(saved_);
  }
  ThreadCount(const ThreadCount&) = delete;
  ThreadCount& operator=(const ThreadCount&) = delete;

 private:
  int saved_;
};

}  // namespace initforge
