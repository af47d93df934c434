// A model's parameters in a safetensors file, in PyTorch's names and layouts: save_weights, load_weights.
//
// Names: a layer's tensors are "<layer name>.<tensor>" ("conv1.weight"); an
// unnamed layer is known by its index in an nn.Sequential of the same layers,
// its position minus one (the input is not a module): "0.weight". Layouts are
// each tensor's torch_layout (contract.hpp): conv OIHW, dense [units, inputs],
// and a dense layer after a flattened volume takes its inputs in PyTorch's
// C, H, W order. The metadata carries the architecture and its signature.
#pragma once

#include <typenet/bound.hpp>
#include <typenet/contract.hpp>
#include <typenet/io/safetensors.hpp>
#include <typenet/model.hpp>
#include <typenet/network.hpp>

#include <boost/hana/for_each.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace typenet {

/// How load_weights matches a file to a model.
struct load_options {
  /// Module names of the file -> layer names of the model, for a file whose
  /// names differ: {{"features.0", "conv1"}} reads "features.0.weight" as
  /// "conv1.weight"; {{"backbone", "net"}} reads "backbone.0.weight" as
  /// "net.0.weight" (the longest listed prefix of whole parts wins). Names not
  /// listed are used as they are.
  std::map<std::string, std::string> rename{};
  /// Reject a file whose metadata names another architecture (files without a
  /// typenet signature, PyTorch's, are checked tensor by tensor only).
  bool check_architecture = true;
};

/// One parameter tensor as a file holds it: its name, where it lives in the
/// model's parameter block, and how PyTorch's order maps onto typenet's.
struct exchange_tensor {
  std::string name;                       ///< "conv1.weight"
  std::size_t offset = 0;                 ///< first float in the parameter block
  std::size_t count = 0;                  ///< floats
  std::vector<std::size_t> torch_shape;   ///< as PyTorch's tensor: [6, 1, 5, 5]
  std::vector<std::size_t> extents;       ///< fine axes, in PyTorch's order
  std::vector<std::size_t> strides;       ///< each fine axis's stride in typenet's storage

  /// Typenet storage index of each element in PyTorch's row-major order: calls f(torch_index, typenet_index).
  template <class F>
  void for_each_element(F f) const {
    std::vector<std::size_t> at(extents.size(), 0);
    std::size_t source = 0;
    for (std::size_t i = 0; i < count; ++i) {
      f(i, source);
      for (std::size_t a = extents.size(); a-- > 0;) {
        source += strides[a];
        if (++at[a] < extents[a]) break;
        source -= strides[a] * extents[a];
        at[a] = 0;
      }
    }
  }
  /// "[3, 0, 1, 2]": PyTorch's index of element i (in PyTorch's order).
  std::string index_text(std::size_t i) const {
    std::vector<std::size_t> idx(torch_shape.size());
    for (std::size_t a = torch_shape.size(); a-- > 0;) idx[a] = i % torch_shape[a], i /= torch_shape[a];
    return safetensors::shape_text(idx);
  }
};

