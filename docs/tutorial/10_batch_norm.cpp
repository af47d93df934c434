// Step 10, beyond the lecture: batch normalization and dropout, which compute one way while a
// network trains and another when it runs. A trainer normalizes each channel over the batch it is
// given and drops values at random; a model uses the running statistics and drops nothing.
#include <typenet/model.hpp>
#include <typenet/train/trainer.hpp>
#include <typenet/typenet.hpp>

#include <cstdint>
#include <iostream>
#include <span>
#include <vector>

namespace tn = typenet;
using namespace tn;

// conv, batch norm, relu: the convolution needs no bias (batch norm subtracts the mean anyway).
using net = network<input<8, 8, 1>, conv<filters<8>, kernel<3>, pad<1>, no_bias>, batch_norm<>, relu,
                    max_pool<window<2>>, flatten, dropout<percent<25>>, dense<units<2>>>;
// Batch norm learns a scale and a shift per channel; its running mean and variance are buffers,
// stored beside the parameters but not counted among them (as PyTorch's parameters() leaves them out).
static_assert(param_count<net> == 9 * 8 + 2 * 8 + (4 * 4 * 8 * 2 + 2));
static_assert(facts<net>.buffers == 2 * 8);
// When the model runs, the batch norm is folded into the convolution before it, and the relu too:
// one kernel, one pass over memory. Dropout passes its input through.
static_assert(plan<net>::steps[2] == step::folded && plan<net>::steps[3] == step::fused);
static_assert(plan<net>::steps[6] == step::skip);

int main() {
  // Two classes of 8x8 images: a bright left half, or a bright right half.
  const std::size_t n = 32;
  std::vector<float> x(n * 64);
  std::vector<std::uint8_t> labels(n);
  for (std::size_t s = 0; s < n; ++s) {
    labels[s] = s % 2;
    for (std::size_t i = 0; i < 64; ++i)
      x[s * 64 + i] = ((i % 8 < 4) == (s % 2 == 0) ? 1.f : 0.f) + 0.1f * static_cast<float>((s * 7 + i * 3) % 5);
  }
  model<net> m(he_normal{10});
  train::trainer<net, train::cross_entropy, train::adam> t(m, {.lr = 0.01}, {.batch = n, .seed = 10});
  for (int step = 1; step <= 30; ++step) {
    const train::step_result r = t.step(std::span<const float>(x), std::span<const std::uint8_t>(labels));
    if (step % 10 == 0) std::cout << "step " << step << ": loss " << r.loss << ", " << r.correct << "/" << n << '\n';
  }
  // The running statistics moved toward the batches' (mean 0 and variance 1 at the start).
  const std::span<const float> p = m.parameters();
  std::cout << "channel 0: running mean " << p[72 + 16] << ", running variance " << p[72 + 24] << '\n';
  // The model runs in inference mode: batch norm with those statistics, no dropout.
  const train::step_result e = t.evaluate(std::span<const float>(x), std::span<const std::uint8_t>(labels));
  std::cout << "inference: " << e.correct << "/" << n << " right\n";
  return e.correct == n ? 0 : 1;
}
