"""Model families: the switches that make the one encoder-decoder of
marian.py a MarianMT, M2M100/NLLB, BART or mBART model (docs/semantics.md,
"Model families"), read from config.json's model_type as transformers' modeling
code hard-codes them, and the defaults of each family's config class.
"""

import math
from dataclasses import dataclass

import numpy as np
import torch


@dataclass(frozen=True)
class Architecture:
    pre_norm: bool = False             # x + f(LN(x)) instead of LN(x + f(x))
    final_layer_norm: bool = False     # model.{encoder,decoder}.layer_norm
    layernorm_embedding: bool = False  # model.{encoder,decoder}.layernorm_embedding
    positions: str = "sinusoidal"      # "sinusoidal" (Marian), "offset_sinusoidal", "learned"


ARCHITECTURES = {
    "marian": Architecture(),
    "m2m_100": Architecture(pre_norm=True, final_layer_norm=True, positions="offset_sinusoidal"),
    "bart": Architecture(layernorm_embedding=True, positions="learned"),
    "mbart": Architecture(pre_norm=True, final_layer_norm=True, layernorm_embedding=True,
                          positions="learned"),
}

_SHARED = {"d_model": 1024, "encoder_layers": 12, "decoder_layers": 12,
           "encoder_attention_heads": 16, "decoder_attention_heads": 16,
           "encoder_ffn_dim": 4096, "decoder_ffn_dim": 4096, "max_position_embeddings": 1024,
           "pad_token_id": 1, "eos_token_id": 2, "decoder_start_token_id": 2}
# Config-class defaults that differ from MarianConfig's (absent fields of config.json).
DEFAULTS = {
    "marian": {},
    "m2m_100": dict(_SHARED, vocab_size=128112, activation_function="relu", scale_embedding=True),
    "bart": dict(_SHARED, vocab_size=50265, activation_function="gelu", scale_embedding=False),
    # MBartConfig sets no decoder_start_token_id: generate() starts from bos.
    "mbart": dict(_SHARED, vocab_size=50265, activation_function="gelu", scale_embedding=False,
                  decoder_start_token_id=None),
}
# forced_eos_token_id defaults of the config classes (generation rules).
FORCED_EOS_DEFAULT = {"marian": None, "m2m_100": None, "bart": 2, "mbart": 2,
                      "t5": None, "mt5": None}  # T5 and mT5: tserve_ref/t5.py
# fairseq-converted flags that name the architecture; a value other than the
# family's describes a network the family does not build.
ARCHITECTURE_FLAGS = {"normalize_before": "pre_norm", "add_final_layer_norm": "final_layer_norm",
                      "normalize_embedding": "layernorm_embedding"}


def architecture(model_type):
    if model_type not in ARCHITECTURES:
        raise ValueError(f"unsupported model_type {model_type!r}")
    return ARCHITECTURES[model_type]


def check_flags(model_type, config_dict):
    arch = architecture(model_type)
    for key, attr in ARCHITECTURE_FLAGS.items():
        if key in config_dict and bool(config_dict[key]) != getattr(arch, attr):
            raise ValueError(f"{key}: {config_dict[key]} does not match model_type {model_type!r}")


def offset_sinusoidal_positions(n_pos, dim, pad):
    """fairseq's table as transformers' M2M100 computes it, in float32 (returned as
    float64): sin half, cos half, frequencies exp(-i ln(10000) / (dim/2 - 1)), a zero
    column for odd dim, row `pad` zero."""
    half = dim // 2
    step = math.log(10000) / (half - 1)
    freq = torch.exp(torch.arange(half, dtype=torch.int64).float() * -step)
    angle = torch.arange(n_pos, dtype=torch.int64).float().unsqueeze(1) * freq.unsqueeze(0)
    emb = torch.cat([torch.sin(angle), torch.cos(angle)], dim=1).view(n_pos, -1)
    if dim % 2 == 1:
        emb = torch.cat([emb, torch.zeros(n_pos, 1)], dim=1)
    emb[pad, :] = 0
    return emb.numpy().astype(np.float64)


def position_table_rows(kind, max_positions, pad):
    """(rows of the table, row of position 0)."""
    if kind == "offset_sinusoidal":
        return pad + 1 + max_positions, pad + 1
    if kind == "learned":
        return max_positions + 2, 2
    return max_positions, 0


def position_rows(kind, ids, start, pad):
    """Table rows of ids [B,T], the tokens at positions start.. of their sequences.
    offset_sinusoidal: cumsum of the non-pad mask (plus the `start` tokens before,
    which hold no pad) + pad; pad tokens take row pad."""
    t = ids.shape[1]
    if kind == "offset_sinusoidal":
        mask = (ids != pad).long()
        return (torch.cumsum(mask, dim=1) + start) * mask + pad
    offset = 2 if kind == "learned" else 0
    return (torch.arange(start, start + t, device=ids.device) + offset).unsqueeze(0).expand(ids.shape[0], t)
