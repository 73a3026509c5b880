"""Plain PyTorch MarianMT, written from docs/semantics.md, and the other
families of the same encoder-decoder (M2M100/NLLB, BART, mBART: switches of
families.py chosen by config.json's model_type).

Loads a Hugging Face style directory (config.json + weights) and provides:

- `encode(input_ids, attention_mask)`: batched encoder with key-padding masks;
- `init_state(...)` / `decode_step(tokens, state)`: batched incremental decoding
  with a preallocated self-attention KV cache and a cached cross-attention K/V;
- `forward(input_ids, attention_mask, decoder_input_ids)`: the teacher-forced
  training pass (full causal decoder, no cache), usable under autocast;
- `hf_state_dict()` / `save_pretrained()`: export with the Hugging Face names.

The module runs in any floating dtype (`.double()` gives a float64 reference,
`torch.autocast("cpu", dtype=torch.bfloat16)` the reduced-precision path).
"""

import json
import math
import os
from dataclasses import dataclass, field, fields

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import checkpoint, families, safetensors_io
from .generation import GenerationRules
from .seq2seq import TeacherForcedMixin, copy_parameter

LAYER_NORM_EPS = 1e-5


@dataclass
class MarianConfig:
    """The config fields the model uses, with the defaults of `MarianConfig`."""

    vocab_size: int = 58101
    decoder_vocab_size: int = None  # = vocab_size when absent
    d_model: int = 1024
    encoder_layers: int = 12
    decoder_layers: int = 12
    encoder_attention_heads: int = 16
    decoder_attention_heads: int = 16
    encoder_ffn_dim: int = 4096
    decoder_ffn_dim: int = 4096
    activation_function: str = "gelu"
    max_position_embeddings: int = 1024
    scale_embedding: bool = False
    pad_token_id: int = 58100
    eos_token_id: int = 0
    decoder_start_token_id: int = 58100
    share_encoder_decoder_embeddings: bool = True
    tie_word_embeddings: bool = True
    # Training only (ignored in eval mode); the defaults of MarianConfig.
    dropout: float = 0.1
    attention_dropout: float = 0.0
    activation_dropout: float = 0.0
    extra: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if self.decoder_vocab_size is None:
            self.decoder_vocab_size = self.vocab_size

    @classmethod
    def from_dict(cls, d):
        model_type = d.get("model_type", "marian")
        families.check_flags(model_type, d)
        names = {f.name for f in fields(cls)} - {"extra"}
        kwargs = {k: v for k, v in families.DEFAULTS[model_type].items() if v is not None}
        kwargs.update({k: v for k, v in d.items() if k in names and v is not None})
        if model_type != "marian":
            # Only Marian has separate vocabularies.
            kwargs.pop("decoder_vocab_size", None)
            kwargs.pop("share_encoder_decoder_embeddings", None)
            if "decoder_start_token_id" not in kwargs:
                kwargs["decoder_start_token_id"] = d.get("bos_token_id") or 0
        extra = {k: v for k, v in d.items() if k not in names}
        return cls(extra=extra, **kwargs)

    @property
    def model_type(self):
        return self.extra.get("model_type", "marian")

    @property
    def arch(self):
        return families.architecture(self.model_type)

    @classmethod
    def from_file(cls, path):
        with open(path, encoding="utf-8") as f:
            return cls.from_dict(json.load(f))

    @property
    def separate_vocabs(self):
        return not self.share_encoder_decoder_embeddings

    def to_dict(self):
        d = dict(self.extra)
        for f in fields(self):
            if f.name != "extra":
                d[f.name] = getattr(self, f.name)
        return d


