// summary<Net>(): a Keras/torchinfo-style table of a network's layers, available before any weights exist.
#pragma once

#include <typenet/network.hpp>

#include <boost/hana/for_each.hpp>

#include <algorithm>
#include <cstddef>
#include <iomanip>
#include <iostream>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>

namespace typenet {

/// 62378344 -> "62,378,344"
inline std::string with_thousands(std::size_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

/// "32x32x10" for a volume, "3072" for a flat vector, "rejected" after an error.
inline std::string to_string(shape s) {
  if (!s.valid()) return "rejected";
  if (s.flat) return std::to_string(s.depth);
  return std::to_string(s.height) + "x" + std::to_string(s.width) + "x" + std::to_string(s.depth);
}

/// Prints Net's layers (position, name if any layer has one, description,
/// output shape, weights, biases, parameters, MACs) and totals to `os`. The
/// layers of a residual or concat group are indented under it: its branch,
/// its shortcut, then the add or concat where they meet.
template <class Net>
void summary(std::ostream& os = std::cout, std::string_view title = {}) {
  constexpr auto& f = facts<Net>;
  // A name column only when some layer is named, as wide as the longest name.
  constexpr std::size_t name_width = [] {
    std::size_t w = 0;
    for (const layer_facts& l : f.layer) w = std::max(w, l.name.size());
    return w == 0 ? 0 : std::max<std::size_t>(w, 4);
  }();
  // The layer column: 26 wide, or as wide as the longest description.
  std::size_t layer_width = 26;
  // Layers inside a residual or concat group are indented two spaces per group.
  auto described = [](auto b) {
    using B = typename decltype(b)::type;
    return std::string(2 * B::depth, ' ') + B::layer::describe();
  };
  boost::hana::for_each(bound_layers<Net>, [&](auto b) { layer_width = std::max(layer_width, 1 + described(b).size()); });
  std::ostringstream table;
  auto row = [&](auto&& position, std::string_view name, auto&&... cells) {
    const int widths[] = {static_cast<int>(layer_width), 12, 12, 8, 12, 16};
    table << std::right << std::setw(4) << position;
    if (name_width != 0) table << "  " << std::left << std::setw(static_cast<int>(name_width)) << name;
    int i = 0;
    ((table << " " << (i == 0 ? std::left : std::right) << std::setw(widths[i]) << cells, ++i), ...);
    table << '\n';
  };
  const std::string rule(96 + (layer_width - 26) + (name_width == 0 ? 0 : name_width + 2), '-');
  if (!title.empty()) table << title << '\n';
  table << rule << '\n';
  row("#", "name", " layer", "output", "weights", "biases", "params", "MACs");
  table << rule << '\n';
  std::size_t i = 0;
  boost::hana::for_each(bound_layers<Net>, [&](auto b) {
    using B = typename decltype(b)::type;
    const layer_facts& l = f.layer[i++];
    row(B::position, B::name, " " + described(b), to_string(l.output), with_thousands(l.weights),
        with_thousands(l.biases), with_thousands(l.params), with_thousands(l.macs));
  });
  table << rule << '\n';
  table << "total params: " << with_thousands(f.params) << " (weights " << with_thousands(f.weights) << ", biases "
        << with_thousands(f.biases) << "), " << with_thousands(f.params * sizeof(float)) << " bytes as float\n";
  if (f.buffers != 0)
    table << "buffers (running statistics, not learned): " << with_thousands(f.buffers) << ", "
          << with_thousands(f.buffers * sizeof(float)) << " bytes as float\n";
  table << "MACs per sample: " << with_thousands(f.macs) << '\n';
  table << "largest activation: " << with_thousands(f.largest_activation) << " values ("
        << with_thousands(f.largest_activation * sizeof(float)) << " bytes as float)\n";
  os << table.str();
}

/// The summary as a string.
template <class Net>
std::string summary_string(std::string_view title = {}) {
  std::ostringstream os;
  summary<Net>(os, title);
  return os.str();
}

}  // namespace typenet
