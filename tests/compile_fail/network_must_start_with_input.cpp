// Rule: a network starts with input<H, W, C> or input<N>, so that every shape can be computed.
// This one starts with a convolution: the network and its first layer are printed.
// expect: typenet: a network must start with input<H, W, C> (or input<N>)
// expect: network_must_start_with_input
// expect-gcc: network_must_start_with_input<typenet::network<typenet::conv<typenet::filters<8>, typenet::kernel<3, 3> >, typenet::relu>, typenet::conv<typenet::filters<8>, typenet::kernel<3, 3> > >
// expect-clang: network_must_start_with_input<typenet::network<typenet::conv<typenet::filters<8>, typenet::kernel<3>>, typenet::relu>, typenet::conv<typenet::filters<8>, typenet::kernel<3>>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<8, 8, 3>, tn::conv<tn::filters<8>, tn::kernel<3>>, tn::relu>;
#else
using net = tn::network<tn::conv<tn::filters<8>, tn::kernel<3>>, tn::relu>;
#endif
static_assert(tn::facts<net>.valid);
