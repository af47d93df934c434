// The scalar reference loops: plain geometry in, any number type, usable in constant expressions.
//
// These are the definitions the xsimd kernels are checked against (in double,
// in the tests) and what a layer without a fast kernel runs. They know
// extents and windows, never layers or networks. Layouts: activations HWC;
// conv weights F_h x F_w x C x K (HWIO) then K biases; dense weights
// inputs x units then units biases.
#pragma once

#include <typenet/geometry.hpp>
#include <typenet/kernels/isa.hpp>

#include <cmath>
#include <cstddef>

namespace typenet {

/// What a pooling window reduces to.
enum class pool_op {
  max,                       ///< the largest value; padding never wins
  average,                   ///< the mean of the input the window covers (count_include_pad=False)
  average_counting_padding,  ///< the sum over the window divided by the padded positions it covers too
};

/// How many positions of the padded input (extent `padded`) the window at output position o
/// covers: the window, less any part of a rounded-up last window past the trailing padding.
constexpr std::size_t covered_with_padding(std::size_t o, std::size_t stride, std::size_t window, std::size_t padded) {
  const std::size_t start = o * stride;  // in padded coordinates
  return (start + window < padded ? start + window : padded) - start;
}

/// What average pooling divides the sum of output (oh, ow)'s window by: the input positions it
/// covers (pool_op::average), or those and the padding it covers (pool_op::average_counting_padding,
/// as ATen's avg_pool2d with count_include_pad=True: (min(h0 + F, H + P) - h0) x the same across,
/// h0 = oh S - P). The one definition the reference, the kernels and their gradients share.
template <window2d G, pool_op Op>
constexpr std::size_t average_divisor(std::size_t oh, std::size_t ow) {
  static_assert(Op != pool_op::max, "max pooling does not divide");
  if constexpr (Op == pool_op::average_counting_padding)
    return covered_with_padding(oh, G.stride_height, G.window_height, G.pad_top + G.in_height + G.pad_bottom) *
           covered_with_padding(ow, G.stride_width, G.window_width, G.pad_left + G.in_width + G.pad_right);
  else
    return G.rows(oh).size() * G.cols(ow).size();
}

namespace reference {
// Keyed on the ISA like the kernels: these loops are compiled (and vectorized)
// for the unit's ISA, and kernels and the layers' kernel hooks call them.
inline namespace TYPENET_ISA_NAMESPACE {

/// Convolution of one sample with K filters over window G: in (HWC) -> out (HWC). With Groups > 1
/// the C channels and the K filters form Groups groups, filter k seeing only the C / Groups
/// channels of group k / (K / Groups); the weights are then F_h x F_w x (C / Groups) x K.
/// Output rows [first, last) only, when given.
template <window2d G, std::size_t K, class T, std::size_t Groups = 1>
constexpr void conv(const T* in, const T* weights, const T* biases, T* out, std::size_t first = 0,
                    std::size_t last = G.out_height) {
  constexpr std::size_t C = G.channels, KW = G.window_width, CG = C / Groups, KG = K / Groups;
  for (std::size_t oh = first; oh < last; ++oh) {
    const window_span rows = G.rows(oh);
    for (std::size_t ow = 0; ow < G.out_width; ++ow) {
      const window_span cols = G.cols(ow);
      for (std::size_t k = 0; k < K; ++k) {
        const std::size_t c0 = k / KG * CG;  // the group's first input channel
        T acc = biases[k];
        for (std::size_t ih = rows.first; ih < rows.last; ++ih) {
          const std::size_t kh = ih + G.pad_top - oh * G.stride_height;
          for (std::size_t iw = cols.first; iw < cols.last; ++iw) {
            const std::size_t kw = iw + G.pad_left - ow * G.stride_width;
            for (std::size_t c = 0; c < CG; ++c)
              acc += in[(ih * G.in_width + iw) * C + c0 + c] * weights[((kh * KW + kw) * CG + c) * K + k];
          }
        }
        out[(oh * G.out_width + ow) * K + k] = acc;
      }
    }
  }
}

/// The gradients of conv<G, K, Groups> for one sample, from the gradient of its
/// output `grad_out`: adds dL/dweights and dL/dbiases to grad_weights and
/// grad_biases (a batch sums into them; grad_biases null: the layer has no
/// bias), and writes dL/din to grad_in unless it is null (the first layer's
/// is not needed).
template <window2d G, std::size_t K, class T, std::size_t Groups = 1>
constexpr void conv_backward(const T* in, const T* weights, const T* grad_out, T* grad_in, T* grad_weights,
                             T* grad_biases) {
  constexpr std::size_t C = G.channels, KW = G.window_width, CG = C / Groups, KG = K / Groups;
  if (grad_in)
    for (std::size_t i = 0; i < G.in_height * G.in_width * C; ++i) grad_in[i] = T(0);
  for (std::size_t oh = 0; oh < G.out_height; ++oh) {
    const window_span rows = G.rows(oh);
    for (std::size_t ow = 0; ow < G.out_width; ++ow) {
      const window_span cols = G.cols(ow);
      const T* g = grad_out + (oh * G.out_width + ow) * K;
      if (grad_biases)
        for (std::size_t k = 0; k < K; ++k) grad_biases[k] += g[k];
      for (std::size_t ih = rows.first; ih < rows.last; ++ih) {
        const std::size_t kh = ih + G.pad_top - oh * G.stride_height;
        for (std::size_t iw = cols.first; iw < cols.last; ++iw) {
          const std::size_t kw = iw + G.pad_left - ow * G.stride_width;
          for (std::size_t group = 0; group < Groups; ++group)
            for (std::size_t c = 0; c < CG; ++c) {
              const T x = in[(ih * G.in_width + iw) * C + group * CG + c];
              const T* w = weights + ((kh * KW + kw) * CG + c) * K + group * KG;
              T* gw = grad_weights + ((kh * KW + kw) * CG + c) * K + group * KG;
              const T* gg = g + group * KG;
              T gx = T(0);
              for (std::size_t k = 0; k < KG; ++k) {
                gw[k] += x * gg[k];
                gx += w[k] * gg[k];
              }
              if (grad_in) grad_in[(ih * G.in_width + iw) * C + group * CG + c] += gx;
            }
        }
      }
    }
  }
}

/// The larger of a running maximum and a new value, NaN winning as in
/// PyTorch: once a NaN is seen it stays, wherever it is in the window.
template <class T>
constexpr T max_with_nan(T acc, T v) {
  return (v > acc || v != v) ? v : acc;
}

/// Max or average pooling of one sample over window G, each channel alone.
/// Max: padding never wins (it is skipped, as -infinity would be), NaN always
/// does. Average: sums the covered input and divides by average_divisor. Output rows [first,
/// last) only, when given.
template <window2d G, pool_op Op, class T>
constexpr void pool(const T* in, T* out, std::size_t first = 0, std::size_t last = G.out_height) {
  constexpr std::size_t C = G.channels;
  for (std::size_t oh = first; oh < last; ++oh) {
    const window_span rows = G.rows(oh);
    for (std::size_t ow = 0; ow < G.out_width; ++ow) {
      const window_span cols = G.cols(ow);
      for (std::size_t c = 0; c < C; ++c) {
        T acc = Op == pool_op::max ? in[(rows.first * G.in_width + cols.first) * C + c] : T(0);
        for (std::size_t ih = rows.first; ih < rows.last; ++ih)
          for (std::size_t iw = cols.first; iw < cols.last; ++iw) {
            const T v = in[(ih * G.in_width + iw) * C + c];
            if constexpr (Op == pool_op::max)
              acc = max_with_nan(acc, v);
            else
              acc += v;
          }
        if constexpr (Op != pool_op::max) acc /= static_cast<T>(average_divisor<G, Op>(oh, ow));
        out[(oh * G.out_width + ow) * C + c] = acc;
      }
    }
  }
}

/// The gradient g of output (oh, ow), channel c, of pool<G, Op>, added to grad_in. Max: to the
/// first maximum of the window (the last NaN if there is one), the element max pooling picked, as
/// PyTorch does. Average: g / average_divisor to each input position the window covers.
template <window2d G, pool_op Op, class T>
constexpr void pool_window_backward(const T* in, std::size_t oh, std::size_t ow, std::size_t c, T g, T* grad_in) {
  constexpr std::size_t C = G.channels;
  const window_span rows = G.rows(oh), cols = G.cols(ow);
  if constexpr (Op == pool_op::max) {
    std::size_t at = (rows.first * G.in_width + cols.first) * C + c;
    T acc = in[at];
    for (std::size_t ih = rows.first; ih < rows.last; ++ih)
      for (std::size_t iw = cols.first; iw < cols.last; ++iw) {
        const std::size_t i = (ih * G.in_width + iw) * C + c;
        if (in[i] > acc || in[i] != in[i]) acc = in[i], at = i;
      }
    grad_in[at] += g;
  } else {
    const T share = g / static_cast<T>(average_divisor<G, Op>(oh, ow));
    for (std::size_t ih = rows.first; ih < rows.last; ++ih)
      for (std::size_t iw = cols.first; iw < cols.last; ++iw) grad_in[(ih * G.in_width + iw) * C + c] += share;
  }
}

/// The gradient of pool<G, Op> for one sample: writes dL/din to grad_in (pool_window_backward for each output).
template <window2d G, pool_op Op, class T>
constexpr void pool_backward(const T* in, const T* grad_out, T* grad_in) {
  constexpr std::size_t C = G.channels;
  for (std::size_t i = 0; i < G.in_height * G.in_width * C; ++i) grad_in[i] = T(0);
  for (std::size_t oh = 0; oh < G.out_height; ++oh)
    for (std::size_t ow = 0; ow < G.out_width; ++ow)
      for (std::size_t c = 0; c < C; ++c)
        pool_window_backward<G, Op, T>(in, oh, ow, c, grad_out[(oh * G.out_width + ow) * C + c], grad_in);
}

/// The input span adaptive pooling averages for output o of Out over an extent of N: from
/// floor(o N / Out) to ceil((o + 1) N / Out), as PyTorch's adaptive_avg_pool2d.
constexpr window_span adaptive_span(std::size_t o, std::size_t n, std::size_t out) {
  return {o * n / out, ((o + 1) * n + out - 1) / out};
}

/// Adaptive average pooling of one H x W x C sample to OH x OW x C: each output is the mean of
/// its adaptive_span rows and columns. Channels innermost, so the loop vectorizes.
template <std::size_t H, std::size_t W, std::size_t C, std::size_t OH, std::size_t OW, class T>
constexpr void adaptive_avg_pool(const T* in, T* out) {
  for (std::size_t oh = 0; oh < OH; ++oh) {
    const window_span rows = adaptive_span(oh, H, OH);
    for (std::size_t ow = 0; ow < OW; ++ow) {
      const window_span cols = adaptive_span(ow, W, OW);
      T* y = out + (oh * OW + ow) * C;
      for (std::size_t c = 0; c < C; ++c) y[c] = T(0);
      for (std::size_t ih = rows.first; ih < rows.last; ++ih)
        for (std::size_t iw = cols.first; iw < cols.last; ++iw)
          for (std::size_t c = 0; c < C; ++c) y[c] += in[(ih * W + iw) * C + c];
      const T count = static_cast<T>(rows.size() * cols.size());
      for (std::size_t c = 0; c < C; ++c) y[c] /= count;
    }
  }
}

/// The gradient of adaptive_avg_pool: each output's gradient shared among the inputs it averages.
template <std::size_t H, std::size_t W, std::size_t C, std::size_t OH, std::size_t OW, class T>
constexpr void adaptive_avg_pool_backward(const T* grad_out, T* grad_in) {
  for (std::size_t i = 0; i < H * W * C; ++i) grad_in[i] = T(0);
  for (std::size_t oh = 0; oh < OH; ++oh) {
    const window_span rows = adaptive_span(oh, H, OH);
    for (std::size_t ow = 0; ow < OW; ++ow) {
      const window_span cols = adaptive_span(ow, W, OW);
      const T* g = grad_out + (oh * OW + ow) * C;
      const T count = static_cast<T>(rows.size() * cols.size());
      for (std::size_t ih = rows.first; ih < rows.last; ++ih)
        for (std::size_t iw = cols.first; iw < cols.last; ++iw)
          for (std::size_t c = 0; c < C; ++c) grad_in[(ih * W + iw) * C + c] += g[c] / count;
    }
  }
}

/// Fully connected: out[u] = b[u] + sum_i in[i] * w[i][u].
template <std::size_t Inputs, std::size_t Units, class T>
constexpr void dense(const T* in, const T* weights, const T* biases, T* out) {
  for (std::size_t u = 0; u < Units; ++u) {
    T acc = biases[u];
    for (std::size_t i = 0; i < Inputs; ++i) acc += in[i] * weights[i * Units + u];
    out[u] = acc;
  }
}

/// The gradients of dense<Inputs, Units> for one sample: adds dL/dweights and
/// dL/dbiases (unless grad_biases is null: no bias), writes dL/din unless grad_in is null.
template <std::size_t Inputs, std::size_t Units, class T>
constexpr void dense_backward(const T* in, const T* weights, const T* grad_out, T* grad_in, T* grad_weights,
                              T* grad_biases) {
  if (grad_biases)
    for (std::size_t u = 0; u < Units; ++u) grad_biases[u] += grad_out[u];
  for (std::size_t i = 0; i < Inputs; ++i) {
    T gx = T(0);
    for (std::size_t u = 0; u < Units; ++u) {
      grad_weights[i * Units + u] += in[i] * grad_out[u];
      gx += weights[i * Units + u] * grad_out[u];
    }
    if (grad_in) grad_in[i] = gx;
  }
}

/// f applied to each of N values (in and out may be the same buffer).
template <std::size_t N, class T, class F>
constexpr void map(const T* in, T* out, F f) {
  for (std::size_t i = 0; i < N; ++i) out[i] = f(in[i]);
}

/// The gradient of map<N>(f): grad_in[i] = grad_out[i] * f'(x_i), where
/// `derivative(x, y)` gives f' at x from x and y = f(x).
template <std::size_t N, class T, class D>
constexpr void map_backward(const T* in, const T* out, const T* grad_out, T* grad_in, D derivative) {
  for (std::size_t i = 0; i < N; ++i) grad_in[i] = grad_out[i] * derivative(in[i], out[i]);
}

/// Softmax over `Depth` values at each of `Positions` positions, shifted by
/// the maximum so that large logits do not overflow. NaN anywhere in a
/// position's values makes all of them NaN, as in PyTorch.
template <std::size_t Positions, std::size_t Depth, class T>
void softmax(const T* in, T* out) {
  for (std::size_t p = 0; p < Positions; ++p) {
    const T* x = in + p * Depth;
    T* y = out + p * Depth;
    T top = x[0];
    for (std::size_t c = 1; c < Depth; ++c) top = max_with_nan(top, x[c]);
    T sum = 0;
    for (std::size_t c = 0; c < Depth; ++c) sum += (y[c] = std::exp(x[c] - top));
    for (std::size_t c = 0; c < Depth; ++c) y[c] /= sum;
  }
}

/// The gradient of softmax from its output y: grad_in = y * (grad_out - sum(grad_out * y)) at each position.
template <std::size_t Positions, std::size_t Depth, class T>
constexpr void softmax_backward(const T* out, const T* grad_out, T* grad_in) {
  for (std::size_t p = 0; p < Positions; ++p) {
    const T* y = out + p * Depth;
    const T* g = grad_out + p * Depth;
    T dot = 0;
    for (std::size_t c = 0; c < Depth; ++c) dot += g[c] * y[c];
    for (std::size_t c = 0; c < Depth; ++c) grad_in[p * Depth + c] = y[c] * (g[c] - dot);
  }
}

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace reference
}  // namespace typenet
