// SPDX-License-Identifier: Apache-2.0
#include "framework/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <fstream>
#include <limits>
#include <set>
#include <utility>

#include <nlohmann/json.hpp>

#include "framework/core/error.h"
#include "framework/io/atomic_file.h"

namespace initforge {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
static_assert(
    std::endian::native == std::endian::little,
    "safetensors data is written and read as raw little-endian values");

// The reference implementation refuses larger headers.
constexpr std::uint64_t kMaxHeader = 100'000'000;

// Element sizes of the safetensors dtypes; 0 for an unknown name.
std::int64_t element_size(const std::string& dtype) {
  static const std::map<std::string, std::int64_t> kSizes = {
      {"BOOL", 1},
      {"U8", 1},
      {"I8", 1},
      {"F8_E5M2", 1},
      {"F8_E4M3", 1},
      {"I16", 2},
      {"U16", 2},
      {"F16", 2},
      {"BF16", 2},
      {"I32", 4},
      {"U32", 4},
      {"F32", 4},
      {"F64", 8},
      {"I64", 8},
      {"U64", 8}};
  const auto it = kSizes.find(dtype);
  return it == kSizes.end() ? 0 : it->second;
}

// numel * size, or -1 when a dimension is negative or the product overflows.
std::int64_t byte_count(
    const std::vector<std::int64_t>& shape, std::int64_t size) {
  std::int64_t n = size;
  for (const std::int64_t d : shape) {
    if (d < 0) return -1;
    if (d != 0 && n > std::numeric_limits<std::int64_t>::max() / d) return -1;
    n *= d;
  }
  return n;
}

[[noreturn]] void io_fail(const fs::path& path, const std::string& what) {
  throw IoError(path.string() + ": " + what);
}

}  // namespace

SafetensorsTensor SafetensorsTensor::f32(
    std::string name, ConstTensorView view) {
  const auto dims = view.shape().dims();
  return {
      std::move(name),
      "F32",
      {dims.begin(), dims.end()},
      std::as_bytes(view.data())};
}

SafetensorsTensor SafetensorsTensor::i64(
    std::string name,
    std::vector<std::int64_t> shape,
    std::span<const std::int64_t> values) {
  return {std::move(name), "I64", std::move(shape), std::as_bytes(values)};
}

void write_safetensors(
    const fs::path& path,
    std::span<const SafetensorsTensor> tensors,
    const std::map<std::string, std::string>& metadata) {
  // Largest elements first (stable): every offset is then a multiple of its
  // element size without padding, as the Python writer arranges it.
  std::vector<const SafetensorsTensor*> order;
  std::set<std::string> names;
  for (const SafetensorsTensor& t : tensors) {
    const std::int64_t size = element_size(t.dtype);
    if (size == 0) {
      throw InvalidArgument(
          "safetensors: tensor \"" + t.name + "\": unknown dtype \"" + t.dtype +
          "\"");
    }
    if (t.name == "__metadata__" || !names.insert(t.name).second) {
      throw InvalidArgument(
          "safetensors: tensor name \"" + t.name +
          "\" is reserved or used twice");
    }
    if (byte_count(t.shape, size) !=
        static_cast<std::int64_t>(t.bytes.size())) {
      throw InvalidArgument(
          "safetensors: tensor \"" + t.name +
          "\": " + std::to_string(t.bytes.size()) +
          " bytes do not match dtype " + t.dtype + " and its shape");
    }
    order.push_back(&t);
  }
  std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) {
    return element_size(a->dtype) > element_size(b->dtype);
  });

  json header = json::object();
  std::int64_t offset = 0;
  for (const SafetensorsTensor* t : order) {
    const auto size = static_cast<std::int64_t>(t->bytes.size());
    header[t->name] = {
        {"dtype", t->dtype},
        {"shape", t->shape},
        {"data_offsets", {offset, offset + size}}};
    offset += size;
  }
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');

  unsigned char length[8];
  std::uint64_t n = text.size();
  for (unsigned char& byte : length) {
    byte = static_cast<unsigned char>(n & 0xff);
    n >>= 8;
  }
  detail::AtomicFile file(path);
  file.write(length, sizeof length);
  file.write(text);
  for (const SafetensorsTensor* t : order) {
    file.write(t->bytes.data(), t->bytes.size());
  }
  file.commit();
}

