"""The safetensors format, read and written with numpy alone (Debian has no python3-safetensors).

A file is an 8-byte little-endian header length, a JSON header (each tensor's
dtype, shape and data_offsets, and an optional "__metadata__" of strings), then
the tensors' bytes. typenet's C++ reader is include/typenet/io/safetensors.hpp.

    from typenet_safetensors import load, save
    tensors, metadata = load("lenet5.safetensors")   # {name: numpy array}, {str: str}
    save("out.safetensors", {"0.weight": array}, {"format": "pt"})
"""

import json
import struct

import numpy as np

_DTYPES = {
    "F64": np.dtype("<f8"), "F32": np.dtype("<f4"), "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"), "I32": np.dtype("<i4"), "I16": np.dtype("<i2"), "I8": np.dtype("i1"),
    "U64": np.dtype("<u8"), "U32": np.dtype("<u4"), "U16": np.dtype("<u2"), "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}


def _name_of(dtype):
    for name, d in _DTYPES.items():
        if d == dtype.newbyteorder("<") or d == dtype:
            return name
    raise ValueError(f"safetensors: no dtype for numpy {dtype}")


def loads(data):
    """Tensors (numpy arrays; BF16 as float32) and metadata from a file's bytes."""
    if len(data) < 8:
        raise ValueError("safetensors: shorter than 8 bytes")
    (n,) = struct.unpack("<Q", data[:8])
    if n > len(data) - 8:
        raise ValueError(f"safetensors: header length {n} beyond the file")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    body = memoryview(data)[8 + n:]
    metadata = header.pop("__metadata__", {}) or {}
    tensors = {}
    for name, desc in header.items():
        begin, end = desc["data_offsets"]
        raw = body[begin:end]
        if desc["dtype"] == "BF16":
            bits = np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16
            array = bits.view(np.float32)
        else:
            array = np.frombuffer(raw, dtype=_DTYPES[desc["dtype"]]).copy()
        tensors[name] = array.reshape(desc["shape"])
    return tensors, metadata


def load(path):
    with open(path, "rb") as f:
        return loads(f.read())


def dumps(tensors, metadata=None, bf16=()):
    """A file's bytes: `tensors` ({name: numpy array}) in the order given, contiguous, the
    data 8-byte aligned. Names in `bf16` are written as BF16 (from float32, rounding to nearest even)."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    chunks, at = [], 0
    for name, array in tensors.items():
        array = np.ascontiguousarray(array)
        if name in bf16:
            bits = array.astype(np.float32).view(np.uint32)
            rounded = ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype("<u2")
            raw, dtype = rounded.tobytes(), "BF16"
        else:
            dtype = _name_of(array.dtype)
            raw = array.astype(_DTYPES[dtype]).tobytes()
        header[name] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [at, at + len(raw)]}
        chunks.append(raw)
        at += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def save(path, tensors, metadata=None, bf16=()):
    with open(path, "wb") as f:
        f.write(dumps(tensors, metadata, bf16))
