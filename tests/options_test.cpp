// Static tests of labelled options: lookup by label, defaults, per-axis spellings.
#include <typenet/options.hpp>

#include <type_traits>

namespace {
namespace tn = typenet;
using tn::label::pad;
using tn::label::stride;

static_assert(std::is_same_v<tn::option_t<stride, tn::stride<1>, tn::kernel<3>, tn::stride<2>>, tn::stride<2>>);
static_assert(std::is_same_v<tn::option_t<stride, tn::stride<1>, tn::kernel<3>>, tn::stride<1>>);  // default
static_assert(std::is_same_v<tn::kernel<5>, tn::kernel<5, 5>>);
static_assert(tn::kernel<3, 1>::value.height == 3 && tn::kernel<3, 1>::value.width == 1);
static_assert(tn::pad<1, 2>::value.top == 1 && tn::pad<1, 2>::value.bottom == 1);
static_assert(tn::pad<1, 2>::value.left == 2 && tn::pad<1, 2>::value.right == 2);
static_assert(tn::pad_sides<0, 1, 2, 3>::value.bottom == 1 && tn::pad_sides<0, 1, 2, 3>::value.right == 3);
static_assert(tn::count_label<pad, tn::pad<1>, tn::pad_same, tn::kernel<3>> == 2);
static_assert(tn::count_label<pad, tn::kernel<3>> == 0);
static_assert(tn::has_label<tn::pad_same, pad>);
static_assert(!tn::has_label<int, pad>);
static_assert(!tn::stride<0>::positive && !tn::filters<0>::positive && tn::filters<1>::positive);
static_assert(tn::slope<1, 100>::value == 0.01 && !tn::slope<1, 0>::positive);
}  // namespace

// name<"..."> is an option with its own label, holding its text.
namespace {
namespace tn = typenet;
static_assert(tn::has_label<tn::name<"conv1">, tn::label::name>);
static_assert(tn::name<"conv1">::value == "conv1" && tn::name<"conv1">::text.size() == 5);
static_assert(tn::fixed_string{"ab"}.view() == "ab");
static_assert(!std::is_same_v<tn::name<"a">, tn::name<"b">>);
}  // namespace
