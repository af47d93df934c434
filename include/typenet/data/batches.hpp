// Seeded shuffling that gives the same order on every platform, and mini-batches over an order.
#pragma once

#include <typenet/kernels/isa.hpp>
#include <typenet/data/idx.hpp>
#include <typenet/init.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace typenet::data {
// Keyed on the ISA, as the kernels: every function here is compiled for the unit's instruction set
// (kernels/isa.hpp), so units built for different ISAs never share one.
inline namespace TYPENET_ISA_NAMESPACE {


namespace detail {

/// Uniform in [0, bound), bound > 0, without modulo bias: draws below 2^64 mod bound are
/// rejected, so that every residue has the same number of draws (as OpenBSD's arc4random_uniform).
constexpr std::uint64_t uniform_below(seeded_random& r, std::uint64_t bound) {
  const std::uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
  for (;;)
    if (const std::uint64_t x = r.next(); x >= threshold) return x % bound;
}

}  // namespace detail

/// A permutation of 0 .. n-1, the same for the same (seed, epoch) with every compiler and
/// standard library: Fisher-Yates over splitmix64 (std::shuffle and std::uniform_int_distribution
/// are implementation-defined). A different epoch gives an unrelated order.
inline std::vector<std::size_t> shuffled_order(std::size_t n, std::uint64_t seed, std::uint64_t epoch) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Hash (seed, epoch) into the start state: seed + epoch alone would give epochs whose
  // splitmix64 sequences are the same one shifted by a step.
  seeded_random r(seeded_random(seeded_random(seed).next() ^ epoch).next());
  for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[detail::uniform_below(r, i)]);
  return order;
}

/// The number of mini-batches of (at most) `batch` samples in n samples: the last one is
/// short when batch does not divide n. batch_count(10, 4) == 3 (4, 4, 2).
inline std::size_t batch_count(std::size_t n, std::size_t batch) {
  if (batch == 0) throw std::invalid_argument("typenet: batch_count: the batch size is 0");
  return n / batch + (n % batch != 0);
}

/// The indices of mini-batch b (0-based) in order: order[b * batch ...], `batch` of them, fewer
/// for the last batch. b must be below batch_count(order.size(), batch).
inline std::span<const std::size_t> batch_indices(std::span<const std::size_t> order, std::size_t b, std::size_t batch) {
  if (b >= batch_count(order.size(), batch))
    throw std::out_of_range("typenet: batch_indices: batch " + std::to_string(b) + " of " +
                            std::to_string(batch_count(order.size(), batch)) + " (" + std::to_string(order.size()) +
                            " samples in batches of " + std::to_string(batch) + ")");
  const std::size_t first = b * batch;
  return order.subspan(first, std::min(batch, order.size() - first));
}

/// Copies the samples `indices` names, back to back, into x (indices.size() * d.sample.size()
/// floats) and their labels into labels (indices.size()). Throws std::invalid_argument for
/// wrong sizes and std::out_of_range for an index past d.count.
inline void gather(const dataset& d, std::span<const std::size_t> indices, std::span<float> x, std::span<std::uint8_t> labels) {
  const std::size_t s = d.sample.size();
  if (x.size() != indices.size() * s)
    throw std::invalid_argument("typenet: gather: x holds " + std::to_string(x.size()) + " floats, " +
                                std::to_string(indices.size()) + " samples of " + std::to_string(s) + " need " +
                                std::to_string(indices.size() * s));
  if (labels.size() != indices.size())
    throw std::invalid_argument("typenet: gather: labels holds " + std::to_string(labels.size()) + " values, " +
                                std::to_string(indices.size()) + " samples need as many");
  for (std::size_t k = 0; k < indices.size(); ++k)  // all checked before any copy: x is untouched on error
    if (indices[k] >= d.count)
      throw std::out_of_range("typenet: gather: index " + std::to_string(indices[k]) + " (at position " + std::to_string(k) +
                              ") is past the dataset's " + std::to_string(d.count) + " samples");
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const std::size_t i = indices[k];
    std::copy_n(d.images.begin() + static_cast<std::ptrdiff_t>(i * s), s, x.begin() + static_cast<std::ptrdiff_t>(k * s));
    labels[k] = d.labels[i];
  }
}

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::data
