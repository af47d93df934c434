// Rule: a network has layers, starting with its input; network<> has none.
// expect: typenet: this network has no layers
// expect: network_is_empty
// expect-gcc: network_is_empty<typenet::network<> >
// expect-clang: network_is_empty<typenet::network<>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<10>>;
#else
using net = tn::network<>;
#endif
static_assert(tn::facts<net>.valid);
