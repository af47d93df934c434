// Rule: sizes, strides and counts are at least 1; stride<0> would never move the window
// (and (N + 2P - F) / S would divide by zero).
// expect: typenet: sizes, strides, filter and unit counts must be at least 1
// expect: option_must_be_positive
// expect-gcc: at_layer<1, typenet::conv<typenet::filters<8>, typenet::kernel<3, 3>, typenet::stride<0, 0> > >, typenet::stride<0> >
// expect-clang: at_layer<1, typenet::conv<typenet::filters<8>, typenet::kernel<3>, typenet::stride<0>>>, typenet::stride<0>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<8, 8, 3>, tn::conv<tn::filters<8>, tn::kernel<3>, tn::stride<1>>>;
#else
using net = tn::network<tn::input<8, 8, 3>, tn::conv<tn::filters<8>, tn::kernel<3>, tn::stride<0>>>;
#endif
static_assert(tn::facts<net>.valid);
