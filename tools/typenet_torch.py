"""PyTorch <-> typenet weight files: the logic of tools/torch-to-safetensors and tools/safetensors-to-torch.

typenet's weight files (include/typenet/io/weights.hpp) hold a model's tensors under PyTorch's
names and in PyTorch's layouts (conv OIHW, Linear [out, in], a flatten in C, H, W order), so a
state_dict goes across unchanged but for its names:
  - an unnamed typenet layer is its index in an nn.Sequential of the same layers ("0.weight",
    "3.bias"): an nn.Sequential that matches the typenet type one for one needs no renaming;
  - a named typenet layer (name<"conv1">) is its name: a module whose attributes carry the same
    names (tools/torch_models.py's Cifar10) needs none either;
  - anything else maps module prefixes: rename = {"features.0": "conv1"} (PyTorch -> typenet).
The same map is given both ways: export() applies it, to_state_dict() and load_into() reverse it.

    import typenet_torch as tt
    tt.export("lenet5.pt", "lenet5.safetensors")             # a torch.save file: state_dict or module
    tt.export(module.state_dict(), "m.safetensors", rename={"features.0": "conv1"}, dtype="bf16")
    tt.load_into(module, "trained.safetensors")               # load_state_dict(strict=True)
"""

import collections
import json
import pathlib

import numpy as np

import typenet_safetensors

DTYPES = ("f32", "f16", "bf16", "f64")
_NUMPY = {"f32": np.float32, "f16": np.float16, "bf16": np.float32, "f64": np.float64}


class Error(Exception):
    """A problem with the input that the user can fix; the message says what and how."""


# ---- names ----------------------------------------------------------------------------------

def parse_renames(items):
    """["features.0=conv1", ...] (the command line's --rename) -> {"features.0": "conv1"}."""
    out = {}
    for item in items or ():
        src, eq, dst = item.partition("=")
        src, dst = src.strip(), dst.strip()
        if not eq or not src or not dst:
            raise Error(f"--rename {item!r}: expected FROM=TO, module prefixes such as features.0=conv1")
        if src in out and out[src] != dst:
            raise Error(f"--rename: {src!r} is renamed twice ({out[src]!r} and {dst!r})")
        out[src] = dst
    return out


def read_names(path):
    """A --names file: a JSON object {PyTorch module prefix: typenet name}."""
    try:
        text = pathlib.Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise Error(f"--names {path}: cannot read it ({e.strerror})") from None
    try:
        names = json.loads(text)
    except json.JSONDecodeError as e:
        raise Error(f"--names {path}: not JSON ({e})") from None
    if not isinstance(names, dict) or not all(isinstance(k, str) and isinstance(v, str) and k and v
                                              for k, v in names.items()):
        raise Error(f'--names {path}: expected a JSON object of strings, e.g. {{"features.0": "conv1"}}')
    return names


def merge_renames(rename=None, names=None):
    """One map from --rename and --names; the same prefix may not map to two names."""
    out = dict(names or {})
    for src, dst in (rename or {}).items():
        if src in out and out[src] != dst:
            raise Error(f"{src!r} is renamed twice ({out[src]!r} and {dst!r})")
        out[src] = dst
    return out


def _apply(name, mapping):
    """name with its longest matching module prefix (whole dot-separated components) replaced."""
    parts = name.split(".")
    for k in range(len(parts), 0, -1):
        head = ".".join(parts[:k])
        if head in mapping:
            return ".".join([mapping[head]] + parts[k:]), head
    return name, None


def rename_all(names, mapping, direction):
    """{old: new} for every name; errors for a prefix that matches nothing (a typo) and for two
    names that would become one. direction ("PyTorch" or "typenet") names the side `names` is from."""
    out, used = {}, set()
    for n in names:
        out[n], head = _apply(n, mapping)
        if head is not None:
            used.add(head)
    unused = sorted(set(mapping) - used)
    if unused:
        raise Error(f"rename: no {direction} tensor starts with {', '.join(repr(u) for u in unused)}; "
                    f"the {direction} names are: {', '.join(names)}")
    seen = {}
    for old, new in out.items():
        if new in seen:
            raise Error(f"rename: {seen[new]!r} and {old!r} would both become {new!r}")
        seen[new] = old
    return out


def reverse(mapping):
    """{PyTorch: typenet} -> {typenet: PyTorch}; two PyTorch prefixes may not share a typenet name."""
    out = {}
    for src, dst in mapping.items():
        if dst in out:
            raise Error(f"rename: {out[dst]!r} and {src!r} both map to {dst!r}; the reverse is ambiguous")
        out[dst] = src
    return out


# ---- PyTorch -> typenet ---------------------------------------------------------------------

def load_torch(source):
    """A state_dict from a torch.save file (a state_dict, a whole nn.Module, or a checkpoint dict
    holding one under "state_dict" / "model_state_dict"), an nn.Module, or a state_dict itself."""
    import torch
    obj = source
    if isinstance(source, (str, pathlib.Path)):
        path = pathlib.Path(source)
        if not path.is_file():
            raise Error(f"{path}: no such file")
        try:
            obj = torch.load(path, map_location="cpu")
        except (AttributeError, ModuleNotFoundError) as e:
            raise Error(f"{path}: holds a pickled module whose class cannot be found ({e}); import its module "
                        f"first, or save model.state_dict() instead of the model") from None
        except Exception as e:  # torch.load raises pickle, zip and runtime errors for a file it cannot read
            raise Error(f"{path}: not a file torch.save wrote ({type(e).__name__}: {e})") from None
    if isinstance(obj, torch.nn.Module):
        return obj.state_dict()
    if isinstance(obj, dict) and not all(isinstance(v, torch.Tensor) for v in obj.values()):
        for key in ("state_dict", "model_state_dict", "model"):
            if key in obj:
                return load_torch(obj[key])
        raise Error(f"{source}: a dict that is not a state_dict (its values are not all tensors) and holds no "
                    f"'state_dict' or 'model_state_dict'; its keys: {', '.join(map(str, list(obj)[:10]))}")
    if not isinstance(obj, dict):
        raise Error(f"{source}: holds a {type(obj).__name__}, not a state_dict or an nn.Module")
    return obj


