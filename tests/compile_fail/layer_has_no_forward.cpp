// Rule: a layer kind that a model runs provides a forward hook (contract.hpp). A user's layer that only has
// the compile-time half (here `twice`, shape-preserving with no forward) used to run as the identity, silently.
// expect: typenet: this layer kind has no run-time behaviour
// expect: layer_has_no_forward
// expect: at_layer<2
// expect: twice
#include <typenet/model.hpp>

namespace tn = typenet;

struct twice_op {
  template <class V>
  constexpr V operator()(V x) const {
    return x + x;
  }
};
#ifdef TYPENET_TWIN
struct twice : tn::elementwise<twice> {
  static constexpr std::string_view kind = "twice";
  static constexpr twice_op fusion{};
};
#else
struct twice : tn::shape_preserving<twice> {
  static constexpr std::string_view kind = "twice";
};
#endif
using net = tn::network<tn::input<4>, tn::dense<tn::units<3>>, twice>;
static_assert(tn::fits<net>);  // the compile-time half is complete
tn::model<net> m;
