// Shapes of the volumes that flow between layers: H x W x C volumes and flat vectors.
#pragma once

#include <cstddef>

namespace typenet {

/// What a layer hands to the next one. Volumes are H x W x C, as the lecture
/// writes them; in memory they are row-major HWC (channels fastest). A flat
/// vector of N numbers is 1 x 1 x N with `flat` set, so that layers that need
/// spatial structure (convolution, pooling) can reject it.
struct shape {
  std::size_t height = 0;
  std::size_t width = 0;
  std::size_t depth = 0;
  bool flat = false;

  /// Number of values (floats) the volume holds.
  constexpr std::size_t size() const { return height * width * depth; }
  /// False for the placeholder that follows a rejected layer (no extent is 0;
  /// not size() != 0, which a product wrapping past 2^64 could make 0).
  constexpr bool valid() const { return height != 0 && width != 0 && depth != 0; }

  friend constexpr bool operator==(shape, shape) = default;
};

/// An H x W x C volume: `volume(32, 32, 3)`.
constexpr shape volume(std::size_t height, std::size_t width, std::size_t depth) {
  return shape{height, width, depth, false};
}

/// A flat vector of n values, what `flatten` and `dense` produce.
constexpr shape flat(std::size_t n) { return shape{1, 1, n, true}; }

/// The shape after a layer that was rejected: later layers skip their checks
/// on it, so one bad layer gives one error.
inline constexpr shape rejected{};

}  // namespace typenet
