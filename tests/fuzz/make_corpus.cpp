// Writes the fuzzer's seed files (tests/fuzz/corpus/) into the directory given: files of the small
// network of tests/io/safetensors_oracle.hpp in F32 (with typenet's metadata and without), F16,
// BF16 and F64. The values come from a fixed seed through exact arithmetic, so the files are the
// same on every machine; the 'fuzz corpus' test regenerates them and compares with the committed ones.
//
//   make_fuzz_corpus tests/fuzz/corpus
#include <typenet/io/weights.hpp>

#include "../io/safetensors_oracle.hpp"

#include <bit>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace {
using namespace typenet;
using namespace typenet::testing;

void write(const std::filesystem::path& path, const file_bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

/// The small network's tensors, element i of them all (in file order) written by encode(out, i).
template <class Encode>
file_bytes tiny_file(const std::string& dtype, Encode encode) {
  std::vector<raw_tensor> tensors;
  std::size_t i = 0;
  for (const exchange_tensor& x : exchange_tensors<tiny_network>()) {
    raw_tensor t{x.name, dtype, {x.torch_shape.begin(), x.torch_shape.end()}, {}};
    for (std::size_t k = 0; k < x.count; ++k) encode(t.data, i++);
    tensors.push_back(std::move(t));
  }
  return make_file(tensors, {{"format", "pt"}});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIRECTORY\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir);
  seeded_random r(2024);
  std::vector<double> values(64);
  for (double& v : values) v = r.uniform(-2, 2);

  // As save_weights writes it: F32, PyTorch's layouts, typenet's metadata (architecture, signature).
  model<tiny_network> m(he_normal{1});
  for (std::size_t i = 0; i < m.parameters().size(); ++i) m.parameters()[i] = static_cast<float>(values[i]);
  write(dir / "tiny_typenet.safetensors", weights_bytes(m));
  // As PyTorch's safetensors writes it (no typenet metadata), in each dtype typenet reads. The half
  // patterns include subnormals (0x0001, 0x83ff) and the largest finite values (0x7bff, 0x7f7f).
  write(dir / "tiny_f32.safetensors",
        tiny_file("F32", [&](file_bytes& out, std::size_t i) { append_f32(out, static_cast<float>(values[i])); }));
  const std::uint16_t specials[] = {0x0001, 0x83ff, 0x7bff, 0x7f7f, 0x8000, 0x0400};
  const auto half = [&](std::size_t i, bool bf16) -> std::uint16_t {
    if (i < std::size(specials)) return specials[i];
    const float v = static_cast<float>(values[i]);
    return bf16 ? static_cast<std::uint16_t>(std::bit_cast<std::uint32_t>(v) >> 16)
                : static_cast<std::uint16_t>((std::bit_cast<std::uint32_t>(v) >> 31 << 15) | 0x3c00 | (i * 37 % 1024));
  };
  write(dir / "tiny_f16.safetensors", tiny_file("F16", [&](file_bytes& out, std::size_t i) { append_u16(out, half(i, false)); }));
  write(dir / "tiny_bf16.safetensors", tiny_file("BF16", [&](file_bytes& out, std::size_t i) { append_u16(out, half(i, true)); }));
  write(dir / "tiny_f64.safetensors", tiny_file("F64", [&](file_bytes& out, std::size_t i) { append_f64(out, values[i] / 3); }));
  return 0;
}
