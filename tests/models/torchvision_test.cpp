// SqueezeNet 1.1 and ResNet-18 against torchvision (ResNet-50 and MobileNetV2 are in
// torchvision_resnet50_test.cpp, a translation unit of their own so that the two compile side by side).
#include "torchvision.hpp"

#include <typenet/models/resnet.hpp>
#include <typenet/models/squeezenet.hpp>

namespace torchvision_models_tests {
using namespace typenet;

TEST_CASE("SqueezeNet 1.1: torchvision's parameter count and MACs, and its outputs at 64x64") {
  using full = models::squeezenet1_1<>;
  static_assert(param_count<full> == 1'235'496);  // torchvision: sum(p.numel() for p in squeezenet1_1().parameters())
  static_assert(output_shape<full> == flat(1000));
  static_assert(output_shape<full, "features.0"> == volume(111, 111, 64));  // floor((224 - 3) / 2) + 1
  static_assert(output_shape<full, 3> == volume(55, 55, 64));              // ceil((111 - 3) / 2) + 1
  static_assert(output_shape<full, "classifier.1"> == volume(13, 13, 1000));
  const double e = worst_relative_error<models::squeezenet1_1<64>>("squeezenet1_1_io.safetensors", mac_count<full>);
  MESSAGE("SqueezeNet 1.1 at 64x64: worst relative error " << e);
  CHECK(e <= 1e-5);
}

TEST_CASE("ResNet-18: torchvision's 11,689,512 parameters, its MACs, and its outputs at 64x64") {
  using full = models::resnet18<>;
  static_assert(param_count<full> == 11'689'512);  // torchvision: sum(p.numel() for p in resnet18().parameters())
  static_assert(param_count<full, "conv1"> == 9'408);
  static_assert(output_shape<full, "layer1.1.bn2"> == volume(56, 56, 64));
  static_assert(output_shape<full, "layer4.1.bn2"> == volume(7, 7, 512));
  static_assert(output_shape<full> == flat(1000));
  static_assert(facts<full>.buffers == 2 * (64 + 4 * 64 + 5 * 128 + 5 * 256 + 5 * 512));  // running mean and var
  const double e = worst_relative_error<models::resnet18<64>>("resnet18_io.safetensors", mac_count<full>);
  MESSAGE("ResNet-18 at 64x64: worst relative error " << e);
  CHECK(e <= 1e-5);
}

}  // namespace torchvision_models_tests
