// avg_pool against PyTorch's nn.AvgPool2d, count_include_pad True (count_padding) and False (the default).
//
// The expected values are tests/fixtures/avg_pool.bin, written by tools/make-avg-pool-fixture with
// Debian's python3-torch in float64 (the script documents the cases and the file). Each record is
// checked against the double reference (forward and backward) and against the float kernels the
// model and the trainer run (forward, backward_kernel).
#include <typenet/model.hpp>
#include <typenet/reference.hpp>
#include <typenet/train/backprop.hpp>
#include <typenet/typenet.hpp>

#include <doctest/doctest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#ifndef TYPENET_FIXTURES_DIR
#error "TYPENET_FIXTURES_DIR must name tests/fixtures (tests/meson.build sets it)"
#endif

namespace {
using namespace typenet;

/// One record of the fixture: the geometry PyTorch ran, then x, gy, y, gx in H x W x C order.
struct record {
  std::array<std::uint64_t, 13> header{};  // H, W, C, kH, kW, sH, sW, pH, pW, ceil_mode, count_include_pad, OH, OW
  std::vector<double> x, gy, y, gx;
};

std::vector<record> read_fixture() {
  const std::string path = std::string(TYPENET_FIXTURES_DIR) + "/avg_pool.bin";
  std::ifstream f(path, std::ios::binary);
  REQUIRE_MESSAGE(f, "cannot open " << path);
  char magic[8];
  std::uint64_t count = 0;
  f.read(magic, 8);
  f.read(reinterpret_cast<char*>(&count), 8);
  REQUIRE_MESSAGE((f && std::memcmp(magic, "tnavgp01", 8) == 0), path << " is not an avg_pool fixture");
  REQUIRE(count < 1000);
  auto doubles = [&](std::size_t n) {
    std::vector<double> v(n);
    f.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * sizeof(double)));
    return v;
  };
  std::vector<record> records(count);
  for (record& r : records) {
    f.read(reinterpret_cast<char*>(r.header.data()), sizeof r.header);
    REQUIRE_MESSAGE(f, path << " is truncated");
    const std::size_t in = r.header[0] * r.header[1] * r.header[2], out = r.header[11] * r.header[12] * r.header[2];
    REQUIRE_MESSAGE((in < 100'000 && out < 100'000), path << ": a record's sizes are not plausible");
    r.x = doubles(in);
    r.gy = doubles(out);
    r.y = doubles(out);
    r.gx = doubles(in);
    REQUIRE_MESSAGE(f, path << " is truncated");
  }
  f.peek();
  REQUIRE_MESSAGE(f.eof(), path << " has bytes past its last record");
  return records;
}

/// Counts (and reports the first few of) the values of `got` farther than `tol` from PyTorch's.
template <class T>
std::size_t differences(const std::vector<T>& got, const std::vector<double>& want, double tol, const char* what) {
  std::size_t bad = 0;
  for (std::size_t i = 0; i < want.size(); ++i)
    if (!(std::abs(static_cast<double>(got[i]) - want[i]) <= tol))  // NaN fails too
      if (bad++ < 5) FAIL_CHECK(what << " " << i << ": typenet " << got[i] << ", PyTorch " << want[i]);
  return bad;
}

