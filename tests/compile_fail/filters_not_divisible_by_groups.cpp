// Rule: a grouped convolution splits its K filters into its G groups (depthwise: G = C, one group
// per input channel), so K must be a multiple of G. 18 filters over 12 channels is not depthwise;
// 24 (two per channel) is.
// expect: typenet: a grouped convolution splits its filters into its groups, so K (filters<K>) must be a multiple of the groups G
// expect: filters_not_divisible_by_groups
// expect: K<18>
// expect: G<12>
// expect-gcc: at_layer<2, typenet::conv<typenet::filters<18>, typenet::kernel<3, 3>, typenet::pad<1, 1>, typenet::depthwise> >
// expect-clang: at_layer<2, typenet::conv<typenet::filters<18>, typenet::kernel<3>, typenet::pad<1>, typenet::depthwise>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
constexpr std::size_t k = 24;
#else
constexpr std::size_t k = 18;
#endif
using net = tn::network<tn::input<8, 8, 3>, tn::conv<tn::filters<12>, tn::kernel<1>>,
                        tn::conv<tn::filters<k>, tn::kernel<3>, tn::pad<1>, tn::depthwise>>;
static_assert(tn::facts<net>.valid);
