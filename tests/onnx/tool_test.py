#!/usr/bin/python3
"""tools/onnx-to-typenet on small graphs built with onnx.helper: its mapping and each of its refusals.

Needs no PyTorch (the round trip, round_trip.py, does). Each graph is written here node by node, so the
expectations come from ONNX's operator definitions, not from the tool. Exits 77 (a skip for meson)
when the onnx Python package is missing.

Usage: tool_test.py tools/onnx-to-typenet
"""

import contextlib
import importlib.machinery
import importlib.util
import io
import os
import subprocess
import sys
import tempfile
import unittest

try:
    import numpy as np
    import onnx
    import onnx.checker
    import onnx.numpy_helper
    import onnx.shape_inference
    from onnx import TensorProto, helper
except ImportError as e:  # pragma: no cover
    print(f"SKIP: needs the onnx and numpy Python packages ({e}); Debian: python3-onnx python3-numpy")
    sys.exit(77)

TOOL = None  # set from the command line
HERE = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools"))
import typenet_safetensors  # noqa: E402

rng = np.random.default_rng(7)


def rand(*shape):
    return rng.standard_normal(shape).astype(np.float32)


def node(op, inputs, outputs, name=None, **attributes):
    return helper.make_node(op, inputs, outputs, name=name if name is not None else outputs[0], **attributes)


def const(name, values, dtype=np.int64):
    return helper.make_node("Constant", [], [name], name=name,
                            value=onnx.numpy_helper.from_array(np.array(values, dtype=dtype), name))


