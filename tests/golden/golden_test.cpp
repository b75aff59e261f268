// SPDX-License-Identifier: Apache-2.0
// The built-in plugins on the torch generator against PyTorch 1.13's
// torch.nn.init (and nn.Linear / nn.Conv2d defaults), bit for bit: each case
// starts from torch.manual_seed(seed) and initializes its parameters in order
// on the one shared stream.
#include <cmath>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "framework/core/generator.h"
#include "framework/core/rng/torch_generator.h"
#include "framework/core/tensor.h"
#include "framework/init/fans.h"
#include "framework/init/initializer.h"
#include "framework/plugin/loader.h"
#include "framework/plugin/registry.h"

#include "tests/testing/torch_golden.h"

namespace initforge {
namespace {

using testing::bit_mismatch;
using testing::TorchGolden;

Shape shape_of(const nlohmann::json& dims) {
  return Shape(
      std::span<const std::int64_t>(dims.get<std::vector<std::int64_t>>()));
}

std::vector<std::pair<std::string, ArgValue>> args_of(const nlohmann::json& j) {
  std::vector<std::pair<std::string, ArgValue>> args;
  for (const auto& [key, value] : j.items()) {
    if (value.is_boolean()) {
      args.emplace_back(key, value.get<bool>());
    } else if (value.is_number_integer()) {
      args.emplace_back(key, value.get<std::int64_t>());
    } else if (value.is_number()) {
      args.emplace_back(key, value.get<double>());
    } else {
      args.emplace_back(key, value.get<std::string>());
    }
  }
  return args;
}

// max |WᵀW - gain²·I| (or W Wᵀ when wide) of a flattened (rows, cols) matrix.
double orthogonality_error(
    std::span<const float> w, const Shape& shape, double gain) {
  const auto rows = static_cast<std::size_t>(shape[0]);
  const std::size_t cols = w.size() / rows;
  const bool wide = rows < cols;
  const std::size_t k = wide ? rows : cols;
  const std::size_t len = wide ? cols : rows;
  auto at = [&](std::size_t vec, std::size_t i) {
    return static_cast<double>(wide ? w[vec * cols + i] : w[i * cols + vec]);
  };
  double worst = 0.0;
  for (std::size_t a = 0; a < k; ++a) {
    for (std::size_t b = 0; b < k; ++b) {
      double dot = 0.0;
      for (std::size_t i = 0; i < len; ++i) dot += at(a, i) * at(b, i);
      worst = std::max(worst, std::fabs(dot - (a == b ? gain * gain : 0.0)));
    }
  }
  return worst;
}

// Float32 rounding of dot products of length `len`: a few eps * sqrt(len),
// scaled by gain² (PyTorch's own 64x64 outputs reach 1.1e-6 at gain 1.5).
double orthogonality_tolerance(
    std::span<const float> w, const Shape& shape, double gain) {
  const auto rows = static_cast<double>(shape[0]);
  const double cols = static_cast<double>(w.size()) / rows;
  const double len = std::max(rows, cols);
  return 8.0 * 0x1p-24 * gain * gain * std::sqrt(len);
}

class TorchGoldenSchemes : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    registry_ = new Registry();
    load_plugin_dir(INITFORGE_TEST_PLUGIN_DIR, *registry_);
  }
  // Plugins stay loaded until exit (sanitizer reports need their symbols).
  static Registry* registry_;

  // Runs every case whose group is `group`; returns how many ran.
  int run_group(const std::string& group) {
    int ran = 0;
    for (const nlohmann::json& c : golden_.manifest().at("scheme_cases")) {
      if (group_of(c) != group) continue;
      run_case(c);
      ++ran;
    }
    return ran;
  }

  static std::string group_of(const nlohmann::json& c) {
    const auto& params = c.at("params");
    if (params.size() > 1) return "stream";
    const auto scheme = params[0].at("scheme").get<std::string>();
    if (scheme.starts_with("kaiming") || scheme.starts_with("xavier")) {
      return "variance_scaling";
    }
    if (scheme == "uniform" || scheme == "normal" || scheme == "trunc_normal") {
      return "random";
    }
    if (scheme == "orthogonal" || scheme == "sparse") return scheme;
    return "structured";
  }

  void run_case(const nlohmann::json& c) {
    const auto name = c.at("name").get<std::string>();
    auto source = make_torch_source(c.at("seed").get<std::uint64_t>());
    for (const nlohmann::json& p : c.at("params")) {
      const auto path = p.at("path").get<std::string>();
      const auto scheme = p.at("scheme").get<std::string>();
      SCOPED_TRACE(name + ": " + path + " (" + scheme + ")");
      const Shape shape = shape_of(p.at("shape"));
      const Shape fan_shape = shape_of(p.at("fan_shape"));
      const ParamInfo param{
          path,
          shape,
          fan_shape.rank() >= 2 ? std::optional(compute_fans(fan_shape))
                                : std::nullopt};
      const auto init = registry_->create(scheme, args_of(p.at("args")));
      init->check(param);
      Tensor t = Tensor::empty(shape);
      const std::shared_ptr<Generator> gen = source->generator_for(path);
      init->fill(t.view(), FillContext{param, *gen, 0});
      const std::string diff = bit_mismatch(t.span(), golden_.values(p));
      // Orthogonal goes through LAPACK: bit-exact with the reference LAPACK
      // 3.11 that PyTorch links here; the property holds with any LAPACK.
      EXPECT_EQ(diff, "");
      if (scheme == "orthogonal") {
        const double gain = p.at("args").value("gain", 1.0);
        EXPECT_LT(
            orthogonality_error(t.span(), shape, gain),
            orthogonality_tolerance(t.span(), shape, gain));
      }
    }
  }

  TorchGolden golden_;
};

Registry* TorchGoldenSchemes::registry_ = nullptr;

TEST_F(TorchGoldenSchemes, RandomFillsMatchPyTorch) {
  EXPECT_GT(run_group("random"), 0);
}

TEST_F(TorchGoldenSchemes, KaimingAndXavierMatchPyTorch) {
  EXPECT_GT(run_group("variance_scaling"), 0);
}

TEST_F(TorchGoldenSchemes, ConstantEyeAndDiracMatchPyTorch) {
  EXPECT_GT(run_group("structured"), 0);
}

TEST_F(TorchGoldenSchemes, OrthogonalMatchesPyTorch) {
  EXPECT_GT(run_group("orthogonal"), 0);
}

TEST_F(TorchGoldenSchemes, SparseMatchesPyTorch) {
  EXPECT_GT(run_group("sparse"), 0);
}

TEST_F(TorchGoldenSchemes, ModuleDefaultsAndModelStreamsMatchPyTorch) {
  EXPECT_GT(run_group("stream"), 0);
}

}  // namespace
}  // namespace initforge
