// SPDX-License-Identifier: Apache-2.0
#include "framework/layers/dnnl_info.h"

#include <oneapi/dnnl/dnnl.h>

namespace initforge {

std::string onednn_version() {
  const dnnl_version_t* v = dnnl_version();
  return std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
         std::to_string(v->patch);
}

}  // namespace initforge
