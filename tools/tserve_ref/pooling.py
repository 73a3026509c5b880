"""Pooled encoder states (the Encode RPC), per docs/semantics.md.

`token`: the final encoder states of every input position (eos included);
`mean`: their mean over the real positions (padding excluded);
`first`: the state of position 0; `normalize`: divide by the L2 norm
(unchanged when the norm is 0).
"""

import torch

from .decoding import _grad_context, pad_batch


def encode_pooled(model, sources, pooling="mean", normalize=False):
    """Pooled encoder states per docs/semantics.md. Returns a list of float
    tensors in the model dtype: [len, d] for `token`, [d] for `mean`/`first`."""
    if pooling not in ("token", "mean", "first"):
        raise ValueError(f"unknown pooling {pooling!r}")
    cfg = model.config
    out = []
    with _grad_context():
        ids, mask = pad_batch(sources, cfg.pad_token_id, model.device)
        enc = model.encode(ids, mask)
        for i, s in enumerate(sources):
            states = enc[i, :len(s)].float() if enc.dtype == torch.bfloat16 else enc[i, :len(s)]
            if pooling == "token":
                v = states
            elif pooling == "mean":
                v = states.sum(dim=0) / len(s)
            else:
                v = states[0]
            if normalize:
                norm = torch.linalg.vector_norm(v, dim=-1, keepdim=True)
                v = torch.where(norm > 0, v / torch.where(norm > 0, norm, torch.ones_like(norm)), v)
            out.append(v)
    return out
