// SPDX-License-Identifier: Apache-2.0
#include "framework/io/safetensors.h"

#include <algorithm>
#include <bit>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include <nlohmann/json.hpp>

#include "framework/core/error.h"
#include "framework/core/float16.h"
#include "framework/core/utf8.h"
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

// Element sizes of the safetensors dtypes.
const std::map<std::string, std::int64_t>& dtype_sizes() {
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
  return kSizes;
}

// The element size of `dtype`; 0 for an unknown name.
std::int64_t element_size(const std::string& dtype) {
  const auto it = dtype_sizes().find(dtype);
  return it == dtype_sizes().end() ? 0 : it->second;
}

std::string known_dtypes() {
  std::string out;
  for (const auto& [name, size] : dtype_sizes()) {
    out += (out.empty() ? "" : ", ") + name;
  }
  return out;
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

[[noreturn]] void tensor_fail(
    const fs::path& path, const std::string& name, const std::string& what) {
  io_fail(path, "tensor \"" + name + "\": " + what);
}

// The value's JSON text for messages, cut short.
std::string shown(const json& value) {
  std::string text = value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

// The header as JSON, refusing invalid UTF-8 and duplicate keys (nlohmann
// would keep only the last value of a key given twice).
json parse_header(const fs::path& path, const std::string& text) {
  if (const std::size_t bad = first_invalid_utf8(text);
      bad != std::string::npos) {
    char byte[8];
    std::snprintf(
        byte, sizeof byte, "0x%02x", static_cast<unsigned char>(text[bad]));
    io_fail(
        path,
        "header is not valid UTF-8: byte " + std::string(byte) +
            " at header offset " + std::to_string(bad));
  }
  // Keys seen per open object, and the key path to name a duplicate's place.
  std::vector<std::set<std::string>> seen;
  std::vector<std::string> keys;
  const auto on_event = [&](int, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        seen.emplace_back();
        break;
      case json::parse_event_t::object_end:
        seen.pop_back();
        if (keys.size() > seen.size()) keys.resize(seen.size());
        break;
      case json::parse_event_t::key: {
        const std::string key = parsed.get<std::string>();
        keys.resize(seen.size() - 1);
        if (!seen.back().insert(key).second) {
          io_fail(
              path,
              keys.empty() ? "header has the key \"" + key +
                                 "\" twice; expected each tensor once"
                           : "\"" + keys.front() + "\" has the key \"" + key +
                                 "\" twice; expected each key once");
        }
        keys.push_back(key);
        break;
      }
      default:
        break;
    }
    return true;
  };
  json header;
  try {
    header = json::parse(text, on_event);
  } catch (const json::exception& e) {
    io_fail(path, std::string("header is not JSON: ") + e.what());
  }
  if (!header.is_object()) {
    io_fail(
        path,
        std::string("header is not a JSON object; found ") +
            header.type_name());
  }
  return header;
}

// "__metadata__": an object of strings.
std::map<std::string, std::string> parse_metadata(
    const fs::path& path, const json& value) {
  if (!value.is_object()) {
    io_fail(
        path,
        "__metadata__: expected an object of strings; found " + shown(value));
  }
  std::map<std::string, std::string> metadata;
  for (const auto& [key, text] : value.items()) {
    if (!text.is_string()) {
      io_fail(
          path,
          "__metadata__ \"" + key + "\": expected a string; found " +
              shown(text));
    }
    metadata.emplace(key, text.get<std::string>());
  }
  return metadata;
}

// A JSON array of non-negative integers that fit in int64, or nullopt.
std::optional<std::vector<std::int64_t>> counts(const json& value) {
  if (!value.is_array()) return std::nullopt;
  std::vector<std::int64_t> out;
  for (const json& n : value) {
    if (!n.is_number_unsigned() ||
        n.get<std::uint64_t>() >
            static_cast<std::uint64_t>(
                std::numeric_limits<std::int64_t>::max())) {
      return std::nullopt;
    }
    out.push_back(static_cast<std::int64_t>(n.get<std::uint64_t>()));
  }
  return out;
}

// One tensor's {"dtype", "shape", "data_offsets"}, checked on its own.
SafetensorsEntry parse_entry(
    const fs::path& path, const std::string& name, const json& value) {
  if (!value.is_object()) {
    tensor_fail(
        path,
        name,
        "expected an object {dtype, shape, data_offsets}; found " +
            shown(value));
  }
  for (const char* key : {"dtype", "shape", "data_offsets"}) {
    if (!value.contains(key)) {
      tensor_fail(path, name, "no \"" + std::string(key) + "\"");
    }
  }
  SafetensorsEntry e;
  e.name = name;
  const json& dtype = value.at("dtype");
  const std::int64_t size =
      dtype.is_string() ? element_size(dtype.get<std::string>()) : 0;
  if (size == 0) {
    tensor_fail(
        path,
        name,
        "unknown dtype " + shown(dtype) + "; expected one of " +
            known_dtypes());
  }
  e.dtype = dtype.get<std::string>();
  const auto shape = counts(value.at("shape"));
  if (!shape) {
    tensor_fail(
        path,
        name,
        "shape: expected an array of non-negative integers; found " +
            shown(value.at("shape")));
  }
  e.shape = *shape;
  const auto offsets = counts(value.at("data_offsets"));
  if (!offsets || offsets->size() != 2 || (*offsets)[0] > (*offsets)[1]) {
    tensor_fail(
        path,
        name,
        "data_offsets: expected [BEGIN, END] with 0 <= BEGIN <= END; found " +
            shown(value.at("data_offsets")));
  }
  e.begin = (*offsets)[0];
  e.end = (*offsets)[1];
  const std::int64_t bytes = byte_count(e.shape, size);
  if (bytes < 0) {
    tensor_fail(
        path,
        name,
        "shape " + shown(value.at("shape")) + " of " + e.dtype +
            " has more bytes than a 64-bit size can count");
  }
  if (e.end - e.begin != bytes) {
    tensor_fail(
        path,
        name,
        "data_offsets [" + std::to_string(e.begin) + ", " +
            std::to_string(e.end) + "] hold " +
            std::to_string(e.end - e.begin) + " bytes; expected " +
            std::to_string(bytes) + " (shape " + shown(value.at("shape")) +
            " of " + e.dtype + ")");
  }
  return e;
}

// Sorts `layout` by offset and checks that the tensors tile the data from 0
// to the end of the file: no gaps, overlaps or trailing bytes.
void check_layout(
    const fs::path& path,
    std::vector<SafetensorsEntry>& layout,
    std::uint64_t header_length,
    std::uintmax_t file_size) {
  std::sort(layout.begin(), layout.end(), [](const auto& a, const auto& b) {
    return std::tie(a.begin, a.end, a.name) < std::tie(b.begin, b.end, b.name);
  });
  std::int64_t expected = 0;
  const SafetensorsEntry* previous = nullptr;
  for (const SafetensorsEntry& e : layout) {
    const std::string offsets =
        "[" + std::to_string(e.begin) + ", " + std::to_string(e.end) + "]";
    if (e.begin != expected && previous == nullptr) {
      tensor_fail(
          path,
          e.name,
          "data_offsets " + offsets +
              " start the data (lowest BEGIN); expected BEGIN 0");
    }
    if (e.begin < expected) {
      tensor_fail(
          path,
          e.name,
          "data_offsets " + offsets + " overlap tensor \"" + previous->name +
              "\" [" + std::to_string(previous->begin) + ", " +
              std::to_string(previous->end) + "]; expected BEGIN " +
              std::to_string(expected) +
              " (tensors contiguous in offset order)");
    }
    if (e.begin > expected) {
      tensor_fail(
          path,
          e.name,
          "data_offsets " + offsets + " leave a gap of " +
              std::to_string(e.begin - expected) + " bytes after tensor \"" +
              previous->name + "\"; expected BEGIN " +
              std::to_string(expected) +
              " (tensors contiguous in offset order)");
    }
    expected = e.end;
    previous = &e;
  }
  const auto end = static_cast<std::uint64_t>(expected);
  if (end + 8 + header_length != file_size) {
    io_fail(
        path,
        "the tensors end at data byte " + std::to_string(end) +
            ", so the file should be 8 + " + std::to_string(header_length) +
            " + " + std::to_string(end) + " = " +
            std::to_string(end + 8 + header_length) + " bytes; it is " +
            std::to_string(file_size) +
            (end + 8 + header_length < file_size ? " (trailing bytes)"
                                                 : " (truncated)"));
  }
}

// Little-endian `T` values (F16/BF16 bits or doubles) widened or rounded
// to float32 by `to_float`: the 16-bit formats exactly, doubles to nearest
// even (the IEEE conversion).
template <typename T, typename ToFloat>
void decode_floats(
    std::span<const std::byte> bytes, std::span<float> out, ToFloat to_float) {
  for (std::size_t i = 0; i < out.size(); ++i) {
    T value;
    std::memcpy(&value, bytes.data() + sizeof(T) * i, sizeof(T));
    out[i] = to_float(value);
  }
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

SafetensorsFile read_safetensors_header(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) io_fail(path, "cannot open");
  std::error_code ec;
  const std::uintmax_t file_size = fs::file_size(path, ec);
  if (ec) io_fail(path, "cannot read the file size: " + ec.message());
  unsigned char length[8];
  in.read(reinterpret_cast<char*>(length), sizeof length);
  if (in.gcount() < 8) {
    io_fail(
        path,
        "truncated: expected an 8-byte header length, found a file of " +
            std::to_string(file_size) + " bytes");
  }
  SafetensorsFile file;
  for (int i = 7; i >= 0; --i) {
    file.header_length = file.header_length << 8 | length[i];
  }
  if (file.header_length > kMaxHeader) {
    io_fail(
        path,
        "header length " + std::to_string(file.header_length) +
            " exceeds the format's limit of " + std::to_string(kMaxHeader) +
            " bytes");
  }
  if (file.header_length > file_size - 8) {
    io_fail(
        path,
        "header length " + std::to_string(file.header_length) +
            " exceeds the file: expected at most " +
            std::to_string(file_size - 8) + " (the file is " +
            std::to_string(file_size) + " bytes)");
  }
  std::string text(file.header_length, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  if (in.gcount() != static_cast<std::streamsize>(text.size())) {
    io_fail(path, "truncated header");
  }
  const json header = parse_header(path, text);
  for (const auto& [name, value] : header.items()) {
    if (name == "__metadata__") {
      file.metadata = parse_metadata(path, value);
    } else {
      file.tensors.push_back(parse_entry(path, name, value));
    }
  }
  check_layout(path, file.tensors, file.header_length, file_size);
  return file;
}

SafetensorsFile read_safetensors(const fs::path& path) {
  SafetensorsFile file = read_safetensors_header(path);
  std::ifstream in(path, std::ios::binary);
  if (!in) io_fail(path, "cannot open");
  in.seekg(static_cast<std::streamoff>(8 + file.header_length));
  for (SafetensorsEntry& entry : file.tensors) {
    entry.bytes.resize(static_cast<std::size_t>(entry.end - entry.begin));
    in.read(
        reinterpret_cast<char*>(entry.bytes.data()),
        static_cast<std::streamsize>(entry.bytes.size()));
    if (in.gcount() != static_cast<std::streamsize>(entry.bytes.size())) {
      io_fail(path, "tensor \"" + entry.name + "\": truncated data");
    }
  }
  return file;
}

bool safetensors_float_dtype(const std::string& dtype) {
  return dtype == "F32" || dtype == "F16" || dtype == "BF16" || dtype == "F64";
}

void read_safetensors_floats(
    const fs::path& path,
    const SafetensorsFile& file,
    const SafetensorsEntry& entry,
    std::span<float> out) {
  const std::int64_t size = element_size(entry.dtype);
  if (!safetensors_float_dtype(entry.dtype)) {
    tensor_fail(
        path,
        entry.name,
        "dtype " + entry.dtype +
            " is not a float; expected F32, F16, BF16 or F64");
  }
  const auto count = static_cast<std::size_t>((entry.end - entry.begin) / size);
  if (count != out.size()) {
    tensor_fail(
        path,
        entry.name,
        "holds " + std::to_string(count) + " values; expected " +
            std::to_string(out.size()));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) io_fail(path, "cannot open");
  in.seekg(static_cast<std::streamoff>(8 + file.header_length + entry.begin));
  // F32 is read straight into `out`; the others through their bytes.
  std::vector<std::byte> bytes;
  auto* dst = reinterpret_cast<char*>(out.data());
  if (entry.dtype != "F32") {
    bytes.resize(static_cast<std::size_t>(entry.end - entry.begin));
    dst = reinterpret_cast<char*>(bytes.data());
  }
  const auto length = static_cast<std::streamsize>(entry.end - entry.begin);
  in.read(dst, length);
  if (in.gcount() != length) {
    tensor_fail(path, entry.name, "truncated data (did the file change?)");
  }
  if (entry.dtype == "F64") {
    decode_floats<double>(
        bytes, out, [](double d) { return static_cast<float>(d); });
  } else if (entry.dtype == "F16") {
    decode_floats<std::uint16_t>(bytes, out, half_to_float);
  } else if (entry.dtype == "BF16") {
    decode_floats<std::uint16_t>(bytes, out, bfloat16_to_float);
  }
}

}  // namespace initforge
