// PNG files of pictures (io/pictures.hpp) through stb_image_write: write_png.
//
// Needs Debian's libstb-dev (tools/install-deps installs it): the header
// <stb/stb_image_write.h> and its compiled library, which typenet_dep does not
// carry: link -lstb, or add `dependency('stb')` in meson (pkg-config stb). Only
// this header uses stb; io/pictures.hpp draws the images without it.
#pragma once

#include <typenet/io/pictures.hpp>

#include <stb/stb_image_write.h>

#include <climits>
#include <cstddef>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace typenet::pictures {

/// Writes im to `path` as a PNG file (8 bits per channel; grey, grey and
/// alpha, RGB or RGBA for 1 to 4 channels). Throws std::invalid_argument for
/// an image whose sizes disagree, std::runtime_error if the file cannot be written.
inline void write_png(const std::filesystem::path& path, const image& im) {
  if (im.width == 0 || im.height == 0 || im.channels == 0 || im.channels > 4 ||
      im.pixels.size() != im.width * im.height * im.channels || im.width * im.channels > INT_MAX || im.height > INT_MAX)
    throw std::invalid_argument("typenet: write_png: an image of " + std::to_string(im.width) + " x " +
                                std::to_string(im.height) + " pixels of " + std::to_string(im.channels) +
                                " channels needs 1 to 4 channels and width * height * channels = " +
                                std::to_string(im.width * im.height * im.channels) + " values; it holds " +
                                std::to_string(im.pixels.size()));
  const int w = static_cast<int>(im.width), h = static_cast<int>(im.height), c = static_cast<int>(im.channels);
  if (stbi_write_png(path.c_str(), w, h, c, im.pixels.data(), w * c) == 0)
    throw std::runtime_error("typenet: write_png: cannot write " + path.string());
}

}  // namespace typenet::pictures
