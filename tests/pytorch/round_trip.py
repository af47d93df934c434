#!/usr/bin/python3
"""The live PyTorch <-> typenet round trip, through the tools/ scripts as a user runs them.

    round_trip.py RUN_MODEL TOOLS_DIR        (meson: test 'pytorch round trip (needs python3-torch)')

For LeNet-5 (an nn.Sequential: no names to give), Cifar10 (named layers, saved as a whole module)
and Cifar10 rebuilt with other module names (features.N / classifier.N, mapped with --names and
--rename):
  1. PyTorch -> typenet: a seeded module, torch.save, tools/torch-to-safetensors, then RUN_MODEL
     (tests/pytorch/run_model.cpp) runs typenet's forward on random inputs; its outputs must match
     a float64 PyTorch forward of the same weights.
  2. typenet -> PyTorch: RUN_MODEL trains the model a few SGD steps with typenet's trainer and
     save_weights; tools/safetensors-to-torch, load_state_dict(strict=True) (and
     typenet_torch.load_into) put the result in a fresh module, whose float64 outputs must match
     typenet's, whose loss on the training data must be below the starting weights', and whose
     tensors must all have moved.
  3. The scripts' and the loader's errors on wrong input.
The error measure is tests/io/pytorch_weights_test.cpp's: per sample, max |typenet - torch| /
max |torch|, at most 1e-5. Exits 77 (a skip for meson) when Debian's python3-torch is missing.
"""
import copy
import json
import pathlib
import subprocess
import sys
import tempfile

try:
    import numpy as np
    import torch
    from torch import nn
except ImportError as e:
    print(f"SKIP: needs Debian's python3-torch and python3-numpy for /usr/bin/python3 ({e})")
    sys.exit(77)

RUN_MODEL = pathlib.Path(sys.argv[1])
TOOLS = pathlib.Path(sys.argv[2])
sys.path.insert(0, str(TOOLS))
import torch_models  # noqa: E402
import typenet_safetensors  # noqa: E402
import typenet_torch  # noqa: E402

TOLERANCE = 1e-5
failures = []
passes = 0


def check(ok, what):
    global passes
    print(f"{'ok  ' if ok else 'FAIL'} {what}")
    if ok:
        passes += 1
    else:
        failures.append(what)


def run(*args, expect_fail=False):
    r = subprocess.run([str(a) for a in args], capture_output=True, text=True)
    if (r.returncode != 0) != expect_fail:
        print(f"command {'succeeded' if r.returncode == 0 else 'failed'} ({r.returncode}): {' '.join(map(str, args))}\n"
              f"{r.stdout}{r.stderr}")
        raise SystemExit(1)
    return r


def worst_error(got, expected):
    """max over samples of max |got - expected| / max |expected| (the sample's outputs)."""
    got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
    return float((np.abs(got - expected).max(axis=1) / np.abs(expected).max(axis=1)).max())


def reference(module, x):
    with torch.no_grad():
        return copy.deepcopy(module).double().eval()(x.double()).numpy()


