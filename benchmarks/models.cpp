// The whole-model benchmark, typenet's side: ResNet-18 and MobileNetV2 (torchvision's, at 224x224)
// forward, batch 1 and 16, on 1 and 2 threads. benchmarks/run-models runs it beside PyTorch's
// torchvision models (benchmarks/models_torch.py) and oneDNN's convolutions in the same run and
// prints the ratios.
//
//   models [RUNS]            typenet: "<model> batch <n> threads <t>: <median ms> ms"
//   models --onednn [RUNS]   oneDNN (built with it only): the same lines for the models' convolutions
//                            alone, on the threads OMP_NUM_THREADS gives it ("threads <t>" reports them)
//   models --layers [RUNS]   each convolution of ResNet-18 alone at batch 1, typenet beside oneDNN (run it
//                            with OMP_NUM_THREADS=1): where the whole-model difference comes from
//
// oneDNN's side is its convolutions only, each as oneDNN's own inference graph would run it: every
// conv of the model with its shapes, strides, padding and groups, on the formats it chose
// (format_tag::any), with the relu or relu6 that follows the conv's batch norm as a post-op (batch
// norm folded into the weights, as oneDNN's users do); no reorder, pooling, residual add or dense
// layer is timed. It is the target of issue 9: typenet's whole forward pass against the time
// oneDNN needs for the convolutions alone.
#include <typenet/model.hpp>
#include <typenet/models/mobilenet_v2.hpp>
#include <typenet/models/resnet.hpp>

#ifdef TYPENET_BENCH_ONEDNN
#include <dnnl.hpp>
#endif

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <span>
#include <string>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace tn = typenet;

namespace {

using clock_type = std::chrono::steady_clock;

/// Median of `runs` timed calls of f, after one untimed call (the workspaces, the caches).
template <class F>
double median_ms(F f, int runs) {
  f();
  std::vector<double> t;
  for (int r = 0; r < runs; ++r) {
    const auto start = clock_type::now();
    f();
    t.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - start).count());
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

template <class Net>
void measure(const char* label, int runs) {
  static tn::model<Net> m(tn::he_normal{1});  // He-initialised; the speed does not depend on the values
  std::mt19937 g(7);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  constexpr std::size_t in = tn::input_shape<Net>.size(), out = tn::output_shape<Net>.size();
  for (std::size_t batch : {std::size_t{1}, std::size_t{16}})
    for (std::size_t threads : {std::size_t{1}, std::size_t{2}}) {
      std::vector<float> x(batch * in), y(batch * out);
      for (float& v : x) v = u(g);
      const double ms = batch == 1 && threads == 1
                            ? median_ms([&] { m.forward(std::span<const float>(x), std::span<float>(y)); }, runs)
                            : median_ms([&] { m.forward_batch(x, y, threads); }, batch == 1 ? runs : std::max(3, runs / 4));
      std::printf("%s batch %zu threads %zu: %.3f ms\n", label, batch, threads, ms);
      std::fflush(stdout);
    }
}

#ifdef TYPENET_BENCH_ONEDNN
template <class L>
inline constexpr bool is_batch_norm = false;
template <class... O>
inline constexpr bool is_batch_norm<tn::batch_norm<O...>> = true;

/// The post-op of the conv at position I: the activation after its batch norm, if any.
template <class Net, std::size_t I>
dnnl::primitive_attr post_op() {
  dnnl::primitive_attr attr;
  constexpr std::size_t n = tn::facts<Net>.layer_count;
  if constexpr (I + 2 < n) {
    using BN = typename tn::bound_at<Net, I + 1>::layer;
    using Act = typename tn::bound_at<Net, I + 2>::layer;
    if constexpr (is_batch_norm<BN> && (std::is_same_v<Act, tn::relu> || std::is_same_v<Act, tn::relu6>)) {
      dnnl::post_ops po;
      if constexpr (std::is_same_v<Act, tn::relu>) po.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      else po.append_eltwise(1.f, dnnl::algorithm::eltwise_clip, 0.f, 6.f);
      attr.set_post_ops(po);
    }
  }
  return attr;
}

/// Every convolution of Net as a oneDNN primitive on its own memory (formats 'any', random values).
template <class Net>
struct onednn_convs {
  using memory = dnnl::memory;
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  std::vector<std::pair<dnnl::primitive, std::unordered_map<int, memory>>> steps;

  static memory::dim dim(std::size_t v) { return static_cast<memory::dim>(v); }
  memory filled(const memory::desc& d, std::mt19937& g) {
    memory m(d, engine);
    std::uniform_real_distribution<float> u(-0.1f, 0.1f);
    float* p = static_cast<float*>(m.get_data_handle());
    for (std::size_t i = 0; i < d.get_size() / sizeof(float); ++i) p[i] = u(g);
    return m;
  }