def model(nodes, inits=None, shape=(1, 1, 8, 8), out_shape=None, opset=14, inputs=None, outputs=None, check=True):
    """A model of `nodes` from input x (`shape`) to output y."""
    inits = inits or {}
    inputs = inputs or [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(shape))]
    outputs = outputs or [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape)]
    g = helper.make_graph(nodes, "test", inputs, outputs,
                          initializer=[onnx.numpy_helper.from_array(v, k) for k, v in inits.items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", opset)], producer_name="tool_test")
    if out_shape is None and check:
        m = onnx.shape_inference.infer_shapes(m)  # the output's shape, as ONNX's definitions give it
    if check:
        onnx.checker.check_model(m)
    return m


class Result:
    def __init__(self, returncode, stdout, stderr, header, tensors):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr
        self.header, self.tensors = header, tensors

    def layers(self):
        """The network's layers as the header spells them, one per line, without comments and commas."""
        lines = self.header.splitlines()
        start = next(i for i, l in enumerate(lines) if "= typenet::network<" in l)
        out = []
        for line in lines[start + 1:]:
            code = line.split("  //")[0].strip().rstrip(",")
            if code == ">;":
                break
            out.append(code)
        return out


def tool():
    """The tool as a module, loaded once: most cases run in this process (the CLI cases run it as a program)."""
    global _tool
    if _tool is None:
        loader = importlib.machinery.SourceFileLoader("onnx_to_typenet", TOOL)
        _tool = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
        loader.exec_module(_tool)
    return _tool


_tool = None


def convert(m, *extra):
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "net.onnx")
        onnx.save(m, path)
        header, weights = os.path.join(tmp, "net.hpp"), os.path.join(tmp, "net.safetensors")
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            returncode = tool().main([path, "--type", "net", "--header", header, "--weights", weights, *extra])
        text = ""
        if os.path.exists(header):
            with open(header) as f:
                text = f.read()
        tensors = typenet_safetensors.load(weights)[0] if os.path.exists(weights) else {}
        return Result(returncode, out.getvalue(), err.getvalue(), text, tensors)


T = "typenet::"


class Mapping(unittest.TestCase):
    def ok(self, m, *extra):
        r = convert(m, *extra)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        return r

    def test_lenet_style_chain_and_names(self):
        w1, b1, w2, b2 = rand(6, 1, 5, 5), rand(6), rand(10, 6 * 4 * 4), rand(10)
        m = model([node("Conv", ["x", "0.weight", "0.bias"], ["c"], kernel_shape=[5, 5], pads=[2, 2, 2, 2]),
                   node("Relu", ["c"], ["r"]),
                   node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
                   node("Flatten", ["p"], ["f"], axis=1),
                   node("Gemm", ["f", "fc.weight", "fc.bias"], ["g"], transB=1),
                   node("Softmax", ["g"], ["y"], axis=1)],
                  {"0.weight": w1, "0.bias": b1, "fc.weight": w2, "fc.bias": b2}, shape=(1, 1, 8, 8))
        r = self.ok(m)
        self.assertEqual(r.layers(), [
            f"{T}input<8, 8, 1>",
            f"{T}conv<{T}filters<6>, {T}kernel<5>, {T}pad<2>>",  # "0.weight": position 1, unnamed
            f"{T}relu",
            f"{T}max_pool<{T}window<2>>",                         # stride = window: typenet's default
            f"{T}flatten",
            f'{T}dense<{T}units<10>, {T}name<"fc">>',
            f"{T}softmax"])
        self.assertEqual(list(r.tensors), ["0.weight", "0.bias", "fc.weight", "fc.bias"])
        for name, want in (("0.weight", w1), ("0.bias", b1), ("fc.weight", w2), ("fc.bias", b2)):
            np.testing.assert_array_equal(r.tensors[name], want)  # PyTorch's layouts: OIHW, [out, in]
        self.assertIn("#include <typenet/typenet.hpp>", r.header)
        self.assertIn("using net = typenet::network<", r.header)
        self.assertIn("wrote", r.stdout)

    def test_namespace_and_standard_output(self):
        m = model([node("Relu", ["x"], ["y"])], shape=(1, 4))
        r = self.ok(m, "--namespace", "a::b")
        self.assertIn("namespace a::b {", r.header)
        self.assertIn("}  // namespace a::b", r.header)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "m.onnx")
            onnx.save(m, path)
            p = subprocess.run([sys.executable, TOOL, path], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("using m = typenet::network<", p.stdout)  # the type is named after the file
        self.assertIn("typenet::input<4>", p.stdout)

    def test_conv_padding_strides_rounding(self):
        cases = [  # attributes, input H x W, expected options after filters and kernel, output
            (dict(pads=[0, 0, 1, 1]), 8, [f"{T}pad_sides<0, 1, 0, 1>"], "7x7x2"),
            (dict(pads=[1, 2, 1, 2]), 8, [f"{T}pad<1, 2>"], "8x10x2"),
            (dict(strides=[2, 2], pads=[1, 1, 1, 1]), 8, [f"{T}stride<2>", f"{T}pad<1>", f"{T}round_down"], "4x4x2"),
            (dict(strides=[1, 2]), 7, [f"{T}stride<1, 2>"], "5x3x2"),
            (dict(auto_pad="SAME_UPPER", strides=[2, 2]), 8, [f"{T}stride<2>", f"{T}pad_sides<0, 1, 0, 1>"],
             "4x4x2"),
            (dict(auto_pad="SAME_LOWER", strides=[2, 2]), 8, [f"{T}stride<2>", f"{T}pad_sides<1, 0, 1, 0>"],
             "4x4x2"),
            (dict(auto_pad="VALID"), 8, [], "6x6x2"),
        ]
        for attributes, n, options, out in cases:
            with self.subTest(attributes=attributes):
                m = model([node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3], **attributes)], {"w": rand(2, 3, 3, 3)},
                          shape=(1, 3, n, n))
                r = self.ok(m)
                self.assertEqual(r.layers()[1],
                                 f"{T}conv<{', '.join([f'{T}filters<2>', f'{T}kernel<3>'] + options + [f'{T}no_bias'])}>")
                self.assertIn(f"-> {out}", r.header)
                # no bias in the graph: no_bias, the weight alone in the file, named by position ("w" is not a
                # module's weight)
                self.assertEqual(sorted(r.tensors), ["0.weight"])

    def test_activations(self):
        for alpha, slope in ((0.01, "1, 100"), (0.2, "1, 5"), (0.1, "1, 10"), (0.3, "3, 10"), (0.125, "1, 8")):
            with self.subTest(alpha=alpha):
                r = self.ok(model([node("LeakyRelu", ["x"], ["y"], alpha=alpha)], shape=(1, 5)))
                self.assertEqual(r.layers()[1], f"{T}leaky_relu<{T}slope<{slope}>>")
        r = self.ok(model([node("Sigmoid", ["x"], ["s"]), node("Tanh", ["s"], ["t"]), node("Identity", ["t"], ["i"]),
                           node("Dropout", ["i"], ["y"])], shape=(1, 5)))
        self.assertEqual(r.layers(), [f"{T}input<5>", f"{T}sigmoid", f"{T}tanh"])  # Identity and Dropout skipped

    def test_clip_to_0_6_is_relu6(self):
        for opset in (11, 14, 17):
            with self.subTest(opset=opset):
                r = self.ok(model([node("Clip", ["x", "lo", "hi"], ["y"])],
                                  {"lo": np.float32(0), "hi": np.float32(6)}, shape=(1, 5), opset=opset))
                self.assertEqual(r.layers()[1], f"{T}relu6")

    def test_grouped_depthwise_and_bias_free_convolutions(self):
        w, b = rand(12, 2, 3, 3), rand(12)
        r = self.ok(model([node("Conv", ["x", "w", "b"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], group=3)],
                          {"w": w, "b": b}, shape=(1, 6, 8, 8)))
        self.assertEqual(r.layers()[1], f"{T}conv<{T}filters<12>, {T}kernel<3>, {T}pad<1>, {T}groups<3>>")
        np.testing.assert_array_equal(r.tensors["0.weight"], w)
        r = self.ok(model([node("Conv", ["x", "w"], ["y"], kernel_shape=[3, 3], strides=[2, 2], group=6)],
                          {"w": rand(6, 1, 3, 3)}, shape=(1, 6, 9, 9)))
        self.assertEqual(r.layers()[1],
                         f"{T}conv<{T}filters<6>, {T}kernel<3>, {T}stride<2>, {T}depthwise, {T}no_bias>")
        self.assertEqual(sorted(r.tensors), ["0.weight"])

    def test_leaky_relu_slope_is_alphas_float(self):
        r = self.ok(model([node("LeakyRelu", ["x"], ["y"], alpha=0.0123)], shape=(1, 5)))
        spelled = r.layers()[1]
        num, den = (int(v) for v in spelled.split("slope<")[1].rstrip(">").split(","))
        self.assertEqual(np.float32(num / den), np.float32(0.0123))

    def test_pooling(self):
        cases = [  # op, attributes, input n, expected layer, output
            ("MaxPool", dict(kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1), 6,
             f"{T}max_pool<{T}window<3>, {T}stride<2>, {T}pad<1>, {T}round_up>", "4x4x2"),
            ("MaxPool", dict(kernel_shape=[3, 3], strides=[2, 2]), 6,
             f"{T}max_pool<{T}window<3>, {T}stride<2>, {T}round_down>", "2x2x2"),
            ("MaxPool", dict(kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1), 6,
             f"{T}max_pool<{T}window<2>>", "3x3x2"),  # tiles: no rounding needed either way
            ("MaxPool", dict(kernel_shape=[2, 2]), 6, f"{T}max_pool<{T}window<2>, {T}stride<1>>", "5x5x2"),
            ("AveragePool", dict(kernel_shape=[2, 2], strides=[2, 2], pads=[1, 1, 1, 1]), 6,
             f"{T}avg_pool<{T}window<2>, {T}pad<1>>", "4x4x2"),  # count_include_pad=0: typenet's avg_pool
            ("AveragePool", dict(kernel_shape=[2, 2], strides=[2, 2], count_include_pad=1), 6,
             f"{T}avg_pool<{T}window<2>>", "3x3x2"),  # no padding: nothing to count
            ("GlobalAveragePool", {}, 6, f"{T}adaptive_avg_pool<{T}output_size<1>>", "1x1x2"),
            ("GlobalMaxPool", {}, 6, f"{T}max_pool<{T}window<6>>", "1x1x2"),
        ]
        for op, attributes, n, layer, out in cases:
            with self.subTest(op=op, attributes=attributes):
                r = self.ok(model([node(op, ["x"], ["y"], **attributes)], shape=(1, 2, n, n)))
                self.assertEqual(r.layers()[1], layer)
                self.assertIn(f"-> {out}", r.header)
                self.assertEqual(r.tensors, {})

    def test_count_include_pad(self):
        # count_include_pad=1 with padding, and a zero Pad before an AveragePool (as PyTorch exports
        # avg_pool2d's default count_include_pad=True): the padding counts in the divisor.
        attributes = dict(kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1], count_include_pad=1)
        r = self.ok(model([node("AveragePool", ["x"], ["y"], **attributes)], shape=(1, 2, 5, 5)))
        self.assertEqual(r.layers()[1], f"{T}avg_pool<{T}window<3>, {T}stride<1>, {T}pad<1>, {T}count_padding>")
        r = self.ok(model([const("pads", [0, 0, 1, 1, 0, 0, 1, 1]), node("Pad", ["x", "pads"], ["p"]),
                           node("AveragePool", ["p"], ["y"], kernel_shape=[2, 2], strides=[2, 2])], shape=(1, 2, 4, 4)))
        self.assertEqual(r.layers()[1], f"{T}avg_pool<{T}window<2>, {T}pad<1>, {T}count_padding>")
        self.assertIn('"p", "y" -> 3x3x2', r.header)  # the nodes it stands for: the Pad and the AveragePool
        # a zero Pad that pads nothing (PyTorch's avg_pool2d without padding) is dropped
        r = self.ok(model([const("pads", [0] * 8), node("Pad", ["x", "pads"], ["p"]),
                           node("AveragePool", ["p"], ["y"], kernel_shape=[2, 2], strides=[2, 2])], shape=(1, 2, 4, 4)))
        self.assertEqual(r.layers()[1], f"{T}avg_pool<{T}window<2>>")

    def test_pad_before_conv(self):
        r = self.ok(model([const("pads", [0, 0, 0, 1, 0, 0, 2, 0]), node("Pad", ["x", "pads"], ["p"]),
                           node("Conv", ["p", "w", "b"], ["y"], kernel_shape=[3, 3], pads=[1, 1, 1, 1])],
                          {"w": rand(4, 2, 3, 3), "b": rand(4)}, shape=(1, 2, 6, 6)))
        # ONNX pads: begin H, W then end H, W of each axis; the Conv's own 1 adds to each side
        self.assertEqual(r.layers()[1], f"{T}conv<{T}filters<4>, {T}kernel<3>, {T}pad_sides<1, 3, 2, 1>>")
        self.assertIn("-> 8x7x4", r.header)

    def test_flatten_and_reshape(self):
        w = rand(3, 2 * 4 * 4)
        tail = [node("Gemm", ["f", "w"], ["y"], transB=1)]
        expected = [f"{T}input<4, 4, 2>", f"{T}flatten", f"{T}dense<{T}units<3>, {T}no_bias>"]
        graphs = {
            "Flatten": [node("Flatten", ["x"], ["f"])],
            "Reshape [1, -1]": [const("s", [1, -1]), node("Reshape", ["x", "s"], ["f"])],
            "Reshape [0, 32]": [const("s", [0, 32]), node("Reshape", ["x", "s"], ["f"])],
        }
        for what, nodes in graphs.items():
            with self.subTest(what):
                r = self.ok(model(nodes + tail, {"w": w}, shape=(1, 2, 4, 4)))
                self.assertEqual(r.layers(), expected)
        # x.view(x.size(0), -1) under a dynamic batch: Shape, Gather, Unsqueeze, Concat feed the Reshape
        dynamic = [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2, 4, 4])]
        nodes = [node("Shape", ["x"], ["shape"]), const("zero", 0), node("Gather", ["shape", "zero"], ["n"], axis=0),
                 const("axes", [0]), node("Unsqueeze", ["n", "axes"], ["n1"]), const("rest", [-1]),
                 node("Concat", ["n1", "rest"], ["s"], axis=0), node("Reshape", ["x", "s"], ["f"])]
        r = self.ok(model(nodes + tail, {"w": w}, inputs=dynamic, out_shape=["N", 3]))
        self.assertEqual(r.layers(), expected)
        # the same at opset 11, where Unsqueeze takes its axes as an attribute
        nodes[4] = node("Unsqueeze", ["n"], ["n1"], axes=[0])
        r = self.ok(model(nodes[:3] + nodes[4:] + tail, {"w": w}, inputs=dynamic, out_shape=["N", 3], opset=11))
        self.assertEqual(r.layers(), expected)

    def test_gemm_forms(self):
        x = (1, 4)
        b, c = rand(4, 3), rand(3)
        # transB=0: B is [in, out]; alpha scales the weights, beta the bias
        r = self.ok(model([node("Gemm", ["x", "B", "C"], ["y"], alpha=2.0, beta=0.5)], {"B": b, "C": c}, shape=x))
        self.assertEqual(r.layers()[1], f"{T}dense<{T}units<3>>")
        np.testing.assert_allclose(r.tensors["0.weight"], 2.0 * b.T, rtol=0, atol=0)
        np.testing.assert_allclose(r.tensors["0.bias"], 0.5 * c, rtol=0, atol=0)
        # no C: no bias; a C of [1, out] broadcasts
        r = self.ok(model([node("Gemm", ["x", "B"], ["y"])], {"B": b}, shape=x))
        self.assertEqual(r.layers()[1], f"{T}dense<{T}units<3>, {T}no_bias>")
        self.assertEqual(sorted(r.tensors), ["0.weight"])
        r = self.ok(model([node("Gemm", ["x", "B", "C"], ["y"])], {"B": b, "C": c.reshape(1, 3)}, shape=x))
        np.testing.assert_array_equal(r.tensors["0.bias"], c)

    def test_matmul_add(self):
        w, bias = rand(4, 3), rand(3)
        r = self.ok(model([node("MatMul", ["x", "W"], ["m"]), node("Add", ["m", "fc.bias"], ["a"]),
                           node("Relu", ["a"], ["y"])], {"W": w, "fc.bias": bias}, shape=(1, 4)))
        self.assertEqual(r.layers(), [f"{T}input<4>", f'{T}dense<{T}units<3>, {T}name<"fc">>', f"{T}relu"])
        np.testing.assert_array_equal(r.tensors["fc.weight"], w.T)
        np.testing.assert_array_equal(r.tensors["fc.bias"], bias)
        # the bias first (Add commutes); no Add: no bias
        r = self.ok(model([node("MatMul", ["x", "W"], ["m"]), node("Add", ["fc.bias", "m"], ["y"])],
                          {"W": w, "fc.bias": bias}, shape=(1, 4)))
        np.testing.assert_array_equal(r.tensors["fc.bias"], bias)
        r = self.ok(model([node("MatMul", ["x", "W"], ["y"])], {"W": w}, shape=(1, 4)))
        self.assertEqual(r.layers()[1], f"{T}dense<{T}units<3>, {T}no_bias>")
        self.assertEqual(sorted(r.tensors), ["0.weight"])

    def test_softmax_axes(self):
        ok = [((1, 5), 14, {}), ((1, 5), 11, {}), ((1, 5), 14, dict(axis=1)), ((1, 3, 2, 2), 14, dict(axis=1)),
              ((1, 3, 2, 2), 14, dict(axis=-3)), ((1, 3, 1, 1), 11, dict(axis=1))]
        for shape, opset, attributes in ok:
            with self.subTest(shape=shape, opset=opset, attributes=attributes):
                r = self.ok(model([node("Softmax", ["x"], ["y"], **attributes)], shape=shape, opset=opset))
                self.assertEqual(r.layers()[1], f"{T}softmax")

    def test_dotted_names(self):
        # nn.Sequential inside a module: "features.0.weight" names the layer "features.0"
        r = self.ok(model([node("Conv", ["x", "features.0.weight", "features.0.bias"], ["y"], kernel_shape=[1, 1])],
                          {"features.0.weight": rand(2, 1, 1, 1), "features.0.bias": rand(2)}, shape=(1, 1, 3, 3)))
        self.assertEqual(r.layers()[1], f'{T}conv<{T}filters<2>, {T}kernel<1>, {T}name<"features.0">>')
        self.assertEqual(sorted(r.tensors), ["features.0.bias", "features.0.weight"])