/// Checks avg_pool layer L on input In against record r: its geometry first, then the values.
template <shape In, class L>
void check_record(const record& r) {
  using Net = network<input<In.height, In.width, In.depth>, L>;
  using B = bound_at<Net, 1>;
  using G = typename L::geometry;
  constexpr shape Out = B::output;
  constexpr bool counts_padding = L::op == pool_op::average_counting_padding;
  static_assert(G::pads.top == G::pads.bottom && G::pads.left == G::pads.right, "PyTorch pads symmetrically");
  static_assert(contract::has_kernel<L, In, Out, kernels::identity> &&
                    contract::has_backward_kernel<L, In, Out, simd::isa_tag>,
                "the float path below is to run avg_pool's kernels");
  const std::array<std::uint64_t, 13> expected{In.height, In.width, In.depth, G::window_size.height,
                                               G::window_size.width, G::strides.height, G::strides.width,
                                               G::pads.top, G::pads.left, G::round == rounding::up,
                                               counts_padding, Out.height, Out.width};
  INFO(L::describe() << " on " << In.height << "x" << In.width << "x" << In.depth << ", ISA " << simd::isa());
  REQUIRE_MESSAGE(r.header == expected, "the fixture's record is another case (regenerate it, or list the cases "
                                        "in the order of tools/make-avg-pool-fixture)");
  constexpr std::size_t in = In.size(), out = Out.size();

  // The double reference, forward and backward: only the order of the sums differs from PyTorch.
  std::vector<double> y(out), gx(in), no_params(1);
  reference::forward<Net, double>(no_params.data(), r.x.data(), y.data());
  reference::backward<Net, double>(no_params.data(), r.x.data(), r.gy.data(), no_params.data(), gx.data());
  CHECK(differences(y, r.y, 1e-12, "reference output") == 0);
  CHECK(differences(gx, r.gx, 1e-12, "reference input gradient") == 0);

  // The float kernels: the model's forward, the layer's backward_kernel as the trainer runs it.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> xf(r.x.begin(), r.x.end()), gyf(r.gy.begin(), r.gy.end()), yf(out, nan), gxf(in, nan);
  model<Net> m;
  m.forward(std::span<const float>(xf), std::span<float>(yf));
  std::vector<float> scratch(train_plan<Net>::scratch_floats + 16, nan), pf(1, 0.f);
  train::backward_layer<Net, 1>(pf.data(), xf.data(), yf.data(), gyf.data(), gxf.data(), pf.data(), 1,
                                scratch.data());
  // Inputs in [-1, 1) rounded to float, at most 25 of them summed: well inside 1e-5.
  CHECK(differences(yf, r.y, 1e-5, "kernel output") == 0);
  CHECK(differences(gxf, r.gx, 1e-5, "kernel input gradient") == 0);
}

/// The two records of one case: count_include_pad=True (count_padding) first, then False.
template <shape In, class... Options>
void check_case(const std::vector<record>& records, std::size_t& next) {
  REQUIRE(next + 2 <= records.size());
  check_record<In, avg_pool<Options..., count_padding>>(records[next]);
  check_record<In, avg_pool<Options...>>(records[next + 1]);
  // Every case has padding, so the two conventions must give different averages somewhere:
  // else the fixture could not tell them apart.
  CHECK_MESSAGE(records[next].y != records[next + 1].y, "count_include_pad made no difference");
  next += 2;
}

}  // namespace

TEST_CASE("avg_pool = PyTorch's nn.AvgPool2d, with count_padding (count_include_pad=True) and without") {
  const std::vector<record> records = read_fixture();
  std::size_t next = 0;
  // The cases of tools/make-avg-pool-fixture, in its order; ceil_mode=False is round_down, True round_up.
  check_case<volume(5, 5, 3), window<3>, stride<1>, pad<1>, round_down>(records, next);
  check_case<volume(7, 6, 2), window<3>, stride<2>, pad<1>, round_up>(records, next);
  check_case<volume(6, 6, 4), window<2>, stride<2>, pad<1>, round_down>(records, next);
  check_case<volume(7, 5, 2), window<3, 2>, stride<2, 1>, pad<1, 0>, round_up>(records, next);
  check_case<volume(5, 5, 17), window<3>, stride<2>, pad<1>, round_down>(records, next);
  check_case<volume(4, 4, 1), window<4>, stride<3>, pad<2>, round_up>(records, next);
  check_case<volume(3, 3, 2), window<5>, stride<1>, pad<2>, round_down>(records, next);
  CHECK_MESSAGE(next == records.size(), "the fixture holds cases this test does not run");
}

TEST_CASE("count_padding shows in describe(), so in the architecture and its signature") {
  CHECK(avg_pool<window<3>, stride<1>, pad<1>, count_padding>::describe() == "avg_pool 3x3 s1 p1 count_padding");
  CHECK(avg_pool<window<3>, stride<1>, pad<1>>::describe() == "avg_pool 3x3 s1 p1");
}
