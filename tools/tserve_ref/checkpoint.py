"""The weights of a Hugging Face model directory, in any published layout.

`model.safetensors`, else sharded safetensors (`model.safetensors.index.json`),
else `pytorch_model.bin`, else sharded `.bin` (`pytorch_model.bin.index.json`);
safetensors wins when a directory has both. Also writes the `.bin` and sharded
layouts, as transformers writes them, for the test models.
"""

import json
import os

import numpy as np
import torch

from . import safetensors_io

SAFETENSORS = "model.safetensors"
SAFETENSORS_INDEX = "model.safetensors.index.json"
TORCH_BIN = "pytorch_model.bin"
TORCH_BIN_INDEX = "pytorch_model.bin.index.json"


def _load_bin(path):
    state = torch.load(path, map_location="cpu", weights_only=True)
    return {k: v.detach().float().numpy() for k, v in state.items()}


def _load_shards(model_dir, index_name, load_one):
    with open(os.path.join(model_dir, index_name), encoding="utf-8") as f:
        weight_map = json.load(f)["weight_map"]
    out = {}
    for shard in sorted(set(weight_map.values())):
        tensors = load_one(os.path.join(model_dir, shard))
        for name, file in weight_map.items():
            if file == shard:
                out[name] = tensors[name]
    return out


def load_tensors(model_dir):
    """name -> float32 numpy array."""
    if os.path.exists(os.path.join(model_dir, SAFETENSORS)):
        return safetensors_io.load_file(os.path.join(model_dir, SAFETENSORS))[0]
    if os.path.exists(os.path.join(model_dir, SAFETENSORS_INDEX)):
        return _load_shards(model_dir, SAFETENSORS_INDEX, lambda p: safetensors_io.load_file(p)[0])
    if os.path.exists(os.path.join(model_dir, TORCH_BIN)):
        return _load_bin(os.path.join(model_dir, TORCH_BIN))
    if os.path.exists(os.path.join(model_dir, TORCH_BIN_INDEX)):
        return _load_shards(model_dir, TORCH_BIN_INDEX, _load_bin)
    raise FileNotFoundError(f"{model_dir}: no {SAFETENSORS}, {SAFETENSORS_INDEX}, {TORCH_BIN} "
                            f"or {TORCH_BIN_INDEX}")


_TORCH_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def torch_state_dict(tensors, dtype, tie_groups=()):
    """A state dict of torch tensors in `dtype`. Each group of `tie_groups` (a
    list of names, the first one present in `tensors`) becomes views of one
    storage, as transformers' tied weights are when torch.save writes them."""
    state = {}
    for name, value in tensors.items():
        # Through float32, as the safetensors writer converts: the same stored values.
        state[name] = torch.from_numpy(np.ascontiguousarray(value, dtype=np.float32)).to(
            _TORCH_DTYPES[dtype])
    for group in tie_groups:
        owner = state[group[0]]
        for name in group[1:]:
            state[name] = owner
    return state


def save_bin(state, path):
    with open(path, "wb") as f:
        torch.save(state, f)


def shard_names(count, ext):
    base = "model" if ext == "safetensors" else "pytorch_model"
    return [f"{base}-{i + 1:05d}-of-{count:05d}.{ext}" for i in range(count)]


def write_index(path, weight_map, total_size):
    with open(path, "w", encoding="utf-8") as f:
        json.dump({"metadata": {"total_size": total_size}, "weight_map": weight_map}, f, indent=2,
                  sort_keys=True)
        f.write("\n")
