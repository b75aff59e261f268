// SPDX-License-Identifier: Apache-2.0
#include "framework/core/error.h"

#include <utility>

#include "framework/core/utf8.h"

namespace initforge {

// Out-of-line destructors are the key functions: typeinfo is emitted once,
// here, so a plugin's exception is caught by type in the host.
// Messages echo outside bytes (names, keys, paths): escaped here, every
// message is valid UTF-8 for terminals and JSON alike.
Error::Error(const std::string& message)
    : std::runtime_error(escape_invalid_utf8(message)) {}
Error::~Error() = default;

UsageError::UsageError(const std::string& message) : Error(message) {}
UsageError::~UsageError() = default;

InvalidArgument::InvalidArgument(const std::string& message) : Error(message) {}
InvalidArgument::~InvalidArgument() = default;

ArgumentError::ArgumentError(std::string key, const std::string& message)
    : InvalidArgument(message), key_(std::move(key)) {}
ArgumentError::~ArgumentError() = default;

ShapeError::ShapeError(const std::string& message) : Error(message) {}
ShapeError::~ShapeError() = default;

ConfigError::ConfigError(
    std::string file, std::string pointer, const std::string& what)
    // The root pointer is "": "file: what" rather than "file: : what".
    : Error(file + ": " + (pointer.empty() ? "" : pointer + ": ") + what),
      file_(std::move(file)),
      pointer_(std::move(pointer)) {}
ConfigError::~ConfigError() = default;

IoError::IoError(const std::string& message) : Error(message) {}
IoError::~IoError() = default;

MemoryError::MemoryError(const std::string& message) : Error(message) {}
MemoryError::~MemoryError() = default;

PluginError::PluginError(std::string library_path, const std::string& what)
    : Error("plugin " + library_path + ": " + what),
      library_path_(std::move(library_path)) {}
PluginError::~PluginError() = default;

}  // namespace initforge
