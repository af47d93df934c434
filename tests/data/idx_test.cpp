// IDX files: plain and gzip read back alike; every broken or hostile file fails with a message that says why.
#include <typenet/data/idx.hpp>

#include <doctest/doctest.h>
#include <zlib.h>

#include "../seed.hpp"

#include <typenet/init.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {
namespace fs = std::filesystem;
using namespace typenet::data;
using bytes = std::vector<std::uint8_t>;

TEST_SUITE_BEGIN("data/idx");  // -ts='*idx*'

/// A fresh directory under the system's temporary directory, removed with everything in it.
struct temp_dir {
  fs::path path;
  temp_dir() {
    typenet::seeded_random r(typenet::testing::fresh_seed() ^ reinterpret_cast<std::uintptr_t>(this));
    path = fs::temp_directory_path() / ("typenet-idx-test-" + std::to_string(r.next()));
    fs::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
};

/// An IDX header: 0, 0, type, rank, then each size as a big-endian 32-bit number.
bytes header(std::vector<std::uint32_t> dims, std::uint8_t type = 0x08) {
  bytes h{0, 0, type, static_cast<std::uint8_t>(dims.size())};
  for (std::uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) h.push_back(static_cast<std::uint8_t>(d >> s));
  return h;
}

bytes operator+(bytes a, const bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

bytes random_bytes(std::size_t n) {
  typenet::seeded_random r(typenet::testing::fresh_seed());
  bytes b(n);
  for (auto& v : b) v = static_cast<std::uint8_t>(r.next());
  return b;
}

fs::path write_plain(const fs::path& file, const bytes& b) {
  std::ofstream(file, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  return file;
}

/// A gzip file written by zlib's gzwrite, as gzip(1) would write it. mode "ab" adds a second member.
fs::path write_gzip(const fs::path& file, const bytes& b, const char* mode = "wb") {
  gzFile f = gzopen(file.c_str(), mode);
  REQUIRE(f != nullptr);
  REQUIRE(gzwrite(f, b.data(), static_cast<unsigned>(b.size())) == static_cast<int>(b.size()));
  REQUIRE(gzclose(f) == Z_OK);
  return file;
}

bytes contents(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return bytes(std::istreambuf_iterator<char>(in), {});
}

/// The message read_idx throws for these bytes, written plain ("" if it does not throw).
std::string plain_error(const temp_dir& t, const bytes& b) {
  try {
    read_idx(write_plain(t.path / "f.idx", b));
  } catch (const idx_error& e) {
    return e.what();
  }
  return "";
}

std::string gzip_error(const temp_dir& t, const bytes& b) {
  try {
    read_idx(write_gzip(t.path / "f.idx.gz", b));
  } catch (const idx_error& e) {
    return e.what();
  }
  return "";
}

TEST_CASE("read_idx: plain and gzip files read back the same array, type 0x08, dims outermost first") {
  temp_dir t;
  const bytes data = random_bytes(5 * 3 * 2);
  const bytes file = header({5, 3, 2}) + data;
  for (const fs::path& p : {write_plain(t.path / "a.idx", file), write_gzip(t.path / "a.idx.gz", file)}) {
    CAPTURE(p);
    const idx_array a = read_idx(p);
    CHECK(a.type == 0x08);
    CHECK(a.dims == std::vector<std::size_t>{5, 3, 2});
    CHECK(a.data == data);
  }
  const bytes labels{3, 1, 4, 1, 5};
  CHECK(read_idx(write_gzip(t.path / "l.gz", header({5}) + labels)).data == labels);
  CHECK(read_idx(write_plain(t.path / "e.idx", header({0, 28, 28}))).data.empty());  // an empty array is an array
}

TEST_CASE("read_idx: a gzip file of several members (gzip allows them back to back) reads as one") {
  temp_dir t;
  const bytes data = random_bytes(100);
  const fs::path p = write_gzip(t.path / "m.gz", header({100}) + bytes(data.begin(), data.begin() + 40));
  write_gzip(p, bytes(data.begin() + 40, data.end()), "ab");
  CHECK(read_idx(p).data == data);
}

TEST_CASE("read_idx: a missing file, or a directory, is an error naming it") {
  temp_dir t;
  const fs::path p = t.path / "no-such-file-idx3-ubyte.gz";
  CHECK_THROWS_WITH_AS(read_idx(p), ("typenet: " + p.string() + ": no such file").c_str(), idx_error);
  CHECK_THROWS_WITH_AS(read_idx(t.path), doctest::Contains("is a directory"), idx_error);
}

TEST_CASE("read_idx: a wrong magic number says what an IDX header holds") {
  temp_dir t;
  const std::string e = plain_error(t, bytes{0x12, 0x34, 0x08, 0x03} + random_bytes(20));
  CHECK(e.find("typenet: " + (t.path / "f.idx").string() + ": wrong magic number 0x12340803") == 0);
  CHECK(e.find("two zero bytes, a type byte (0x08 = unsigned byte) and the number of dimensions") != std::string::npos);
  // A gzip file of a text file: the magic is checked on the inflated bytes, and the message says so.
  const std::string g = gzip_error(t, bytes{'h', 'e', 'l', 'l', 'o'});
  CHECK(g.find("wrong magic number 0x68656c6c") != std::string::npos);
  CHECK(g.find("(after decompression)") != std::string::npos);
}

TEST_CASE("read_idx: element types other than unsigned byte are rejected, naming the type") {
  temp_dir t;
  CHECK(plain_error(t, header({4}, 0x0d) + bytes(16)).find("element type 0x0d (32-bit float): only 0x08 (unsigned byte) is supported") !=
        std::string::npos);
  CHECK(plain_error(t, header({4}, 0x0b) + bytes(8)).find("0x0b (16-bit integer)") != std::string::npos);
  CHECK(plain_error(t, header({4}, 0x42) + bytes(4)).find("element type 0x42, which IDX does not define") != std::string::npos);
}

TEST_CASE("read_idx: 0 dimensions is an error") {
  temp_dir t;
  CHECK(plain_error(t, bytes{0, 0, 8, 0}).find("0 dimensions") != std::string::npos);
  CHECK(gzip_error(t, bytes{0, 0, 8, 0, 1, 2}).find("0 dimensions") != std::string::npos);
}

TEST_CASE("read_idx: a truncated file says how much the header promises and how much is there") {
  temp_dir t;
  const bytes head = header({60000, 28, 28});
  const std::string want = "truncated: the header promises 60000 x 28 x 28 = 47040000 bytes of data, the file holds 1234";
  CHECK(plain_error(t, head + bytes(1234)) == "typenet: " + (t.path / "f.idx").string() + ": " + want);
  CHECK(gzip_error(t, head + bytes(1234)) == "typenet: " + (t.path / "f.idx.gz").string() + ": " + want + " (after decompression)");
  CHECK(plain_error(t, bytes{0, 0}).find("truncated: an IDX file starts with a 4-byte magic number, the file holds 2 bytes") !=
        std::string::npos);
  CHECK(plain_error(t, bytes{}).find("the file holds 0 bytes") != std::string::npos);
  CHECK(plain_error(t, bytes{0, 0, 8, 3, 0, 0, 0, 1, 0}).find("truncated header: 3 dimensions need 16 header bytes, the file holds 9") !=
        std::string::npos);
}

TEST_CASE("read_idx: a cut-off or corrupt gzip stream fails cleanly") {
  temp_dir t;
  const bytes data = random_bytes(5000);  // random: incompressible, so a cut in the middle cuts the data
  const bytes gz = contents(write_gzip(t.path / "whole.gz", header({5000}) + data));
  // Cut in the middle: the data is short and the gzip stream has no end.
  const std::string half = [&] {
    try {
      read_idx(write_plain(t.path / "half.gz", bytes(gz.begin(), gz.begin() + static_cast<std::ptrdiff_t>(gz.size() / 2))));
    } catch (const idx_error& e) {
      return std::string(e.what());
    }
    return std::string();
  }();
  CHECK(half.find("truncated: the header promises 5000 = 5000 bytes of data, the file holds") != std::string::npos);
  CHECK(half.find("; its gzip stream is cut off") != std::string::npos);
  // Only the trailer (CRC-32 and length) missing: all data there, but the stream is unfinished.
  CHECK_THROWS_WITH_AS(read_idx(write_plain(t.path / "notrailer.gz", bytes(gz.begin(), gz.end() - 8))),
                       doctest::Contains("the gzip stream is cut off after the data"), idx_error);
  // A wrong CRC-32: zlib notices at the end of the member.
  bytes bad_crc = gz;
  bad_crc[bad_crc.size() - 8] ^= 0xff;
  CHECK_THROWS_WITH_AS(read_idx(write_plain(t.path / "crc.gz", bad_crc)), doctest::Contains("the gzip data is corrupt (zlib: incorrect data check)"),
                       idx_error);
  // Garbage in the deflate stream's block header.
  bytes garbage = gz;
  garbage[10] = 0xff;
  CHECK_THROWS_WITH_AS(read_idx(write_plain(t.path / "garbage.gz", garbage)), doctest::Contains("the gzip data is corrupt (zlib: "),
                       idx_error);
}

TEST_CASE("read_idx: hostile headers fail before allocating what they claim") {
  temp_dir t;
  const std::string huge = plain_error(t, header({0xffffffff, 0xffffffff, 0xffffffff}) + bytes(10));
  CHECK(huge.find("the header promises 4294967295 x 4294967295 x 4294967295 bytes of data, more than the 17179869184 this reader "
                  "accepts") != std::string::npos);
  CHECK(plain_error(t, header({65536, 65536, 5}) + bytes(10)).find("more than the 17179869184") != std::string::npos);
  // Exactly 2^34 promised, 10 bytes there: the reader grows with the data, so this is a truncation, not a 16 GiB allocation.
  CHECK(plain_error(t, header({65536, 65536, 4}) + bytes(10))
            .find("truncated: the header promises 65536 x 65536 x 4 = 17179869184 bytes of data, the file holds 10") != std::string::npos);
  // 255 dimensions of 2: 2^255 overflows any integer; checked step by step, it is an error.
  CHECK(plain_error(t, header(std::vector<std::uint32_t>(255, 2))).find("more than the 17179869184") != std::string::npos);
}

TEST_CASE("read_idx: bytes after the data are an error, plain or gzip") {
  temp_dir t;
  const bytes file = header({2, 2}) + bytes{1, 2, 3, 4} + bytes{9, 9, 9};
  const std::string want = "trailing bytes: the header promises 2 x 2 = 4 bytes of data, the file holds 3 bytes more";
  CHECK(plain_error(t, file).find(want) != std::string::npos);
  CHECK(gzip_error(t, file).find(want + " (after decompression)") != std::string::npos);
  CHECK(plain_error(t, header({1}) + bytes(3 << 20)).find("the file holds more than 1048576 bytes more") != std::string::npos);
}

// ---- load_idx

struct files {
  fs::path images, labels;
};

files write_set(const temp_dir& t, std::vector<std::uint32_t> image_dims, const bytes& pixels, const bytes& labels) {
  return {write_gzip(t.path / "images.gz", header(std::move(image_dims)) + pixels),
          write_plain(t.path / "labels.idx", header({static_cast<std::uint32_t>(labels.size())}) + labels)};
}

TEST_CASE("load_idx: N x H x W images become H x W x 1 float samples, pixel * scale, with their labels") {
  temp_dir t;
  const bytes pixels = random_bytes(3 * 4 * 5);
  const files f = write_set(t, {3, 4, 5}, pixels, {2, 0, 6});
  const dataset d = load_idx<typenet::volume(4, 5, 1)>(f.images, f.labels);
  CHECK(d.sample == typenet::volume(4, 5, 1));
  CHECK(d.count == 3);
  CHECK(d.classes == 7);
  CHECK(d.labels == bytes{2, 0, 6});
  REQUIRE(d.images.size() == pixels.size());
  for (std::size_t i = 0; i < pixels.size(); ++i) CHECK(d.images[i] == static_cast<float>(pixels[i]) * (1.f / 255));
  const dataset raw = load_idx(f.images, f.labels, typenet::volume(4, 5, 1), 1.f);  // the run-time overload
  for (std::size_t i = 0; i < pixels.size(); ++i) CHECK(raw.images[i] == static_cast<float>(pixels[i]));
}

TEST_CASE("load_idx: N x H x W x C images, and a flat input that takes H * W * C values") {
  temp_dir t;
  const bytes pixels = random_bytes(2 * 3 * 3 * 3);
  const files f = write_set(t, {2, 3, 3, 3}, pixels, {1, 1});
  CHECK(load_idx<typenet::volume(3, 3, 3)>(f.images, f.labels).sample == typenet::volume(3, 3, 3));
  const dataset flat = load_idx<typenet::flat(27)>(f.images, f.labels);
  CHECK(flat.sample == typenet::flat(27));
  CHECK(flat.images.size() == 54);
  CHECK(flat.classes == 2);
}

TEST_CASE("load_idx: a shape that is not the network's input names both") {
  temp_dir t;
  const files f = write_set(t, {2, 28, 28}, bytes(2 * 28 * 28), {0, 1});
  CHECK_THROWS_WITH_AS(load_idx<typenet::volume(32, 32, 1)>(f.images, f.labels),
                       ("typenet: " + f.images.string() + ": the images are 28x28x1, the network takes 32x32x1").c_str(), idx_error);
  CHECK_THROWS_WITH_AS(load_idx<typenet::volume(28, 28, 3)>(f.images, f.labels),
                       doctest::Contains("the images are 28x28x1, the network takes 28x28x3"), idx_error);
  CHECK_THROWS_WITH_AS(load_idx(f.images, f.labels, typenet::flat(100)),
                       doctest::Contains("the images are 28x28x1 = 784 values, the network takes a flat vector of 100"), idx_error);
}

TEST_CASE("load_idx: image and label counts that disagree name both counts and both files") {
  temp_dir t;
  const files f = write_set(t, {5, 2, 2}, bytes(20), {0, 1, 2, 3});
  CHECK_THROWS_WITH_AS(load_idx<typenet::volume(2, 2, 1)>(f.images, f.labels),
                       ("typenet: " + f.images.string() + ": 5 images but 4 labels in " + f.labels.string()).c_str(), idx_error);
}

TEST_CASE("load_idx: files of the wrong rank, swapped files and an empty set") {
  temp_dir t;
  const files f = write_set(t, {3, 2, 2}, bytes(12), {0, 1, 2});
  CHECK_THROWS_WITH_AS(load_idx<typenet::volume(2, 2, 1)>(f.labels, f.images),
                       doctest::Contains("an images file has 3 dimensions (N x H x W) or 4 (N x H x W x C), this one has 1 (3); "
                                         "are the images and labels files swapped?"),
                       idx_error);
  CHECK_THROWS_WITH_AS(load_idx<typenet::volume(2, 2, 1)>(f.images, f.images),
                       doctest::Contains("a labels file has 1 dimension (N), this one has 3 (3 x 2 x 2)"), idx_error);
  const files e = write_set(t, {0, 2, 2}, {}, {});
  CHECK_THROWS_WITH_AS(load_idx<typenet::volume(2, 2, 1)>(e.images, e.labels), doctest::Contains("the file holds 0 images (0 x 2 x 2)"),
                       idx_error);
}

TEST_CASE("load_idx: Fashion-MNIST as Debian installs it (dataset-fashion-mnist), when it is there") {
  const fs::path dir = "/usr/share/datasets/fashion-mnist";
  if (!fs::exists(dir / "train-images-idx3-ubyte.gz")) {
    MESSAGE("Fashion-MNIST is not installed in " << dir.string()
                                                 << ": not tested on the real files (tools/install-deps installs dataset-fashion-mnist)");
    return;
  }
  for (const auto& [name, n] : {std::pair<std::string, std::size_t>{"train", 60000}, {"t10k", 10000}}) {
    CAPTURE(name);
    const dataset d = load_idx<typenet::volume(28, 28, 1)>(dir / (name + "-images-idx3-ubyte.gz"), dir / (name + "-labels-idx1-ubyte.gz"));
    CHECK(d.count == n);
    CHECK(d.sample == typenet::volume(28, 28, 1));
    CHECK(d.images.size() == n * 28 * 28);
    CHECK(d.labels.size() == n);
    CHECK(d.classes == 10);
    std::size_t per_class[10] = {};
    bool labels_ok = true, pixels_ok = true;
    for (std::uint8_t l : d.labels)
      if (l < 10)
        ++per_class[l];
      else
        labels_ok = false;
    for (float v : d.images) pixels_ok = pixels_ok && v >= 0.f && v <= 1.f;
    CHECK(labels_ok);
    CHECK(pixels_ok);
    for (std::size_t c : per_class) CHECK(c == n / 10);  // Fashion-MNIST is balanced: 6000 / 1000 of each class
  }
}

TEST_SUITE_END();

}  // namespace
