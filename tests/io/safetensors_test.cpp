// The safetensors loader under damaged and hostile files: each problem is a weights_error that names the
// tensor, what was expected and what was found, and the model is left exactly as it was; every prefix of a
// file and every flipped header bit is refused or loads exactly the file's values; F16, BF16, F64 convert exactly.
#include <typenet/io/safetensors.hpp>
#include <typenet/io/weights.hpp>
#include <typenet/models/lenet5.hpp>

#include <doctest/doctest.h>

#include "../seed.hpp"
#include "safetensors_oracle.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

// Everything here in a namespace of its own: io_tests is a unity build (tests/io/meson.build).
namespace safetensors_tests {
namespace {
using namespace typenet;
using namespace typenet::testing;

TEST_SUITE_BEGIN("io/safetensors");  // -ts='*safetensors*'

using tiny = tiny_network;  // small enough for every-byte sweeps
using tiny_model = model<tiny>;
using lenet_model = model<models::lenet5>;

std::span<const std::byte> view(const file_bytes& f) { return f; }

file_bytes f32_data(std::size_t n, float first = 0.5f) {
  file_bytes out;
  for (std::size_t i = 0; i < n; ++i) append_f32(out, first + static_cast<float>(i));
  return out;
}

/// The tiny network's tensors in `dtype`, element i of all of them (in file order) being values(i).
template <class Encode>
file_bytes tiny_file(const std::string& dtype, Encode encode, const std::map<std::string, std::string>& metadata = {}) {
  std::vector<raw_tensor> tensors;
  std::size_t i = 0;
  for (const exchange_tensor& x : exchange_tensors<tiny>()) {
    raw_tensor t{x.name, dtype, {x.torch_shape.begin(), x.torch_shape.end()}, {}};
    for (std::size_t k = 0; k < x.count; ++k) encode(t.data, i++);
    tensors.push_back(std::move(t));
  }
  return make_file(tensors, metadata);
}
file_bytes tiny_f32_file() {
  return tiny_file("F32", [](file_bytes& out, std::size_t i) { append_f32(out, 0.25f * static_cast<float>(i) - 3.0f); });
}

/// What a refusal must say: the tensor it names, text the message holds, expected() and found()
/// (found() as a part of the text when found_part).
struct refusal {
  std::string tensor;
  std::string problem;
  std::string expected;
  std::string found;
  bool found_part = false;
};

/// load_weights refuses `file` with a weights_error saying what `r` says, the model unchanged; the
/// oracle agrees that the file must be refused.
void check_refused(const file_bytes& file, const refusal& r) {
  tiny_model m(he_normal{7});
  const std::vector<float> before(m.parameters().begin(), m.parameters().end());
  std::optional<weights_error> error;
  try {
    load_weights(m, view(file), {}, "test.safetensors");
  } catch (const weights_error& e) {
    error = e;
  }
  REQUIRE_MESSAGE(error, "accepted: " << r.problem);
  const std::string what = error->what();
  INFO(what);
  CHECK(what.rfind("typenet: test.safetensors: ", 0) == 0);
  CHECK(what.find(r.problem) != std::string::npos);
  CHECK(error->tensor() == r.tensor);
  if (!r.tensor.empty()) CHECK(what.find("tensor \"" + r.tensor + "\"") != std::string::npos);
  CHECK(error->expected() == r.expected);
  if (r.found_part)
    CHECK(error->found().find(r.found) != std::string::npos);
  else
    CHECK(error->found() == r.found);
  CHECK(std::equal(before.begin(), before.end(), m.parameters().begin(), m.parameters().end(), same_value));
  const load_check c = check_load(m, view(file));
  CHECK_MESSAGE(c.problem.empty(), c.problem);
}

/// A one-tensor file: "0.bias" with the given description fields (JSON text) over `data`.
file_bytes bias_file(const std::string& fields, const file_bytes& data) {
  return make_file("{\"0.bias\":{" + fields + "}}", data);
}

TEST_CASE("the helpers: a valid tiny file loads exactly, and the oracle reads it as valid") {
  tiny_model m(he_normal{7});
  const file_bytes f = tiny_f32_file();
  CHECK(read_oracle(view(f)).invalid.empty());
  CHECK(check_parse(view(f)).empty());
  const load_check c = check_load(m, view(f));
  CHECK(c.accepted);
  CHECK_MESSAGE(c.problem.empty(), c.problem);
  CHECK(m.parameters()[0] == tiny_model(he_normal{7}).parameters()[0]);  // check_load puts the model back
  load_weights(m, view(f));
  CHECK(m.parameters()[0] == -3.0f);   // 0.weight[0, 0, 0, 0]: the first value written
  CHECK(m.parameters()[1] == -0.75f);  // 0.weight[1, 0, 0, 0], value 9: HWC storage puts the filters last
  // The oracle refuses what it should (the refusal tests below check that load_weights agrees).
  file_bytes longer = f;
  longer.push_back(std::byte{0});
  CHECK(!read_oracle(view(longer)).invalid.empty());
  CHECK(!read_oracle(view(file_bytes(f.begin(), f.end() - 1))).invalid.empty());
  CHECK(!read_oracle(view(make_file(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0],"dtype":"F32"}})"))).invalid.empty());
  CHECK(read_oracle(view(make_file(R"({"a":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}})"))).invalid.empty());
  std::vector<float> params;
  CHECK(!expect_load<tiny_model>(read_oracle(view(make_file("{}"))), params).empty());  // no tensors
  CHECK(expect_load<tiny_model>(read_oracle(view(f)), params).empty());
  CHECK(params[1] == -0.75f);
}

TEST_CASE("the file's length: shorter than 8 bytes, a header length beyond the file or absurd, an empty header") {
  const file_bytes valid = tiny_f32_file();
  for (std::size_t n = 0; n < 8; ++n)
    check_refused(file_bytes(valid.begin(), valid.begin() + static_cast<std::ptrdiff_t>(n)),
                  {"", "too short for a safetensors file", "at least 8 bytes", std::to_string(n) + " bytes"});
  check_refused(make_file("{}", {}, 100), {"", "header length beyond the end of the file", "at most 2 bytes", "100 bytes"});
  check_refused(make_file("{}", {}, 3), {"", "header length beyond the end of the file", "at most 2 bytes", "3 bytes"});
  check_refused(make_file("{}", {}, 100'000'000),
                {"", "header length beyond the end of the file", "at most 2 bytes", "100000000 bytes"});
  check_refused(make_file("{}", {}, 100'000'001), {"", "header length too large", "at most 100000000", "100000001"});
  check_refused(make_file("{}", {}, std::numeric_limits<std::uint64_t>::max()),
                {"", "header length too large", "at most 100000000", "18446744073709551615"});
  check_refused(make_file(""), {"", "the header is not a JSON object", "'{' at byte 8", "an empty header"});
  check_refused(make_file("", f32_data(2)), {"", "the header is not a JSON object", "'{' at byte 8", "an empty header"});
}

TEST_CASE("the header: not a JSON object, malformed JSON, invalid UTF-8") {
  for (const auto& [h, found] : {std::pair{"[]", "byte 0x5b"}, {"\"x\"", "byte 0x22"}, {"null", "byte 0x6e"},
                                 {"1", "byte 0x31"}, {" {}", "byte 0x20"}, {"\n{}", "byte 0x0a"}})
    check_refused(make_file(h), {"", "the header is not a JSON object", "'{' at byte 8", found});
  const std::string syntax = "syntax error while parsing";
  for (const char* h : {"{", "{\"0.bias\": }", "{\"0.bias\" {}}", "{} x", "{}{}", "{'a': 1}", "{\"a\": 1,}",
                        "{\"a\": tru}", "{\"a\": 01}", "{\"a\": \"x\ny\"}"})
    check_refused(make_file(h), {"", "malformed JSON header", "JSON", syntax, true});
  check_refused(make_file("{\"a\": 1e999}"), {"", "malformed JSON header", "JSON", "number overflow", true});
  // Not UTF-8: a stray byte, an overlong '/', an encoded surrogate, a truncated sequence, a lone surrogate escape.
  for (const char* h : {"{\"\xff\": 1}", "{\"a\xc0\xaf\": 1}", "{\"\xed\xa0\x80\": 1}", "{\"a\xe2\x82\": 1}",
                        "{\"__metadata__\": {\"k\": \"\xfe\"}}"})
    check_refused(make_file(h), {"", "malformed JSON header", "JSON", "ill-formed UTF-8", true});
  check_refused(make_file("{\"\\ud800\": 1}"), {"", "malformed JSON header", "JSON", "surrogate", true});
  check_refused(make_file("{\"\\udc00x\": 1}"), {"", "malformed JSON header", "JSON", "surrogate", true});
  check_refused(make_file("{\"a\": 1}\xff"), {"", "malformed JSON header", "JSON", syntax, true});
}

TEST_CASE("a tensor named twice, a field or metadata key given twice, nesting too deep") {
  const std::string bias = R"({"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  check_refused(make_file("{\"0.bias\":" + bias + ",\"0.bias\":" + bias + "}", f32_data(2)),
                {"0.bias", "named twice in the header", "one entry", "two"});
  check_refused(make_file("{\"0.bias\":" + bias + ",\"0.b\\u0069as\":" + bias + "}", f32_data(2)),
                {"0.bias", "named twice in the header", "one entry", "two"});
  // Which dtype would it be? JSON readers differ (first, last, error): refused, whatever the other fields.
  file_bytes twice = tiny_f32_file();
  const std::string before = R"("0.bias":{"dtype":"F32",)", after = R"("0.bias":{"dtype":"F16","dtype":"F32",)";
  std::string text(reinterpret_cast<const char*>(twice.data()) + 8, twice.size() - 8);
  const std::size_t header_length = text.find("}}") + 2;  // make_file's headers: no padding
  std::string header = text.substr(0, header_length);
  REQUIRE(header.find(before) != std::string::npos);
  header.replace(header.find(before), before.size(), after);
  const file_bytes data(twice.begin() + 8 + static_cast<std::ptrdiff_t>(header_length), twice.end());
  check_refused(make_file(header, data), {"0.bias", "field \"dtype\" given twice", "one value", "two"});
  check_refused(make_file(R"({"__metadata__":{"format":"pt","format":"np"}})"),
                {"", "metadata \"format\" given twice", "one value", "two"});

  const refusal deep{"", "malformed header", "JSON nested at most 3 deep", "deeper nesting"};
  check_refused(bias_file(R"("dtype":"F32","shape":[[2]],"data_offsets":[0,8])", f32_data(2)), deep);
  check_refused(make_file(R"({"__metadata__":{"k":{"a":{}}}})"), deep);
  check_refused(make_file(R"({"__metadata__":{"k":{"a":"b"}}})"), {"", "metadata \"k\" is not a string", "a string", "object"});
  check_refused(make_file(R"({"__metadata__":{"k":["b"]}})"), {"", "metadata \"k\" is not a string", "a string", "array"});
  // Hostile nesting: a million brackets are refused at the fourth, without recursion.
  check_refused(make_file("{\"a\":" + std::string(1'000'000, '[')), deep);
  check_refused(make_file("{\"a\":" + std::string(1'000'000, '{')), {"", "malformed JSON header", "JSON", "parse error", true});
}

TEST_CASE("a tensor's description: not an object, unknown fields, dtype") {
  check_refused(make_file(R"({"0.bias":[1]})"), {"0.bias", "its description is not an object", "an object", "array"});
  check_refused(bias_file(R"("dtype":"F32","shape":[2],"data_offsets":[0,8],"offset":0)", f32_data(2)),
                {"0.bias", "unknown field \"offset\"", "dtype, shape, data_offsets", "offset"});
  check_refused(bias_file(R"("shape":[2],"data_offsets":[0,8])", f32_data(2)), {"0.bias", "no dtype", "a dtype string", "none"});
  check_refused(bias_file(R"("dtype":32,"shape":[2],"data_offsets":[0,8])", f32_data(2)),
                {"0.bias", "no dtype", "a dtype string", "number"});
  for (const char* dtype : {"F31", "f32", "F32 ", "float32", ""})
    check_refused(bias_file(std::string(R"("dtype":")") + dtype + R"(","shape":[2],"data_offsets":[0,8])", f32_data(2)),
                  {"0.bias", "unknown dtype", "F32, F16, BF16, F64 or another safetensors dtype", dtype});
  // A dtype the format knows but a model cannot take.
  const file_bytes ints = tiny_file("I32", [](file_bytes& out, std::size_t i) { append(out, &i, 4); });
  check_refused(ints, {"0.weight", "not a floating-point tensor", "F32, F16, BF16 or F64", "I32"});
}

TEST_CASE("a shape: missing, a negative, fractional or huge extent, a product that overflows") {
  check_refused(bias_file(R"("dtype":"F32","data_offsets":[0,8])", f32_data(2)), {"0.bias", "no shape", "an array of extents", "none"});
  check_refused(bias_file(R"("dtype":"F32","shape":2,"data_offsets":[0,8])", f32_data(2)),
                {"0.bias", "no shape", "an array of extents", "number"});
  const auto extent = [](const std::string& shape, const std::string& found) {
    check_refused(bias_file(R"("dtype":"F32","shape":)" + shape + R"(,"data_offsets":[0,8])", f32_data(2)),
                  {"0.bias", "a shape extent is not a count", "an integer >= 0", found});
  };
  extent("[-2]", "-2");
  extent("[2, -1]", "-1");
  extent("[2.5]", "2.5");
  extent("[2.0]", "2.0");
  extent("[2e0]", "2.0");
  extent("[\"2\"]", "\"2\"");
  extent("[null]", "null");
  extent("[18446744073709551616]", "1.8446744073709552e+19");  // 2^64: beyond any count
  // Products beyond 64 bits, in any order; a count whose bytes overflow.
  check_refused(bias_file(R"("dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8])", f32_data(2)),
                {"0.bias", "shape too large", "a size that fits in memory", "[4294967296, 4294967296]"});
  check_refused(bias_file(R"("dtype":"F32","shape":[2,18446744073709551615],"data_offsets":[0,8])", f32_data(2)),
                {"0.bias", "shape too large", "a size that fits in memory", "[2, 18446744073709551615]"});
  check_refused(bias_file(R"("dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,8])", f32_data(2)),
                {"0.bias", "data_offsets do not span its shape", "4611686018427387904 x 4 bytes", "8 bytes"});
  check_refused(bias_file(R"("dtype":"F64","shape":[2305843009213693952],"data_offsets":[0,0])", {}),
                {"0.bias", "data_offsets do not span its shape", "2305843009213693952 x 8 bytes", "0 bytes"});
}

TEST_CASE("data_offsets: missing, not two integers, begin > end, beyond the data, not the shape's byte count") {
  check_refused(bias_file(R"("dtype":"F32","shape":[2])", f32_data(2)), {"0.bias", "no data_offsets", "[begin, end], two integers", "none"});
  for (const char* off : {"[0]", "[]", "[0,8,16]", "[0,8.0]", "[\"0\",\"8\"]", "[-8,0]", "{\"0\":8}", "8", "[0,null]"}) {
    const std::string found = nlohmann::json::parse(off).dump();
    check_refused(bias_file(std::string(R"("dtype":"F32","shape":[2],"data_offsets":)") + off, f32_data(2)),
                  {"0.bias", "data_offsets is not [begin, end]", "[begin, end], two integers", found});
  }
  check_refused(bias_file(R"("dtype":"F32","shape":[0],"data_offsets":[8,0])", f32_data(2)),
                {"0.bias", "data_offsets out of range", "0 <= begin <= end <= 8 (the data's bytes)", "[8, 0]"});
  check_refused(bias_file(R"("dtype":"F32","shape":[4],"data_offsets":[0,16])", f32_data(2)),
                {"0.bias", "data_offsets out of range", "0 <= begin <= end <= 8 (the data's bytes)", "[0, 16]"});
  check_refused(bias_file(R"("dtype":"F32","shape":[2],"data_offsets":[18446744073709551608,0])", f32_data(2)),
                {"0.bias", "data_offsets out of range", "0 <= begin <= end <= 8 (the data's bytes)", "[18446744073709551608, 0]"});
  check_refused(bias_file(R"("dtype":"F32","shape":[2],"data_offsets":[8,18446744073709551615])", f32_data(2)),
                {"0.bias", "data_offsets out of range", "0 <= begin <= end <= 8 (the data's bytes)", "[8, 18446744073709551615]"});
  check_refused(bias_file(R"("dtype":"F32","shape":[2],"data_offsets":[0,12])", f32_data(3)),
                {"0.bias", "data_offsets do not span its shape", "2 x 4 bytes", "12 bytes"});
  check_refused(bias_file(R"("dtype":"F16","shape":[2],"data_offsets":[0,8])", f32_data(2)),
                {"0.bias", "data_offsets do not span its shape", "2 x 2 bytes", "8 bytes"});
}

TEST_CASE("the data: overlapping tensors, a hole between them or before them, bytes after the last") {
  const std::string a = R"("0.bias":{"dtype":"F32","shape":[2],"data_offsets":)";
  const std::string b = R"("3.bias":{"dtype":"F32","shape":[2],"data_offsets":)";
  check_refused(make_file("{" + a + "[0,8]}," + b + "[4,12]}}", f32_data(3)),
                {"3.bias", "its data overlaps another tensor's", "begin >= 8", "4"});
  check_refused(make_file("{" + a + "[0,8]}," + b + "[0,8]}}", f32_data(2)),
                {"3.bias", "its data overlaps another tensor's", "begin >= 8", "0"});
  check_refused(make_file("{" + a + "[0,8]}," + b + "[12,20]}}", f32_data(5)),
                {"3.bias", "a hole in the data before it", "begin 8", "12"});
  check_refused(make_file("{" + a + "[4,12]}}", f32_data(3)), {"0.bias", "a hole in the data before it", "begin 0", "4"});
  file_bytes longer = tiny_f32_file();
  append_f32(longer, 1.0f);
  check_refused(longer, {"", "bytes after the last tensor", "188 data bytes", "192"});
  check_refused(make_file("{}", f32_data(1)), {"", "bytes after the last tensor", "0 data bytes", "4"});
}

TEST_CASE("__metadata__: an object of strings") {
  const auto with = [](const std::string& metadata) {
    const file_bytes f = tiny_f32_file();
    // The tiny file's header with a __metadata__ entry first.
    std::string text(reinterpret_cast<const char*>(f.data()) + 8, f.size() - 8);
    const std::size_t length = text.find("}}") + 2;
    const std::string header = "{\"__metadata__\":" + metadata + "," + text.substr(1, length - 1);
    return make_file(header, file_bytes(f.begin() + 8 + static_cast<std::ptrdiff_t>(length), f.end()));
  };
  for (const auto& [value, type] : std::vector<std::pair<std::string, std::string>>{
           {"1", "number"}, {"true", "boolean"}, {"null", "null"}, {"{}", "object"}, {"[]", "array"}})
    check_refused(with(R"({"format":"pt","n":)" + value + "}"), {"", "metadata \"n\" is not a string", "a string", type});
  check_refused(with(R"("pt")"), {"", "__metadata__ is not an object of strings", "an object", "string"});
  check_refused(with(R"(["pt"])"), {"", "__metadata__ is not an object of strings", "an object", "array"});
  // The twin that loads: metadata of strings, including escapes and other scripts.
  tiny_model m(he_normal{7});
  const load_check c = check_load(m, view(with(R"({"format":"pt","note":"\u00e9t\u00e9 \"x\" \\ \u4e2d"})")));
  CHECK(c.accepted);
  CHECK_MESSAGE(c.problem.empty(), c.problem);
}

/// Under AddressSanitizer a load costs some twenty times as much (every JSON node is an allocation):
/// there the sweeps below take every `stride`-th case from a start the seed picks, so that runs
/// differ and together cover every case; the other configurations take every case. Bit sweeps
/// use odd strides, so that the flipped bit's place in its byte varies.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool sanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool sanitized = true;
#else
constexpr bool sanitized = false;
#endif
#else
constexpr bool sanitized = false;
#endif
struct cases {
  std::size_t first, stride;
  explicit cases(std::size_t sanitized_stride) : stride(sanitized ? sanitized_stride : 1) { first = fresh_seed() % stride; }
};

/// Sweeps: each case is checked by check_load; the first few problems are kept for the report.
struct sweep {
  std::size_t accepted = 0, refused = 0;
  std::vector<std::string> problems;
  template <class Model>
  void run(Model& m, std::span<const std::byte> file, const std::string& what) {
    const load_check c = check_load(m, file);
    (c.accepted ? accepted : refused) += 1;
    if (!c.problem.empty() && problems.size() < 10) problems.push_back(what + ": " + c.problem);
  }
  std::string report() const {
    std::string s;
    for (const std::string& p : problems) s += "\n  " + p;
    return s;
  }
};

template <class Model>
file_bytes saved(std::uint64_t seed) {
  return weights_bytes(Model(he_normal{seed}));
}
std::size_t data_start(const file_bytes& f) {
  std::uint64_t n;
  std::memcpy(&n, f.data(), 8);
  return 8 + static_cast<std::size_t>(n);
}

TEST_CASE("every prefix of a file is refused, the model unchanged") {
  tiny_model m(he_normal{7});
  const file_bytes f = saved<tiny_model>(1);
  sweep s;
  for (std::size_t n = 0; n < f.size(); ++n)
    s.run(m, std::span<const std::byte>(f.data(), n), "first " + std::to_string(n) + " bytes");
  CHECK_MESSAGE(s.problems.empty(), s.report());
  CHECK(s.accepted == 0);
  CHECK(s.refused == f.size());
  const load_check whole = check_load(m, view(f));
  CHECK(whole.accepted);
  CHECK_MESSAGE(whole.problem.empty(), whole.problem);
}

TEST_CASE("LeNet-5: every prefix that ends in the header, and a sample ending in the data, is refused") {
  auto m = std::make_unique<lenet_model>(he_normal{7});
  const file_bytes f = saved<lenet_model>(1);
  const std::size_t header_end = data_start(f);
  sweep s;
  const cases c(4);
  for (std::size_t n = c.first; n <= header_end; n += c.stride)
    s.run(*m, std::span<const std::byte>(f.data(), n), std::to_string(n) + " bytes");
  seeded_random r(fresh_seed());
  for (int k = 0; k < 64; ++k) {
    const std::size_t n = header_end + 1 + r.next() % (f.size() - header_end - 1);
    s.run(*m, std::span<const std::byte>(f.data(), n), std::to_string(n) + " bytes");
  }
  CHECK_MESSAGE(s.problems.empty(), s.report());
  CHECK(s.accepted == 0);
}

/// Flips bit b of f, runs the check, flips it back.
template <class Model>
void flip_and_check(sweep& s, Model& m, file_bytes& f, std::size_t bit) {
  f[bit / 8] ^= static_cast<std::byte>(1u << (bit % 8));
  s.run(m, view(f), "bit " + std::to_string(bit % 8) + " of byte " + std::to_string(bit / 8));
  f[bit / 8] ^= static_cast<std::byte>(1u << (bit % 8));
}

TEST_CASE("every bit of a file flipped: refused with the model unchanged, or loaded exactly") {
  tiny_model m(he_normal{7});
  file_bytes f = saved<tiny_model>(1);
  sweep header, data;
  const cases c(3);
  for (std::size_t bit = c.first; bit < 8 * data_start(f); bit += c.stride) flip_and_check(header, m, f, bit);
  for (std::size_t bit = 8 * data_start(f) + c.first; bit < 8 * f.size(); bit += c.stride) flip_and_check(data, m, f, bit);
  CHECK_MESSAGE(header.problems.empty(), header.report());
  CHECK_MESSAGE(data.problems.empty(), data.report());
  // Both outcomes occur: metadata text and JSON whitespace take a flip, structure does not;
  // a data flip loads another finite value unless it makes an exponent all ones.
  CHECK(header.accepted > 0);
  CHECK(header.refused > 0);
  CHECK(data.accepted > 0);
  if (c.stride == 1) CHECK(data.refused > 0);  // a weight in [1, 2) whose exponent's top bit flips: inf or nan
  MESSAGE("tiny: header flips ", header.accepted, " loaded, ", header.refused, " refused; data flips ", data.accepted,
          " loaded, ", data.refused, " refused");
}

TEST_CASE("LeNet-5: every bit of the header flipped, and a sample of the data's bits") {
  auto m = std::make_unique<lenet_model>(he_normal{7});
  file_bytes f = saved<lenet_model>(1);
  sweep header, data;
  const cases c(13);
  for (std::size_t bit = c.first; bit < 8 * data_start(f); bit += c.stride) flip_and_check(header, *m, f, bit);
  seeded_random r(fresh_seed());
  for (int k = 0; k < 64; ++k)
    flip_and_check(data, *m, f, 8 * data_start(f) + r.next() % (8 * (f.size() - data_start(f))));
  CHECK_MESSAGE(header.problems.empty(), header.report());
  CHECK_MESSAGE(data.problems.empty(), data.report());
  CHECK(header.accepted > 0);
  CHECK(header.refused > 0);
  MESSAGE("LeNet-5: header flips ", header.accepted, " loaded, ", header.refused, " refused; data flips ", data.accepted,
          " loaded, ", data.refused, " refused");
}

// ---- other element types ----

TEST_CASE("F16 and BF16: all 65,536 patterns of each decode exactly (element)") {
  for (const std::string dtype : {"F16", "BF16"}) {
    raw_tensor t{"all", dtype, {65536}, {}};
    for (std::uint32_t h = 0; h < 65536; ++h) append_u16(t.data, static_cast<std::uint16_t>(h));
    const file_bytes f = make_file({t});
    const safetensors::contents c = safetensors::parse(view(f), "test");
    REQUIRE(c.tensors.size() == 1);
    std::size_t wrong = 0, subnormal = 0;
    for (std::uint32_t h = 0; h < 65536; ++h) {
      const float expected = dtype == "F16" ? f16_value(static_cast<std::uint16_t>(h)) : bf16_value(static_cast<std::uint16_t>(h));
      const float got = safetensors::element(c.tensors[0], h);
      if (!same_value(got, expected) && ++wrong < 5) {
        char pattern[8];
        std::snprintf(pattern, sizeof pattern, "0x%04x", static_cast<unsigned>(h));
        FAIL_CHECK(dtype << " " << pattern << ": " << got << ", expected " << expected);
      }
      subnormal += std::fpclassify(expected) == FP_SUBNORMAL || (dtype == "F16" && h % 0x8000 != 0 && h % 0x8000 < 0x400);
    }
    CHECK(wrong == 0);
    CHECK(subnormal > 0);
  }
  // Spot values, by hand from the formats' definitions.
  CHECK(f16_value(0x0001) == 0x1p-24f);
  CHECK(f16_value(0x03ff) == 1023 * 0x1p-24f);
  CHECK(f16_value(0x0400) == 0x1p-14f);
  CHECK(f16_value(0x7bff) == 65504.0f);
  CHECK(f16_value(0xc000) == -2.0f);
  CHECK(std::signbit(f16_value(0x8000)));
  CHECK(bf16_value(0x3f80) == 1.0f);
  CHECK(bf16_value(0x0001) == 0x1p-133f);
  CHECK(bf16_value(0x7f7f) == 0x1.fep127f);
}

/// Half patterns a model should take: subnormals of both signs, the normal extremes, zeros.
constexpr std::uint16_t half_cases[] = {0x0001, 0x8001, 0x03ff, 0x83ff, 0x0200, 0x0155, 0x0400, 0x8400, 0x7bff,
                                        0xfbff, 0x0000, 0x8000, 0x3c00, 0x3555, 0xc000, 0x3bff, 0x3c01};

TEST_CASE("F16, BF16 and F64 files load exactly, subnormals included; values beyond float's name the tensor") {
  tiny_model m(he_normal{7});
  seeded_random r(fresh_seed());
  std::vector<std::uint16_t> halves(std::begin(half_cases), std::end(half_cases));
  while (halves.size() < 47) {
    const auto h = static_cast<std::uint16_t>(r.next());
    if ((h & 0x7c00) != 0x7c00) halves.push_back(h);  // finite
  }
  const file_bytes f16 = tiny_file("F16", [&](file_bytes& out, std::size_t i) { append_u16(out, halves[i]); });
  const file_bytes bf16 = tiny_file("BF16", [&](file_bytes& out, std::size_t i) { append_u16(out, halves[i]); });
  // Doubles exactly floats (a float subnormal among them), and doubles that round, near the ends of float's range.
  const double flt_max = std::numeric_limits<float>::max();
  const std::vector<double> doubles = {0.0, -0.0, 1.0, -0.1, 1.0 / 3, 0x1p-149, -0x1p-149, 0x1p-150, 0x1.8p-150, 0x1p-126,
                                       1e-300, flt_max, -flt_max, flt_max + 0x1p103 - 0x1p80, 0x1.fffffefffffffp127,
                                       16777217.0, 1e10};
  const file_bytes f64 = tiny_file("F64", [&](file_bytes& out, std::size_t i) {
    append_f64(out, i < doubles.size() ? doubles[i] : r.normal());
  });
  for (const file_bytes* f : {&f16, &bf16, &f64}) {
    const load_check c = check_load(m, view(*f));
    CHECK(c.accepted);
    CHECK_MESSAGE(c.problem.empty(), c.problem);
  }
  // By hand, independently of the oracle. Torch's 0.weight[o, 0, y, x] (value o * 9 + y * 3 + x
  // of the file) is typenet's HWC storage (y * 3 + x) * 2 + o.
  load_weights(m, view(f16));
  CHECK(m.parameters()[0] == 0x1p-24f);           // value 0: 0x0001
  CHECK(m.parameters()[2] == -0x1p-24f);          // value 1: 0x8001
  CHECK(m.parameters()[4] == 1023 * 0x1p-24f);    // value 2: 0x03ff
  CHECK(m.parameters()[1] == -65504.0f);          // value 9: 0xfbff
  load_weights(m, view(f64));
  CHECK(m.parameters()[10] == 0x1p-149f);         // value 5: float's smallest subnormal
  CHECK(m.parameters()[14] == 0.0f);              // value 7: 2^-150, half-way to 2^-149, ties to even: 0
  CHECK(!std::signbit(m.parameters()[14]));
  CHECK(m.parameters()[16] == 0x1p-149f);         // value 8: 1.5 * 2^-150 rounds up
  CHECK(m.parameters()[9] == std::numeric_limits<float>::max());  // value 13: just below the half-way point

  // Beyond float's range (or not a number at all): refused, naming the tensor and the element.
  const auto f64_with = [&](std::size_t at, double v) {
    return tiny_file("F64", [&](file_bytes& out, std::size_t i) { append_f64(out, i == at ? v : 0.5); });
  };
  const std::string range = "magnitudes up to 3.40282347e+38";
  check_refused(f64_with(45, 1e39), {"3.bias", "a value beyond float's range at [1]", range, "9.9999999999999994e+38"});
  check_refused(f64_with(45, flt_max + 0x1p103),
                {"3.bias", "a value beyond float's range at [1]", range, "3.4028235677973366e+38"});
  check_refused(f64_with(0, -1e300), {"0.weight", "a value beyond float's range at [0, 0, 0, 0]", range, "-1.0000000000000001e+300"});
  check_refused(f64_with(45, std::numeric_limits<double>::infinity()),
                {"3.bias", "a value that is not finite at [1]", "finite values", "inf"});
  check_refused(f64_with(20, std::numeric_limits<double>::quiet_NaN()),
                {"3.weight", "a value that is not finite at [0, 0]", "finite values", "nan"});
  check_refused(f64_with(31, std::numeric_limits<double>::infinity()),
                {"3.weight", "a value that is not finite at [1, 3]", "finite values", "inf"});
  const auto halves_with = [&](const std::string& dtype, std::size_t at, std::uint16_t v) {
    return tiny_file(dtype, [&](file_bytes& out, std::size_t i) { append_u16(out, i == at ? v : 0x3c00); });
  };
  check_refused(halves_with("F16", 18, 0x7c00), {"0.bias", "a value that is not finite at [0]", "finite values", "inf"});
  check_refused(halves_with("F16", 19, 0xfe00), {"0.bias", "a value that is not finite at [1]", "finite values", "nan"});
  check_refused(halves_with("F16", 17, 0x7c01), {"0.weight", "a value that is not finite at [1, 0, 2, 2]", "finite values", "nan"});
  check_refused(halves_with("BF16", 46, 0xff80), {"3.bias", "a value that is not finite at [2]", "finite values", "-inf"});
  check_refused(halves_with("BF16", 46, 0x7fc0), {"3.bias", "a value that is not finite at [2]", "finite values", "nan"});
}

TEST_SUITE_END();
}  // namespace

}  // namespace safetensors_tests
