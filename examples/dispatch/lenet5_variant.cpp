// LeNet-5 for one ISA: built three times, with -march=x86-64, -march=x86-64-v3 and -march=x86-64-v4, and
// TYPENET_EXAMPLE_ARCH naming the xsimd architecture those flags give. model<> and every kernel live in
// a namespace named after the ISA (kernels/isa.hpp), so the three builds never share a template body.
#include "lenet5.hpp"

#include <typenet/model.hpp>

#include <type_traits>

namespace tn = typenet;
static_assert(std::is_same_v<tn::simd::arch, TYPENET_EXAMPLE_ARCH>,
              "the flags of this build give another ISA than TYPENET_EXAMPLE_ARCH");

template <>
void example::classify::operator()(TYPENET_EXAMPLE_ARCH, std::span<const float> x, std::span<float> y) const {
  // Same seed in every variant, so the three models hold the same weights (a real program would load them).
  static const tn::model<tn::models::lenet5> net(tn::he_normal{2026});
  net.forward(x, y);
}
