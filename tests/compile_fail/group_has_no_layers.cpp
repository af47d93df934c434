// Rule: a residual<>, shortcut<>, concat<> or branch<> holds at least one layer (a residual with an
// identity shortcut needs no shortcut<> at all).
// expect: typenet: this residual<>, shortcut<>, concat<> or branch<> has no layers
// expect: group_has_no_layers<typenet::branch<typenet::name<
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using second = tn::branch<tn::name<"b">, tn::relu>;
#else
using second = tn::branch<tn::name<"b">>;
#endif
using net = tn::network<tn::input<8, 8, 8>, tn::concat<tn::branch<tn::relu>, second>>;
static_assert(tn::facts<net>.valid);
