// SPDX-License-Identifier: Apache-2.0
#include "framework/train/normalizer.h"

#include <string>
#include <utility>

#include "framework/core/error.h"
#include "framework/core/error_text.h"

namespace initforge {
namespace {

// One value per channel from one for all.
std::vector<float> expand(
    const std::vector<double>& values, std::int64_t channels) {
  std::vector<float> out(static_cast<std::size_t>(channels));
  for (std::size_t c = 0; c < out.size(); ++c) {
    out[c] = static_cast<float>(values.size() == 1 ? values[0] : values[c]);
  }
  return out;
}

bool count_fits(std::size_t count, std::int64_t channels) {
  return count == 1 || static_cast<std::int64_t>(count) == channels;
}

}  // namespace

Normalizer::Normalizer(
    const std::vector<double>& mean,
    const std::vector<double>& std,
    std::int64_t channels)
    : channels_(channels) {
  if (channels < 1) {
    throw InvalidArgument(
        "normalizer: " +
        expected_got(">= 1 channels", std::to_string(channels)));
  }
  identity_ = mean.empty() && std.empty();
  if (identity_) {
    mean_.assign(static_cast<std::size_t>(channels), 0.0f);
    std_.assign(static_cast<std::size_t>(channels), 1.0f);
  } else {
    if (!count_fits(mean.size(), channels) ||
        !count_fits(std.size(), channels)) {
      throw InvalidArgument(
          "normalizer: " +
          expected_got(
              "1 or " + std::to_string(channels) + " values of mean and std",
              std::to_string(mean.size()) + " and " +
                  std::to_string(std.size())));
    }
    mean_ = expand(mean, channels);
    std_ = expand(std, channels);
  }
  for (const float s : std_) {
    if (!(s > 0.0f)) {
      throw InvalidArgument(
          with_got("normalization std must be > 0", std::to_string(s)));
    }
  }
  // 256 possible bytes: a lookup table gives every pixel exactly the value
  // the formula gives its byte (make_dataset's expression).
  tables_.resize(static_cast<std::size_t>(channels));
  for (std::size_t c = 0; c < tables_.size(); ++c) {
    for (int b = 0; b < 256; ++b) {
      tables_[c][static_cast<std::size_t>(b)] =
          (static_cast<float>(b) / 255.0f - mean_[c]) / std_[c];
    }
  }
}

void Normalizer::bytes(
    const std::uint8_t* src, std::int64_t plane, float* dst) const {
  for (std::int64_t c = 0; c < channels_; ++c) {
    const std::array<float, 256>& table = tables_[static_cast<std::size_t>(c)];
    const std::uint8_t* s = src + c * plane;
    float* d = dst + c * plane;
    for (std::int64_t i = 0; i < plane; ++i) d[i] = table[s[i]];
  }
}

void Normalizer::floats(float* x, std::int64_t plane) const {
  if (identity_) return;
  for (std::int64_t c = 0; c < channels_; ++c) {
    const float mean = mean_[static_cast<std::size_t>(c)];
    const float sd = std_[static_cast<std::size_t>(c)];
    float* d = x + c * plane;
    for (std::int64_t i = 0; i < plane; ++i) d[i] = (d[i] - mean) / sd;
  }
}

float Normalizer::zero(std::int64_t channel) const {
  const auto c = static_cast<std::size_t>(channel);
  return (0.0f - mean_[c]) / std_[c];
}

Normalizer make_normalizer(
    const DatasetConfig& d,
    std::int64_t channels,
    const std::string& config_file,
    const std::string& data) {
  for (const auto& [values, key] :
       {std::pair{&d.mean, "mean"}, std::pair{&d.std, "std"}}) {
    if (values->empty() || count_fits(values->size(), channels)) continue;
    // "mean"/"std" directly in the dataset are one number each: only a
    // "normalize" array can have a wrong count.
    throw ConfigError(
        config_file,
        d.normalize_pointer + "/" + key,
        expected_got(
            "1 or " + std::to_string(channels) +
                " values (one per channel of " + data + ")",
            std::to_string(values->size())));
  }
  return Normalizer(d.mean, d.std, channels);
}

}  // namespace initforge
