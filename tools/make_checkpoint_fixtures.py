"""Writes the small checkpoint files that tests/engine/checkpoint_test.cc reads.

  /usr/bin/python3 tools/make_checkpoint_fixtures.py [--out tests/data/checkpoints] [--check]

Every file is made from fixed values (no randomness), and torch.save writes the
same bytes for the same tensors and file name (its zip records carry no time),
so two runs give identical files; --check regenerates into a temporary
directory and compares. Layout of --out:

  torch/pytorch_model.bin          torch.save of an OrderedDict with a _metadata
                                   attribute (as Module.state_dict() returns):
                                   F32, F16, BF16, a 0-d and a 1-D tensor, three
                                   names viewing one storage (tied embeddings), a
                                   view at a non-zero storage offset, a Parameter,
                                   an int64 buffer
  torch-protocol4/pytorch_model.bin  the same with pickle protocol 4 (FRAME,
                                   SHORT_BINUNICODE, MEMOIZE, STACK_GLOBAL),
                                   written through a buffer (entries under
                                   "archive/")
  torch-sharded/                   two .bin shards and pytorch_model.bin.index.json
  safetensors-sharded/             two safetensors shards and model.safetensors.index.json
  both/                            model.safetensors and pytorch_model.bin with
                                   different values (safetensors must win)
  hostile/pytorch_model.bin        a torch zip whose data.pkl calls posix.system
  big-endian/pytorch_model.bin     the torch/ records with byteorder "big" (torch >= 2.1
                                   records the byte order)
  legacy/pytorch_model.bin         the pre-1.6 (non-zip) torch.save format
  expected.json                    every float tensor of every directory:
                                   dtype, shape and values (as float32)

It also writes the seeds of the fuzz target fuzz_torch_checkpoint under
tests/fuzz/corpus/torch_checkpoint/ (--corpus): the zips above and the raw
data.pkl of the first two.
"""

import argparse
import collections
import filecmp
import io
import json
import os
import pickle
import pickletools
import shutil
import struct
import sys
import tempfile
import zipfile

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tserve_ref import safetensors_io  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, "tests", "data", "checkpoints")
DEFAULT_CORPUS = os.path.join(REPO, "tests", "fuzz", "corpus", "torch_checkpoint")

TIED = ["model.shared.weight", "model.encoder.embed_tokens.weight",
        "model.decoder.embed_tokens.weight"]


def ramp(n, scale=0.25, start=-1.0):
    """start, start + scale, ...: exact in float16 and bfloat16 for small n."""
    return torch.arange(n, dtype=torch.float32) * scale + start


def state_dict(offset=0.0):
    """The tensors of the main fixture; `offset` shifts every float value."""
    sd = collections.OrderedDict()
    shared = (ramp(20) + offset).reshape(5, 4)
    for name in TIED:
        sd[name] = shared
    sd["layer.half.weight"] = (ramp(6, 0.5) + offset).reshape(2, 3).half()
    sd["layer.bf16.weight"] = (ramp(6, 0.5, 2.0) + offset).reshape(3, 2).bfloat16()
    # A view into the middle of a longer storage: saved as the whole storage
    # with storage_offset 4.
    sd["layer.offset.bias"] = (ramp(10, 1.0) + offset)[4:7]
    sd["layer.scalar"] = torch.tensor(2.5 + offset)
    sd["layer.vector"] = ramp(3, 2.0) + offset
    sd["layer.param"] = torch.nn.Parameter(ramp(4, 0.125) + offset, requires_grad=False)
    sd["embeddings.position_ids"] = torch.arange(4, dtype=torch.int64).reshape(1, 4)
    # Module.state_dict() sets this attribute; pickle writes it with BUILD.
    sd._metadata = collections.OrderedDict([("", {"version": 1}), ("layer", {"version": 2})])
    return sd


def save_torch(obj, path, protocol=2, via_buffer=False):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if via_buffer:
        buf = io.BytesIO()
        torch.save(obj, buf, pickle_protocol=protocol)
        with open(path, "wb") as f:
            f.write(buf.getvalue())
    else:
        torch.save(obj, path, pickle_protocol=protocol)


