// SPDX-License-Identifier: Apache-2.0
#include "framework/io/sha256.h"

#include <array>
#include <cerrno>
#include <cstring>
#include <memory>

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include "framework/core/error.h"

namespace initforge {
namespace {

struct ContextFree {
  void operator()(EVP_MD_CTX* ctx) const {
    EVP_MD_CTX_free(ctx);
  }
};
using Context = std::unique_ptr<EVP_MD_CTX, ContextFree>;

Context new_context() {
  Context ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1) {
    throw Error("OpenSSL: cannot set up SHA-256");
  }
  return ctx;
}

void update(EVP_MD_CTX* ctx, const void* data, std::size_t size) {
  if (EVP_DigestUpdate(ctx, data, size) != 1) {
    throw Error("OpenSSL: SHA-256 update failed");
  }
}

std::string finish(EVP_MD_CTX* ctx) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_DigestFinal_ex(ctx, digest.data(), &size) != 1) {
    throw Error("OpenSSL: SHA-256 final failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

}  // namespace

std::string sha256_hex(std::span<const std::byte> data) {
  const Context ctx = new_context();
  update(ctx.get(), data.data(), data.size());
  return finish(ctx.get());
}

std::string sha256_hex_of_descriptor(int fd, const std::string& what) {
  const Context ctx = new_context();
  std::array<char, 1 << 16> buffer{};
  off_t offset = 0;
  while (true) {
    const ssize_t got = ::pread(fd, buffer.data(), buffer.size(), offset);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      throw IoError(what + ": cannot be read: " + std::strerror(errno));
    }
    if (got == 0) break;
    update(ctx.get(), buffer.data(), static_cast<std::size_t>(got));
    offset += got;
  }
  return finish(ctx.get());
}

std::string sha256_hex_of_file(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    throw IoError(path.string() + ": cannot be read: " + std::strerror(errno));
  }
  try {
    std::string hex = sha256_hex_of_descriptor(fd, path.string());
    ::close(fd);
    return hex;
  } catch (...) {
    ::close(fd);
    throw;
  }
}

}  // namespace initforge
