// Static tests of real networks against their published totals: lecture 5, LeNet-5, cifar10, AlexNet, VGG-16.
#include <typenet/models/alexnet.hpp>
#include <typenet/models/cifar10.hpp>
#include <typenet/models/lecture5.hpp>
#include <typenet/models/lenet5.hpp>
#include <typenet/models/vgg16.hpp>

namespace {
using namespace typenet;
using namespace typenet::models;

static_assert(output_shape<lecture5_conv> == volume(32, 32, 10) && param_count<lecture5_conv> == 760);
static_assert(output_shape<lecture5_dense> == flat(10) && param_count<lecture5_dense> == 30730);

// LeNet-5: 6@28x28 -> 6@14x14 -> 16@10x10 -> 16@5x5 -> 400 -> 120 -> 84 -> 10; 61,706 parameters.
static_assert(output_shape<lenet5, 1> == volume(28, 28, 6));
static_assert(output_shape<lenet5, 3> == volume(14, 14, 6));
static_assert(output_shape<lenet5, 4> == volume(10, 10, 16));
static_assert(output_shape<lenet5, 6> == volume(5, 5, 16));
static_assert(output_shape<lenet5, 7> == flat(400));
static_assert(output_shape<lenet5> == flat(10));
static_assert(param_count<lenet5, 1> == 156 && param_count<lenet5, 4> == 2416);
static_assert(param_count<lenet5, 8> == 48120 && param_count<lenet5, 10> == 10164 && param_count<lenet5, 12> == 850);
static_assert(param_count<lenet5> == 61706);

// cifar10: 39,514 parameters, as PyTorch counts its twin: sum(p.numel() for p in
// tools/torch_models.py's Cifar10().parameters()) (conv 224 + 1,168 + 4,640, fc 32,832 + 650).
static_assert(param_count<cifar10> == 39514 && output_shape<cifar10> == flat(10));
static_assert(output_shape<cifar10, 9> == volume(4, 4, 32) && output_shape<cifar10, 10> == flat(512));

// AlexNet as CS231N presents it: conv1 96 11x11 stride 4 on 227x227x3 -> 55x55x96 (34,944 parameters).
static_assert(output_shape<alexnet, 1> == volume(55, 55, 96) && param_count<alexnet, 1> == 34944);
static_assert(output_shape<alexnet, 3> == volume(27, 27, 96));
static_assert(output_shape<alexnet, 4> == volume(27, 27, 256));
static_assert(output_shape<alexnet, 6> == volume(13, 13, 256));
static_assert(output_shape<alexnet, 13> == volume(6, 6, 256));
static_assert(param_count<alexnet, 14> == 37752832);
static_assert(output_shape<alexnet> == flat(1000));
static_assert(param_count<alexnet> == 62378344);

// VGG-16: 138,357,544 parameters; the largest activation is the first stage's 224x224x64.
static_assert(param_count<vgg16> == 138357544);
static_assert(output_shape<vgg16, 30> == volume(14, 14, 512) && output_shape<vgg16, 31> == volume(7, 7, 512));
static_assert(output_shape<vgg16> == flat(1000));
static_assert(largest_activation<vgg16> == 224 * 224 * 64);
static_assert(mac_count<vgg16> == 15470264320);
}  // namespace
