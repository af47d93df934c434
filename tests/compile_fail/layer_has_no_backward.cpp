// Rule: every layer of a network that is trained provides a backward hook (contract.hpp). Here a user's
// elementwise layer `twice` runs forward but says nothing of its derivative: training it is an error
// that names the layer, not a silent zero gradient.
// expect: typenet: this layer kind cannot be trained: it has no backward pass
// expect: layer_has_no_backward
// expect: at_layer<2
// expect: twice
#include <typenet/train/trainer.hpp>

namespace tn = typenet;

struct twice_op {
  template <class V>
  constexpr V operator()(V x) const {
    return x + x;
  }
#ifdef TYPENET_TWIN
  template <class V>
  constexpr V derivative(V, V) const {
    return V(2.f);
  }
#endif
};
struct twice : tn::elementwise<twice> {
  static constexpr std::string_view kind = "twice";
  static constexpr twice_op fusion{};
};
using net = tn::network<tn::input<4>, tn::dense<tn::units<3>>, twice>;
tn::model<net> m;  // it runs forward
tn::train::trainer<net, tn::train::cross_entropy, tn::train::sgd> t(m, {});
