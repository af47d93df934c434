// fit(): epochs over a data set with a trainer, evaluation after each, a progress bar or plain lines, a CSV log.
#pragma once

#include <typenet/data/batches.hpp>
#include <typenet/data/idx.hpp>
#include <typenet/train/optimizer.hpp>
#include <typenet/train/trainer.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace typenet::train {
// Keyed on the ISA, as the kernels: every function here is compiled for the unit's instruction set
// (kernels/isa.hpp), so units built for different ISAs never share one.
inline namespace TYPENET_ISA_NAMESPACE {


/// How fit() reports progress.
enum class progress {
  automatic,  ///< a bar if the output is a terminal, plain lines otherwise
  bar,        ///< one line redrawn in place: epoch, batch, loss, accuracy, images/s, time left
  lines,      ///< a line at each tenth of an epoch and one per epoch
  none,
};

/// What one epoch gave.
struct epoch_report {
  std::size_t epoch = 0;  ///< counted from 1
  double learning_rate = 0;
  double train_loss = 0, train_accuracy = 0;  ///< over the epoch's batches, as they were trained
  double test_loss = 0, test_accuracy = 0;    ///< after the epoch (NaN without a test set)
  double seconds = 0;                         ///< training time of the epoch (evaluation excluded)
  double images_per_second = 0;
};

struct fit_options {
  std::size_t epochs = 10;       ///< train up to this many epochs in all
  std::uint64_t seed = 0;        ///< shuffling: the same seed gives the same batches, so the same weights
  std::filesystem::path csv{};   ///< if set, one row per epoch is written there (appended to when resuming)
  progress report = progress::automatic;
  std::FILE* out = stdout;
  /// Epochs already trained (a checkpoint's, io/checkpoint.hpp): training resumes with epoch
  /// first_epoch + 1, whose batches and learning rate are those of an uninterrupted run.
  std::size_t first_epoch = 0;
  /// Called after each epoch (its report), e.g. to save a checkpoint.
  std::function<void(const epoch_report&)> after_epoch{};
};

namespace detail {
inline std::string clock_text(double seconds) {
  const long s = static_cast<long>(seconds + 0.5);
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}
}  // namespace detail

/// Trains t's model for o.epochs epochs over `train_set` (shuffled each epoch
/// from o.seed), at the learning rate schedule(base, epoch) with base the
/// optimizer's, and evaluates it on test_set (if not null) after each epoch.
/// Returns the epochs' reports. Throws std::invalid_argument if a data set's
/// samples do not have the network's input size. A distributed::trainer
/// (train/distributed.hpp) steps on its rank's share of each batch and reports
/// from rank 0 only.
template <class Trainer, class Schedule = constant_lr>
std::vector<epoch_report> fit(Trainer& t, const data::dataset& train_set, const data::dataset* test_set, fit_options o,
                              Schedule schedule = {}) {
  constexpr std::size_t in = Trainer::model_type::input_shape.size();
  for (const data::dataset* d : {&train_set, test_set})
    if (d && d->sample.size() != in)
      throw std::invalid_argument("typenet: fit: the data set's samples hold " + std::to_string(d->sample.size()) +
                                  " values, the network takes " + std::to_string(in));
    else if (d && (d->images.size() != d->count * in || d->labels.size() != d->count))
      throw std::invalid_argument("typenet: fit: the data set holds " + std::to_string(d->images.size()) +
                                  " image values and " + std::to_string(d->labels.size()) + " labels for " +
                                  std::to_string(d->count) + " samples of " + std::to_string(in) + " values");
  if (train_set.count == 0) throw std::invalid_argument("typenet: fit: the training set is empty");
  const std::size_t batch = t.max_batch(), batches = data::batch_count(train_set.count, batch);
  // A team trainer (train/distributed.hpp) reports from one process, and steps on its share of each batch.
  bool reporting = true;
  if constexpr (requires { t.reports(); }) reporting = t.reports();
  if (!reporting) o.csv.clear();
  const bool bar = o.report == progress::bar || (o.report == progress::automatic && o.out && isatty(fileno(o.out)));
  const bool lines = o.report == progress::lines || (o.report == progress::automatic && !bar);
  std::FILE* out = o.report == progress::none || !reporting ? nullptr : o.out;

  if (o.first_epoch > o.epochs)
    throw std::invalid_argument("typenet: fit: first_epoch " + std::to_string(o.first_epoch) + " is past the last epoch, " +
                                std::to_string(o.epochs));
  std::ofstream csv;
  if (!o.csv.empty()) {
    const bool append = o.first_epoch > 0 && std::filesystem::exists(o.csv);
    csv.open(o.csv, append ? std::ios::app : std::ios::trunc);
    if (!csv) throw std::runtime_error("typenet: fit: cannot write the CSV log " + o.csv.string());
    if (!append) csv << "epoch,learning_rate,train_loss,train_accuracy,test_loss,test_accuracy,seconds,images_per_second\n";
  }

  const double base = t.learning_rate();
  std::vector<float> x(batch * in);
  std::vector<std::uint8_t> labels(batch);
  std::vector<epoch_report> reports;
  using clock = std::chrono::steady_clock;
  for (std::size_t epoch = o.first_epoch; epoch < o.epochs; ++epoch) {
    epoch_report r;
    r.epoch = epoch + 1;
    r.learning_rate = schedule(base, epoch);
    t.set_learning_rate(r.learning_rate);
    const std::vector<std::size_t> order = data::shuffled_order(train_set.count, o.seed, epoch);
    double loss_sum = 0;
    std::size_t correct = 0, seen = 0;
    const auto start = clock::now();
    auto last_draw = start;
    for (std::size_t b = 0; b < batches; ++b) {
      const auto all = data::batch_indices(order, b, batch);
      auto idx = all;
      if constexpr (requires { t.share(all.size()); }) {
        const auto [first, last] = t.share(all.size());
        idx = all.subspan(first, last - first);
      }
      const std::span<float> xb = std::span<float>(x).first(idx.size() * in);
      const std::span<std::uint8_t> lb = std::span<std::uint8_t>(labels).first(idx.size());
      data::gather(train_set, idx, xb, lb);
      step_result s;
      if constexpr (requires { t.share(all.size()); })
        s = t.step(std::span<const float>(xb), std::span<const std::uint8_t>(lb), all.size());
      else
        s = t.step(std::span<const float>(xb), std::span<const std::uint8_t>(lb));
      loss_sum += s.loss * static_cast<double>(s.samples);
      correct += s.correct;
      seen += s.samples;
      if (!out) continue;
      const auto now = clock::now();
      const double elapsed = std::chrono::duration<double>(now - start).count();
      const double rate = static_cast<double>(seen) / std::max(elapsed, 1e-9);
      const bool last = b + 1 == batches;
      if (bar && (std::chrono::duration<double>(now - last_draw).count() >= 0.1 || last)) {
        last_draw = now;
        constexpr int width = 24;
        const int filled = static_cast<int>(width * (b + 1) / batches);
        std::fprintf(out, "\r\033[Kepoch %zu/%zu [%.*s%.*s] %zu/%zu loss %.4f acc %5.1f%% %6.0f img/s ETA %s", r.epoch,
                     o.epochs, filled, "========================", width - filled, "                        ", b + 1,
                     batches, loss_sum / static_cast<double>(seen), 100.0 * static_cast<double>(correct) / static_cast<double>(seen),
                     rate, detail::clock_text(static_cast<double>(train_set.count - seen) / rate).c_str());
        std::fflush(out);
      } else if (lines && !last && (b + 1) % std::max<std::size_t>(batches / 10, 1) == 0) {
        std::fprintf(out, "epoch %zu/%zu batch %zu/%zu loss %.4f acc %.1f%% %.0f img/s, %s left in the epoch\n", r.epoch,
                     o.epochs, b + 1, batches, loss_sum / static_cast<double>(seen),
                     100.0 * static_cast<double>(correct) / static_cast<double>(seen), rate,
                     detail::clock_text(static_cast<double>(train_set.count - seen) / rate).c_str());
        std::fflush(out);
      }
    }
    r.seconds = std::chrono::duration<double>(clock::now() - start).count();
    r.images_per_second = static_cast<double>(seen) / r.seconds;
    r.train_loss = loss_sum / static_cast<double>(seen);
    r.train_accuracy = static_cast<double>(correct) / static_cast<double>(seen);
    r.test_loss = r.test_accuracy = std::numeric_limits<double>::quiet_NaN();
    if (test_set) {
      const step_result e = t.evaluate(std::span<const float>(test_set->images), std::span<const std::uint8_t>(test_set->labels));
      r.test_loss = e.loss;
      r.test_accuracy = static_cast<double>(e.correct) / static_cast<double>(e.samples);
    }
    if (out) {
      if (bar) std::fprintf(out, "\r\033[K");
      std::fprintf(out, "epoch %zu/%zu  lr %.3g  train loss %.4f acc %.2f%%  test loss %.4f acc %.2f%%  %.1f s  %.0f img/s\n",
                   r.epoch, o.epochs, r.learning_rate, r.train_loss, 100 * r.train_accuracy, r.test_loss,
                   100 * r.test_accuracy, r.seconds, r.images_per_second);
      std::fflush(out);
    }
    if (csv) {
      csv << r.epoch << ',' << r.learning_rate << ',' << r.train_loss << ',' << r.train_accuracy << ',' << r.test_loss
          << ',' << r.test_accuracy << ',' << r.seconds << ',' << r.images_per_second << '\n';
      csv.flush();
    }
    reports.push_back(r);
    if (o.after_epoch) o.after_epoch(r);
  }
  t.set_learning_rate(base);
  return reports;
}

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::train
