// Rule: cross-entropy compares one vector of class scores with a label; a network whose output is a
// volume (several positions) has no such vector.
// expect: typenet: cross_entropy needs a network whose output is one vector of class scores
#include <typenet/train/trainer.hpp>

namespace tn = typenet;

#ifdef TYPENET_TWIN
using net = tn::network<tn::input<8, 8, 1>, tn::conv<tn::filters<4>, tn::kernel<3>>, tn::flatten, tn::dense<tn::units<10>>>;
#else
using net = tn::network<tn::input<8, 8, 1>, tn::conv<tn::filters<10>, tn::kernel<3>>>;
#endif
tn::model<net> m;
tn::train::trainer<net, tn::train::cross_entropy, tn::train::sgd> t(m, {});
