// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "framework/core/export.h"
#include "framework/core/tensor.h"
#include "framework/core/tensor_view.h"
#include "framework/io/idx.h"

namespace initforge {

/// Where Debian's dataset-fashion-mnist package installs the four files.
inline constexpr std::string_view kDefaultFashionMnistDir =
    "/usr/share/datasets/fashion-mnist";

/// Which half of the dataset to load.
enum class Split { Train, Test };

/// "train" / "test" <-> Split; parse throws UsageError naming the choices.
INITFORGE_API Split parse_split(std::string_view text);
INITFORGE_API std::string_view to_string(Split split);

/// Per-pixel normalization: x/255, then (x - mean) / std. The defaults are
/// Fashion-MNIST's training-set pixel mean and standard deviation (of x/255);
/// MNIST's are 0.1307 and 0.3081.
struct Normalization {
  float mean = 0.2860f;
  float std = 0.3530f;
};

/// Labelled samples in memory: images [N, ...sample] (normalized float32;
/// [N, C, H, W] images or [N, D] feature vectors) and one int32 label per
/// sample.
class INITFORGE_API Dataset {
 public:
  Dataset() = default;
  /// Throws ShapeError unless images has rank >= 2 and there are N labels.
  Dataset(Tensor images, std::vector<std::int32_t> labels);

  std::int64_t size() const {
    return static_cast<std::int64_t>(labels_.size());
  }
  const Tensor& images() const {
    return images_;
  }
  const std::vector<std::int32_t>& labels() const {
    return labels_;
  }
  /// One sample's shape ([C, H, W] or [D]).
  Shape sample_shape() const;
  /// Floats per sample.
  std::int64_t sample_numel() const;
  /// The first `n` samples (copied); a short run trains on a subset.
  Dataset head(std::int64_t n) const;

 private:
  Tensor images_;
  std::vector<std::int32_t> labels_;
};

/// Builds a Dataset from raw IDX contents: normalizes the pixels (in
/// parallel) and checks the counts agree and every label is below
/// `num_classes`. `where` names the source in IoError messages.
INITFORGE_API Dataset make_dataset(
    const IdxImages& images,
    std::span<const std::uint8_t> labels,
    const Normalization& norm,
    int num_classes,
    std::string_view where);

/// The message for a dataset `file` missing from `dir`: names the file and,
/// when `dir` is kDefaultFashionMnistDir, the Debian package to install.
INITFORGE_API std::string missing_dataset_message(
    const std::filesystem::path& file, const std::filesystem::path& dir);

/// Loads a Fashion-MNIST (or MNIST) split from `dir` using the Debian file
/// names: train-{images-idx3,labels-idx1}-ubyte.gz for Split::Train,
/// t10k-... for Split::Test. A missing file is an IoError naming it; in the
/// default directory the message says how to install the package.
INITFORGE_API Dataset load_fashion_mnist(
    const std::filesystem::path& dir = kDefaultFashionMnistDir,
    Split split = Split::Train,
    const Normalization& norm = {});

/// How a Batcher walks a Dataset.
struct BatchOptions {
  std::int64_t batch_size = 128;
  /// Off: samples in dataset order every epoch.
  bool shuffle = true;
  /// Drop the last batch of an epoch when it is shorter than batch_size.
  bool drop_last = false;
  std::uint64_t seed = 0;
};

/// Cuts a Dataset into batches, epoch by epoch. With shuffle, epoch k's order
/// is the Fisher-Yates permutation of philox generator (seed,
/// "data.shuffle.epoch<k>"), so it depends only on (seed, k): a resumed run
/// sees the same batches as an uninterrupted one.
class INITFORGE_API Batcher {
 public:
  /// Throws InvalidArgument when batch_size < 1. Keeps a reference to
  /// `data`, which must outlive the Batcher.
  Batcher(const Dataset& data, BatchOptions options);

  /// Batches in one epoch (the partial last one counts unless drop_last).
  std::int64_t batches_per_epoch() const;
  /// Draws epoch `epoch`'s order and rewinds to its first batch.
  void start_epoch(std::int64_t epoch);
  /// The current epoch's sample order (dataset indices).
  std::span<const std::int64_t> order() const {
    return order_;
  }

  /// Dataset indices of batch `index` of the current epoch (InvalidArgument
  /// for an index out of range).
  std::span<const std::int64_t> batch_indices(std::int64_t index) const;

  /// Copies batch `index` of the current epoch into the first rows of
  /// `images` ([batch_size, ...sample]) and `labels` (batch_size
  /// entries); returns how many samples it holds. Throws ShapeError for
  /// wrongly sized outputs and InvalidArgument for an index out of range.
  std::int64_t copy_batch(
      std::int64_t index,
      TensorView images,
      std::span<std::int32_t> labels) const;
  /// copy_batch of the next batch; returns 0 (copying nothing) at the end
  /// of the epoch.
  std::int64_t next(TensorView images, std::span<std::int32_t> labels);

 private:
  const Dataset* data_;
  BatchOptions options_;
  std::vector<std::int64_t> order_;
  std::int64_t next_batch_ = 0;
};

}  // namespace initforge
