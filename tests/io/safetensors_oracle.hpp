// Test support: safetensors files read a second time, without typenet's parser, and the all-or-nothing check of a load.
//
// The oracle is the format as typenet accepts it, written again from the
// specification (huggingface/safetensors, docs "The format") with typenet's
// stricter choices: the header starts with '{', no key given twice in any
// object, only the fields dtype, shape and data_offsets, the data exactly the
// tensors' bytes back to back. Values are decoded by formula (ldexp), not by
// bit manipulation as safetensors::element does. The layout mapping (PyTorch's
// order -> typenet's storage) is exchange_tensors', which tests/io/weights_test.cpp
// and the PyTorch tests check on their own.
#pragma once

#include <typenet/io/weights.hpp>
#include <typenet/typenet.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace typenet::testing {

static_assert(std::endian::native == std::endian::little, "the oracle reads little-endian values by memcpy");

using file_bytes = std::vector<std::byte>;

/// The small network of the sweeps, the fuzzer and its seed files, with the layouts that matter: a
/// conv (OIHW) and a dense after a flattened 2x2x2 volume (PyTorch's C, H, W order). Its tensors:
/// 0.weight [2, 1, 3, 3], 0.bias [2], 3.weight [3, 8], 3.bias [3]: 47 floats.
using tiny_network = network<input<4, 4, 1>, conv<filters<2>, kernel<3>>, relu, flatten, dense<units<3>>>;

// ---- writing files byte by byte ----

inline void append(file_bytes& out, const void* p, std::size_t n) {
  const auto* b = static_cast<const std::byte*>(p);
  out.insert(out.end(), b, b + n);
}
inline void append_f32(file_bytes& out, float v) { append(out, &v, 4); }
inline void append_f64(file_bytes& out, double v) { append(out, &v, 8); }
inline void append_u16(file_bytes& out, std::uint16_t v) { append(out, &v, 2); }
inline void append_u64(file_bytes& out, std::uint64_t v) { append(out, &v, 8); }

/// A file: `length` as the 8-byte header length (the header's own size unless given), the header's text, the data.
inline file_bytes make_file(std::string_view header, std::span<const std::byte> data = {},
                            std::optional<std::uint64_t> length = std::nullopt) {
  file_bytes out;
  append_u64(out, length.value_or(header.size()));
  append(out, header.data(), header.size());
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

/// One tensor to write: its bytes already in `dtype`.
struct raw_tensor {
  std::string name;
  std::string dtype;
  std::vector<std::uint64_t> shape;
  file_bytes data;
};

/// A well-formed file holding `tensors` back to back in the order given, with `metadata` if not empty.
inline file_bytes make_file(const std::vector<raw_tensor>& tensors, const std::map<std::string, std::string>& metadata = {}) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  file_bytes data;
  for (const raw_tensor& t : tensors) {
    header[t.name] = {{"dtype", t.dtype}, {"shape", t.shape}, {"data_offsets", {data.size(), data.size() + t.data.size()}}};
    data.insert(data.end(), t.data.begin(), t.data.end());
  }
  return make_file(header.dump(), data);
}

// ---- decoding values by formula ----

/// IEEE binary16: sign, 5 exponent bits (bias 15), 10 fraction bits; subnormals are fraction * 2^-24.
inline float f16_value(std::uint16_t h) {
  const float sign = (h & 0x8000u) ? -1.0f : 1.0f;
  const int exponent = (h >> 10) & 0x1f, fraction = h & 0x3ff;
  if (exponent == 0x1f) return fraction ? std::numeric_limits<float>::quiet_NaN() : sign * std::numeric_limits<float>::infinity();
  if (exponent == 0) return sign * std::ldexp(static_cast<float>(fraction), -24);
  return sign * std::ldexp(static_cast<float>(fraction + 1024), exponent - 25);
}
/// bfloat16: float's sign and 8 exponent bits (bias 127), 7 fraction bits; subnormals are fraction * 2^-133.
inline float bf16_value(std::uint16_t h) {
  const float sign = (h & 0x8000u) ? -1.0f : 1.0f;
  const int exponent = (h >> 7) & 0xff, fraction = h & 0x7f;
  if (exponent == 0xff) return fraction ? std::numeric_limits<float>::quiet_NaN() : sign * std::numeric_limits<float>::infinity();
  if (exponent == 0) return sign * std::ldexp(static_cast<float>(fraction), -133);
  return sign * std::ldexp(static_cast<float>(fraction + 128), exponent - 134);
}
/// float's value of a double: the nearest, ties to even (IEEE conversion), infinite beyond float's range.
inline float f64_value(double d) { return static_cast<float>(d); }

