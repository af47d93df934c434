// Losses: softmax cross-entropy (fused with the softmax) and mean squared error, each a mean over the batch.
#pragma once

#include <typenet/kernels/isa.hpp>
#include <algorithm>
#include <cmath>
#include <cstddef>

namespace typenet::train {
// Keyed on the ISA, as the kernels: every function here is compiled for the unit's instruction set
// (kernels/isa.hpp), so units built for different ISAs never share one.
inline namespace TYPENET_ISA_NAMESPACE {


/// Softmax cross-entropy on class scores (logits): for one sample,
/// log(sum_j e^z_j) - z_label, computed shifted by the largest score, so
/// logits of +-1e4 give finite losses and gradients. Its gradient is
/// softmax(z) - onehot(label). The batch's loss is the mean over its samples,
/// as PyTorch's CrossEntropyLoss. A network that ends in `softmax` is trained
/// on the softmax's input: the two are fused (the softmax's own backward pass
/// is not run), as one would write log_softmax + NLL.
struct cross_entropy {
  static constexpr bool takes_labels = true;

  /// One sample's loss; writes scale * dL/dz to grad.
  template <class T, class Label>
  static T sample(const T* z, std::size_t classes, Label label, T* grad, T scale) {
    T top = z[0];
    for (std::size_t c = 1; c < classes; ++c) top = std::max(top, z[c]);
    T sum = 0;
    for (std::size_t c = 0; c < classes; ++c) sum += (grad[c] = std::exp(z[c] - top));
    for (std::size_t c = 0; c < classes; ++c) grad[c] = grad[c] / sum * scale;
    grad[static_cast<std::size_t>(label)] -= scale;
    return std::log(sum) + top - z[static_cast<std::size_t>(label)];
  }
};

/// Mean squared error: the mean over every output of every sample of
/// (y - target)^2, as PyTorch's MSELoss (reduction "mean"), i.e. the mean over
/// the batch of each sample's mean squared error.
struct mean_squared_error {
  static constexpr bool takes_labels = false;

  /// One sample's sum of squared errors; writes scale * d/dy of it to grad.
  template <class T>
  static T sample(const T* y, std::size_t n, const T* target, T* grad, T scale) {
    T sum = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const T d = y[i] - target[i];
      sum += d * d;
      grad[i] = T(2) * d * scale;
    }
    return sum;
  }
};

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::train
