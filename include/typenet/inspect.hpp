// layer_outputs: what every layer of a network gives for one sample, to look at (activation maps) or to debug.
//
// Each layer's own forward hook (contract.hpp), in order, as reference::forward
// runs them, but keeping every layer's output instead of only the last; the
// pictures of io/pictures.hpp draw them.
#pragma once

#include <typenet/bound.hpp>
#include <typenet/contract.hpp>
#include <typenet/kernels/isa.hpp>
#include <typenet/model.hpp>
#include <typenet/network.hpp>
#include <typenet/reference.hpp>
#include <typenet/shape.hpp>

#include <boost/hana/for_each.hpp>

#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace typenet {
// Keyed on the ISA, as the kernels the hooks call (kernels/isa.hpp).
inline namespace TYPENET_ISA_NAMESPACE {

/// One layer's output on one sample.
template <class T = float>
struct layer_output {
  std::size_t position = 0;  ///< the layer's position in the network (0: the input)
  std::string_view kind;     ///< "input", "conv", "relu", "max_pool", "flatten", "dense", ...
  std::string_view name;     ///< its full name ("conv1"), "" when it has none
  shape dims;                ///< the output's shape: H x W x C, or a flat vector
  std::vector<T> values;     ///< dims.size() values, HWC (channels fastest)

  /// The value at row h, column w, channel c.
  T operator()(std::size_t h, std::size_t w, std::size_t c) const {
    return values[(h * dims.width + w) * dims.depth + c];
  }
};

/// Every layer's output on one sample, in T, input first: element i is layer
/// i's output (position i), computed by its forward<In, Out, T> hook from
/// the elements of the layers it reads (i - 1, but for a branch's first layer
/// and where branches meet): reference::forward_all's, with names and shapes.
/// A layer that passes its input through (input, flatten) repeats the values
/// it reads under its own shape. `params`: param_count<Net>
/// values in the model's layout; `in`: input_shape<Net>.size() values, HWC.
/// The last element's values are reference::forward<Net, T>'s.
template <class Net, class T>
std::vector<layer_output<T>> layer_outputs(const T* params, std::span<const T> in) {
  constexpr auto& f = facts<Net>;
  static_assert(f.valid, "typenet: layer_outputs needs a network that passed its checks");
  static_assert(meets_contract<Net>);
  if (in.size() != f.input.size())
    throw std::invalid_argument("typenet: layer_outputs: the input holds " + std::to_string(in.size()) +
                                " values; the network takes " + std::to_string(f.input.size()));
  std::vector<std::vector<T>> values = reference::forward_all<Net, T>(params, in.data());
  std::vector<layer_output<T>> outs;
  outs.reserve(f.layer_count);
  boost::hana::for_each(bound_layers<Net>, [&](auto bound) {
    using B = typename decltype(bound)::type;
    outs.push_back({B::position, B::facts.kind, B::name, B::output, std::move(values[B::position])});
  });
  return outs;
}

/// Every layer's output on one sample with m's parameters, in float: `layer_outputs(m, x.span())`
/// (x: input_shape<Net>, HWC). Throws std::invalid_argument if x has the wrong size.
template <class Net, storage W, class Isa>
std::vector<layer_output<float>> layer_outputs(const model<Net, W, Isa>& m, std::span<const float> x) {
  return layer_outputs<Net, float>(m.parameters().data(), x);
}

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet
