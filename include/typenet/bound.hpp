// A network's layers as the run time walks them: layer I bound to its shapes, and the contract checked for all.
#pragma once

#include <typenet/contract.hpp>
#include <typenet/network.hpp>

#include <boost/hana/at.hpp>

#include <cstddef>
#include <type_traits>

namespace typenet {

/// Layer I of Net, bound to its position and shapes (a detail::bound: ::layer,
/// ::input, ::output, ::facts, ::position).
template <class Net, std::size_t I>
using bound_at = typename std::remove_cvref_t<decltype(boost::hana::at_c<I>(bound_layers<Net>))>::type;

namespace detail {
template <class Net, std::size_t I>
constexpr bool meets_contract_from() {
  if constexpr (I == facts<Net>.layer_count)
    return true;
  else if constexpr (!contract::check<bound_at<Net, I>>())
    return false;  // reported; later layers stay silent
  else
    return meets_contract_from<Net, I + 1>();
}
template <class Net, std::size_t I>
constexpr bool trainable_from() {
  if constexpr (I == facts<Net>.layer_count)
    return true;
  else if constexpr (!contract::check_trainable<bound_at<Net, I>>())
    return false;
  else
    return trainable_from<Net, I + 1>();
}
}  // namespace detail

/// Every layer of Net meets the run-time contract (contract.hpp); the first
/// that does not is reported as a diagnostic.
template <class Net>
inline constexpr bool meets_contract = detail::meets_contract_from<Net, 0>();

/// Every layer of Net has a backward pass (or passes its input through); the
/// first that has none is reported as a diagnostic.
template <class Net>
inline constexpr bool trainable = meets_contract<Net> && detail::trainable_from<Net, 0>();

}  // namespace typenet
