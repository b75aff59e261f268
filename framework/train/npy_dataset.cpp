// SPDX-License-Identifier: Apache-2.0
#include "framework/train/npy_dataset.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/io/npy.h"
#include "framework/train/normalizer.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const fs::path& file, const std::string& what) {
  throw IoError(file.string() + ": " + what);
}

NpyInfo samples_info(const fs::path& x) {
  constexpr NpyDtype kAccepted[] = {NpyDtype::U8, NpyDtype::F32};
  const NpyInfo info = read_npy_info(x, kAccepted);
  const std::size_t rank = info.shape.rank();
  if (rank != 2 && rank != 4) {
    fail(
        x,
        expected_got(
            "samples of shape (N, C, H, W) or (N, D)",
            info.shape.to_string() +
                (rank == 3 ? " (save single-channel images as (N, 1, H, W))"
                           : "")));
  }
  if (info.shape[0] == 0) fail(x, "holds no samples (N = 0)");
  return info;
}

NpyInfo labels_info(const fs::path& y) {
  constexpr NpyDtype kAccepted[] = {NpyDtype::I64, NpyDtype::I32, NpyDtype::U8};
  const NpyInfo info = read_npy_info(y, kAccepted);
  if (info.shape.rank() != 1) {
    fail(y, expected_got("labels of shape (N,)", info.shape.to_string()));
  }
  return info;
}

template <typename T>
std::vector<std::int32_t> checked_labels(
    const fs::path& y,
    const std::vector<std::byte>& raw,
    std::optional<std::int64_t> classes) {
  const std::size_t n = raw.size() / sizeof(T);
  std::vector<T> values(n);
  std::memcpy(values.data(), raw.data(), raw.size());
  const std::int64_t bound =
      classes.value_or(std::numeric_limits<std::int32_t>::max() + 1LL);
  const std::string range =
      classes ? "expected 0.." + std::to_string(*classes - 1) +
                    " (the model's output has " + std::to_string(*classes) +
                    " classes)"
              : "expected 0.." + std::to_string(bound - 1);
  std::vector<std::int32_t> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto v = static_cast<std::int64_t>(values[i]);
    if (v < 0) {
      fail(
          y,
          "label " + std::to_string(v) + " at index " + std::to_string(i) +
              " is negative; " + range);
    }
    if (v >= bound) {
      fail(
          y,
          "label " + std::to_string(v) + " at index " + std::to_string(i) +
              " is out of range; " + range);
    }
    out[i] = static_cast<std::int32_t>(v);
  }
  return out;
}

std::vector<std::int32_t> read_labels(
    const fs::path& y,
    const NpyInfo& info,
    std::optional<std::int64_t> classes) {
  std::vector<std::byte> raw(info.data_bytes());
  read_npy_data(y, info, raw);
  switch (info.dtype) {
    case NpyDtype::U8:
      return checked_labels<std::uint8_t>(y, raw, classes);
    case NpyDtype::I32:
      return checked_labels<std::int32_t>(y, raw, classes);
    default:
      break;
  }
  return checked_labels<std::int64_t>(y, raw, classes);
}

void check_finite(const fs::path& x, const Tensor& t, std::int64_t per_sample) {
  const std::span<const float> v = t.span();
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (!std::isfinite(v[i])) {
      fail(
          x,
          "value " + std::to_string(v[i]) + " of sample " +
              std::to_string(static_cast<std::int64_t>(i) / per_sample) +
              " is not finite");
    }
  }
}

}  // namespace

Dataset load_npy_split(
    const NpySplitFiles& files,
    const DatasetConfig& d,
    std::optional<std::int64_t> classes,
    const std::string& config_file) {
  const NpyInfo x = samples_info(files.x);
  const NpyInfo y = labels_info(files.y);
  const std::int64_t n = x.shape[0];
  if (y.shape[0] != n) {
    fail(
        files.y,
        "holds " + std::to_string(y.shape[0]) + " labels but " +
            files.x.string() + " holds " + std::to_string(n) +
            " samples; expected one label per sample");
  }
  // [N, D]: every feature is a channel of one value.
  const std::int64_t channels = x.shape[1];
  const std::int64_t plane = x.shape.rank() == 4 ? x.shape[2] * x.shape[3] : 1;
  const std::int64_t per_sample = channels * plane;
  const Normalizer norm = make_normalizer(
      d,
      channels,
      config_file,
      files.x.string() + "'s " + x.shape.to_string() + " samples");
  std::vector<std::int32_t> labels = read_labels(files.y, y, classes);

  Tensor images = Tensor::empty(x.shape);
  if (x.dtype == NpyDtype::F32) {
    read_npy_data(files.x, x, std::as_writable_bytes(images.span()));
    check_finite(files.x, images, per_sample);
    float* data = images.data();
#pragma omp parallel for schedule(static) if (n * per_sample >= (1 << 16))
    for (std::int64_t i = 0; i < n; ++i) {
      norm.floats(data + i * per_sample, plane);
    }
  } else {
    std::vector<std::byte> raw(x.data_bytes());
    read_npy_data(files.x, x, raw);
    const auto* src = reinterpret_cast<const std::uint8_t*>(raw.data());
    float* dst = images.data();
#pragma omp parallel for schedule(static) if (n * per_sample >= (1 << 16))
    for (std::int64_t i = 0; i < n; ++i) {
      norm.bytes(src + i * per_sample, plane, dst + i * per_sample);
    }
  }
  return {std::move(images), std::move(labels)};
}

}  // namespace initforge
