// SPDX-License-Identifier: Apache-2.0
// Every error of the "train" section: its JSON pointer exactly and its
// message, each case one bad value in an otherwise valid section.
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "framework/core/error.h"
#include "framework/model/config_loader.h"

namespace initforge {
namespace {

struct BadTrain {
  std::string name;     // test name
  std::string train;    // the "train" value (JSON text)
  std::string pointer;  // exact
  std::string message;  // substring of what() after "t.json: pointer: "
};

void PrintTo(const BadTrain& c, std::ostream* os) {
  *os << c.name;
}

// `fields` plus "epochs": 2 and an SGD optimizer unless they are given.
std::string section(const std::string& fields) {
  std::string out = "{" + fields;
  const auto add = [&](const std::string& key, const std::string& value) {
    if (fields.find("\"" + key + "\"") != std::string::npos) return;
    out += (out.size() > 1 ? ", " : "") + value;
  };
  add("epochs", R"("epochs": 2)");
  add("optimizer", R"("optimizer": {"type": "sgd", "lr": 0.1})");
  return out + "}";
}

std::string sgd(const std::string& fields) {
  return section(R"("optimizer": {"type": "sgd", "lr": 0.1, )" + fields + "}");
}

std::string adam(const std::string& fields) {
  return section(R"("optimizer": {"type": "adam", )" + fields + "}");
}

const std::string kOpt = "/train/optimizer";
const std::string kSched = "/train/lr_schedule";
const std::string kData = "/train/dataset";

const std::vector<BadTrain> kCases = {
    // the section
    {"NotObject", "5", "/train", "expected an object {\"epochs\": N"},
    {"UnknownKey",
     section(R"("epoch": 3)"),
     "/train/epoch",
     "unknown key \"epoch\" in the train section; did you mean \"epochs\"?"},
    {"MissingEpochs",
     R"({"optimizer": {"type": "sgd", "lr": 0.1}})",
     "/train/epochs",
     "missing required key \"epochs\""},
    {"EpochsZero",
     section(R"("epochs": 0)"),
     "/train/epochs",
     "expected a positive integer; got 0"},
    {"EpochsFloat",
     section(R"("epochs": 2.0)"),
     "/train/epochs",
     "expected a positive integer; got 2.0"},
    {"BatchNegative",
     section(R"("batch_size": -1)"),
     "/train/batch_size",
     "expected a positive integer; got -1"},
    {"LossUnknown",
     section(R"("loss": "nll")"),
     "/train/loss",
     "expected one of cross_entropy, mse; got \"nll\""},
    {"ShuffleString",
     section(R"("shuffle": "true")"),
     "/train/shuffle",
     "expected true or false; got \"true\""},
    {"DropLastNumber",
     section(R"("drop_last": 1)"),
     "/train/drop_last",
     "expected true or false; got 1"},
    {"EvalBatchZero",
     section(R"("eval_batch_size": 0)"),
     "/train/eval_batch_size",
     "expected a positive integer; got 0"},
    {"CheckpointNegative",
     section(R"("checkpoint_every": -1)"),
     "/train/checkpoint_every",
     "expected a non-negative integer; got -1"},
    {"ProbeZero",
     section(R"("probe_batch": 0)"),
     "/train/probe_batch",
     "expected a positive integer; got 0"},
    {"ProbeBeyondSubset",
     section(R"("dataset": {"train_subset": 100}, "probe_batch": 101)"),
     "/train/probe_batch",
     "expected at most train_subset (100) samples: the probe batch is the "
     "first training samples; got 101"},
    {"DropLastLeavesNothing",
     section(R"("dataset": {"train_subset": 100}, "drop_last": true)"),
     "/train/drop_last",
     "with batch_size 128 larger than train_subset 100, drop_last would "
     "leave no batch"},
    // dataset
    {"DatasetNotObject",
     section(R"("dataset": "mnist")"),
     kData,
     "expected an object {\"name\": \"fashion-mnist\", \"mnist\", "
     "\"cifar10\" or \"npy\""},
    {"DatasetUnknownKey",
     section(R"("dataset": {"dirr": "x"})"),
     kData + "/dirr",
     "unknown key \"dirr\" in the dataset; did you mean \"dir\"?"},
    {"DatasetUnknownName",
     section(R"("dataset": {"name": "imagenet"})"),
     kData + "/name",
     "expected one of fashion-mnist, mnist, cifar10, npy; got \"imagenet\""},
    {"MnistWithoutDir",
     section(R"("dataset": {"name": "mnist"})"),
     kData + "/dir",
     "missing required key \"dir\" (the directory of MNIST's four IDX .gz "
     "files; it has no default)"},
    {"DirEmpty",
     section(R"("dataset": {"dir": ""})"),
     kData + "/dir",
     "expected a non-empty string; got \"\""},
    {"MeanString",
     section(R"("dataset": {"mean": "0.5"})"),
     kData + "/mean",
     "expected a finite number; got \"0.5\""},
    {"StdZero",
     section(R"("dataset": {"std": 0})"),
     kData + "/std",
     "expected a number > 0; got 0"},
    {"TrainSubsetZero",
     section(R"("dataset": {"train_subset": 0})"),
     kData + "/train_subset",
     "expected a positive integer; got 0"},
    {"TestSubsetFloat",
     section(R"("dataset": {"test_subset": 10.5})"),
     kData + "/test_subset",
     "expected a positive integer; got 10.5"},
    {"DatasetKeyOfAnotherName",
     section(R"("dataset": {"name": "npy", "dir": "d"})"),
     kData + "/dir",
     "\"dir\" does not apply to dataset \"npy\" (only to fashion-mnist, "
     "mnist, cifar10); npy takes name, train, test, normalize, "
     "train_subset, test_subset"},
    {"CifarMeanScalar",
     section(R"("dataset": {"name": "cifar10", "dir": "c", "mean": 0.5})"),
     kData + "/mean",
     "\"mean\" does not apply to dataset \"cifar10\" (only to "
     "fashion-mnist, mnist)"},
    {"CifarWithoutDir",
     section(R"("dataset": {"name": "cifar10"})"),
     kData + "/dir",
     "missing required key \"dir\" (the directory of CIFAR-10's binary "
     "batches (data_batch_1.bin .. data_batch_5.bin, test_batch.bin); it has "
     "no default)"},
    {"NpyWithoutTest",
     section(R"("dataset": {"name": "npy", "train": {"x": "x", "y": "y"}})"),
     kData + "/test",
     "missing required key \"test\""},
    {"NpySplitMissingY",
     section(
         R"("dataset": {"name": "npy", "train": {"x": "x"}, "test": {"x": "x", "y": "y"}})"),
     kData + "/train/y",
     "missing required key \"y\" (the .npy file of the labels)"},
    {"NpySplitUnknownKey",
     section(
         R"("dataset": {"name": "npy", "train": {"x": "x", "y": "y", "z": 1}, "test": {"x": "x", "y": "y"}})"),
     kData + "/train/z",
     "unknown key \"z\" in an npy split"},
    {"NormalizeWithMean",
     section(
         R"("dataset": {"mean": 0.5, "normalize": {"mean": [0.5], "std": [1]}})"),
     kData + "/mean",
     "give the statistics either as \"normalize\" or as \"mean\" and "
     "\"std\", not both"},
    {"NormalizeNotArray",
     section(R"("dataset": {"normalize": {"mean": 0.5, "std": [1]}})"),
     kData + "/normalize/mean",
     "expected an array of 1 number (one per channel); got 0.5"},
    {"NormalizeWrongCount",
     section(
         R"("dataset": {"name": "cifar10", "dir": "c", "normalize": {"mean": [0.5, 0.5], "std": [1]}})"),
     kData + "/normalize/mean",
     "expected an array of 1 or 3 numbers (one per channel); got [0.5,0.5]"},
    {"NormalizeStdZero",
     section(R"("dataset": {"normalize": {"mean": [0.5], "std": [0]}})"),
     kData + "/normalize/std/0",
     "expected a number > 0; got 0"},
    {"NormalizeMissingStd",
     section(R"("dataset": {"normalize": {"mean": [0.5]}})"),
     kData + "/normalize/std",
     "missing required key \"std\""},
    // augment
    {"AugmentNotObject",
     section(R"("augment": true)"),
     "/train/augment",
     "expected an object {\"random_crop\": {\"padding\": 4}"},
    {"AugmentUnknownKey",
     section(R"("augment": {"horizontal_flips": true})"),
     "/train/augment/horizontal_flips",
     "unknown key \"horizontal_flips\" in augment; did you mean "
     "\"horizontal_flip\"?"},
    {"AugmentFlipNotBool",
     section(R"("augment": {"horizontal_flip": 0.5})"),
     "/train/augment/horizontal_flip",
     "expected true or false; got 0.5"},
    {"CropNotObject",
     section(R"("augment": {"random_crop": 32})"),
     "/train/augment/random_crop",
     "expected an object {\"size\": 32, \"padding\": 4}; got 32"},
    {"CropPaddingNegative",
     section(R"("augment": {"random_crop": {"padding": -1}})"),
     "/train/augment/random_crop/padding",
     "expected a non-negative integer; got -1"},
    {"CropSizeWrongLength",
     section(R"("augment": {"random_crop": {"size": [32]}})"),
     "/train/augment/random_crop/size",
     "expected a positive integer or [height, width] of positive integers; "
     "got [32]"},
    {"CropSizeZero",
     section(R"("augment": {"random_crop": {"size": [32, 0]}})"),
     "/train/augment/random_crop/size/1",
     "expected a positive integer; got 0"},
    // optimizer
    {"MissingOptimizer",
     R"({"epochs": 1})",
     kOpt,
     "missing required key \"optimizer\""},
    {"OptimizerNotObject",
     section(R"("optimizer": "sgd")"),
     kOpt,
     "expected an object {\"type\": sgd, adam, adamw, ...}; got \"sgd\""},
    {"OptimizerMissingType",
     section(R"("optimizer": {"lr": 0.1})"),
     kOpt + "/type",
     "missing required key \"type\" (one of sgd, adam, adamw)"},
    {"OptimizerMisspelledType",
     section(R"("optimizer": {"tpye": "sgd", "lr": 0.1})"),
     kOpt + "/tpye",
     "unknown key \"tpye\" in the optimizer; did you mean \"type\"?"},
    {"OptimizerUnknownType",
     section(R"("optimizer": {"type": "rmsprop"})"),
     kOpt + "/type",
     "expected one of sgd, adam, adamw; got \"rmsprop\""},
    {"OptimizerTypeWrongCase",
     section(R"("optimizer": {"type": "SGD", "lr": 0.1})"),
     kOpt + "/type",
     "expected one of sgd, adam, adamw; got \"SGD\""},
    {"OptimizerTypeNotString",
     section(R"("optimizer": {"type": 1})"),
     kOpt + "/type",
     "expected one of sgd, adam, adamw; got 1"},
    {"OptimizerUnknownKey",
     sgd(R"("momentun": 0.9)"),
     kOpt + "/momentun",
     "unknown key \"momentun\" in the optimizer; did you mean \"momentum\"?"},
    {"SgdWithoutLr",
     section(R"("optimizer": {"type": "sgd", "momentum": 0.9})"),
     kOpt + "/lr",
     "missing required key \"lr\" (a learning rate >= 0; torch.optim.SGD "
     "has no default)"},
    {"LrNegative",
     section(R"("optimizer": {"type": "sgd", "lr": -1})"),
     kOpt + "/lr",
     "expected a number >= 0; got -1"},
    {"LrString",
     section(R"("optimizer": {"type": "sgd", "lr": "0.1"})"),
     kOpt + "/lr",
     "expected a number >= 0; got \"0.1\""},
    {"LrOverflow",
     section(R"("optimizer": {"type": "sgd", "lr": 1e999})"),
     kOpt + "/lr",
     "expected a finite number (a double); got 1e999"},
    {"MomentumNegative",
     sgd(R"("momentum": -0.5)"),
     kOpt + "/momentum",
     "expected a number >= 0; got -0.5"},
    {"DampeningString",
     sgd(R"("dampening": "none")"),
     kOpt + "/dampening",
     "expected a finite number; got \"none\""},
    {"NesterovWithoutMomentum",
     sgd(R"("nesterov": true)"),
     kOpt + "/nesterov",
     "nesterov requires momentum > 0 and dampening = 0 (as torch.optim.SGD); "
     "got momentum 0, dampening 0"},
    {"NesterovWithDampening",
     sgd(R"("momentum": 0.9, "dampening": 0.1, "nesterov": true)"),
     kOpt + "/nesterov",
     "got momentum 0.9, dampening 0.1"},
    {"NesterovString",
     sgd(R"("nesterov": "yes")"),
     kOpt + "/nesterov",
     "expected true or false; got \"yes\""},
    {"WeightDecayNegative",
     sgd(R"("weight_decay": -0.1)"),
     kOpt + "/weight_decay",
     "expected a number >= 0; got -0.1"},
    {"SgdWithBetas",
     sgd(R"("betas": [0.9, 0.99])"),
     kOpt + "/betas",
     "\"betas\" does not apply to type \"sgd\" (only to adam, adamw); sgd "
     "takes lr, momentum, dampening, nesterov, weight_decay"},
    {"AdamWithMomentum",
     adam(R"("momentum": 0.9)"),
     kOpt + "/momentum",
     "\"momentum\" does not apply to type \"adam\" (only to sgd); adam takes "
     "lr, betas, eps, weight_decay, amsgrad"},
    {"AdamLrNegative",
     adam(R"("lr": -0.001)"),
     kOpt + "/lr",
     "expected a number >= 0; got -0.001"},
    {"BetasOneElement",
     adam(R"("betas": [0.9])"),
     kOpt + "/betas",
     "expected [beta1, beta2], numbers in [0, 1); got [0.9]"},
    {"BetasNotArray",
     adam(R"("betas": 0.9)"),
     kOpt + "/betas",
     "expected [beta1, beta2], numbers in [0, 1); got 0.9"},
    {"Beta1One",
     adam(R"("betas": [1.0, 0.999])"),
     kOpt + "/betas/0",
     "expected a number in [0, 1); got 1.0"},
    {"Beta2Negative",
     adam(R"("betas": [0.9, -0.1])"),
     kOpt + "/betas/1",
     "expected a number in [0, 1); got -0.1"},
    {"EpsNegative",
     adam(R"("eps": -1e-08)"),
     kOpt + "/eps",
     "expected a number >= 0; got -1e-08"},
    {"AmsgradNumber",
     adam(R"("amsgrad": 1)"),
     kOpt + "/amsgrad",
     "expected true or false; got 1"},
    {"AdamWWeightDecayNegative",
     section(R"("optimizer": {"type": "adamw", "weight_decay": -1})"),
     kOpt + "/weight_decay",
     "expected a number >= 0; got -1"},
    // lr_schedule
    {"ScheduleNotObject",
     section(R"("lr_schedule": "cosine")"),
     kSched,
     "expected an object {\"type\": constant, step, cosine, ...}"},
    {"ScheduleMissingType",
     section(R"("lr_schedule": {"step_size": 2})"),
     kSched + "/type",
     "missing required key \"type\" (one of constant, step, cosine)"},
    {"ScheduleUnknownType",
     section(R"("lr_schedule": {"type": "exponential"})"),
     kSched + "/type",
     "expected one of constant, step, cosine; got \"exponential\""},
    {"ScheduleUnknownKey",
     section(R"("lr_schedule": {"type": "cosine", "eta_mim": 0})"),
     kSched + "/eta_mim",
     "unknown key \"eta_mim\" in the learning-rate schedule; did you mean "
     "\"eta_min\"?"},
    {"ConstantWithGamma",
     section(R"("lr_schedule": {"type": "constant", "gamma": 0.5})"),
     kSched + "/gamma",
     "\"gamma\" does not apply to type \"constant\" (only to step); constant "
     "takes no other keys"},
    {"CosineWithStepSize",
     section(R"("lr_schedule": {"type": "cosine", "step_size": 2})"),
     kSched + "/step_size",
     "\"step_size\" does not apply to type \"cosine\" (only to step); cosine "
     "takes t_max, eta_min"},
    {"StepWithoutStepSize",
     section(R"("lr_schedule": {"type": "step"})"),
     kSched + "/step_size",
     "missing required key \"step_size\" (epochs between decays (StepLR))"},
    {"StepSizeZero",
     section(R"("lr_schedule": {"type": "step", "step_size": 0})"),
     kSched + "/step_size",
     "expected a positive integer; got 0"},
    {"GammaZero",
     section(R"("lr_schedule": {"type": "step", "step_size": 1, "gamma": 0})"),
     kSched + "/gamma",
     "expected a number > 0; got 0"},
    {"TmaxZero",
     section(R"("lr_schedule": {"type": "cosine", "t_max": 0})"),
     kSched + "/t_max",
     "expected a positive integer; got 0"},
    {"EtaMinNegative",
     section(R"("lr_schedule": {"type": "cosine", "eta_min": -0.1})"),
     kSched + "/eta_min",
     "expected a number >= 0; got -0.1"},
};

class TrainConfigError : public ::testing::TestWithParam<BadTrain> {};

TEST_P(TrainConfigError, NamesPointerAndMessage) {
  const BadTrain& c = GetParam();
  const std::string text =
      R"({"name": "t", "input": [4], "layers": [{"name": "f", "type": "Flatten"}],
          "train": )" +
      c.train + "}";
  try {
    parse_config(text, "t.json", ".");
    FAIL() << c.train << " was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.pointer(), c.pointer) << e.what();
    EXPECT_THAT(e.what(), ::testing::StartsWith("t.json: " + c.pointer + ": "));
    EXPECT_THAT(e.what(), ::testing::HasSubstr(c.message));
  }
}

INSTANTIATE_TEST_SUITE_P(
    Train,
    TrainConfigError,
    ::testing::ValuesIn(kCases),
    [](const ::testing::TestParamInfo<BadTrain>& p) { return p.param.name; });

}  // namespace
}  // namespace initforge