  explicit onednn_convs(std::size_t batch) {
    std::mt19937 g(3);
    const auto n = dim(batch);
    auto any = [](memory::dims d) { return memory::desc(d, memory::data_type::f32, memory::format_tag::any); };
    boost::hana::for_each(tn::bound_layers<Net>, [&](auto bound) {
      using B = typename decltype(bound)::type;
      using L = typename B::layer;
      if constexpr (tn::is_conv<L>) {
        using G = typename L::geometry;
        constexpr tn::shape in = B::input, out = B::output;
        constexpr std::size_t groups = L::template group_count<in>;
        const memory::dims wd = groups == 1
                                    ? memory::dims{dim(out.depth), dim(in.depth), dim(G::window_size.height),
                                                   dim(G::window_size.width)}
                                    : memory::dims{dim(groups), dim(out.depth / groups), dim(in.depth / groups),
                                                   dim(G::window_size.height), dim(G::window_size.width)};
        const memory::dims pad_l = {dim(G::pads.top), dim(G::pads.left)};
        const memory::dims pad_r = {
            dim((out.height - 1) * G::strides.height + G::window_size.height) - dim(in.height) - pad_l[0],
            dim((out.width - 1) * G::strides.width + G::window_size.width) - dim(in.width) - pad_l[1]};
        dnnl::convolution_forward::desc d(
            dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct,
            any({n, dim(in.depth), dim(in.height), dim(in.width)}), any(wd),
            memory::desc({dim(out.depth)}, memory::data_type::f32, memory::format_tag::x),
            any({n, dim(out.depth), dim(out.height), dim(out.width)}), {dim(G::strides.height), dim(G::strides.width)},
            pad_l, pad_r);
        dnnl::convolution_forward::primitive_desc pd(d, post_op<Net, B::position>(), engine);
        steps.push_back({dnnl::convolution_forward(pd),
                         {{DNNL_ARG_SRC, filled(pd.src_desc(), g)},
                          {DNNL_ARG_WEIGHTS, filled(pd.weights_desc(), g)},
                          {DNNL_ARG_BIAS, filled(pd.bias_desc(), g)},
                          {DNNL_ARG_DST, memory(pd.dst_desc(), engine)}}});
      }
    });
  }
  void run() {
    for (auto& [p, args] : steps) p.execute(stream, args);
    stream.wait();
  }
};

/// Each convolution of Net alone at batch 1, typenet (a network of that one layer) beside oneDNN
/// (its primitive alone, as above): where the whole-model difference comes from.
template <class Net>
void measure_layers(const char* label, int runs) {
  std::printf("%s, each convolution alone, batch 1, 1 thread (median of %d):\n", label, runs);
  std::printf("%-28s %-16s %-22s %12s %10s %10s %9s\n", "layer", "input", "conv", "MACs", "typenet ms",
              "oneDNN ms", "oneDNN/tn");
  double total_tn = 0, total_dnnl = 0;
  boost::hana::for_each(tn::bound_layers<Net>, [&](auto bound) {
    using B = typename decltype(bound)::type;
    using L = typename B::layer;
    if constexpr (tn::is_conv<L>) {
      constexpr tn::shape in = B::input;
      using one = tn::network<tn::input<in.height, in.width, in.depth>, L>;
      static tn::model<one> m(tn::he_normal{1});
      std::vector<float> x(in.size(), 0.5f), y(B::output.size());
      const double t = median_ms([&] { m.forward(std::span<const float>(x), std::span<float>(y)); }, runs);
      // oneDNN: the same layer, alone (a one-conv network, without the batch norm's post-op).
      onednn_convs<one> peer(1);
      const double d = median_ms([&] { peer.run(); }, runs);
      total_tn += t, total_dnnl += d;
      const std::string shape = std::to_string(in.height) + "x" + std::to_string(in.width) + "x" + std::to_string(in.depth);
      std::printf("%-28s %-16s %-22s %12zu %10.3f %10.3f %9.2f\n", std::string(B::name).c_str(), shape.c_str(),
                  L::describe().c_str(), static_cast<std::size_t>(B::facts.macs), t, d, d / t);
    }
  });
  std::printf("%-28s %-16s %-22s %12s %10.3f %10.3f %9.2f\n", "all convolutions", "", "", "", total_tn, total_dnnl,
              total_dnnl / total_tn);
}

template <class Net>
void measure_onednn(const char* label, int runs, int threads) {
  for (std::size_t batch : {std::size_t{1}, std::size_t{16}}) {
    onednn_convs<Net> convs(batch);
    const double ms = median_ms([&] { convs.run(); }, batch == 1 ? runs : std::max(3, runs / 4));
    std::printf("%s batch %zu threads %d: %.3f ms (%zu convolutions)\n", label, batch, threads, ms, convs.steps.size());
    std::fflush(stdout);
  }
}
#endif

}  // namespace

int main(int argc, char** argv) {
  const bool onednn = argc > 1 && std::string(argv[1]) == "--onednn";
  const int runs = argc > 1 + onednn ? std::atoi(argv[1 + onednn]) : 21;
  if (argc > 1 && std::string(argv[1]) == "--layers") {
#ifdef TYPENET_BENCH_ONEDNN
    measure_layers<tn::models::resnet18<>>("resnet18", argc > 2 ? std::atoi(argv[2]) : 21);
#else
    std::printf("oneDNN: not found at build time\n");
#endif
    return 0;
  }
  if (onednn) {
#ifdef TYPENET_BENCH_ONEDNN
    const char* omp = std::getenv("OMP_NUM_THREADS");
    const int threads = omp ? std::atoi(omp) : 0;
    const dnnl::version_t* v = dnnl::version();
    std::printf("oneDNN %d.%d.%d convolutions only (batch norm folded, relu/relu6 post-ops), OMP_NUM_THREADS=%s, "
                "%d runs per batch-1 workload (a quarter for batch 16), median\n",
                v->major, v->minor, v->patch, omp ? omp : "(unset)", runs);
    measure_onednn<tn::models::resnet18<>>("resnet18", runs, threads);
    measure_onednn<tn::models::mobilenet_v2<>>("mobilenet_v2", runs, threads);
    return 0;
#else
    std::printf("oneDNN: not found at build time\n");
    return 0;
#endif
  }
  std::printf("typenet %s kernels, %d runs per batch-1 workload (a quarter for batch 16), median\n",
              std::string(tn::simd::isa()).c_str(), runs);
  measure<tn::models::resnet18<>>("resnet18", runs);
  measure<tn::models::mobilenet_v2<>>("mobilenet_v2", runs);
}
