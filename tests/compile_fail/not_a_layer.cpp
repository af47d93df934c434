// Rule: a network lists layers. units<10> is an option of dense, not a layer (layer 2 here).
// expect: typenet: this is not a layer
// expect: Fix: pass options inside the layer that takes them
// expect: not_a_layer
// expect-gcc: at_layer<2, typenet::units<10> >, typenet::units<10> >
// expect-clang: at_layer<2, typenet::units<10>>, typenet::units<10>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<8, 8, 3>, tn::flatten, tn::dense<tn::units<10>>>;
#else
using net = tn::network<tn::input<8, 8, 3>, tn::flatten, tn::units<10>>;
#endif
static_assert(tn::facts<net>.valid);