def to_tensors(state_dict, rename=None, dtype="f32", notes=None):
    """{typenet name: numpy array} from a state_dict. Entries that are not floating point
    (BatchNorm's num_batches_tracked) are left out, each with a line in `notes` (a list)."""
    import torch
    if dtype not in DTYPES:
        raise Error(f"--dtype {dtype}: expected one of {', '.join(DTYPES)}")
    keep = collections.OrderedDict()
    for name, t in state_dict.items():
        if not isinstance(t, torch.Tensor):
            raise Error(f"entry {name!r} is a {type(t).__name__}, not a tensor")
        if not t.is_floating_point():
            if notes is not None:
                notes.append(f"left out {name!r}: {str(t.dtype).replace('torch.', '')}, not floating point "
                             f"(typenet's files hold parameters only)")
            continue
        keep[name] = t
    if not keep:
        raise Error("no floating-point tensors to export")
    names = rename_all(list(keep), rename or {}, "PyTorch")
    out = collections.OrderedDict()
    for name, t in keep.items():
        array = t.detach().to("cpu", torch.float64).numpy()
        if not np.all(np.isfinite(array)):
            raise Error(f"tensor {name!r} holds values that are not finite; typenet would refuse the file")
        converted = array.astype(_NUMPY[dtype])
        if dtype == "f16" and not np.all(np.isfinite(converted)):
            raise Error(f"tensor {name!r} overflows float16 (largest magnitude {np.abs(array).max():g}); use f32 or bf16")
        out[names[name]] = converted
    return out


def export(source, path, rename=None, dtype="f32", metadata=None, notes=None):
    """Writes the state_dict of `source` (see load_torch) to the safetensors file `path`;
    returns {typenet name: shape}."""
    import torch
    tensors = to_tensors(load_torch(source), rename, dtype, notes)
    meta = {"format": "pt", "typenet.written_by": "tools/torch-to-safetensors", "torch.version": torch.__version__}
    meta.update(metadata or {})
    typenet_safetensors.save(path, tensors, meta, bf16=tuple(tensors) if dtype == "bf16" else ())
    return {n: list(a.shape) for n, a in tensors.items()}


# ---- typenet -> PyTorch ---------------------------------------------------------------------

def _bf16_names(path):
    """The names of a file's BF16 tensors (typenet_safetensors.load gives them as float32)."""
    import struct
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n).decode("utf-8"))
    return {k for k, v in header.items() if k != "__metadata__" and v.get("dtype") == "BF16"}


def to_state_dict(path, rename=None, dtype=None):
    """A state_dict (an OrderedDict of torch tensors under PyTorch's names) from a typenet weight file.
    rename is the PyTorch -> typenet map as export() takes it; here it is applied in reverse.
    dtype: None keeps each tensor's type, else one of DTYPES."""
    import torch
    path = pathlib.Path(path)
    if not path.is_file():
        raise Error(f"{path}: no such file")
    if dtype is not None and dtype not in DTYPES:
        raise Error(f"--dtype {dtype}: expected one of {', '.join(DTYPES)}")
    try:
        tensors, _ = typenet_safetensors.load(path)
        bf16 = _bf16_names(path)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as e:
        raise Error(f"{path}: not a safetensors file ({type(e).__name__}: {e})") from None
    names = rename_all(list(tensors), reverse(rename or {}), "typenet")
    torch_dtype = {"f32": torch.float32, "f16": torch.float16, "bf16": torch.bfloat16, "f64": torch.float64}
    out = collections.OrderedDict()
    for name, array in tensors.items():
        t = torch.from_numpy(np.array(array))
        if dtype is not None:
            t = t.to(torch_dtype[dtype])
        elif name in bf16:
            t = t.to(torch.bfloat16)
        out[names[name]] = t
    return out


def load_into(module, path, rename=None):
    """Loads a typenet weight file into `module` with load_state_dict(strict=True): every
    parameter and buffer of the module must be in the file and nothing else. Returns the module."""
    state = to_state_dict(path, rename)
    expected = module.state_dict()
    # Buffers that are not floating point (num_batches_tracked) are never in typenet's files: keep the module's.
    for name, t in expected.items():
        if name not in state and not t.is_floating_point():
            state[name] = t
    try:
        module.load_state_dict(state, strict=True)
    except RuntimeError as e:
        raise Error(f"{path}: does not fit the module: {e}") from None
    return module


def save_state_dict(path_in, path_out, rename=None, dtype=None):
    """torch.save of to_state_dict(path_in): returns {PyTorch name: shape}."""
    import torch
    state = to_state_dict(path_in, rename, dtype)
    torch.save(state, path_out)
    return {n: list(t.shape) for n, t in state.items()}
