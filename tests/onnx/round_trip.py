#!/usr/bin/python3
"""ONNX round trip: PyTorch -> torch.onnx.export -> tools/onnx-to-typenet -> a C++ program -> PyTorch's outputs.

Exports five networks with random seeded weights (tools/torch_models.py's lenet5() and Cifar10, and three
below that use the rest of the tool's operators), converts each with the tool, compiles the generated
headers into one program with this build's compiler, loads each weights file with
typenet::load_weights and runs the same inputs as PyTorch; the outputs must agree within 1e-5 of the
output's largest magnitude. The program also static_asserts that the LeNet-5 and CIFAR-10 types the
tool declares are typenet::models::lenet5 and typenet::models::cifar10, the very same types.

Exits 77 (a skip for meson) when PyTorch is not installed.

Usage: round_trip.py --tool tools/onnx-to-typenet --cxx 'g++' [--flag F ...] [--keep DIR]
"""

import argparse
import os
import shlex
import subprocess
import sys
import tempfile

TOLERANCE = 1e-5
SAMPLES = 4


def parse():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", required=True, help="tools/onnx-to-typenet")
    ap.add_argument("--cxx", required=True, help="the compiler command, e.g. 'g++' or 'ccache clang++-16'")
    ap.add_argument("--flag", action="append", default=[], help="a compiler flag (repeatable)")
    ap.add_argument("--keep", help="work in this directory and keep it (default: a temporary one)")
    return ap.parse_args()


def networks(torch, nn, F, tm):
    """(name, module, input C x H x W, export options): the networks of the round trip."""

    class Mixed(nn.Module):
        """Every other operator PyTorch exports that the tool maps: a conv that does not tile (round_down),
        leaky relu, ceil_mode max pooling (round_up), tanh, an asymmetric F.pad before a conv (pad_sides),
        sigmoid, average pooling with and without count_include_pad, x.view(N, -1) under a dynamic
        batch (a Shape/Gather/Unsqueeze/Concat subgraph), softmax."""

        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(3, 6, 3, stride=2, padding=1)
            self.conv2 = nn.Conv2d(6, 8, 2)
            self.fc1 = nn.Linear(72, 16)
            self.fc2 = nn.Linear(16, 10)

        def forward(self, x):
            x = F.leaky_relu(self.conv1(x), 0.2)                                    # 6x6x6 (12 + 2 - 3 = 11)
            x = torch.tanh(F.max_pool2d(x, 3, stride=2, padding=1, ceil_mode=True))  # 4x4x6
            x = torch.sigmoid(self.conv2(F.pad(x, (0, 1, 0, 1))))                   # 4x4x8
            x = F.avg_pool2d(x, 2, padding=1, count_include_pad=False)              # 3x3x8
            x = F.avg_pool2d(x, 3, stride=1, padding=1)                             # 3x3x8, padding counted
            x = x.view(x.size(0), -1)
            return torch.softmax(self.fc2(torch.relu(self.fc1(x))), dim=1)

    class Pooled(nn.Module):
        """Non-square kernels, windows and strides, global average pooling, a layer of a nested
        nn.Sequential (its weights "features.0.weight": name<"features.0">), and a matrix product with an
        added bias whose parameters are not called weight and bias (MatMul + Add, an unnamed layer)."""

        def __init__(self):
            super().__init__()
            self.features = nn.Sequential(nn.Conv2d(4, 6, (3, 5), padding=(1, 2)), nn.ReLU())
            self.w = nn.Parameter(torch.randn(6, 5) * 0.5)
            self.b = nn.Parameter(torch.randn(5) * 0.5)
            self.fc = nn.Linear(5, 3)

        def forward(self, x):
            x = F.max_pool2d(self.features(x), (3, 2), stride=(2, 1))  # 4x6x6
            x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)                   # 6
            x = torch.tanh(torch.matmul(x, self.w) + self.b)
            return self.fc(x)

    class Mobile(nn.Module):
        """Beyond the lecture: bias-free convolutions (Conv without B: no_bias), ReLU6 (Clip 0, 6), depthwise
        (group = C) and grouped (group 2) convolutions, global average pooling and a bias-free Linear (Gemm
        without C), in an nn.Sequential ("body.0.weight": name<"body.0">)."""

        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(
                nn.Conv2d(3, 8, 3, stride=2, padding=1, bias=False), nn.ReLU6(),   # 7x7x8
                nn.Conv2d(8, 8, 3, padding=1, groups=8), nn.ReLU6(),              # depthwise
                nn.Conv2d(8, 16, 1, groups=2, bias=False), nn.ReLU6(),            # grouped
                nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, 4, bias=False))

        def forward(self, x):
            return self.body(x)

    torch.manual_seed(1)
    lenet5 = tm.lenet5()
    torch.manual_seed(2)
    cifar10 = tm.Cifar10()
    torch.manual_seed(3)
    mixed = Mixed()
    with torch.no_grad():
        mixed.fc2.weight.mul_(20)  # logits far apart, so that the softmax is far from uniform
    torch.manual_seed(4)
    pooled = Pooled()
    torch.manual_seed(5)
    mobile = Mobile()
    with torch.no_grad():
        mobile.body[0].weight.mul_(8)  # outputs far enough out that ReLU6 clamps at 6 as well as at 0
    dynamic = {"input_names": ["x"], "output_names": ["y"], "dynamic_axes": {"x": {0: "N"}, "y": {0: "N"}}}
    return [("lenet5", lenet5, (1, 28, 28), {}),
            ("cifar10", cifar10, (3, 32, 32), {}),
            ("mixed", mixed, (3, 12, 12), dynamic),
            ("pooled", pooled, (4, 9, 7), {}),
            ("mobile", mobile, (3, 13, 13), {})]


