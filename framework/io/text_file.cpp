// SPDX-License-Identifier: Apache-2.0
#include "framework/io/text_file.h"

#include "framework/io/atomic_file.h"

namespace initforge {

void write_text_atomically(
    const std::filesystem::path& path, std::string_view text) {
  detail::AtomicFile file(path);
  file.write(text.data(), text.size());
  file.commit();
}

}  // namespace initforge
