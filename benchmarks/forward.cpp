// The forward-pass benchmark: typenet against a plain scalar loop and oneDNN, in one run, as one table.
//
// Usage: benchmarks/run-forward [--samples N] [--min-time SECONDS] [--only W2]
// (the script builds with optimization for this machine and runs this program).
// Compiled with TYPENET_BENCH_ONEDNN when oneDNN was found; without it the
// oneDNN columns read "n/a".
#include "bench.hpp"
#include "workloads.hpp"

#include <typenet/model.hpp>
#include <typenet/models/lenet5.hpp>
#include <typenet/typenet.hpp>

#include <boost/hana/for_each.hpp>

#ifdef TYPENET_BENCH_ONEDNN
#include <dnnl.hpp>
#endif

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <new>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace tn = typenet;

namespace {

using namespace typenet_bench;

// ---------------------------------------------------------------------------
// The workloads: benchmarks/workloads.hpp.

/// How oneDNN is set up for a workload (see the method printed at the top).
enum class peer_mode {
  layer,    ///< one primitive on the formats it prefers; reorders outside the timing
  network,  ///< a user's chain from NHWC input to the output, reorders inside the timing
};

constexpr std::size_t batches[] = {1, 64};

// ---------------------------------------------------------------------------
// Timing.

struct options {
  int samples = 7;
  double min_time = 0.2;  // seconds per sample
  int naive_samples = 3;  // one call per sample
  std::size_t threads = 1;  // typenet's forward_batch threads, and oneDNN's (OMP_NUM_THREADS)
  std::string only;
};

/// The naive loop is slow: one warm-up call, then `samples` single calls.
double median_time_naive(const std::function<void()>& f, int samples) {
  seconds_of(f, 1);
  std::vector<double> t;
  for (int s = 0; s < samples; ++s) t.push_back(seconds_of(f, 1));
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// ---------------------------------------------------------------------------
// The machine's peak: independent FMAs on typenet's vectors, as many chains as
// hide the FMA latency (4 cycles, 2 per cycle: 8 at least; 12 fit 16 registers).

/// GFLOP/s of one thread running `chains` x `rounds` FMAs on simd::vec.
double fma_gflops(long rounds) {
  using vec = tn::simd::vec;
  constexpr int chains = 12;
  vec acc[chains];
  for (int c = 0; c < chains; ++c) acc[c] = vec(static_cast<float>(c) * 1e-3f);
  const vec a(0.999f), b(1e-4f);
  const auto start = clock_type::now();
  for (long r = 0; r < rounds; ++r)
    for (int c = 0; c < chains; ++c) acc[c] = xsimd::fma(acc[c], a, b);  // (no fast-math: kept as written)
  const double s = std::chrono::duration<double>(clock_type::now() - start).count();
  vec sum(0.f);
  for (int c = 0; c < chains; ++c) sum += acc[c];
  volatile float sink = xsimd::hadd(sum);
  (void)sink;
  return 2.0 * chains * static_cast<double>(tn::simd::lanes) * static_cast<double>(rounds) / s * 1e-9;
}

/// The median of 5 runs of `threads` threads at once, each ~0.1 s: GFLOP/s of all together.
double peak_gflops(std::size_t threads) {
  constexpr long rounds = 20'000'000;
  std::vector<double> runs;
  for (int k = 0; k < 5; ++k) {
    std::vector<double> each(threads);
    std::vector<std::thread> team;
    for (std::size_t t = 1; t < threads; ++t) team.emplace_back([&, t] { each[t] = fma_gflops(rounds); });
    each[0] = fma_gflops(rounds);
    for (std::thread& t : team) t.join();
    double total = 0;
    for (double g : each) total += g;
    runs.push_back(total);
  }
  std::sort(runs.begin(), runs.end());
  return runs[runs.size() / 2];
}

// ---------------------------------------------------------------------------
// Environment.

#ifdef TYPENET_BENCH_ONEDNN
/// Threads of this process now (/proc/self/status), to show what oneDNN started.
int process_threads() {
  std::ifstream f("/proc/self/status");
  std::string line;
  while (std::getline(f, line))
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  return -1;
}
#endif

struct diff {
  double max_abs = 0, max_ref = 0;
  bool within(double relative) const { return max_abs <= relative * std::max(1.0, max_ref); }
};

diff compare(std::span<const float> got, std::span<const float> ref) {
  diff d;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    d.max_abs = std::max(d.max_abs, std::abs(static_cast<double>(got[i]) - ref[i]));
    d.max_ref = std::max(d.max_ref, std::abs(static_cast<double>(ref[i])));
  }
  return d;
}

// Float sums in another order: a relative 1e-4 of the largest output is far
// above rounding and far below any indexing mistake.
constexpr double tolerance = 1e-4;

// ---------------------------------------------------------------------------
// The network as a list of operations, for the peer.

struct op {
  enum kind_t { conv, pool, dense } kind;
  tn::shape in, out;
  std::size_t kh = 0, kw = 0, sh = 0, sw = 0, pt = 0, pl = 0;
  std::size_t params = 0;  // offset of the weights in the parameter block
  std::size_t weights = 0;
  bool relu_after = false;
};

template <class Net>
std::vector<op> operations() {
  std::vector<op> ops;
  boost::hana::for_each(tn::bound_layers<Net>, [&](auto bound) {
    using B = typename decltype(bound)::type;
    using L = typename B::layer;
    if constexpr (tn::is_conv<L> || tn::is_pool<L>) {
      using G = typename L::geometry;
      if constexpr (tn::is_pool<L>) static_assert(L::op == tn::pool_op::max, "the benchmark maps max pooling only");
      ops.push_back({tn::is_conv<L> ? op::conv : op::pool, B::input, B::output, G::window_size.height,
                     G::window_size.width, G::strides.height, G::strides.width, G::pads.top, G::pads.left,
                     tn::param_offset<Net, B::position>, B::facts.weights});
    } else if constexpr (tn::is_dense<L>) {
      ops.push_back({op::dense, B::input, B::output, 0, 0, 0, 0, 0, 0, tn::param_offset<Net, B::position>,
                     B::facts.weights});
    } else if constexpr (std::is_same_v<L, tn::relu>) {
      ops.back().relu_after = true;
    } else {
      static_assert(std::is_same_v<L, tn::flatten> || B::position == 0, "the benchmark maps conv, max_pool, dense, relu");
    }
  });
  return ops;
}

// ---------------------------------------------------------------------------
// oneDNN.

#ifdef TYPENET_BENCH_ONEDNN

std::string isa_name(dnnl::cpu_isa isa) {
  switch (isa) {
    case dnnl::cpu_isa::sse41: return "sse41";
    case dnnl::cpu_isa::avx: return "avx";
    case dnnl::cpu_isa::avx2: return "avx2";
    case dnnl::cpu_isa::avx2_vnni: return "avx2_vnni";
    case dnnl::cpu_isa::avx512_core: return "avx512_core";
    case dnnl::cpu_isa::avx512_core_vnni: return "avx512_core_vnni";
    case dnnl::cpu_isa::avx512_core_bf16: return "avx512_core_bf16";
    case dnnl::cpu_isa::avx512_core_amx: return "avx512_core_amx";
    default: return "other (" + std::to_string(static_cast<int>(isa)) + ")";
  }
}

std::string runtime_name(unsigned r) {
  switch (r) {
    case DNNL_RUNTIME_SEQ: return "sequential";
    case DNNL_RUNTIME_OMP: return "OpenMP";
    case DNNL_RUNTIME_TBB: return "TBB";
    case DNNL_RUNTIME_THREADPOOL: return "threadpool";
    default: return "other (" + std::to_string(r) + ")";
  }
}

/// A chain of oneDNN primitives: `setup` ran once, `timed` is what the clock
/// sees, `after` brings the result back to the user's NHWC / NC buffer.
class peer {
  using memory = dnnl::memory;
  using tag = memory::format_tag;
  struct step {
    dnnl::primitive p;
    std::unordered_map<int, memory> args;
  };

