// IDX files (MNIST, Fashion-MNIST), plain or gzip: a hostile-file-safe reader and a loader into float samples.
#pragma once

#include <typenet/kernels/isa.hpp>
#include <typenet/shape.hpp>

#include <zlib.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace typenet::data {
// Keyed on the ISA, as the kernels: every function here is compiled for the unit's instruction set
// (kernels/isa.hpp), so units built for different ISAs never share one.
inline namespace TYPENET_ISA_NAMESPACE {


/// A file that is not the IDX file it should be: "typenet: <path>: <what is wrong>".
struct idx_error : std::runtime_error {
  idx_error(const std::filesystem::path& file, const std::string& what)
      : std::runtime_error("typenet: " + file.string() + ": " + what) {}
};

/// An IDX array as stored: element type byte, dimensions (outermost first) and the
/// elements in row-major order. Only type 0x08 (unsigned byte) is read.
struct idx_array {
  std::uint8_t type = 0x08;
  std::vector<std::size_t> dims;
  std::vector<std::uint8_t> data;
};

/// The most data read_idx accepts (2^34 bytes): a header asking for more is taken
/// for a broken or hostile file rather than an allocation.
inline constexpr std::size_t idx_max_bytes = std::size_t{1} << 34;

namespace detail {

inline std::string hex(std::uint64_t v, int digits) {
  static constexpr char d[] = "0123456789abcdef";
  std::string s = "0x";
  for (int i = digits - 1; i >= 0; --i) s += d[(v >> (4 * i)) & 0xf];
  return s;
}

inline std::string join_dims(const std::vector<std::size_t>& dims) {
  std::string s;
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? " x " : "") + std::to_string(dims[i]);
  return s;
}

inline std::string describe_type(std::uint8_t t) {
  switch (t) {
    case 0x08: return "0x08 (unsigned byte)";
    case 0x09: return "0x09 (signed byte)";
    case 0x0b: return "0x0b (16-bit integer)";
    case 0x0c: return "0x0c (32-bit integer)";
    case 0x0d: return "0x0d (32-bit float)";
    case 0x0e: return "0x0e (64-bit float)";
    default: return hex(t, 2) + ", which IDX does not define";
  }
}

/// The bytes of a file, inflated when it starts with gzip's magic bytes (1f 8b); an IDX
/// file starts with two zero bytes, so the two cannot be confused. An inflate loop of its own
/// rather than gzread, which ignores bytes after the last gzip member and reports a cut-off
/// stream only through gzerror: here both are errors.
class byte_source {
 public:
  explicit byte_source(const std::filesystem::path& file) : path_(file) {
    std::error_code ec;
    const auto type = std::filesystem::status(file, ec).type();
    if (type == std::filesystem::file_type::not_found) throw idx_error(file, "no such file");
    if (type == std::filesystem::file_type::directory) throw idx_error(file, "is a directory, not an IDX file");
    in_file_.open(file, std::ios::binary);
    if (!in_file_) throw idx_error(file, "cannot open it for reading");
    fill();
    gzip_ = z_.avail_in >= 2 && buffer_[0] == 0x1f && buffer_[1] == 0x8b;
    if (gzip_ && inflateInit2(&z_, 16 + MAX_WBITS) != Z_OK) throw idx_error(file, "zlib cannot start inflating");
  }
  ~byte_source() {
    if (gzip_) inflateEnd(&z_);
  }
  byte_source(const byte_source&) = delete;
  byte_source& operator=(const byte_source&) = delete;

  bool gzip() const { return gzip_; }
  /// True once the input ended inside a gzip member (no end marker and checksum).
  bool cut_off() const { return cut_off_; }

  /// Reads up to n bytes into out; fewer only at the end of the (inflated) data.
  std::size_t read(std::uint8_t* out, std::size_t n) {
    std::size_t got = 0;
    while (got < n) {
      if (z_.avail_in == 0 && !fill()) {
        cut_off_ = gzip_ && in_member_;
        break;
      }
      if (!gzip_) {
        const std::size_t k = std::min<std::size_t>(n - got, z_.avail_in);
        std::copy_n(z_.next_in, k, out + got);
        z_.next_in += k;
        z_.avail_in -= static_cast<uInt>(k);
        got += k;
        continue;
      }
      if (!in_member_) {  // a next gzip member (gzip allows several back to back)
        inflateReset(&z_);
        in_member_ = true;
      }
      const auto want = static_cast<uInt>(std::min<std::size_t>(n - got, 1u << 30));
      z_.next_out = out + got;
      z_.avail_out = want;
      const uInt had = z_.avail_in;
      const int r = inflate(&z_, Z_NO_FLUSH);
      got += want - z_.avail_out;
      const bool stuck = r == Z_BUF_ERROR && z_.avail_out == want && z_.avail_in == had;  // no progress: never loop on it
      if (r == Z_STREAM_END) {
        in_member_ = false;
      } else if ((r != Z_OK && r != Z_BUF_ERROR) || stuck) {
        throw idx_error(path_, std::string("the gzip data is corrupt (zlib: ") + (z_.msg ? z_.msg : "error " + std::to_string(r)) +
                                   ") after " + std::to_string(z_.total_out) + " bytes of the current member");
      }
    }
    return got;
  }

 private:
  bool fill() {
    in_file_.read(reinterpret_cast<char*>(buffer_.data()), static_cast<std::streamsize>(buffer_.size()));
    z_.next_in = buffer_.data();
    z_.avail_in = static_cast<uInt>(in_file_.gcount());
    if (in_file_.bad()) throw idx_error(path_, "read error");
    return z_.avail_in != 0;
  }

  std::filesystem::path path_;
  std::ifstream in_file_;
  std::array<std::uint8_t, 1 << 16> buffer_{};
  z_stream z_{};  // for a plain file, only next_in / avail_in (the buffered bytes)
  bool gzip_ = false, in_member_ = false, cut_off_ = false;
};

}  // namespace detail

