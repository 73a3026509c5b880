"""Plain PyTorch T5 and mT5 (T5ForConditionalGeneration, MT5ForConditionalGeneration,
T5EncoderModel) with the semantics of transformers' modeling_t5.py.

- Embeddings: `shared.weight` for the encoder and the decoder, not scaled, no
  position embeddings.
- Relative position bias: `relative_attention_bias` [num_buckets, num_heads] of the
  first block's self-attention of each stack, shared by the later blocks of that
  stack; bidirectional buckets in the encoder, causal ones in the decoder's
  self-attention, none in the cross-attention. The buckets are computed with the
  float32 arithmetic of transformers' `_relative_position_bucket` (torch.log on
  float32) whatever the dtype of the model.
- T5LayerNorm: RMSNorm (no mean subtraction, no bias), the variance taken in at
  least float32; pre-norm blocks `h + f(norm(h))`; a final norm after each stack.
- Attention scores are not scaled by 1/sqrt(d_kv); the inner dimension
  num_heads * d_kv may differ from d_model; no biases anywhere.
- Feed-forward: `wi` -> act -> `wo`, or gated `act(wi_0 x) * wi_1 x` -> `wo`
  (feed_forward_proj "relu", "gelu", "gated-gelu" = gelu_new (tanh approximation),
  "gated-silu", ...).
- Output: with tie_word_embeddings (T5Config's default) `lm_head` is `shared.weight`
  and the decoder output is multiplied by d_model**-0.5 first; without it (mT5,
  T5 v1.1, Flan-T5) `lm_head.weight`, no scaling. No final_logits_bias.

The interface is MarianMTModel's (marian.py): `encode`, `init_state` + `decode_step`
(the same DecoderState), `decode_full`, `forward`, `config` with the special ids and
`decoder_vocab_size`, `generation`, `dtype`, `device`, so that decoding.py and
pooling.py run unchanged. `load_model(dir)` picks this class or MarianMTModel from
config.json's model_type.
"""

import json
import math
import os
from dataclasses import dataclass, field, fields

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from . import checkpoint, safetensors_io
from .generation import GenerationRules
from .marian import DecoderState
from .seq2seq import TeacherForcedMixin, copy_parameter

T5_MODEL_TYPES = ("t5", "mt5")
ENCODER_ONLY_ARCHITECTURES = ("T5EncoderModel", "MT5EncoderModel")

# Config-class defaults (T5Config, MT5Config) of the fields the model reads.
_COMMON_DEFAULTS = {"relative_attention_num_buckets": 32, "relative_attention_max_distance": 128,
                    "layer_norm_epsilon": 1e-6, "dropout_rate": 0.1, "pad_token_id": 0,
                    "eos_token_id": 1, "decoder_start_token_id": 0, "num_decoder_layers": None}
DEFAULTS = {
    "t5": dict(_COMMON_DEFAULTS, vocab_size=32128, d_model=512, d_kv=64, d_ff=2048, num_layers=6,
               num_heads=8, feed_forward_proj="relu", tie_word_embeddings=True),
    "mt5": dict(_COMMON_DEFAULTS, vocab_size=250112, d_model=512, d_kv=64, d_ff=1024, num_layers=8,
                num_heads=6, feed_forward_proj="gated-gelu", tie_word_embeddings=False),
}

# Tensors of published checkpoints that transformers never reads: old T5 checkpoints
# (t5-small ...) carry a relative_attention_bias in the first decoder block's
# cross-attention (T5ForConditionalGeneration._keys_to_ignore_on_load_unexpected).
IGNORED_TENSORS = ("decoder.block.0.layer.1.EncDecAttention.relative_attention_bias.weight",)


def parse_feed_forward_proj(value):
    """T5Config's parsing: "ACT" or "gated-ACT"; "gated-gelu" means gelu_new.
    Returns (activation name, gated)."""
    parts = value.split("-")
    if (len(parts) > 1 and parts[0] != "gated") or len(parts) > 2:
        raise ValueError(f"feed_forward_proj {value!r} is not of the form 'ACT' or 'gated-ACT'")
    act = parts[-1]
    if value == "gated-gelu":
        act = "gelu_new"
    return act, parts[0] == "gated"


