// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <stdexcept>
#include <string>

#include "framework/core/export.h"

namespace initforge {

/// Base of every error initforge throws; the CLI maps subclasses to exit codes.
/// what() is valid UTF-8: invalid bytes of the message are written as \xNN.
class INITFORGE_API Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message);
  ~Error() override;
};

/// Bad command-line usage or input (exit code 2).
class INITFORGE_API UsageError : public Error {
 public:
  explicit UsageError(const std::string& message);
  ~UsageError() override;
};

/// A value a scheme or generator refuses (PyTorch's ValueError; exit code 2).
class INITFORGE_API InvalidArgument : public Error {
 public:
  explicit InvalidArgument(const std::string& message);
  ~InvalidArgument() override;
};

/// A scheme argument that breaks its declared schema; `key()` names it.
class INITFORGE_API ArgumentError : public InvalidArgument {
 public:
  ArgumentError(std::string key, const std::string& message);
  ~ArgumentError() override;
  const std::string& key() const {
    return key_;
  }

 private:
  std::string key_;
};

/// A shape that is malformed or does not fit (exit code 2).
class INITFORGE_API ShapeError : public Error {
 public:
  explicit ShapeError(const std::string& message);
  ~ShapeError() override;
};

/// A config field that is wrong; the message starts with "file: /pointer: "
/// ("file: " alone for the root pointer "", e.g. malformed JSON).
class INITFORGE_API ConfigError : public Error {
 public:
  ConfigError(std::string file, std::string pointer, const std::string& what);
  ~ConfigError() override;
  const std::string& file() const {
    return file_;
  }
  const std::string& pointer() const {
    return pointer_;
  }

 private:
  std::string file_;
  std::string pointer_;
};

/// A file that cannot be read or written (exit code 2).
class INITFORGE_API IoError : public Error {
 public:
  explicit IoError(const std::string& message);
  ~IoError() override;
};

/// A size that does not fit in this machine's memory (exit code 2): bad
/// input, not an internal error.
class INITFORGE_API MemoryError : public Error {
 public:
  explicit MemoryError(const std::string& message);
  ~MemoryError() override;
};

/// A plugin library that cannot be loaded or misbehaves (exit code 3).
class INITFORGE_API PluginError : public Error {
 public:
  PluginError(std::string library_path, const std::string& what);
  ~PluginError() override;
  const std::string& library_path() const {
    return library_path_;
  }

 private:
  std::string library_path_;
};

}  // namespace initforge
