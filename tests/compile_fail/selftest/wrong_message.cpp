// Self-test: the runner must fail this case, whose expected text the compiler never prints.
// expect: this text is not in any typenet diagnostic
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<7, 7, 3>, tn::conv<tn::filters<1>, tn::kernel<3>, tn::stride<2>>>;
#else
using net = tn::network<tn::input<7, 7, 3>, tn::conv<tn::filters<1>, tn::kernel<3>, tn::stride<3>>>;
#endif
static_assert(tn::facts<net>.valid);