namespace io_detail {

/// The exchange plan of tensor t, whose letter 'I' is the flattened volume `flattened` if it has one.
inline exchange_tensor plan_tensor(std::string name, std::size_t offset, const param_tensor& t,
                                   const std::optional<shape>& flattened) {
  const std::string_view layout = t.layout;
  const std::string_view torch = t.torch_layout.empty() ? t.layout : t.torch_layout;
  auto bad = [&] {
    return std::logic_error("typenet: tensor \"" + name + "\": torch_layout \"" + std::string(torch) +
                            "\" is not a reordering of layout \"" + std::string(layout) + "\" (one letter per extent)");
  };
  if (layout.size() != t.rank || torch.size() != t.rank) throw bad();
  // Fine axes of typenet's storage: the tensor's axes, with 'I' split into y, x, c if it is a flattened volume.
  std::string fine;
  std::vector<std::size_t> fine_dims;
  for (std::size_t a = 0; a < t.rank; ++a) {
    if (layout[a] == 'I' && flattened && flattened->size() == t.dims[a]) {
      fine += "yxc";
      fine_dims.insert(fine_dims.end(), {flattened->height, flattened->width, flattened->depth});
    } else {
      fine += layout[a];
      fine_dims.push_back(t.dims[a]);
    }
  }
  std::vector<std::size_t> fine_strides(fine.size());
  for (std::size_t a = fine.size(), s = 1; a-- > 0;) fine_strides[a] = s, s *= fine_dims[a];

  exchange_tensor e{std::move(name), offset, t.size(), {}, {}, {}};
  auto add_axis = [&](char letter) {
    const std::size_t at = fine.find(letter);
    if (at == std::string::npos || fine.find(letter, at + 1) != std::string::npos) throw bad();
    e.extents.push_back(fine_dims[at]);
    e.strides.push_back(fine_strides[at]);
  };
  for (char letter : torch) {
    if (layout.find(letter) == std::string_view::npos) throw bad();
    if (letter == 'I' && fine.find('I') == std::string::npos) {  // PyTorch flattens C, H, W
      for (char f : std::string_view("cyx")) add_axis(f);
      e.torch_shape.push_back(flattened->size());
    } else {
      add_axis(letter);
      e.torch_shape.push_back(fine_dims[fine.find(letter)]);
    }
  }
  return e;
}

inline std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace io_detail

/// Every parameter tensor of Net as a weight file holds it, in the order of the parameter block.
template <class Net>
std::vector<exchange_tensor> exchange_tensors() {
  static_assert(meets_contract<Net>);
  std::vector<exchange_tensor> out;
  // Per position: the volume its flat output was flattened from, while that order lasts.
  std::vector<std::optional<shape>> flattened(facts<Net>.layer_count);
  std::size_t offset = 0;
  boost::hana::for_each(bound_layers<Net>, [&](auto b) {
    using B = typename decltype(b)::type;
    constexpr auto tensors = contract::tensors<typename B::layer, B::input, B::output>();
    const std::string module = B::name.empty() ? std::to_string(B::position - 1) : std::string(B::name);
    const std::optional<shape> before = B::position == 0 ? std::nullopt : flattened[B::sources[0]];
    // A dense layer straight on a volume flattens it itself: PyTorch's Flatten + Linear.
    std::optional<shape> inputs_from = before;
    if (!B::input.flat && B::input.height * B::input.width > 1 && B::input.depth > 1) inputs_from = B::input;
    for (const param_tensor& t : tensors) {
      out.push_back(io_detail::plan_tensor(module + "." + std::string(t.name), offset, t, inputs_from));
      offset += t.size();
    }
    if constexpr (B::position == 0 || contract::joins<typename B::layer>) {
      // the input, or where branches meet: a new order
    } else if constexpr (tensors.size() == 0 && B::output == B::input) {
      flattened[B::position] = before;  // activations, softmax: the order stays
    } else if constexpr (tensors.size() == 0 && contract::passes_through<typename B::layer> && !B::input.flat &&
                         B::output.flat) {
      if (B::input.height * B::input.width > 1 && B::input.depth > 1) flattened[B::position] = B::input;
    }
  });
  return out;
}

/// The architecture as text, one layer per line part: "input 28x28x1 | conv 6@5x5 pad 2 -> 28x28x6 | ...".
/// A layer that reads other than the layer before it (a branch's first, an add or concat) names
/// the positions it reads: "add <- 4, 0 -> 8x8x8".
template <class Net>
std::string architecture() {
  std::string s;
  boost::hana::for_each(bound_layers<Net>, [&](auto b) {
    using B = typename decltype(b)::type;
    if (!s.empty()) s += " | ";
    s += B::layer::describe();
    if (B::position > 0 && (B::sources.size() != 1 || B::sources[0] + 1 != B::position)) {
      s += " <-";
      for (std::size_t k = 0; k < B::sources.size(); ++k) s += (k ? ", " : " ") + std::to_string(B::sources[k]);
    }
    s += " -> " + to_string(B::output);
  });
  return s;
}

/// A signature of the architecture (16 hex digits of a 64-bit FNV-1a hash of architecture<Net>()).
template <class Net>
std::string architecture_signature() {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(io_detail::fnv1a(architecture<Net>())));
  return text;
}

