// SPDX-License-Identifier: Apache-2.0
#pragma once

// A Householder QR whose bits depend only on its input and the instruction
// set tier: Eigen, single threaded, in fixed-size column chunks that OpenMP
// threads share out. Philox-mode orthogonal uses it so values do not follow
// the BLAS/LAPACK or --threads.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace initforge::plugins {

/// The tier blocked_householder_q runs: the environment's
/// INITFORGE_ORTHOGONAL_ISA (baseline, avx2 or avx512) when set, else the
/// best the CPU has. InvalidArgument for an unknown name or a tier this CPU
/// cannot run.
std::string blocked_qr_tier();

/// Replaces the column-major m x n matrix `a` (m >= n >= 1) by the first n
/// columns of Q from its QR and returns sign(diag(R)) (0 where R's diagonal
/// is 0, as torch.sign). Same bits whatever the BLAS, OpenMP thread count or
/// alignment of `a`; only the tier (blocked_qr_tier) selects the code path.
std::vector<float> blocked_householder_q(
    std::span<float> a, std::int64_t m, std::int64_t n);

}  // namespace initforge::plugins
