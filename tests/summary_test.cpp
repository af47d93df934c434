// Runtime tests of summary<Net>(): the table a user prints before any weights exist.
#include <typenet/models/lecture5.hpp>
#include <typenet/summary.hpp>

#include <doctest/doctest.h>

#include <string>

namespace tn = typenet;

TEST_CASE("summary of the lecture's example lists every layer and the totals") {
  const std::string s = tn::summary_string<tn::models::lecture5_conv>("lecture 5");
  CHECK(s.rfind("lecture 5\n", 0) == 0);
  CHECK(s.find("input") != std::string::npos);
  CHECK(s.find("32x32x3") != std::string::npos);
  CHECK(s.find("conv 10@5x5 s1 p2") != std::string::npos);
  CHECK(s.find("32x32x10") != std::string::npos);
  CHECK(s.find("total params: 760 (weights 750, biases 10)") != std::string::npos);
  CHECK(s.find("MACs per sample: 768,000") != std::string::npos);
  CHECK(s.find("largest activation: 10,240 values") != std::string::npos);
}

TEST_CASE("with_thousands groups digits by three") {
  CHECK(tn::with_thousands(0) == "0");
  CHECK(tn::with_thousands(999) == "999");
  CHECK(tn::with_thousands(1000) == "1,000");
  CHECK(tn::with_thousands(62378344) == "62,378,344");
}

TEST_CASE("shapes print as H x W x C, vectors as their length") {
  CHECK(tn::to_string(tn::volume(32, 32, 3)) == "32x32x3");
  CHECK(tn::to_string(tn::flat(10)) == "10");
  CHECK(tn::to_string(tn::rejected) == "rejected");
}

TEST_CASE("pooling and rounding are described the way they are declared") {
  using net = tn::network<tn::input<224, 224, 3>, tn::conv<tn::filters<64>, tn::kernel<7>, tn::stride<2>, tn::pad<3>, tn::round_down>,
                          tn::max_pool<tn::window<3>, tn::stride<2>, tn::pad<1>, tn::round_down>>;
  const std::string s = tn::summary_string<net>();
  CHECK(s.find("conv 64@7x7 s2 p3 floor") != std::string::npos);
  CHECK(s.find("max_pool 3x3 s2 p1 floor") != std::string::npos);
  CHECK(s.find("56x56x64") != std::string::npos);
}

TEST_CASE("named layers get a name column, with dotted names inside named groups") {
  using net = tn::network<tn::input<8, 8, 3>, tn::conv<tn::filters<4>, tn::kernel<3>, tn::pad<1>, tn::name<"conv1">>,
                          tn::block<tn::name<"stage1">, tn::named<"act", tn::relu>>, tn::dense<tn::units<2>>>;
  const std::string s = tn::summary_string<net>();
  CHECK(s.find("   #  name        layer") != std::string::npos);
  CHECK(s.find("   1  conv1       conv 4@3x3 s1 p1") != std::string::npos);
  CHECK(s.find("   2  stage1.act  relu") != std::string::npos);
  CHECK(s.find("   3              dense 2") != std::string::npos);
  // Without names the table has no name column.
  CHECK(tn::summary_string<tn::models::lecture5_conv>().find("name") == std::string::npos);
}

TEST_CASE("grouped, depthwise and bias-free layers are described as declared; a long description widens the column") {
  using net = tn::network<tn::defaults<tn::round_down>, tn::input<9, 9, 6>,
                          tn::conv<tn::filters<12>, tn::kernel<2>, tn::stride<2>, tn::groups<3>, tn::no_bias>,
                          tn::conv<tn::filters<12>, tn::kernel<3>, tn::pad<1>, tn::depthwise, tn::no_bias>, tn::relu6,
                          tn::global_avg_pool, tn::flatten, tn::dense<tn::units<10>, tn::no_bias>>;
  const std::string s = tn::summary_string<net>();
  CHECK(s.find("conv 12@2x2 s2 floor g3 no_bias") != std::string::npos);
  CHECK(s.find("conv 12@3x3 s1 p1 floor depthwise no_bias") != std::string::npos);
  CHECK(s.find("adaptive_avg_pool 1x1") != std::string::npos);
  CHECK(s.find("dense 10 no_bias") != std::string::npos);
  CHECK(s.find("total params: 324 (weights 324, biases 0)") != std::string::npos);
  // Every row and rule is as long as the header: the output column starts at one place.
  std::size_t header = 0, at = 0;
  for (std::size_t start = 0, end; (end = s.find('\n', start)) != std::string::npos; start = end + 1) {
    const std::string line = s.substr(start, end - start);
    if (line.find("output") != std::string::npos) header = line.size(), at = line.find("output");
    if (line.find("4x4x12") != std::string::npos) {
      CHECK(line.size() == header);
      CHECK(line.find("4x4x12") == at);  // right-aligned under "output" (both 6 characters)
    }
  }
  CHECK(header > 96);
}

TEST_CASE("residual and concat groups: their layers indented, then the add or concat where the paths meet") {
  using net = tn::network<tn::input<8, 8, 4>,
                          tn::residual<tn::name<"res">, tn::conv<tn::filters<4>, tn::kernel<3>, tn::pad<1>, tn::name<"c">>,
                                       tn::shortcut<tn::conv<tn::filters<4>, tn::kernel<1>, tn::name<"proj">>>>,
                          tn::relu, tn::concat<tn::branch<tn::relu>, tn::branch<tn::sigmoid>>>;
  const std::string s = tn::summary_string<net>();
  CHECK(s.find("   1  res.c       conv 4@3x3 s1 p1") != std::string::npos);
  CHECK(s.find("   2  res.proj    conv 4@1x1 s1") != std::string::npos);
  CHECK(s.find("   3            add ") != std::string::npos);
  CHECK(s.find("   5              relu") != std::string::npos);
  CHECK(s.find("   7            concat ") != std::string::npos);
  CHECK(s.find("8x8x8") != std::string::npos);
}

TEST_CASE("batch norm's running statistics are buffers: listed apart from the learned parameters") {
  using net = tn::network<tn::input<4, 4, 8>, tn::conv<tn::filters<16>, tn::kernel<3>, tn::pad<1>, tn::no_bias>,
                          tn::batch_norm<>, tn::relu>;
  const std::string s = tn::summary_string<net>();
  CHECK(s.find("batch_norm") != std::string::npos);
  CHECK(s.find("total params: 1,184 (weights 1,168, biases 16)") != std::string::npos);  // 9*8*16 + 16 + 16
  CHECK(s.find("buffers (running statistics, not learned): 32, 128 bytes as float") != std::string::npos);
  CHECK(tn::summary_string<tn::models::lecture5_conv>().find("buffers") == std::string::npos);
}
