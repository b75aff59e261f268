// SPDX-License-Identifier: Apache-2.0
#include "tests/fuzz/entry_points.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "framework/core/error.h"
#include "framework/init/fans.h"
#include "framework/io/arg_text.h"
#include "framework/io/npy.h"
#include "framework/io/safetensors.h"
#include "framework/io/tensor_checksums.h"
#include "framework/io/train_report_json.h"
#include "framework/plugin/loader.h"
#include "framework/train/checkpoint.h"

namespace initforge::fuzz {
namespace {

namespace fs = std::filesystem;

// A harness failure, not a finding in initforge: stop loudly.
[[noreturn]] void harness_fail(const std::string& what) {
  std::fprintf(stderr, "fuzz harness: %s\n", what.c_str());
  std::abort();
}

fs::path make_scratch() {
  std::string pattern =
      (fs::temp_directory_path() / "initforge-fuzz-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) harness_fail("mkdtemp failed");
  return pattern;
}

}  // namespace

fs::path write_input(Context& ctx, const char* name, std::string_view bytes) {
  const fs::path path = ctx.scratch / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) harness_fail("cannot write " + path.string());
  return path;
}

namespace {

void tensors_of(const SafetensorsFile& f, std::string_view prefix) {
  for (const SafetensorsEntry& e : f.tensors) {
    if (e.dtype == "F32" && e.name.starts_with(prefix)) (void)e.to_tensor();
  }
}

// Removes the scratch directory when the process exits.
struct ScratchCleanup {
  fs::path dir;
  ~ScratchCleanup() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

}  // namespace

Context& context() {
  static Context* ctx = [] {
    auto* c = new Context;
    c->scratch = make_scratch();
    load_plugin_dir(builtin_plugin_dir(), c->registry);
    return c;
  }();
  static const ScratchCleanup cleanup{ctx->scratch};
  return *ctx;
}

void weights_entry(std::string_view bytes, Context& ctx) {
  const fs::path file = write_input(ctx, "weights.safetensors", bytes);
  const SafetensorsFile f = read_safetensors(file);
  tensors_of(f, "");
  verify_checksums(file, f);
}

void checkpoint_entry(std::string_view bytes, Context& ctx) {
  const fs::path file = write_input(ctx, "state.safetensors", bytes);
  const SafetensorsFile f = read_safetensors(file);
  const auto meta = f.metadata.find(kTrainStateKey);
  if (meta != f.metadata.end()) {
    (void)parse_train_state(meta->second, file.string());
  }
  tensors_of(f, "optimizer/");
  verify_checksums(file, f);
}

void npy_entry(std::string_view bytes, Context& ctx) {
  (void)read_npy(write_input(ctx, "input.npy", bytes));
}

void arg_entry(std::string_view bytes, Context& ctx) {
  const std::size_t first_end = bytes.find('\n');
  const std::string scheme(bytes.substr(0, first_end));
  std::vector<std::pair<std::string, ArgValue>> given;
  std::string_view rest = first_end == std::string_view::npos
                              ? std::string_view()
                              : bytes.substr(first_end + 1);
  while (!rest.empty()) {
    const std::size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view()
                                         : rest.substr(end + 1);
    // The CLI's parse_key_value: KEY=VALUE with a non-empty KEY.
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      throw UsageError("--arg: expected KEY=VALUE");
    }
    given.emplace_back(
        std::string(line.substr(0, eq)), parse_arg_value(line.substr(eq + 1)));
  }
  const RegisteredScheme& found = ctx.registry.find(scheme);
  (void)bind_args(found.info.args, given);
  const auto init = ctx.registry.create(scheme, given);
  const Shape shape{8, 4};
  init->check(ParamInfo{"fuzz.weight", shape, compute_fans(shape)});
}

}  // namespace initforge::fuzz