def sinusoidal_positions(n_pos, dim):
    """[n_pos, dim] float64, not interleaved: sin columns first, then cos."""
    pos = np.arange(n_pos, dtype=np.float64)[:, None]
    j = np.arange(dim)
    angle = pos / np.power(10000.0, 2 * (j // 2) / dim)[None, :]
    out = np.zeros((n_pos, dim), dtype=np.float64)
    n_sin = (dim + 1) // 2
    out[:, :n_sin] = np.sin(angle[:, 0::2])
    out[:, n_sin:] = np.cos(angle[:, 1::2])
    return out


def activation(name):
    if name in ("swish", "silu"):
        return F.silu
    if name == "relu":
        return F.relu
    if name == "gelu":
        return lambda x: F.gelu(x, approximate="none")
    raise ValueError(f"unsupported activation_function {name!r}")


class Attention(nn.Module):
    def __init__(self, d_model, heads, dropout=0.0):
        super().__init__()
        if d_model % heads:
            raise ValueError(f"d_model {d_model} not divisible by {heads} heads")
        self.heads = heads
        self.head_dim = d_model // heads
        self.scaling = self.head_dim ** -0.5
        self.dropout = dropout
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def split(self, x):
        b, t, _ = x.shape
        return x.view(b, t, self.heads, self.head_dim).transpose(1, 2)

    def project_kv(self, x):
        return self.split(self.k_proj(x)), self.split(self.v_proj(x))

    def attend(self, q_in, k, v, mask):
        """q_in [B,Tq,d]; k, v [B,H,Tk,hd]; mask bool broadcastable to [B,H,Tq,Tk], True = masked."""
        b, tq, d = q_in.shape
        q = self.split(self.q_proj(q_in) * self.scaling)
        scores = torch.matmul(q, k.transpose(-1, -2))
        if mask is not None:
            scores = scores.masked_fill(mask, float("-inf"))
        probs = torch.softmax(scores, dim=-1)
        if self.dropout and self.training:
            probs = F.dropout(probs, p=self.dropout, training=True)
        out = torch.matmul(probs.to(v.dtype), v)
        out = out.transpose(1, 2).reshape(b, tq, d)
        return self.out_proj(out)


class EncoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg.d_model
        self.self_attn = Attention(d, cfg.encoder_attention_heads, cfg.attention_dropout)
        self.self_attn_layer_norm = nn.LayerNorm(d, eps=LAYER_NORM_EPS)
        self.fc1 = nn.Linear(d, cfg.encoder_ffn_dim)
        self.fc2 = nn.Linear(cfg.encoder_ffn_dim, d)
        self.final_layer_norm = nn.LayerNorm(d, eps=LAYER_NORM_EPS)
        self.act = activation(cfg.activation_function)
        self.dropout = cfg.dropout
        self.activation_dropout = cfg.activation_dropout
        self.pre_norm = cfg.arch.pre_norm

    def ffn(self, x):
        f = F.dropout(self.act(self.fc1(x)), self.activation_dropout, self.training)
        return F.dropout(self.fc2(f), self.dropout, self.training)

    def forward(self, h, pad_mask):
        if self.pre_norm:
            x = self.self_attn_layer_norm(h)
            k, v = self.self_attn.project_kv(x)
            h = h + F.dropout(self.self_attn.attend(x, k, v, pad_mask), self.dropout, self.training)
            return h + self.ffn(self.final_layer_norm(h))
        k, v = self.self_attn.project_kv(h)
        a = self.self_attn.attend(h, k, v, pad_mask)
        h = self.self_attn_layer_norm(h + F.dropout(a, self.dropout, self.training))
        return self.final_layer_norm(h + self.ffn(h))


class DecoderLayer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d = cfg.d_model
        self.self_attn = Attention(d, cfg.decoder_attention_heads, cfg.attention_dropout)
        self.self_attn_layer_norm = nn.LayerNorm(d, eps=LAYER_NORM_EPS)
        self.encoder_attn = Attention(d, cfg.decoder_attention_heads, cfg.attention_dropout)
        self.encoder_attn_layer_norm = nn.LayerNorm(d, eps=LAYER_NORM_EPS)
        self.fc1 = nn.Linear(d, cfg.decoder_ffn_dim)
        self.fc2 = nn.Linear(cfg.decoder_ffn_dim, d)
        self.final_layer_norm = nn.LayerNorm(d, eps=LAYER_NORM_EPS)
        self.act = activation(cfg.activation_function)
        self.dropout = cfg.dropout
        self.activation_dropout = cfg.activation_dropout
        self.pre_norm = cfg.arch.pre_norm

    def forward(self, h, self_kv, causal_mask, cross_k, cross_v, cross_mask):
        """`self_kv(x)`: the self-attention keys and values of every position so far,
        given this step's block input x."""
        def block(h, norm, f):
            if self.pre_norm:
                return h + F.dropout(f(norm(h)), self.dropout, self.training)
            return norm(h + F.dropout(f(h), self.dropout, self.training))

        def self_attention(x):
            k, v = self_kv(x)
            return self.self_attn.attend(x, k, v, causal_mask)

        h = block(h, self.self_attn_layer_norm, self_attention)
        h = block(h, self.encoder_attn_layer_norm,
                  lambda x: self.encoder_attn.attend(x, cross_k, cross_v, cross_mask))
        f = lambda x: self.fc2(F.dropout(self.act(self.fc1(x)), self.activation_dropout,  # noqa: E731
                                         self.training))
        return block(h, self.final_layer_norm, f)


class DecoderState:
    """Per-sequence decoder state: encoder padding mask, cross-attention K/V of
    every layer, and the self-attention K/V cache (buffers grown by doubling,
    up to `capacity` positions).

    Rows are sequences; `select(index)` keeps / reorders / repeats rows (beam
    reordering, dropping finished sequences).
    """

    def __init__(self, pad_mask, cross_kv, capacity):
        self.pad_mask = pad_mask  # [B, S] bool, True on padding
        self.cross_kv = cross_kv  # list of (k, v), each [B, H, S, hd]
        self.capacity = capacity
        self.length = 0
        self.self_k = [None] * len(cross_kv)
        self.self_v = [None] * len(cross_kv)

    @property
    def batch_size(self):
        return self.pad_mask.shape[0]

    def select(self, index):
        if not torch.is_tensor(index):
            index = torch.tensor(index, dtype=torch.long)
        index = index.to(self.pad_mask.device)
        self.pad_mask = self.pad_mask.index_select(0, index)
        self.cross_kv = [(k.index_select(0, index), v.index_select(0, index)) for k, v in self.cross_kv]
        n = self.length
        for i in range(len(self.self_k)):
            if self.self_k[i] is not None:
                self.self_k[i] = self._resize(self.self_k[i][:, :, :n].index_select(0, index),
                                              self.self_k[i].shape[2])
                self.self_v[i] = self._resize(self.self_v[i][:, :, :n].index_select(0, index),
                                              self.self_v[i].shape[2])
        return self

    @staticmethod
    def _resize(x, size):
        """A buffer of `size` positions whose first x.shape[2] hold x."""
        out = torch.empty(x.shape[:2] + (size,) + x.shape[3:], dtype=x.dtype, device=x.device)
        out[:, :, :x.shape[2]] = x
        return out

    def append(self, layer, k, v):
        """Writes new K/V [B,H,T,hd] at the current length; returns the full K/V so far."""
        end = self.length + k.shape[2]
        if end > self.capacity:
            raise ValueError(f"decoder cache capacity {self.capacity} exceeded")
        buf_k, buf_v = self.self_k[layer], self.self_v[layer]
        if buf_k is None or buf_k.dtype != k.dtype or buf_k.shape[2] < end:
            size = min(self.capacity, max(end, 16, 2 * (buf_k.shape[2] if buf_k is not None else 0)))
            n = self.length if buf_k is not None else 0
            old_k = buf_k[:, :, :n].to(k.dtype) if buf_k is not None else k[:, :, :0]
            old_v = buf_v[:, :, :n].to(v.dtype) if buf_v is not None else v[:, :, :0]
            buf_k, buf_v = self._resize(old_k, size), self._resize(old_v, size)
            self.self_k[layer], self.self_v[layer] = buf_k, buf_v
        buf_k[:, :, self.length:end] = k
        buf_v[:, :, self.length:end] = v
        return buf_k[:, :, :end], buf_v[:, :, :end]


class MarianMTModel(TeacherForcedMixin, nn.Module):
    def __init__(self, cfg, encoder_positions=None, decoder_positions=None):
        """`encoder_positions` / `decoder_positions`: stored position tables
        ([P, d] arrays) or None to compute the sinusoidal ones."""
        super().__init__()
        self.config = cfg
        d = cfg.d_model
        self.embed_tokens = nn.Embedding(cfg.vocab_size, d)  # source / shared
        if cfg.separate_vocabs:
            self.decoder_embed_tokens = nn.Embedding(cfg.decoder_vocab_size, d)
        else:
            if cfg.decoder_vocab_size != cfg.vocab_size:
                raise ValueError("decoder_vocab_size differs from vocab_size with shared embeddings")
            self.decoder_embed_tokens = self.embed_tokens
        if cfg.tie_word_embeddings:
            self.lm_head = None
        else:
            self.lm_head = nn.Parameter(torch.empty(cfg.decoder_vocab_size, d))
            nn.init.normal_(self.lm_head, std=0.02)
        self.register_buffer("final_logits_bias", torch.zeros(1, cfg.decoder_vocab_size))
        self.encoder_layers = nn.ModuleList([EncoderLayer(cfg) for _ in range(cfg.encoder_layers)])
        self.decoder_layers = nn.ModuleList([DecoderLayer(cfg) for _ in range(cfg.decoder_layers)])
        self.embed_scale = math.sqrt(d) if cfg.scale_embedding else 1.0
        arch = cfg.arch
        # Embedding and final LayerNorms by side ("encoder", "decoder"), when the
        # family has them.
        self.layernorm_embedding = nn.ModuleDict(
            {side: nn.LayerNorm(d, eps=LAYER_NORM_EPS) for side in ("encoder", "decoder")}
            if arch.layernorm_embedding else {})
        self.final_layer_norm = nn.ModuleDict(
            {side: nn.LayerNorm(d, eps=LAYER_NORM_EPS) for side in ("encoder", "decoder")}
            if arch.final_layer_norm else {})
        # Position tables are kept in float64 and converted on use, so that a
        # float64 model sees exact sinusoids and `.to(dtype)` never degrades them.
        rows, _ = families.position_table_rows(arch.positions, cfg.max_position_embeddings,
                                               cfg.pad_token_id)

        def computed():
            if arch.positions == "offset_sinusoidal":
                return families.offset_sinusoidal_positions(rows, d, cfg.pad_token_id)
            if arch.positions == "learned":
                raise ValueError("learned positions need model.*.embed_positions.weight")
            return sinusoidal_positions(rows, d)

        if arch.positions == "offset_sinusoidal":
            encoder_positions = decoder_positions = None  # never stored
        self.stored_positions = {"encoder": encoder_positions is not None,
                                 "decoder": decoder_positions is not None}
        self._positions64 = {
            "encoder": np.asarray(encoder_positions, dtype=np.float64) if encoder_positions is not None
            else computed(),
            "decoder": np.asarray(decoder_positions, dtype=np.float64) if decoder_positions is not None
            else computed(),
        }
        self._pos_cache = {}
        self.generation = GenerationRules()  # set from the directory by from_pretrained

    # ------------------------------------------------------------------ weights

    @property
    def output_weight(self):
        return self.decoder_embed_tokens.weight if self.lm_head is None else self.lm_head

    @property
    def dtype(self):
        return self.embed_tokens.weight.dtype

    @property
    def device(self):
        return self.embed_tokens.weight.device

    def positions(self, which, ids, start, dtype, device):
        """Position embeddings of ids [B,T], the tokens at positions start.. ([B,T,d])."""
        key = (which, dtype, device, torch.is_inference_mode_enabled())
        table = self._pos_cache.get(key)
        if table is None:
            table = torch.from_numpy(self._positions64[which]).to(device=device, dtype=dtype)
            self._pos_cache[key] = table
        rows = families.position_rows(self.config.arch.positions, ids, start, self.config.pad_token_id)
        if rows.numel() and int(rows.max()) >= table.shape[0]:
            raise ValueError(f"{which} position {start + ids.shape[1] - 1} beyond the "
                             f"{table.shape[0]} position embeddings")
        if self.config.arch.positions == "sinusoidal":
            return table[start:start + ids.shape[1]].unsqueeze(0)  # rows are start..
        return table[rows]

    @classmethod
    def from_pretrained(cls, model_dir, dtype=torch.float32, device="cpu"):
        cfg = MarianConfig.from_file(os.path.join(model_dir, "config.json"))
        model = cls.from_tensors(cfg, checkpoint.load_tensors(model_dir))
        model.generation = GenerationRules.from_dir(cfg, model_dir)
        return model.to(device=device, dtype=dtype)

    @classmethod
    def from_tensors(cls, cfg, tensors):
        """Builds the model from Hugging Face named numpy arrays (float32)."""
        t = dict(tensors)
        model = cls(cfg,
                    encoder_positions=t.get("model.encoder.embed_positions.weight"),
                    decoder_positions=t.get("model.decoder.embed_positions.weight"))
        used = {"model.encoder.embed_positions.weight", "model.decoder.embed_positions.weight"}

        def take(name, required=True):
            if name in t:
                used.add(name)
                return torch.from_numpy(np.ascontiguousarray(t[name], dtype=np.float32))
            if required:
                raise KeyError(f"missing tensor {name}")
            return None


        shared = take("model.shared.weight", required=False)
        enc_emb = take("model.encoder.embed_tokens.weight", required=False)
        dec_emb = take("model.decoder.embed_tokens.weight", required=False)
        src = shared if shared is not None else enc_emb
        if src is None:
            raise KeyError("missing model.shared.weight (or model.encoder.embed_tokens.weight)")
        copy_parameter(model.embed_tokens.weight, src, "model.shared.weight")
        if cfg.separate_vocabs:
            if dec_emb is None:
                raise KeyError("missing model.decoder.embed_tokens.weight (separate vocabularies)")
            copy_parameter(model.decoder_embed_tokens.weight, dec_emb, "model.decoder.embed_tokens.weight")
        if model.lm_head is not None:
            copy_parameter(model.lm_head, take("lm_head.weight"), "lm_head.weight")
        else:
            used.add("lm_head.weight")
        bias = take("final_logits_bias", required=False)
        if bias is not None:
            copy_parameter(model.final_logits_bias, bias.reshape(1, -1), "final_logits_bias")

        for name, p in model.named_side_parameters():
            copy_parameter(p, take(name), name)
        unused = sorted(set(t) - used)
        if unused:
            raise ValueError(f"unexpected tensors: {unused[:5]}")
        return model

    def hf_state_dict(self):
        """Tensors under the Hugging Face names (tied weights stored once)."""
        out = {}
        cfg = self.config
        out["model.shared.weight"] = self.embed_tokens.weight
        if cfg.separate_vocabs:
            out["model.encoder.embed_tokens.weight"] = self.embed_tokens.weight
            out["model.decoder.embed_tokens.weight"] = self.decoder_embed_tokens.weight
        if self.lm_head is not None:
            out["lm_head.weight"] = self.lm_head
        if cfg.model_type != "m2m_100":  # M2M100 has no final_logits_bias
            out["final_logits_bias"] = self.final_logits_bias
        if self.stored_positions["encoder"]:
            out["model.encoder.embed_positions.weight"] = torch.from_numpy(self._positions64["encoder"])
        if self.stored_positions["decoder"]:
            out["model.decoder.embed_positions.weight"] = torch.from_numpy(self._positions64["decoder"])
        out.update(self.named_side_parameters())
        return {k: v.detach().float().cpu().numpy() for k, v in out.items()}

    def named_side_parameters(self):
        """(Hugging Face name, parameter) of the layers and the embedding / final
        LayerNorms."""
        for side, layers in (("encoder", self.encoder_layers), ("decoder", self.decoder_layers)):
            if side in self.layernorm_embedding:
                for pname, p in self.layernorm_embedding[side].named_parameters():
                    yield f"model.{side}.layernorm_embedding.{pname}", p
            for i, layer in enumerate(layers):
                for pname, p in layer.named_parameters():
                    yield f"model.{side}.layers.{i}.{pname}", p
            if side in self.final_layer_norm:
                for pname, p in self.final_layer_norm[side].named_parameters():
                    yield f"model.{side}.layer_norm.{pname}", p

    def save_pretrained(self, model_dir, dtype="F32", extra_config=None):
        os.makedirs(model_dir, exist_ok=True)
        cfg = self.config.to_dict()
        cfg.update(extra_config or {})
        with open(os.path.join(model_dir, "config.json"), "w", encoding="utf-8") as f:
            json.dump(cfg, f, indent=2, sort_keys=True)
            f.write("\n")
        safetensors_io.save_file(self.hf_state_dict(), os.path.join(model_dir, "model.safetensors"),
                                 dtype=dtype, metadata={"format": "pt"})

    # ------------------------------------------------------------------ forward

    def embed(self, table, ids, which, start):
        h = table(ids) * self.embed_scale
        h = h + self.positions(which, ids, start, h.dtype, h.device)
        if which in self.layernorm_embedding:
            h = self.layernorm_embedding[which](h)
        return F.dropout(h, self.config.dropout, self.training)

    def final_norm(self, which, h):
        return self.final_layer_norm[which](h) if which in self.final_layer_norm else h

    def encode(self, input_ids, attention_mask=None):
        """input_ids [B,S] (right padded), attention_mask [B,S] (1/True = real token).
        Returns the final encoder states [B,S,d] (padded rows are garbage)."""
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids, dtype=torch.bool)
        pad = ~attention_mask.bool()
        h = self.embed(self.embed_tokens, input_ids, "encoder", 0)
        mask = pad[:, None, None, :]
        for layer in self.encoder_layers:
            h = layer(h, mask)
        return self.final_norm("encoder", h)

    def init_state(self, encoder_out, attention_mask, capacity):
        """Prepares a DecoderState for incremental decoding of up to `capacity` tokens."""
        pad = ~attention_mask.bool()
        cross = [layer.encoder_attn.project_kv(encoder_out) for layer in self.decoder_layers]
        return DecoderState(pad, cross, capacity)

    def project(self, h):
        logits = F.linear(h, self.output_weight)
        return logits + self.final_logits_bias.to(logits.dtype)

    def decode_step(self, tokens, state):
        """tokens [B,T]: the next T decoder inputs of every row. Returns logits [B,T,Vt]."""
        t = tokens.shape[1]
        start = state.length
        h = self.embed(self.decoder_embed_tokens, tokens, "decoder", start)
        causal = None
        if t > 1:
            q = torch.arange(start, start + t, device=tokens.device)[:, None]
            k = torch.arange(0, start + t, device=tokens.device)[None, :]
            causal = k > q
        cross_mask = state.pad_mask[:, None, None, :]
        for i, layer in enumerate(self.decoder_layers):
            (ck, cv) = state.cross_kv[i]
            h = layer(h, lambda x, i=i, layer=layer: state.append(i, *layer.self_attn.project_kv(x)),
                      causal, ck, cv, cross_mask)
        state.length += t
        return self.project(self.final_norm("decoder", h))

    def decode_full(self, decoder_input_ids, encoder_out, attention_mask):
        """Full (non-cached) causal decoder pass; logits [B,T,Vt]."""
        pad = ~attention_mask.bool()
        t = decoder_input_ids.shape[1]
        h = self.embed(self.decoder_embed_tokens, decoder_input_ids, "decoder", 0)
        idx = torch.arange(t, device=decoder_input_ids.device)
        causal = idx[None, :] > idx[:, None]
        cross_mask = pad[:, None, None, :]
        for layer in self.decoder_layers:
            ck, cv = layer.encoder_attn.project_kv(encoder_out)
            h = layer(h, layer.self_attn.project_kv, causal, ck, cv, cross_mask)
        return self.project(self.final_norm("decoder", h))



def load(model_dir, dtype=torch.float32):
    return MarianMTModel.from_pretrained(model_dir, dtype=dtype)
