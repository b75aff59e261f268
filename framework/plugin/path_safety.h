// SPDX-License-Identifier: Apache-2.0
#pragma once

// Internal to plugin/: whether a plugin file or directory is safe to load
// from, judged on a stat result so the loader can judge the descriptor it
// opened (fstat) rather than a path that may change in between.

#include <filesystem>
#include <string>

#include <sys/stat.h>

namespace initforge::detail {

/// Why a file or directory is unsafe; reason "" when safe.
struct SafetyVerdict {
  std::string reason;     // "is writable by group (mode 0775)", ...
  bool writable = false;  // group or others may write it
  bool foreign = false;   // owned by neither the effective user nor root
};

/// `text` as one shell word (quoted when needed), for commands to paste.
std::string shell_word(const std::string& text);

/// Writable by group or others, or owned by neither you nor root.
SafetyVerdict judge_stat(const struct stat& st);

/// The PluginError text for an unsafe `path` named by `named_by`: the
/// reason and the fixes (chmod go-w / chown, or --allow-unsafe-plugin-dir).
std::string unsafe_message(
    const std::filesystem::path& path,
    const std::string& named_by,
    const SafetyVerdict& verdict,
    bool is_directory);

/// ssh's StrictModes for the directories above a library: every directory
/// from `canonical_file`'s parent up to "/" must be owned by you or root and
/// not writable by group or others unless sticky (like /tmp). Returns the
/// refusal text naming the first bad directory, "" when all are safe.
std::string unsafe_ancestor_message(
    const std::filesystem::path& canonical_file, const std::string& named_by);

}  // namespace initforge::detail
