// Static tests of checked arithmetic: counts that would pass 2^64 are recorded, never wrapped,
// and a network holding one does not fit.
#include <typenet/checked.hpp>
#include <typenet/typenet.hpp>

#include <cstddef>

namespace {
namespace tn = typenet;
using namespace tn;
constexpr std::size_t max = static_cast<std::size_t>(-1);

// The helpers: a value, or the first operation that overflowed with its operands.
static_assert((checked{6} * 7).value == 42 && (checked{6} * 7).ok());
static_assert((checked{max} + 0).ok() && !(checked{max} + 1).ok());
static_assert((checked{max} + 1).failed.op == '+' && (checked{max} + 1).failed.lhs == max);
static_assert(!(checked{std::size_t{1} << 32} * (std::size_t{1} << 32)).ok());
static_assert((checked{std::size_t{1} << 32} * (std::size_t{1} << 31)).value == std::size_t{1} << 63);
// The first failure is kept through later operations, and labelled once.
constexpr checked first = (checked{max} * 2 + 1).as("MACs").as("later");
static_assert(first.failed.op == '*' && first.failed.rhs == 2 && first.failed.what_text() == "MACs");
static_assert(volume_values(4294967296, 4294967296, 1).failed.op == '*');
static_assert(!bytes_as_float(std::size_t{1} << 62).ok() && bytes_as_float(std::size_t{1} << 61).ok());

// The three examples: each used to give a wrong, small count; now they do not fit.
static_assert(!fits<network<input<2097152, 2097152, 1024>, conv<filters<4096>, kernel<1>>>>);  // MACs were 0
static_assert(!fits<network<input<8, 8, 1>, conv<filters<1>, kernel<3>, pad<9223372036854775808ull>>>>);  // was 6x6
static_assert(!fits<network<input<4294967296, 4294967296, 1>>>);  // was "an input extent is 0"
// Each count checked: weights, params as float bytes, output bytes, pooling padding, totals.
static_assert(!fits<network<input<2147483648>, dense<units<4294967296>>>>);                 // weights 2^63, bytes 2^65
static_assert(!fits<network<input<4611686018427387904>>>);                                  // 2^62 values, 2^64 bytes
static_assert(fits<network<input<2305843009213693951>>>);                                   // 2^61 - 1 values
static_assert(!fits<network<input<8, 8, 1>, conv<filters<1>, kernel<1>, pad<0, 9223372036854775805ull>>>>);  // width
using big = conv<filters<1>, kernel<2049>, pad<1024>>;  // about 2^62 MACs each
static_assert(fits<network<input<1048576, 1048576, 1>, big, big, big>>);
static_assert(!fits<network<input<1048576, 1048576, 1>, big, big, big, big>>);               // total MACs
// Large counts that fit are exact.
using huge = network<input<2097152, 2097152, 1024>, conv<filters<1>, kernel<1>>>;
static_assert(mac_count<huge> == std::size_t{2097152} * 2097152 * 1024);  // outputs x weights per filter
static_assert(output_shape<huge> == volume(2097152, 2097152, 1));
// Rounding up near the top of the range does not wrap ((N + 2P - F) / S, rounded up, without N + 2P - F + S - 1).
static_assert(output_extent(window_axis{.n = max - 1, .f = 1, .pad_before = 0, .pad_after = 0, .s = max}, rounding::up) == 1);
}  // namespace
