// Pictures of a network: a conv layer's filters and a volume's activation maps as tiled 8-bit images.
//
// As CS231N's lecture 5 shows them: the first layer's filters side by side
// (colour when they see RGB), and one image's activation maps, one tile per
// channel. Each tile is stretched to the 0..255 range of its own values (or of
// the whole grid's), upscaled by repeating pixels, with a gap between tiles.
// No file format here: io/png.hpp writes an image as a PNG file.
#pragma once

#include <typenet/network.hpp>
#include <typenet/shape.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace typenet::pictures {

/// An 8-bit image: rows top to bottom, pixels left to right, each `channels`
/// values (1: grey, 3: RGB), 0 dark to 255 bright.
struct image {
  std::size_t width = 0;
  std::size_t height = 0;
  std::size_t channels = 1;
  std::vector<std::uint8_t> pixels;  ///< width * height * channels values

  image() = default;
  image(std::size_t w, std::size_t h, std::size_t c, std::uint8_t fill = 0)
      : width(w), height(h), channels(c), pixels(w * h * c, fill) {}
  /// Channel c of the pixel in column x, row y.
  std::uint8_t& operator()(std::size_t x, std::size_t y, std::size_t c = 0) {
    return pixels[(y * width + x) * channels + c];
  }
  std::uint8_t operator()(std::size_t x, std::size_t y, std::size_t c = 0) const {
    return pixels[(y * width + x) * channels + c];
  }
};

/// Which values set the range a tile is stretched over.
enum class normalise {
  per_tile,  ///< each tile its own minimum and maximum (CS231N's visualize_grid)
  whole,     ///< one minimum and maximum for the whole grid: tiles compare with each other
};

/// How tiles are laid out and drawn.
struct grid_options {
  std::size_t scale = 1;          ///< each value becomes scale x scale pixels
  std::size_t gap = 1;            ///< pixels between neighbouring tiles (none around the grid)
  std::size_t columns = 0;        ///< tiles per row; 0: ceil(sqrt(tiles))
  std::uint8_t gap_level = 255;   ///< the grey of the gaps and of empty places
  normalise range = normalise::per_tile;
};

/// Where the tiles of a grid go: `tiles` tiles of tile_height x tile_width
/// values each, row after row of `columns`.
struct grid {
  std::size_t tiles = 0, tile_height = 0, tile_width = 0;
  std::size_t columns = 1, rows = 0, scale = 1, gap = 0;

  /// The image's size in pixels.
  std::size_t width() const { return columns * tile_width * scale + (columns - 1) * gap; }
  std::size_t height() const { return rows * tile_height * scale + (rows ? rows - 1 : 0) * gap; }
  /// The top-left pixel of tile t (column x(t), row y(t)).
  std::size_t x(std::size_t t) const { return t % columns * (tile_width * scale + gap); }
  std::size_t y(std::size_t t) const { return t / columns * (tile_height * scale + gap); }
};

/// The layout of `tiles` tiles of tile_height x tile_width values under o.
inline grid make_grid(std::size_t tiles, std::size_t tile_height, std::size_t tile_width, const grid_options& o) {
  if (tiles == 0 || tile_height == 0 || tile_width == 0 || o.scale == 0)
    throw std::invalid_argument("typenet: pictures: a grid needs a tile of at least 1 x 1 values, and scale >= 1");
  std::size_t columns = o.columns;
  if (columns == 0)
    while (columns * columns < tiles) ++columns;
  columns = std::min(columns, tiles);
  return {tiles, tile_height, tile_width, columns, (tiles + columns - 1) / columns, o.scale, o.gap};
}

/// v's grey level when [lo, hi] spans 0..255: floor(255 (v - lo) / (hi - lo) + 0.5),
/// clamped; 0 when the range is empty (a constant tile is black).
inline std::uint8_t level(double v, double lo, double hi) {
  if (!(hi > lo)) return 0;
  const double x = std::floor(255.0 * (v - lo) / (hi - lo) + 0.5);
  return static_cast<std::uint8_t>(std::clamp(x, 0.0, 255.0));
}

namespace detail {
struct range {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  void add(double v) { lo = std::min(lo, v), hi = std::max(hi, v); }
};

/// Draws the grid g with `channels` channels: value(t, i, j, c) is tile t's value at row i,
/// column j, channel c; span(t) the range tile t is stretched over.
template <class Value, class Range>
image draw(const grid& g, std::size_t channels, std::uint8_t gap_level, Value value, Range span) {
  image im(g.width(), g.height(), channels, gap_level);
  for (std::size_t t = 0; t < g.tiles; ++t) {
    const range r = span(t);
    for (std::size_t i = 0; i < g.tile_height; ++i)
      for (std::size_t j = 0; j < g.tile_width; ++j)
        for (std::size_t c = 0; c < channels; ++c) {
          const std::uint8_t v = level(value(t, i, j, c), r.lo, r.hi);
          for (std::size_t dy = 0; dy < g.scale; ++dy)
            for (std::size_t dx = 0; dx < g.scale; ++dx)
              im(g.x(t) + j * g.scale + dx, g.y(t) + i * g.scale + dy, c) = v;
        }
  }
  return im;
}
}  // namespace detail

