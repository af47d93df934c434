// LeNet-5, AlexNet (as CS231N presents it) and VGG-16 declared as types, checked against their
// published parameter counts at compile time, and summarized.
#include <typenet/models/alexnet.hpp>
#include <typenet/models/lenet5.hpp>
#include <typenet/models/vgg16.hpp>

#include <iostream>

namespace tn = typenet;
using namespace typenet::models;

static_assert(tn::param_count<lenet5> == 61'706);
static_assert(tn::param_count<alexnet> == 62'378'344);
static_assert(tn::output_shape<alexnet, 1> == tn::volume(55, 55, 96));
static_assert(tn::param_count<vgg16> == 138'357'544);

int main() {
  tn::summary<lenet5>(std::cout, "LeNet-5");
  std::cout << '\n';
  tn::summary<alexnet>(std::cout, "AlexNet (CS231N)");
  std::cout << '\n';
  tn::summary<vgg16>(std::cout, "VGG-16");
}
