// SPDX-License-Identifier: Apache-2.0
#include "framework/core/error.h"

#include <gtest/gtest.h>

namespace initforge {
namespace {

TEST(Error, ConfigErrorMessageStartsWithFileAndPointer) {
  const ConfigError e("configs/mlp.json", "/layers/2/init", "expected object");
  EXPECT_STREQ(e.what(), "configs/mlp.json: /layers/2/init: expected object");
  EXPECT_EQ(e.file(), "configs/mlp.json");
  EXPECT_EQ(e.pointer(), "/layers/2/init");
}

TEST(Error, PluginErrorNamesTheLibrary) {
  const PluginError e("/x/libfoo.so", "ABI version 9, expected 1");
  EXPECT_STREQ(e.what(), "plugin /x/libfoo.so: ABI version 9, expected 1");
  EXPECT_EQ(e.library_path(), "/x/libfoo.so");
}

TEST(Error, ArgumentErrorIsAnInvalidArgumentWithKey) {
  try {
    throw ArgumentError("std", "std: expected a number >= 0; got -1");
  } catch (const InvalidArgument& e) {
    EXPECT_EQ(dynamic_cast<const ArgumentError&>(e).key(), "std");
  }
}

}  // namespace
}  // namespace initforge
