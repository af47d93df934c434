// Rule: sizes, strides and counts are at least 1; filters<0> would give an output of depth 0.
// expect: typenet: sizes, strides, filter and unit counts must be at least 1
// expect: option_must_be_positive
// expect-gcc: at_layer<1, typenet::conv<typenet::filters<0>, typenet::kernel<3, 3> > >, typenet::filters<0> >
// expect-clang: at_layer<1, typenet::conv<typenet::filters<0>, typenet::kernel<3>>>, typenet::filters<0>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<8, 8, 3>, tn::conv<tn::filters<1>, tn::kernel<3>>>;
#else
using net = tn::network<tn::input<8, 8, 3>, tn::conv<tn::filters<0>, tn::kernel<3>>>;
#endif
static_assert(tn::facts<net>.valid);