namespace io_detail {

/// The tensors of a parameter block (`params`, the model's layout) as file tensors, PyTorch's order.
template <class Net>
std::vector<safetensors::out_tensor> file_tensors(std::span<const float> params, const std::string& prefix = "") {
  std::vector<safetensors::out_tensor> out;
  for (const exchange_tensor& e : exchange_tensors<Net>()) {
    safetensors::out_tensor t{prefix + e.name, e.torch_shape, std::vector<float>(e.count)};
    e.for_each_element([&](std::size_t i, std::size_t j) { t.values[i] = params[e.offset + j]; });
    out.push_back(std::move(t));
  }
  return out;
}

/// Reads every tensor of Net (named with `prefix`) from c into `params` (the model's layout),
/// checking names, types, shapes and values; marks each file tensor used in `used`.
template <class Net>
void read_tensors(const safetensors::contents& c, std::span<float> params, const std::string& origin,
                  const load_options& o, std::set<std::string>& used, const std::string& prefix = "") {
  // The file's names as the model's: the longest module prefix (whole dot-separated parts) that
  // the map lists is replaced, as tools/typenet_torch.py does.
  auto model_name = [&](const std::string& file_name) {
    for (std::size_t dot = file_name.rfind('.'); dot != std::string::npos && dot > 0;
         dot = file_name.rfind('.', dot - 1)) {
      const auto it = o.rename.find(file_name.substr(0, dot));
      if (it != o.rename.end()) return it->second + file_name.substr(dot);
    }
    return file_name;
  };
  std::map<std::string, const safetensors::entry*> by_name;
  for (const safetensors::entry& e : c.tensors) by_name.emplace(model_name(e.name), &e);

  for (const exchange_tensor& x : exchange_tensors<Net>()) {
    const std::string name = prefix + x.name;
    const auto it = by_name.find(name);
    if (it == by_name.end()) {
      std::string names;  // what the file has instead: its first few names
      for (std::size_t i = 0; i < c.tensors.size() && i < 4; ++i) names += (i ? ", \"" : "\"") + c.tensors[i].name + "\"";
      if (c.tensors.size() > 4) names += ", ...";
      throw weights_error(origin, name, "missing from the file", "a tensor of shape " +
                          safetensors::shape_text(x.torch_shape), std::to_string(c.tensors.size()) + " tensors" +
                          (names.empty() ? std::string() : ": " + names));
    }
    const safetensors::entry& e = *it->second;
    if (!e.dtype->floating)
      throw weights_error(origin, name, "not a floating-point tensor", "F32, F16, BF16 or F64",
                          std::string(e.dtype->name));
    if (e.shape != x.torch_shape)
      throw weights_error(origin, name, "wrong shape", safetensors::shape_text(x.torch_shape),
                          safetensors::shape_text(e.shape));
    x.for_each_element([&](std::size_t i, std::size_t j) {
      const float v = safetensors::element(e, i);
      if (!std::isfinite(v)) {
        if (e.dtype->name == "F64" && std::isfinite(safetensors::element_f64(e, i))) {
          char found[40];
          std::snprintf(found, sizeof found, "%.17g", safetensors::element_f64(e, i));
          throw weights_error(origin, name, "a value beyond float's range at " + x.index_text(i),
                              "magnitudes up to 3.40282347e+38", found);
        }
        throw weights_error(origin, name, "a value that is not finite at " + x.index_text(i), "finite values",
                            std::isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
      }
      params[x.offset + j] = v;
    });
    used.insert(e.name);
  }
}

/// The error for a file whose metadata names another architecture: the first layer that differs, then both.
template <class Net>
weights_error other_architecture(const safetensors::contents& c, const std::string& origin) {
  const std::string ours = architecture<Net>();
  const auto arch = c.metadata.find("typenet.architecture");
  if (arch == c.metadata.end())
    return weights_error(origin, "", "written for another architecture (signature " +
                         c.metadata.at("typenet.signature") + ")", ours, "no architecture in the metadata");
  const std::string& theirs = arch->second;
  std::size_t layer = 0, a = 0, b = 0;
  while (true) {  // compare layer by layer: "input -> ... | conv ... | ..."
    const std::size_t ea = std::min(ours.find(" | ", a), ours.size()), eb = std::min(theirs.find(" | ", b), theirs.size());
    const std::string la = ours.substr(a, ea - a), lb = theirs.substr(b, eb - b);
    if (la != lb || ea == ours.size() || eb == theirs.size()) {
      const std::string here = la.empty() ? "nothing" : "\"" + la + "\"", there = lb.empty() ? "nothing" : "\"" + lb + "\"";
      return weights_error(origin, "", "written for another architecture: layer " + std::to_string(layer) + " is " + here +
                           " here and " + there + " in the file", ours, theirs);
    }
    a = ea + 3, b = eb + 3, ++layer;
  }
}

}  // namespace io_detail

/// The bytes of a safetensors file holding m's parameters (F32, PyTorch's names and layouts).
template <class Net, storage W, class Isa>
std::vector<std::byte> weights_bytes(const model<Net, W, Isa>& m) {
  const std::span<const float> p = m.parameters();
  for (std::size_t i = 0; i < p.size(); ++i)
    if (!std::isfinite(p[i]))
      throw std::domain_error("typenet: parameter " + std::to_string(i) +
                              " is not finite; a file holding it would not load");
  return safetensors::serialize(io_detail::file_tensors<Net>(p),
                                {{"format", "pt"},
                                 {"typenet.architecture", architecture<Net>()},
                                 {"typenet.signature", architecture_signature<Net>()}});
}

/// Writes m's parameters to a safetensors file at `path` (through a temporary file, renamed into place).
template <class Net, storage W, class Isa>
void save_weights(const model<Net, W, Isa>& m, const std::filesystem::path& path) {
  safetensors::write_file(path, weights_bytes(m));
}

/// Reads m's parameters from the bytes of a safetensors file (`origin` names it in errors).
/// All or nothing: on any problem, weights_error, and m is unchanged.
template <class Net, storage W, class Isa>
void load_weights(model<Net, W, Isa>& m, std::span<const std::byte> file, const load_options& o = {},
                  const std::string& origin = "weights") {
  const safetensors::contents c = safetensors::parse(file, origin);
  if (o.check_architecture) {
    const auto sig = c.metadata.find("typenet.signature");
    if (sig != c.metadata.end() && sig->second != architecture_signature<Net>())
      throw io_detail::other_architecture<Net>(c, origin);
  }
  std::vector<float> staged(m.param_count);
  std::set<std::string> used;
  io_detail::read_tensors<Net>(c, staged, origin, o, used);
  for (const safetensors::entry& e : c.tensors)
    if (!used.count(e.name))
      throw weights_error(origin, e.name, "not a tensor of this model", std::to_string(used.size()) + " tensors",
                          std::to_string(c.tensors.size()));
  std::copy(staged.begin(), staged.end(), m.parameters().begin());
}

/// Reads m's parameters from the safetensors file at `path`; all or nothing, as above.
template <class Net, storage W, class Isa>
void load_weights(model<Net, W, Isa>& m, const std::filesystem::path& path, const load_options& o = {}) {
  const std::vector<std::byte> bytes = safetensors::read_file(path);
  load_weights(m, std::span<const std::byte>(bytes), o, path.string());
}

/// PyTorch keeps images C x H x W, typenet H x W x C: copies `chw` (s.size() floats) into `hwc`.
inline void chw_to_hwc(shape s, const float* chw, float* hwc) {
  for (std::size_t c = 0; c < s.depth; ++c)
    for (std::size_t y = 0; y < s.height; ++y)
      for (std::size_t x = 0; x < s.width; ++x) hwc[(y * s.width + x) * s.depth + c] = chw[(c * s.height + y) * s.width + x];
}
/// The other way: `hwc` into `chw`.
inline void hwc_to_chw(shape s, const float* hwc, float* chw) {
  for (std::size_t c = 0; c < s.depth; ++c)
    for (std::size_t y = 0; y < s.height; ++y)
      for (std::size_t x = 0; x < s.width; ++x) chw[(c * s.height + y) * s.width + x] = hwc[(y * s.width + x) * s.depth + c];
}

}  // namespace typenet
