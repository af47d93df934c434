// Rule: every count fits in 64 bits. A 2^21 x 2^21 x 1024 input through 4096 1x1 filters is
// 2^52 * 1024 * 4096 = 2^74 MACs, which used to wrap to mac_count == 0. The product that
// overflowed is out values x weights per filter = 2^54 * 1024.
// expect: typenet: a count of this layer (or a network total, once this layer is added to it) does not fit in 64 bits
// expect: count_overflows
// expect-gcc: at_layer<1, typenet::conv<typenet::filters<4096>, typenet::kernel<1, 1> > >, typenet::error::what<typenet::fixed_string<5>{"MACs"}>, typenet::error::product<18014398509481984, 1024> >
// expect-clang: at_layer<1, typenet::conv<typenet::filters<4096>, typenet::kernel<1>>>, typenet::error::what<fixed_string<5UL>{"MACs"}>, typenet::error::product<18014398509481984, 1024>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<2097152, 2097152, 1024>, tn::conv<tn::filters<1>, tn::kernel<1>>>;
#else
using net = tn::network<tn::input<2097152, 2097152, 1024>, tn::conv<tn::filters<4096>, tn::kernel<1>>>;
#endif
static_assert(tn::facts<net>.valid);
