// Rule: sizes, strides and counts are at least 1; dense<units<0>> would output nothing.
// expect: typenet: sizes, strides, filter and unit counts must be at least 1
// expect: option_must_be_positive
// expect-gcc: at_layer<2, typenet::dense<typenet::units<0> > >, typenet::units<0> >
// expect-clang: at_layer<2, typenet::dense<typenet::units<0>>>, typenet::units<0>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<8, 8, 3>, tn::flatten, tn::dense<tn::units<10>>>;
#else
using net = tn::network<tn::input<8, 8, 3>, tn::flatten, tn::dense<tn::units<0>>>;
#endif
static_assert(tn::facts<net>.valid);
