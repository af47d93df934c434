// Rule: a window must fit in its padded input, F <= N + 2P. LeNet-5 fed 28x28 MNIST digits without
// its pad<2>: 28 -> 24 -> 12 -> 8 -> 4, and the 5x5 C5 convolution (layer 7) no longer fits 4x4.
// expect: typenet: the window of this layer is larger than its padded input: F > N + 2P
// expect: window_larger_than_padded_input
// expect: along_height
// expect: N<4>
// expect: F<5>
// expect: P<0, 0>
// expect-gcc: at_layer<7, typenet::conv<typenet::filters<120>, typenet::kernel<5, 5> > >
// expect-clang: at_layer<7, typenet::conv<typenet::filters<120>, typenet::kernel<5>>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
using net = tn::network<tn::input<28, 28, 1>,
#ifdef TYPENET_TWIN
                        tn::conv<tn::filters<6>, tn::kernel<5>, tn::pad<2>>, tn::relu, tn::max_pool<tn::window<2>>,
#else
                        tn::conv<tn::filters<6>, tn::kernel<5>, tn::pad<0>>, tn::relu, tn::max_pool<tn::window<2>>,
#endif
                        tn::conv<tn::filters<16>, tn::kernel<5>>, tn::relu, tn::max_pool<tn::window<2>>,
                        tn::conv<tn::filters<120>, tn::kernel<5>>, tn::relu,
                        tn::flatten, tn::dense<tn::units<84>>, tn::relu, tn::dense<tn::units<10>>>;
static_assert(tn::facts<net>.valid);
