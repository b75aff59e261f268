// SPDX-License-Identifier: Apache-2.0
// Run-time choice of the philox kernel (best the CPU has, or a forced one).
#include "framework/core/rng/philox_kernels.h"

#include <atomic>
#include <string>

#include "framework/core/error.h"

namespace initforge::philox {
namespace {

// -1: automatic; otherwise the forced Kernel's value.
std::atomic<int> g_forced{-1};

Kernel best_kernel() {
  if (kernel_supported(Kernel::Avx512)) return Kernel::Avx512;
  if (kernel_supported(Kernel::Avx2)) return Kernel::Avx2;
  return Kernel::Scalar;
}

}  // namespace

std::string_view kernel_name(Kernel kernel) {
  switch (kernel) {
    case Kernel::Avx512:
      return "avx512";
    case Kernel::Avx2:
      return "avx2";
    case Kernel::Scalar:
      break;
  }
  return "scalar";
}

bool kernel_supported(Kernel kernel) {
  __builtin_cpu_init();
  switch (kernel) {
    case Kernel::Avx512:
      return __builtin_cpu_supports("avx512f") != 0;
    case Kernel::Avx2:
      return __builtin_cpu_supports("avx2") != 0 &&
             __builtin_cpu_supports("fma") != 0;
    case Kernel::Scalar:
      break;
  }
  return true;
}

Kernel active_kernel() {
  static const Kernel best = best_kernel();
  const int forced = g_forced.load(std::memory_order_relaxed);
  return forced < 0 ? best : static_cast<Kernel>(forced);
}

void force_kernel(std::optional<Kernel> kernel) {
  if (kernel && !kernel_supported(*kernel)) {
    throw InvalidArgument(
        "philox kernel " + std::string(kernel_name(*kernel)) +
        " is not supported by this CPU");
  }
  g_forced.store(kernel ? static_cast<int>(*kernel) : -1);
}

GroupKernel group_kernel(Kernel kernel) {
  switch (kernel) {
    case Kernel::Avx512:
      return &fill_groups_avx512;
    case Kernel::Avx2:
      return &fill_groups_avx2;
    case Kernel::Scalar:
      break;
  }
  return &fill_groups_scalar;
}

}  // namespace initforge::philox