class Cifar10Renamed(nn.Module):
    """torch_models.Cifar10's layers under other names: features.0/3/6 and classifier.0/2."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.AvgPool2d(2), nn.Flatten())
        self.classifier = nn.Sequential(nn.Linear(512, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


RENAMES = {"features.0": "conv1", "features.3": "conv2", "features.6": "conv3",
           "classifier.0": "fc1", "classifier.2": "fc2"}


def round_trip(label, net_name, make, work, seed, save_whole=False, names_file=None):
    torch.manual_seed(seed)
    net = make()
    channels, size = (1, 28) if net_name == "lenet5" else (3, 32)
    rename_args = ["--names", names_file] if names_file else []

    # 1. PyTorch -> typenet.
    pt = work / f"{label}.pt"
    torch.save(net if save_whole else net.state_dict(), pt)
    exported = work / f"{label}.safetensors"
    run(TOOLS / "torch-to-safetensors", pt, exported, "-q", *rename_args)
    x = torch.rand(5, channels, size, size)
    inputs = work / f"{label}_inputs.safetensors"
    typenet_safetensors.save(inputs, {"input": x.numpy()})
    outputs = work / f"{label}_outputs.safetensors"
    run(RUN_MODEL, "forward", net_name, exported, inputs, outputs)
    got = typenet_safetensors.load(outputs)[0]["output"]
    e = worst_error(got, reference(net, x))
    check(e <= TOLERANCE, f"{label}: PyTorch -> torch-to-safetensors -> typenet forward, worst relative error {e:.2e}")

    # 2. typenet -> PyTorch: typenet trains from the exported weights.
    x = torch.rand(16, channels, size, size)
    y = torch.randint(0, 10, (16,))
    data = work / f"{label}_data.safetensors"
    typenet_safetensors.save(data, {"input": x.numpy(), "label": y.numpy().astype(np.int64)})
    trained = work / f"{label}_trained.safetensors"
    r = run(RUN_MODEL, "train", net_name, exported, data, 10, trained, outputs)
    print("    typenet: " + r.stdout.strip().replace("\n", "\n    typenet: "))
    got = typenet_safetensors.load(outputs)[0]["output"]
    back = work / f"{label}_trained.pt"
    # The same map back, given as --rename FROM=TO this time (torch-to-safetensors had --names).
    reverse = [a for k, v in RENAMES.items() for a in ("--rename", f"{k}={v}")] if names_file else []
    run(TOOLS / "safetensors-to-torch", trained, back, "-q", *reverse)
    fresh = make()
    fresh.load_state_dict(torch.load(back), strict=True)
    e = worst_error(got, reference(fresh, x))
    check(e <= TOLERANCE, f"{label}: typenet trains 10 steps -> save_weights -> safetensors-to-torch -> "
                          f"load_state_dict(strict=True), worst relative error {e:.2e}")
    other = typenet_torch.load_into(make(), trained, RENAMES if names_file else None)
    check(all(torch.equal(a, b) for a, b in zip(other.state_dict().values(), fresh.state_dict().values())),
          f"{label}: typenet_torch.load_into gives the same tensors")
    moved = [n for n, t in fresh.state_dict().items() if not torch.equal(t, net.state_dict()[n])]
    check(len(moved) == len(fresh.state_dict()), f"{label}: training moved {len(moved)} of {len(fresh.state_dict())} tensors")
    with torch.no_grad():
        before = nn.functional.cross_entropy(net(x), y).item()
        after = nn.functional.cross_entropy(fresh(x), y).item()
    check(after < before, f"{label}: PyTorch's loss on the training batch: {before:.4f} with the starting weights, "
                          f"{after:.4f} with typenet's")


def errors(work):
    """The scripts' and the loader's messages on wrong input."""
    junk = work / "junk.pt"
    junk.write_bytes(b"not a pickle at all, not a zip either")
    r = run(TOOLS / "torch-to-safetensors", junk, work / "x.safetensors", expect_fail=True)
    check("not a file torch.save wrote" in r.stderr, f"torch-to-safetensors on junk: {r.stderr.strip()}")
    r = run(TOOLS / "torch-to-safetensors", work / "lenet5.pt", work / "x.safetensors", "--rename", "conv1=c",
            expect_fail=True)
    check("no PyTorch tensor starts with 'conv1'" in r.stderr, f"a --rename that matches nothing: {r.stderr.strip()}")
    r = run(TOOLS / "safetensors-to-torch", junk, work / "x.pt", expect_fail=True)
    check("not a safetensors file" in r.stderr, f"safetensors-to-torch on junk: {r.stderr.strip()}")
    # LeNet-5's weights given to Cifar10: typenet names the missing tensor.
    r = run(RUN_MODEL, "forward", "cifar10", work / "lenet5.safetensors", work / "cifar10_inputs.safetensors",
            work / "x.safetensors", expect_fail=True)
    check('tensor "conv1.weight": missing from the file' in r.stderr, f"run_model, wrong weights: {r.stderr.strip()}")
    # A renamed module's file loaded without the map: load_into reports what does not fit.
    try:
        typenet_torch.load_into(Cifar10Renamed(), work / "cifar10_renamed_trained.safetensors")
        check(False, "load_into without the rename map must fail")
    except typenet_torch.Error as e:
        check("Missing key(s)" in str(e), f"load_into without the map: {str(e)[:120]}...")
    # BatchNorm's num_batches_tracked is left out with a note.
    bn = work / "bn.pt"
    torch.save(nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2)).state_dict(), bn)
    r = run(TOOLS / "torch-to-safetensors", bn, work / "bn.safetensors", "-q")
    check("left out '1.num_batches_tracked'" in r.stderr, f"a non-float entry: {r.stderr.strip()}")


def main():
    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory(prefix="typenet-pytorch-") as w:
        work = pathlib.Path(w)
        names_file = work / "names.json"
        names_file.write_text(json.dumps(RENAMES))
        round_trip("lenet5", "lenet5", torch_models.lenet5, work, seed=10)
        round_trip("cifar10", "cifar10", torch_models.Cifar10, work, seed=11, save_whole=True)
        round_trip("cifar10_renamed", "cifar10", Cifar10Renamed, work, seed=12, names_file=names_file)
        errors(work)
    print(f"{passes} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
