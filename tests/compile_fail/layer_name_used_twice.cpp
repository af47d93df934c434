// Rule: no two layers of a network share a full name. Both convolutions are "conv"; the
// diagnostic carries the name and both positions.
// expect: typenet: two layers of this network have the same full name
// expect: layer_name_used_twice
// expect: index<1>
// expect: index<3>
// expect-gcc: typenet::name<typenet::fixed_string<5>{"conv"}>, typenet::error::index<1>, typenet::error::index<3> >
// expect-clang: typenet::name<fixed_string<5>{"conv"}>, typenet::error::index<1>, typenet::error::index<3>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<8, 8, 3>, tn::conv<tn::filters<4>, tn::kernel<3>, tn::name<"conv">>, tn::relu,
                        tn::conv<tn::filters<4>, tn::kernel<3>, tn::name<"conv2">>>;
#else
using net = tn::network<tn::input<8, 8, 3>, tn::conv<tn::filters<4>, tn::kernel<3>, tn::name<"conv">>, tn::relu,
                        tn::conv<tn::filters<4>, tn::kernel<3>, tn::name<"conv">>>;
#endif
static_assert(tn::facts<net>.valid);
