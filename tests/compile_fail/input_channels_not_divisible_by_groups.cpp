// Rule: a grouped convolution splits its C input channels into G groups, so C must be a multiple of G.
// 10 channels do not split into 4 groups; 12 do.
// expect: typenet: a grouped convolution splits its input channels into its groups, so C must be a multiple of groups<G>
// expect: input_channels_not_divisible_by_groups
// expect: C<10>
// expect: G<4>
// expect-gcc: at_layer<1, typenet::conv<typenet::filters<12>, typenet::kernel<3, 3>, typenet::groups<4> > >
// expect-clang: at_layer<1, typenet::conv<typenet::filters<12>, typenet::kernel<3>, typenet::groups<4>>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<8, 8, 12>, tn::conv<tn::filters<12>, tn::kernel<3>, tn::groups<4>>>;
#else
using net = tn::network<tn::input<8, 8, 10>, tn::conv<tn::filters<12>, tn::kernel<3>, tn::groups<4>>>;
#endif
static_assert(tn::facts<net>.valid);
