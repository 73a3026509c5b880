"""The sentence-transformers pipeline of a model directory (sentence-t5, gtr-t5 ...):
`modules.json` lists the modules, run in `idx` order on a padded batch.

- Transformer (path "" : the directory itself): the model's encoder (t5.py; any
  model_type load_model accepts) gives the token embeddings, the final encoder
  states; `sentence_bert_config.json` gives max_seq_length (inputs are truncated to it,
  </s> included) and do_lower_case.
- Pooling (`1_Pooling/config.json`): pooling_mode_cls_token (state of position 0),
  pooling_mode_max_tokens (element-wise maximum over the real tokens),
  pooling_mode_mean_tokens (sum over the real tokens / their number),
  pooling_mode_mean_sqrt_len_tokens (sum / sqrt(number)); several are concatenated in
  that order, as sentence-transformers does. weightedmean and lasttoken are refused.
- Dense (`2_Dense/config.json`: in_features, out_features, bias, activation_function
  torch.nn.modules.linear.Identity or torch.nn.modules.activation.Tanh): act(x W^T + b)
  with `linear.weight` [out, in] (and `linear.bias`) from the module's model.safetensors
  or pytorch_model.bin.
- Normalize: x / max(||x||_2, 1e-12) (torch.nn.functional.normalize); the module has no
  files (sentence-t5-base has no 3_Normalize directory).

Everything runs in the model's dtype (float64 for golden data).
"""

import json
import os

import numpy as np
import torch
import torch.nn.functional as F

from . import safetensors_io

MODULE_PREFIXES = ("sentence_transformers.models.",)
ACTIVATIONS = {
    "torch.nn.modules.linear.Identity": lambda x: x,
    "torch.nn.modules.activation.Tanh": torch.tanh,
}
POOLING_ORDER = ("pooling_mode_cls_token", "pooling_mode_max_tokens", "pooling_mode_mean_tokens",
                 "pooling_mode_mean_sqrt_len_tokens")
POOLING_REFUSED = ("pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken")


def _read_json(path, default=None):
    if not os.path.exists(path):
        if default is not None:
            return default
        raise FileNotFoundError(path)
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def module_kind(type_name):
    """The class name of a modules.json `type` (Transformer, Pooling, Dense, Normalize)."""
    for prefix in MODULE_PREFIXES:
        if type_name.startswith(prefix):
            return type_name[len(prefix):]
    raise ValueError(f"unsupported sentence-transformers module {type_name!r}")


class TransformerModule:
    def __init__(self, model_dir, path, dtype):
        from .t5 import T5ForConditionalGeneration, is_t5, load_model
        root = os.path.join(model_dir, path)
        if is_t5(root):
            self.model = T5ForConditionalGeneration.from_pretrained(root, dtype=dtype, encoder_only=True)
        else:
            self.model = load_model(root, dtype=dtype)
        self.model.eval()
        cfg = _read_json(os.path.join(root, "sentence_bert_config.json"), default={})
        self.max_seq_length = cfg.get("max_seq_length")
        self.do_lower_case = bool(cfg.get("do_lower_case", False))

    def __call__(self, ids, mask):
        return self.model.encode(ids, mask)


class PoolingModule:
    def __init__(self, directory, d_model):
        cfg = _read_json(os.path.join(directory, "config.json"))
        for key in POOLING_REFUSED:
            if cfg.get(key):
                raise ValueError(f"{key} is not supported")
        self.modes = [key for key in POOLING_ORDER if cfg.get(key)]
        if not self.modes:
            raise ValueError("the Pooling module selects no pooling mode")
        dim = cfg.get("word_embedding_dimension", d_model)
        if dim != d_model:
            raise ValueError(f"word_embedding_dimension {dim} differs from d_model {d_model}")

    def __call__(self, states, mask):
        m = mask.to(states.dtype).unsqueeze(-1)  # [B,S,1]
        counts = m.sum(dim=1)                    # [B,1]
        out = []
        for mode in self.modes:
            if mode == "pooling_mode_cls_token":
                out.append(states[:, 0])
            elif mode == "pooling_mode_max_tokens":
                out.append(states.masked_fill(m == 0, -1e9).max(dim=1).values)
            elif mode == "pooling_mode_mean_tokens":
                out.append((states * m).sum(dim=1) / torch.clamp(counts, min=1e-9))
            else:
                out.append((states * m).sum(dim=1) / torch.sqrt(counts))
        return torch.cat(out, dim=-1)


