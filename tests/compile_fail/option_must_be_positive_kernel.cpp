// Rule: sizes, strides and counts are at least 1; kernel<3, 0> is a window with no width.
// expect: typenet: sizes, strides, filter and unit counts must be at least 1
// expect: option_must_be_positive
// expect: at_layer<1, typenet::conv<typenet::filters<8>, typenet::kernel<3, 0>
// expect-gcc: typenet::kernel<3, 0> > >, typenet::kernel<3, 0> >
// expect-clang: typenet::kernel<3, 0>>>, typenet::kernel<3, 0>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<8, 8, 3>, tn::conv<tn::filters<8>, tn::kernel<3, 1>>>;
#else
using net = tn::network<tn::input<8, 8, 3>, tn::conv<tn::filters<8>, tn::kernel<3, 0>>>;
#endif
static_assert(tn::facts<net>.valid);
