// tensor<Shape>: a fixed-size, aligned volume of floats whose shape is a compile-time constant.
#pragma once

#include <typenet/shape.hpp>

#include <array>
#include <cstddef>
#include <span>

namespace typenet {

/// A volume of floats of shape S, stored HWC (channels fastest), 64-byte aligned.
/// It lives where you put it (stack, static, member): it never allocates.
template <shape S>
struct tensor {
  static constexpr shape dims = S;
  alignas(64) std::array<float, S.size()> values{};

  /// The value at row h, column w, channel c.
  constexpr float& operator()(std::size_t h, std::size_t w, std::size_t c) { return values[(h * S.width + w) * S.depth + c]; }
  constexpr float operator()(std::size_t h, std::size_t w, std::size_t c) const {
    return values[(h * S.width + w) * S.depth + c];
  }
  /// The i-th value in memory (HWC) order; for a flat vector, its i-th element.
  constexpr float& operator[](std::size_t i) { return values[i]; }
  constexpr float operator[](std::size_t i) const { return values[i]; }

  static constexpr std::size_t size() { return S.size(); }
  constexpr float* data() { return values.data(); }
  constexpr const float* data() const { return values.data(); }
  constexpr std::span<float, S.size()> span() { return values; }
  constexpr std::span<const float, S.size()> span() const { return values; }
};

}  // namespace typenet