class DenseModule:
    def __init__(self, directory, dtype):
        cfg = _read_json(os.path.join(directory, "config.json"))
        act = cfg.get("activation_function", "torch.nn.modules.activation.Tanh")
        if act not in ACTIVATIONS:
            raise ValueError(f"unsupported Dense activation_function {act!r}")
        self.act = ACTIVATIONS[act]
        st = os.path.join(directory, "model.safetensors")
        if os.path.exists(st):
            tensors = safetensors_io.load_file(st)[0]
        else:
            state = torch.load(os.path.join(directory, "pytorch_model.bin"), map_location="cpu",
                               weights_only=True)
            tensors = {k: v.float().numpy() for k, v in state.items()}
        n_in, n_out = cfg["in_features"], cfg["out_features"]
        self.weight = torch.from_numpy(np.ascontiguousarray(tensors["linear.weight"], dtype=np.float32)).to(dtype)
        if tuple(self.weight.shape) != (n_out, n_in):
            raise ValueError(f"linear.weight has shape {tuple(self.weight.shape)}, expected ({n_out}, {n_in})")
        self.bias = None
        if cfg.get("bias", True):
            self.bias = torch.from_numpy(np.ascontiguousarray(tensors["linear.bias"], dtype=np.float32)).to(dtype)
        unexpected = set(tensors) - {"linear.weight", "linear.bias"}
        if unexpected or ("linear.bias" in tensors) != (self.bias is not None):
            raise ValueError(f"{directory}: unexpected Dense tensors {sorted(tensors)}")
        self.out_features = n_out

    def __call__(self, x):
        return self.act(F.linear(x, self.weight.to(x.dtype),
                                 None if self.bias is None else self.bias.to(x.dtype)))


def normalize(x):
    return F.normalize(x, p=2.0, dim=-1)


class SentenceTransformer:
    """`SentenceTransformer.from_dir(dir)`; `embed(sources)` for id lists ending with eos
    (each already limited to max_seq_length), `encode(texts, tokenizer)` for texts."""

    def __init__(self, stages, transformer):
        self.stages = stages            # [(kind, module)] after the Transformer
        self.transformer = transformer

    @classmethod
    def from_dir(cls, model_dir, dtype=torch.float32):
        modules = sorted(_read_json(os.path.join(model_dir, "modules.json")), key=lambda m: m["idx"])
        transformer, stages = None, []
        for m in modules:
            kind = module_kind(m["type"])
            path = m.get("path", "")
            if kind == "Transformer":
                if transformer is not None or stages:
                    raise ValueError("the Transformer module must come first, once")
                transformer = TransformerModule(model_dir, path, dtype)
                continue
            if transformer is None:
                raise ValueError(f"module {kind} before the Transformer module")
            directory = os.path.join(model_dir, path)
            if kind == "Pooling":
                stages.append((kind, PoolingModule(directory, transformer.model.config.d_model)))
            elif kind == "Dense":
                stages.append((kind, DenseModule(directory, dtype)))
            elif kind == "Normalize":
                stages.append((kind, normalize))
            else:
                raise ValueError(f"unsupported sentence-transformers module {m['type']!r}")
        if transformer is None:
            raise ValueError("modules.json has no Transformer module")
        if not stages or stages[0][0] != "Pooling":
            raise ValueError("the Transformer module must be followed by a Pooling module")
        return cls(stages, transformer)

    @property
    def max_seq_length(self):
        return self.transformer.max_seq_length

    @property
    def dimension(self):
        dim = None
        for kind, module in self.stages:
            if kind == "Pooling":
                dim = self.transformer.model.config.d_model * len(module.modes)
            elif kind == "Dense":
                dim = module.out_features
        return dim

    def embed(self, sources):
        """Sentence embeddings [N, dimension] of id lists (padded batch, each row
        independent of the others)."""
        from .decoding import _grad_context, pad_batch
        model = self.transformer.model
        with _grad_context():
            ids, mask = pad_batch(sources, model.config.pad_token_id, model.device)
            x = self.transformer(ids, mask)
            for kind, module in self.stages:
                x = module(x, mask) if kind == "Pooling" else module(x)
        return x

    def encode(self, texts, tokenizer):
        """Texts -> embeddings, tokenized by `tokenizer` (t5_tokenizer.T5Tokenizer)
        with sentence-transformers' truncation to max_seq_length."""
        if self.transformer.do_lower_case:
            texts = [t.lower() for t in texts]
        sources = [tokenizer.encode(t, limit=self.max_seq_length, truncate=True) for t in texts]
        return self.embed(sources)


def is_sentence_transformer(model_dir):
    return os.path.exists(os.path.join(model_dir, "modules.json"))

