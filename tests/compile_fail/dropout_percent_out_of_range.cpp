// Rule: dropout<percent<P>> zeroes P% of the values in training; at 100% nothing would be left
// (and the kept values' scale, 1 / (1 - P/100), would divide by zero).
// expect: typenet: dropout<percent<P>> drops P% of the values in training, so P must be 0 to 99
// expect: dropout_percent_out_of_range
// expect: percent<100>
// expect-gcc: at_layer<3, typenet::dropout<typenet::percent<100> > >
// expect-clang: at_layer<3, typenet::dropout<typenet::percent<100>>>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
constexpr long p = 99;
#else
constexpr long p = 100;
#endif
using net = tn::network<tn::input<16>, tn::dense<tn::units<8>>, tn::relu, tn::dropout<tn::percent<p>>,
                        tn::dense<tn::units<2>>>;
static_assert(tn::facts<net>.valid);
