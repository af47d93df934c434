// Self-test: the runner must fail this case, which gives two typenet diagnostics where one is expected.
// expect: windows_must_tile_the_padded_input
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using a = tn::network<tn::input<7, 7, 3>, tn::conv<tn::filters<1>, tn::kernel<3>, tn::stride<2>>>;
using b = a;
#else
using a = tn::network<tn::input<7, 7, 3>, tn::conv<tn::filters<1>, tn::kernel<3>, tn::stride<3>>>;
using b = tn::network<tn::input<9, 9, 3>, tn::conv<tn::filters<1>, tn::kernel<3>, tn::stride<4>>>;
#endif
static_assert(tn::facts<a>.valid);
static_assert(tn::facts<b>.valid);
