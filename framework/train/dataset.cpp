// SPDX-License-Identifier: Apache-2.0
#include "framework/train/dataset.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <numeric>
#include <string>
#include <system_error>

#include "framework/core/error.h"
#include "framework/core/error_text.h"
#include "framework/core/generator.h"

namespace initforge {

Split parse_split(std::string_view text) {
  if (text == "train") {
    return Split::Train;
  }
  if (text == "test") {
    return Split::Test;
  }
  throw UsageError(
      "unknown dataset split '" + std::string(text) +
      "'; expected one of: train, test");
}

std::string_view to_string(Split split) {
  return split == Split::Train ? "train" : "test";
}

Dataset::Dataset(Tensor images, std::vector<std::int32_t> labels)
    : images_(std::move(images)), labels_(std::move(labels)) {
  const Shape& s = images_.shape();
  if (s.rank() < 2) {
    throw ShapeError(
        "dataset images: " +
        expected_got("shape [N, ...sample] of rank >= 2", s.to_string()));
  }
  if (s[0] != static_cast<std::int64_t>(labels_.size())) {
    throw ShapeError(
        "dataset: " + expected_got(
                          "one label per image (" + std::to_string(s[0]) + ")",
                          std::to_string(labels_.size()) + " labels"));
  }
}

Shape Dataset::sample_shape() const {
  const std::span<const std::int64_t> dims = images_.shape().dims();
  return dims.empty() ? Shape{} : Shape(dims.subspan(1));
}

std::int64_t Dataset::sample_numel() const {
  return images_.shape().rank() >= 2 ? sample_shape().numel() : 0;
}

Dataset Dataset::head(std::int64_t n) const {
  n = std::clamp<std::int64_t>(n, 0, size());
  std::vector<std::int64_t> dims(
      images_.shape().dims().begin(), images_.shape().dims().end());
  dims[0] = n;
  Tensor images = Tensor::empty(Shape(std::span<const std::int64_t>(dims)));
  if (n > 0) {
    std::memcpy(
        images.data(),
        images_.data(),
        static_cast<std::size_t>(n * sample_numel()) * sizeof(float));
  }
  return {std::move(images), {labels_.begin(), labels_.begin() + n}};
}

Dataset make_dataset(
    const IdxImages& images,
    std::span<const std::uint8_t> labels,
    const Normalization& norm,
    int num_classes,
    std::string_view where) {
  const std::string prefix = std::string(where) + ": ";
  if (static_cast<std::int64_t>(labels.size()) != images.count) {
    throw IoError(
        prefix + "images and labels disagree: " + std::to_string(images.count) +
        " images but " + std::to_string(labels.size()) + " labels");
  }
  if (!(norm.std > 0.0f)) {
    throw InvalidArgument(with_got(
        prefix + "normalization std must be > 0", std::to_string(norm.std)));
  }
  std::vector<std::int32_t> out_labels(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] >= num_classes) {
      throw IoError(
          prefix + "label " + std::to_string(labels[i]) + " at index " +
          std::to_string(i) + " is out of range; expected 0.." +
          std::to_string(num_classes - 1));
    }
    out_labels[i] = labels[i];
  }
  // 256 possible bytes: a lookup table gives every pixel exactly the value
  // the formula gives its byte, at the cost of a load.
  std::array<float, 256> table{};
  for (int b = 0; b < 256; ++b) {
    table[static_cast<std::size_t>(b)] =
        (static_cast<float>(b) / 255.0f - norm.mean) / norm.std;
  }
  Tensor out = Tensor::empty(Shape{images.count, 1, images.rows, images.cols});
  float* dst = out.data();
  const std::uint8_t* src = images.pixels.data();
  const auto n = static_cast<std::int64_t>(images.pixels.size());
#pragma omp parallel for schedule(static) if (n >= (1 << 16))
  for (std::int64_t i = 0; i < n; ++i) {
    dst[i] = table[src[i]];
  }
  return {std::move(out), std::move(out_labels)};
}

std::string missing_dataset_message(
    const std::filesystem::path& file, const std::filesystem::path& dir) {
  std::string message = file.string() + ": Fashion-MNIST file not found";
  // Compared as "dir/" normalized, so a trailing slash or "./" still matches.
  const auto normal = [](const std::filesystem::path& p) {
    return (p / "").lexically_normal();
  };
  if (normal(dir) == normal(kDefaultFashionMnistDir)) {
    return message +
           "; install Debian's dataset-fashion-mnist (apt-get install "
           "dataset-fashion-mnist)";
  }
  return message +
         "; expected the four IDX .gz files of the Debian layout in " +
         dir.string();
}

