// Rule: a layer's parameter tensors (its `tensors<In, Out>`) add up to its parameter count, so that
// initialisation, offsets and weight files cover every parameter exactly once.
// expect: typenet: this layer's parameter tensors
// expect: parameter_tensors_do_not_add_up
// expect: param_count<8>
// expect: tensor_total<4>
#include <typenet/model.hpp>

#include <array>
#include <string>

namespace tn = typenet;

struct scale {
  static constexpr std::string_view kind = "scale";
  template <tn::shape In>
  static constexpr auto check() {
    return tn::verdict{};
  }
  template <tn::shape In>
  static constexpr tn::layer_facts facts() {
    return tn::make_facts(kind, In, In, In.size(), 0, In.size());
  }
  static std::string describe() { return "scale"; }
  template <tn::shape In, tn::shape Out>
  static constexpr std::array<tn::param_tensor, 1> tensors = {
#ifdef TYPENET_TWIN
      tn::param_tensor{"weight", {In.size(), 1, 1, 1}, 1, "N", tn::init_rule::ones}};
#else
      tn::param_tensor{"weight", {In.size() / 2, 1, 1, 1}, 1, "N", tn::init_rule::ones}};
#endif
  template <tn::shape In, tn::shape Out, class T>
  static constexpr void forward(const T* p, const T* in, T* out) {
    for (std::size_t i = 0; i < In.size(); ++i) out[i] = p[i] * in[i];
  }
};
using net = tn::network<tn::input<8>, scale>;
tn::model<net> m;
