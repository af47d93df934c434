// Rule: every count fits in 64 bits. A 2^32 x 2^32 input holds 2^64 values, which used to wrap
// to 0 and be reported as "an input extent is 0".
// expect: typenet: a count of this layer (or a network total, once this layer is added to it) does not fit in 64 bits
// expect: count_overflows
// expect-gcc: at_layer<0, typenet::input<4294967296, 4294967296, 1> >, typenet::error::what<typenet::fixed_string<26>{"output values (H x W x C)"}>, typenet::error::product<4294967296, 4294967296> >
// expect-clang: at_layer<0, typenet::input<4294967296, 4294967296, 1>>, typenet::error::what<fixed_string<26UL>{"output values (H x W x C)"}>, typenet::error::product<4294967296, 4294967296>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<4294967296, 1, 1>, tn::dense<tn::units<2>>>;
#else
using net = tn::network<tn::input<4294967296, 4294967296, 1>, tn::dense<tn::units<2>>>;
#endif
static_assert(tn::facts<net>.valid);
