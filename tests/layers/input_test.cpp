// Static tests of input: volumes (H x W x C), vectors, and input as a shape check inside a network.
#include <typenet/typenet.hpp>

namespace {
using namespace typenet;

static_assert(output_shape<network<input<32, 32, 3>>> == volume(32, 32, 3));
static_assert(output_shape<network<input<3072>>> == flat(3072));
static_assert(param_count<network<input<32, 32, 3>>> == 0 && layer_count<network<input<32, 32, 3>>> == 1);
// Further inputs check the shape they are given (nested networks start with one).
static_assert(output_shape<network<input<8, 8, 3>, input<8, 8, 3>, relu>> == volume(8, 8, 3));
}  // namespace
