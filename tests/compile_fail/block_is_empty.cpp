// Rule: a block<> lists at least one layer; an empty one is most likely a group left unfinished.
// expect: typenet: block<> has no layers
// expect: block_is_empty
// expect-gcc: block_is_empty<typenet::block<> >
// expect-clang: block_is_empty<typenet::block<>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<8, 8, 3>, tn::block<tn::relu>, tn::max_pool<tn::window<2>>>;
#else
using net = tn::network<tn::input<8, 8, 3>, tn::block<>, tn::max_pool<tn::window<2>>>;
#endif
static_assert(tn::facts<net>.valid);
