// SPDX-License-Identifier: Apache-2.0
// The owner and mode rules for plugin files and the directories above them.
#include "framework/plugin/path_safety.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <pwd.h>
#include <unistd.h>

namespace initforge::detail {
namespace {

namespace fs = std::filesystem;

// "uid 1000 (alice)", or "uid 1000" when the user database does not know it.
std::string user_text(uid_t uid) {
  std::string text = "uid " + std::to_string(uid);
  if (const passwd* pw = ::getpwuid(uid); pw != nullptr && pw->pw_name) {
    text += std::string(" (") + pw->pw_name + ")";
  }
  return text;
}

// The name chown accepts for the effective user (its uid when unnamed).
std::string owner_name() {
  const uid_t uid = ::geteuid();
  if (const passwd* pw = ::getpwuid(uid); pw != nullptr && pw->pw_name) {
    return pw->pw_name;
  }
  return std::to_string(uid);
}

std::string octal_mode(mode_t mode) {
  char octal[16];
  std::snprintf(
      octal, sizeof octal, "%04o", static_cast<unsigned>(mode & 07777));
  return octal;
}

// "chmod go-w P", "chown you P", or both joined by "and".
std::string fix_text(const fs::path& path, const SafetyVerdict& v) {
  const std::string word = shell_word(path.string());
  std::string fix;
  if (v.writable) fix = "chmod go-w " + word;
  if (v.foreign) {
    fix += (fix.empty() ? "" : " and ") + std::string("chown ") +
           shell_word(owner_name()) + " " + word;
  }
  return fix.empty() ? "make it readable" : fix;
}

constexpr const char* kWhy =
    "loading a plugin library runs its code, so whoever else can change it "
    "could run code as you";

}  // namespace

std::string shell_word(const std::string& text) {
  const bool plain =
      !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               std::strchr("_./+-=,:@%", c) != nullptr;
      });
  if (plain) return text;
  std::string out = "'";
  for (const char c : text)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

SafetyVerdict judge_stat(const struct stat& st) {
  SafetyVerdict v;
  const mode_t mode = st.st_mode;
  if ((mode & (S_IWGRP | S_IWOTH)) != 0) {
    const char* who = (mode & S_IWGRP) && (mode & S_IWOTH) ? "group and others"
                      : (mode & S_IWGRP)                   ? "group"
                                                           : "others";
    v.writable = true;
    v.reason = std::string("is writable by ") + who + " (mode " +
               octal_mode(mode) + ")";
  }
  if (st.st_uid != ::geteuid() && st.st_uid != 0) {
    v.foreign = true;
    v.reason += (v.reason.empty() ? "is owned by " : " and owned by ") +
                user_text(st.st_uid) + ", not by you (" +
                user_text(::geteuid()) + ") or root";
  }
  return v;
}

std::string unsafe_message(
    const fs::path& path,
    const std::string& named_by,
    const SafetyVerdict& verdict,
    bool is_directory) {
  return std::string("refusing to load ") +
         (is_directory ? "plugins from this directory"
                       : "this plugin library") +
         " (named by " + named_by + "): it " + verdict.reason + "; " + kWhy +
         ". Fix: " + fix_text(path, verdict) +
         ", or pass --allow-unsafe-plugin-dir to load it anyway";
}

std::string unsafe_ancestor_message(
    const fs::path& canonical_file, const std::string& named_by) {
  fs::path dir = canonical_file.parent_path();
  while (!dir.empty()) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0) {
      return "refusing to load this plugin library (named by " + named_by +
             "): its directory " + dir.string() +
             " cannot be checked: " + std::strerror(errno);
    }
    // A sticky directory (/tmp) lets others add files but not replace ours;
    // its owner still must be you or root.
    struct stat judged = st;
    if ((st.st_mode & S_ISVTX) != 0) judged.st_mode &= ~(S_IWGRP | S_IWOTH);
    const SafetyVerdict v = judge_stat(judged);
    if (!v.reason.empty()) {
      return "refusing to load this plugin library (named by " + named_by +
             "): its directory " + dir.string() + " " + v.reason +
             (v.writable ? " without the sticky bit" : "") +
             ", so others could replace the library; " + kWhy +
             ". Fix: " + fix_text(dir, v) +
             ", or pass --allow-unsafe-plugin-dir to load it anyway";
    }
    if (dir == dir.root_path()) break;
    dir = dir.parent_path();
  }
  return "";
}

}  // namespace initforge::detail