 public:
  peer(const std::vector<op>& ops, peer_mode mode, std::size_t batch, const float* params, float* x, float* y)
      : engine_(dnnl::engine::kind::cpu, 0), stream_(engine_) {
    const auto n = static_cast<memory::dim>(batch);
    const tn::shape first = ops.front().in, last = ops.back().out;
    auto user = [&](tn::shape s) {
      return s.flat ? memory::desc({n, dim(s.size())}, memory::data_type::f32, tag::nc)
                    : memory::desc(nchw(n, s), memory::data_type::f32, tag::nhwc);
    };
    memory user_in(user(first), engine_, x);
    memory user_out(user(last), engine_, y);
    std::vector<step>& edges = mode == peer_mode::layer ? setup_ : timed_;
    memory current = user_in;
    tn::shape shape = first;  // of `current`: a volume until a dense layer makes it a vector
    for (const op& o : ops) {
      const float* w = params + o.params;
      const float* b = w + o.weights;
      if (o.kind == op::conv) {
        const memory::dims wd = {dim(o.out.depth), dim(o.in.depth), dim(o.kh), dim(o.kw)};
        // Right/bottom padding as far as the last window reaches (typenet's round_down drops the rest).
        const memory::dims pad_l = {dim(o.pt), dim(o.pl)};
        const memory::dims pad_r = {dim((o.out.height - 1) * o.sh + o.kh) - dim(o.in.height) - pad_l[0],
                                    dim((o.out.width - 1) * o.sw + o.kw) - dim(o.in.width) - pad_l[1]};
        dnnl::convolution_forward::desc d(
            dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, any(nchw(n, o.in)), any(wd),
            memory::desc({dim(o.out.depth)}, memory::data_type::f32, tag::x), any(nchw(n, o.out)),
            {dim(o.sh), dim(o.sw)}, pad_l, pad_r);
        dnnl::convolution_forward::primitive_desc pd(d, attributes(o.relu_after), engine_);
        note(std::string("conv ") + pd.impl_info_str());
        current = convert(current, pd.src_desc(), edges, "src");
        memory dst(pd.dst_desc(), engine_);
        timed_.push_back({dnnl::convolution_forward(pd),
                          {{DNNL_ARG_SRC, current},
                           {DNNL_ARG_WEIGHTS, weights(w, {wd, memory::data_type::f32, tag::hwio}, pd.weights_desc())},
                           {DNNL_ARG_BIAS, bias(b, pd.bias_desc())},
                           {DNNL_ARG_DST, dst}}});
        current = dst;
      } else if (o.kind == op::pool) {
        const memory::dims pad_l = {dim(o.pt), dim(o.pl)};
        const memory::dims pad_r = {dim((o.out.height - 1) * o.sh + o.kh) - dim(o.in.height) - pad_l[0],
                                    dim((o.out.width - 1) * o.sw + o.kw) - dim(o.in.width) - pad_l[1]};
        dnnl::pooling_forward::desc d(dnnl::prop_kind::forward_inference, dnnl::algorithm::pooling_max,
                                      current.get_desc(), any(nchw(n, o.out)), {dim(o.sh), dim(o.sw)},
                                      {dim(o.kh), dim(o.kw)}, pad_l, pad_r);
        dnnl::pooling_forward::primitive_desc pd(d, engine_);
        note(std::string("pool ") + pd.impl_info_str());
        memory dst(pd.dst_desc(), engine_);
        timed_.push_back({dnnl::pooling_forward(pd), {{DNNL_ARG_SRC, current}, {DNNL_ARG_DST, dst}}});
        current = dst;
      } else {
        // typenet's dense weights are inputs (HWC order) x units: oneDNN's hwio when the input is still a
        // volume (flatten is free in both libraries), io when it is a vector.
        const bool volume_in = !shape.flat;
        const memory::dims wd = volume_in ? memory::dims{dim(o.out.size()), dim(shape.depth), dim(shape.height), dim(shape.width)}
                                          : memory::dims{dim(o.out.size()), dim(shape.size())};
        const memory::desc bd({dim(o.out.size())}, memory::data_type::f32, tag::x);
        // The source as the previous layer left it, as a user would chain them; 'any' if oneDNN refuses that.
        auto make = [&](const memory::desc& src) {
          return dnnl::inner_product_forward::primitive_desc(
              dnnl::inner_product_forward::desc(dnnl::prop_kind::forward_inference, src, any(wd), bd,
                                                any({n, dim(o.out.size())})),
              attributes(o.relu_after), engine_);
        };
        dnnl::inner_product_forward::primitive_desc pd;
        try {
          pd = make(current.get_desc());
        } catch (const dnnl::error&) {
          pd = make(any(volume_in ? nchw(n, shape) : memory::dims{n, dim(shape.size())}));
        }
        note(std::string("ip ") + pd.impl_info_str());
        current = convert(current, pd.src_desc(), timed_, "src");
        memory dst(pd.dst_desc(), engine_);
        timed_.push_back(
            {dnnl::inner_product_forward(pd),
             {{DNNL_ARG_SRC, current},
              {DNNL_ARG_WEIGHTS, weights(w, {wd, memory::data_type::f32, volume_in ? tag::hwio : tag::io}, pd.weights_desc())},
              {DNNL_ARG_BIAS, bias(b, pd.bias_desc())},
              {DNNL_ARG_DST, dst}}});
        current = dst;
      }
      shape = o.out;
    }
    if (current.get_desc() == user_out.get_desc()) {
      timed_.back().args[DNNL_ARG_DST] = user_out;  // the last primitive writes the user's buffer itself
    } else {
      std::vector<step>& tail = mode == peer_mode::layer ? after_ : timed_;
      tail.push_back({dnnl::reorder(current, user_out), {{DNNL_ARG_FROM, current}, {DNNL_ARG_TO, user_out}}});
      note("reorder dst to " + std::string(last.flat ? "nc" : "nhwc"));
    }
    execute(setup_);
  }