PROGRAM = r"""// Written by tests/onnx/round_trip.py: runs the networks tools/onnx-to-typenet declared.
#include "lenet5.hpp"
#include "cifar10.hpp"
#include "mixed.hpp"
#include "pooled.hpp"
#include "mobile.hpp"

#include <typenet/io/weights.hpp>
#include <typenet/models/cifar10.hpp>
#include <typenet/models/lenet5.hpp>

#include <cstdio>
#include <exception>
#include <fstream>
#include <iterator>
#include <string>
#include <type_traits>
#include <vector>

// The tool's LeNet-5 and CIFAR-10 are typenet's own: layer for layer, option for option, name for name.
static_assert(std::is_same_v<onnx_round_trip::lenet5, typenet::models::lenet5>);
static_assert(std::is_same_v<onnx_round_trip::cifar10, typenet::models::cifar10>);

namespace {

std::vector<float> read_floats(const char* path) {
  std::ifstream f(path, std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  std::vector<float> v(bytes.size() / sizeof(float));
  std::copy(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(v.size() * sizeof(float)),
            reinterpret_cast<char*>(v.data()));
  return v;
}

// Inputs C x H x W per sample (PyTorch's) in, outputs out (flat vectors), one sample at a time.
template <class Net>
int run(const char* weights, const char* inputs, const char* outputs) {
  using model = typenet::model<Net>;
  model m;
  typenet::load_weights(m, std::filesystem::path(weights));
  const std::vector<float> in = read_floats(inputs);
  constexpr typenet::shape s = model::input_shape;
  constexpr std::size_t classes = model::output_shape.size();
  const std::size_t n = in.size() / s.size();
  std::vector<float> hwc(s.size()), out(n * classes);
  for (std::size_t i = 0; i < n; ++i) {
    typenet::chw_to_hwc(s, in.data() + i * s.size(), hwc.data());
    m.forward(std::span<const float>(hwc), std::span<float>(out.data() + i * classes, classes));
  }
  std::ofstream(outputs, std::ios::binary)
      .write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size() * sizeof(float)));
  std::printf("%s\n", typenet::architecture<Net>().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc != 5) return std::fprintf(stderr, "usage: round_trip NET WEIGHTS INPUTS OUTPUTS\n"), 2;
  const std::string net = argv[1];
  if (net == "lenet5") return run<onnx_round_trip::lenet5>(argv[2], argv[3], argv[4]);
  if (net == "cifar10") return run<onnx_round_trip::cifar10>(argv[2], argv[3], argv[4]);
  if (net == "mixed") return run<onnx_round_trip::mixed>(argv[2], argv[3], argv[4]);
  if (net == "pooled") return run<onnx_round_trip::pooled>(argv[2], argv[3], argv[4]);
  if (net == "mobile") return run<onnx_round_trip::mobile>(argv[2], argv[3], argv[4]);
  return std::fprintf(stderr, "no network %s\n", argv[1]), 2;
} catch (const std::exception& e) {
  std::fprintf(stderr, "round_trip: %s\n", e.what());
  return 1;
}
"""


def disagreement(got, want):
    """The largest |got - want| and the largest |want|: the tolerance is relative to the output's scale."""
    import numpy as np
    return float(np.max(np.abs(got - want))), float(np.max(np.abs(want)))


