// SPDX-License-Identifier: Apache-2.0
#include "tests/fuzz/guard.h"

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <typeinfo>

#include "framework/core/error.h"

namespace initforge::fuzz {

std::optional<std::string> unexpected_failure(
    const std::function<void()>& entry) {
  try {
    entry();
  } catch (const UsageError&) {
  } catch (const InvalidArgument&) {
  } catch (const ShapeError&) {
  } catch (const ConfigError&) {
  } catch (const IoError&) {
  } catch (const MemoryError&) {
  } catch (const std::exception& e) {  // incl. a bare Error: exit 1
    return std::string(typeid(e).name()) + ": " + e.what();
  } catch (...) {
    return std::string("unknown exception");
  }
  return std::nullopt;
}

int run_one(
    void (*entry)(std::string_view, Context&),
    const std::uint8_t* data,
    std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  Context& ctx = context();
  if (const auto finding = unexpected_failure([&] { entry(bytes, ctx); })) {
    std::fprintf(stderr, "FINDING: %s\n", finding->c_str());
    std::abort();
  }
  return 0;
}

}  // namespace initforge::fuzz