def expected_values(tensors):
    out = {}
    for name, t in tensors.items():
        if not t.dtype.is_floating_point:
            continue
        dtype = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}[t.dtype]
        out[name] = {"dtype": dtype, "shape": list(t.shape),
                     "values": [float(v) for v in t.detach().float().reshape(-1).tolist()]}
    return out


class _RunsCommand:
    """Pickles as a call of os.system: what a hostile checkpoint carries."""

    def __reduce__(self):
        return (os.system, ("echo pwned",))


def write_torch_records(path, records):
    """A zip in torch's own layout (entries under the file's base name)."""
    writer = torch._C.PyTorchFileWriter(path)
    for name, data in records:
        writer.write_record(name, data, len(data))
    writer.write_end_of_file()


def make_all(out):
    os.makedirs(out, exist_ok=True)
    expected = {}

    sd = state_dict()
    save_torch(sd, os.path.join(out, "torch", "pytorch_model.bin"))
    save_torch(sd, os.path.join(out, "torch-protocol4", "pytorch_model.bin"), protocol=4,
               via_buffer=True)
    expected["torch"] = expected_values(sd)
    expected["torch-protocol4"] = expected_values(sd)

    names = [n for n in sd if n not in TIED]
    shard_files = ["pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin"]
    parts = [collections.OrderedDict((n, sd[n]) for n in TIED + names[:3]),
             collections.OrderedDict((n, sd[n]) for n in names[3:])]
    weight_map = {}
    for file, part in zip(shard_files, parts):
        save_torch(part, os.path.join(out, "torch-sharded", file))
        weight_map.update({n: file for n in part})
    write_index(os.path.join(out, "torch-sharded", "pytorch_model.bin.index.json"), weight_map)
    expected["torch-sharded"] = expected_values(sd)

    floats = {n: t for n, t in sd.items() if t.dtype.is_floating_point}
    dtypes = {n: {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}[t.dtype]
              for n, t in floats.items()}
    shard_files = ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"]
    float_names = list(floats)
    groups = [float_names[:4], float_names[4:]]
    weight_map = {}
    os.makedirs(os.path.join(out, "safetensors-sharded"), exist_ok=True)
    for file, group in zip(shard_files, groups):
        safetensors_io.save_file({n: floats[n] for n in group},
                                 os.path.join(out, "safetensors-sharded", file),
                                 dtype={n: dtypes[n] for n in group}, metadata={"format": "pt"})
        weight_map.update({n: file for n in group})
    write_index(os.path.join(out, "safetensors-sharded", "model.safetensors.index.json"),
                weight_map)
    expected["safetensors-sharded"] = expected_values(floats)

    # Both layouts in one directory, with different values: safetensors wins.
    newer = state_dict(offset=100.0)
    newer_floats = {n: t for n, t in newer.items() if t.dtype.is_floating_point}
    os.makedirs(os.path.join(out, "both"), exist_ok=True)
    safetensors_io.save_file(newer_floats, os.path.join(out, "both", "model.safetensors"),
                             dtype=dtypes)
    save_torch(sd, os.path.join(out, "both", "pytorch_model.bin"))
    expected["both"] = expected_values(newer_floats)

    os.makedirs(os.path.join(out, "hostile"), exist_ok=True)
    write_torch_records(os.path.join(out, "hostile", "pytorch_model.bin"),
                        [("data.pkl", pickle.dumps({"w": _RunsCommand()}, protocol=2)),
                         ("version", b"3\n")])

    # torch >= 2.1 writes a byteorder record; a big-endian one must be refused.
    os.makedirs(os.path.join(out, "big-endian"), exist_ok=True)
    with zipfile.ZipFile(os.path.join(out, "torch", "pytorch_model.bin")) as z:
        records = [(n.split("/", 1)[1], z.read(n)) for n in z.namelist()]
    write_torch_records(os.path.join(out, "big-endian", "pytorch_model.bin"),
                        records + [("byteorder", b"big")])

    os.makedirs(os.path.join(out, "legacy"), exist_ok=True)
    with open(os.path.join(out, "legacy", "pytorch_model.bin"), "wb") as f:
        f.write(legacy_bytes({"w": ramp(2)}))

    with open(os.path.join(out, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")


def legacy_bytes(obj):
    """torch.save's pre-1.6 format, with its storage keys (memory addresses,
    different at every run) renamed "0", "1", ... so that the bytes do not vary."""
    buf = io.BytesIO()
    torch.save(obj, buf, _use_new_zipfile_serialization=False)
    data = buf.getvalue()
    # The file is five pickles (magic number, protocol, system info, the object
    # with persistent ids, the list of storage keys), then the storages' bytes.
    # The pickles are walked, never run.
    reader = io.BytesIO(data)
    bounds = [0]
    for _ in range(5):
        for _ in pickletools.genops(reader):
            pass
        bounds.append(reader.tell())
    keys_pickle = data[bounds[4]:bounds[5]]
    keys = [arg for op, arg, _ in pickletools.genops(keys_pickle) if op.name == "BINUNICODE"]
    renamed = {key: str(i) for i, key in enumerate(keys)}
    out = data[:bounds[3]]
    for begin, end in ((bounds[3], bounds[4]), (bounds[4], bounds[5])):
        out += _rename_strings(data[begin:end], renamed)
    return out + data[bounds[5]:]


def _rename_strings(pickled, renamed):
    """Re-encodes the BINUNICODE strings of `pickled` found in `renamed`."""
    ops = list(pickletools.genops(pickled))
    out = b""
    for i, (op, arg, pos) in enumerate(ops):
        end = ops[i + 1][2] if i + 1 < len(ops) else len(pickled)
        if op.name == "BINUNICODE" and arg in renamed:
            new = renamed[arg].encode()
            out += b"X" + struct.pack("<I", len(new)) + new
        else:
            out += pickled[pos:end]
    return out


def write_index(path, weight_map):
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"metadata": {"total_size": 0}, "weight_map": dict(sorted(weight_map.items()))},
                  f, indent=2)
        f.write("\n")


