// Seeded shuffling (a permutation, deterministic, new each epoch, unbiased) and mini-batches over an order.
#include <typenet/data/batches.hpp>

#include <doctest/doctest.h>

#include "../seed.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace {
using namespace typenet::data;
using indices = std::vector<std::size_t>;

TEST_SUITE_BEGIN("data/batches");  // -ts='*batch*'

bool is_permutation_of_iota(indices v) {
  std::sort(v.begin(), v.end());
  for (std::size_t i = 0; i < v.size(); ++i)
    if (v[i] != i) return false;
  return true;
}

TEST_CASE("shuffled_order: a permutation of 0 .. n-1, the same for the same seed and epoch") {
  const std::uint64_t seed = typenet::testing::fresh_seed();
  for (std::size_t n : {0u, 1u, 2u, 3u, 10u, 1000u, 60000u}) {
    CAPTURE(n);
    const indices a = shuffled_order(n, seed, 0);
    CHECK(a.size() == n);
    CHECK(is_permutation_of_iota(a));
    CHECK(shuffled_order(n, seed, 0) == a);
  }
}

TEST_CASE("shuffled_order: another epoch or another seed gives another order") {
  const std::uint64_t seed = typenet::testing::fresh_seed();
  const indices e0 = shuffled_order(1000, seed, 0);
  CHECK(shuffled_order(1000, seed, 1) != e0);
  CHECK(shuffled_order(1000, seed + 1, 0) != e0);
  CHECK(shuffled_order(1000, seed ^ 1, 1) != shuffled_order(1000, seed, 0));
  // Consecutive epochs are not one order shifted or mostly kept: few positions agree (1 expected).
  const indices e1 = shuffled_order(1000, seed, 1);
  std::size_t same = 0;
  for (std::size_t i = 0; i < 1000; ++i) same += e0[i] == e1[i];
  CHECK(same < 10);
}

TEST_CASE("shuffled_order: fixed by the algorithm, not by the platform") {
  // Computed by a Python transcription of splitmix64, the rejection draw and Fisher-Yates
  // (not by this code): a change of compiler or standard library must not change them.
  CHECK(shuffled_order(10, 42, 0) == indices{6, 1, 8, 5, 2, 7, 4, 3, 9, 0});
  CHECK(shuffled_order(10, 42, 1) == indices{9, 0, 5, 3, 7, 2, 8, 1, 6, 4});
  CHECK(shuffled_order(20, 7, 3) == indices{1, 8, 2, 4, 7, 18, 12, 3, 0, 13, 19, 9, 11, 14, 15, 16, 5, 10, 6, 17});
}

TEST_CASE("shuffled_order: each of the 6 orders of 3 comes up about equally often") {
  const std::uint64_t seed = typenet::testing::fresh_seed();
  std::map<indices, int> seen;
  for (std::uint64_t epoch = 0; epoch < 6000; ++epoch) ++seen[shuffled_order(3, seed, epoch)];
  CHECK(seen.size() == 6);
  for (const auto& [order, times] : seen) CHECK((times > 850 && times < 1150));  // 1000 +- 5 standard deviations
}

TEST_CASE("batch_count and batch_indices: batches of B in order, the last one short") {
  const indices order = shuffled_order(10, typenet::testing::fresh_seed(), 0);
  CHECK(batch_count(10, 4) == 3);
  CHECK(batch_count(12, 4) == 3);
  CHECK(batch_count(0, 4) == 0);
  CHECK(batch_count(3, 100) == 1);
  indices joined;
  for (std::size_t b = 0; b < batch_count(order.size(), 4); ++b) {
    const auto batch = batch_indices(order, b, 4);
    CHECK(batch.size() == (b < 2 ? 4u : 2u));
    CHECK(batch.data() == order.data() + 4 * b);  // a view into the order, no copy
    joined.insert(joined.end(), batch.begin(), batch.end());
  }
  CHECK(joined == order);
  CHECK_THROWS_WITH_AS(batch_indices(order, 3, 4), "typenet: batch_indices: batch 3 of 3 (10 samples in batches of 4)", std::out_of_range);
  CHECK_THROWS_WITH_AS(batch_count(10, 0), "typenet: batch_count: the batch size is 0", std::invalid_argument);
}

dataset small_set() {
  dataset d;
  d.sample = typenet::volume(1, 2, 1);
  d.count = 4;
  d.images = {0.f, 0.5f, 1.f, 1.5f, 2.f, 2.5f, 3.f, 3.5f};  // sample i is {i, i + 0.5}
  d.labels = {10, 11, 12, 13};
  d.classes = 14;
  return d;
}

TEST_CASE("gather: copies the samples a batch names back to back, with their labels") {
  const dataset d = small_set();
  const indices batch{3, 0, 2};
  std::vector<float> x(6, -1.f);
  std::vector<std::uint8_t> y(3);
  gather(d, batch, x, y);
  CHECK(x == std::vector<float>{3.f, 3.5f, 0.f, 0.5f, 2.f, 2.5f});
  CHECK(y == std::vector<std::uint8_t>{13, 10, 12});
}

TEST_CASE("gather: wrong sizes and an index past the dataset are errors, and leave x as it was") {
  const dataset d = small_set();
  std::vector<float> x(4, -1.f);
  std::vector<std::uint8_t> y(2);
  CHECK_THROWS_WITH_AS(gather(d, indices{0, 1, 2}, x, y), "typenet: gather: x holds 4 floats, 3 samples of 2 need 6",
                       std::invalid_argument);
  CHECK_THROWS_WITH_AS(gather(d, indices{0, 1}, x, std::span<std::uint8_t>(y).first(1)),
                       "typenet: gather: labels holds 1 values, 2 samples need as many", std::invalid_argument);
  CHECK_THROWS_WITH_AS(gather(d, indices{1, 4}, x, y), "typenet: gather: index 4 (at position 1) is past the dataset's 4 samples",
                       std::out_of_range);
  CHECK(x == std::vector<float>(4, -1.f));
}

TEST_CASE("an epoch of mini-batches sees every sample once") {
  dataset d;
  d.sample = typenet::flat(1);
  d.count = 103;
  d.images.resize(103);
  d.labels.resize(103);
  std::iota(d.images.begin(), d.images.end(), 0.f);
  const std::size_t B = 16;
  std::vector<float> x(B);
  std::vector<std::uint8_t> y(B);
  std::vector<int> times(103);
  const indices order = shuffled_order(d.count, typenet::testing::fresh_seed(), 5);
  for (std::size_t b = 0; b < batch_count(d.count, B); ++b) {
    const auto batch = batch_indices(order, b, B);
    gather(d, batch, std::span(x).first(batch.size()), std::span(y).first(batch.size()));
    for (std::size_t k = 0; k < batch.size(); ++k) ++times[static_cast<std::size_t>(x[k])];
  }
  CHECK(std::all_of(times.begin(), times.end(), [](int t) { return t == 1; }));
}

TEST_SUITE_END();

}  // namespace
