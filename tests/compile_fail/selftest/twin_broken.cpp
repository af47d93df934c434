// Self-test: the runner must fail this case, whose twin does not compile either.
// expect: windows_must_tile_the_padded_input
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<7, 7, 3>, tn::conv<tn::filters<1>, tn::kernel<3>, tn::stride<3>>>;
#else
using net = tn::network<tn::input<7, 7, 3>, tn::conv<tn::filters<1>, tn::kernel<3>, tn::stride<3>>>;
#endif
static_assert(tn::facts<net>.valid);