Tensor SafetensorsEntry::to_tensor() const {
  if (dtype != "F32") {
    throw IoError(
        "safetensors tensor \"" + name + "\" has dtype " + dtype +
        "; expected F32");
  }
  Tensor tensor = Tensor::empty(Shape(std::span<const std::int64_t>(shape)));
  std::memcpy(tensor.data(), bytes.data(), bytes.size());
  return tensor;
}

const SafetensorsEntry& SafetensorsFile::at(const std::string& name) const {
  std::string known;
  for (const SafetensorsEntry& t : tensors) {
    if (t.name == name) return t;
    known += (known.empty() ? "" : ", ") + t.name;
  }
  throw IoError("no tensor \"" + name + "\" in the file; it has: " + known);
}

SafetensorsFile read_safetensors(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) io_fail(path, "cannot open");
  std::error_code ec;
  const std::uintmax_t file_size = fs::file_size(path, ec);
  if (ec) io_fail(path, "cannot read the file size: " + ec.message());
  unsigned char length[8];
  in.read(reinterpret_cast<char*>(length), sizeof length);
  if (in.gcount() < 8) io_fail(path, "truncated: no 8-byte header length");
  SafetensorsFile file;
  for (int i = 7; i >= 0; --i) {
    file.header_length = file.header_length << 8 | length[i];
  }
  if (file.header_length > kMaxHeader || file.header_length > file_size - 8) {
    io_fail(
        path,
        "header length " + std::to_string(file.header_length) +
            " exceeds the file (" + std::to_string(file_size) + " bytes)");
  }
  std::string text(file.header_length, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));

  json header;
  try {
    header = json::parse(text);
  } catch (const json::exception& e) {
    io_fail(path, std::string("header is not JSON: ") + e.what());
  }
  if (!header.is_object()) io_fail(path, "header is not a JSON object");
  const auto data_size =
      static_cast<std::int64_t>(file_size - 8 - file.header_length);
  try {
    for (const auto& [name, value] : header.items()) {
      if (name == "__metadata__") {
        file.metadata = value.get<std::map<std::string, std::string>>();
        continue;
      }
      SafetensorsEntry entry;
      entry.name = name;
      entry.dtype = value.at("dtype").get<std::string>();
      entry.shape = value.at("shape").get<std::vector<std::int64_t>>();
      const auto offsets =
          value.at("data_offsets").get<std::vector<std::int64_t>>();
      const std::int64_t size = element_size(entry.dtype);
      if (size == 0) io_fail(path, name + ": unknown dtype " + entry.dtype);
      if (offsets.size() != 2 || offsets[0] < 0 || offsets[1] > data_size ||
          offsets[1] - offsets[0] != byte_count(entry.shape, size)) {
        io_fail(path, name + ": data_offsets do not match dtype and shape");
      }
      entry.begin = offsets[0];
      entry.end = offsets[1];
      file.tensors.push_back(std::move(entry));
    }
  } catch (const json::exception& e) {
    io_fail(path, std::string("bad header entry: ") + e.what());
  }
  std::sort(file.tensors.begin(), file.tensors.end(), [](auto& a, auto& b) {
    return a.begin < b.begin;
  });
  // The tensors must tile the data: no gaps, overlaps or trailing bytes.
  std::int64_t expected = 0;
  for (SafetensorsEntry& entry : file.tensors) {
    if (entry.begin != expected) {
      io_fail(path, entry.name + ": data overlaps or leaves a gap");
    }
    expected = entry.end;
    entry.bytes.resize(static_cast<std::size_t>(entry.end - entry.begin));
    in.read(
        reinterpret_cast<char*>(entry.bytes.data()),
        static_cast<std::streamsize>(entry.bytes.size()));
    if (in.gcount() != static_cast<std::streamsize>(entry.bytes.size())) {
      io_fail(path, entry.name + ": truncated data");
    }
  }
  if (expected != data_size) {
    io_fail(
        path,
        "data is " + std::to_string(data_size) + " bytes; the header covers " +
            std::to_string(expected));
  }
  return file;
}

}  // namespace initforge
