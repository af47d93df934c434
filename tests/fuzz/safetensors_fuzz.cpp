// libFuzzer on the safetensors loader: each input is parsed, and loaded into a small model and into
// LeNet-5; the oracle (tests/io/safetensors_oracle.hpp) must agree with every outcome. A refusal is a
// weights_error that leaves the model exactly as it was; an acceptance gives the model exactly the
// file's values; parse and load_weights refuse exactly the files the oracle refuses. Anything else,
// or any other exception, aborts (a crash for libFuzzer, with the input kept).
#include <typenet/io/weights.hpp>
#include <typenet/models/lenet5.hpp>

#include "../io/safetensors_oracle.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>

namespace {

void require_empty(const std::string& problem, const char* what) {
  if (problem.empty()) return;
  std::fprintf(stderr, "safetensors_fuzz: %s: %s\n", what, problem.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace typenet;
  static const auto small = std::make_unique<model<testing::tiny_network>>(he_normal{7});
  static const auto lenet = std::make_unique<model<models::lenet5>>(he_normal{7});
  const std::span<const std::byte> file(reinterpret_cast<const std::byte*>(data), size);
  require_empty(testing::check_parse(file), "parse");
  require_empty(testing::check_load(*small, file).problem, "load into the small network");
  require_empty(testing::check_load(*lenet, file).problem, "load into LeNet-5");
  return 0;
}
