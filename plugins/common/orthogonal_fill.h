// SPDX-License-Identifier: Apache-2.0
#pragma once

// torch.nn.init.orthogonal_'s algorithm, shared by the orthogonal scheme and
// LSUV's pre-initialization. Compiled into each plugin that lists
// plugins/common/orthogonal_fill.cpp and blocked_qr.cpp in its SOURCES
// (links LAPACKE, Eigen and OpenMP; see plugins/CMakeLists.txt).

#include "framework/plugin/plugin.h"

namespace initforge::plugins {

/// InvalidArgument ("<scheme>: ...") unless `shape` has rank >= 2 and sides
/// within LAPACK's integer range.
void check_orthogonal_shape(const char* scheme, const Shape& shape);

/// Writes a (semi-)orthogonal matrix times `gain` into `out` (the whole
/// parameter of `shape`, dims > 1 flattened): one normal draw of rows*cols
/// values from `gen`, QR of the tall orientation, columns of Q times
/// sign(diag(R)). Torch generator: LAPACK's sgeqrf + sorgqr, bit for bit
/// PyTorch's with the same LAPACK. Philox: blocked_householder_q, the same
/// bits whatever the BLAS/LAPACK and thread count.
void orthogonal_fill(
    const char* scheme,
    std::span<float> out,
    const Shape& shape,
    Generator& gen,
    double gain);

}  // namespace initforge::plugins
