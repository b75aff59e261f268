// SPDX-License-Identifier: Apache-2.0
#pragma once

// Which LAPACK this process loaded (LD_LIBRARY_PATH or the Debian
// alternative decides): golden tests compare torch-mode orthogonal bits only
// against a PyTorch that used the same one. Link LAPACKE and dl to use it.

#include <filesystem>
#include <string>

#include <dlfcn.h>
#include <lapacke.h>

namespace initforge::testing {

struct LapackInfo {
  std::string library;  // the file that defines sgeqrf_, resolved
  bool reference;       // Debian's reference LAPACK (.../lapack/liblapack.so*)
};

inline LapackInfo loaded_lapack() {
  // Referencing LAPACKE keeps it (and liblapack.so.3) among this program's
  // needed libraries, so sgeqrf_ is in the global scope.
  volatile auto keep = &LAPACKE_sgeqrf;
  (void)keep;
  void* sym = dlsym(RTLD_DEFAULT, "sgeqrf_");
  Dl_info info{};
  if (sym == nullptr || dladdr(sym, &info) == 0 || info.dli_fname == nullptr) {
    return {"(sgeqrf_ not found)", false};
  }
  std::error_code ec;
  const std::filesystem::path real =
      std::filesystem::canonical(info.dli_fname, ec);
  if (ec) return {info.dli_fname, false};
  const bool reference = real.filename().string().starts_with("liblapack.so") &&
                         real.parent_path().filename() == "lapack";
  return {real.string(), reference};
}

}  // namespace initforge::testing
