// Rule: concat<> takes one branch<...> per path from its input, even a path of one layer.
// expect: typenet: concat<> takes branch<...> groups (and name<> or defaults<>), one per path from its input
// expect-gcc: concat_takes_branches<typenet::concat<typenet::relu, typenet::branch<typenet::sigmoid> > >
// expect-clang: concat_takes_branches<typenet::concat<typenet::relu, typenet::branch<typenet::sigmoid>>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<8, 8, 8>, tn::concat<tn::branch<tn::relu>, tn::branch<tn::sigmoid>>>;
#else
using net = tn::network<tn::input<8, 8, 8>, tn::concat<tn::relu, tn::branch<tn::sigmoid>>>;
#endif
static_assert(tn::facts<net>.valid);