/// Reads an IDX file, plain or gzip. Throws idx_error, naming the file and the problem, for
/// a missing file, a wrong magic number, an element type other than 0x08, 0 dimensions, a
/// size over idx_max_bytes, a truncated file, trailing bytes and corrupt gzip data.
inline idx_array read_idx(const std::filesystem::path& file) {
  detail::byte_source in(file);
  const std::string inflated = in.gzip() ? " (after decompression)" : "";
  std::array<std::uint8_t, 4> magic{};
  if (const std::size_t got = in.read(magic.data(), 4); got < 4)
    throw idx_error(file, "truncated: an IDX file starts with a 4-byte magic number, the file holds " + std::to_string(got) +
                              " bytes" + inflated);
  if (magic[0] != 0 || magic[1] != 0) {
    const std::uint32_t m = (std::uint32_t{magic[0]} << 24) | (std::uint32_t{magic[1]} << 16) | (std::uint32_t{magic[2]} << 8) | magic[3];
    throw idx_error(file, "wrong magic number " + detail::hex(m, 8) +
                              ": an IDX file starts with two zero bytes, a type byte (0x08 = unsigned byte) and the number of "
                              "dimensions (MNIST images: 0x00000803, labels: 0x00000801)" + inflated);
  }
  idx_array a;
  a.type = magic[2];
  if (a.type != 0x08)
    throw idx_error(file, "element type " + detail::describe_type(a.type) + ": only 0x08 (unsigned byte) is supported");
  const std::size_t rank = magic[3];
  if (rank == 0) throw idx_error(file, "0 dimensions: the header (" + detail::hex(magic[2] << 8, 8) + ") declares no array");

  std::vector<std::uint8_t> sizes(4 * rank);
  if (const std::size_t got = in.read(sizes.data(), sizes.size()); got < sizes.size())
    throw idx_error(file, "truncated header: " + std::to_string(rank) + " dimensions need " + std::to_string(4 + sizes.size()) +
                              " header bytes, the file holds " + std::to_string(4 + got) + inflated);
  a.dims.resize(rank);
  bool empty = false;
  for (std::size_t i = 0; i < rank; ++i) {
    a.dims[i] = (std::size_t{sizes[4 * i]} << 24) | (std::size_t{sizes[4 * i + 1]} << 16) | (std::size_t{sizes[4 * i + 2]} << 8) |
                sizes[4 * i + 3];
    empty = empty || a.dims[i] == 0;
  }
  std::size_t bytes = empty ? 0 : 1;
  for (std::size_t i = 0; i < rank && !empty; ++i) {
    if (bytes > idx_max_bytes / a.dims[i])
      throw idx_error(file, "the header promises " + detail::join_dims(a.dims) + " bytes of data, more than the " +
                                std::to_string(idx_max_bytes) + " this reader accepts (a broken or hostile header?)");
    bytes *= a.dims[i];
  }

  // Grow with the data actually read, so that a short file claiming 16 GiB allocates what it holds.
  while (a.data.size() < bytes) {
    const std::size_t old = a.data.size();
    const std::size_t chunk = std::min(bytes - old, std::max<std::size_t>(old, 1u << 24));
    a.data.reserve(old + chunk);
    a.data.resize(old + chunk);
    const std::size_t got = in.read(a.data.data() + old, chunk);
    a.data.resize(old + got);
    if (got < chunk) break;
  }
  if (a.data.size() < bytes)
    throw idx_error(file, "truncated: the header promises " + detail::join_dims(a.dims) + " = " + std::to_string(bytes) +
                              " bytes of data, the file holds " + std::to_string(a.data.size()) + inflated +
                              (in.cut_off() ? "; its gzip stream is cut off" : ""));

  // Read to the end: anything left is an error, and a gzip member's checksum is checked only there.
  constexpr std::size_t counted = std::size_t{1} << 20;  // trailing bytes counted at most
  std::array<std::uint8_t, 4096> rest{};
  std::size_t extra = 0;
  while (extra <= counted) {
    const std::size_t got = in.read(rest.data(), rest.size());
    if (got == 0) break;
    extra += got;
  }
  if (extra != 0)
    throw idx_error(file, "trailing bytes: the header promises " + detail::join_dims(a.dims) + " = " + std::to_string(bytes) +
                              " bytes of data, the file holds " +
                              (extra > counted ? "more than " + std::to_string(counted) : std::to_string(extra)) + " bytes more" +
                              inflated);
  if (in.cut_off()) throw idx_error(file, "the gzip stream is cut off after the data (no end marker and checksum)");
  return a;
}

