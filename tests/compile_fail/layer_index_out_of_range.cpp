// Rule: a per-layer query names an existing layer, index < layer count (the input is layer 0).
// The lecture's network has two layers, input and conv; there is no layer 9.
// expect: typenet: there is no layer at this position
// expect: layer_index_out_of_range
// expect: index<9>
// expect: layer_count<2>
// expect-gcc: layer_index_out_of_range<typenet::network<typenet::input<32, 32, 3>, typenet::conv<typenet::filters<10>, typenet::kernel<5, 5>, typenet::stride<1, 1>, typenet::pad<2, 2> > >
// expect-clang: layer_index_out_of_range<typenet::network<typenet::input<32, 32, 3>, typenet::conv<typenet::filters<10>, typenet::kernel<5>, typenet::stride<1>, typenet::pad<2>>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
using net = tn::network<tn::input<32, 32, 3>, tn::conv<tn::filters<10>, tn::kernel<5>, tn::stride<1>, tn::pad<2>>>;
#ifdef TYPENET_TWIN
static_assert(tn::param_count<net, 1> == 760);
#else
static_assert(tn::param_count<net, 9> == 760);
#endif
