// Rule: a network starts with an input, also when it is nested in another one; a group of layers
// without an input is a block<>, which takes whatever shape it is given.
// expect: typenet: a network must start with input<H, W, C> (or input<N>)
// expect: use block<...> for a group of layers that is only nested inside networks
// expect: network_must_start_with_input
// expect-gcc: network_must_start_with_input<typenet::network<typenet::conv<typenet::filters<8>, typenet::kernel<3, 3>, typenet::pad<1, 1> >, typenet::relu>, typenet::conv<typenet::filters<8>, typenet::kernel<3, 3>, typenet::pad<1, 1> > >
// expect-clang: network_must_start_with_input<typenet::network<typenet::conv<typenet::filters<8>, typenet::kernel<3>, typenet::pad<1>>, typenet::relu>, typenet::conv<typenet::filters<8>, typenet::kernel<3>, typenet::pad<1>>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using conv_relu = tn::block<tn::conv<tn::filters<8>, tn::kernel<3>, tn::pad<1>>, tn::relu>;
#else
using conv_relu = tn::network<tn::conv<tn::filters<8>, tn::kernel<3>, tn::pad<1>>, tn::relu>;
#endif
using net = tn::network<tn::input<16, 16, 3>, conv_relu, tn::max_pool<tn::window<2>>, conv_relu>;
static_assert(tn::facts<net>.valid);
