// Rule: a nested network's input checks the shape it is given. A feature extractor written for
// 32x32x3 colour images, nested after a 32x32x1 grey input: its input (layer 1) expects 32x32x3.
// expect: typenet: this input<> (or a nested network's input) expects a different shape than the layer before it produces
// expect: input_shape_mismatch
// expect: volume_shape<32, 32, 3, false>, typenet::error::volume_shape<32, 32, 1, false>
// expect-gcc: at_layer<1, typenet::input<32, 32, 3> >
// expect-clang: at_layer<1, typenet::input<32, 32, 3>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
using features = tn::network<tn::input<32, 32, 3>, tn::conv<tn::filters<8>, tn::kernel<3>, tn::pad<1>>, tn::relu>;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<32, 32, 3>, features, tn::max_pool<tn::window<2>>>;
#else
using net = tn::network<tn::input<32, 32, 1>, features, tn::max_pool<tn::window<2>>>;
#endif
static_assert(tn::facts<net>.valid);
