// ResNet-50 and MobileNetV2 against torchvision (see torchvision.hpp).
#include "torchvision.hpp"

#include <typenet/models/mobilenet_v2.hpp>
#include <typenet/models/resnet.hpp>

namespace torchvision_models_tests {
using namespace typenet;

TEST_CASE("ResNet-50: torchvision's 25,557,032 parameters, its MACs, and its outputs at 64x64") {
  using full = models::resnet50<>;
  static_assert(param_count<full> == 25'557'032);
  static_assert(output_shape<full, "layer4.2.bn3"> == volume(7, 7, 2048));
  static_assert(output_shape<full> == flat(1000));
  const double e = worst_relative_error<models::resnet50<64>>("resnet50_io.safetensors", mac_count<full>);
  MESSAGE("ResNet-50 at 64x64: worst relative error " << e);
  CHECK(e <= 3e-5);  // 53 layers of float sums (2.5e-6 measured with SSE2)
}

TEST_CASE("MobileNetV2: torchvision's 3,504,872 parameters, its MACs, and its outputs at 64x64") {
  using full = models::mobilenet_v2<>;
  static_assert(param_count<full> == 3'504'872);
  static_assert(output_shape<full, "features.1.conv.0.0"> == volume(112, 112, 32));  // depthwise
  static_assert(output_shape<full, "features.18.0"> == volume(7, 7, 1280));
  static_assert(output_shape<full> == flat(1000));
  const double e = worst_relative_error<models::mobilenet_v2<64>>("mobilenet_v2_io.safetensors", mac_count<full>);
  MESSAGE("MobileNetV2 at 64x64: worst relative error " << e);
  CHECK(e <= 3e-5);  // 52 convolutions and batch norms of float sums (6.9e-6 measured with SSE2)
}

}  // namespace torchvision_models_tests