def make_corpus(fixtures, corpus):
    if os.path.isdir(corpus):
        shutil.rmtree(corpus)
    os.makedirs(corpus)
    for name in ["torch", "torch-protocol4", "hostile", "legacy"]:
        shutil.copyfile(os.path.join(fixtures, name, "pytorch_model.bin"),
                        os.path.join(corpus, name + ".bin"))
    shutil.copyfile(os.path.join(fixtures, "torch-sharded", "pytorch_model-00002-of-00002.bin"),
                    os.path.join(corpus, "shard.bin"))
    for name in ["torch", "torch-protocol4"]:
        with zipfile.ZipFile(os.path.join(fixtures, name, "pytorch_model.bin")) as z:
            pkl = [n for n in z.namelist() if n.endswith("/data.pkl")][0]
            with open(os.path.join(corpus, name + ".pkl"), "wb") as f:
                f.write(z.read(pkl))


def compare_trees(a, b):
    diffs = []
    files = {}
    for root in (a, b):
        found = set()
        for dirpath, _, names in os.walk(root):
            found.update(os.path.relpath(os.path.join(dirpath, n), root) for n in names)
        files[root] = found
    for rel in sorted(files[a] | files[b]):
        if rel not in files[a] or rel not in files[b]:
            diffs.append(rel + " (missing on one side)")
        elif not filecmp.cmp(os.path.join(a, rel), os.path.join(b, rel), shallow=False):
            diffs.append(rel)
    return diffs


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=DEFAULT_OUT)
    ap.add_argument("--corpus", default=DEFAULT_CORPUS)
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temporary directory and compare with --out and --corpus")
    args = ap.parse_args()
    if args.check:
        with tempfile.TemporaryDirectory(prefix="tserve-checkpoints-") as tmp:
            out, corpus = os.path.join(tmp, "checkpoints"), os.path.join(tmp, "corpus")
            make_all(out)
            make_corpus(out, corpus)
            diffs = compare_trees(out, args.out) + compare_trees(corpus, args.corpus)
        if diffs:
            print("checkpoint fixtures differ from a fresh generation:\n  " + "\n  ".join(diffs))
            return 1
        print("checkpoint fixtures identical to a fresh generation")
        return 0
    make_all(args.out)
    make_corpus(args.out, args.corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
