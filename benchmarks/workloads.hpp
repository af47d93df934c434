// The networks benchmarks/run-forward times (W1-W6), shared with benchmarks/run-layers.
#pragma once

#include <typenet/models/lenet5.hpp>
#include <typenet/typenet.hpp>

namespace typenet_bench {

namespace tn = typenet;

using w1_lecture_conv = tn::network<tn::input<32, 32, 3>, tn::conv<tn::filters<10>, tn::kernel<5>, tn::stride<1>, tn::pad<2>>>;
using w2_conv_64_64 = tn::network<tn::input<32, 32, 64>, tn::conv<tn::filters<64>, tn::kernel<3>, tn::pad<1>>>;
// (56 + 2 - 3) % 2 = 1: the last row and column of the padding are never reached.
using w3_conv_64_128_s2 =
    tn::network<tn::input<56, 56, 64>, tn::conv<tn::filters<128>, tn::kernel<3>, tn::stride<2>, tn::pad<1>, tn::round_down>>;
using w4_max_pool = tn::network<tn::input<32, 32, 64>, tn::max_pool<tn::window<2>, tn::stride<2>>>;
using w5_lenet5 = tn::models::lenet5;
using w6_cifar_net =
    tn::network<tn::input<32, 32, 3>, tn::conv<tn::filters<32>, tn::kernel<3>, tn::pad<1>>, tn::relu,
                tn::conv<tn::filters<32>, tn::kernel<3>, tn::pad<1>>, tn::relu, tn::max_pool<tn::window<2>>,
                tn::conv<tn::filters<64>, tn::kernel<3>, tn::pad<1>>, tn::relu,
                tn::conv<tn::filters<64>, tn::kernel<3>, tn::pad<1>>, tn::relu, tn::max_pool<tn::window<2>>,
                tn::dense<tn::units<512>>, tn::relu, tn::dense<tn::units<10>>>;

}  // namespace typenet_bench
