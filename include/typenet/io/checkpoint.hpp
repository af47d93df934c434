// Training checkpoints: parameters, optimizer state, epoch and shuffling seed in one safetensors file.
//
// A run resumed from a checkpoint trains bit for bit as the uninterrupted run:
// the batches of an epoch are a function of (seed, epoch) (data/batches.hpp),
// the learning rate of the schedule and the epoch, and a step of the
// parameters, the optimizer's state and its step count, all of which are saved.
//
//   fit_options o{.epochs = 10, .seed = 1};
//   o.after_epoch = [&](const epoch_report& r) { save_checkpoint(t, "run.ckpt", {r.epoch, o.seed}); };
//   ...                                              // later, in a new process:
//   const checkpoint_info done = load_checkpoint(t, "run.ckpt");
//   fit(t, train, &test, {.epochs = 10, .seed = done.seed, .first_epoch = done.epochs});
#pragma once

#include <typenet/io/weights.hpp>
#include <typenet/train/optimizer.hpp>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

namespace typenet::train {

/// Where a checkpoint stands: epochs trained, and the seed their batches were shuffled with.
struct checkpoint_info {
  std::size_t epochs = 0;
  std::uint64_t seed = 0;
};

namespace checkpoint_detail {
inline std::string number(double v) {
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", v);
  return text;
}
inline std::map<std::string, std::string> settings(const sgd& s) {
  return {{"optimizer", "sgd"},
          {"optimizer.lr", number(s.lr)},
          {"optimizer.momentum", number(s.momentum)},
          {"optimizer.weight_decay", number(s.weight_decay)},
          {"optimizer.nesterov", s.nesterov ? "true" : "false"}};
}
template <class Adam>
std::map<std::string, std::string> adam_settings(const Adam& s, const char* name) {
  return {{"optimizer", name},
          {"optimizer.lr", number(s.lr)},
          {"optimizer.beta1", number(s.beta1)},
          {"optimizer.beta2", number(s.beta2)},
          {"optimizer.eps", number(s.eps)},
          {"optimizer.weight_decay", number(s.weight_decay)}};
}
inline std::map<std::string, std::string> settings(const adam& s) { return adam_settings(s, "adam"); }
inline std::map<std::string, std::string> settings(const adamw& s) { return adam_settings(s, "adamw"); }

/// A metadata value as a count; weights_error if it is not one.
inline std::uint64_t count(const safetensors::contents& c, const std::string& key, const std::string& origin) {
  const auto it = c.metadata.find(key);
  if (it == c.metadata.end()) throw weights_error(origin, "", "not a checkpoint: no \"" + key + "\" in the metadata");
  const std::string& v = it->second;
  std::uint64_t n = 0;
  bool ok = !v.empty() && v.size() <= 20;
  for (char ch : v) {
    if (ch < '0' || ch > '9' || n > (UINT64_MAX - static_cast<unsigned>(ch - '0')) / 10) {
      ok = false;
      break;
    }
    n = n * 10 + static_cast<unsigned>(ch - '0');
  }
  if (!ok) throw weights_error(origin, "", "metadata \"" + key + "\" is not a count", "digits", v);
  return n;
}
}  // namespace checkpoint_detail

/// Writes t's model parameters, optimizer state and step count, with `at`, to
/// `path` (through a temporary file, renamed into place). The parameters carry
/// the names of a weights file (io/weights.hpp); the optimizer's tensors are
/// "optimizer.<state>.<name>" (exp_avg, exp_avg_sq; momentum_buffer), in the same layouts.
/// t is not changed.
template <class Trainer>
void save_checkpoint(Trainer& t, const std::filesystem::path& path, checkpoint_info at) {
  using Net = typename Trainer::model_type::network;
  auto& opt = t.optimizer_state();
  std::vector<safetensors::out_tensor> tensors = io_detail::file_tensors<Net>(t.trained_model().parameters());
  for (auto [state, values] : opt.state_tensors())
    for (safetensors::out_tensor& s :
         io_detail::file_tensors<Net>(values, "optimizer." + std::string(state) + "."))
      tensors.push_back(std::move(s));
  std::map<std::string, std::string> meta = checkpoint_detail::settings(opt.settings());
  meta["typenet.architecture"] = architecture<Net>();
  meta["typenet.signature"] = architecture_signature<Net>();
  meta["typenet.checkpoint"] = "1";
  meta["optimizer.steps"] = std::to_string(opt.steps());
  meta["epochs"] = std::to_string(at.epochs);
  meta["seed"] = std::to_string(at.seed);
  safetensors::write_file(path, safetensors::serialize(tensors, meta));
}

/// Restores t's model parameters, optimizer state and step count from a checkpoint
/// written by save_checkpoint for the same network and optimizer settings, sets the
/// learning rate to the optimizer's base rate, and returns where the checkpoint
/// stands. All or nothing: on any problem (another network or optimizer, other
/// settings, a missing or damaged tensor), weights_error, and t is unchanged.
template <class Trainer>
checkpoint_info load_checkpoint(Trainer& t, const std::filesystem::path& path) {
  using Net = typename Trainer::model_type::network;
  const std::string origin = path.string();
  const std::vector<std::byte> bytes = safetensors::read_file(path);
  const safetensors::contents c = safetensors::parse(bytes, origin);
  if (!c.metadata.count("typenet.checkpoint"))
    throw weights_error(origin, "", "not a checkpoint (a weights file? load it with load_weights)");
  const auto sig = c.metadata.find("typenet.signature");
  if (sig == c.metadata.end())
    throw weights_error(origin, "", "not a checkpoint: no \"typenet.signature\" in the metadata");
  if (sig->second != architecture_signature<Net>()) throw io_detail::other_architecture<Net>(c, origin);
  auto& opt = t.optimizer_state();
  for (const auto& [key, value] : checkpoint_detail::settings(opt.settings())) {
    const auto it = c.metadata.find(key);
    const std::string found = it == c.metadata.end() ? "none" : it->second;
    if (found != value)
      throw weights_error(origin, "", "written with other optimizer settings: \"" + key + "\"", value, found);
  }
  const checkpoint_info at{checkpoint_detail::count(c, "epochs", origin), checkpoint_detail::count(c, "seed", origin)};
  const std::uint64_t steps = checkpoint_detail::count(c, "optimizer.steps", origin);

  std::set<std::string> used;
  std::vector<float> params(Trainer::param_count);
  io_detail::read_tensors<Net>(c, params, origin, {}, used);
  auto state = opt.state_tensors();
  std::vector<std::vector<float>> staged(state.size(), std::vector<float>(Trainer::param_count));
  for (std::size_t i = 0; i < state.size(); ++i)
    io_detail::read_tensors<Net>(c, staged[i], origin, {}, used, "optimizer." + std::string(state[i].first) + ".");
  for (const safetensors::entry& e : c.tensors)
    if (!used.count(e.name))
      throw weights_error(origin, e.name, "not a tensor of this checkpoint", std::to_string(used.size()) + " tensors",
                          std::to_string(c.tensors.size()));

  std::copy(params.begin(), params.end(), t.trained_model().parameters().begin());
  for (std::size_t i = 0; i < state.size(); ++i) std::copy(staged[i].begin(), staged[i].end(), state[i].second.begin());
  opt.restore_steps(steps);
  t.set_learning_rate(opt.settings().lr);
  return at;
}

}  // namespace typenet::train