def gelu_new(x):
    """transformers' NewGELUActivation (gelu_new): the tanh approximation."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


ACTIVATIONS = {
    "relu": F.relu,
    "gelu": lambda x: F.gelu(x, approximate="none"),
    "gelu_new": gelu_new,
    "gelu_pytorch_tanh": lambda x: F.gelu(x, approximate="tanh"),
    "silu": F.silu,
    "swish": F.silu,
}


@dataclass
class T5Config:
    """The config fields the model reads, with the defaults of T5Config / MT5Config."""

    model_type: str = "t5"
    vocab_size: int = 32128
    d_model: int = 512
    d_kv: int = 64
    d_ff: int = 2048
    num_layers: int = 6
    num_decoder_layers: int = None  # = num_layers when absent
    num_heads: int = 8
    relative_attention_num_buckets: int = 32
    relative_attention_max_distance: int = 128
    layer_norm_epsilon: float = 1e-6
    feed_forward_proj: str = "relu"
    dense_act_fn: str = None   # from feed_forward_proj unless config.json sets it
    is_gated_act: bool = None  # likewise
    tie_word_embeddings: bool = True
    pad_token_id: int = 0
    eos_token_id: int = 1
    decoder_start_token_id: int = 0
    dropout_rate: float = 0.1
    encoder_only: bool = False  # architectures names T5EncoderModel
    extra: dict = field(default_factory=dict, repr=False)

    def __post_init__(self):
        if self.num_decoder_layers is None:
            self.num_decoder_layers = self.num_layers
        act, gated = parse_feed_forward_proj(self.feed_forward_proj)
        # As PretrainedConfig: explicit dense_act_fn / is_gated_act fields of the file win.
        if self.dense_act_fn is None:
            self.dense_act_fn = act
        if self.is_gated_act is None:
            self.is_gated_act = gated
        if self.dense_act_fn not in ACTIVATIONS:
            raise ValueError(f"unsupported activation {self.dense_act_fn!r}")

    @classmethod
    def from_dict(cls, d):
        model_type = d.get("model_type", "t5")
        if model_type not in T5_MODEL_TYPES:
            raise ValueError(f"not a T5 model_type: {model_type!r}")
        names = {f.name for f in fields(cls)} - {"extra", "encoder_only", "model_type"}
        kwargs = {k: v for k, v in DEFAULTS[model_type].items() if v is not None}
        kwargs.update({k: v for k, v in d.items() if k in names and v is not None})
        architectures = d.get("architectures") or []
        encoder_only = any(a in ENCODER_ONLY_ARCHITECTURES for a in architectures)
        extra = {k: v for k, v in d.items() if k not in names}
        return cls(model_type=model_type, encoder_only=encoder_only, extra=extra, **kwargs)

    @classmethod
    def from_file(cls, path):
        with open(path, encoding="utf-8") as f:
            return cls.from_dict(json.load(f))

    @property
    def decoder_vocab_size(self):
        return self.vocab_size

    @property
    def inner_dim(self):
        return self.num_heads * self.d_kv

    def to_dict(self):
        d = dict(self.extra)
        for f in fields(self):
            if f.name not in ("extra", "encoder_only"):
                d[f.name] = getattr(self, f.name)
        return d


def relative_position_bucket(relative_position, bidirectional, num_buckets, max_distance):
    """transformers' T5Attention._relative_position_bucket. relative_position: int64
    tensor of key position - query position. The logarithmic part is evaluated in
    float32 exactly as transformers does it (torch.log of a float32 tensor divided by
    the float32-rounded math.log(max_distance / max_exact)), then truncated toward
    zero; distances >= max_distance share the last bucket of their direction."""
    relative_position = relative_position.to(torch.long)
    buckets = torch.zeros_like(relative_position)
    if bidirectional:
        num_buckets //= 2
        buckets = buckets + (relative_position > 0).to(torch.long) * num_buckets
        distance = torch.abs(relative_position)
    else:
        distance = -torch.min(relative_position, torch.zeros_like(relative_position))
    max_exact = num_buckets // 2
    is_small = distance < max_exact
    large = max_exact + (
        torch.log(distance.float() / max_exact)
        / math.log(max_distance / max_exact)
        * (num_buckets - max_exact)
    ).to(torch.long)
    large = torch.min(large, torch.full_like(large, num_buckets - 1))
    return buckets + torch.where(is_small, distance, large)


class T5LayerNorm(nn.Module):
    """RMSNorm: weight * h / sqrt(mean(h^2) + eps), the mean taken in at least float32."""

    def __init__(self, d, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))
        self.eps = eps

    def forward(self, h):
        compute = torch.promote_types(h.dtype, torch.float32)
        variance = h.to(compute).pow(2).mean(-1, keepdim=True)
        h = h * torch.rsqrt(variance + self.eps)
        if self.weight.dtype in (torch.float16, torch.bfloat16):
            h = h.to(self.weight.dtype)
        return self.weight * h


class T5Attention(nn.Module):
    def __init__(self, cfg, has_relative_attention_bias=False, bidirectional=True):
        super().__init__()
        self.heads = cfg.num_heads
        self.d_kv = cfg.d_kv
        self.dropout = cfg.dropout_rate
        self.bidirectional = bidirectional
        self.num_buckets = cfg.relative_attention_num_buckets
        self.max_distance = cfg.relative_attention_max_distance
        inner = cfg.inner_dim
        self.q = nn.Linear(cfg.d_model, inner, bias=False)
        self.k = nn.Linear(cfg.d_model, inner, bias=False)
        self.v = nn.Linear(cfg.d_model, inner, bias=False)
        self.o = nn.Linear(inner, cfg.d_model, bias=False)
        if has_relative_attention_bias:
            self.relative_attention_bias = nn.Embedding(self.num_buckets, self.heads)

    def split(self, x):
        b, t, _ = x.shape
        return x.view(b, t, self.heads, self.d_kv).transpose(1, 2)

    def project_kv(self, x):
        return self.split(self.k(x)), self.split(self.v(x))

    def compute_bias(self, query_start, query_length, key_length):
        """[1, H, query_length, key_length]: the bias of queries at positions
        query_start.. against keys at 0..key_length-1."""
        device = self.relative_attention_bias.weight.device
        context = torch.arange(query_start, query_start + query_length, dtype=torch.long, device=device)
        memory = torch.arange(key_length, dtype=torch.long, device=device)
        buckets = relative_position_bucket(memory[None, :] - context[:, None], self.bidirectional,
                                           self.num_buckets, self.max_distance)
        values = self.relative_attention_bias(buckets)  # [q, k, H]
        return values.permute(2, 0, 1).unsqueeze(0)

    def attend(self, x, k, v, bias, mask):
        """x [B,Tq,d]; k, v [B,H,Tk,d_kv]; bias broadcastable to [B,H,Tq,Tk] or None;
        mask bool broadcastable to [B,H,Tq,Tk], True = masked."""
        b, tq, _ = x.shape
        q = self.split(self.q(x))
        scores = torch.matmul(q, k.transpose(-1, -2))  # no 1/sqrt(d_kv)
        if bias is not None:
            scores = scores + bias.to(scores.dtype)
        if mask is not None:
            scores = scores.masked_fill(mask, float("-inf"))
        compute = torch.promote_types(scores.dtype, torch.float32)
        probs = torch.softmax(scores.to(compute), dim=-1).to(scores.dtype)
        if self.dropout and self.training:
            probs = F.dropout(probs, p=self.dropout, training=True)
        out = torch.matmul(probs.to(v.dtype), v)
        out = out.transpose(1, 2).reshape(b, tq, self.heads * self.d_kv)
        return self.o(out)


class T5DenseActDense(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.wi = nn.Linear(cfg.d_model, cfg.d_ff, bias=False)
        self.wo = nn.Linear(cfg.d_ff, cfg.d_model, bias=False)
        self.act = ACTIVATIONS[cfg.dense_act_fn]
        self.dropout = cfg.dropout_rate

    def forward(self, x):
        return self.wo(F.dropout(self.act(self.wi(x)), self.dropout, self.training))


class T5DenseGatedActDense(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.wi_0 = nn.Linear(cfg.d_model, cfg.d_ff, bias=False)
        self.wi_1 = nn.Linear(cfg.d_model, cfg.d_ff, bias=False)
        self.wo = nn.Linear(cfg.d_ff, cfg.d_model, bias=False)
        self.act = ACTIVATIONS[cfg.dense_act_fn]
        self.dropout = cfg.dropout_rate

    def forward(self, x):
        h = self.act(self.wi_0(x)) * self.wi_1(x)
        return self.wo(F.dropout(h, self.dropout, self.training))


class T5LayerSelfAttention(nn.Module):
    def __init__(self, cfg, has_relative_attention_bias, bidirectional):
        super().__init__()
        self.SelfAttention = T5Attention(cfg, has_relative_attention_bias, bidirectional)
        self.layer_norm = T5LayerNorm(cfg.d_model, cfg.layer_norm_epsilon)


class T5LayerCrossAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.EncDecAttention = T5Attention(cfg)
        self.layer_norm = T5LayerNorm(cfg.d_model, cfg.layer_norm_epsilon)


class T5LayerFF(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.DenseReluDense = T5DenseGatedActDense(cfg) if cfg.is_gated_act else T5DenseActDense(cfg)
        self.layer_norm = T5LayerNorm(cfg.d_model, cfg.layer_norm_epsilon)


class T5Block(nn.Module):
    """layer[0]: self-attention, then (decoder) layer[1]: cross-attention, then the
    feed-forward layer; each `h + dropout(f(layer_norm(h)))`."""

    def __init__(self, cfg, is_decoder, has_relative_attention_bias):
        super().__init__()
        self.is_decoder = is_decoder
        self.dropout = cfg.dropout_rate
        layers = [T5LayerSelfAttention(cfg, has_relative_attention_bias, bidirectional=not is_decoder)]
        if is_decoder:
            layers.append(T5LayerCrossAttention(cfg))
        layers.append(T5LayerFF(cfg))
        self.layer = nn.ModuleList(layers)

    def residual(self, h, f, norm):
        return h + F.dropout(f(norm(h)), self.dropout, self.training)

    def forward_encoder(self, h, bias, mask):
        sa = self.layer[0]
        h = self.residual(h, lambda x: sa.SelfAttention.attend(x, *sa.SelfAttention.project_kv(x), bias, mask),
                          sa.layer_norm)
        ff = self.layer[1]
        return self.residual(h, ff.DenseReluDense, ff.layer_norm)

    def forward_decoder(self, h, self_kv, bias, causal_mask, cross_k, cross_v, cross_mask):
        """`self_kv(x)`: the self-attention keys and values of every position so far,
        given this step's normalised block input x."""
        sa, ca, ff = self.layer
        h = self.residual(h, lambda x: sa.SelfAttention.attend(x, *self_kv(x), bias, causal_mask),
                          sa.layer_norm)
        h = self.residual(h, lambda x: ca.EncDecAttention.attend(x, cross_k, cross_v, None, cross_mask),
                          ca.layer_norm)
        return self.residual(h, ff.DenseReluDense, ff.layer_norm)