/// Bitwise equality, so that -0 differs from +0; two NaNs are equal.
inline bool same_value(float a, float b) {
  return (std::isnan(a) && std::isnan(b)) || std::bit_cast<std::uint32_t>(a) == std::bit_cast<std::uint32_t>(b);
}

// ---- reading a file ----

struct oracle_tensor {
  std::string dtype;
  std::vector<std::uint64_t> shape;
  std::uint64_t begin = 0, end = 0;  ///< in the data
  std::uint64_t count = 0;           ///< elements
  const std::byte* bytes = nullptr;  ///< the first, in the file
  bool floating() const { return dtype == "F32" || dtype == "F16" || dtype == "BF16" || dtype == "F64"; }
};

/// Calls f(i, value) for each element of a floating tensor, in the file's order.
template <class F>
void for_each_value(const oracle_tensor& t, F f) {
  const std::byte* p = t.bytes;
  if (t.dtype == "F32") {
    for (std::uint64_t i = 0; i < t.count; ++i, p += 4) {
      float v;
      std::memcpy(&v, p, 4);
      f(i, v);
    }
  } else if (t.dtype == "F64") {
    for (std::uint64_t i = 0; i < t.count; ++i, p += 8) {
      double d;
      std::memcpy(&d, p, 8);
      f(i, f64_value(d));
    }
  } else {
    const bool half = t.dtype == "F16";
    for (std::uint64_t i = 0; i < t.count; ++i, p += 2) {
      std::uint16_t h;
      std::memcpy(&h, p, 2);
      f(i, half ? f16_value(h) : bf16_value(h));
    }
  }
}
struct oracle_file {
  std::string invalid;  ///< why the file breaks the format; empty if it is a valid file
  std::uint64_t data_start = 0;  ///< 8 + the header's length
  std::map<std::string, oracle_tensor> tensors;
  std::map<std::string, std::string> metadata;
};

namespace oracle_detail {
struct dtype_size {
  const char* name;
  std::uint64_t bytes;
};
inline constexpr dtype_size sizes[] = {{"F64", 8}, {"F32", 4}, {"F16", 2},  {"BF16", 2}, {"I64", 8},
                                       {"I32", 4}, {"I16", 2}, {"I8", 1},   {"U64", 8},  {"U32", 4},
                                       {"U16", 2}, {"U8", 1},  {"BOOL", 1}, {"F8_E4M3", 1}, {"F8_E5M2", 1}};
inline std::uint64_t size_of(const std::string& dtype) {
  for (const dtype_size& d : sizes)
    if (dtype == d.name) return d.bytes;
  return 0;
}
inline bool unsigned_int(const nlohmann::json& j, std::uint64_t& out) {
  if (!j.is_number_unsigned()) return false;
  out = j.get<std::uint64_t>();
  return true;
}
}  // namespace oracle_detail