/// Labelled samples as floats: `count` samples of `sample.size()` values each, HWC, back to back.
struct dataset {
  shape sample;
  std::size_t count = 0;
  std::vector<float> images;
  std::vector<std::uint8_t> labels;
  std::size_t classes = 0;  // the largest label + 1
};

/// Loads an images file (N x H x W, or N x H x W x C) and a labels file (N) for a network
/// that takes `input`: H x W x C must equal it, or, for a flat input, hold as many values.
/// Pixels become float(pixel) * scale. Throws idx_error naming the file(s) and the numbers.
inline dataset load_idx(const std::filesystem::path& images_path, const std::filesystem::path& labels_path, shape input,
                        float scale = 1.f / 255) {
  idx_array im = read_idx(images_path);
  const idx_array lb = read_idx(labels_path);
  const bool swapped = im.dims.size() == 1 && lb.dims.size() >= 3;
  if (im.dims.size() != 3 && im.dims.size() != 4)
    throw idx_error(images_path, "an images file has 3 dimensions (N x H x W) or 4 (N x H x W x C), this one has " +
                                     std::to_string(im.dims.size()) + " (" + detail::join_dims(im.dims) + ")" +
                                     (swapped ? "; are the images and labels files swapped?" : ""));
  if (lb.dims.size() != 1)
    throw idx_error(labels_path, "a labels file has 1 dimension (N), this one has " + std::to_string(lb.dims.size()) + " (" +
                                     detail::join_dims(lb.dims) + ")");
  const std::size_t n = im.dims[0], h = im.dims[1], w = im.dims[2], c = im.dims.size() == 4 ? im.dims[3] : 1;
  if (n == 0) throw idx_error(images_path, "the file holds 0 images (" + detail::join_dims(im.dims) + ")");
  const std::string have = std::to_string(h) + "x" + std::to_string(w) + "x" + std::to_string(c);
  if (input.flat ? h * w * c != input.size() : volume(h, w, c) != input)
    throw idx_error(images_path, "the images are " + have + (input.flat ? " = " + std::to_string(h * w * c) + " values" : "") +
                                     ", the network takes " +
                                     (input.flat ? "a flat vector of " + std::to_string(input.size())
                                                 : std::to_string(input.height) + "x" + std::to_string(input.width) + "x" +
                                                       std::to_string(input.depth)));
  if (lb.dims[0] != n)
    throw idx_error(images_path, std::to_string(n) + " images but " + std::to_string(lb.dims[0]) + " labels in " + labels_path.string());

  dataset d;
  d.sample = input;
  d.count = n;
  d.images.resize(im.data.size());
  std::transform(im.data.begin(), im.data.end(), d.images.begin(), [scale](std::uint8_t p) { return static_cast<float>(p) * scale; });
  im.data = {};
  d.labels = lb.data;
  d.classes = std::size_t{*std::max_element(d.labels.begin(), d.labels.end())} + 1;
  return d;
}

/// load_idx for a shape known at compile time, e.g. `load_idx<facts<Net>.input>(...)`.
template <shape In>
dataset load_idx(const std::filesystem::path& images_path, const std::filesystem::path& labels_path, float scale = 1.f / 255) {
  return load_idx(images_path, labels_path, In, scale);
}

}  // namespace TYPENET_ISA_NAMESPACE
}  // namespace typenet::data
