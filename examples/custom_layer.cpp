// A new layer kind, written outside the library in one place, run by model<>, the reference and summary<>.
#include "channel_affine.hpp"

#include <typenet/model.hpp>

#include <array>
#include <cmath>
#include <cstdio>
#include <vector>

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
