// Static tests of shapes: volumes, flat vectors, the rejected placeholder.
#include <typenet/shape.hpp>

namespace {
using typenet::flat;
using typenet::volume;
static_assert(volume(32, 32, 3).size() == 3072);
static_assert(flat(3072).size() == 3072);
static_assert(volume(1, 1, 3072) != flat(3072));  // a vector is not a 1x1 volume
static_assert(volume(32, 32, 3) == typenet::shape{32, 32, 3});
static_assert(!typenet::rejected.valid());
static_assert(volume(1, 1, 1).valid());
}  // namespace
