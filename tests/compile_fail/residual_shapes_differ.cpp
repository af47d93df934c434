// Rule: a residual block adds its branch's output to its shortcut, so both have one shape. A branch
// that doubles the filters needs a shortcut<> that projects the input to them (a 1x1 conv).
// expect: typenet: a residual block adds its branch's output to its shortcut, so both must have the same shape
// expect: residual_shapes_differ
// expect: volume_shape<8, 8, 16, false>
// expect: volume_shape<8, 8, 8, false>
// expect: at_layer<3, typenet::add>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using block = tn::residual<tn::conv<tn::filters<16>, tn::kernel<3>, tn::pad<1>>, tn::relu,
                           tn::shortcut<tn::conv<tn::filters<16>, tn::kernel<1>>>>;
#else
using block = tn::residual<tn::conv<tn::filters<16>, tn::kernel<3>, tn::pad<1>>, tn::relu>;
#endif
using net = tn::network<tn::input<8, 8, 8>, block, tn::relu>;
static_assert(tn::facts<net>.valid);
