// SPDX-License-Identifier: Apache-2.0
#pragma once

// Per-channel normalization of loaded samples: uint8 bytes become
// (b/255 - mean[c]) / std[c] (torchvision's ToTensor then Normalize),
// float32 values (x - mean[c]) / std[c]. Float arithmetic, so one channel
// gives exactly the values make_dataset gives Fashion-MNIST.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "framework/core/export.h"
#include "framework/model/train_config.h"

namespace initforge {

class INITFORGE_API Normalizer {
 public:
  /// The identity on floats (bytes still become b/255).
  Normalizer() = default;
  /// `mean` and `std` hold one value per channel or one for all; both
  /// empty: the identity. InvalidArgument for another count or a std <= 0.
  Normalizer(
      const std::vector<double>& mean,
      const std::vector<double>& std,
      std::int64_t channels);

  std::int64_t channels() const {
    return channels_;
  }
  /// One uint8 sample [channels, plane] into `dst` (same count).
  void bytes(const std::uint8_t* src, std::int64_t plane, float* dst) const;
  /// One float32 sample [channels, plane] in place; nothing for the
  /// identity (the values keep their bits).
  void floats(float* x, std::int64_t plane) const;
  /// What a raw 0 (a black pixel) becomes in `channel`: the fill of padding.
  float zero(std::int64_t channel) const;

 private:
  std::int64_t channels_ = 1;
  bool identity_ = true;
  std::vector<float> mean_, std_;
  std::vector<std::array<float, 256>> tables_;  // per channel, for bytes
};

/// The Normalizer of `d`'s statistics for data with `channels` channels;
/// ConfigError at the statistics' pointer when their count is neither 1
/// nor `channels` (`data` names the data in the message).
INITFORGE_API Normalizer make_normalizer(
    const DatasetConfig& d,
    std::int64_t channels,
    const std::string& config_file,
    const std::string& data);

}  // namespace initforge
