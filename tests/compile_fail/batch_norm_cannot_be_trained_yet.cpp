// batch_norm runs in inference (eval) mode only: it has no backward pass yet, so a trainer refuses
// a network holding one, naming the layer, rather than training it as something else.
// expect: typenet: this layer kind cannot be trained: it has no backward pass
// expect: layer_has_no_backward
// expect-gcc: at_layer<2, typenet::batch_norm<> >
// expect-clang: at_layer<2, typenet::batch_norm<>>
#include <typenet/train/trainer.hpp>
#include <typenet/typenet.hpp>

namespace tn = typenet;
#ifdef TYPENET_TWIN
using net = tn::network<tn::input<8, 8, 3>, tn::conv<tn::filters<4>, tn::kernel<3>>, tn::relu, tn::flatten,
                        tn::dense<tn::units<5>>>;
#else
using net = tn::network<tn::input<8, 8, 3>, tn::conv<tn::filters<4>, tn::kernel<3>>, tn::batch_norm<>, tn::flatten,
                        tn::dense<tn::units<5>>>;
#endif
tn::model<net> m;
tn::train::trainer<net, tn::train::cross_entropy, tn::train::sgd> t(m, {});
