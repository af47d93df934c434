// Rule: a layer takes each option once; pad<1> and pad_same are both padding (label::pad).
// expect: typenet: this layer is given the same option twice
// expect: option_given_twice
// expect: typenet::label::pad>
// expect-gcc: at_layer<1, typenet::conv<typenet::filters<8>, typenet::kernel<3, 3>, typenet::pad<1, 1>, typenet::pad_same> >
// expect-clang: at_layer<1, typenet::conv<typenet::filters<8>, typenet::kernel<3>, typenet::pad<1>, typenet::pad_same>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<8, 8, 3>, tn::conv<tn::filters<8>, tn::kernel<3>, tn::pad<1>>>;
#else
using net = tn::network<tn::input<8, 8, 3>, tn::conv<tn::filters<8>, tn::kernel<3>, tn::pad<1>, tn::pad_same>>;
#endif
static_assert(tn::facts<net>.valid);