/// The oracle's reading of a whole file.
inline oracle_file read_oracle(std::span<const std::byte> file) {
  using namespace oracle_detail;
  oracle_file f;
  auto invalid = [&](std::string why) {
    f.invalid = std::move(why);
    f.tensors.clear();
    f.metadata.clear();
    return f;
  };
  if (file.size() < 8) return invalid("shorter than 8 bytes");
  std::uint64_t n;
  std::memcpy(&n, file.data(), 8);
  if (n > 100'000'000) return invalid("header over 100 MB");
  if (n > file.size() - 8) return invalid("header beyond the file");
  const auto* text = reinterpret_cast<const char*>(file.data() + 8);
  if (n == 0 || text[0] != '{') return invalid("header does not start with '{'");
  // The format's JSON has three levels (the header, a description, a shape); deeper is invalid,
  // and not reading it bounds the work on hostile nesting.
  struct too_deep {};
  bool duplicate = false;
  std::vector<std::set<std::string>> keys;  // of each open object
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(text, text + n, [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& j) {
      using e = nlohmann::json::parse_event_t;
      if ((event == e::object_start || event == e::array_start) && depth >= 3) throw too_deep{};
      if (event == e::object_start) keys.emplace_back();
      if (event == e::object_end) keys.pop_back();
      if (event == e::key && !keys.back().insert(j.get<std::string>()).second) duplicate = true;
      return true;
    });
  } catch (const nlohmann::json::exception&) {
    return invalid("not JSON");
  } catch (const too_deep&) {
    return invalid("nested deeper than three levels");
  }
  if (duplicate) return invalid("a key twice in an object");
  if (!header.is_object()) return invalid("header not an object");

  f.data_start = 8 + n;
  const std::uint64_t data_size = file.size() - f.data_start;
  const std::byte* data = file.data() + f.data_start;
  for (const auto& [name, desc] : header.items()) {
    if (name == "__metadata__") {
      if (!desc.is_object()) return invalid("__metadata__ not an object");
      for (const auto& [k, v] : desc.items()) {
        if (!v.is_string()) return invalid("a metadata value not a string");
        f.metadata[k] = v.get<std::string>();
      }
      continue;
    }
    if (!desc.is_object() || desc.size() != 3 || !desc.contains("dtype") || !desc.contains("shape") ||
        !desc.contains("data_offsets"))
      return invalid(name + ": not {dtype, shape, data_offsets}");
    oracle_tensor t;
    if (!desc["dtype"].is_string()) return invalid(name + ": dtype not a string");
    t.dtype = desc["dtype"].get<std::string>();
    const std::uint64_t size = size_of(t.dtype);
    if (size == 0) return invalid(name + ": unknown dtype");
    if (!desc["shape"].is_array()) return invalid(name + ": shape not an array");
    std::uint64_t count = 1;
    for (const nlohmann::json& d : desc["shape"]) {
      std::uint64_t extent;
      if (!unsigned_int(d, extent)) return invalid(name + ": an extent not an unsigned integer");
      if (__builtin_mul_overflow(count, extent, &count)) return invalid(name + ": shape overflows");
      t.shape.push_back(extent);
    }
    std::uint64_t bytes;
    if (__builtin_mul_overflow(count, size, &bytes)) return invalid(name + ": bytes overflow");
    const nlohmann::json& off = desc["data_offsets"];
    if (!off.is_array() || off.size() != 2 || !unsigned_int(off[0], t.begin) || !unsigned_int(off[1], t.end))
      return invalid(name + ": data_offsets not two unsigned integers");
    if (t.begin > t.end || t.end > data_size || t.end - t.begin != bytes) return invalid(name + ": bad data_offsets");
    t.count = count;
    t.bytes = data + t.begin;
    f.tensors.emplace(name, std::move(t));
  }
  std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges;
  for (const auto& [name, t] : f.tensors) ranges.emplace_back(t.begin, t.end);
  std::sort(ranges.begin(), ranges.end());
  std::uint64_t at = 0;
  for (const auto& [begin, end] : ranges) {
    if (begin != at) return invalid("the tensors' data not back to back");
    at = end;
  }
  if (at != data_size) return invalid("bytes after the tensors");
  return f;
}

/// What load_weights (default options) must make of a file for a Model: empty and its parameters
/// (storage order) in `params` if it must load, else why it must refuse the file.
template <class Model>
std::string expect_load(const oracle_file& f, std::vector<float>& params) {
  using Net = typename Model::network;
  if (!f.invalid.empty()) return "invalid: " + f.invalid;
  if (const auto sig = f.metadata.find("typenet.signature");
      sig != f.metadata.end() && sig->second != architecture_signature<Net>())
    return "another architecture's signature";
  static const std::vector<exchange_tensor> plan = exchange_tensors<Net>();
  if (f.tensors.size() != plan.size()) return "not the model's number of tensors";
  for (const exchange_tensor& x : plan) {
    const auto it = f.tensors.find(x.name);
    if (it == f.tensors.end()) return x.name + " missing";
    if (!it->second.floating()) return x.name + " not floating";
    if (!std::equal(it->second.shape.begin(), it->second.shape.end(), x.torch_shape.begin(), x.torch_shape.end()))
      return x.name + " has another shape";
  }
  params.resize(Model::param_count);
  std::vector<float> values;
  for (const exchange_tensor& x : plan) {
    const oracle_tensor& t = f.tensors.find(x.name)->second;
    values.resize(t.count);
    bool finite = true;
    for_each_value(t, [&](std::size_t i, float v) { values[i] = v, finite = finite && std::isfinite(v); });
    if (!finite) return x.name + " holds a value that is not finite as a float";
    x.for_each_element([&](std::size_t i, std::size_t j) { params[x.offset + j] = values[i]; });
  }
  return {};
}

