// Rule: every count fits in 64 bits, the network's totals too. Each of these convolutions does
// about 2^62 MACs; the fourth makes the total overflow, and is the layer reported.
// expect: typenet: a count of this layer (or a network total, once this layer is added to it) does not fit in 64 bits
// expect: count_overflows
// expect-gcc: at_layer<4, typenet::conv<typenet::filters<1>, typenet::kernel<2049, 2049>, typenet::pad<1024, 1024> > >, typenet::error::what<typenet::fixed_string<11>{"total MACs"}>, typenet::error::sum<13848572152699158528, 4616190717566386176> >
// expect-clang: at_layer<4, typenet::conv<typenet::filters<1>, typenet::kernel<2049>, typenet::pad<1024>>>, typenet::error::what<fixed_string<11UL>{"total MACs"}>, typenet::error::sum<13848572152699158528, 4616190717566386176>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
using big = tn::conv<tn::filters<1>, tn::kernel<2049>, tn::pad<1024>>;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<1048576, 1048576, 1>, big, big, big>;
#else
using net = tn::network<tn::input<1048576, 1048576, 1>, big, big, big, big>;
#endif
static_assert(tn::facts<net>.valid);
