// Rule: pad_same means P = (F - 1) / 2 on each side, which keeps N only for an odd F. A 5x4 kernel
// is odd along the height and even along the width, so the width is the axis reported.
// expect: typenet: pad_same means P = (F - 1) / 2, which needs an odd kernel
// expect: same_padding_needs_an_odd_kernel
// expect: along_width
// expect: F<4>
// expect-gcc: at_layer<1, typenet::conv<typenet::filters<8>, typenet::kernel<5, 4>, typenet::pad_same> >
// expect-clang: at_layer<1, typenet::conv<typenet::filters<8>, typenet::kernel<5, 4>, typenet::pad_same>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<16, 16, 3>, tn::conv<tn::filters<8>, tn::kernel<5, 5>, tn::pad_same>>;
#else
using net = tn::network<tn::input<16, 16, 3>, tn::conv<tn::filters<8>, tn::kernel<5, 4>, tn::pad_same>>;
#endif
static_assert(tn::facts<net>.valid);