class Refusals(unittest.TestCase):
    def refused(self, m, *fragments):
        r = convert(m)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertTrue(r.stderr.startswith("onnx-to-typenet: "), r.stderr)
        for fragment in fragments:
            self.assertIn(fragment, r.stderr)
        self.assertEqual(r.header, "")  # nothing half-written
        self.assertEqual(r.tensors, {})
        return r.stderr

    def test_unsupported_operators_name_the_node(self):
        for op, why in (("Elu", "typenet has no elu activation"),
                        ("Hardmax", "typenet has no layer for the ONNX operator Hardmax"),
                        ("LogSoftmax", "typenet has no log_softmax layer"),
                        ("Transpose", "typenet has no transpose layer")):
            with self.subTest(op=op):
                self.refused(model([node(op, ["x"], ["y"], name="the_node")], shape=(1, 4)),
                             f'onnx-to-typenet: node "the_node" ({op}): ', why)
        self.refused(model([node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], name="bn")],
                           {k: rand(3) for k in "sbm"} | {"v": np.ones(3, np.float32)}, shape=(1, 3, 4, 4)),
                     'node "bn" (BatchNormalization): typenet has no batch normalization layer')
        # a node without a name is called by its first output
        self.refused(model([node("Elu", ["x"], ["y"], name="")], shape=(1, 4)), 'node "y" (Elu)')

    def test_clip_other_than_relu6(self):
        self.refused(model([node("Clip", ["x", "lo", "hi"], ["y"], name="c")],
                           {"lo": np.float32(-1), "hi": np.float32(1)}, shape=(1, 5)),
                     'node "c" (Clip): clips to [-1.0, 1.0]; typenet has relu6 (clip to [0, 6]) and no other clip')
        self.refused(model([node("Clip", ["x", "lo"], ["y"], name="c")], {"lo": np.float32(0)}, shape=(1, 5)),
                     'node "c" (Clip): clips to [0.0, None]')

    def test_grouped_and_dilated_convolutions(self):
        self.refused(model([node("Conv", ["x", "w"], ["y"], name="g", kernel_shape=[3, 3], group=4)],
                           {"w": rand(6, 1, 3, 3)}, shape=(1, 6, 8, 8), check=False),
                     'node "g" (Conv): group 4 for 6 input channels and 6 filters; typenet has no grouped '
                     'convolution whose channels or filters do not split into its groups')
        self.refused(model([node("Conv", ["x", "w"], ["y"], name="dil", kernel_shape=[3, 3], dilations=[2, 2])],
                           {"w": rand(4, 1, 3, 3)}, shape=(1, 1, 8, 8)),
                     'node "dil" (Conv): dilations [2, 2]; typenet has no dilated convolution')
        self.refused(model([node("Conv", ["x", "w"], ["y"], name="c1d", kernel_shape=[3])], {"w": rand(2, 1, 3)},
                           shape=(1, 1, 8)),
                     'onnx-to-typenet: ', "typenet takes images [N, C, H, W] or vectors [N, F]")

    def test_branches(self):
        # x feeds two nodes whose outputs are added: a branch
        m = model([node("Relu", ["x"], ["a"]), node("Sigmoid", ["x"], ["b"]), node("Add", ["a", "b"], ["y"])],
                  shape=(1, 4))
        self.refused(m, 'node "a" (Relu): reads \'x\', which node "b" (Sigmoid) also reads; '
                        'typenet has no branches yet')
        # a residual connection: the conv's output feeds the relu and the add
        m = model([node("Conv", ["x", "w"], ["c"], kernel_shape=[1, 1]), node("Relu", ["c"], ["r"]),
                   node("Add", ["r", "c"], ["y"])], {"w": rand(1, 1, 1, 1)}, shape=(1, 1, 4, 4))
        self.refused(m, 'node "r" (Relu): reads \'c\', which node "y" (Add) also reads; typenet has no branches yet')
        # two graph outputs
        two = [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in ("y", "z")]
        self.refused(model([node("Relu", ["x"], ["y"]), node("Sigmoid", ["y"], ["z"])], shape=(1, 4), outputs=two),
                     "2 graph outputs; a typenet network gives one")
        # two graph inputs
        ins = [helper.make_tensor_value_info(n, TensorProto.FLOAT, [1, 4]) for n in ("x", "x2")]
        self.refused(model([node("Add", ["x", "x2"], ["y"])], inputs=ins),
                     "2 graph inputs (x, x2); a typenet network takes one")

    def test_geometry_typenet_lacks(self):
        # ceil_mode where ONNX keeps a last window that starts in the trailing padding and PyTorch (and typenet) drop it
        self.refused(model([node("MaxPool", ["x"], ["y"], name="mp", kernel_shape=[2, 2], strides=[2, 2],
                                 pads=[1, 1, 1, 1], ceil_mode=1)], shape=(1, 1, 5, 5)),
                     'node "mp" (MaxPool): ceil_mode gives 4x4 by ONNX\'s rule and 3x3 by typenet\'s',
                     "typenet has no rounding that matches ONNX's here")
        self.refused(model([node("MaxPool", ["x"], ["y"], name="mp", kernel_shape=[2, 2], pads=[2, 2, 2, 2])],
                           shape=(1, 1, 5, 5), check=False),
                     'node "mp" (MaxPool): pads [2, 2, 2, 2]',
                     "typenet has no pooling that pads more than half its window")
        self.refused(model([node("Flatten", ["x"], ["y"], name="fl", axis=2)], shape=(1, 2, 3, 3)),
                     'node "fl" (Flatten): flattens from axis 2; typenet has no flatten but from axis 1')
        self.refused(model([const("s", [1, 2, 9]), node("Reshape", ["x", "s"], ["y"], name="rs")], shape=(1, 2, 3, 3)),
                     'node "rs" (Reshape): reshapes [1, 2, 3, 3] to [1, 2, 9]; typenet has no reshape layer')
        self.refused(model([node("Softmax", ["x"], ["y"], name="sm", axis=-1)], shape=(1, 3, 2, 2)),
                     'node "sm" (Softmax): a softmax over axis 3 of [N, 3, 2, 2]; '
                     'typenet has no softmax over other axes')
        self.refused(model([node("Softmax", ["x"], ["y"], name="sm", axis=1)], shape=(1, 3, 2, 2), opset=11),
                     'node "sm" (Softmax): a softmax over C, H and W together')
        self.refused(model([node("Gemm", ["x", "B"], ["y"], name="g", transA=1)], {"B": rand(1, 3)}, shape=(4, 1)),
                     'node "g" (Gemm): transA=1', "typenet has no such matrix product")

    def test_add_that_is_no_bias(self):
        self.refused(model([node("Relu", ["x"], ["r"]), node("Add", ["r", "c"], ["y"], name="add")],
                           {"c": rand(4)}, shape=(1, 4)),
                     'node "add" (Add): adds a constant that is not the bias of a MatMul right before it; typenet has '
                     'no addition layer')

    def test_counting_padding_without_count_padding(self):
        # What the tool says where typenet's avg_pool has no count_padding option (as before it had one).
        module = tool()
        self.assertTrue(module.TYPENET_COUNTS_PADDING)
        module.TYPENET_COUNTS_PADDING = False
        try:
            self.refused(model([node("AveragePool", ["x"], ["y"], name="ap", kernel_shape=[3, 3], strides=[1, 1],
                                     pads=[1, 1, 1, 1], count_include_pad=1)], shape=(1, 2, 5, 5)),
                         'node "ap" (AveragePool): averages with count_include_pad=1 over padding [1, 1, 1, 1]',
                         "typenet has no avg_pool that counts padding")
            self.refused(model([const("pads", [0, 0, 1, 1, 0, 0, 1, 1]), node("Pad", ["x", "pads"], ["p"], name="pad"),
                                node("AveragePool", ["p"], ["y"], name="ap", kernel_shape=[2, 2], strides=[2, 2])],
                               shape=(1, 2, 4, 4)),
                         'node "ap" (AveragePool): averages with the zeros node "pad" (Pad) adds over padding '
                         '[1, 1, 1, 1]', "typenet has no avg_pool that counts padding")
        finally:
            module.TYPENET_COUNTS_PADDING = True

    def test_pads_typenet_lacks(self):
        self.refused(model([const("pads", [0, 0, 1, 1, 0, 0, 1, 1]), node("Pad", ["x", "pads"], ["p"], name="pad"),
                            node("MaxPool", ["p"], ["y"], name="mp", kernel_shape=[2, 2], strides=[2, 2])],
                           shape=(1, 1, 4, 4)),
                     'node "pad" (Pad): pads the data with zeros before node "mp" (MaxPool); typenet has no pad layer')
        self.refused(model([const("pads", [0, 0, 1, 1, 0, 0, 1, 1]),
                            node("Pad", ["x", "pads"], ["p"], name="pad", mode="reflect"),
                            node("Conv", ["p", "w"], ["y"], kernel_shape=[3, 3])], {"w": rand(1, 1, 3, 3)},
                           shape=(1, 1, 4, 4)),
                     'node "pad" (Pad): pads in mode \'reflect\'', "typenet has no pad layer")
        self.refused(model([const("pads", [0, 1, 0, 0, 0, 1, 0, 0]), node("Pad", ["x", "pads"], ["p"], name="pad"),
                            node("Conv", ["p", "w"], ["y"], kernel_shape=[3, 3])], {"w": rand(1, 3, 3, 3)},
                           shape=(1, 1, 4, 4)),
                     'node "pad" (Pad): pads [0, 1, 0, 0, 0, 1, 0, 0] (not only H and W', "typenet has no pad layer")

    def test_inputs_opsets_and_arguments(self):
        dyn = [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, "C", 4, 4])]
        self.refused(model([node("Relu", ["x"], ["y"])], inputs=dyn),
                     "input 'x' has shape [1, '?', 4, 4]; "
                     "typenet takes images [N, C, H, W] or vectors [N, F] with C, H, W, F fixed")
        ints = [helper.make_tensor_value_info("x", TensorProto.INT64, [1, 4])]
        self.refused(model([node("Relu", ["x"], ["y"])], inputs=ints, check=False), "input 'x' is of type INT64")
        self.refused(model([node("Relu", ["x"], ["y"])], shape=(1, 4), opset=9),
                     "ONNX opset 9: this tool reads opsets 11 to 17")
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "m.onnx")
            onnx.save(model([node("Relu", ["x"], ["y"])], shape=(1, 4)), path)
            p = subprocess.run([sys.executable, TOOL, path, "--type", "not-a-name"], capture_output=True, text=True)
            self.assertEqual(p.returncode, 2)
            self.assertIn("is not a C++ identifier", p.stderr)
            with open(os.path.join(tmp, "bad.onnx"), "wb") as f:
                f.write(b"\x01\x02 not a protobuf")
            p = subprocess.run([sys.executable, TOOL, os.path.join(tmp, "bad.onnx")], capture_output=True, text=True)
            self.assertEqual(p.returncode, 1)
            self.assertIn("not an ONNX file", p.stderr)

    def test_operators_listing(self):
        p = subprocess.run([sys.executable, TOOL, "--operators"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        for op in ("Conv", "MaxPool", "AveragePool", "Gemm", "MatMul", "Softmax", "LeakyRelu", "Flatten", "Reshape"):
            self.assertIn(op, p.stdout)


if __name__ == "__main__":
    TOOL = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)
