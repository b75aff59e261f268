// SPDX-License-Identifier: Apache-2.0
// `initforge verify FILE.safetensors...`: reads each file (a checkpoint,
// trained weights or --save-weights output) and checks its layout and
// per-tensor checksums, as every load does; one line per file. Exit 2 when
// any file is unreadable or corrupt; the files are only read.
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "framework/core/error.h"
#include "framework/io/tensor_checksums.h"

#include "tools/cli/commands.h"

namespace initforge::cli {
namespace {

int run_verify(const std::vector<std::string>& files) {
  int failed = 0;
  for (const std::string& file : files) {
    try {
      const SafetensorsFile f = read_verified_safetensors(file);
      const bool checked = f.metadata.count(kChecksumKey) != 0;
      std::printf(
          "ok: %s: %zu tensor%s, %s\n",
          file.c_str(),
          f.tensors.size(),
          f.tensors.size() == 1 ? "" : "s",
          checked ? "checksums match"
                  : "no checksums to verify (not written by initforge)");
    } catch (const IoError& e) {
      std::string line = std::string("error: ") + e.what();
      for (char& c : line) {
        if (c == '\n' || c == '\r') c = ' ';
      }
      std::fprintf(stderr, "%s\n", line.c_str());
      ++failed;
    }
  }
  std::fflush(stdout);
  return failed == 0 ? 0 : 2;
}

}  // namespace

CommandRunner setup_verify_command(CLI::App& command) {
  auto files = std::make_shared<std::vector<std::string>>();
  command.add_option("files", *files, "safetensors files to check")->required();
  return [files] { return run_verify(*files); };
}

}  // namespace initforge::cli
