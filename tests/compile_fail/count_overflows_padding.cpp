// Rule: every count fits in 64 bits, the padded extent N + 2P too. pad<2^63> on an 8x8 input
// is 8 + 2^63 + 2^63, which used to wrap to 8 and give a 6x6 output.
// expect: typenet: a count of this layer (or a network total, once this layer is added to it) does not fit in 64 bits
// expect: count_overflows
// expect-gcc: typenet::error::what<typenet::fixed_string<21>{"padded height N + 2P"}>, typenet::error::sum<9223372036854775816, 9223372036854775808> >
// expect-clang: typenet::error::what<fixed_string<21>{"padded height N + 2P"}>, typenet::error::sum<9223372036854775816, 9223372036854775808>>
// expect: at_layer<1,
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<8, 8, 1>, tn::conv<tn::filters<1>, tn::kernel<3>, tn::pad<1>>>;
#else
using net = tn::network<tn::input<8, 8, 1>, tn::conv<tn::filters<1>, tn::kernel<3>, tn::pad<9223372036854775808ull>>>;
#endif
static_assert(tn::facts<net>.valid);
