// SPDX-License-Identifier: Apache-2.0
// The entry points that need libinitforge_model/_train (configs, IDX);
// the others need only libinitforge_core (entry_points.cpp).
#include <cstdint>
#include <vector>

#include "framework/core/error.h"
#include "framework/io/idx.h"
#include "framework/model/config_loader.h"
#include "framework/model/init_check.h"
#include "framework/train/dataset.h"

#include "tests/fuzz/entry_points.h"

namespace initforge::fuzz {

namespace fs = std::filesystem;

void config_entry(std::string_view bytes, Context& ctx) {
  const fs::path file = write_input(ctx, "config.json", bytes);
  const ModelConfig base = load_config(file);
  check_init_specs(base, ctx.registry);
  for (const Variant& v : load_experiment(file)) {
    check_init_specs(v.config, ctx.registry);
  }
}

void idx_entry(std::string_view bytes, Context& ctx) {
  const fs::path file = write_input(ctx, "data-ubyte.gz", bytes);
  try {
    const IdxImages images = read_idx_images(file);
    const std::vector<std::uint8_t> labels(
        static_cast<std::size_t>(images.count), 0);
    (void)make_dataset(images, labels, Normalization{}, 10, file.string());
  } catch (const IoError&) {
    // Not an images file: it may still be a labels file.
  }
  (void)read_idx_labels(file);
}

}  // namespace initforge::fuzz
