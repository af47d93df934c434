// A new layer kind, written outside the library in one place, run by model<>, the reference and summary<>.
#include <typenet/model.hpp>

#include <array>
#include <cmath>
#include <cstdio>
#include <string>

namespace tn = typenet;

/// y[h, w, c] = scale[c] * x[h, w, c] + shift[c]: a learned per-channel affine map.
struct channel_affine {
  // --- compile time: what it is and what it does to a shape ---
  static constexpr std::string_view kind = "channel_affine";
  template <tn::shape In>
  static constexpr auto check() {
    return tn::verdict{};  // any volume or vector will do
  }
  template <tn::shape In>
  static constexpr tn::layer_facts facts() {  // same shape out; weights, biases, MACs per sample
    return tn::make_facts(kind, In, In, In.depth, In.depth, In.size());
  }
  static std::string describe() { return "channel_affine"; }

  // --- run time: its tensors, in storage order, and its definition in any number type ---
  template <tn::shape In, tn::shape Out>
  static constexpr std::array<tn::param_tensor, 2> tensors = {
      tn::param_tensor{"scale", {In.depth, 1, 1, 1}, 1, "C", tn::init_rule::ones},
      tn::param_tensor{"shift", {In.depth, 1, 1, 1}, 1, "C", tn::init_rule::zeros}};

  template <tn::shape In, tn::shape Out, class T>
  static constexpr void forward(const T* params, const T* in, T* out) {
    const T* scale = params;
    const T* shift = params + In.depth;
    for (std::size_t i = 0; i < In.size(); ++i) out[i] = scale[i % In.depth] * in[i] + shift[i % In.depth];
  }
};

using net = tn::network<tn::input<8, 8, 3>, tn::conv<tn::filters<4>, tn::kernel<3>, tn::pad<1>>, channel_affine,
                        tn::relu, tn::max_pool<tn::window<2>>, tn::flatten, tn::dense<tn::units<2>>>;
static_assert(tn::param_count<net, 2> == 8);  // 4 scales + 4 shifts

int main() {
  tn::summary<net>();
  tn::model<net> m(tn::he_normal{1});
  std::array<float, 4> scale{0.5f, 1.f, 2.f, -1.f};
  std::copy(scale.begin(), scale.end(), m.parameter<2>("scale").begin());

  tn::model<net>::input_tensor x;
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::sin(static_cast<float>(i));
  const auto y = m.forward(x);

  // The reference runs the same hook in double.
  std::vector<double> p(m.parameters().begin(), m.parameters().end()), xd(x.values.begin(), x.values.end()), r(2);
  tn::reference::forward<net, double>(p.data(), xd.data(), r.data());
  std::printf("model     %.6f %.6f\nreference %.6f %.6f\n", y[0], y[1], r[0], r[1]);
  const bool agree = std::abs(y[0] - r[0]) < 1e-4 && std::abs(y[1] - r[1]) < 1e-4;
  std::printf("%s\n", agree ? "they agree" : "they DISAGREE");
  return agree ? 0 : 1;
}
