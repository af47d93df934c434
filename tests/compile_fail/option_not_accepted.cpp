// Rule: a layer takes only its own labels; pooling's window is window<F>, kernel<F> is convolution's.
// expect: typenet: this layer does not take this option
// expect: option_not_accepted
// The labels the layer does take travel in the diagnostic too, so the message names no layer kind.
// expect-gcc: at_layer<1, typenet::max_pool<typenet::kernel<2, 2> > >, typenet::kernel<2>, typenet::error::accepts<typenet::label::window, typenet::label::stride, typenet::label::pad, typenet::label::rounding> >
// expect-clang: at_layer<1, typenet::max_pool<typenet::kernel<2>>>, typenet::kernel<2>, typenet::error::accepts<typenet::label::window, typenet::label::stride, typenet::label::pad, typenet::label::rounding>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<8, 8, 3>, tn::max_pool<tn::window<2>>>;
#else
using net = tn::network<tn::input<8, 8, 3>, tn::max_pool<tn::kernel<2>>>;
#endif
static_assert(tn::facts<net>.valid);