class T5Stack(nn.Module):
    def __init__(self, cfg, is_decoder):
        super().__init__()
        n = cfg.num_decoder_layers if is_decoder else cfg.num_layers
        self.block = nn.ModuleList([T5Block(cfg, is_decoder, has_relative_attention_bias=(i == 0))
                                    for i in range(n)])
        self.final_layer_norm = T5LayerNorm(cfg.d_model, cfg.layer_norm_epsilon)

    @property
    def position_bias(self):
        """The attention holding the stack's relative_attention_bias."""
        return self.block[0].layer[0].SelfAttention


class T5ForConditionalGeneration(TeacherForcedMixin, nn.Module):
    """T5 / mT5 with a language-model head, or the encoder alone (`config.encoder_only`).
    Parameter names are those of the Hugging Face checkpoints."""

    def __init__(self, cfg):
        super().__init__()
        self.config = cfg
        self.shared = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.encoder = T5Stack(cfg, is_decoder=False)
        self.decoder = None if cfg.encoder_only else T5Stack(cfg, is_decoder=True)
        self.lm_head = None
        if not cfg.encoder_only and not cfg.tie_word_embeddings:
            self.lm_head = nn.Linear(cfg.d_model, cfg.vocab_size, bias=False)
        self.generation = GenerationRules()  # set from the directory by from_pretrained

    @property
    def dtype(self):
        return self.shared.weight.dtype

    @property
    def device(self):
        return self.shared.weight.device

    # ------------------------------------------------------------------ weights

    @classmethod
    def from_pretrained(cls, model_dir, dtype=torch.float32, device="cpu", encoder_only=None):
        cfg = T5Config.from_file(os.path.join(model_dir, "config.json"))
        if encoder_only is not None:
            cfg.encoder_only = encoder_only
        model = cls.from_tensors(cfg, checkpoint.load_tensors(model_dir))
        if not cfg.encoder_only:
            model.generation = GenerationRules.from_dir(cfg, model_dir)
        return model.to(device=device, dtype=dtype)

    @classmethod
    def from_tensors(cls, cfg, tensors):
        """Builds the model from Hugging Face named float32 numpy arrays. `shared.weight`
        (else `encoder.embed_tokens.weight`) is the embedding of both stacks;
        `encoder.embed_tokens.weight` / `decoder.embed_tokens.weight`, when stored,
        must equal it (transformers ties them); a tied `lm_head.weight` is not read."""
        t = dict(tensors)
        model = cls(cfg)
        used = set(IGNORED_TENSORS)

        def as_torch(name):
            used.add(name)
            return torch.from_numpy(np.ascontiguousarray(t[name], dtype=np.float32))


        source = "shared.weight" if "shared.weight" in t else "encoder.embed_tokens.weight"
        if source not in t:
            raise KeyError("missing shared.weight (or encoder.embed_tokens.weight)")
        shared = as_torch(source)
        copy_parameter(model.shared.weight, shared, source)
        for alias in ("encoder.embed_tokens.weight", "decoder.embed_tokens.weight"):
            if alias in t and not torch.equal(as_torch(alias), shared):
                raise ValueError(f"{alias} differs from {source} (they are one tied matrix)")
        if model.lm_head is None:
            used.add("lm_head.weight")
        if cfg.encoder_only:
            # The encoder of a full checkpoint: the decoder and the head are not read.
            used.update(n for n in t if n.startswith("decoder.") or n == "lm_head.weight")
        for name, p in model.named_parameters():
            if name == "shared.weight":
                continue
            if name not in t:
                raise KeyError(f"missing tensor {name}")
            copy_parameter(p, as_torch(name), name)
        unused = sorted(set(t) - used)
        if unused:
            raise ValueError(f"unexpected tensors: {unused[:5]}")
        return model

    def hf_state_dict(self):
        """Float32 numpy arrays under the Hugging Face names (a tied lm_head is not
        stored, as save_pretrained leaves it out)."""
        return {k: v.detach().float().cpu().numpy() for k, v in self.named_parameters()}

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

    def embed(self, ids):
        return F.dropout(self.shared(ids), self.config.dropout_rate, self.training)

    def encode(self, input_ids, attention_mask=None):
        """input_ids [B,S] (right padded), attention_mask [B,S] (1/True = real token).
        Returns the final encoder states [B,S,d] (padded rows are garbage)."""
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids, dtype=torch.bool)
        pad = ~attention_mask.bool()
        s = input_ids.shape[1]
        h = self.embed(input_ids)
        bias = self.encoder.position_bias.compute_bias(0, s, s)
        mask = pad[:, None, None, :]
        for block in self.encoder.block:
            h = block.forward_encoder(h, bias, mask)
        h = self.encoder.final_layer_norm(h)
        return F.dropout(h, self.config.dropout_rate, self.training)

    def _require_decoder(self):
        if self.decoder is None:
            raise ValueError("an encoder-only model (T5EncoderModel) has no decoder")

    def init_state(self, encoder_out, attention_mask, capacity):
        """Prepares a DecoderState for incremental decoding of up to `capacity` tokens."""
        self._require_decoder()
        pad = ~attention_mask.bool()
        cross = [block.layer[1].EncDecAttention.project_kv(encoder_out) for block in self.decoder.block]
        return DecoderState(pad, cross, capacity)

    def project(self, h):
        """Final decoder states -> logits [.., V]."""
        if self.lm_head is None:
            return F.linear(h * (self.config.d_model ** -0.5), self.shared.weight)
        return self.lm_head(h)

    def decode_step(self, tokens, state):
        """tokens [B,T]: the next T decoder inputs of every row. Returns logits [B,T,V]."""
        self._require_decoder()
        t = tokens.shape[1]
        start = state.length
        h = self.embed(tokens)
        bias = self.decoder.position_bias.compute_bias(start, t, start + t)
        causal = None
        if t > 1:
            q = torch.arange(start, start + t, device=tokens.device)[:, None]
            k = torch.arange(0, start + t, device=tokens.device)[None, :]
            causal = k > q
        cross_mask = state.pad_mask[:, None, None, :]
        for i, block in enumerate(self.decoder.block):
            ck, cv = state.cross_kv[i]
            attn = block.layer[0].SelfAttention
            h = block.forward_decoder(h, lambda x, i=i, attn=attn: state.append(i, *attn.project_kv(x)),
                                      bias, causal, ck, cv, cross_mask)
        state.length += t
        h = self.decoder.final_layer_norm(h)
        return self.project(F.dropout(h, self.config.dropout_rate, self.training))

    def decode_full(self, decoder_input_ids, encoder_out, attention_mask):
        """Full (non-cached) causal decoder pass; logits [B,T,V]."""
        self._require_decoder()
        pad = ~attention_mask.bool()
        t = decoder_input_ids.shape[1]
        h = self.embed(decoder_input_ids)
        bias = self.decoder.position_bias.compute_bias(0, t, t)
        idx = torch.arange(t, device=decoder_input_ids.device)
        causal = idx[None, :] > idx[:, None]
        cross_mask = pad[:, None, None, :]
        for block in self.decoder.block:
            ck, cv = block.layer[1].EncDecAttention.project_kv(encoder_out)
            h = block.forward_decoder(h, block.layer[0].SelfAttention.project_kv, bias, causal, ck, cv,
                                      cross_mask)
        h = self.decoder.final_layer_norm(h)
        return self.project(F.dropout(h, self.config.dropout_rate, self.training))



def model_type_of(model_dir):
    with open(os.path.join(model_dir, "config.json"), encoding="utf-8") as f:
        return json.load(f).get("model_type", "marian")


def is_t5(model_dir):
    return model_type_of(model_dir) in T5_MODEL_TYPES


def load_model(model_dir, dtype=torch.float32, **kwargs):
    """The reference model of a directory: T5ForConditionalGeneration for model_type
    t5 / mt5, else MarianMTModel (Marian, M2M100/NLLB, BART, mBART)."""
    if is_t5(model_dir):
        return T5ForConditionalGeneration.from_pretrained(model_dir, dtype=dtype, **kwargs)
    from .marian import MarianMTModel
    return MarianMTModel.from_pretrained(model_dir, dtype=dtype, **kwargs)
