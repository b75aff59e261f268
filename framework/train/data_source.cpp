// SPDX-License-Identifier: Apache-2.0
#include "framework/train/data_source.h"

#include "framework/train/cifar10.h"
#include "framework/train/normalizer.h"
#include "framework/train/npy_dataset.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;

bool is_idx(const DatasetConfig& d) {
  return d.kind == DatasetKind::FashionMnist || d.kind == DatasetKind::Mnist;
}

}  // namespace

std::vector<DatasetFile> dataset_files(const DatasetConfig& d) {
  const std::string dir = d.pointer + "/dir";
  if (is_idx(d)) {
    std::vector<DatasetFile> out;
    for (const char* name :
         {"train-images-idx3-ubyte.gz",
          "train-labels-idx1-ubyte.gz",
          "t10k-images-idx3-ubyte.gz",
          "t10k-labels-idx1-ubyte.gz"}) {
      out.push_back({d.dir / name, dir});
    }
    return out;
  }
  if (d.kind == DatasetKind::Cifar10) {
    std::vector<DatasetFile> out;
    for (const Split split : {Split::Train, Split::Test}) {
      for (const std::string& name : cifar10_files(split)) {
        out.push_back({d.dir / name, dir});
      }
    }
    return out;
  }
  return {
      {d.train_files.x, d.pointer + "/train/x"},
      {d.train_files.y, d.pointer + "/train/y"},
      {d.test_files.x, d.pointer + "/test/x"},
      {d.test_files.y, d.pointer + "/test/y"}};
}

std::string missing_file_message(const DatasetConfig& d, const fs::path& file) {
  if (is_idx(d)) return missing_dataset_message(file, d.dir);
  if (d.kind == DatasetKind::Cifar10) {
    return missing_cifar10_message(file, d.dir);
  }
  return file.string() + ": no such file";
}

std::optional<std::int64_t> dataset_classes(const DatasetConfig& d) {
  if (d.kind == DatasetKind::Npy) return std::nullopt;
  return 10;
}

Dataset load_split(
    const DatasetConfig& d,
    Split split,
    std::optional<std::int64_t> classes,
    const std::string& config_file) {
  Dataset data;
  if (is_idx(d)) {
    // One channel, the statistics as a single float pair: exactly what
    // Fashion-MNIST always got.
    data = load_fashion_mnist(
        d.dir,
        split,
        {.mean = static_cast<float>(d.mean.at(0)),
         .std = static_cast<float>(d.std.at(0))});
  } else if (d.kind == DatasetKind::Cifar10) {
    data = load_cifar10(
        d.dir,
        split,
        make_normalizer(d, 3, config_file, "CIFAR-10's [3, 32, 32] images"));
  } else {
    data = load_npy_split(
        split == Split::Train ? d.train_files : d.test_files,
        d,
        classes,
        config_file);
  }
  const std::optional<std::int64_t> subset =
      split == Split::Train ? d.train_subset : d.test_subset;
  if (subset) data = data.head(*subset);
  return data;
}

}  // namespace initforge
