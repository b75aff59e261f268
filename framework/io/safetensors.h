// SPDX-License-Identifier: Apache-2.0
#pragma once

// The safetensors format (huggingface/safetensors): an 8-byte little-endian
// header length, a JSON header {name: {dtype, shape, data_offsets}, ...,
// "__metadata__": {string: string}} padded with spaces to 8 bytes, then the
// raw little-endian data. Names are parameter paths ("fc1.weight"), so a
// file loads into the equivalent PyTorch module's state_dict.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "framework/core/export.h"
#include "framework/core/tensor.h"
#include "framework/core/tensor_view.h"

namespace initforge {

/// One tensor to write: the bytes are borrowed, not copied.
struct INITFORGE_API SafetensorsTensor {
  std::string name;
  std::string dtype;  // "F32" or "I64"
  std::vector<std::int64_t> shape;
  std::span<const std::byte> bytes;  // numel * element size, little-endian

  /// A float32 tensor (the view must outlive the write).
  static SafetensorsTensor f32(std::string name, ConstTensorView view);
  /// An int64 tensor, e.g. BatchNorm's num_batches_tracked (shape []).
  static SafetensorsTensor i64(
      std::string name,
      std::vector<std::int64_t> shape,
      std::span<const std::int64_t> values);
};

/// Writes `tensors` and `metadata` (the "__metadata__" object) to `path`,
/// atomically (temporary file, fsync, rename). Data is laid out by element
/// size, largest first, keeping the given order otherwise, so every tensor
/// is aligned to its element size. Throws InvalidArgument for a duplicate or
/// reserved name or a byte count that does not match dtype and shape, and
/// IoError naming the path when the file cannot be written.
INITFORGE_API void write_safetensors(
    const std::filesystem::path& path,
    std::span<const SafetensorsTensor> tensors,
    const std::map<std::string, std::string>& metadata);

/// One tensor read back.
struct INITFORGE_API SafetensorsEntry {
  std::string name;
  std::string dtype;
  std::vector<std::int64_t> shape;
  std::int64_t begin = 0, end = 0;  // data_offsets
  std::vector<std::byte> bytes;

  /// The values as a float32 tensor; IoError unless dtype is "F32".
  Tensor to_tensor() const;
};

/// A whole file: metadata and tensors in data order.
struct INITFORGE_API SafetensorsFile {
  std::uint64_t header_length = 0;
  std::map<std::string, std::string> metadata;
  std::vector<SafetensorsEntry> tensors;

  /// The tensor called `name`, or IoError listing the names.
  const SafetensorsEntry& at(const std::string& name) const;
};

/// Reads and checks a safetensors file by the format's rules: a header of
/// at most 100 MB inside the file; UTF-8 JSON, an object without duplicate
/// keys; per tensor a known dtype, a shape of non-negative integers and
/// data_offsets [BEGIN, END] with END - BEGIN = the shape's element count
/// times the dtype's size (overflow checked); in offset order the tensors
/// start at 0 and are contiguous (no gaps or overlaps), and the last END +
/// 8 + header length is the file size; "__metadata__", if present, maps
/// strings to strings. Throws IoError naming the file, the tensor or key,
/// and what was expected and found.
INITFORGE_API SafetensorsFile
read_safetensors(const std::filesystem::path& path);

/// read_safetensors without the data: every check, and each entry's name,
/// dtype, shape and offsets, with `bytes` left empty.
INITFORGE_API SafetensorsFile
read_safetensors_header(const std::filesystem::path& path);

/// True for the dtypes read_safetensors_floats converts: F32, F16, BF16, F64.
INITFORGE_API bool safetensors_float_dtype(const std::string& dtype);

/// Reads `entry` of `file` (from read_safetensors_header(path)) into `out`
/// as float32: F16 and BF16 exactly, F64 rounded to nearest even. IoError
/// naming the path and tensor for another dtype, a count other than
/// out.size(), or a file that has become shorter.
INITFORGE_API void read_safetensors_floats(
    const std::filesystem::path& path,
    const SafetensorsFile& file,
    const SafetensorsEntry& entry,
    std::span<float> out);

}  // namespace initforge