/// The filters of a conv layer as a grid: `weights` in typenet's HWIO order
/// (F_h x F_w x C x K, `hwio` those extents, as model::weights<K>() holds them).
/// One tile per filter, in colour when C is 3 (the input's RGB) and grey when C
/// is 1; for any other C, one grey tile per filter and input channel, a row
/// per filter (o.columns is then C). Per tile, a filter is stretched over its
/// own values, all its channels together. Throws std::invalid_argument if the
/// sizes disagree.
inline image filter_grid(std::span<const float> weights, std::array<std::size_t, 4> hwio, grid_options o = {}) {
  const auto [fh, fw, c, k] = hwio;
  if (weights.size() != fh * fw * c * k)
    throw std::invalid_argument("typenet: filter_grid: " + std::to_string(weights.size()) + " weights for filters of " +
                                std::to_string(fh) + " x " + std::to_string(fw) + " x " + std::to_string(c) + " x " +
                                std::to_string(k) + " (HWIO)");
  const bool together = c == 1 || c == 3;  // a filter is one tile
  if (!together) o.columns = c;
  const grid g = make_grid(together ? k : k * c, fh, fw, o);
  const auto at = [&](std::size_t i, std::size_t j, std::size_t ch, std::size_t f) {
    return static_cast<double>(weights[((i * fw + j) * c + ch) * k + f]);
  };
  const auto filter_range = [&](std::size_t f) {
    detail::range r;
    for (std::size_t i = 0; i < fh; ++i)
      for (std::size_t j = 0; j < fw; ++j)
        for (std::size_t ch = 0; ch < c; ++ch) r.add(at(i, j, ch, f));
    return r;
  };
  detail::range all;
  for (float w : weights) all.add(w);
  const auto span = [&](std::size_t t) {
    return o.range == normalise::whole ? all : filter_range(together ? t : t / c);
  };
  if (together)
    return detail::draw(
        g, c, o.gap_level, [&](std::size_t t, std::size_t i, std::size_t j, std::size_t ch) { return at(i, j, ch, t); },
        span);
  return detail::draw(
      g, 1, o.gap_level, [&](std::size_t t, std::size_t i, std::size_t j, std::size_t) { return at(i, j, t % c, t / c); },
      span);
}

/// The filters of conv layer K of model m (any model<Net>): `filter_grid<"conv1">(m, {.scale = 8})`.
template <layer_key K, class Model>
image filter_grid(const Model& m, const grid_options& o = {}) {
  using Net = typename Model::network;
  static_assert(Model::template tensors<K>.size() > 0 && Model::template tensors<K>[0].layout == "HWIO",
                "typenet: filter_grid draws a conv layer's weight (F_h x F_w x C x K, HWIO); this layer has none");
  constexpr std::size_t I = position_of<Net, K>;
  const std::span<const float> weights = m.parameters().subspan(param_offset<Net, I>, weight_count<Net, I>);
  return filter_grid(weights, Model::template weight_shape<K>, o);
}

/// A volume's activation maps as a grid: `values` (s.size() values, HWC), one
/// H x W tile per channel. A flat vector (dense outputs) is one tile of its
/// values row after row, ceil(sqrt(n)) to a row, stretched over all of them.
/// Throws std::invalid_argument if the sizes disagree.
inline image activation_grid(std::span<const float> values, shape s, const grid_options& o = {}) {
  if (values.size() != s.size() || s.size() == 0)
    throw std::invalid_argument("typenet: activation_grid: " + std::to_string(values.size()) +
                                " values for a volume of " + std::to_string(s.height) + " x " +
                                std::to_string(s.width) + " x " + std::to_string(s.depth));
  detail::range all;
  for (float v : values) all.add(v);
  if (s.flat) {
    std::size_t cols = 1;
    while (cols * cols < values.size()) ++cols;
    const std::size_t rows = (values.size() + cols - 1) / cols;
    const grid g = make_grid(1, rows, cols, o);
    image im = detail::draw(
        g, 1, o.gap_level,
        [&](std::size_t, std::size_t i, std::size_t j, std::size_t) {
          return static_cast<double>(values[std::min(i * cols + j, values.size() - 1)]);
        },
        [&](std::size_t) { return all; });
    for (std::size_t n = values.size(); n < rows * cols; ++n)  // the places past the last value
      for (std::size_t dy = 0; dy < o.scale; ++dy)
        for (std::size_t dx = 0; dx < o.scale; ++dx)
          im(n % cols * o.scale + dx, n / cols * o.scale + dy) = o.gap_level;
    return im;
  }
  const grid g = make_grid(s.depth, s.height, s.width, o);
  const auto at = [&](std::size_t t, std::size_t i, std::size_t j, std::size_t) {
    return static_cast<double>(values[(i * s.width + j) * s.depth + t]);
  };
  return detail::draw(g, 1, o.gap_level, at, [&](std::size_t t) {
    if (o.range == normalise::whole) return all;
    detail::range r;
    for (std::size_t i = 0; i < s.height; ++i)
      for (std::size_t j = 0; j < s.width; ++j) r.add(at(t, i, j, 0));
    return r;
  });
}

}  // namespace typenet::pictures
