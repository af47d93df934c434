// Rule: a query by name names a layer of the network. The convolution inside the block named
// "stem" is "stem.conv", not "conv".
// expect: typenet: no layer of this network has this name
// expect: no_layer_named
// expect-gcc: typenet::name<typenet::fixed_string<5>{"conv"}> >
// expect-clang: typenet::name<fixed_string<5>{"conv"}>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
using net = tn::network<tn::input<8, 8, 3>, tn::block<tn::name<"stem">, tn::conv<tn::filters<4>, tn::kernel<3>, tn::name<"conv">>>>;
#ifdef TYPENET_TWIN
static_assert(tn::param_count<net, "stem.conv"> == 112);
#else
static_assert(tn::param_count<net, "conv"> == 112);
#endif
