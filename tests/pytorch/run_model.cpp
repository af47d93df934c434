// typenet's half of the live PyTorch round trip (round_trip.py drives it): runs or trains a model on
// inputs from a safetensors file and writes the outputs to one.
//
//   pytorch_run_model forward NET WEIGHTS INPUTS OUTPUTS
//       loads WEIGHTS (a PyTorch export), runs forward_batch on INPUTS' "input" (N x C x H x W, as
//       PyTorch keeps images) and writes "output" (N x classes) to OUTPUTS.
//   pytorch_run_model train NET WEIGHTS DATA STEPS TRAINED OUTPUTS
//       loads WEIGHTS, trains STEPS steps of SGD (lr 0.05, momentum 0.9, cross-entropy) on DATA's
//       "input" and "label" (N, I64), saves the result with save_weights to TRAINED and writes the
//       trained model's outputs on DATA's inputs to OUTPUTS.
// NET is lenet5 or cifar10. Errors go to stderr with exit status 1.
#include <typenet/io/weights.hpp>
#include <typenet/models/cifar10.hpp>
#include <typenet/models/lenet5.hpp>
#include <typenet/train/trainer.hpp>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace {
using namespace typenet;

/// A file's "input" (N x C x H x W) as N samples in typenet's H x W x C order, back to back.
template <class Net>
std::vector<float> read_inputs(const safetensors::contents& c, const std::string& origin) {
  constexpr shape in = facts<Net>.input;
  const safetensors::entry* x = c.find("input");
  if (!x) throw weights_error(origin, "input", "missing from the file");
  if (x->shape.size() != 4 || x->shape[1] != in.depth || x->shape[2] != in.height || x->shape[3] != in.width)
    throw weights_error(origin, "input", "wrong shape",
                        "[N, " + std::to_string(in.depth) + ", " + std::to_string(in.height) + ", " +
                            std::to_string(in.width) + "]",
                        safetensors::shape_text(x->shape));
  std::vector<float> chw(x->count), hwc(x->count);
  for (std::size_t i = 0; i < x->count; ++i) chw[i] = safetensors::element(*x, i);
  for (std::size_t k = 0; k < x->shape[0]; ++k) chw_to_hwc(in, chw.data() + k * in.size(), hwc.data() + k * in.size());
  return hwc;
}

std::vector<std::int64_t> read_labels(const safetensors::contents& c, const std::string& origin) {
  const safetensors::entry* y = c.find("label");
  if (!y) throw weights_error(origin, "label", "missing from the file");
  if (y->dtype->name != "I64" || y->shape.size() != 1) throw weights_error(origin, "label", "not an I64 vector");
  std::vector<std::int64_t> labels(y->count);
  for (std::size_t i = 0; i < y->count; ++i) {
    std::uint64_t v = 0;
    for (int b = 7; b >= 0; --b) v = (v << 8) | std::to_integer<std::uint64_t>(y->bytes[i * 8 + static_cast<std::size_t>(b)]);
    labels[i] = static_cast<std::int64_t>(v);
  }
  return labels;
}

template <class Net>
void write_outputs(const model<Net>& m, const std::vector<float>& x, const std::filesystem::path& path) {
  constexpr std::size_t classes = facts<Net>.output.size();
  const std::size_t n = x.size() / facts<Net>.input.size();
  std::vector<float> y(n * classes);
  m.forward_batch(x, y);
  safetensors::write_file(path, safetensors::serialize({{"output", {n, classes}, y}}, {{"typenet.net", architecture<Net>()}}));
}

template <class Net>
int run(const std::vector<std::string_view>& a) {
  model<Net> m;
  if (a[0] == "forward" && a.size() == 5) {
    load_weights(m, std::filesystem::path(a[2]));
    const std::vector<std::byte> bytes = safetensors::read_file(std::string(a[3]));
    const std::vector<float> x = read_inputs<Net>(safetensors::parse(bytes, std::string(a[3])), std::string(a[3]));
    write_outputs(m, x, std::string(a[4]));
    return 0;
  }
  if (a[0] == "train" && a.size() == 7) {
    load_weights(m, std::filesystem::path(a[2]));
    const std::string data(a[3]);
    const std::vector<std::byte> bytes = safetensors::read_file(data);
    const safetensors::contents c = safetensors::parse(bytes, data);
    const std::vector<float> x = read_inputs<Net>(c, data);
    const std::vector<std::int64_t> labels = read_labels(c, data);
    const std::size_t steps = std::stoul(std::string(a[4]));
    train::trainer<Net, train::cross_entropy, train::sgd> t(m, {.lr = 0.05, .momentum = 0.9}, {.batch = labels.size()});
    for (std::size_t s = 0; s < steps; ++s) {
      const train::step_result r = t.step(std::span<const float>(x), std::span<const std::int64_t>(labels));
      if (s == 0 || s + 1 == steps) std::printf("step %zu: loss %.5f, %zu/%zu correct\n", s + 1, r.loss, r.correct, r.samples);
    }
    save_weights(m, std::string(a[5]));
    write_outputs(m, x, std::string(a[6]));
    return 0;
  }
  throw std::invalid_argument("usage: pytorch_run_model forward NET WEIGHTS INPUTS OUTPUTS | "
                              "train NET WEIGHTS DATA STEPS TRAINED OUTPUTS (NET: lenet5 or cifar10)");
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string_view> a(argv + 1, argv + argc);
  try {
    if (a.size() >= 2 && a[1] == "lenet5") return run<models::lenet5>(a);
    if (a.size() >= 2 && a[1] == "cifar10") return run<models::cifar10>(a);
    return run<models::lenet5>({"usage"});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pytorch_run_model: %s\n", e.what());
    return 1;
  }
}
