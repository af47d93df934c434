// Checkpoints (io/checkpoint.hpp): a resumed run is bit-identical to an uninterrupted one, for
// each optimizer and a schedule; a checkpoint for another network, optimizer or settings, or a
// damaged one, is refused and leaves the trainer as it was.
#include <typenet/io/checkpoint.hpp>
#include <typenet/train/fit.hpp>
#include <typenet/typenet.hpp>

#include "../bands.hpp"
#include "../seed.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

// Everything here in a namespace of its own: io_tests is a unity build (tests/io/meson.build).
namespace checkpoint_tests {
namespace {
using namespace typenet;
using net = network<input<8, 8, 1>, conv<filters<4>, kernel<3>, pad<1>>, relu, max_pool<window<2>>, flatten,
                    dense<units<3>>>;
using other_net = network<input<8, 8, 1>, conv<filters<4>, kernel<3>, pad<1>>, typenet::tanh, max_pool<window<2>>, flatten,
                          dense<units<3>>>;

std::filesystem::path temp_file(const std::string& name) { return testing::temp_path("checkpoint-test", name); }
using testing::bands;

std::vector<float> copy(std::span<const float> s) { return {s.begin(), s.end()}; }
bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

/// Trains `epochs` epochs straight, and the same interrupted after `stop` epochs and resumed by a
/// new model (other initial weights) and trainer from the checkpoint; both end bit-identical.
template <class Optimizer, class Schedule = train::constant_lr>
void check_resume(Optimizer settings, Schedule schedule = {}) {
  const data::dataset train = bands(200, testing::fresh_seed());
  const std::uint64_t seed = testing::fresh_seed() % 1000;
  constexpr std::size_t epochs = 3, stop = 1;
  const train::trainer_options topt{.batch = 32, .threads = 2};

  model<net> straight_model(he_normal{1});
  train::trainer<net, train::cross_entropy, Optimizer> straight(straight_model, settings, topt);
  train::fit(straight, train, nullptr, {.epochs = epochs, .seed = seed, .report = train::progress::none}, schedule);

  const auto path = temp_file("resume.ckpt");
  {
    model<net> first_model(he_normal{1});
    train::trainer<net, train::cross_entropy, Optimizer> first(first_model, settings, topt);
    train::fit_options o{.epochs = stop, .seed = seed, .report = train::progress::none};
    o.after_epoch = [&](const train::epoch_report& r) { train::save_checkpoint(first, path, {r.epoch, seed}); };
    train::fit(first, train, nullptr, o, schedule);
  }
  model<net> resumed_model(he_normal{77});  // other weights: the checkpoint must replace them all
  train::trainer<net, train::cross_entropy, Optimizer> resumed(resumed_model, settings, {.batch = 32, .threads = 1});
  const train::checkpoint_info at = train::load_checkpoint(resumed, path);
  CHECK(at.epochs == stop);
  CHECK(at.seed == seed);
  CHECK(resumed.optimizer_state().steps() == straight.optimizer_state().steps() * stop / epochs);
  train::fit(resumed, train, nullptr,
             {.epochs = epochs, .seed = at.seed, .report = train::progress::none, .first_epoch = at.epochs}, schedule);
  CHECK(same_bits(copy(resumed_model.parameters()), copy(straight_model.parameters())));
  CHECK(resumed.optimizer_state().steps() == straight.optimizer_state().steps());
  auto a = resumed.optimizer_state().state_tensors(), b = straight.optimizer_state().state_tensors();
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(same_bits(copy(a[i].second), copy(b[i].second)));
  std::filesystem::remove(path);
}
}  // namespace

TEST_CASE("a run resumed from a checkpoint is bit-identical to the uninterrupted run") {
  SUBCASE("adam with a cosine schedule") { check_resume(train::adam{.lr = 3e-3}, train::cosine_lr{.epochs = 3}); }
  SUBCASE("adamw") { check_resume(train::adamw{.lr = 3e-3, .weight_decay = 0.05}); }
  SUBCASE("sgd with Nesterov momentum and a step schedule") {
    check_resume(train::sgd{.lr = 0.05, .momentum = 0.9, .weight_decay = 1e-4, .nesterov = true},
                 train::step_lr{.step_size = 1, .gamma = 0.5});
  }
  SUBCASE("plain sgd (no state tensors)") { check_resume(train::sgd{.lr = 0.05}); }
}

TEST_CASE("a checkpoint holds the parameters under their weight-file names and the optimizer's state under PyTorch's") {
  model<net> m(he_normal{3});
  train::trainer<net, train::cross_entropy, train::adam> t(m, {.lr = 1e-3});
  const data::dataset d = bands(32, 5);
  t.step(std::span<const float>(d.images), std::span<const std::uint8_t>(d.labels));
  const auto path = temp_file("names.ckpt");
  train::save_checkpoint(t, path, {1, 42});
  const std::vector<std::byte> bytes = safetensors::read_file(path);
  const safetensors::contents c = safetensors::parse(bytes, "checkpoint");
  for (const char* name : {"0.weight", "0.bias", "4.weight", "4.bias", "optimizer.exp_avg.0.weight",
                           "optimizer.exp_avg_sq.4.bias"})
    CHECK_MESSAGE(c.find(name) != nullptr, name);
  CHECK(c.tensors.size() == 12);
  CHECK(c.metadata.at("optimizer") == "adam");
  CHECK(c.metadata.at("optimizer.steps") == "1");
  CHECK(c.metadata.at("epochs") == "1");
  CHECK(c.metadata.at("seed") == "42");
  // Adam's first moment after one step is (1 - beta1) * gradient, in PyTorch's layout.
  const safetensors::entry& m0 = *c.find("optimizer.exp_avg.4.bias");
  for (std::size_t i = 0; i < 3; ++i) CHECK(safetensors::element(m0, i) == doctest::Approx(0.1f * t.gradients()[m.param_count - 3 + i]));
  std::filesystem::remove(path);
}

TEST_CASE("a checkpoint for another network, optimizer or settings, or a damaged one, leaves the trainer as it was") {
  const data::dataset d = bands(32, 6);
  model<net> m(he_normal{3});
  train::trainer<net, train::cross_entropy, train::adam> t(m, {.lr = 1e-3});
  t.step(std::span<const float>(d.images), std::span<const std::uint8_t>(d.labels));
  const auto path = temp_file("refused.ckpt");
  train::save_checkpoint(t, path, {1, 42});

  model<net> target(he_normal{9});
  const std::vector<float> before = copy(target.parameters());
  auto refused = [&](auto& trainer, const std::string& text) {
    const std::size_t steps = trainer.optimizer_state().steps();
    try {
      train::load_checkpoint(trainer, path);
      FAIL("loaded");
    } catch (const weights_error& e) {
      CHECK_MESSAGE(std::string(e.what()).find(text) != std::string::npos, e.what());
    }
    CHECK(trainer.optimizer_state().steps() == steps);
  };
  SUBCASE("other settings") {
    train::trainer<net, train::cross_entropy, train::adam> other(target, {.lr = 2e-3});
    refused(other, "other optimizer settings: \"optimizer.lr\" (expected 0.002");
  }
  SUBCASE("another optimizer") {
    train::trainer<net, train::cross_entropy, train::sgd> other(target, {.lr = 1e-3, .momentum = 0.9});
    refused(other, "\"optimizer\" (expected sgd, found adam)");
  }
  SUBCASE("another network") {
    model<other_net> o(he_normal{9});
    const std::vector<float> o_before = copy(o.parameters());
    train::trainer<other_net, train::cross_entropy, train::adam> other(o, {.lr = 1e-3});
    refused(other, "written for another architecture");
    CHECK(same_bits(copy(o.parameters()), o_before));
  }
  SUBCASE("a weights file is not a checkpoint") {
    save_weights(m, path);
    train::trainer<net, train::cross_entropy, train::adam> other(target, {.lr = 1e-3});
    refused(other, "not a checkpoint");
  }
  SUBCASE("cut short") {
    std::vector<std::byte> bytes = safetensors::read_file(path);
    bytes.erase(bytes.end() - 5, bytes.end());
    safetensors::write_file(path, bytes);
    train::trainer<net, train::cross_entropy, train::adam> other(target, {.lr = 1e-3});
    refused(other, "bytes");
  }
  CHECK(same_bits(copy(target.parameters()), before));
  std::filesystem::remove(path);
}

}  // namespace checkpoint_tests
