// Rule: count_padding (what an average divides by) is avg_pool's option; max_pool takes no divisor.
// expect: typenet: this layer does not take this option
// expect: option_not_accepted
// expect-gcc: at_layer<1, typenet::max_pool<typenet::window<3, 3>, typenet::stride<1, 1>, typenet::pad<1, 1>, typenet::count_padding> >, typenet::count_padding, typenet::error::accepts<typenet::label::window, typenet::label::stride, typenet::label::pad, typenet::label::rounding> >
// expect-clang: at_layer<1, typenet::max_pool<typenet::window<3>, typenet::stride<1>, typenet::pad<1>, typenet::count_padding>>, typenet::count_padding, typenet::error::accepts<typenet::label::window, typenet::label::stride, typenet::label::pad, typenet::label::rounding>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<8, 8, 3>, tn::avg_pool<tn::window<3>, tn::stride<1>, tn::pad<1>, tn::count_padding>>;
#else
using net = tn::network<tn::input<8, 8, 3>, tn::max_pool<tn::window<3>, tn::stride<1>, tn::pad<1>, tn::count_padding>>;
#endif
static_assert(tn::facts<net>.valid);