  /// The timed part (the caller times it).
  void run() { execute(timed_); }
  /// Brings the result of the last run() to the user's buffer.
  void finish() { execute(after_); }
  const std::string& description() const { return description_; }

 private:
  static memory::dim dim(std::size_t v) { return static_cast<memory::dim>(v); }
  static memory::dims nchw(memory::dim n, tn::shape s) { return {n, dim(s.depth), dim(s.height), dim(s.width)}; }
  static memory::desc any(const memory::dims& d) { return {d, memory::data_type::f32, tag::any}; }

  static dnnl::primitive_attr attributes(bool relu) {
    dnnl::primitive_attr attr;
    if (relu) {
      dnnl::post_ops po;
      po.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
      attr.set_post_ops(po);
    }
    return attr;
  }

  void note(const std::string& s) { description_ += (description_.empty() ? "" : ", ") + s; }

  /// `m` in format `want`: itself, or a reorder added to `where`.
  memory convert(const memory& m, const memory::desc& want, std::vector<step>& where, const char* what) {
    if (m.get_desc() == want) return m;
    memory r(want, engine_);
    where.push_back({dnnl::reorder(m, r), {{DNNL_ARG_FROM, m}, {DNNL_ARG_TO, r}}});
    note(std::string("reorder ") + what + (&where == &timed_ ? " (timed)" : " (untimed)"));
    return r;
  }

