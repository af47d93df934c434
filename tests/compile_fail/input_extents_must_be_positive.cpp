// Rule: every extent of input<> is at least 1; a 32x32 image with depth 0 holds no values.
// expect: typenet: an input extent is 0; every extent of input<> must be at least 1
// expect: input_extents_must_be_positive
// expect-gcc: at_layer<0, typenet::input<32, 32, 0> >
// expect-clang: at_layer<0, typenet::input<32, 32, 0>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<32, 32, 1>, tn::conv<tn::filters<8>, tn::kernel<3>>>;
#else
using net = tn::network<tn::input<32, 32, 0>, tn::conv<tn::filters<8>, tn::kernel<3>>>;
#endif
static_assert(tn::facts<net>.valid);