/// One load of `file` into m, checked against the oracle: a refusal leaves m exactly as it
/// was, an acceptance gives m exactly the file's values, and load_weights refuses exactly the
/// files the oracle refuses. m's parameters are restored afterwards either way.
struct load_check {
  bool accepted = false;
  std::string error;    ///< the weights_error's what() on a refusal
  std::string problem;  ///< empty if all is as it should be
};
template <class Model>
load_check check_load(Model& m, std::span<const std::byte> file) {
  thread_local std::vector<float> before, expected;  // reused: sweeps call this thousands of times
  before.assign(m.parameters().begin(), m.parameters().end());
  const std::string refused = expect_load<Model>(read_oracle(file), expected);
  load_check c;
  try {
    load_weights(m, file);
    c.accepted = true;
  } catch (const weights_error& e) {
    c.error = e.what();
  }
  const std::span<float> p = m.parameters();
  if (!c.accepted) {
    if (std::memcmp(p.data(), before.data(), p.size_bytes()) != 0)  // bit for bit
      c.problem = "refused the file (" + c.error + ") but changed the model";
    else if (refused.empty())
      c.problem = "refused a file the oracle reads as valid for the model: " + c.error;
    return c;
  }
  if (!refused.empty()) {
    c.problem = "accepted a file the oracle refuses (" + refused + ")";
  } else {
    for (std::size_t i = 0; i < p.size(); ++i)
      if (!same_value(p[i], expected[i])) {
        c.problem = "parameter " + std::to_string(i) + " is " + std::to_string(p[i]) + ", the file says " +
                    std::to_string(expected[i]);
        break;
      }
  }
  std::copy(before.begin(), before.end(), p.begin());
  return c;
}

/// safetensors::parse checked against the oracle: it accepts exactly the valid files, and then
/// its entries are the oracle's tensors (name, dtype, shape, place, values). Empty if so.
inline std::string check_parse(std::span<const std::byte> file) {
  const oracle_file f = read_oracle(file);
  std::optional<safetensors::contents> c;
  std::string error;
  try {
    c = safetensors::parse(file, "fuzz");
  } catch (const weights_error& e) {
    error = e.what();
  }
  if (!c) return f.invalid.empty() ? "parse refused a valid file: " + error : std::string();
  if (!f.invalid.empty()) return "parse accepted an invalid file (" + f.invalid + ")";
  if (c->tensors.size() != f.tensors.size() || c->metadata != f.metadata) return "parse read other tensors or metadata";
  const std::byte* data = file.data() + f.data_start;
  for (const safetensors::entry& e : c->tensors) {
    const auto it = f.tensors.find(e.name);
    if (it == f.tensors.end()) return "parse read a tensor the file does not hold: " + e.name;
    const oracle_tensor& t = it->second;
    if (e.dtype->name != t.dtype || !std::equal(e.shape.begin(), e.shape.end(), t.shape.begin(), t.shape.end()) ||
        e.bytes.data() != data + t.begin || e.bytes.size() != t.end - t.begin)
      return "parse read tensor " + e.name + " otherwise";
    if (e.dtype->floating != t.floating()) return "parse reads the dtype of " + e.name + " otherwise";
    std::string wrong;
    if (t.floating())
      for_each_value(t, [&](std::size_t i, float v) {
        if (wrong.empty() && !same_value(safetensors::element(e, i), v))
          wrong = "element " + std::to_string(i) + " of " + e.name + " decodes otherwise";
      });
    if (!wrong.empty()) return wrong;
  }
  return {};
}

}  // namespace typenet::testing