  /// The weights in the primitive's format, reordered once, now.
  memory weights(const float* w, const memory::desc& user, const memory::desc& want) {
    memory from(user, engine_, const_cast<float*>(w));
    memory to(want, engine_);
    dnnl::reorder(from, to).execute(stream_, from, to);
    stream_.wait();
    return to;
  }

  memory bias(const float* b, const memory::desc& want) {
    memory m(want, engine_);
    std::copy(b, b + want.get_size() / sizeof(float), static_cast<float*>(m.get_data_handle()));
    return m;
  }

  void execute(std::vector<step>& steps) {
    for (step& s : steps) s.p.execute(stream_, s.args);
    stream_.wait();
  }

  dnnl::engine engine_;
  dnnl::stream stream_;
  std::vector<step> setup_, timed_, after_;
  std::string description_;
};

#endif  // TYPENET_BENCH_ONEDNN

// ---------------------------------------------------------------------------
// One workload.

struct measured {
  std::string name;
  std::size_t batch;
  std::size_t macs;
  double typenet, naive;
  std::optional<double> onednn;
};

struct check_row {
  std::string name;
  diff vs_naive;
  std::optional<diff> vs_onednn;
  std::string peer;
};

struct thread_row {
  std::string name;
  std::size_t batch;
  double one, many;
  bool same_bits;
};

struct results {
  std::vector<measured> rows;
  std::vector<check_row> checks;
  std::vector<thread_row> threads;
  int onednn_threads = -1;  // process threads right after oneDNN's first run
  bool ok = true;
};

template <class Net>
void workload(const std::string& name, peer_mode mode, const options& opt, results& out) {
  if (!opt.only.empty() && name.rfind(opt.only, 0) != 0) return;
  std::fprintf(stderr, "running %s ...\n", name.c_str());
  using M = tn::model<Net>;
  constexpr std::size_t in = M::input_shape.size(), outs = M::output_shape.size(), macs = tn::mac_count<Net>;
  std::mt19937_64 g(2024);
  M m(tn::he_normal{1});
  // Nonzero biases, so that the checks see them.
  {
    float* p = m.parameters().data();
    for (std::size_t i = 0; i < tn::facts<Net>.layer_count; ++i) {
      const auto& l = tn::facts<Net>.layer[i];
      fill({p + l.weights, l.biases}, g, -0.1f, 0.1f);
      p += l.params;
    }
  }
  const float* params = m.parameters().data();
  const std::vector<op> ops = operations<Net>();
  const std::size_t threads = opt.threads;

  check_row check{name, {}, {}, {}};
  for (std::size_t batch : batches) {
    floats x(batch * in), y(batch * outs), y_one(batch * outs), y_naive(batch * outs), y_peer(batch * outs);
    fill(x, g, -1.f, 1.f);
    measured row{name, batch, macs, 0, 0, {}};

    // Timed in turns: typenet on opt.threads threads, oneDNN (on as many) and, with more than one
    // thread, typenet on one.
    std::vector<std::function<void()>> contenders = {[&] { m.forward_batch(x, y, threads); }};
#ifdef TYPENET_BENCH_ONEDNN
    peer p(ops, mode, batch, params, x.data(), y_peer.data());
    contenders.push_back([&] { p.run(); });
#else
    (void)mode;
#endif
    if (threads > 1) contenders.push_back([&] { m.forward_batch(x, y_one, 1); });
    const std::vector<double> t = median_times(contenders, opt.samples, opt.min_time);
    row.typenet = t[0];
    m.forward_batch(x, y, threads);
    if (threads > 1) {
      m.forward_batch(x, y_one, 1);
      out.threads.push_back(
          {name, batch, t.back(), t.front(), std::memcmp(y.data(), y_one.data(), y.size() * sizeof(float)) == 0});
      if (!out.threads.back().same_bits) out.ok = false;
    }

    if (threads == 1 || batch == 1) {  // on several threads, the naive loop is for the check only
      const auto naive = [&] {
        for (std::size_t s = 0; s < batch; ++s)
          tn::reference::forward<Net, float>(params, x.data() + s * in, y_naive.data() + s * outs);
      };
      if (threads == 1)
        row.naive = median_time_naive(naive, opt.naive_samples);
      else
        naive();
    }
    if (batch == 1) check.vs_naive = compare(y, y_naive);

#ifdef TYPENET_BENCH_ONEDNN
    row.onednn = t[1];
    if (out.onednn_threads < 0) out.onednn_threads = process_threads();
    p.finish();
    if (batch == 64) {
      check.vs_onednn = compare(y, y_peer);  // the whole batch: every sample's layout is checked
      check.peer = p.description();
    }
#endif
    out.rows.push_back(row);
  }
  if (!check.vs_naive.within(tolerance)) out.ok = false;
  if (check.vs_onednn && !check.vs_onednn->within(tolerance)) out.ok = false;
  out.checks.push_back(check);
}

void print_header(const options& opt) {
  std::printf("typenet forward-pass benchmark\n\n");
  std::printf("- CPU: %s\n", cpu_model().c_str());
  if (const char* source = std::getenv("TYPENET_BENCH_SOURCE")) std::printf("- typenet source: %s\n", source);
  std::printf("- typenet ISA: %s (%zu floats per vector)\n", std::string(tn::simd::isa()).c_str(), tn::simd::lanes);
  std::printf("- compiler: %s\n", compiler().c_str());
  std::printf("- threads: typenet forward_batch(x, y, %zu)%s\n", opt.threads,
              opt.threads > 1 ? ", beside forward_batch(x, y, 1) in the same turns" : "");
  {
    const double one = peak_gflops(1);
    std::printf("- peak, measured (independent FMAs on %zu-float vectors): %.1f GFLOP/s on 1 thread", tn::simd::lanes,
                one);
    if (opt.threads > 1) std::printf(", %.1f on %zu at once", peak_gflops(opt.threads), opt.threads);
    std::printf("\n");
  }
  std::printf("- flags: %s%s\n", TYPENET_BENCH_FLAGS,
#ifdef NDEBUG
              " -DNDEBUG"
#else
              ""
#endif
  );
#ifdef TYPENET_BENCH_ONEDNN
  const dnnl::version_t* v = dnnl::version();
  const char* omp = std::getenv("OMP_NUM_THREADS");
  std::printf("- oneDNN: %d.%d.%d (%s), CPU runtime %s, ISA %s, OMP_NUM_THREADS=%s\n", v->major, v->minor, v->patch,
              v->hash, runtime_name(v->cpu_runtime).c_str(), isa_name(dnnl::get_effective_cpu_isa()).c_str(),
              omp ? omp : "(unset)");
#else
  std::printf("- oneDNN: not found at build time; its columns read n/a\n");
#endif
  std::printf(
      "- method: float32, random inputs in [-1, 1], He-normal weights, biases in [-0.1, 0.1], inputs and\n"
      "  outputs 64-byte aligned. Each figure is the median of %d samples after a warm-up of >= 0.1 s; a\n"
      "  sample times as many calls as last >= %.2f s and reports the time per call (per batch). typenet,\n"
      "  oneDNN and (on several threads) typenet on 1 thread take turns, sample by sample, so that a change in the machine's\n"
      "  speed affects them alike. The naive loop (typenet::reference::forward<Net, float>, one sample at a\n"
      "  time) gets one warm-up call and the median of %d single calls (timed on 1 thread only).\n"
      "  GFLOP/s = 2 x mac_count<Net> x batch / time. typenet/oneDNN = oneDNN time / typenet time (> 1:\n"
      "  typenet is faster).\n",
      opt.samples, opt.min_time, opt.naive_samples);
#ifdef TYPENET_BENCH_ONEDNN
  std::printf(
      "  oneDNN, single layers (W1-W4): the primitive alone is timed, on the formats it chose (format_tag::any for\n"
      "  conv src/weights/dst; pooling on nhwc); the reorders of weights, input and output are outside the timing.\n"
      "  oneDNN, whole networks (W5, W6): NHWC input -> conv (relu as post-op) / max pooling / inner product\n"
      "  (relu as post-op), formats 'any', weights reordered once outside the timing; the reorders of the\n"
      "  input and between layers are timed. oneDNN runs on OMP_NUM_THREADS threads (OpenMP), typenet's count.\n");
#endif
  std::printf("\n");
}

void print_results(const results& r, const options& opt) {
  table t{{"workload", "batch", "typenet", "GFLOP/s", "naive", "GFLOP/s", "oneDNN", "GFLOP/s", "typenet/oneDNN"},
          {false, true, true, true, true, true, true, true, true},
          {}};
  for (const measured& m : r.rows)
    t.rows.push_back({m.name, std::to_string(m.batch), time_text(m.typenet), gflops_text(m.macs, m.batch, m.typenet),
                      m.naive > 0 ? time_text(m.naive) : "-", m.naive > 0 ? gflops_text(m.macs, m.batch, m.naive) : "-",
                      m.onednn ? time_text(*m.onednn) : "n/a", m.onednn ? gflops_text(m.macs, m.batch, *m.onednn) : "n/a",
                      m.onednn ? fmt("%.2f", *m.onednn / m.typenet) : "n/a"});
  t.print();

  if (!r.threads.empty()) {
    const std::string n = std::to_string(opt.threads);
    std::printf("\ntypenet on %s threads beside 1 thread (a batch split between the threads; one sample's big layers\n"
                "divided between them), and whether the outputs have the same bits:\n\n",
                n.c_str());
    table th{{"workload", "batch", "1 thread", n + " threads", "speed-up", "same bits"},
             {false, true, true, true, true, false},
             {}};
    for (const thread_row& row : r.threads)
      th.rows.push_back({row.name, std::to_string(row.batch), time_text(row.one), time_text(row.many),
                         fmt("%.2fx", row.one / row.many), row.same_bits ? "yes" : "NO"});
    th.print();
  }

  std::printf("\nsame computation (max |difference| / max |output|; tolerance %.0e relative):\n\n", tolerance);
  table c{{"workload", "typenet vs naive (batch 1)", "typenet vs oneDNN (batch 64)", "oneDNN primitives (batch 64)"},
          {false, false, false, false},
          {}};
  auto cell = [](const diff& d) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.2e / %.2f %s", d.max_abs, d.max_ref, d.within(tolerance) ? "ok" : "MISMATCH");
    return std::string(buf);
  };
  for (const check_row& k : r.checks)
    c.rows.push_back({k.name, cell(k.vs_naive), k.vs_onednn ? cell(*k.vs_onednn) : "n/a", k.peer.empty() ? "n/a" : k.peer});
  c.print();
#ifdef TYPENET_BENCH_ONEDNN
  std::printf("\nthreads of this process right after oneDNN's first timed run: %d\n", r.onednn_threads);
#endif
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--samples" && i + 1 < argc) opt.samples = std::max(1, std::atoi(argv[++i]));
    else if (a == "--min-time" && i + 1 < argc) opt.min_time = std::atof(argv[++i]);
    else if (a == "--naive-samples" && i + 1 < argc) opt.naive_samples = std::max(1, std::atoi(argv[++i]));
    else if (a == "--threads" && i + 1 < argc) opt.threads = static_cast<std::size_t>(std::max(1, std::atoi(argv[++i])));
    else if (a == "--only" && i + 1 < argc) opt.only = argv[++i];
    else {
      const bool help = a == "--help" || a == "-h";
      std::fprintf(help ? stdout : stderr,
                   "usage: %s [--threads N] [--samples N] [--min-time SECONDS] [--naive-samples N] [--only W<n>]\n",
                   argv[0]);
      return help ? 0 : 2;
    }
  }
