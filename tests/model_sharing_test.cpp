// model<Net> shared and misused: concurrent calls, batches beside single passes, moves, copies, aliased buffers.
#include "kernels/check.hpp"

#include <typenet/model.hpp>

#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

namespace {
using namespace typenet;

using small_net = network<input<12, 12, 3>, conv<filters<16>, kernel<3>, pad<1>>, relu, max_pool<window<2>>,
                          conv<filters<16>, kernel<3>, pad<1>>, relu, flatten, dense<units<32>>, relu, dense<units<10>>>;
constexpr std::size_t in_size = 12 * 12 * 3, out_size = 10;

std::vector<float> random_inputs(std::size_t n) {
  std::mt19937_64 g(testing::fresh_seed());
  std::vector<float> x(n * in_size);
  testing::fill(x, g);
  return x;
}

template <class M>
std::vector<float> one_by_one(const M& m, const std::vector<float>& x) {
  const std::size_t n = x.size() / in_size;
  std::vector<float> y(n * out_size);
  for (std::size_t s = 0; s < n; ++s)
    m.forward(std::span<const float>(x).subspan(s * in_size, in_size), std::span<float>(y).subspan(s * out_size, out_size));
  return y;
}

TEST_CASE("two threads calling forward on one model get what one thread gets") {
  const model<small_net> m(he_normal{11});
  const std::size_t n = 64;
  const std::vector<float> x = random_inputs(n), expected = one_by_one(m, x);
  std::atomic<std::size_t> wrong{0};
  auto work = [&](std::size_t first) {
    std::vector<float> y(out_size);
    for (std::size_t round = 0; round < 20; ++round)
      for (std::size_t s = first; s < n; s += 2) {
        m.forward(std::span<const float>(x).subspan(s * in_size, in_size), y);
        for (std::size_t i = 0; i < out_size; ++i) wrong += y[i] != expected[s * out_size + i];
      }
  };
  std::thread a(work, 0), b(work, 1);
  a.join();
  b.join();
  CHECK(wrong.load() == 0);
  CHECK(m.workspace_count() <= runtime::thread_pool::cores() + 0u);
}

TEST_CASE("forward_batch beside forward on one model: neither disturbs the other") {
  const model<small_net> m(he_normal{12});
  const std::size_t n = 24;
  const std::vector<float> x = random_inputs(n), single = one_by_one(m, x);
  std::vector<float> batch_expected(n * out_size);
  m.forward_batch(x, batch_expected, 1);
  std::atomic<std::size_t> wrong{0};
  std::thread batches([&] {
    std::vector<float> y(n * out_size);
    for (int r = 0; r < 10; ++r) {
      m.forward_batch(x, y, 2);
      wrong += y != batch_expected;
    }
  });
  std::thread singles([&] {
    for (int r = 0; r < 10; ++r) wrong += one_by_one(m, x) != single;
  });
  batches.join();
  singles.join();
  CHECK(wrong.load() == 0);
}

TEST_CASE("threads are capped at the cores, and so are the workspaces") {
  const model<small_net> m;
  const std::vector<float> x = random_inputs(64);
  std::vector<float> y(64 * out_size), y1(64 * out_size);
  m.forward_batch(x, y, 64);
  m.forward_batch(x, y1, 1);
  CHECK(y == y1);
  CHECK(m.workspace_count() >= 1);
  CHECK(m.workspace_count() <= runtime::thread_pool::cores());
}

TEST_CASE("a moved-from model refuses work with a clear error; assigning to it revives it") {
  model<small_net> a(he_normal{1}), b(he_normal{2});
  const std::vector<float> x = random_inputs(8);
  std::vector<float> y(8 * out_size), yb(8 * out_size);
  b.forward_batch(x, yb, 8);
  a = std::move(b);
  a.forward_batch(x, y, 8);
  CHECK(y == yb);  // a now has b's parameters
  CHECK_THROWS_WITH_AS(b.forward_batch(x, y, 8),
                       "typenet: this model was moved from and holds no parameters; assign a model to it before using it",
                       std::logic_error);
  CHECK_THROWS_AS(b.forward(std::span<const float>(x).first(in_size), std::span<float>(y).first(out_size)),
                  std::logic_error);
  CHECK_THROWS_AS(b.parameters(), std::logic_error);
  model<small_net> c(std::move(a));
  CHECK_THROWS_AS(a.forward_batch(x, y, 2), std::logic_error);
  b = c;  // a copy: same parameters, its own blocks
  b.forward_batch(x, y, 8);
  CHECK(y == yb);
  b.parameters()[0] += 1.f;
  CHECK(c.parameters()[0] != b.parameters()[0]);
}

TEST_CASE("in-place models copy and serialize concurrent calls") {
  using net = network<input<6, 6, 3>, conv<filters<8>, kernel<3>, pad<1>>, relu, max_pool<window<2>>, dense<units<5>>>;
  static model<net, storage::in_place> a(he_normal{4});
  static model<net, storage::in_place> b = a;
  model<net, storage::in_place>::input_tensor x;
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 5) - 2.f;
  const auto y = a.forward(x);
  CHECK(b.forward(x).values == y.values);
  std::atomic<int> wrong{0};
  auto work = [&] {
    for (int r = 0; r < 200; ++r) wrong += a.forward(x).values != y.values;
  };
  std::thread t1(work), t2(work);
  t1.join();
  t2.join();
  CHECK(wrong.load() == 0);
}

TEST_CASE("input and output in one buffer: forward works, forward_batch refuses") {
  // The case that gave wrong results: a 1x1 convolution 16 -> 16, input and output the same floats.
  using one_by_one_conv = network<input<4, 4, 16>, conv<filters<16>, kernel<1>>>;
  const model<one_by_one_conv> m(he_normal{9});
  std::mt19937_64 g(testing::fresh_seed());
  std::vector<float> buf(4 * 4 * 16), expected(4 * 4 * 16);
  testing::fill(buf, g);
  m.forward(std::span<const float>(buf), std::span<float>(expected));
  m.forward(std::span<const float>(buf), std::span<float>(buf));
  CHECK(buf == expected);

  // A longer network whose output overlaps its input's tail.
  const model<small_net> s(he_normal{3});
  std::vector<float> x = random_inputs(1), y(out_size);
  s.forward(std::span<const float>(x), std::span<float>(y));
  s.forward(std::span<const float>(x), std::span<float>(x).subspan(5, out_size));
  CHECK(std::vector<float>(x.begin() + 5, x.begin() + 5 + out_size) == y);

  std::vector<float> batch(2 * 4 * 4 * 16), before;
  testing::fill(batch, g);
  before = batch;
  CHECK_THROWS_WITH_AS(m.forward_batch(batch, batch),
                       "typenet: forward_batch: the input and the output overlap; a batch writes outputs while later "
                       "samples' inputs are still to be read. Give it separate buffers.",
                       std::invalid_argument);
  CHECK(batch == before);  // refused before anything was written
}
}  // namespace
