"""Minimal reader/writer for the safetensors format.

Layout: 8-byte little-endian header length N, N bytes of JSON header, then the
raw little-endian tensor data. The writer is deterministic: the header is JSON
with sorted keys and compact separators, padded with spaces so that the data
starts on an 8-byte boundary, and the tensors are laid out in sorted-name order
(grouped by element size, largest first, so that every tensor stays aligned when
a file mixes dtypes; for single-dtype files this is plain sorted-name order).
"""

import json
import struct

import numpy as np

# safetensors dtype name -> (numpy dtype used for storage, element size)
_DTYPES = {
    "F64": (np.dtype("<f8"), 8),
    "F32": (np.dtype("<f4"), 4),
    "F16": (np.dtype("<f2"), 2),
    "BF16": (np.dtype("<u2"), 2),  # raw bits
    "I64": (np.dtype("<i8"), 8),
    "I32": (np.dtype("<i4"), 4),
    "I16": (np.dtype("<i2"), 2),
    "I8": (np.dtype("i1"), 1),
    "U8": (np.dtype("u1"), 1),
    "BOOL": (np.dtype("?"), 1),
}


def float32_to_bf16_bits(a):
    """Rounds float32 values to bfloat16 (round to nearest, ties to even).

    Returns the raw 16-bit patterns as uint16. NaN stays NaN.
    """
    a = np.ascontiguousarray(a, dtype=np.float32)
    bits = a.view(np.uint32).astype(np.uint64)
    rounding = ((bits >> 16) & 1) + 0x7FFF
    out = ((bits + rounding) >> 16).astype(np.uint16)
    nan = np.isnan(a)
    if nan.any():
        out[nan] = 0x7FC0
    return out


def bf16_bits_to_float32(b):
    b = np.ascontiguousarray(b, dtype=np.uint16)
    return (b.astype(np.uint32) << 16).view(np.float32)


def _to_storage(array, dtype):
    """Converts a float/int array to the storage representation of `dtype`."""
    if dtype == "BF16":
        return float32_to_bf16_bits(np.asarray(array, dtype=np.float32))
    np_dtype, _ = _DTYPES[dtype]
    return np.ascontiguousarray(np.asarray(array).astype(np_dtype))


def save_file(tensors, path, dtype=None, metadata=None):
    """Writes `tensors` (name -> numpy array or torch tensor) to `path`.

    `dtype`: a safetensors dtype name applied to every tensor ("F32", "F16",
    "BF16"), or a dict name -> dtype name, or None (float arrays are stored as
    F32, integer arrays keep their type). Float conversions go through float32
    except when F64 is asked for.
    """
    items = []
    for name in tensors:
        t = tensors[name]
        if hasattr(t, "detach"):  # torch tensor
            t = t.detach().cpu()
            if str(t.dtype) == "torch.bfloat16":
                t = t.float()
            t = t.numpy()
        a = np.asarray(t)
        if isinstance(dtype, dict):
            dt = dtype.get(name)
        else:
            dt = dtype
        if dt is None:
            if a.dtype.kind == "f":
                dt = "F32"
            elif a.dtype == np.int64:
                dt = "I64"
            elif a.dtype == np.int32:
                dt = "I32"
            elif a.dtype == np.bool_:
                dt = "BOOL"
            else:
                raise ValueError(f"unsupported array dtype {a.dtype} for {name}")
        if dt in ("F32", "F16", "BF16") and a.dtype.kind == "f" and a.dtype != np.float32:
            a = a.astype(np.float32)
        stored = _to_storage(a, dt)
        items.append((name, dt, list(a.shape), stored.tobytes()))

    items.sort(key=lambda it: (-_DTYPES[it[1]][1], it[0]))
    header = {}
    offset = 0
    for name, dt, shape, data in items:
        header[name] = {"data_offsets": [offset, offset + len(data)], "dtype": dt, "shape": shape}
        offset += len(data)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    hjson = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    pad = (-len(hjson)) % 8
    hjson += b" " * pad
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for _, _, _, data in items:
            f.write(data)


def read_header(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n).decode("utf-8"))
    return header, 8 + n


def load_file(path, as_float32=True):
    """Reads every tensor of a safetensors file.

    Returns (tensors, dtypes, metadata): name -> numpy array (floating types are
    converted to float32 when `as_float32`, BF16 always decoded), name -> the
    stored dtype name, and the `__metadata__` dict (or {}).
    """
    header, data_start = read_header(path)
    with open(path, "rb") as f:
        f.seek(data_start)
        buf = f.read()
    metadata = header.pop("__metadata__", {}) or {}
    tensors, dtypes = {}, {}
    for name in sorted(header):
        info = header[name]
        dt = info["dtype"]
        if dt not in _DTYPES:
            raise ValueError(f"{path}: unsupported dtype {dt} for {name}")
        np_dtype, size = _DTYPES[dt]
        begin, end = info["data_offsets"]
        shape = tuple(info["shape"])
        count = int(np.prod(shape)) if shape else 1
        if end - begin != count * size:
            raise ValueError(f"{path}: bad data_offsets for {name}")
        a = np.frombuffer(buf, dtype=np_dtype, count=count, offset=begin).reshape(shape)
        if dt == "BF16":
            a = bf16_bits_to_float32(a).reshape(shape)
        elif as_float32 and dt in ("F16", "F64"):
            a = a.astype(np.float32)
        else:
            a = a.copy()
        tensors[name] = a
        dtypes[name] = dt
    return tensors, dtypes, metadata