#ifdef TYPENET_BENCH_ONEDNN
  // This oneDNN threads with OpenMP, which reads OMP_NUM_THREADS when the library is loaded,
  // before main: a run without it (or with another count than --threads) starts over with it.
  const std::string omp_threads = std::to_string(opt.threads);
  if (const char* omp = std::getenv("OMP_NUM_THREADS"); omp == nullptr || omp_threads != omp) {
    if (dnnl::version()->cpu_runtime == DNNL_RUNTIME_OMP) {
      setenv("OMP_NUM_THREADS", omp_threads.c_str(), 1);
      execv("/proc/self/exe", argv);
      std::fprintf(stderr, "warning: could not restart with OMP_NUM_THREADS=%s; oneDNN may use every core\n",
                   omp_threads.c_str());
    }
  }
#endif

  print_header(opt);
  std::fflush(stdout);
  results r;
  workload<w1_lecture_conv>("W1 conv 10@5x5 p2, 32x32x3", peer_mode::layer, opt, r);
  workload<w2_conv_64_64>("W2 conv 64@3x3 p1, 32x32x64", peer_mode::layer, opt, r);
  workload<w3_conv_64_128_s2>("W3 conv 128@3x3 s2 p1, 56x56x64", peer_mode::layer, opt, r);
  workload<w4_max_pool>("W4 max_pool 2x2 s2, 32x32x64", peer_mode::layer, opt, r);
  workload<w5_lenet5>("W5 LeNet-5, 28x28x1", peer_mode::network, opt, r);
  workload<w6_cifar_net>("W6 CIFAR net, 32x32x3", peer_mode::network, opt, r);
  print_results(r, opt);
  if (!r.ok) {
    std::printf("\nerror: an implementation disagrees beyond the tolerance: the figures compare different computations\n");
    return 1;
  }
  return 0;
}
