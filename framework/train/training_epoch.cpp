// SPDX-License-Identifier: Apache-2.0
// TrainingRun's epochs: optimizer steps, then evaluation and probe.

#include <cmath>
#include <span>

#include "framework/train/probe.h"
#include "framework/train/training_run.h"

namespace initforge {

bool TrainingRun::train_epoch(std::int64_t epoch) {
  optimizer_->set_lr(schedule_.lr_at(epoch - 1));
  train_batches_.start_epoch(epoch - 1);
  augment_.start_epoch(epoch - 1);
  const std::int64_t steps = train_batches_.batches_per_epoch();
  const Shape& sample = model_->graph().input_shape();
  const TrainClock::time_point start = TrainClock::now();
  const double before = state_.epoch_train_seconds;
  std::int64_t session_samples = 0;
  while (state_.step < steps) {
    const std::int64_t n =
        train_batches_.copy_batch(state_.step, images_.view(), labels_);
    const std::span<const std::int32_t> labels(labels_.data(), n);
    if (augment_.enabled()) {
      const Shape& image = images_.shape();
      const auto rows =
          static_cast<std::size_t>(n * (image.numel() / image[0]));
      augment_.apply(
          TensorView(
              images_.span().first(rows),
              batched(n, data_.train.sample_shape())),
          train_batches_.batch_indices(state_.step));
    }
    model_->prepare(n, Phase::Training);
    if (slots_.empty()) {
      const auto& planned = model_->plan().params;
      for (std::size_t i = 0; i < planned.size(); ++i) {
        slots_.push_back(
            {planned[i].info.path,
             model_->mutable_params()[i].view(),
             model_->grads()[i].view()});
      }
    }
    // Dropout's masks: keyed by the global step, which a resume restores.
    model_->set_step(state_.global_step);
    model_->forward(batch_rows(images_, n, sample));
    const BatchLoss loss = head_.evaluate(model_->output().view(), labels);
    if (!std::isfinite(loss.loss)) diverge(epoch, steps, loss.loss);
    model_->backward(head_.grad());
    optimizer_->step(slots_);
    model_->load_params();

    state_.loss_sum += loss.loss * static_cast<double>(n);
    state_.correct += loss.correct;
    state_.samples += n;
    ++state_.step;
    ++state_.global_step;
    session_samples += n;
    const double elapsed = seconds_since(start);
    state_.epoch_train_seconds = before + elapsed;
    observer_.on_step(
        {.epoch = epoch,
         .epochs = tc_.epochs,
         .step = state_.step,
         .steps = steps,
         .loss = state_.loss_sum / static_cast<double>(state_.samples),
         .samples_per_second =
             elapsed > 0 ? static_cast<double>(session_samples) / elapsed
                         : 0.0});
    if (options_.stop_after_steps > 0 &&
        state_.global_step >= options_.stop_after_steps) {
      return false;  // a simulated kill: nothing more is written
    }
    if (tc_.checkpoint_every > 0 &&
        state_.global_step % tc_.checkpoint_every == 0 && state_.step < steps) {
      checkpoint();  // the epoch's end writes its own
    }
  }
  return true;
}

void TrainingRun::finish_epoch(std::int64_t epoch) {
  const TrainClock::time_point eval_start = TrainClock::now();
  const auto [test_loss, test_acc] = evaluate();
  const double eval_seconds = seconds_since(eval_start);
  const auto samples = static_cast<double>(state_.samples);
  const EpochMetrics metrics{
      .epoch = epoch,
      .train_loss = state_.loss_sum / samples,
      .train_acc = static_cast<double>(state_.correct) / samples,
      .test_loss = test_loss,
      .test_acc = test_acc,
      .seconds = state_.epoch_train_seconds + eval_seconds,
      .lr = optimizer_->lr()};
  observer_.on_epoch(metrics);
  const TrainClock::time_point probe_start = TrainClock::now();
  probe(epoch);
  state_.metrics.push_back(metrics);
  state_.times.push_back(
      {.epoch = epoch,
       .train = state_.epoch_train_seconds,
       .eval = eval_seconds,
       .probe = seconds_since(probe_start)});
  state_.epochs_done = epoch;
  state_.step = 0;
  state_.loss_sum = 0.0;
  state_.correct = 0;
  state_.samples = 0;
  state_.epoch_train_seconds = 0.0;
  // The checkpoint first: the text files never claim more than it holds.
  checkpoint();
  if (epoch < tc_.epochs) write_text_files("running", "");
}

std::pair<double, double> TrainingRun::evaluate() {
  const Shape& sample = model_->graph().input_shape();
  double loss_sum = 0.0;
  std::int64_t correct = 0;
  for (std::int64_t i = 0; i < test_batches_.batches_per_epoch(); ++i) {
    const std::int64_t n =
        test_batches_.copy_batch(i, test_images_.view(), test_labels_);
    model_->prepare(n, Phase::Inference);
    model_->forward(batch_rows(test_images_, n, sample));
    const BatchLoss r = head_.evaluate(
        model_->output().view(),
        {test_labels_.data(), static_cast<std::size_t>(n)});
    loss_sum += r.loss * static_cast<double>(n);
    correct += r.correct;
  }
  const auto total = static_cast<double>(data_.test.size());
  return {loss_sum / total, static_cast<double>(correct) / total};
}

void TrainingRun::probe(std::int64_t epoch) {
  const Shape& sample = model_->graph().input_shape();
  // Where the run stands, as a step: the masks the next step will draw.
  model_->set_step(state_.global_step);
  state_.probes.push_back(run_probe(
      *model_,
      batch_rows(data_.train.images(), probe_n_, sample),
      {data_.train.labels().data(), static_cast<std::size_t>(probe_n_)},
      head_,
      epoch));
  observer_.on_probe(state_.probes.back());
}

}  // namespace initforge
