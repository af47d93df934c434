// Rule: a storage::in_place model (parameters and workspace inside the object) stays within
// in_place_limit_bytes (1 MiB), so that a local one cannot overflow the stack; VGG-16 in place is about 590 MB.
// Here: 300 x 1000 dense weights, 1.2 MB.
// expect: typenet: a model<Net, storage::in_place> keeps its parameters and workspace inside the object
// expect: in_place_model_too_large_for_a_stack
// expect: bytes<1048576>
#include <typenet/model.hpp>

namespace tn = typenet;
using net = tn::network<tn::input<300>, tn::dense<tn::units<1000>>>;
#ifdef TYPENET_TWIN
static tn::model<net, tn::storage::in_place_large> m;
#else
static tn::model<net, tn::storage::in_place> m;
#endif
