// Test support: a small data set a tiny network learns in a few epochs, and temporary file names.
#pragma once

#include <typenet/data/idx.hpp>
#include <typenet/shape.hpp>

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>

namespace typenet::testing {

/// n 8x8x1 samples of three classes, each a brighter band in another third of the image, with noise.
inline data::dataset bands(std::size_t n, std::uint64_t seed) {
  data::dataset d;
  d.sample = volume(8, 8, 1);
  d.count = n;
  d.classes = 3;
  d.images.resize(n * 64);
  d.labels.resize(n);
  std::mt19937_64 g(seed);
  std::uniform_real_distribution<float> u(0.f, 0.5f);
  for (std::size_t s = 0; s < n; ++s) {
    d.labels[s] = static_cast<std::uint8_t>(g() % 3);
    for (std::size_t i = 0; i < 64; ++i) d.images[s * 64 + i] = u(g) + ((i % 8) / 3 == d.labels[s] ? 0.5f : 0.f);
  }
  return d;
}

/// A path in the temporary directory unique to this process: "typenet-<test>-<pid>-<name>".
inline std::filesystem::path temp_path(const std::string& test, const std::string& name) {
  return std::filesystem::temp_directory_path() / ("typenet-" + test + "-" + std::to_string(::getpid()) + "-" + name);
}

}  // namespace typenet::testing
