"""Training checkpoints: written atomically, so that a kill, a crash or a full
disk in the middle of a write never leaves a broken file where the previous
good one was."""

import os
import random

import numpy as np
import torch


def save(state, path):
    """torch.save to a temporary file in the same folder, fsync, then rename."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.tmp.{os.getpid()}"
    with open(tmp, "wb") as f:
        torch.save(state, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load(path):
    return torch.load(path, map_location="cpu")


def rng_state():
    """Every random stream training draws from (dropout, data order helpers)."""
    return {"torch": torch.get_rng_state(), "python": random.getstate(),
            "numpy": np.random.get_state()}


def set_rng_state(state):
    torch.set_rng_state(state["torch"])
    random.setstate(state["python"])
    np.random.set_state(state["numpy"])