def main():
    args = parse()
    try:
        import numpy as np
        import torch
        import torch.nn.functional as F
        from torch import nn
    except ImportError as e:
        print(f"SKIP: needs PyTorch and numpy ({e}); Debian: apt-get install python3-torch python3-onnx")
        return 77
    import warnings
    warnings.filterwarnings("ignore", category=UserWarning)  # torch.onnx's notes on its own passes
    here = os.path.dirname(os.path.realpath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "..", "tools"))
    import torch_models as tm

    def work(tmp):
        failures = []
        nets = networks(torch, nn, F, tm)
        expected = {}
        for name, module, chw, options in nets:
            module.eval()
            torch.manual_seed(100)
            x = torch.randn(SAMPLES, *chw)
            with torch.no_grad():
                expected[name] = module(x).numpy()
            x.numpy().astype("<f4").tofile(os.path.join(tmp, name + ".in"))
            path = os.path.join(tmp, name + ".onnx")
            torch.onnx.export(module, torch.zeros(1, *chw), path, **options)
            cmd = [sys.executable, args.tool, path, "--type", name, "--namespace", "onnx_round_trip",
                   "--header", os.path.join(tmp, name + ".hpp"), "--weights", os.path.join(tmp, name + ".safetensors")]
            p = subprocess.run(cmd, capture_output=True, text=True)
            print(p.stdout + p.stderr, end="")
            if p.returncode != 0:
                failures.append(f"{name}: the tool failed ({p.returncode})")
                continue
            with open(os.path.join(tmp, name + ".hpp")) as f:
                print(f.read())
        if failures:
            return failures

        source = os.path.join(tmp, "round_trip.cpp")
        with open(source, "w") as f:
            f.write(PROGRAM)
        exe = os.path.join(tmp, "round_trip")
        cmd = shlex.split(args.cxx) + args.flag + ["-I", tmp, source, "-o", exe]
        print("$", " ".join(shlex.quote(c) for c in cmd), flush=True)
        p = subprocess.run(cmd, capture_output=True, text=True)
        if p.returncode != 0:
            print(p.stdout + p.stderr[-20000:])
            return ["the generated headers did not compile into the round-trip program"]

        for name, _, _, _ in nets:
            out = os.path.join(tmp, name + ".out")
            p = subprocess.run([exe, name, os.path.join(tmp, name + ".safetensors"), os.path.join(tmp, name + ".in"),
                                out], capture_output=True, text=True)
            print(f"{name}: {p.stdout.strip()}{p.stderr.strip()}")
            if p.returncode != 0:
                failures.append(f"{name}: the program failed ({p.returncode})")
                continue
            want = expected[name]
            got = np.fromfile(out, dtype="<f4").reshape(want.shape)
            for i in range(SAMPLES):
                error, scale = disagreement(got[i], want[i])
                verdict = "ok" if error <= TOLERANCE * scale else "FAIL"
                print(f"  sample {i}: largest |typenet - PyTorch| {error:.3g}, largest |PyTorch| {scale:.3g}: "
                      f"{verdict}")
                if verdict != "ok":
                    failures.append(f"{name} sample {i}: typenet {got[i]} PyTorch {want[i]}")

        # The comparison must notice a small error: one weight of the first layer off by 0.01.
        import typenet_safetensors
        tensors, metadata = typenet_safetensors.load(os.path.join(tmp, "mixed.safetensors"))
        tensors["conv1.weight"][0, 0, 0, 0] += 0.01
        typenet_safetensors.save(os.path.join(tmp, "mixed_off.safetensors"), tensors, metadata)
        out = os.path.join(tmp, "mixed_off.out")
        p = subprocess.run([exe, "mixed", os.path.join(tmp, "mixed_off.safetensors"), os.path.join(tmp, "mixed.in"),
                            out], capture_output=True, text=True)
        got = np.fromfile(out, dtype="<f4").reshape(expected["mixed"].shape) if p.returncode == 0 else None
        worst = max(disagreement(got[i], expected["mixed"][i])[0] / disagreement(got[i], expected["mixed"][i])[1]
                    for i in range(SAMPLES)) if got is not None else None
        print(f"control: mixed with conv1.weight[0, 0, 0, 0] + 0.01: largest relative disagreement {worst}")
        if worst is None or worst <= TOLERANCE:
            failures.append("control: a perturbed weight went unnoticed")
        return failures

    if args.keep:
        os.makedirs(args.keep, exist_ok=True)
        failures = work(args.keep)
    else:
        with tempfile.TemporaryDirectory(prefix="onnx_round_trip_") as tmp:
            failures = work(tmp)
    for f in failures:
        print("FAIL:", f)
    print(f"round trip: {len(failures)} failure(s)" if failures else "round trip: every output agrees")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
