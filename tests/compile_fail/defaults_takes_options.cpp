// Rule: defaults<...> holds layer options, each applied to the layers that take it; a layer is not an option.
// expect: typenet: defaults<...> takes layer options (round_down, round_up, count_padding, no_bias, ...)
// expect: defaults<typenet::relu>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::defaults<tn::no_bias>, tn::input<9, 9, 3>, tn::conv<tn::filters<4>, tn::kernel<3>>>;
#else
using net = tn::network<tn::defaults<tn::relu>, tn::input<9, 9, 3>, tn::conv<tn::filters<4>, tn::kernel<3>>>;
#endif
static_assert(tn::facts<net>.valid);