Dataset load_fashion_mnist(
    const std::filesystem::path& dir, Split split, const Normalization& norm) {
  const std::string stem = split == Split::Train ? "train" : "t10k";
  const auto images_path = dir / (stem + "-images-idx3-ubyte.gz");
  const auto labels_path = dir / (stem + "-labels-idx1-ubyte.gz");
  for (const auto& path : {images_path, labels_path}) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      throw IoError(missing_dataset_message(path, dir));
    }
  }
  const IdxImages images = read_idx_images(images_path);
  const std::vector<std::uint8_t> labels = read_idx_labels(labels_path);
  return make_dataset(
      images,
      labels,
      norm,
      10,
      images_path.string() + " / " + labels_path.filename().string());
}

Batcher::Batcher(const Dataset& data, BatchOptions options)
    : data_(&data), options_(options) {
  if (options_.batch_size < 1) {
    throw InvalidArgument(
        "batch_size: " +
        expected_got(">= 1", std::to_string(options_.batch_size)));
  }
  start_epoch(0);
}

std::int64_t Batcher::batches_per_epoch() const {
  const std::int64_t n = data_->size();
  const std::int64_t b = options_.batch_size;
  return options_.drop_last ? n / b : (n + b - 1) / b;
}

void Batcher::start_epoch(std::int64_t epoch) {
  order_.resize(static_cast<std::size_t>(data_->size()));
  if (options_.shuffle) {
    auto source = RandomSource::create(RngKind::Philox, options_.seed);
    source->generator_for("data.shuffle.epoch" + std::to_string(epoch))
        ->permutation(order_);
  } else {
    std::iota(order_.begin(), order_.end(), std::int64_t{0});
  }
  next_batch_ = 0;
}

std::span<const std::int64_t> Batcher::batch_indices(std::int64_t index) const {
  if (index < 0 || index >= batches_per_epoch()) {
    throw InvalidArgument(
        "batch index: " + expected_got(
                              "0.." + std::to_string(batches_per_epoch() - 1),
                              std::to_string(index)));
  }
  const std::int64_t first = index * options_.batch_size;
  const std::int64_t count =
      std::min(options_.batch_size, data_->size() - first);
  return std::span<const std::int64_t>(order_).subspan(
      static_cast<std::size_t>(first), static_cast<std::size_t>(count));
}

std::int64_t Batcher::copy_batch(
    std::int64_t index,
    TensorView images,
    std::span<std::int32_t> labels) const {
  // A fixed array: called once per step, it must not allocate.
  std::array<std::int64_t, Shape::kMaxRank> dims{};
  const std::span<const std::int64_t> all = data_->images().shape().dims();
  std::copy(all.begin(), all.end(), dims.begin());
  dims[0] = options_.batch_size;
  const Shape want(std::span<const std::int64_t>(dims.data(), all.size()));
  if (!(images.shape() == want)) {
    throw ShapeError(
        "batch images: " +
        expected_got("shape " + want.to_string(), images.shape().to_string()));
  }
  if (static_cast<std::int64_t>(labels.size()) != options_.batch_size) {
    throw ShapeError(
        "batch labels: " + expected_got(
                               std::to_string(options_.batch_size) + " entries",
                               std::to_string(labels.size())));
  }
  const std::span<const std::int64_t> indices = batch_indices(index);
  const auto count = static_cast<std::int64_t>(indices.size());
  const std::int64_t numel = data_->sample_numel();
  const float* src = data_->images().data();
  float* dst = images.data().data();
  const std::int64_t* order = indices.data();
  const std::int32_t* all_labels = data_->labels().data();
  // A sample is a few KiB; split the batch across threads only when large.
#pragma omp parallel for schedule(static) if (count * numel >= (1 << 16))
  for (std::int64_t i = 0; i < count; ++i) {
    std::memcpy(
        dst + i * numel,
        src + order[i] * numel,
        static_cast<std::size_t>(numel) * sizeof(float));
    labels[static_cast<std::size_t>(i)] = all_labels[order[i]];
  }
  return count;
}

std::int64_t Batcher::next(TensorView images, std::span<std::int32_t> labels) {
  if (next_batch_ >= batches_per_epoch()) {
    return 0;
  }
  return copy_batch(next_batch_++, images, labels);
}

}  // namespace initforge
