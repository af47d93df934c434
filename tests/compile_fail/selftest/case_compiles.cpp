// Self-test: the runner must fail this case, which compiles although it is expected not to.
// expect: windows_must_tile_the_padded_input
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<7, 7, 3>, tn::conv<tn::filters<1>, tn::kernel<3>, tn::stride<2>>>;
#else
using net = tn::network<tn::input<7, 7, 3>, tn::conv<tn::filters<1>, tn::kernel<3>, tn::stride<1>>>;
#endif
static_assert(tn::facts<net>.valid);
