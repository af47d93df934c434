// Where a batch's extra time goes: a sample of a batch of 64 takes longer than one sample alone,
// as the batch's inputs and outputs no longer fit in cache. For W1-W3 and W6 of
// benchmarks/forward.cpp, on one thread, 64 calls of model::forward, one sample each, with
//   - one sample:    the same input and output every call (both stay in cache);
//   - inputs apart:  each call its own input (read from memory), the same output;
//   - outputs apart: the same input, each call its own output (written to memory);
//   - both apart:    each its own input and output, as in a batch;
// and forward_batch of the 64 samples, which should match "both apart". The five take turns
// sample by sample. Each column's time per sample over one sample's says what reading the inputs,
// writing the outputs, or both cost a sample (issue 10; docs/performance.md, "The next input rows
// fetched ahead").
//   benchmarks/run-batch [--isa native|avx2|sse2] [--samples N] [--min-time SECONDS]
#include "bench.hpp"
#include "workloads.hpp"

#include <typenet/model.hpp>
#include <typenet/typenet.hpp>

namespace tn = typenet;
using namespace typenet_bench;

namespace {

constexpr std::size_t batch = 64;

template <class Net>
void split(const char* name, const timing_options& opt, table& t) {
  std::fprintf(stderr, "timing %s ...\n", name);
  using M = tn::model<Net>;
  static constexpr std::size_t in = M::input_shape.size(), out = M::output_shape.size();
  const M m(tn::he_normal{1});
  std::mt19937_64 g(2024);
  floats x(batch * in), y(batch * out);
  fill(x, g, -1.f, 1.f);
  // Calls of one sample: input a's sample s if `xs`, else sample 0; output likewise.
  auto calls = [&](bool xs, bool ys) {
    return [&m, &x, &y, xs, ys] {
      for (std::size_t s = 0; s < batch; ++s)
        m.forward(std::span<const float>(x).subspan((xs ? s : 0) * in, in), std::span<float>(y).subspan((ys ? s : 0) * out, out));
    };
  };
  const std::vector<double> sec = median_times(
      {calls(false, false), calls(true, false), calls(false, true), calls(true, true), [&] { m.forward_batch(x, y, 1); }},
      opt.samples, opt.min_time);
  std::vector<std::string> row{name};
  row.push_back(time_text(sec[0] / batch));
  for (std::size_t i = 1; i < sec.size(); ++i) {
    std::string cell = time_text(sec[i] / batch);
    cell.append(fmt(" (%.2f)", sec[i] / sec[0]));  // (appends: see table in bench.hpp)
    row.push_back(cell);
  }
  t.rows.push_back(row);
}

int run(int argc, char** argv) {
  timing_options opt;
  if (!parse_timing_options(argc, argv, opt)) return 2;
  std::printf("typenet: where a batch's extra time goes\n\n- CPU: %s\n- compiler: %s, %s\n- SIMD: %zu floats a vector\n",
              cpu_model().c_str(), compiler().c_str(), TYPENET_BENCH_FLAGS, tn::simd::lanes);
  std::printf("- %zu calls of forward (one sample each) on 1 thread, taking turns; time a sample, median of %d samples "
              "of >= %.2f s; (x): over one sample's\n\n",
              batch, opt.samples, opt.min_time);
  table t{{"workload", "one sample", "inputs apart", "outputs apart", "both apart", "forward_batch"},
          {false, true, true, true, true, true},
          {}};
  split<w1_lecture_conv>("W1 conv 10@5x5 p2, 32x32x3", opt, t);
  split<w2_conv_64_64>("W2 conv 64@3x3 p1, 32x32x64", opt, t);
  split<w3_conv_64_128_s2>("W3 conv 128@3x3 s2 p1, 56x56x64", opt, t);
  split<w6_cifar_net>("W6 CIFAR net", opt, t);
  t.print();
  return 0;
}

}  // namespace

int main(int argc, char** argv) { return run(argc, argv); }
