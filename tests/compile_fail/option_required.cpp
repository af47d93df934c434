// Rule: a convolution needs filters<K> (its output depth) and kernel<F>; this one has no filters<>.
// expect: typenet: this layer needs an option it was not given
// expect: option_required
// expect: typenet::label::filters>
// expect-gcc: at_layer<1, typenet::conv<typenet::kernel<3, 3> > >
// expect-clang: at_layer<1, typenet::conv<typenet::kernel<3>>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<8, 8, 3>, tn::conv<tn::filters<8>, tn::kernel<3>>>;
#else
using net = tn::network<tn::input<8, 8, 3>, tn::conv<tn::kernel<3>>>;
#endif
static_assert(tn::facts<net>.valid);
