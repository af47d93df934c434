// The safetensors file format, read and written: no model here (io/weights.hpp maps a model onto it).
//
// A file is an 8-byte little-endian header length N, N bytes of JSON (an
// object: each tensor's name -> {"dtype", "shape", "data_offsets": [begin,
// end]}, and an optional "__metadata__" of strings), then the tensors' bytes,
// offsets counted from the end of the header. parse() checks everything a
// hostile file could get wrong before anything reads a tensor; each problem is
// a weights_error that names the tensor and what was expected and found.
#pragma once

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace typenet {

/// A weight file that cannot be read, or does not fit the model. what() says
/// it all; tensor(), expected() and found() give the parts ("" where none applies).
class weights_error : public std::runtime_error {
 public:
  weights_error(std::string origin, std::string tensor, std::string problem, std::string expected = {},
                std::string found = {})
      : std::runtime_error(compose(origin, tensor, problem, expected, found)),
        tensor_(std::move(tensor)),
        expected_(std::move(expected)),
        found_(std::move(found)) {}
  const std::string& tensor() const noexcept { return tensor_; }
  const std::string& expected() const noexcept { return expected_; }
  const std::string& found() const noexcept { return found_; }

 private:
  static std::string compose(const std::string& origin, const std::string& tensor, const std::string& problem,
                             const std::string& expected, const std::string& found) {
    std::string s = "typenet: " + origin + ": ";
    if (!tensor.empty()) s += "tensor \"" + tensor + "\": ";
    s += problem;
    if (!expected.empty() || !found.empty()) s += " (expected " + expected + ", found " + found + ")";
    return s;
  }
  std::string tensor_, expected_, found_;
};

namespace safetensors {

/// The element types a file may declare, and their sizes; typenet reads the floating ones.
struct dtype_info {
  std::string_view name;
  std::size_t bytes;
  bool floating;
};
inline constexpr dtype_info dtypes[] = {
    {"F64", 8, true},  {"F32", 4, true},  {"F16", 2, true},     {"BF16", 2, true},   {"I64", 8, false},
    {"I32", 4, false}, {"I16", 2, false}, {"I8", 1, false},     {"U64", 8, false},   {"U32", 4, false},
    {"U16", 2, false}, {"U8", 1, false},  {"BOOL", 1, false},   {"F8_E4M3", 1, false}, {"F8_E5M2", 1, false},
};
inline const dtype_info* find_dtype(std::string_view name) {
  for (const dtype_info& d : dtypes)
    if (d.name == name) return &d;
  return nullptr;
}

/// The largest header read (as the safetensors reference implementation): 100 MB.
inline constexpr std::uint64_t max_header_bytes = 100'000'000;

/// One tensor of a file: checked to lie inside the file, its byte count its shape's.
struct entry {
  std::string name;
  const dtype_info* dtype = nullptr;
  std::vector<std::size_t> shape;
  std::size_t count = 1;  ///< elements
  std::span<const std::byte> bytes;
};

/// A parsed file: its tensors (in the order of their data), its metadata.
struct contents {
  std::vector<entry> tensors;
  std::map<std::string, std::string> metadata;

  const entry* find(std::string_view name) const {
    for (const entry& e : tensors)
      if (e.name == name) return &e;
    return nullptr;
  }
};

/// "[6, 1, 5, 5]".
inline std::string shape_text(std::span<const std::size_t> shape) {
  std::string s = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

namespace detail {
inline std::uint64_t read_u64le(const std::byte* p) {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | std::to_integer<std::uint64_t>(p[i]);
  return v;
}
inline void write_u64le(std::byte* p, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::byte>((v >> (8 * i)) & 0xff);
}
/// A JSON value as an unsigned integer, or false.
inline bool as_size(const nlohmann::json& j, std::size_t& out) {
  if (!j.is_number_unsigned()) return false;
  out = j.get<std::size_t>();
  return true;
}
}  // namespace detail

/// Reads and checks a whole file held in `file`; `origin` names it in errors.
/// The entries' bytes point into `file`.
inline contents parse(std::span<const std::byte> file, const std::string& origin) {
  auto fail = [&](std::string tensor, std::string problem, std::string expected = {}, std::string found = {}) {
    return weights_error(origin, std::move(tensor), std::move(problem), std::move(expected), std::move(found));
  };
  if (file.size() < 8)
    throw fail("", "too short for a safetensors file", "at least 8 bytes", std::to_string(file.size()) + " bytes");
  const std::uint64_t n = detail::read_u64le(file.data());
  if (n > max_header_bytes)
    throw fail("", "header length too large", "at most " + std::to_string(max_header_bytes), std::to_string(n));
  if (n > file.size() - 8)
    throw fail("", "header length beyond the end of the file",
               "at most " + std::to_string(file.size() - 8) + " bytes", std::to_string(n) + " bytes");
  const auto* text = reinterpret_cast<const char*>(file.data() + 8);
  if (n == 0) throw fail("", "the header is not a JSON object", "'{' at byte 8", "an empty header");
  if (text[0] != '{') {
    char found[32];
    std::snprintf(found, sizeof found, "byte 0x%02x", static_cast<unsigned>(static_cast<unsigned char>(text[0])));
    throw fail("", "the header is not a JSON object", "'{' at byte 8", found);
  }

  // Depth: the header object (1), a tensor's description (2), its shape and offsets (3). Deeper
  // is malformed; stopping there also bounds the parser's work on hostile nesting.
  // A key twice in the header or in a description or __metadata__ is refused: JSON readers differ
  // on which one counts (the first, the last, an error), so such a file means different things to each.
  nlohmann::json header;
  std::set<std::string> seen_keys[2];  // of the header, of the object being read inside it
  std::string within;                  // the header's key being read
  try {
    header = nlohmann::json::parse(
        text, text + n,
        [&](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
          if ((event == nlohmann::json::parse_event_t::object_start ||
               event == nlohmann::json::parse_event_t::array_start) &&
              depth > 2)
            throw fail("", "malformed header", "JSON nested at most 3 deep", "deeper nesting");
          if (event == nlohmann::json::parse_event_t::object_start && depth == 1) seen_keys[1].clear();
          if (event == nlohmann::json::parse_event_t::key && depth <= 2) {
            const std::string key = parsed.get<std::string>();
            if (depth == 1) within = key;
            if (!seen_keys[depth - 1].insert(key).second) {
              if (depth == 1) throw fail(key, "named twice in the header", "one entry", "two");
              if (within == "__metadata__") throw fail("", "metadata \"" + key + "\" given twice", "one value", "two");
              throw fail(within, "field \"" + key + "\" given twice", "one value", "two");
            }
          }
          return true;
        });
  } catch (const nlohmann::json::exception& e) {
    throw fail("", "malformed JSON header", "JSON", e.what());
  }
  if (!header.is_object()) throw fail("", "the header is not a JSON object", "an object", header.type_name());

  contents c;
  const std::span<const std::byte> data = file.subspan(8 + n);
  std::vector<std::pair<std::size_t, std::size_t>> ranges;  // begin, end
  for (auto& [name, desc] : header.items()) {
    if (name == "__metadata__") {
      if (!desc.is_object()) throw fail("", "__metadata__ is not an object of strings", "an object", desc.type_name());
      for (auto& [key, value] : desc.items()) {
        if (!value.is_string())
          throw fail("", "metadata \"" + key + "\" is not a string", "a string", value.type_name());
        c.metadata[key] = value.get<std::string>();
      }
      continue;
    }
    if (!desc.is_object()) throw fail(name, "its description is not an object", "an object", desc.type_name());
    for (auto& [key, value] : desc.items())
      if (key != "dtype" && key != "shape" && key != "data_offsets")
        throw fail(name, "unknown field \"" + key + "\"", "dtype, shape, data_offsets", key);
    if (!desc.contains("dtype") || !desc["dtype"].is_string())
      throw fail(name, "no dtype", "a dtype string", desc.contains("dtype") ? desc["dtype"].type_name() : "none");
    entry e;
    e.name = name;
    e.dtype = find_dtype(desc["dtype"].get<std::string>());
    if (!e.dtype) throw fail(name, "unknown dtype", "F32, F16, BF16, F64 or another safetensors dtype",
                             desc["dtype"].get<std::string>());
    if (!desc.contains("shape") || !desc["shape"].is_array())
      throw fail(name, "no shape", "an array of extents", desc.contains("shape") ? desc["shape"].type_name() : "none");
    for (const nlohmann::json& d : desc["shape"]) {
      std::size_t extent = 0;
      if (!detail::as_size(d, extent)) throw fail(name, "a shape extent is not a count", "an integer >= 0", d.dump());
      e.shape.push_back(extent);
      if (extent != 0 && e.count > std::numeric_limits<std::size_t>::max() / extent)
        throw fail(name, "shape too large", "a size that fits in memory", shape_text(e.shape));
      e.count *= extent;
    }
    const nlohmann::json* off = desc.contains("data_offsets") ? &desc["data_offsets"] : nullptr;
    std::size_t begin = 0, end = 0;
    if (!off || !off->is_array() || off->size() != 2 || !detail::as_size((*off)[0], begin) ||
        !detail::as_size((*off)[1], end))
      throw fail(name, off ? "data_offsets is not [begin, end]" : "no data_offsets", "[begin, end], two integers",
                 off ? off->dump() : "none");
    if (begin > end || end > data.size())
      throw fail(name, "data_offsets out of range",
                 "0 <= begin <= end <= " + std::to_string(data.size()) + " (the data's bytes)",
                 "[" + std::to_string(begin) + ", " + std::to_string(end) + "]");
    if (e.count > std::numeric_limits<std::size_t>::max() / e.dtype->bytes || end - begin != e.count * e.dtype->bytes)
      throw fail(name, "data_offsets do not span its shape",
                 std::to_string(e.count) + " x " + std::to_string(e.dtype->bytes) + " bytes",
                 std::to_string(end - begin) + " bytes");
    e.bytes = data.subspan(begin, end - begin);
    ranges.emplace_back(begin, end);
    c.tensors.push_back(std::move(e));
  }
  // The data is the tensors', back to back: no overlap, no hole, nothing after.
  std::vector<std::size_t> order(c.tensors.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return ranges[a] < ranges[b];
  });
  std::size_t at = 0;
  for (std::size_t i : order) {
    if (ranges[i].first < at)
      throw fail(c.tensors[i].name, "its data overlaps another tensor's", "begin >= " + std::to_string(at),
                 std::to_string(ranges[i].first));
    if (ranges[i].first > at)
      throw fail(c.tensors[i].name, "a hole in the data before it", "begin " + std::to_string(at),
                 std::to_string(ranges[i].first));
    at = ranges[i].second;
  }
  if (at != data.size())
    throw fail("", "bytes after the last tensor", std::to_string(at) + " data bytes", std::to_string(data.size()));
  std::vector<entry> sorted;
  sorted.reserve(order.size());
  for (std::size_t i : order) sorted.push_back(std::move(c.tensors[i]));
  c.tensors = std::move(sorted);
  return c;
}

/// IEEE half -> float, exactly.
inline float half_to_float(std::uint16_t h) {
  const std::uint32_t sign = static_cast<std::uint32_t>(h & 0x8000u) << 16;
  std::uint32_t exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ffu;
  std::uint32_t bits;
  if (exponent == 0x1f) {
    bits = sign | 0x7f800000u | (mantissa << 13);
  } else if (exponent != 0) {
    bits = sign | ((exponent + 112) << 23) | (mantissa << 13);
  } else if (mantissa == 0) {
    bits = sign;
  } else {  // subnormal: normalise
    exponent = 113;
    while (!(mantissa & 0x400u)) mantissa <<= 1, --exponent;
    bits = sign | (exponent << 23) | ((mantissa & 0x3ffu) << 13);
  }
  return std::bit_cast<float>(bits);
}

/// Element i of a floating tensor as float (F64 rounds to nearest; out of float's range is infinite).
inline float element(const entry& e, std::size_t i) {
  const std::byte* p = e.bytes.data() + i * e.dtype->bytes;
  if (e.dtype->name == "F32") {
    std::uint32_t u;
    std::memcpy(&u, p, 4);
    if constexpr (std::endian::native == std::endian::big) u = __builtin_bswap32(u);
    return std::bit_cast<float>(u);
  }
  if (e.dtype->name == "F64") {
    std::uint64_t u;
    std::memcpy(&u, p, 8);
    if constexpr (std::endian::native == std::endian::big) u = __builtin_bswap64(u);
    return static_cast<float>(std::bit_cast<double>(u));
  }
  const std::uint16_t h =
      static_cast<std::uint16_t>(std::to_integer<unsigned>(p[0]) | (std::to_integer<unsigned>(p[1]) << 8));
  if (e.dtype->name == "BF16") return std::bit_cast<float>(static_cast<std::uint32_t>(h) << 16);
  return half_to_float(h);
}

/// Element i of an F64 tensor as it is in the file.
inline double element_f64(const entry& e, std::size_t i) {
  std::uint64_t u;
  std::memcpy(&u, e.bytes.data() + i * 8, 8);
  if constexpr (std::endian::native == std::endian::big) u = __builtin_bswap64(u);
  return std::bit_cast<double>(u);
}

/// A tensor to write: name, shape, F32 values in row-major order.
struct out_tensor {
  std::string name;
  std::vector<std::size_t> shape;
  std::vector<float> values;
};

/// The bytes of a file holding `tensors` (F32, in the order given) and `metadata`.
inline std::vector<std::byte> serialize(const std::vector<out_tensor>& tensors,
                                        const std::map<std::string, std::string>& metadata) {
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  std::size_t at = 0;
  for (const out_tensor& t : tensors) {
    std::size_t count = 1;
    for (std::size_t d : t.shape) count *= d;
    if (count != t.values.size())
      throw std::logic_error("typenet: tensor \"" + t.name + "\" has " + std::to_string(t.values.size()) +
                             " values for shape " + shape_text(t.shape));
    header[t.name] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {at, at + 4 * count}}};
    at += 4 * count;
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');  // the data starts 8-byte aligned
  std::vector<std::byte> out(8 + text.size() + at);
  detail::write_u64le(out.data(), text.size());
  std::memcpy(out.data() + 8, text.data(), text.size());
  std::byte* p = out.data() + 8 + text.size();
  for (const out_tensor& t : tensors)
    for (float v : t.values) {
      std::uint32_t u = std::bit_cast<std::uint32_t>(v);
      if constexpr (std::endian::native == std::endian::big) u = __builtin_bswap32(u);
      std::memcpy(p, &u, 4);
      p += 4;
    }
  return out;
}

/// A whole file's bytes; weights_error if it cannot be read.
inline std::vector<std::byte> read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw weights_error(path.string(), "", "cannot open the file");
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  if (size < 0) throw weights_error(path.string(), "", "cannot read the file");
  in.seekg(0);
  std::vector<std::byte> bytes(static_cast<std::size_t>(size));
  if (!in.read(reinterpret_cast<char*>(bytes.data()), size)) throw weights_error(path.string(), "", "cannot read the file");
  return bytes;
}

/// Writes `bytes` to `path` through a temporary file renamed into place, so a
/// crash or a full disk never leaves a half-written file under that name.
inline void write_file(const std::filesystem::path& path, std::span<const std::byte> bytes) {
  std::filesystem::path tmp = path;
  tmp += ".partial";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("typenet: cannot write " + tmp.string());
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) {
      out.close();
      std::filesystem::remove(tmp);
      throw std::runtime_error("typenet: cannot write " + tmp.string() + " (disk full?)");
    }
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace safetensors
}  // namespace typenet
