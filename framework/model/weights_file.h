// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <filesystem>

#include "framework/core/export.h"
#include "framework/io/run_report_json.h"
#include "framework/model/builder.h"
#include "framework/model/init_plan.h"

namespace initforge {

/// Key of the init manifest in a weights file's "__metadata__".
inline constexpr const char* kManifestKey = "initforge.manifest";

/// How `p` was initialized, for reports and manifests.
INITFORGE_API ParamInitRecord init_record(const PlannedParam& p);

/// Writes the initialized parameters and buffers of `model` as safetensors
/// named by path ("fc1.weight", "bn1.running_var"), plus an int64
/// "<layer>.num_batches_tracked" = 0 per BatchNorm1d/2d, so the file loads into
/// the PyTorch module with load_state_dict(strict=True). "__metadata__"
/// holds {"format": "pt", "initforge.manifest": JSON, "initforge.crc32":
/// JSON}: per parameter the scheme, arguments, source (layer init / rule /
/// default), plugin library, and the rng and seed; per tensor its checksum
/// (io/tensor_checksums.h). Atomic; IoError naming the path on failure.
INITFORGE_API void save_weights(
    const std::filesystem::path& path, const Model& model);

}  // namespace initforge
