// A program of another project using typenet: checks the lecture's example and prints its summary.
#include <typenet/typenet.hpp>

namespace tn = typenet;
using lecture = tn::network<tn::input<32, 32, 3>, tn::conv<tn::filters<10>, tn::kernel<5>, tn::stride<1>, tn::pad<2>>>;
static_assert(tn::output_shape<lecture> == tn::volume(32, 32, 10));
static_assert(tn::param_count<lecture> == 760);

int main() { tn::summary<lecture>(); }
