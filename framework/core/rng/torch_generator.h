// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>

#include "framework/core/export.h"
#include "framework/core/generator.h"

namespace initforge {

namespace torch_rng {
struct Kernels;
}

/// RandomSource with one sequential PyTorch 1.13 CPU stream
/// (torch.manual_seed(seed)) shared by all parameters.
INITFORGE_API std::unique_ptr<RandomSource> make_torch_source(
    std::uint64_t seed);

/// The torch generator alone, on a chosen kernel table (tests compare the
/// portable and SIMD tables through the whole generator).
INITFORGE_API std::shared_ptr<Generator> make_torch_generator(
    std::uint64_t seed, const torch_rng::Kernels& kernels);

}  // namespace initforge
