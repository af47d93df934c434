// Test support: the seed of the runtime tests' random data.
//
// TYPENET_TEST_SEED=<decimal 64-bit unsigned> fixes it (to repeat a failing run);
// unset or empty, each run draws a fresh one from std::random_device. A value
// that is not such a number is an error, reported before any test runs.
#pragma once

#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <system_error>

namespace typenet::testing {

inline constexpr const char* seed_variable = "TYPENET_TEST_SEED";

/// The seed TYPENET_TEST_SEED names, nullopt if unset or empty; an error message if it is not
/// a decimal unsigned 64-bit number (no sign, no spaces, no other characters).
struct seed_setting {
  std::optional<std::uint64_t> seed;
  std::string error;
};

inline seed_setting parse_seed(std::string_view text) {
  if (text.empty()) return {};
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, 10);
  if (ec == std::errc::result_out_of_range)
    return {std::nullopt, "TYPENET_TEST_SEED=" + std::string(text) + " is larger than 18446744073709551615"};
  if (ec != std::errc{} || end != text.data() + text.size())
    return {std::nullopt, "TYPENET_TEST_SEED=" + std::string(text) +
                              " is not a seed: give a decimal number from 0 to 18446744073709551615, or unset it"};
  return {v, {}};
}

inline seed_setting seed_from_environment() {
  const char* text = std::getenv(seed_variable);
  return parse_seed(text ? std::string_view(text) : std::string_view());
}

/// The seed of this run: TYPENET_TEST_SEED's, or a fresh one. A bad TYPENET_TEST_SEED
/// ends the program with a message (the runner checks it first, so tests never see it).
inline std::uint64_t fresh_seed() {
  static const std::uint64_t seed = [] {
    const seed_setting s = seed_from_environment();
    if (!s.error.empty()) {
      std::fprintf(stderr, "typenet tests: %s\n", s.error.c_str());
      std::exit(2);
    }
    if (s.seed) return *s.seed;
    std::random_device rd;
    return (std::uint64_t{rd()} << 32) | rd();
  }();
  return seed;
}

}  // namespace typenet::testing
