// SPDX-License-Identifier: Apache-2.0
// fuzz_seeds OUT_DIR: small valid inputs for the binary fuzz targets,
// written by initforge's own writers (the repository holds no such files):
// OUT_DIR/{weights,checkpoint,npy,idx,arg}/. tools/fuzz.sh adds the JSON seeds.
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <zlib.h>

#include "framework/core/tensor.h"
#include "framework/io/npy.h"
#include "framework/io/safetensors.h"
#include "framework/io/tensor_checksums.h"
#include "framework/io/train_report_json.h"
#include "framework/train/checkpoint.h"

#include "tests/fuzz/entry_points.h"

namespace fs = std::filesystem;
using namespace initforge;

namespace {

Tensor counting(const Shape& shape) {
  Tensor t = Tensor::empty(shape);
  for (std::size_t i = 0; i < t.span().size(); ++i) {
    t.span()[i] = 0.25f * static_cast<float>(i) - 1.0f;
  }
  return t;
}

void write_weights(const fs::path& dir) {
  const Tensor w = counting({3, 2});
  const Tensor b = counting({3});
  const std::vector<std::int64_t> tracked = {0};
  const std::vector<SafetensorsTensor> tensors = {
      SafetensorsTensor::f32("fc1.weight", w.view()),
      SafetensorsTensor::f32("fc1.bias", b.view()),
      SafetensorsTensor::i64("bn1.num_batches_tracked", {}, tracked)};
  write_checksummed_safetensors(
      dir / "weights.safetensors",
      tensors,
      {{"format", "pt"}, {"initforge.manifest", "{}"}});
  // As PyTorch or another tool writes it: no checksums.
  write_safetensors(dir / "plain.safetensors", tensors, {{"format", "pt"}});
}

void write_checkpoint(const fs::path& dir) {
  TrainState state;
  state.config_hash = "0123456789abcdef";
  state.model = "mlp";
  state.epochs_done = 1;
  state.step = 2;
  state.global_step = 7;
  state.loss_sum = 3.5;
  state.correct = 4;
  state.samples = 8;
  state.sessions = 1;
  state.metrics.push_back({1, 0.5, 0.75, 0.6, 0.7, 1.5, 0.01});
  state.times.push_back({1, 1.0, 0.25, 0.125});
  for (std::int64_t epoch = 0; epoch < 2; ++epoch) {
    state.probes.push_back(
        {epoch,
         2.3,
         {{"fc1", "Linear", 0.5, 0.0, 0.01}},
         {{"fc1.weight", 0.1, 0.001}}});
  }
  const Tensor w = counting({3, 2});
  const Tensor m = counting({3, 2});
  const std::vector<SafetensorsTensor> tensors = {
      SafetensorsTensor::f32("fc1.weight", w.view()),
      SafetensorsTensor::f32("optimizer/fc1.weight/momentum_buffer", m.view())};
  write_checksummed_safetensors(
      dir / "state.safetensors",
      tensors,
      {{"format", "pt"}, {kTrainStateKey, train_state_json(state)}});
}

void write_npy_seeds(const fs::path& dir) {
  write_npy(dir / "matrix.npy", counting({2, 3}).view());
  write_npy(dir / "scalar.npy", counting({}).view());
  write_npy(dir / "image.npy", counting({1, 1, 2, 2}).view());
}

// An IDX file: big-endian magic and dims, then the bytes.
std::string idx_bytes(
    std::uint32_t magic, const std::vector<std::uint32_t>& dims) {
  std::string out;
  auto put = [&out](std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) {
      out.push_back(static_cast<char>((v >> shift) & 0xFFU));
    }
  };
  put(magic);
  std::size_t count = 1;
  for (const std::uint32_t d : dims) {
    put(d);
    count *= d;
  }
  for (std::size_t i = 0; i < count; ++i) {
    out.push_back(static_cast<char>((i * 37) % 10));
  }
  return out;
}

void write_file(const fs::path& path, const std::string& bytes, bool gzip) {
  if (gzip) {
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
    return;
  }
  std::FILE* f = std::fopen(path.c_str(), "wb");
  std::fwrite(bytes.data(), 1, bytes.size(), f);
  std::fclose(f);
}

void write_idx_seeds(const fs::path& dir) {
  const std::string images = idx_bytes(0x00000803, {3, 2, 2});
  const std::string labels = idx_bytes(0x00000801, {3});
  write_file(dir / "images-idx3-ubyte.gz", images, true);
  write_file(dir / "labels-idx1-ubyte.gz", labels, true);
  write_file(dir / "images-idx3-ubyte", images, false);
  write_file(dir / "labels-idx1-ubyte", labels, false);
}

// Per built-in scheme: its name alone, and its name with every default.
void write_arg_seeds(const fs::path& dir) {
  const Registry& registry = fuzz::context().registry;
  for (const std::string& name : registry.names()) {
    std::string with_defaults = name;
    for (const ArgSpec& arg : registry.find(name).info.args) {
      if (arg.default_value) {
        with_defaults += "\n" + arg.name + "=" + to_string(*arg.default_value);
      }
    }
    write_file(dir / (name + ".txt"), name, false);
    write_file(dir / (name + "-defaults.txt"), with_defaults, false);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seeds OUT_DIR\n");
    return 2;
  }
  const fs::path out = argv[1];
  for (const char* d : {"weights", "checkpoint", "npy", "idx", "arg"}) {
    fs::create_directories(out / d);
  }
  write_weights(out / "weights");
  write_checkpoint(out / "checkpoint");
  write_npy_seeds(out / "npy");
  write_idx_seeds(out / "idx");
  write_arg_seeds(out / "arg");
  return 0;
}
